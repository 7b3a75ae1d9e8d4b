"""Derive inputs/sample/zones.csv from the census small areas of the Tama case.

``python inputs/build_sample_zones.py [--chome PATH]``: reads ``chome_pop2020.csv`` (the
2020 census 町丁・字 of Tokyo's Tama area with their residents and one point each, see
its README) and merges the small areas of each of the sample's nine municipalities into
a few zones: 5 for a municipality of 100,000 residents or more, 4 from 50,000, 3 below.
The merging is the optimiser's own (population-weighted k-means,
:func:`optimizer.problem.zones.assign_points`); a zone's point is the population-weighted
centre of its small areas, its residents their sum, its name its most populous 町丁・字
(丁目 folded into their 町, 大字 dropped; the next one where a more populous zone of the
municipality already bears it) and ほか when it holds more. Small areas without
residents are left out. ``population_75plus`` stays blank: the census gives no age split
at this level, and the problem spreads each municipality's 75+ count in proportion to
population. Zone ids are ``<code>-A``, ``<code>-B`` … in the order of each zone's most
populous small area's key.
"""

import argparse
import re
import string
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.outputs.files import atomic_write_text  # noqa: E402
from optimizer.problem.zones import assign_points, demand_points  # noqa: E402
from optimizer.sources.sample import SAMPLE_CSV_DIR  # noqa: E402

CHOME = Path("/work/shared/data/real/case-tama/chome_pop2020.csv")
"""The team's copy of the census small areas (case-tama/chome_pop2020.csv)."""

_CHOME_NUMBER = re.compile(r"[一二三四五六七八九十]+丁目$")


def zones_per_municipality(population: float) -> int:
    """How many zones the sample gives a municipality of this population."""
    if population >= 100_000:
        return 5
    if population >= 50_000:
        return 4
    return 3


def _towns(areas: pd.DataFrame) -> list[str]:
    """The 町丁・字 of a zone, most populous first: 丁目 folded into their 町, 大字 dropped."""
    town = areas["name"].str.replace(_CHOME_NUMBER, "", regex=True).str.replace("大字", "")
    people = areas["population"].groupby(town.to_numpy(), sort=False).sum()
    return people.sort_values(ascending=False, kind="stable").index.tolist()


def _zone_names(members: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Each zone (point → its small areas) by its most populous 町丁・字 not yet naming a more
    populous zone of the municipality, and ほか when it holds more."""
    names: dict[str, str] = {}
    leads: set[str] = set()
    order = sorted(members, key=lambda p: -float(members[p]["population"].sum()))
    for point in order:
        towns = _towns(members[point])
        lead = next((t for t in towns if t not in leads), towns[0])
        leads.add(lead)
        names[point] = lead + ("ほか" if len(towns) > 1 else "")
    return names


def sample_zones(chome: Path, municipalities: pd.DataFrame) -> pd.DataFrame:
    """The sample's zones: a few merged small areas per municipality (see the module)."""
    areas = pd.read_csv(chome, dtype={"key_code": str, "code5": str})
    areas = areas[areas["code5"].isin(municipalities["code"]) & (areas["pop_2020"] > 0)]
    table = pd.DataFrame(
        {
            "municipality": areas["code5"].to_numpy(),
            "name": areas["s_name"].to_numpy(),
            "lat": areas["lat"].to_numpy(float),
            "lon": areas["lon"].to_numpy(float),
            "population": areas["pop_2020"].to_numpy(float),
            "population_75plus": 0.0,
        },
        index=pd.Index(areas["key_code"].to_numpy(), name="zone"),
    )
    rows = []
    for code, population in zip(municipalities["code"], municipalities["population"], strict=True):
        own = table[table["municipality"] == code]
        merged = assign_points(own, per_municipality=zones_per_municipality(population))
        points = demand_points(merged)
        first_key = merged.groupby("point")["population"].idxmax()
        members = {p: merged[merged["point"] == p] for p in first_key.index}
        names = _zone_names(members)
        for letter, point in zip(
            string.ascii_uppercase, first_key.sort_values().index, strict=False
        ):
            rows.append(
                {
                    "zone": f"{code}-{letter}",
                    "municipality": code,
                    "name": names[point],
                    "lat": round(float(points.at[point, "lat"]), 6),
                    "lon": round(float(points.at[point, "lon"]), 6),
                    "population": int(points.at[point, "population"]),
                    "population_75plus": None,
                }
            )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Derive inputs/sample/zones.csv")
    parser.add_argument("--chome", default=str(CHOME), help="chome_pop2020.csv")
    parser.add_argument("--out", default=str(SAMPLE_CSV_DIR / "zones.csv"))
    args = parser.parse_args(argv)
    municipalities = pd.read_csv(SAMPLE_CSV_DIR / "municipalities.csv", dtype={"code": str})
    zones = sample_zones(Path(args.chome), municipalities)
    path = atomic_write_text(args.out, zones.to_csv(index=False, lineterminator="\n"))
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
