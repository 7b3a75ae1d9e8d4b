"""Build and solve the model once (with lazy fairness rounds): no check, no interpretation."""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.results.outcome import SolveOutcome, Status, relative_gap
from optimizer.results.plan import Plan, plan_cost
from optimizer.solving.model import FacilityModel, build_model, read_plan, set_start
from optimizer.solving.model.fairness import define_fairness, unfair_municipalities
from optimizer.solving.model.objective import OBJECTIVE_UNIT_YEN
from optimizer.solving.settings import SolverSettings
from optimizer.solving.solver import run_solver
from optimizer.texts import Text

__all__ = ["optimise"]

log = logging.getLogger(__name__)


def _time_left(settings: SolverSettings, spent: float) -> float:
    limit = settings.time_limit_s
    return math.inf if limit is None else limit - spent


def _round_limit(settings: SolverSettings, spent: float, last_round: bool) -> float | None:
    """The time limit of a solve round: what is left, or half of it for a lazy round that
    may need another (so that fairness rows added after it have time to work). At least
    1 s, or the whole limit when that is shorter."""
    limit = settings.time_limit_s
    if limit is None:
        return None
    left = limit - spent
    return max(min(1.0, limit), left if last_round else left / 2)


def _repaired(
    model: FacilityModel,
    plan: Plan,
    settings: SolverSettings,
    limit: float | None,
    standalone: pd.Series,
) -> tuple[Plan | None, float]:
    """``plan`` made fair, if its decisions allow: its keep / close / build decisions
    fixed, the agreements and flows solved again under the fairness rows now in the
    model. A round without some municipality's row often finds a plan far cheaper than
    the start it was given, unfair to a few by a little; re-routing its flows usually
    mends that, and the next round then starts from it instead of from the stand-alone
    or cluster plans. Only a plan fair to *every* municipality (``standalone``) counts,
    rows present or not: it replaces a start that is, and later rounds, with more rows,
    must still have a start that meets them all. Returns ``(plan or None, seconds)``;
    the model's bounds are restored."""
    variables = model.variables.open_
    saved = [(v.lowBound, v.upBound) for v in variables]
    is_open = plan.open_facilities.reindex(model.index.facility_ids).fillna(False)
    for variable, value in zip(variables, is_open.to_numpy(bool), strict=True):
        variable.lowBound = variable.upBound = int(value)
    try:
        outcome = run_solver(
            model.prob, settings.replace(time_limit_s=limit), objective_unit=OBJECTIVE_UNIT_YEN
        )
        repaired = None
        if (
            outcome.status.has_plan
            and not unfair_municipalities(model.index, model.variables, standalone).size
        ):
            repaired = read_plan(model)
    finally:
        for variable, (low, up) in zip(variables, saved, strict=True):
            variable.lowBound, variable.upBound = low, up
    log.info(
        "the unfair plan's decisions, flows solved again: %s",
        Text("no fair plan", "公平な計画なし")
        if repaired is None
        else Text(f"{outcome.objective:.6g} yen/year", f"{outcome.objective:.6g} 円/年"),
    )
    return repaired, outcome.seconds


def _cheaper(problem: ProblemData, plan: Plan, than: Plan | None) -> bool:
    """Whether ``plan`` costs less than ``than`` (any plan is cheaper than none)."""
    return than is None or plan_cost(problem, plan) < plan_cost(problem, than)


