"""The IPSS population outlook as projection columns of the municipalities sheet.

国立社会保障・人口問題研究所「日本の地域別将来推計人口（令和5(2023)年推計）」gives, per
municipality and five-year step (2020 census base, 2025–2050 projections), the total
population and three age groups; the team's copy is ``case-tama/ipss_r5_projection.csv``
(columns ``code5``, ``year``, ``pop_total``, ``pop_65plus`` …).

It has no 75+ group. The 75+ outlook is taken as the 65+ outlook × the municipality's
75+/65+ ratio of today (from the care-insurance counts), held over the horizon: an
assumption, stated wherever the outlook is shown. It understates the 75+ growth of the
2020s (the baby-boom cohorts pass 75 around 2025) and overstates it later, but keeps the
outlook on published figures only.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = [
    "IPSS_FILE",
    "OUTLOOK_ASSUMPTION",
    "read_ipss",
    "outlook_columns",
    "case_outlook",
    "outlook_assumption",
]

IPSS_FILE = "ipss_r5_projection.csv"
"""The outlook's file name in the case folder."""

OUTLOOK_ASSUMPTION = (
    "75歳以上人口の見通しは、社人研推計（令和5年）の65歳以上人口に各市町村の現在の"
    "75歳以上／65歳以上比率（介護保険第1号被保険者数）を乗じた推計値",
    "The 75+ outlook is IPSS's (2023) 65+ outlook times each municipality's current "
    "75+/65+ ratio (care-insurance counts), held constant",
)
"""The 75+ assumption in Japanese and English, for the assumptions sheet."""


def read_ipss(case_dir: Path) -> pd.DataFrame:
    """The outlook file: one row per municipality (``code5``, text) and year."""
    table = pd.read_csv(Path(case_dir) / IPSS_FILE, encoding="utf-8-sig", dtype={"code5": str})
    missing = {"code5", "year", "pop_total", "pop_65plus"} - set(table.columns)
    if missing:
        raise ValueError(f"{IPSS_FILE} lacks the columns {sorted(missing)}")
    return table


def outlook_columns(
    outlook: pd.DataFrame, ratio_75_65: pd.Series, years: list[int] | None = None
) -> pd.DataFrame:
    """``population_YYYY`` and ``population_75plus_YYYY`` per municipality.

    Parameters
    ----------
    outlook
        :func:`read_ipss`'s table.
    ratio_75_65
        Index ``code5``: today's 75+ residents over today's 65+ residents.
    years
        The years to give (default: every year of the file, the census base included).

    Returns
    -------
    DataFrame indexed by ``code5``, the columns in year order, rounded to persons.
    """
    table = outlook if years is None else outlook[outlook["year"].isin(years)]
    total = table.pivot(index="code5", columns="year", values="pop_total")
    older = table.pivot(index="code5", columns="year", values="pop_65plus")
    aged = older.mul(ratio_75_65.reindex(older.index), axis=0)
    columns = {f"population_{y}": total[y].round() for y in total.columns}
    columns |= {f"population_75plus_{y}": aged[y].round() for y in aged.columns}
    return pd.DataFrame(columns).astype("Int64")


def case_outlook(case_dir: Path, raw_municipalities: pd.DataFrame) -> pd.DataFrame:
    """The case's outlook columns, one row per municipality in ``raw_municipalities``'
    order (``code5``, ``insured65_total`` and ``insured75plus_derived`` give today's
    ratio); no columns when the case folder has no outlook file."""
    if not (Path(case_dir) / IPSS_FILE).exists():
        return pd.DataFrame(index=range(len(raw_municipalities)))
    raw = raw_municipalities.set_index("code5")
    ratio = raw["insured75plus_derived"].astype(float) / raw["insured65_total"].astype(float)
    columns = outlook_columns(read_ipss(case_dir), ratio)
    return columns.reindex(raw.index).reset_index(drop=True)


def outlook_assumption(outlook: pd.DataFrame) -> pd.DataFrame:
    """The row of the ``assumptions`` table for the 75+ outlook (none without one)."""
    aged = [c for c in outlook.columns if str(c).startswith("population_75plus_")]
    rows = [
        {
            "type": "municipalities",
            "subtype": "IPSS R5",
            "column": "population_75plus_YYYY",
            "filled": len(outlook) * len(aged),
            "of": len(outlook) * len(aged),
            "rule": OUTLOOK_ASSUMPTION[1],
        }
    ]
    return pd.DataFrame(rows if aged else [], columns=list(rows[0]))
