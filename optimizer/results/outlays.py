"""Capital outlay per year over the horizon: the 40-year renewal chart of a 公共施設等総合管理計画.

For the three plans a council compares (:func:`optimizer.solving.solve.three_way`):
"renew every existing facility as it is" (exactly the MIC method's schedule of the
inventory, :func:`optimizer.problem.costs.outlay_schedule`), "each municipality alone"
(the stand-alone plans side by side) and "the shared plan". A plan's outlay in a year is
the sum of the MIC schedules of the facilities it keeps or builds; a facility it closes
costs nothing from the base year on (the plan's costs assume the same).

Only the municipalities' own buildings count (:func:`optimizer.problem.costs.municipal`):
a private 特養 is in no municipality's management plan. Amounts in yen, not discounted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.problem.costs import municipal, outlay_schedule
from optimizer.problem.data import ProblemData
from optimizer.results.solution import Solution

__all__ = ["PLANS", "plan_openings", "yearly_outlays", "plan_totals", "outlay_summary"]

PLANS = {
    "renew_all": ("全施設を更新", "Renew everything"),
    "alone": ("各市町村単独", "Each alone"),
    "shared": ("共同利用の計画", "Shared plan"),
}
"""The plans of the chart, in order, with their Japanese and English names."""


def plan_openings(problem: ProblemData, solution: Solution) -> pd.DataFrame:
    """Which facilities each plan keeps or builds: index facility id, a bool column per
    plan of :data:`PLANS` (``alone`` only when the run computed the comparison)."""
    comparison = solution.extras.get("comparison")
    if comparison:
        return comparison["open"].astype(bool)
    ids = problem.facilities.index.astype(str)
    existing = ~problem.facilities["is_candidate"].astype(bool).to_numpy()
    shared = solution.facilities["open"].reindex(ids).fillna(False).astype(bool)
    return pd.DataFrame(
        {"renew_all": existing, "shared": shared.to_numpy()}, index=pd.Index(ids, name="id")
    )


def yearly_outlays(problem: ProblemData, opened: pd.DataFrame) -> pd.DataFrame:
    """Outlay per calendar year, plan and type [yen].

    Index the horizon's years; columns a MultiIndex (plan, type) with every plan of
    ``opened`` (as :func:`plan_openings`) and every type, in order.
    """
    facilities = problem.facilities
    schedule = outlay_schedule(facilities, problem.facility_types, problem.parameters)
    owned = municipal(facilities)
    kinds = facilities["type"].astype(str).to_numpy()
    ids = facilities.index.astype(str)
    columns = {}
    for plan in opened.columns:
        counted = owned & opened[plan].reindex(ids).fillna(False).to_numpy(bool)
        for kind in problem.types:
            rows = counted & (kinds == kind)
            columns[(plan, kind)] = schedule.to_numpy()[rows].sum(axis=0)
    table = pd.DataFrame(columns, index=pd.Index(schedule.columns, name="year"))
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["plan", "type"])
    return table


def plan_totals(outlays: pd.DataFrame) -> pd.DataFrame:
    """Each plan's outlay per year, all types together: index the years, a column per
    plan in the order of :func:`yearly_outlays`' table [yen]."""
    return outlays.T.groupby(level="plan", sort=False).sum().T


def outlay_summary(outlays: pd.DataFrame) -> pd.DataFrame:
    """Per plan: ``total`` over the horizon, ``average`` per year, ``peak`` (the largest
    year's outlay), ``peak_year``, and ``saving`` (the total below "renew everything",
    as a share of it; NaN without that plan) [yen]."""
    totals = plan_totals(outlays)
    summary = pd.DataFrame(
        {
            "total": totals.sum(),
            "average": totals.mean(),
            "peak": totals.max(),
            "peak_year": totals.idxmax().astype(int),
        }
    )
    base = summary["total"].get("renew_all", np.nan)
    summary["saving"] = (1.0 - summary["total"] / base) if base and base > 0 else np.nan
    return summary
