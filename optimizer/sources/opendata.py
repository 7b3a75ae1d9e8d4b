"""Real public data as input tables: the Tama case (多摩地域, 30 municipalities).

:func:`tama_tables` maps ``../shared/data/real/case-tama/`` (see its ``README.md`` and
``../SOURCES.md``) onto the input workbook's tables, and :func:`tama_problem` turns them
into a :class:`~optimizer.problem.data.ProblemData` through the validator. The source columns
are renamed here, at the edge, and nowhere else.

Municipalities
    ``code5`` → ``code``; city-hall ``lat`` / ``lon``; ``pop_2020_census_prelim`` (2020
    census, preliminary) → ``population``; ``insured75plus_derived`` (care-insurance
    first-class insured aged 75+, fiscal-year end, probably March 2024) →
    ``population_75plus``. Residents sit at the city hall, or (``zones=True``) in the
    2,188 census small areas with residents (``zones`` table; 75+ spread by population,
    see :mod:`optimizer.sources.tama_residents`).
    ``care_area``: the 老人福祉圏域 from ``rofuku_keniki.csv`` (column ``keniki``, joined on
    ``code5``): 西多摩, 南多摩, 北多摩西部, 北多摩南部, 北多摩北部.
Libraries
    Category ``library`` with ``operator_code`` 3 (municipal public libraries, 146 of
    194; university, national and Tokyo Metropolitan libraries are left out). A library
    is *central* when its name contains 中央 or ends in 市立/町立/村立図書館, else a
    *branch*. The data are from 2013 (KSJ P27). A central library is kept (status
    ``keep``): its reference service, closed stacks and the municipality's library
    administration have no substitute in a branch or in a neighbour's library, and no
    municipality plans without one; branches may be closed or shared.
Culture halls — the rule
    A P05 row (2022) counts as a culture hall when it is class 5 (集会施設), its name
    contains one of :data:`HALL_KEYWORDS` and none of :data:`HALL_EXCLUDED`, or is one
    of :data:`HALL_NAMES` (パルテノン多摩, whose name carries no keyword). Names with
    ホール / 会館 (市民会館, 文化会館) / 劇場 / 芸術 / 公会堂 are *large halls*; 文化センター /
    交流センター / 市民センター are *community culture centres*. The looser flag
    ``name_hall_keyword`` of the case is not used: it also matches 323 rows of small
    neighbourhood 会館 and 自治会館. With ``include_community_rooms=True`` every other
    P05 row is kept too, as ``公民館`` (class 4) or ``集会施設`` (class 5): this is the
    ~1,500-facility reading of the case, for scale runs.
Elderly care
    All four residential types of the case: 介護老人福祉施設 (特養), 介護老人保健施設 (老健),
    地域密着型介護老人福祉施設 (small 特養, ≤ 29 beds) and 介護医療院, each its own facility
    type with its own demand per 75+ resident calibrated on today's beds
    (:data:`~optimizer.sources.tama_residents.CARE_TYPES`; ``split_care=False``: one
    ``care`` type). Capacity [beds] where
    the source gives a positive 定員. Each registered 事業所 is its own facility (a 特養 with
    two wings is two rows).
Operators — the rule
    A care facility is ``private`` (a 社会福祉法人, 医療法人 …) unless its name contains
    市立, 町立 or 村立 (:data:`MUNICIPAL_CARE_WORDS`), when it is ``municipal``: the case
    names no operator, and nearly every 特養, 老健 and 介護医療院 in Tama is run by a
    社会福祉法人 or 医療法人 (2 of the 352 rows, 府中市立 特養 よつや苑 and あさひ苑, are
    municipal). The plan cannot close a private facility: it stays open and costs the
    municipalities nothing. Libraries (``operator_code`` 3) and halls are municipal.
Headroom and planning-area floors
    ``max_utilisation`` 0.9 for libraries and halls, 0.95 for care (as the sample); care
    ``area_floor_share`` 1.0: each 老人福祉圏域 keeps at least today's capacity of each
    care type (:data:`AREA_FLOOR_SHARE`).

Candidate sites
    The case has none. Wherever a municipality's own facilities of a type hold less
    than its own demand, :func:`shortfall_candidates` adds one new site at its city hall
    that tops its capacity up to 1.2 × its demand (88 sites with the rules above, 75 of
    them care; 16 with one care type), so
    that every municipality has a stand-alone plan that serves all its residents. Every
    value of a candidate is an assumption (the :data:`RATES`, the MIC rebuild unit cost
    + 10 %).

Defaults for what the case lacks
--------------------------------
The case has no costs, no floor areas, no capacities for libraries and halls, and few
build years. Each missing value is filled with a constant per type and subtype
(:data:`DEFAULTS`), and every filled cell is listed in the facility's ``assumed``
column and in the ``assumptions`` table:

=========== ================ ============= ==================== ========== =====================
type        subtype          floor [m²]    capacity             built      operating cost
=========== ================ ============= ==================== ========== =====================
library     central          3,000         120 visits/m²/year   1981       40,000 yen/m²/year
library     branch           700           120 visits/m²/year   1981       40,000 yen/m²/year
hall        large hall       4,000         40 visits/m²/year    1985       30,000 yen/m²/year
hall        culture centre   1,500         40 visits/m²/year    1985       30,000 yen/m²/year
hall        公民館           800           40 visits/m²/year    1985       30,000 yen/m²/year
hall        集会施設         300           40 visits/m²/year    1985       30,000 yen/m²/year
care        特養             45 m²/bed     100 beds             2000       4.0 M yen/bed/year
care        老健             45 m²/bed     100 beds             2000       4.0 M yen/bed/year
care        small 特養       45 m²/bed     26 beds              2000       4.0 M yen/bed/year
care        介護医療院       45 m²/bed     94 beds              2000       4.0 M yen/bed/year
=========== ================ ============= ==================== ========== =====================

Reasoning (sources where there are public ones):

* Care beds: the median 定員 the case itself states for the same subtype (特養 100 of
  204 stated, 老健 100 of 35, small 特養 26.5 of 10 → 26, 介護医療院 93.5 of 2 → 94).
* Library build year: the median of the 36 municipal libraries whose year the case
  gives (1981.5 → 1981). Halls 1985: the middle of the public-hall building boom
  (1970s–90s); care 2000: the start of long-term care insurance, after which most of
  Tama's 特養 capacity was built. Both are assumptions, not statistics.
* Library floor area: 23 central × 3,000 m² + 123 branches × 700 m² gives 36 m² per
  1,000 residents, inside the design's sanity band of 22–138 m² per 1,000 residents.
* Care floor area: 45 m² per bed of gross floor area (the room itself is at least
  10.65 m² per resident in a unit-type 特養 under the MHLW facility standards; shared
  living rooms, corridors, kitchens and staff areas make up the rest) — an assumption.
* Capacities of libraries and halls in visits per year per m², and all operating
  costs, are modelling assumptions chosen so that the area holds about 1.5× its
  library demand and its care demand (3 visits and 0.035 beds per resident / 75+
  resident, see :data:`FACILITY_TYPES`); replace them with the municipalities' own
  施設カルテ or 公共施設等総合管理計画 figures when available.
* Renewal costs come from the MIC method (floor area × unit cost, see
  :mod:`optimizer.problem.costs`), so they inherit the assumed floor areas.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.problem.data import ProblemData, assemble_problem
from optimizer.schema import MIC_UNIT_COSTS, SHEETS_BY_NAME
from optimizer.sources.ipss_outlook import case_outlook, outlook_assumption
from optimizer.sources.tama_halls import (
    HALL_EXCLUDED,
    HALL_KEYWORDS,
    HALL_NAMES,
    classify_halls,
)
from optimizer.sources.tama_residents import (
    CARE_FAMILY,
    CARE_TYPES,
    read_zones,
    split_care_tables,
    zone_assumptions,
    zone_index,
)
from optimizer.workbook.assemble import problem_from_tables

__all__ = [
    "tama_tables",
    "tama_problem",
    "schema_sheets",
    "problem_from_schema_tables",
    "classify_halls",
    "FACILITY_TYPES",
    "DEFAULTS",
    "HALL_KEYWORDS",
    "HALL_EXCLUDED",
    "HALL_NAMES",
    "SCHEMA_SHEETS",
    "RATES",
    "AREA_FLOOR_SHARE",
    "LIBRARY_COVERAGE",
    "MUNICIPAL_CARE_WORDS",
    "care_operators",
    "floor_area_for",
    "operating_cost_for",
    "shortfall_candidates",
]

log = logging.getLogger(__name__)

FACILITY_TYPES = pd.DataFrame(
    {
        "type": ["library", "hall", "care"],
        "name_ja": ["図書館", "文化ホール", "介護施設"],
        "demand_basis": ["population", "population", "population_75plus"],
        "demand_per_person": [3.0, 1.0, 0.035],
        "capacity_unit": ["visits/year", "visits/year", "beds"],
        "max_distance_km": [8.0, 12.0, 15.0],
        "renovation_unit_cost": [MIC_UNIT_COSTS[k][0] for k in ("library", "hall", "care")],
        "rebuild_unit_cost": [MIC_UNIT_COSTS[k][1] for k in ("library", "hall", "care")],
        "life_years": [60, 60, 60],
        "renovation_year": [30, 30, 30],
        "user_travel_cost_per_km": [60.0, 60.0, 2000.0],
        "routine_repair_per_m2": [0.0, 0.0, 0.0],
        "max_utilisation": [0.9, 0.9, 0.95],
    }
)
"""The three facility types of the real and synthetic cases.

