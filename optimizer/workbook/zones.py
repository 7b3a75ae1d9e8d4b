"""The ``zones`` sheet (区域): its rules, and the zone table it becomes.

Row by row (errors): a zone id used twice (``duplicate_key``), a point outside Japan
(``outside_japan`` / ``latlon_swapped``), a municipality not on the municipalities sheet
(``unknown_municipality``), a zone id that is another municipality's code
(``zone_is_municipality_code``: a municipality without zones becomes one zone keyed by
its code), more residents aged 75+ than residents (``elderly_exceeds_population``).

Per municipality (warnings): its zones' residents differ from its population by more
than :data:`~optimizer.schema.ZONE_POPULATION_TOLERANCE` (``zone_population_mismatch``);
its zones' residents aged 75+ exceed its 75+ count (``zone_elderly_exceeds``); it has no
zone while others do (``municipality_without_zones``: its residents stay at its point).

A sheet without rows (the template writes every sheet) is no zones at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from optimizer.problem.zones import ZONE_COLUMNS
from optimizer.schema import ZONE_POPULATION_TOLERANCE, ZONES
from optimizer.workbook.checks import (
    check_coordinates,
    check_duplicate_keys,
    resolve_municipalities,
)
from optimizer.workbook.messages import WARNING, Issue, issue
from optimizer.workbook.raw import excel_items, excel_rows

__all__ = ["zones_from_sheet", "check_zone_totals"]


def _given(frame: pd.DataFrame | None) -> bool:
    return frame is not None and not frame.empty


def _municipality_names(municipalities: pd.DataFrame) -> dict[str, str]:
    return {
        str(code): str(name) if name is not None else ""
        for code, name in zip(municipalities["code"], municipalities["name"], strict=True)
        if code is not None
    }


def _labelled(code: str, names: Mapping[str, str], lang: str = "en") -> str:
    name = names.get(code, "")
    if not name:
        return code
    return f"{name}（{code}）" if lang == "ja" else f"{name} ({code})"


def _collisions(
    frame: pd.DataFrame, codes: pd.Series, lookup: Mapping[str, str], names: Mapping[str, str]
) -> list[Issue]:
    """``zone_is_municipality_code``: a zone id that names another municipality."""
    found = []
    for row, zone in excel_items(frame["zone"]):
        other = lookup.get(zone) if zone is not None else None
        if other is None or other == codes[row]:
            continue
        found.append(
            issue(
                "zones",
                row,
                "zone",
                zone,
                "zone_is_municipality_code",
                f"an id that is not the code of another municipality ({_labelled(other, names)}):"
                " a municipality without zones is one zone keyed by its code; use e.g. the "
                "census small-area key",
                f"他の市町村（{_labelled(other, names, 'ja')}）のコードでない区域ID。区域のない"
                "市町村は自らのコードを区域IDとする1区域になります（国勢調査小地域の KEY_CODE "
                "などを使ってください）",
            )
        )
    return found


def _elderly_above_residents(frame: pd.DataFrame) -> list[Issue]:
    """``elderly_exceeds_population`` for a zone with more residents aged 75+ than residents."""
    both = frame["population"].notna() & frame["population_75plus"].notna()
    bad = frame[both & (frame["population_75plus"] > frame["population"])]
    return [
        issue(
            "zones",
            row,
            "population_75plus",
            int(record["population_75plus"]),
            "elderly_exceeds_population",
            f"at most the zone's population ({int(record['population']):,})",
            f"区域の人口（{int(record['population']):,}人）以下",
        )
        for row, record in excel_rows(bad)
    ]


def zones_from_sheet(
    frame: pd.DataFrame | None, municipalities: pd.DataFrame, lookup: dict[str, str]
) -> tuple[pd.DataFrame | None, list[Issue]]:
    """The zones sheet → (zone table for :func:`~optimizer.problem.data.assemble_problem`,
    issues); ``None`` when the sheet is absent or has no rows.

    The table: index zone id (text), columns ``municipality`` (the code, references
    resolved through ``lookup`` as on every sheet), ``name`` ("" when blank), ``lat``,
    ``lon``, ``population`` (float), ``population_75plus`` (float, NaN when blank: the
    problem spreads the municipality's count), then any projection columns.
    """
    if not _given(frame):
        return None, []
    assert frame is not None
    names = _municipality_names(municipalities)
    found = check_duplicate_keys("zones", "zone", frame["zone"])
    found += check_coordinates("zones", frame)
    codes, unknown = resolve_municipalities("zones", "municipality", frame["municipality"], lookup)
    found += unknown
    found += _collisions(frame, codes, lookup, names)
    found += _elderly_above_residents(frame)
    table = pd.DataFrame(
        {
            "municipality": codes.to_numpy(dtype=object),
            "name": ["" if n is None else str(n) for n in frame["name"]],
            "lat": frame["lat"].to_numpy(float),
            "lon": frame["lon"].to_numpy(float),
            "population": pd.to_numeric(frame["population"]).astype(float).to_numpy(),
            "population_75plus": pd.to_numeric(frame["population_75plus"]).astype(float).to_numpy(),
        },
        index=pd.Index([str(z) for z in frame["zone"]], name="zone"),
    )
    for column in frame.columns:  # projections only: address and coord_source are not the model's
        if column not in ZONES.column_index:
            table[column] = pd.to_numeric(frame[column]).astype(float).to_numpy()
    return table[[*ZONE_COLUMNS, *(c for c in table.columns if c not in ZONE_COLUMNS)]], found


def _first_rows(frame: pd.DataFrame, codes: pd.Series) -> dict[str, int]:
    """Municipality code → the row of its first zone."""
    rows: dict[str, int] = {}
    for row, code in excel_items(codes):
        if code is not None:
            rows.setdefault(str(code), row)
    return rows


def _municipality_row(where: int | None) -> tuple[str, str]:
    """Where a municipality stands on its own sheet, in English and Japanese ("" if unknown)."""
    if where is None:
        return "", ""
    return f" (municipalities row {where})", f"（市町村シート {where} 行目）"


def _population_gap(
    code: str, total: float, people: float, zones: int, row: int, where: int | None, label: str
) -> Issue:
    gap = (total - people) / people
    where_en, where_ja = _municipality_row(where)
    return issue(
        "zones",
        row,
        "population",
        f"{total:,.0f}",
        "zone_population_mismatch",
        f"the zones of {label} to add up to its population {people:,.0f}{where_en} within "
        f"{ZONE_POPULATION_TOLERANCE:.0%}: its {zones} zone(s) hold {total:,.0f} ({gap:+.1%}). "
        "The municipality's demand stays that of its population, split over its zones in "
        "proportion to their residents",
        f"{label}の区域の人口の合計が市町村の人口 {people:,.0f}人{where_ja}と"
        f"{ZONE_POPULATION_TOLERANCE:.0%}以内で一致すること：区域 {zones} か所の合計は "
        f"{total:,.0f}人（{gap:+.1%}）。需要は市町村の人口で計算し、区域の人口の比で配分します",
        severity=WARNING,
    )


def check_zone_totals(
    zones: pd.DataFrame | None,
    frame: pd.DataFrame | None,
    municipalities: pd.DataFrame,
) -> list[Issue]:
    """The per-municipality warnings of the module's text.

    ``zones`` is the table of :func:`zones_from_sheet` (``None``: no zones, no warning),
    ``frame`` the coerced sheet it came from (its rows), ``municipalities`` the coerced
    municipalities sheet.
    """
    if zones is None or frame is None:
        return []
    names = _municipality_names(municipalities)
    codes = pd.Series(zones["municipality"].to_numpy(dtype=object), index=frame.index)
    first = _first_rows(frame, codes)
    town = zones["municipality"]
    totals = zones["population"].groupby(town).sum()
    counts = zones["population"].groupby(town).size()
    elderly = zones["population_75plus"].groupby(town).sum(min_count=1)
    found = []
    for row, record in excel_rows(municipalities):
        code = record["code"]
        if code is None:
            continue
        code = str(code)
        label = _labelled(code, names)
        if code not in first:
            found.append(_without_zones(code, row, record, label, names))
            continue
        people, old = record["population"], record["population_75plus"]
        total = float(totals.get(code, 0.0))
        if not pd.isna(people) and people > 0:
            if abs(total - float(people)) > ZONE_POPULATION_TOLERANCE * float(people):
                found.append(
                    _population_gap(
                        code, total, float(people), int(counts[code]), first[code], row, label
                    )
                )
        given = elderly.get(code, math.nan)
        if not pd.isna(old) and not pd.isna(given) and given > float(old):
            found.append(_elderly_gap(code, float(given), float(old), frame, codes, row, label))
    return found


def _elderly_gap(
    code: str,
    given: float,
    old: float,
    frame: pd.DataFrame,
    codes: pd.Series,
    where: int | None,
    label: str,
) -> Issue:
    filled = frame["population_75plus"].notna() & (codes == code)
    row = int(frame.index[filled.to_numpy()][0])
    where_en, where_ja = _municipality_row(where)
    return issue(
        "zones",
        row,
        "population_75plus",
        f"{given:,.0f}",
        "zone_elderly_exceeds",
        f"at most the 75+ count of {label}, {old:,.0f}{where_en}: its zones hold "
        f"{given:,.0f} residents aged 75+. Its 75+ demand is split in proportion to the "
        "zones' counts, and zones left blank get none",
        f"{label}の75歳以上人口 {old:,.0f}人{where_ja}以下：区域の合計は {given:,.0f}人。"
        "75歳以上の需要は区域の値の比で配分し、空欄の区域には配分しません",
        severity=WARNING,
    )


def _without_zones(
    code: str, row: int, record: pd.Series, label: str, names: Mapping[str, str]
) -> Issue:
    lat, lon = record["lat"], record["lon"]
    point = f"lat {lat:g}, lon {lon:g}" if not (pd.isna(lat) or pd.isna(lon)) else "its point"
    point_ja = f"緯度 {lat:g}、経度 {lon:g}" if not (pd.isna(lat) or pd.isna(lon)) else "代表点"
    return issue(
        "municipalities",
        row,
        "code",
        code,
        "municipality_without_zones",
        f"zones of {label} on the zones sheet, as the other municipalities have: without "
        f"them all its residents are placed at its own point ({point})",
        f"区域シートに{_labelled(code, names, 'ja')}の区域（他の市町村にはあります）。ないため"
        f"住民全員を市町村の代表点（{point_ja}）に置きます",
        severity=WARNING,
    )
