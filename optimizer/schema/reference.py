"""Reference figures the schema and the checks rely on: default unit costs, the
coordinate box of Japan, the usual bands the sanity checks compare inputs with, and the
plausible range of every numeric column and parameter.

A range is ``minimum`` / ``maximum`` — outside, the value is refused
(an error: no real Japanese area has it; usually a unit mistake, a stray key or an
overflow such as 1e308 or 1e-300) — and ``usual``, the band real inputs fall in (a
warning outside: check the value and its unit). Each comes with where its bounds come
from; the schema's columns and parameters take them by keyword (``**POPULATION``).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MIC_UNIT_COSTS",
    "LAT",
    "LON",
    "LIBRARY_AREA_BAND",
    "CARE_BEDS_PER_65PLUS",
    "AGED_65_PER_75",
    "PUBLIC_AREA_PER_RESIDENT",
    "JAPAN_MUNICIPALITIES",
    "POPULATION",
    "POPULATION_75PLUS",
    "PROJECTED_POPULATION",
    "MUNICIPAL_BUDGET",
    "AREA_BUDGET",
    "DEMAND_PER_PERSON",
    "ACCESS_KM",
    "UNIT_COST_PER_M2",
    "LIFE_YEARS",
    "RENOVATION_YEAR",
    "TRAVEL_COST_PER_KM",
    "REPAIR_PER_M2",
    "CAPACITY",
    "FLOOR_AREA",
    "OPERATING_COST",
    "BUILDING_COST",
    "YEAR_BUILT",
    "ROAD_KM",
    "ROAD_MINUTES",
    "RULE_VALUE",
    "DEFAULT_MAX_UTILISATION",
    "MAX_UTILISATION",
    "AREA_FLOOR_SHARE",
    "AREA_FLOOR_PER_75PLUS",
    "ZONE_POPULATION",
    "ZONE_POPULATION_75PLUS",
    "COVERAGE_KM",
    "COVERAGE_SHARE",
]

MIC_UNIT_COSTS: dict[str, tuple[float, float]] = {
    "library": (250_000.0, 400_000.0),
    "hall": (250_000.0, 400_000.0),
    "care": (200_000.0, 360_000.0),
}
"""Default (large renovation, rebuild) unit costs [yen/m²] by facility category.

