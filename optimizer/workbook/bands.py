"""Sanity bands: warnings when the inputs as a whole look off by an order of magnitude.

Library floor area per resident, care places per elderly resident and the floor area
of all listed facilities per resident, each compared with the usual band in
:mod:`optimizer.schema.reference`; a value outside usually means wrong units or a
missing row, not a real area.
"""

from __future__ import annotations

import pandas as pd

from optimizer.schema import (
    AGED_65_PER_75,
    CARE_BEDS_PER_65PLUS,
    LIBRARY_AREA_BAND,
    PUBLIC_AREA_PER_RESIDENT,
)
from optimizer.workbook.messages import WARNING, Issue, issue

__all__ = ["check_library_area", "check_care_capacity", "check_public_area", "sanity_checks"]


def check_library_area(municipalities: pd.DataFrame, facilities: pd.DataFrame) -> list[Issue]:
    """Library floor area per 1,000 residents of the area vs. :data:`LIBRARY_AREA_BAND`."""
    libraries = facilities[(facilities["type"] == "library") & ~facilities["is_candidate"]]
    area = libraries["floor_area_m2"].sum(min_count=1)
    population = municipalities["population"].sum()
    if pd.isna(area) or population <= 0:
        return []
    per_thousand = area / (population / 1000)
    low, high = LIBRARY_AREA_BAND
    if low <= per_thousand <= high:
        return []
    return [
        issue(
            "facilities",
            None,
            "floor_area_m2",
            f"{per_thousand:.0f} m²/1,000",
            "library_area_band",
            f"library floor area of about {low:g}–{high:g} m² per 1,000 residents "
            "(check areas and units)",
            f"図書館の延床面積は人口千人当たり {low:g}～{high:g} m² 程度"
            "（面積と単位を確認してください）",
            severity=WARNING,
        )
    ]


def check_care_capacity(municipalities: pd.DataFrame, facilities: pd.DataFrame) -> list[Issue]:
    """Care places per 75+ resident vs. :data:`CARE_BEDS_PER_65PLUS` × :data:`AGED_65_PER_75`."""
    care = facilities[(facilities["type"] == "care") & ~facilities["is_candidate"]]
    elderly = municipalities["population_75plus"].sum()
    if care.empty or elderly <= 0:
        return []
    share = care["capacity"].sum() / elderly
    low, high = (r * AGED_65_PER_75 for r in CARE_BEDS_PER_65PLUS)
    if low <= share <= high:
        return []
    return [
        issue(
            "facilities",
            None,
            "capacity",
            f"{share:.1%} of 75+",
            "care_capacity_band",
            f"care places of about {low:.1%}–{high:.1%} of the 75+ population "
            f"(特養 ≈ {CARE_BEDS_PER_65PLUS[0]:.1%}–{CARE_BEDS_PER_65PLUS[1]:.0%} of "
            f"65+, with 65+ ≈ {AGED_65_PER_75:g} × 75+)",
            f"75歳以上人口の {low:.1%}～{high:.1%} 程度（特養定員は65歳以上人口の "
            f"{CARE_BEDS_PER_65PLUS[0]:.1%}～{CARE_BEDS_PER_65PLUS[1]:.0%}、"
            f"65歳以上≒75歳以上×{AGED_65_PER_75:g}）",
            severity=WARNING,
        )
    ]


def check_public_area(municipalities: pd.DataFrame, facilities: pd.DataFrame) -> list[Issue]:
    """Floor area of all listed facilities per resident vs. the upper end of
    :data:`PUBLIC_AREA_PER_RESIDENT` (all public buildings together)."""
    existing = facilities[~facilities["is_candidate"]]
    area = existing["floor_area_m2"].sum(min_count=1)
    population = municipalities["population"].sum()
    if pd.isna(area) or population <= 0:
        return []
    per_resident = area / population
    low, high = PUBLIC_AREA_PER_RESIDENT
    if per_resident <= high:
        return []
    return [
        issue(
            "facilities",
            None,
            "floor_area_m2",
            f"{per_resident:.1f} m²/person",
            "public_area_band",
            f"less than {high:g} m² per resident: all public buildings together "
            f"usually have {low:g}–{high:g} m² (check areas and units)",
            f"住民一人当たり {high:g} m² 未満（公共施設全体でも通常 {low:g}～{high:g} m²。"
            "面積と単位を確認してください）",
            severity=WARNING,
        )
    ]


def sanity_checks(municipalities: pd.DataFrame, facilities: pd.DataFrame) -> list[Issue]:
    """Every sanity band (warnings only)."""
    return [
        *check_library_area(municipalities, facilities),
        *check_care_capacity(municipalities, facilities),
        *check_public_area(municipalities, facilities),
    ]
