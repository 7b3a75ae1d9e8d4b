"""The culture-hall rule of the Tama case: which rows of 国土数値情報 P05 are halls.

A P05 row (2022) counts as a culture hall when it is class 5 (集会施設), its name
contains one of :data:`HALL_KEYWORDS` and none of :data:`HALL_EXCLUDED`, or is one of
:data:`HALL_NAMES`; see :mod:`optimizer.sources.opendata` for the reasoning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["HALL_KEYWORDS", "HALL_NAMES", "CENTRE_KEYWORDS", "HALL_EXCLUDED", "classify_halls"]

HALL_KEYWORDS = ("ホール", "文化センター", "文化会館", "市民会館", "芸術", "劇場", "公会堂",
                 "市民センター", "交流センター")  # fmt: skip
"""A class-5 P05 name with one of these is a culture hall (unless excluded)."""

HALL_NAMES = ("パルテノン多摩",)
"""Culture halls known by a proper name that carries no keyword (large halls)."""

CENTRE_KEYWORDS = ("文化センター", "交流センター", "市民センター")
"""Culture halls named so are community culture centres; the others are large halls."""

HALL_EXCLUDED = ("体育館", "自治会", "地区", "児童", "老人", "福祉", "町会", "集会所", "集会室",
                 "会議室", "多目的室", "防災", "スポーツ", "子ども", "青少年", "国際")  # fmt: skip
"""Words that mark a neighbourhood room, gymnasium or special-purpose centre."""


def classify_halls(rows: pd.DataFrame, include_community_rooms: bool = False) -> pd.Series:
    """Subtype of each P05 row under the culture-hall rule, ``None`` when left out.

    Parameters
    ----------
    rows
        Rows of category ``hall_or_community_centre``: columns ``name``, ``subtype``
        (公民館 or 集会施設).
    include_community_rooms
        Keep the rows that are not culture halls as ``公民館`` / ``集会施設``.
    """
    name = rows["name"].astype(str)
    keyword = name.str.contains("|".join(HALL_KEYWORDS))
    excluded = name.str.contains("|".join(HALL_EXCLUDED))
    hall = ((rows["subtype"] == "集会施設") & keyword & ~excluded) | name.isin(HALL_NAMES)
    centre = name.str.contains("|".join(CENTRE_KEYWORDS))
    labels = np.where(centre, "culture centre", "large hall")
    if include_community_rooms:
        other = rows["subtype"].to_numpy(dtype=object)
    else:
        other = np.full(len(rows), None, dtype=object)
    return pd.Series(np.where(hall, labels, other), index=rows.index, dtype=object)
