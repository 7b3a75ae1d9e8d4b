"""Polish a plan: exact flows for its decisions, then the fewest agreements and crossings.

A MIP stopped at a gap leaves flows that are merely good enough: a few hundred visits
sent to a neighbour's hall, a spurious line in an agreement, two towns reserving beds
in each other's homes. No planner would propose them. With every keep / close / build
decision of the plan fixed, two small solves put that right:

1. **Exact flows.** The model with the plan's ``open`` fixed and, for each pair and type
   whose use needs an agreement, one direction only (a binary per pair and type: the
   residents of *a* may use *b*'s facilities of the type, or those of *b* use *a*'s, not
   both). Solved to a zero gap (only the agreements and the directions are binary).
2. **Fewest agreements and crossings at no extra cost.** The objective of step 1 becomes
   a constraint (at most its optimum, plus a relative 1e-9), no unserved share may grow,
   and the model minimises the number of agreements, then (weighted 1e-3) the share of
   demand crossing a border.

Fairness rows are all present (the plan must stay fair). If step 1 has no plan, or
leaves more demand unserved than the plan did (one direction per pair can cost a
resident their only facility within reach), the plan is polished without the direction
rule instead; if that fails too, the plan is returned as it was.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pulp

from optimizer.problem.data import ProblemData
from optimizer.results.accounting import unserved_details
from optimizer.results.plan import Plan, plan_cost
from optimizer.solving.model import FacilityModel, build_model, read_plan, set_start
from optimizer.solving.model.objective import OBJECTIVE_UNIT_YEN
from optimizer.solving.settings import SolverSettings
from optimizer.solving.solver import run_solver

__all__ = ["polish_plan", "POLISH_TIME_LIMIT_S", "COST_ALLOWANCE"]

log = logging.getLogger(__name__)

POLISH_TIME_LIMIT_S = 60.0
"""Wall-clock guard of each polishing solve [s] (they take well under a second on the
sample and seconds on the Tama case)."""

ONE_WAY_NEGLIGIBLE = 1e-6
"""A direction is used when one of its arcs carries more than this share of its demand
point's need (the shares the plan reads back, :data:`optimizer.solving.model.SHARE_EPSILON`).
Measured per arc, not against the other direction's volume: a small zone whose only
facility within reach lies the other way is a use of that direction however large the
flow the other way."""

COST_ALLOWANCE = 1e-9
"""Relative allowance on the cost of step 2 over step 1's optimum."""


def _fix_decisions(model: FacilityModel, plan: Plan) -> None:
    is_open = plan.open_facilities.reindex(model.index.facility_ids).fillna(False).to_numpy(bool)
    for variable, value in zip(model.variables.open_, is_open, strict=True):
        variable.lowBound = variable.upBound = int(value)


def _one_direction(model: FacilityModel, start: np.ndarray | None = None) -> int:
    """One binary per (pair, type) with use both ways possible; returns how many are free.

    ``start`` (the plan's share per arc) sets each binary's initial value to the
    direction that carries more of the plan's demand, so that the start is complete.
    Where the plan sends the type one way only (or not at all between the pair), the
    binary is fixed to that direction: the polish then chooses a direction only where
    the plan goes both ways (on the Tama case's 1 km grid, 16 of 793 binaries stay
    free; the polish's time there is that of its two solves of a 200,000-row model,
    2.5 minutes with presolve off)."""
    index, var = model.index, model.variables
    arcs = index.arcs
    take = arcs["needs_agreement"].to_numpy(bool) & arcs["allowed"].to_numpy(bool)
    rows = np.flatnonzero(take)
    if rows.size == 0:
        return 0
    user = arcs["i"].to_numpy()[rows]
    host = arcs["h"].to_numpy()[rows]
    kind = arcs["k"].to_numpy()[rows]
    frame = pd.DataFrame(
        {
            "row": rows,
            "lo": np.minimum(user, host),
            "hi": np.maximum(user, host),
            "k": kind,
            "forward": user < host,  # residents of the lower position use the higher's
            "dkey": arcs["dkey"].to_numpy()[rows],
        }
    )
    both = frame.groupby(["lo", "hi", "k"])["forward"].transform("nunique") == 2
    frame = frame[both.to_numpy()]
    count = 0
    for (lo, hi, k), group in frame.groupby(["lo", "hi", "k"], sort=True):
        way = model.prob.add_variable(f"way_{lo}_{hi}_{k}", 0, 1, pulp.LpBinary)
        if start is not None:
            rows_, forward_ = group["row"].to_numpy(), group["forward"].to_numpy(bool)
            amount = start[rows_] * arcs["demand"].to_numpy(float)[rows_]
            ahead, back = float(amount[forward_].sum()), float(amount[~forward_].sum())
            way.varValue = float(ahead >= back)
            shares = start[rows_]
            goes_ahead = bool((shares[forward_] > ONE_WAY_NEGLIGIBLE).any())
            goes_back = bool((shares[~forward_] > ONE_WAY_NEGLIGIBLE).any())
            if not (goes_ahead and goes_back):
                # the plan already goes one way (or not at all): keep its direction
                way.lowBound = way.upBound = int(ahead >= back)
            else:
                count += 1
        else:
            count += 1
        for (dkey, forward), part in group.groupby(["dkey", "forward"], sort=True):
            used = pulp.lpSum(var.use[r] for r in part["row"])
            bound = way if forward else 1 - way
            model.prob.addConstraint(used - bound <= 0, f"way_{lo}_{hi}_{k}_{dkey}_{int(forward)}")
    return count


