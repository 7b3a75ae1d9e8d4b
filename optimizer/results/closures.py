"""Closures and what the plan offers instead: for each facility it closes, where its
users go and the residents for whom it was the nearest.

The first question a council member asks of a closure is "where do its users go, and
how many are they?"; :func:`closure_alternatives` answers it from the tables alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.problem.geodesy import geodesic_km
from optimizer.results.service import Access, access_before_after, planned_ids
from optimizer.results.solution import Solution

__all__ = ["CLOSURE_COLUMNS", "closure_alternatives"]

CLOSURE_COLUMNS = [
    "facility",
    "name",
    "type",
    "municipality",
    "alternative",
    "alternative_name",
    "alternative_municipality",
    "alternative_km",
    "zones",
    "residents",
    "mean_km_before",
    "mean_km_after",
    "by_sharing",
]


def _weighted(values: pd.Series, weights: pd.Series) -> float:
    total = float(weights.sum())
    finite = np.isfinite(values.to_numpy(float))
    if total <= 0 or not finite.all():
        return float("nan") if total <= 0 else float("inf")
    return float((values * weights).sum() / total)


def closure_alternatives(
    problem: ProblemData, solution: Solution, access: Access | None = None
) -> pd.DataFrame:
    """One row per facility the plan closes.

    Columns: ``facility``, ``name``, ``type``, ``municipality`` (host); where its users
    go: the open facility of the same type that is now the nearest for most of the
    residents who had the closed one as their nearest (from the closed one's site when
    nobody had), ``alternative``, ``alternative_name``, ``alternative_municipality``, and
    ``alternative_km``, its road distance from the closed site (geodesic × detour
    factor; NaN when no facility of the type stays open); the residents (the type's demand basis) of the ``zones`` whose nearest
    facility today is the closed one, and their population-weighted distance to the
    nearest open facility ``mean_km_before`` and ``mean_km_after``; ``by_sharing``
    (True when each municipality alone would keep it, False when it would close it
    anyway, NaN when the comparison was not made). Sorted by residents, most first.
    """
    facilities = problem.facilities
    closed = solution.facilities.index[solution.facilities["decision"] == "close"].astype(str)
    if len(closed) == 0:
        return pd.DataFrame(columns=CLOSURE_COLUMNS)
    access = access or access_before_after(problem, solution)
    before, after = access.before, access.after
    basis = problem.facility_types["demand_basis"].astype(str)
    zones = problem.zones
    opened = facilities.loc[planned_ids(solution)]
    comparison = solution.extras.get("comparison")
    by_sharing = set(comparison["closed_by_sharing"]) if comparison else None
    detour = problem.parameters.detour_factor
    rows = []
    for fid in closed:
        site = facilities.loc[fid]
        kind = str(site["type"])
        users = (before["type"] == kind) & (before["facility"].astype(str) == fid)
        here = before.loc[users, "zone"].astype(str)
        residents = zones[basis[kind]].astype(float).reindex(here).fillna(0.0)
        same = opened[opened["type"].astype(str) == kind]
        alt: tuple[str | None, ...] = (None, None, None)
        alt_km = float("nan")
        if len(same):
            km = geodesic_km(site["lat"], site["lon"], same["lat"], same["lon"]) * detour
            # Where its residents go: the open facility now nearest to most of them;
            # from the site itself when no zone had it as its nearest.
            goes = after.loc[users, "facility"].reset_index(drop=True)
            weight = residents.reset_index(drop=True).groupby(goes).sum()
            weight = weight[weight.index.isin(same.index)]
            best = (
                int(same.index.get_loc(weight.sort_index().idxmax()))
                if len(weight) and weight.max() > 0
                else int(np.argmin(km))
            )
            alt = (
                str(same.index[best]),
                str(same.iloc[best]["name"]),
                str(same.iloc[best]["municipality"]),
            )
            alt_km = float(km[best])
        rows.append(
            {
                "facility": fid,
                "name": str(site["name"]),
                "type": kind,
                "municipality": str(site["municipality"]),
                "alternative": alt[0],
                "alternative_name": alt[1],
                "alternative_municipality": alt[2],
                "alternative_km": alt_km,
                "zones": int(users.sum()),
                "residents": float(residents.sum()),
                "mean_km_before": _weighted(
                    before.loc[users, "distance_km"].reset_index(drop=True),
                    residents.reset_index(drop=True),
                ),
                "mean_km_after": _weighted(
                    after.loc[users, "distance_km"].reset_index(drop=True),
                    residents.reset_index(drop=True),
                ),
                "by_sharing": (fid in by_sharing) if by_sharing is not None else np.nan,
            }
        )
    table = pd.DataFrame(rows, columns=CLOSURE_COLUMNS)
    return table.sort_values(["residents", "facility"], ascending=[False, True]).reset_index(
        drop=True
    )
