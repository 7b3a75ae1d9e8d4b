"""Solution: the solver's values turned into tables keyed by the user's ids.

The :class:`Solution` is what every stage after solving reads (checker, allocation,
agreement terms, reports). It never holds PuLP objects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.results.accounting import (
    demand_of,
    flow_details,
    municipal_costs,
    plan_objective,
    unserved_details,
)
from optimizer.results.explain import explain_unserved, penalty_warnings
from optimizer.results.outcome import SolveOutcome, Status
from optimizer.results.plan import Plan

__all__ = ["Solution", "interpret", "facility_table", "solution_to_dict", "plan_outcome"]


@dataclass(frozen=True)
class Solution:
    """A plan, in tables keyed by municipality codes and facility ids.

    Attributes
    ----------
    outcome
        :class:`optimizer.results.outcome.SolveOutcome` (status, objective, bound, gap, seconds).
    facilities
        Index facility id. Columns ``type``, ``municipality`` (host), ``is_candidate``,
        ``status`` (the input rule), ``decision`` (``keep`` / ``close`` / ``build`` /
        ``not_built``), ``open`` (bool), ``capacity``, ``served`` [capacity unit],
        ``utilisation`` (served ÷ capacity, 0 when closed), ``annual_cost`` [yen/year]
        (0 when closed).
    flows
        One row per (municipality, facility) with a positive share. Columns
        ``municipality``, ``facility``, ``type``, ``host``, ``share`` (of the
        municipality's demand for the type), ``demand`` [capacity unit], ``distance_km``,
        ``travel_cost`` [yen/year], ``unit_cost`` [yen per capacity unit], ``payment``
        [yen/year] (0 when the municipality is the host).
    agreements
        One row per pair with an agreement: ``a``, ``b`` (codes, a < b).
    unserved
        One row per (demand point, type) with unserved demand: ``point``,
        ``municipality``, ``type``, ``demand`` [capacity unit], ``share`` (of the
        point's demand), ``nearest_facility``, ``nearest_distance_km`` (NaN when there
        is none), ``reason``. Without zones a point is its municipality.
    municipal_costs
        Index municipality code. Columns ``standalone_cost`` (its optimum alone),
        ``own_facilities``, ``payments_out``, ``payments_in``, ``travel``,
        ``agreements`` (its half of each agreement's fixed cost), ``unserved`` (penalty),
        ``plan_cost`` = own_facilities + payments_out − payments_in + travel + agreements
        + unserved, ``saving`` = standalone_cost − plan_cost [yen/year].
    objective
        Objective value recomputed from the tables [yen/year].
    point_flows
        The flows per demand point: ``point``, ``municipality``, ``facility``, ``share``
        (of the point's demand), ``distance_km``, ``demand`` [capacity unit]. ``flows``
        is their sum per municipality. Filled from ``flows`` when not given (a point per
        municipality).
    """

    outcome: SolveOutcome
    facilities: pd.DataFrame
    flows: pd.DataFrame
    agreements: pd.DataFrame
    unserved: pd.DataFrame
    municipal_costs: pd.DataFrame
    objective: float
    extras: dict = field(default_factory=dict)
    point_flows: pd.DataFrame = None  # type: ignore[assignment]  # filled by __post_init__

    def __post_init__(self) -> None:
        if self.point_flows is None:
            flows = self.flows
            table = flows.reindex(columns=["municipality", "facility", "share", "distance_km"])
            table.insert(0, "point", flows["municipality"].to_numpy(dtype=object))
            table["demand"] = flows["demand"].to_numpy(float) if "demand" in flows else np.nan
            object.__setattr__(self, "point_flows", table)


def _decisions(facilities: pd.DataFrame, is_open: np.ndarray) -> np.ndarray:
    candidate = facilities["is_candidate"].to_numpy(bool)
    return np.where(
        candidate, np.where(is_open, "build", "not_built"), np.where(is_open, "keep", "close")
    )


def facility_table(
    problem: ProblemData, open_facilities: pd.Series, flows: pd.DataFrame
) -> pd.DataFrame:
    """The per-facility table of a :class:`Solution` (decision, use, cost).

    ``flows`` must carry ``facility`` and ``demand`` (served amount) columns.
    """
    facilities = problem.facilities
    is_open = open_facilities.reindex(facilities.index).fillna(False).astype(bool).to_numpy()
    served = flows.groupby("facility")["demand"].sum().reindex(facilities.index).fillna(0.0)
    capacity = facilities["capacity"].to_numpy(float)
    table = pd.DataFrame(
        {
            "name": facilities["name"].to_numpy(dtype=object),
            "type": facilities["type"].astype(str).to_numpy(dtype=object),
            "municipality": facilities["municipality"].astype(str).to_numpy(dtype=object),
            "is_candidate": facilities["is_candidate"].to_numpy(bool),
            "status": facilities["status"].astype(str).to_numpy(dtype=object),
            "decision": _decisions(facilities, is_open),
            "open": is_open,
            "capacity": capacity,
            "served": served.to_numpy(float),
            "utilisation": np.divide(
                served.to_numpy(float),
                capacity,
                out=np.zeros_like(capacity),
                where=is_open & (capacity > 0),
            ),
            "annual_cost": np.where(is_open, facilities["annual_cost"].to_numpy(float), 0.0),
        },
        index=pd.Index(facilities.index.astype(str), name="id"),
    )
    return table


def interpret(
    problem: ProblemData,
    outcome: SolveOutcome,
    plan: Plan,
    standalone: pd.Series | None,
    arcs: pd.DataFrame,
) -> Solution:
    """Turn a solver's plan into a :class:`Solution` keyed by the user's ids.

    Parameters
    ----------
    problem
        The problem that was solved.
    outcome
        The :class:`optimizer.results.outcome.SolveOutcome`.
    plan
        :class:`optimizer.solving.model.Plan` (open facilities, flows, agreements, unserved shares).
    standalone
        Stand-alone cost per municipality [yen/year] (``None``: not computed).
    arcs
        The access arcs, to explain unserved demand.
    """
    flows = flow_details(problem, plan.flows)
    left = unserved_details(problem, plan.point_unserved)
    stopped_early = outcome.status == Status.FEASIBLE
    facilities = facility_table(problem, plan.open_facilities, flows)
    unserved = explain_unserved(
        problem,
        left[["point", "municipality", "type", "demand", "share"]],
        plan.open_facilities,
        arcs,
        stopped_early,
        served=facilities["served"],
    )
    costs = municipal_costs(
        problem, plan.open_facilities, plan.flows, plan.agreements, plan.unserved, standalone
    )
    objective = plan_objective(
        problem, plan.open_facilities, plan.flows, plan.agreements, plan.unserved
    )
    return Solution(
        outcome=outcome,
        facilities=facilities,
        flows=flows.reset_index(drop=True),
        agreements=plan.agreements.reset_index(drop=True),
        unserved=unserved.reset_index(drop=True),
        municipal_costs=costs,
        objective=objective,
        extras={
            "standalone_computed": standalone is not None,
            "warnings": penalty_warnings(problem),
        },
        point_flows=point_flow_details(problem, plan.point_flows),
    )


def point_flow_details(problem: ProblemData, point_flows: pd.DataFrame) -> pd.DataFrame:
    """The plan's point flows with the amount each carries, ``demand`` [capacity unit]."""
    table = point_flows[["point", "municipality", "facility", "share", "distance_km"]].copy()
    kinds = problem.facilities["type"].astype(str).reindex(table["facility"].astype(str))
    demand = demand_of(
        problem,
        table["point"].astype(str).to_numpy(dtype=object),
        kinds.to_numpy(dtype=object),
        points=True,
    )
    table["demand"] = table["share"].to_numpy(float) * demand
    return table.reset_index(drop=True)


def _json_value(value):
    """A JSON-safe scalar: NaN/inf → None, numpy scalars → Python, enums → their value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is None:
        return None
    return value


def _records(table: pd.DataFrame, index_name: str | None = None) -> list[dict]:
    frame = table.reset_index() if index_name else table
    return [
        {str(k): _json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
    ]


def solution_to_dict(solution: Solution) -> dict:
    """The solution as plain JSON-safe data (``solution.json``), keyed by the user's ids.

    Deterministic: facilities and municipalities in input order, flows in arc order,
    agreements sorted; NaN written as ``null``. The solver's wall-clock times are left
    out (they are in ``manifest.json``), so the same inputs give the same file.
    """
    outcome = solution.outcome
    fields = (
        "status",
        "objective",
        "bound",
        "gap",
        "solver",
        "message",
        "pulp_status",
        "pulp_sol_status",
    )
    return {
        "outcome": {name: _json_value(getattr(outcome, name)) for name in fields},
        "objective": _json_value(float(solution.objective)),
        "facilities": _records(solution.facilities.rename_axis("id"), "id"),
        "flows": _records(solution.flows),
        "agreements": _records(solution.agreements),
        "unserved": _records(solution.unserved),
        "point_flows": _records(solution.point_flows),
        "municipal_costs": _records(solution.municipal_costs.rename_axis("code"), "code"),
    }


def plan_outcome(solution: Solution, *, fail_when_not_optimal: bool = False) -> str:
    """What a plan means for the caller, as a key of ``optimizer.config.EXIT_CODES``.

    ``not_optimal`` when a limit stopped the solver and the plan leaves demand unserved
    (the limit, not the rules, may be the cause) or when ``fail_when_not_optimal`` asks
    for a proven optimum; ``infeasible`` when the optimum leaves demand unserved under
    the hard rules; ``ok`` otherwise.
    """
    optimal = solution.outcome.status == Status.OPTIMAL
    if not solution.unserved.empty:
        return "infeasible" if optimal else "not_optimal"
    if fail_when_not_optimal and not optimal:
        return "not_optimal"
    return "ok"