def _unserved_amount(problem: ProblemData, plan: Plan) -> float:
    """The demand a plan leaves unserved, over all its points and types [capacity unit]."""
    return float(unserved_details(problem, plan.point_unserved)["demand"].sum())


def _polished(
    problem: ProblemData,
    plan: Plan,
    settings: SolverSettings,
    standalone: pd.Series | None,
    arcs: pd.DataFrame,
    alone_unserved: pd.Series | None,
    one_way: bool,
) -> Plan | None:
    model = build_model(problem, arcs, standalone, alone_unserved=alone_unserved)
    _fix_decisions(model, plan)
    # The plan itself as HiGHS's start: without the one-way rule it is feasible, so the
    # solve always has a plan to improve; a large model otherwise may find none in time.
    set_start(model, plan)
    shares = np.array([v.varValue or 0.0 for v in model.variables.use], dtype=float)
    directions = _one_direction(model, shares) if one_way else 0
    exact = settings.replace(mip_gap=0.0, time_limit_s=POLISH_TIME_LIMIT_S, msg=False)
    first = run_solver(model.prob, exact, objective_unit=OBJECTIVE_UNIT_YEN)
    if not first.status.has_plan:
        log.info("polish: no plan with the decisions fixed (%s)", first.status)
        return None
    index, var = model.index, model.variables
    for variable in var.unserved:  # step 2 may not leave more unserved than step 1
        value = variable.varValue or 0.0
        variable.upBound = value if value > 1e-9 else 0.0
    cost = model.prob.objective
    limit = first.objective / OBJECTIVE_UNIT_YEN
    model.prob.addConstraint(cost <= limit + COST_ALLOWANCE * max(1.0, abs(limit)), "polish_cost")
    crossing = index.arcs["cross"].to_numpy(bool)
    total = max(float(index.demands["demand"].sum()), 1.0)
    weights = index.arcs["demand"].to_numpy(float)[crossing] / total
    model.prob.setObjective(
        pulp.lpSum(var.agree.tolist())
        + 1e-3 * pulp.lpSum(w * v for w, v in zip(weights, var.use[crossing], strict=True))
    )
    second = run_solver(model.prob, exact)
    if not second.status.has_plan:
        log.info("polish: step 2 found no plan (%s); keeping step 1", second.status)
        model.prob.setObjective(cost)
        run_solver(model.prob, exact, objective_unit=OBJECTIVE_UNIT_YEN)
    log.info("polish: %d one-way rules, cost %.6g yen/year", directions, first.objective)
    return read_plan(model)


def polish_plan(
    problem: ProblemData,
    plan: Plan,
    settings: SolverSettings,
    standalone: pd.Series | None,
    arcs: pd.DataFrame,
    alone_unserved: pd.Series | None = None,
) -> Plan:
    """The plan with exact flows, one direction per pair and type, and the fewest
    agreements and border crossings its decisions allow (see the module's text)."""
    fair = standalone if problem.parameters.fairness else None
    before = _unserved_amount(problem, plan)
    for one_way in (True, False):
        polished = _polished(problem, plan, settings, fair, arcs, alone_unserved, one_way)
        if polished is None or _unserved_amount(problem, polished) > before + 1e-6 * max(
            1.0, before
        ):
            log.info("polish: %s did not serve as many; trying without", "one way per pair")
            continue
        if one_way or plan_cost(problem, polished) <= plan_cost(problem, plan) * (1 + 1e-7):
            return polished  # the one-way rule may cost more: its honest price
        log.info("polish: the exact flows cost more than the plan's (a time limit)")
    log.info("polish: keeping the solver's plan")
    return plan