Demand: 3 library visits and 1 hall visit per resident per year; 0.035 residential
care beds per resident aged 75+ (Tokyo's 特養 places are 1.72 % of the 65+ population,
about 3 % of the 75+; 老健 and 介護医療院 add the rest). Travel cost: a round trip at
about 30 yen/km per visit; a care bed-year carries about 30 family visits (2,000 yen/km).
Unit costs: the MIC defaults (:data:`optimizer.schema.MIC_UNIT_COSTS`). Headroom: at most
90 % of a library's or hall's capacity is planned, 95 % of a care home's (特養 occupancy
is about 95 % nationally). The Tama case adds its planning-area floor
(:data:`AREA_FLOOR_SHARE`).
"""

LIBRARY_COVERAGE = (2.0, 0.8)
"""The Tama case's service level for libraries: at least 80 % of each municipality's
residents within 2 km of an open library (or as many as today's libraries reach, where
that is fewer: the model lowers the target to what is reachable). A branch library
serves its walking and cycling distance; the fixed demand of the model does not fall
as the walk grows, so without a rule the plans closed branches with 40,000 residents
within 1 km whenever the next library was 1.5 km further. Today 85 % of Tama's residents
live within 2 km of a library. An assumption of the case, not a national standard."""

AREA_FLOOR_SHARE = {"care": 1.0}
"""``area_floor_share`` of the Tama case: each 老人福祉圏域 keeps at least today's care
capacity (Tokyo plans care capacity per 圏域 and means to grow it, not shrink it); with
the care types split, the share holds for each of them."""

MUNICIPAL_CARE_WORDS = ("市立", "町立", "村立")
"""A care facility whose name contains one of these is municipal; every other is private."""

DEFAULTS = pd.DataFrame(
    [
        # type, subtype, floor_area_m2, m2_per_bed, capacity, capacity_per_m2, year_built,
        # operating_per_m2, operating_per_bed
        ("library", "central", 3000.0, np.nan, np.nan, 120.0, 1981, 40_000.0, np.nan),
        ("library", "branch", 700.0, np.nan, np.nan, 120.0, 1981, 40_000.0, np.nan),
        ("hall", "large hall", 4000.0, np.nan, np.nan, 40.0, 1985, 30_000.0, np.nan),
        ("hall", "culture centre", 1500.0, np.nan, np.nan, 40.0, 1985, 30_000.0, np.nan),
        ("hall", "公民館", 800.0, np.nan, np.nan, 40.0, 1985, 30_000.0, np.nan),
        ("hall", "集会施設", 300.0, np.nan, np.nan, 40.0, 1985, 30_000.0, np.nan),
        ("care", "介護老人福祉施設", np.nan, 45.0, 100.0, np.nan, 2000, np.nan, 4_000_000.0),
        ("care", "介護老人保健施設", np.nan, 45.0, 100.0, np.nan, 2000, np.nan, 4_000_000.0),
        (
            "care",
            "地域密着型介護老人福祉施設入所者生活介護",
            np.nan,
            45.0,
            26.0,
            np.nan,
            2000,
            np.nan,
            4_000_000.0,
        ),
        ("care", "介護医療院", np.nan, 45.0, 94.0, np.nan, 2000, np.nan, 4_000_000.0),
    ],
    columns=[
        "type",
        "subtype",
        "floor_area_m2",
        "m2_per_bed",
        "capacity",
        "capacity_per_m2",
        "year_built",
        "operating_per_m2",
        "operating_per_bed",
    ],
).set_index(["type", "subtype"])
"""Defaults per (type, subtype); see the module docstring for the reasoning."""

RATES = {
    "library": {
        "capacity_per_m2": DEFAULTS.loc[("library", "branch"), "capacity_per_m2"],
        "operating_per_m2": DEFAULTS.loc[("library", "branch"), "operating_per_m2"],
        "min_floor_m2": 150.0,
    },
    "hall": {
        "capacity_per_m2": DEFAULTS.loc[("hall", "culture centre"), "capacity_per_m2"],
        "operating_per_m2": DEFAULTS.loc[("hall", "culture centre"), "operating_per_m2"],
        "min_floor_m2": 300.0,
    },
    "care": {
        "m2_per_bed": DEFAULTS.loc[("care", "介護老人福祉施設"), "m2_per_bed"],
        "operating_per_bed": DEFAULTS.loc[("care", "介護老人福祉施設"), "operating_per_bed"],
    },
}
"""Per-type rates of a new building (candidate sites here, every synthetic facility):
those of :data:`DEFAULTS` for a branch library, a culture centre and a 特養, plus a
smallest building per type [m²]."""

CANDIDATE_BUILD_MARKUP = 1.1
"""A new building costs the MIC rebuild unit cost + 10 % (site works, demolition)."""

CANDIDATE_OPERATING_SHARE = 0.9
"""A new building runs at 90 % of the operating rate (modern, efficient)."""

CANDIDATE_TARGET = 1.2
"""A candidate tops its host's own capacity up to this multiple of its own demand."""


