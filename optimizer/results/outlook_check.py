"""The plan against the population outlook: does what it keeps still hold each period's demand?

The plan is one set of decisions for the horizon, sized on today's residents. Over the
horizon the population shrinks and ages (:mod:`optimizer.problem.outlook`): library and
hall use falls, while the 75+ residents who need care beds grow by a fifth in Tama by
2050. A council must see that before it signs. Per period and type, over the whole area
(residents cross municipal borders under the plan's agreements, and private care homes
admit by need), and for a care type with a planning-area floor also per 老人福祉圏域 (the
prefecture plans care beds per area):

* ``demand``: the demand in the period (its largest year);
* ``capacity``: what the plan's open facilities may fill (capacity × ``max_utilisation``),
  whoever runs them; ``today``: the same for every existing facility;
* ``shortfall``: demand beyond the plan's capacity (0 when it holds).

This is the capacity check a care-insurance plan starts from, not a new plan: within the
area, distance still decides who can reach what (the plan's flows show it for today).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.problem.outlook import period_demand, planning_periods
from optimizer.problem.rules import area_floors, utilisation_limits
from optimizer.results.solution import Solution

__all__ = ["WHOLE_AREA", "outlook_capacity", "outlook_shortfalls"]

WHOLE_AREA = "圏域全体"
"""The area's name in the table when the municipalities name no planning area."""


def _groups(problem: ProblemData) -> list[tuple[str, str, list[str]]]:
    """(area name, type, member codes): the whole area for every type, and each planning
    area with a floor of a type (:func:`optimizer.problem.rules.area_floors`)."""
    codes = [str(c) for c in problem.municipalities.index]
    groups = [(WHOLE_AREA, str(kind), codes) for kind in problem.types]
    floors = area_floors(problem)
    for row in floors.itertuples(index=False):
        groups.append((str(row.area), str(row.type), [str(c) for c in row.members]))
    return groups


def outlook_capacity(problem: ProblemData, solution: Solution) -> pd.DataFrame:
    """Per period, area (:data:`WHOLE_AREA` or a planning area) and type: ``demand``,
    ``capacity`` (the plan's), ``today`` (every existing facility's), ``shortfall``
    [capacity unit], and ``growth`` (the demand over the first period's)."""
    facilities = problem.facilities
    kinds = facilities["type"].astype(str).to_numpy()
    hosts = facilities["municipality"].astype(str).to_numpy()
    limits = utilisation_limits(problem)
    usable = facilities["capacity"].astype(float).to_numpy() * pd.Series(kinds).map(limits).fillna(
        1.0
    ).to_numpy(float)
    is_open = solution.facilities["open"].reindex(facilities.index).fillna(False).to_numpy(bool)
    existing = ~facilities["is_candidate"].astype(bool).to_numpy()
    demand = period_demand(problem)
    periods = [p.label for p in planning_periods(problem.parameters)]
    rows = []
    for label in periods:
        for area, kind, members in _groups(problem):
            sites = (kinds == kind) & np.isin(hosts, members)
            need = float(demand[label].loc[members, kind].sum())
            base = float(demand[periods[0]].loc[members, kind].sum())
            have = float(usable[sites & is_open].sum())
            rows.append(
                {
                    "period": label,
                    "area": area,
                    "type": kind,
                    "demand": need,
                    "capacity": have,
                    "today": float(usable[sites & existing].sum()),
                    "shortfall": max(0.0, need - have),
                    "growth": need / base if base > 0 else np.nan,
                }
            )
    return pd.DataFrame(
        rows,
        columns=["period", "area", "type", "demand", "capacity", "today", "shortfall", "growth"],
    )


def outlook_shortfalls(table: pd.DataFrame, tolerance: float = 0.5) -> pd.DataFrame:
    """The rows of :func:`outlook_capacity` where the plan falls short (by more than
    ``tolerance`` units), with the first period of each (area, type) first."""
    short = table[table["shortfall"] > tolerance]
    return short.reset_index(drop=True)