Source: 総務省「公共施設等更新費用試算ソフト」(distributed by 一般財団法人地域総合整備財団
(ふるさと財団)), unit costs by building category: 社会教育系 (library) and 市民文化系 (hall)
250,000 / 400,000 yen/m²; 保健・福祉系 (care) 200,000 / 360,000 yen/m².
"""

LAT: dict[str, float] = dict(minimum=20.0, maximum=46.0)
"""Latitudes of Japan [°] (a point outside is reported)."""
LON: dict[str, float] = dict(minimum=122.0, maximum=154.0)
"""Longitudes of Japan [°] (a point outside is reported)."""

LIBRARY_AREA_BAND = (22.0, 138.0)
"""Usual library floor area per 1,000 residents [m²] (warning outside)."""
CARE_BEDS_PER_65PLUS = (0.015, 0.02)
"""Usual 特養 places per resident aged 65+ (Tokyo 1.72 % now)."""
AGED_65_PER_75 = 1.75
"""Residents aged 65+ per resident aged 75+ used to compare care capacity with the
75+ population (Tama area, MHLW 介護保険事業状況報告: 65+ insured ÷ 75+ insured ≈ 1.75)."""
PUBLIC_AREA_PER_RESIDENT = (2.0, 4.0)
"""Usual floor area of all public buildings per resident [m²]; the facilities of the
workbook are a part of them, so only the upper end is checked."""


# ---------------------------------------------------------------------------
# plausible ranges: an error outside [minimum, maximum], a warning outside `usual`
# ---------------------------------------------------------------------------

JAPAN_MUNICIPALITIES = 1_741
"""Municipalities of Japan (市町村 and the 23 special wards, 総務省, 2024)."""

POPULATION: dict[str, Any] = dict(minimum=1, maximum=40_000_000, usual=(100, 4_000_000))
"""Residents of one municipality [persons]. Error outside 1 … 40 million: no area holds
more (東京都 ≈ 14 million, the whole 首都圏 ≈ 37 million, 2020 census). Usual 100 … 4
million: the smallest municipality, 青ヶ島村, had 169 residents and the largest, 横浜市,
3.78 million (2020 census)."""

POPULATION_75PLUS: dict[str, Any] = dict(minimum=0, maximum=40_000_000, usual=(1, 1_000_000))
"""Residents aged 75 and over [persons]: bounded as the population; usually at most 1
million (横浜市 ≈ 0.47 million, 2020 census)."""

ZONE_POPULATION: dict[str, Any] = dict(minimum=0, maximum=40_000_000, usual=(None, 4_000_000))
"""Residents of one zone (a 町丁・字, a school district, a grid cell) [persons]: bounded as a
municipality's population, and 0 allowed: about 2 % of the census small areas of the Tama
area hold no resident (industrial estates, parks, river beds)."""

ZONE_POPULATION_75PLUS: dict[str, Any] = dict(
    minimum=0, maximum=40_000_000, usual=(None, 1_000_000)
)
"""Residents aged 75 and over of one zone [persons]: as :data:`POPULATION_75PLUS`, 0 allowed."""

PROJECTED_POPULATION: dict[str, Any] = dict(minimum=0, maximum=40_000_000)
"""A population projection (``population_YYYY``) [persons]: as the population, and 0 for
a municipality projected to empty."""

MUNICIPAL_BUDGET: dict[str, Any] = dict(minimum=0, maximum=1e15, usual=(0, 1e13))
"""A municipality's renewal and build budget over the horizon [yen]. Error above 1,000
trillion yen (ten times Japan's whole national budget of ≈ 114 trillion yen, FY2024).
Usually at most 10 trillion yen: 横浜市's ordinary construction spending (普通建設事業費)
is ≈ 0.2 trillion yen a year, ≈ 8 trillion yen over a 40-year horizon."""

AREA_BUDGET: dict[str, Any] = dict(minimum=0, maximum=1e15, usual=(0, 1e14))
"""The area's renewal and build budget over the horizon [yen]: as a municipality's, usually
at most 100 trillion yen (every municipality of the 首都圏 together)."""

DEMAND_PER_PERSON: dict[str, Any] = dict(minimum=1e-6, maximum=1e3, usual=(1e-4, 100))
"""Demand per resident of the basis population [capacity units a year]. Error outside
1e-6 … 1,000: one unit per million residents would need no facility, 1,000 visits a
year is three a day. Usual 1e-4 … 100: a hall seat per 100 residents (0.01), a care place
per 30 residents aged 75+ (0.03), library visits of 1.4–10 per resident (日本の図書館
統計, 3 on average)."""

ACCESS_KM: dict[str, Any] = dict(minimum=0, maximum=3_000, usual=(1, 100))
"""Longest access distance of a type [km]. Error above 3,000 km, the length of Japan
from 与那国島 to 択捉島. Usual 1 … 100 km: libraries and halls serve within a few km to
about 20 km, care homes within about 30 km (a value in metres lands far above)."""

UNIT_COST_PER_M2: dict[str, Any] = dict(minimum=1e3, maximum=1e7, usual=(5e4, 1e6))
"""Renovation or rebuild unit cost [yen/m²]. Error outside 1,000 … 10 million yen/m²
(less than repainting; ten times the dearest public building). Usual 50,000 … 1 million:
the MIC defaults are 200,000–400,000 (:data:`MIC_UNIT_COSTS`) and public buildings
tendered in 2024 cost about 500,000–800,000 yen/m²."""

LIFE_YEARS: dict[str, Any] = dict(minimum=1, maximum=200, usual=(20, 100))
"""Years from construction to rebuild. Usual 20 … 100: MIC 60 years, the statutory
useful life of reinforced concrete 47–50 years (減価償却資産の耐用年数), long-life
design 100 years."""

RENOVATION_YEAR: dict[str, Any] = dict(minimum=1, maximum=200, usual=(10, 60))
"""Years from construction to the large renovation. Usual 10 … 60 (MIC: 30)."""

TRAVEL_COST_PER_KM: dict[str, Any] = dict(minimum=0, maximum=1e7, usual=(0, 1e5))
"""Cost of one unit of demand travelling one km, per year [yen/km]. The sample uses 60
(a library visit) and 3,000 (a care place: family visits). Usually at most 100,000:
two car trips a day all year at MLIT's ≈ 40 yen/km plus time; error above 10 million."""

REPAIR_PER_M2: dict[str, Any] = dict(minimum=0, maximum=1e6, usual=(0, 2e4))
"""Routine repairs [yen/m²/year]. Usually 1–2 % of the rebuild unit cost a year, a few
thousand yen/m² (at most 20,000); error above 1 million, more than a yearly rebuild."""

CAPACITY: dict[str, Any] = dict(minimum=1e-3, maximum=1e9, usual=(1, 1e7))
"""Capacity of a facility in its type's unit (beds, seats, visits a year). Error outside
0.001 … 1 billion: a capacity must be positive, and a billion visits a year is eight by
every resident of Japan. Usual 1 … 10 million: one bed or seat up to the busiest
libraries' few million visits a year."""

FLOOR_AREA: dict[str, Any] = dict(minimum=1, maximum=1e6, usual=(20, 100_000))
"""Gross floor area of one facility [m²]. Error outside 1 … 1,000,000 m² (1 km² of
floors, more than 東京都庁舎's 380,000 m²). Usual 20 … 100,000 m²: a community room up
to the largest public halls and libraries (国立国会図書館 東京本館 ≈ 150,000 m² warns)."""

OPERATING_COST: dict[str, Any] = dict(minimum=0, maximum=1e12, usual=(0, 1e10))
"""Annual operating cost of one facility [yen/year]. Error above 1 trillion yen; usually
at most 10 billion (libraries and halls 0.1–1 billion, the Tama case at most 1.1 billion)."""

BUILDING_COST: dict[str, Any] = dict(minimum=0, maximum=1e12, usual=(1e6, 1e11))
"""Cost of building or rebuilding one facility [yen]. Error above 1 trillion yen (the new
National Stadium cost ≈ 157 billion yen); usually 1 million … 100 billion."""

YEAR_BUILT: dict[str, Any] = dict(usual=(1900, None))
"""Year a building was completed: any year 1868 … 2200 is read (``YEAR_RANGE`` of the
cells), and not after the base year; before 1900 is unusual for a public building in use."""

ROAD_KM: dict[str, Any] = dict(minimum=0, maximum=3_000, usual=(0, 200))
"""A road distance [km]: at most the length of Japan; usually within 200 km."""

ROAD_MINUTES: dict[str, Any] = dict(minimum=0, maximum=10_080, usual=(0, 300))
"""A travel time [min]: at most a week (10,080 minutes); usually within 5 hours."""

RULE_VALUE: dict[str, Any] = dict(minimum=0, maximum=JAPAN_MUNICIPALITIES)
"""The value of a rule: a number of partners (at most every municipality of Japan) or a
share of 0 … 1 (checked by the rule)."""


DEFAULT_MAX_UTILISATION = 0.9
"""Share of a facility's capacity a plan fills at most when ``max_utilisation`` is blank:
a common planning margin of 10 % for peaks, repairs and a growing demand. Care beds run
nearer full (特養 occupancy is about 95 % nationally, 厚生労働省 介護サービス施設・事業所調査)."""

MAX_UTILISATION: dict[str, Any] = dict(minimum=0.01, maximum=1, usual=(0.5, 1))
"""Largest share of a facility's capacity the plan may fill. Error outside 0.01 … 1: a
building cannot hold more than its capacity, and a plan that fills less than 1 % of it
is a typing mistake (90 typed for 90 %). Usual 0.5 … 1: planning margins are 5–20 %."""

KEEP_OWN_FROM_POPULATION: dict[str, Any] = dict(
    minimum=1, maximum=40_000_000, usual=(1_000, 1_000_000)
)
"""Population from which every municipality keeps a facility of its own of the type
[persons]. As the population; usually a city size such as 50,000 (市の要件, 地方自治法
第8条第1項第1号) or 100,000."""

COVERAGE_KM: dict[str, Any] = dict(minimum=0.01, maximum=3_000, usual=(0.3, 50))
"""Coverage distance of a type's service-level rule [km]. Error below 10 m (no facility
serves a radius that small; a positive distance is needed) and above the length of Japan
(as :data:`ACCESS_KM`). Usual 0.3 … 50 km: a walk of about 800 m to a neighbourhood
library or community hall (徒歩圏), 30 minutes by car to a care home; a value typed in metres
(800 for 0.8 km) lands above."""

COVERAGE_SHARE: dict[str, Any] = dict(minimum=0, maximum=1, usual=(0.3, 1))
"""Least share of each municipality's residents (the type's demand basis) within the
coverage distance of an open facility of the type. A share, 0 … 1 (90 typed for 90 %
is an error; 90 % is read as 0.9). Usual 0.3 … 1: a rule below 30 % binds hardly anywhere."""

AREA_FLOOR_SHARE: dict[str, Any] = dict(minimum=0, maximum=10, usual=(0.5, 1.5))
"""Least capacity of a type each elderly-care planning area (老人福祉圏域) keeps, as a share
of its capacity today. Error above 10 (ten times today's capacity is no floor but a
building programme). Usual 0.5 … 1.5: Tokyo plans to grow its 特養 places from 51,934
(2023) to 64,000 by FY2030, a share of about 1.23 (東京都「未来の東京」戦略)."""

AREA_FLOOR_PER_75PLUS: dict[str, Any] = dict(minimum=0, maximum=1e4, usual=(1e-3, 100))
"""Least capacity of a type per resident aged 75+ of each planning area [capacity units
per person]. Care: Tokyo's 51,934 特養 places (2023) are about 0.03 per resident aged
75+. Error above 10,000 (as :data:`DEMAND_PER_PERSON`, allowing for areas where the 75+
are a tenth of the population); usual 0.001 … 100."""
