"""The Tama case's residents where they live, and its care as the insurance system runs it.

Two readings that :mod:`optimizer.sources.opendata` adds to the case's tables:

Zones (where residents live)
    ``chome_pop2020.csv``: the 2,238 small areas (町丁・字) of the 2020 census (final
    counts), one representative point each. Zone = ``key_code``, municipality =
    ``code5``, name = ``s_name``, ``lat`` / ``lon``, population = ``pop_2020``. The 50
    areas without residents are dropped (no demand sits there), leaving 2,188. The
    census gives no age split at this level: ``population_75plus`` is left blank, and
    the problem spreads each municipality's 75+ count (care-insurance insured) over its
    zones in proportion to their population (:func:`optimizer.problem.zones.complete_zones`)
    — an assumption, listed in the ``assumptions`` table. The zones only say *where* a
    municipality's residents live; its totals stay those of the municipalities sheet
    (the zone sums are the final census, within 0.2 % of the preliminary count except
    立川市, −1.9 %, and 日の出町, −0.5 %).

Care subtypes (:data:`CARE_TYPES`)
    The four residential care services of the case are four facility types, each with
    its own demand per resident aged 75+, because a resident's need is for one service
    (a 特養 bed does not serve a 老健 patient): 特養 (介護老人福祉施設, service 510), small
    特養 (地域密着型介護老人福祉施設入所者生活介護, service 540, ≤ 29 beds; a 地域密着型 service
    is for the host municipality's insured, and another municipality's residents use it
    only where their municipality designates it (指定): ``community_based``), 老健
    (介護老人保健施設, 520) and 介護医療院 (550). 特養, 老健 and 介護医療院 are 広域型: any
    insured person may enter, wherever they live.

    Demand per 75+ resident (:func:`care_demand_rates`): today's beds of the subtype in
    the whole area × the planned occupancy (the type's ``max_utilisation``, 0.95) ÷ the
    area's residents aged 75+. So today's capacity, filled to the planned occupancy,
    meets today's demand exactly *on average over the area*; a part of the area with
    fewer beds per 75+ resident than the average relies on its neighbours (within the
    type's maximum distance) or on new beds. The beds are the case's 定員 where stated,
    else the subtype's median (see :data:`optimizer.sources.opendata.DEFAULTS`): MHLW
    介護サービス情報公表システム open data (CC BY 4.0; the 特養 rows transcribed from its
    service-510 file, see the case's ``SOURCES.md`` §4–5). The 75+ count is the
    care-insurance first-class insured aged 75+ (MHLW 介護保険事業状況報告 第2表,
    fiscal-year end, probably March 2024). Figures (the case as shipped):

    ===========  =======  ==================  ===================
    type         beds     per 100 aged 75+    demand per 75+
    ===========  =======  ==================  ===================
    特養         22,784   3.636               0.0345459
    small 特養   394      0.063               0.000597397
    老健         8,806    1.405               0.0133520
    介護医療院   1,597    0.255               0.00242143
    ===========  =======  ==================  ===================

    (626,552 residents aged 75+.) The beds are unevenly spread: per 100 residents aged
    75+, 西多摩 holds 10.95 特養 beds and the four other 老人福祉圏域 2.41–3.35, so the
    calibrated demand leaves 西多摩 with beds to spare and the eastern areas short.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "ZONES_FILE",
    "ZONE_SHEET_COLUMNS",
    "CARE_TYPES",
    "CARE_FAMILY",
    "read_zones",
    "zone_index",
    "care_type_of",
    "care_demand_rates",
    "split_care_types",
    "split_care_tables",
    "zone_assumptions",
]

ZONES_FILE = "chome_pop2020.csv"
"""The case's small areas (町丁・字) with their 2020 census population and a point."""

ZONE_SHEET_COLUMNS = ("zone", "municipality", "name", "lat", "lon", "population",
                      "population_75plus")  # fmt: skip
"""The columns of the ``zones`` sheet, in order."""

CARE_FAMILY = "care"
"""The type the four care services share in the case's coarse reading (one ``care`` type)."""

CARE_TYPES = pd.DataFrame(
    [
        ("介護老人福祉施設", "care_tokuyo", "特養（介護老人福祉施設）", False),
        ("地域密着型介護老人福祉施設入所者生活介護", "care_small", "地域密着型特養", True),
        ("介護老人保健施設", "care_roken", "老健（介護老人保健施設）", False),
        ("介護医療院", "care_iryoin", "介護医療院", False),
    ],
    columns=["subtype", "type", "name_ja", "community_based"],
).set_index("subtype")
"""The case's care subtypes as facility types: id, Japanese name, and whether the type is
地域密着型 (use across a border needs the user municipality's designation)."""


def read_zones(case_dir: Path, *, drop_empty: bool = True) -> pd.DataFrame:
    """The case's small areas as rows of the ``zones`` sheet (:data:`ZONE_SHEET_COLUMNS`).

    ``population_75plus`` is blank (the census has no age split at this level).
    ``drop_empty`` leaves out the areas without residents.
    """
    raw = pd.read_csv(
        Path(case_dir) / ZONES_FILE,
        encoding="utf-8-sig",
        dtype={"key_code": str, "code5": str},
    )
    if drop_empty:
        raw = raw[raw["pop_2020"] > 0]
    return pd.DataFrame(
        {
            "zone": raw["key_code"].to_numpy(dtype=object),
            "municipality": raw["code5"].to_numpy(dtype=object),
            "name": raw["s_name"].astype(str).to_numpy(dtype=object),
            "lat": raw["lat"].astype(float).to_numpy(),
            "lon": raw["lon"].astype(float).to_numpy(),
            "population": raw["pop_2020"].astype(int).to_numpy(),
            "population_75plus": np.nan,
        }
    )