def _rate_kind(kind: str) -> str:
    """The :data:`RATES` entry of a type: a care type (``care_tokuyo`` …) builds as care."""
    return CARE_FAMILY if kind in set(CARE_TYPES["type"]) else kind


def floor_area_for(kind: str, capacity: np.ndarray) -> np.ndarray:
    """Gross floor area [m²] that holds ``capacity`` [type unit] at the :data:`RATES`."""
    kind = _rate_kind(kind)
    rate = RATES[kind]
    if kind == "care":
        return np.asarray(capacity, dtype=float) * rate["m2_per_bed"]
    return np.maximum(
        np.asarray(capacity, dtype=float) / rate["capacity_per_m2"], rate["min_floor_m2"]
    )


def operating_cost_for(kind: str, capacity: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Annual operating cost [yen/year] at the :data:`RATES`: per bed for care, per m² else."""
    kind = _rate_kind(kind)
    rate = RATES[kind]
    if kind == "care":
        return np.asarray(capacity, dtype=float) * rate["operating_per_bed"]
    return np.asarray(area, dtype=float) * rate["operating_per_m2"]


CENTRAL_LIBRARY = r"中央|[市町村]立図書館$"

SCHEMA_SHEETS = ("municipalities", "facility_types", "facilities", "candidates", "parameters")

FACILITY_SCHEMA_COLUMNS = (
    "id", "name", "type", "municipality", "lat", "lon", "capacity", "floor_area_m2",
    "year_built", "annual_operating_cost", "renewal_cost", "status", "operator",
)  # fmt: skip

CARE_AREAS_FILE = "rofuku_keniki.csv"
"""The case's 老人福祉圏域 per municipality (``code5``, ``municipality``, ``keniki``)."""


def _read_case(case_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The case's municipalities, facilities and planning areas, codes kept as text."""
    case_dir = Path(case_dir)
    read = {"encoding": "utf-8-sig", "dtype": {"code5": str, "lgcode": str}}
    return (
        pd.read_csv(case_dir / "municipalities.csv", **read),
        pd.read_csv(case_dir / "facilities.csv", **read),
        pd.read_csv(case_dir / CARE_AREAS_FILE, **read),
    )


def _municipalities(raw: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    area_of = areas.set_index("code5")["keniki"]
    missing = sorted(set(raw["code5"]) - set(area_of.index))
    if missing:
        raise ValueError(f"{CARE_AREAS_FILE} has no 老人福祉圏域 for {', '.join(missing)}")
    return pd.DataFrame(
        {
            "code": raw["code5"],
            "name": raw["municipality"],
            "lat": raw["lat"].astype(float),
            "lon": raw["lon"].astype(float),
            "population": raw["pop_2020_census_prelim"].astype(int),
            "population_75plus": raw["insured75plus_derived"].astype(int),
            "care_area": area_of.reindex(raw["code5"]).astype(str).to_numpy(),
        }
    )


def care_operators(kinds: pd.Series, names: pd.Series) -> pd.Series:
    """``operator`` of each facility: a care facility is ``private`` unless its name
    contains one of :data:`MUNICIPAL_CARE_WORDS`; every other facility is ``municipal``."""
    municipal_name = names.astype(str).str.contains("|".join(MUNICIPAL_CARE_WORDS))
    private = (kinds == "care") & ~municipal_name
    return pd.Series(np.where(private, "private", "municipal"), index=kinds.index, dtype=object)


def _select_facilities(raw: pd.DataFrame, include_community_rooms: bool) -> pd.DataFrame:
    """The case's rows that enter the model, with ``type`` and ``subtype``."""
    libraries = raw[(raw["category"] == "library") & (raw["operator_code"] == 3)].copy()
    libraries["type"] = "library"
    central = libraries["name"].astype(str).str.contains(CENTRAL_LIBRARY)
    libraries["subtype"] = np.where(central, "central", "branch")
    halls = raw[raw["category"] == "hall_or_community_centre"].copy()
    halls["subtype"] = classify_halls(halls, include_community_rooms)
    halls = halls[halls["subtype"].notna()]
    halls["type"] = "hall"
    care = raw[raw["category"] == "elderly_care"].copy()
    care["type"] = "care"
    return pd.concat([libraries, halls, care])


def _fill(values: pd.Series, defaults: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``values`` with gaps filled from ``defaults``; and which were filled."""
    values = pd.to_numeric(values, errors="coerce").astype(float)
    missing = values.isna() | (values <= 0)
    return values.where(~missing, defaults.astype(float)), missing


def _facilities(selected: pd.DataFrame) -> pd.DataFrame:
    """Schema facility rows, each gap filled from :data:`DEFAULTS` and marked ``assumed``."""
    key = pd.MultiIndex.from_arrays([selected["type"], selected["subtype"]])
    d = DEFAULTS.reindex(key).set_axis(selected.index)
    care = (selected["type"] == "care").to_numpy()
    stated_beds = selected["capacity"].where(care)
    beds, beds_assumed = _fill(stated_beds, d["capacity"])
    floor = np.where(care, beds * d["m2_per_bed"], d["floor_area_m2"])
    capacity = np.where(care, beds, floor * d["capacity_per_m2"])
    capacity_assumed = np.where(care, beds_assumed, True)
    year, year_assumed = _fill(selected["year_built"], d["year_built"])
    operating = np.where(care, beds * d["operating_per_bed"], floor * d["operating_per_m2"])
    assumed = pd.DataFrame(
        {
            "capacity": capacity_assumed,
            "floor_area_m2": True,
            "year_built": year_assumed.to_numpy(),
            "annual_operating_cost": True,
        },
        index=selected.index,
    )
    return pd.DataFrame(
        {
            "id": selected["facility_id"],
            "name": selected["name"],
            "type": selected["type"],
            "municipality": selected["code5"],
            "lat": selected["lat"].astype(float),
            "lon": selected["lon"].astype(float),
            "capacity": np.round(capacity.astype(float), 0),
            "floor_area_m2": np.round(floor.astype(float), 0),
            "year_built": year.round().astype(int).to_numpy(),
            "annual_operating_cost": np.round(operating.astype(float), -3),
            "renewal_cost": np.nan,
            "status": np.where(
                (selected["type"] == "library") & (selected["subtype"] == "central"), "keep", "free"
            ),
            "operator": care_operators(selected["type"], selected["name"]),
            "subtype": selected["subtype"],
            "assumed": assumed.apply(lambda row: ";".join(row.index[row.to_numpy()]), axis=1),
        }
    ).reset_index(drop=True)


def shortfall_candidates(
    municipalities: pd.DataFrame, facilities: pd.DataFrame, facility_types: pd.DataFrame
) -> pd.DataFrame:
    """A candidate site wherever a municipality cannot serve its own demand alone.

    For each municipality *i* and type *k* whose own facilities hold less than its own
    demand D[i,k], one new site at its centre (city hall) of capacity
    ``CANDIDATE_TARGET`` · D[i,k] − own capacity, but never smaller than the lower
    quartile of the capacities of the type's existing facilities (a shortfall of 3 beds
    is met by a home of an ordinary size, not by a 3-bed one), sized and costed at
    the :data:`RATES`:
    floor area from the capacity, build cost = floor area × the type's MIC rebuild unit
    cost × ``CANDIDATE_BUILD_MARKUP``, operating cost × ``CANDIDATE_OPERATING_SHARE``.
    So every municipality has a stand-alone plan that serves all its residents (its
    stand-alone cost is then a real cost, not a penalty for unserved demand).

    Parameters
    ----------
    municipalities
        Schema rows (``code``, ``lat``, ``lon``, ``population``, ``population_75plus``).
    facilities
        Schema rows of the existing facilities (``type``, ``municipality``, ``capacity``).
    facility_types
        Schema rows (``type``, ``demand_basis``, ``demand_per_person``,
        ``rebuild_unit_cost``).

    Returns
    -------
    DataFrame
        Rows of the ``candidates`` sheet, ids ``new-<type>-<code>``.
    """
    own = facilities.groupby(["municipality", "type"])["capacity"].sum()
    smallest = facilities.groupby("type")["capacity"].quantile(0.25)
    rows = []
    for _, ftype in facility_types.iterrows():
        kind = ftype["type"]
        demand = municipalities[ftype["demand_basis"]].to_numpy(float) * ftype["demand_per_person"]
        held = own.xs(kind, level="type").reindex(municipalities["code"], fill_value=0.0).to_numpy()
        short = held < demand
        capacity = np.maximum(
            np.ceil(CANDIDATE_TARGET * demand[short] - held[short]),
            np.ceil(float(smallest.get(kind, 0.0))),
        )
        area = np.round(floor_area_for(kind, capacity), 0)
        hosts = municipalities[short]
        rows.append(
            pd.DataFrame(
                {
                    "id": [f"new-{kind}-{code}" for code in hosts["code"]],
                    "name": [f"{name}{ftype['name_ja']}（新設候補）" for name in hosts["name"]],
                    "type": kind,
                    "municipality": hosts["code"].to_numpy(),
                    "lat": hosts["lat"].to_numpy(),
                    "lon": hosts["lon"].to_numpy(),
                    "capacity": capacity,
                    "floor_area_m2": area,
                    "build_cost": np.round(
                        area * ftype["rebuild_unit_cost"] * CANDIDATE_BUILD_MARKUP, -3
                    ),
                    "annual_operating_cost": np.round(
                        CANDIDATE_OPERATING_SHARE * operating_cost_for(kind, capacity, area), -3
                    ),
                    "status": "free",
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _assumptions(facilities: pd.DataFrame) -> pd.DataFrame:
    """One row per (type, subtype, column) that was filled: how many cells, with what."""
    rows = []
    for (kind, subtype), group in facilities.groupby(["type", "subtype"], sort=True):
        d = DEFAULTS.loc[(kind, subtype)]
        for column in ("capacity", "floor_area_m2", "year_built", "annual_operating_cost"):
            filled = group["assumed"].str.split(";").apply(lambda cols, c=column: c in cols)
            if filled.any():
                rows.append(
                    {
                        "type": kind,
                        "subtype": subtype,
                        "column": column,
                        "filled": int(filled.sum()),
                        "of": len(group),
                        "rule": _rule_text(kind, column, d),
                    }
                )
    return pd.DataFrame(rows, columns=["type", "subtype", "column", "filled", "of", "rule"])


def _rule_text(kind: str, column: str, d: pd.Series) -> str:
    care = kind == "care"
    if column == "capacity":
        return (
            f"{d['capacity']:.0f} beds" if care else f"floor area × {d['capacity_per_m2']:.0f} /m²"
        )
    if column == "floor_area_m2":
        return f"beds × {d['m2_per_bed']:.0f} m²" if care else f"{d['floor_area_m2']:,.0f} m²"
    if column == "year_built":
        return f"{int(d['year_built'])}"
    if care:
        return f"beds × {d['operating_per_bed']:,.0f} yen/year"
    return f"floor area × {d['operating_per_m2']:,.0f} yen/m²/year"


def _zone_sheet_known() -> bool:
    """Whether the workbook schema has a ``zones`` sheet (the validator then reads it)."""
    return "zones" in SHEETS_BY_NAME


def tama_tables(
    case_dir: Path,
    *,
    include_community_rooms: bool = False,
    split_care: bool = True,
    zone_grid_km: float | None = None,
    zones_per_municipality: int | None = None,
) -> dict[str, pd.DataFrame]:
    """The Tama case as input tables (see the module docstring for every rule).

    Parameters
    ----------
    case_dir
        The ``case-tama`` folder (``municipalities.csv``, ``facilities.csv``,
        ``rofuku_keniki.csv``, ``chome_pop2020.csv``).
    include_community_rooms
        Also keep every 公民館 and 集会施設 that is not a culture hall.
    split_care
        One facility type per care service (:data:`~optimizer.sources.tama_residents.CARE_TYPES`,
        demand per 75+ resident calibrated on today's beds); ``False``: the one ``care``
        type of :data:`FACILITY_TYPES` (0.035 beds per 75+ resident).
    zone_grid_km, zones_per_municipality
        The aggregation parameters written to the ``parameters`` sheet (blank: none).

    Returns
    -------
    dict
        ``municipalities`` (with ``care_area``), ``facility_types`` (with
        ``max_utilisation``, the care ``area_floor_share`` and, when the schema has it,
        ``community_based``), ``facilities`` (schema
        columns, ``operator`` by :func:`care_operators`, plus
        ``subtype`` and ``assumed``, the ;-separated columns filled from
        :data:`DEFAULTS`), ``candidates`` (:func:`shortfall_candidates`: the case has
        no sites of its own, every value of these is assumed), ``zones`` (the small
        areas with residents, :func:`optimizer.sources.tama_residents.read_zones`),
        ``parameters``, and ``assumptions`` (one row per filled column and subtype, and
        the zones' rows).
    """
    raw_municipalities, raw_facilities, raw_areas = _read_case(case_dir)
    facilities = _facilities(_select_facilities(raw_facilities, include_community_rooms))
    outlook = case_outlook(case_dir, raw_municipalities)
    municipalities = pd.concat([_municipalities(raw_municipalities, raw_areas), outlook], axis=1)
    assumptions = pd.concat([_assumptions(facilities), outlook_assumption(outlook)])
    facility_types = FACILITY_TYPES
    if split_care:
        facilities, facility_types, assumptions = split_care_tables(
            facilities,
            float(municipalities["population_75plus"].sum()),
            FACILITY_TYPES,
            assumptions,
            community_column="community_based" in SHEETS_BY_NAME["facility_types"].column_index,
        )
    candidates = shortfall_candidates(municipalities, facilities, facility_types)
    zones = read_zones(case_dir)
    rooms = " incl. community rooms" if include_community_rooms else ""
    names, values = (
        ["area_name", "time_limit_s", "mip_gap"],
        [f"多摩地域 30市町村{rooms}", "300", "0.001"],
    )
    for name, value in (
        ("zone_grid_km", zone_grid_km),
        ("zones_per_municipality", zones_per_municipality),
    ):
        if value:
            names.append(name)
            values.append(f"{value:g}")
    parameters = pd.DataFrame({"name": names, "value": values, "note": [""] * len(names)})
    log.info(
        "Tama case: %d facilities (%s); operators %s; %d zones",
        len(facilities),
        facilities["type"].value_counts().to_dict(),
        facilities.groupby(["type", "operator"]).size().to_dict(),
        len(zones),
    )
    floors = facility_types["type"].map(_floor_share).astype(float)
    return {
        "municipalities": municipalities,
        "facility_types": facility_types.assign(
            area_floor_share=floors,
            coverage_km=np.where(facility_types["type"] == "library", LIBRARY_COVERAGE[0], np.nan),
            coverage_share=np.where(
                facility_types["type"] == "library", LIBRARY_COVERAGE[1], np.nan
            ),
        ),
        "facilities": facilities,
        "candidates": candidates,
        "zones": zones,
        "parameters": parameters,
        "assumptions": pd.concat(
            [assumptions, zone_assumptions(case_dir, zones)], ignore_index=True
        ),
    }


def _floor_share(kind: str) -> float:
    """``area_floor_share`` of a type: :data:`AREA_FLOOR_SHARE` of it or of its family."""
    return AREA_FLOOR_SHARE.get(kind, AREA_FLOOR_SHARE.get(_rate_kind(kind), np.nan))


def tama_problem(
    case_dir: Path,
    *,
    include_community_rooms: bool = False,
    split_care: bool = True,
    zones: bool = False,
    zone_grid_km: float | None = None,
    zones_per_municipality: int | None = None,
) -> ProblemData:
    """The Tama case as a validated :class:`ProblemData`.

    The schema sheets of :func:`tama_tables` go through
    :func:`optimizer.workbook.assemble.problem_from_tables`; the filled defaults are recorded in
    ``problem.source["assumptions"]`` (the ``assumptions`` table as records). With
    ``zones`` the residents live in the census small areas (merged by ``zone_grid_km``
    and ``zones_per_municipality``), else at their city hall. Until the schema has a
    ``zones`` sheet the problem is validated with a point per municipality and then
    rebuilt on the zones by :func:`optimizer.problem.data.assemble_problem`.
    """
    tables = tama_tables(
        case_dir,
        include_community_rooms=include_community_rooms,
        split_care=split_care,
        zone_grid_km=zone_grid_km,
        zones_per_municipality=zones_per_municipality,
    )
    sheets = schema_sheets(tables, zones=zones)
    source = {
        "format": "open-data",
        "path": str(Path(case_dir)),
        "assumptions": tables["assumptions"].to_dict("records"),
    }
    problem = problem_from_schema_tables(sheets, source)
    if zones and problem.zones["own_point"].all():
        problem = assemble_problem(
            problem.municipalities,
            problem.facility_types,
            problem.facilities,
            parameters=problem.parameters,
            rules=problem.rules,
            travel=problem.travel,
            scenarios=problem.scenarios,
            source=problem.source,
            zones=zone_index(tables["zones"]),
        )
    return problem


def schema_sheets(tables: dict[str, pd.DataFrame], *, zones: bool) -> dict[str, pd.DataFrame]:
    """The input sheets of :func:`tama_tables`: the schema's columns only (``subtype`` and
    ``assumed`` stay behind), with the ``zones`` sheet when ``zones`` is set. What
    :func:`tama_problem` validates, and what a workbook of the case holds
    (:func:`optimizer.outputs.workbooks.write_workbook`)."""
    sheets = {name: tables[name] for name in SCHEMA_SHEETS}
    sheets["facilities"] = tables["facilities"].loc[:, list(FACILITY_SCHEMA_COLUMNS)]
    if zones and _zone_sheet_known():
        sheets["zones"] = tables["zones"]
    return sheets


def problem_from_schema_tables(tables: dict[str, pd.DataFrame], source: dict) -> ProblemData:
    """Clean schema-shaped tables → :class:`ProblemData`, through the validator.

    :func:`optimizer.workbook.assemble.problem_from_tables` checks every rule (and raises
    ``InputError`` listing what a generator got wrong); its warnings are logged.
    """
    problem, warnings = problem_from_tables(tables, source=source)
    for warning in warnings:
        log.info("validator: %s", warning)
    return problem
