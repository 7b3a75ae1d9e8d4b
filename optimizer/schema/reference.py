"""Reference figures the schema and the checks rely on: default unit costs, the
coordinate box of Japan and the usual bands the sanity checks compare inputs with."""

from __future__ import annotations

__all__ = [
    "MIC_UNIT_COSTS",
    "LAT",
    "LON",
    "LIBRARY_AREA_BAND",
    "CARE_BEDS_PER_65PLUS",
    "AGED_65_PER_75",
    "PUBLIC_AREA_PER_RESIDENT",
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