def optimise(
    problem: ProblemData,
    settings: SolverSettings,
    standalone: pd.Series | None = None,
    arcs: pd.DataFrame | None = None,
    start: Plan | None = None,
    exclude_plans: Sequence[frozenset[str]] = (),
    alone_unserved: pd.Series | None = None,
) -> tuple[FacilityModel, Plan | None, SolveOutcome]:
    """Build and solve the model; returns ``(model, plan or None, outcome)``.

    No check and no interpretation: the building block of :func:`solve_problem` and of
    the stand-alone and coalition solves. ``start`` is an optional
    :class:`optimizer.results.plan.Plan` handed to HiGHS as a starting solution (the stand-alone
    plans side by side, which always satisfy fairness without a required saving).
    ``exclude_plans`` are plans (sets of open facility ids) the result must differ from.
    ``alone_unserved``: see :func:`optimizer.solving.model.build_model`.

    Fairness rows are added lazily when ``settings.lazy_fairness`` is set: the model is
    solved without them; the rows of the municipalities whose plan cost exceeds their
    limit are added and the model solved again, until no municipality is treated
    unfairly (at most one round per municipality). The last plan meets every fairness
    row and is optimal for a relaxation of the full model, so it is optimal for the full
    model within the same gap; the bound of every round is a bound of the full model, and
    the outcome reports the best of them (a short last round need not repeat the
    work). After a round whose plan is unfair, that plan's decisions are kept and its
    flows solved again under the new rows (:func:`_repaired`); when that gives a fair
    plan cheaper than the start, the next round starts from it. A lazy round (and a
    repair) gets half of the time left of ``settings.time_limit_s``
    (:func:`_round_limit`), so that the rows it reveals still get time; when a round's
    plan is fair but stopped by that half, the model is solved on from it with the rest.
    Rounds run with presolve off once a round's presolve answer was distrusted (the
    rounds' models differ by a few rows); the outcome's
    ``seconds`` and ``build_seconds`` add up every round.
    """
    lazy = settings.lazy_fairness and standalone is not None
    model = build_model(
        problem,
        arcs,
        None if lazy else standalone,
        exclude_plans=exclude_plans,
        alone_unserved=alone_unserved if standalone is not None else None,
    )
    build_seconds, solve_seconds = model.build_seconds, 0.0
    bound = math.nan
    added = np.zeros(0, dtype=np.int64)
    distrusted = False
    last_round = not lazy
    while True:
        if start is not None:
            set_start(model, start)
        outcome = run_solver(
            model.prob,
            settings.replace(time_limit_s=_round_limit(settings, solve_seconds, last_round)),
            objective_unit=OBJECTIVE_UNIT_YEN,
        )
        solve_seconds += outcome.seconds
        bound = np.fmax(bound, outcome.bound)
        if outcome.presolve_distrusted:  # the next rounds' models differ by a few rows
            distrusted = True
            settings = settings.without_presolve()
        if last_round or not outcome.status.has_plan:
            break
        unfair = np.setdiff1d(
            unfair_municipalities(model.index, model.variables, standalone), added
        )
        if unfair.size == 0:
            if outcome.status == Status.OPTIMAL or _time_left(settings, solve_seconds) < 1.0:
                break
            # A fair plan stopped at its half of the time: go on from it with the rest.
            start, last_round = read_plan(model), True
            continue
        unfair_plan = read_plan(model)
        began = time.perf_counter()
        rows = define_fairness(model.prob, model.index, model.variables, standalone, only=unfair)
        build_seconds += time.perf_counter() - began
        model.rows["define_fairness"] = model.rows.get("define_fairness", 0) + rows
        added = np.union1d(added, unfair)
        log.info("fairness rows added for %d municipalities; solving again", unfair.size)
        repaired, seconds = _repaired(
            model, unfair_plan, settings, _round_limit(settings, solve_seconds, False), standalone
        )
        solve_seconds += seconds
        if repaired is not None and _cheaper(problem, repaired, start):
            start = repaired
    outcome = dataclasses.replace(
        outcome,
        bound=float(bound),
        gap=relative_gap(outcome.objective, float(bound)),
        seconds=solve_seconds,
        build_seconds=build_seconds,
        presolve_distrusted=distrusted,
    )
    log.info(
        "solved: %s (%s), objective %.6g, gap %.3g, %.2f s",
        outcome.status,
        outcome.message,
        outcome.objective,
        outcome.gap,
        outcome.seconds,
    )
    plan = read_plan(model) if outcome.status.has_plan else None
    return model, plan, outcome