def zone_index(zones: pd.DataFrame) -> pd.DataFrame:
    """Rows of the ``zones`` sheet as :func:`optimizer.problem.data.assemble_problem` takes
    them: index zone id, the other columns as they are."""
    table = zones.set_index(zones["zone"].astype(str)).drop(columns="zone")
    table.index.name = "zone"
    return table


def zone_assumptions(case_dir: Path, zones: pd.DataFrame) -> pd.DataFrame:
    """Rows of the ``assumptions`` table for the zones: what was dropped and estimated."""
    every = pd.read_csv(Path(case_dir) / ZONES_FILE, encoding="utf-8-sig", usecols=["pop_2020"])
    return pd.DataFrame(
        [
            {
                "type": "zones",
                "subtype": "町丁・字",
                "column": "population_75plus",
                "filled": int(zones["population_75plus"].isna().sum()),
                "of": len(zones),
                "rule": "municipality's 75+ (insured) × the zone's share of its population",
            },
            {
                "type": "zones",
                "subtype": "町丁・字",
                "column": "dropped",
                "filled": int((every["pop_2020"] <= 0).sum()),
                "of": len(every),
                "rule": "small areas without residents left out",
            },
        ]
    )


def care_type_of(subtypes: pd.Series) -> pd.Series:
    """The facility type of each care subtype (:data:`CARE_TYPES`)."""
    kinds = subtypes.map(CARE_TYPES["type"])
    unknown = sorted(set(subtypes[kinds.isna()].astype(str)))
    if unknown:
        raise ValueError(f"care subtypes without a type: {', '.join(unknown)}")
    return kinds.astype(object)


def care_demand_rates(facilities: pd.DataFrame, elderly: float, occupancy: float) -> pd.Series:
    """Demand per resident aged 75+ of each care type [beds].

    Today's beds of the type (``capacity`` of the existing facilities, column ``type``)
    × ``occupancy`` ÷ ``elderly`` (the area's residents aged 75+): today's capacity at
    the planned occupancy meets today's demand on average. Index: the types of
    :data:`CARE_TYPES`, in its order.
    """
    beds = facilities.groupby("type")["capacity"].sum()
    kinds = CARE_TYPES["type"].to_numpy()
    rates = beds.reindex(kinds).fillna(0.0).to_numpy(float) * occupancy / float(elderly)
    rounded = [float(f"{rate:.6g}") for rate in rates]  # six significant digits
    return pd.Series(rounded, index=pd.Index(kinds, name="type"), name="rate")


def split_care_types(
    facility_types: pd.DataFrame, rates: pd.Series, community_column: bool
) -> pd.DataFrame:
    """The ``facility_types`` rows with the one ``care`` row replaced by a row per care type.

    Each new row copies the ``care`` row (distance, costs, headroom, floor share), with
    its own id, Japanese name and ``demand_per_person`` (``rates``); with
    ``community_column`` it gets ``community_based`` (False for every other type).
    """
    care = facility_types[facility_types["type"] == CARE_FAMILY]
    if len(care) != 1:
        raise ValueError("facility_types needs exactly one 'care' row to split")
    rows = []
    for _, spec in CARE_TYPES.iterrows():
        row = care.iloc[0].copy()
        row["type"] = spec["type"]
        row["name_ja"] = spec["name_ja"]
        row["demand_per_person"] = float(rates[spec["type"]])
        if community_column:
            row["community_based"] = bool(spec["community_based"])
        rows.append(row)
    others = facility_types[facility_types["type"] != CARE_FAMILY]
    if community_column:
        others = others.assign(community_based=False)
    table = pd.concat([others, pd.DataFrame(rows)], ignore_index=True)
    if community_column:
        table["community_based"] = table["community_based"].astype(bool)
    return table


def split_care_tables(
    facilities: pd.DataFrame,
    elderly: float,
    facility_types: pd.DataFrame,
    assumptions: pd.DataFrame,
    *,
    community_column: bool,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The case's tables with the one ``care`` type split into :data:`CARE_TYPES`.

    Parameters
    ----------
    facilities
        Facility rows with ``type`` and ``subtype``; the ``care`` rows get their care type.
    elderly
        The area's residents aged 75+ (the demand rates' denominator).
    facility_types
        Rows with one ``care`` row, whose ``max_utilisation`` is the planned occupancy.
    assumptions
        The ``assumptions`` table (columns ``type``, ``subtype``); its care rows too.
    community_column
        Give the types ``community_based`` (the schema has the column).

    Returns
    -------
    (facilities, facility_types, assumptions)
    """
    care = (facilities["type"] == CARE_FAMILY).to_numpy()
    facilities = facilities.copy()
    facilities.loc[care, "type"] = care_type_of(facilities.loc[care, "subtype"]).to_numpy()
    occupancy = float(
        facility_types.loc[facility_types["type"] == CARE_FAMILY, "max_utilisation"].iloc[0]
    )
    rates = care_demand_rates(facilities[care], elderly, occupancy)
    types = split_care_types(facility_types, rates, community_column)
    assumptions = assumptions.copy()
    in_care = (assumptions["type"] == CARE_FAMILY).to_numpy()
    assumptions.loc[in_care, "type"] = care_type_of(assumptions.loc[in_care, "subtype"]).to_numpy()
    return facilities, types, assumptions
