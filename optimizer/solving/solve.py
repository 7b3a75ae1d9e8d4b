"""From a validated problem to a checked plan.

:func:`solve_problem` reads like a table of contents: stand-alone costs (for fairness),
a starting plan, access arcs, the model and the solver run (:mod:`.optimise`), the
plan's tables (:mod:`optimizer.results.solution`), the independent check.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

import pandas as pd

from optimizer.errors import NoPlanInTimeError, SolverError
from optimizer.problem.data import ProblemData
from optimizer.problem.network import access_arcs
from optimizer.results.accounting import unserved_details
from optimizer.results.check import assert_valid
from optimizer.results.explain import infeasible_error, penalty_warnings
from optimizer.results.outcome import SolveOutcome, Status, relative_gap
from optimizer.results.plan import Plan, plan_cost
from optimizer.results.solution import Solution, interpret
from optimizer.solving.clusters import cluster_start
from optimizer.solving.model.fairness import unserved_shares
from optimizer.solving.optimise import optimise
from optimizer.solving.polish import polish_plan
from optimizer.solving.settings import Progress, SolverSettings
from optimizer.solving.solver import solver_progress
from optimizer.solving.standalone import renewal_baseline, standalone_solutions
from optimizer.texts import Text

__all__ = ["SolverSettings", "Status", "SolveOutcome", "solve_problem"]

log = logging.getLogger(__name__)


def _say(progress: Progress | None, message: Text) -> None:
    log.info(message)
    if progress is not None:
        progress(message)


def solve_problem(
    problem: ProblemData,
    settings: SolverSettings | None = None,
    *,
    standalone: pd.Series | None = None,
    processes: int | None = None,
    progress: Progress | None = None,
    exclude_plans: Sequence[frozenset[str]] = (),
    start: Plan | None = None,
    compare: bool = False,
    alone_unserved: pd.Series | None = None,
) -> Solution:
    """From a validated problem to a checked plan.

    Parameters
    ----------
    problem
        The validated problem.
    settings
        Solver settings (default: from ``problem.parameters``).
    standalone
        Stand-alone cost per municipality [yen/year]; computed when omitted (the
        fairness rows need them when the parameter ``fairness`` is on; the accounts show
        them, and the saving against them, either way).
    processes
        Worker processes for the stand-alone solves (1: in this process).
    progress
        Called with a short message (an :class:`optimizer.texts.Text`) at each phase,
        and with the best plan's cost and the bound every few seconds of the main solve
        (:func:`optimizer.solving.solver.solver_progress`).
    exclude_plans
        Plans (sets of open facility ids) the plan must differ from in at least one
        keep/close/build decision (see :mod:`optimizer.solving.alternatives`).
    alone_unserved
        The stand-alone plans' unserved share per (municipality, type), when
        ``standalone`` is given (with fairness nobody is left unserved more than alone);
        taken from the stand-alone plans when they are solved here.
    compare
        Also solve the renewal baseline (every existing facility renewed, nothing built,
        nothing shared) and put the three-way comparison in ``solution.extras``
        (:func:`three_way`).
    start
        A starting plan (:class:`optimizer.results.plan.Plan`) that meets fairness, e.g. the
        stand-alone plans side by side of :func:`optimizer.solving.standalone.standalone_solutions`
        given with ``standalone``; computed with the stand-alone costs when they are,
        and for :func:`cluster_start` when it runs.

    Areas of at least ``settings.cluster_min_municipalities`` municipalities with fairness
    on first improve the starting plan by :func:`cluster_start`, within
    ``settings.cluster_time_share`` of the time limit; the solver gets the rest.

    Raises
    ------
    InfeasibleError
        The hard rules cannot all hold (``explanation`` says which).
    SolverError
        The solver failed or stopped without a plan.
    CheckError
        The plan failed the independent check.
    """
    settings = settings or SolverSettings.from_parameters(problem.parameters)
    for warning in penalty_warnings(problem):
        log.warning(warning)
    alone: Plan | None = None
    if standalone is None:
        n = len(problem.codes)
        _say(
            progress,
            Text(
                f"stand-alone costs of {n} municipalities",
                f"各市町村の単独の場合の費用（{n} 市町村）",
            ),
        )
        standalone, alone = standalone_solutions(
            problem, settings, processes=processes, progress=progress
        )
        if problem.parameters.fairness and start is None:
            start = alone
        alone_unserved = unserved_shares(alone.unserved)
    heuristic_seconds = 0.0
    large = len(problem.codes) >= settings.cluster_min_municipalities
    if standalone is not None and problem.parameters.fairness and large and not exclude_plans:
        _say(
            progress,
            Text("a starting plan from clusters of neighbours", "近隣のまとまりごとの初期解"),
        )
        if start is None:
            _, start = standalone_solutions(problem, settings, processes=processes)
        share = settings.cluster_time_share * settings.time_limit_s
        start, heuristic_seconds = cluster_start(
            problem, settings, standalone, start, share, alone_unserved
        )
    _say(progress, Text("access arcs", "住民の利用経路"))
    arcs = access_arcs(problem)
    _say(
        progress,
        Text(
            f"building and solving the model ({len(arcs)} arcs)",
            f"モデルの構築と求解（利用経路 {len(arcs):,} 本）",
        ),
    )
    limit = settings.time_limit_s
    rest = settings.replace(time_limit_s=max(min(1.0, limit), limit - heuristic_seconds))
    with solver_progress(progress):
        model, plan, outcome = optimise(
            problem, rest, standalone, arcs, start, exclude_plans, alone_unserved=alone_unserved
        )
    outcome = dataclasses.replace(outcome, seconds=outcome.seconds + heuristic_seconds)
    if outcome.status == Status.INFEASIBLE:
        raise infeasible_error(problem, standalone)
    if plan is None:
        kind = NoPlanInTimeError if outcome.status == Status.NO_SOLUTION else SolverError
        raise kind(
            f"the solver stopped without a plan ({outcome.status}: {outcome.message}); "
            f"try a longer time limit than {settings.time_limit_s:g} s"
        )
    if settings.polish:
        _say(
            progress,
            Text("polishing the flows of the plan's decisions", "施設方針のまま利用の流れを整理"),
        )
        # the polish's models are the same model, fixed: keep presolve off if it was
        polish_settings = settings.without_presolve() if outcome.presolve_distrusted else settings
        plan = polish_plan(problem, plan, polish_settings, standalone, arcs, alone_unserved)
        objective = plan_cost(problem, plan)
        gap = relative_gap(objective, outcome.bound)
        status = outcome.status
        if status == Status.OPTIMAL and gap > settings.mip_gap + 1e-7:
            status = Status.FEASIBLE  # the one-way rule cost more than the gap allows
        outcome = dataclasses.replace(outcome, objective=objective, gap=gap, status=status)
    _say(progress, Text("interpreting and checking the plan", "計画の読み取りと独立検算"))
    solution = interpret(problem, outcome, plan, standalone, arcs)
    solution.extras["alone_unserved"] = alone_unserved
    assert_valid(problem, solution)
    if compare:
        _say(
            progress,
            Text(
                "the renewal baseline: every facility renewed as it is",
                "比較の基準: すべての施設をそのまま更新した場合",
            ),
        )
        if alone is None:
            _, alone = standalone_solutions(problem, settings, processes=processes)
        renew, renewed = renewal_baseline(problem, settings, processes=processes)
        solution.extras["comparison"] = three_way(problem, solution, renew, alone, renewed)
    final, cost = outcome.status, solution.objective
    _say(
        progress,
        Text(
            f"plan {final}: {cost:,.0f} yen/year",
            f"計画（{final.text('ja')}）: {cost:,.0f} 円/年",
        ),
    )
    return solution


def three_way(
    problem: ProblemData, solution: Solution, renew: pd.Series, alone: Plan, renewed: Plan
) -> dict:
    """The three plans a council compares, from the shared plan and the two baselines.

    Keys: ``costs`` (index municipality code; columns ``renew_all``, ``alone``,
    ``shared`` [yen/year], each municipality's own accounts: what it cannot serve priced
    at the self-provision cost), ``open`` (index facility id; columns ``renew_all``,
    ``alone``, ``shared``: open or not), ``unserved`` (index type; the same columns: the
    demand each plan leaves unserved [capacity unit], so that no plan looks cheaper for
    serving fewer residents) and ``closed_by_sharing`` (ids of the facilities the shared
    plan closes that each municipality alone would keep).
    """
    codes = problem.municipalities.index.astype(str)
    ids = problem.facilities.index.astype(str)
    existing = ~problem.facilities["is_candidate"].astype(bool).to_numpy()
    shared_open = solution.facilities["open"].reindex(ids).fillna(False).astype(bool)
    alone_open = alone.open_facilities.reindex(ids).fillna(False).astype(bool)
    opened = pd.DataFrame(
        {"renew_all": existing, "alone": alone_open.to_numpy(), "shared": shared_open.to_numpy()},
        index=pd.Index(ids, name="id"),
    )
    costs = pd.DataFrame(
        {
            "renew_all": renew.reindex(codes).to_numpy(float),
            "alone": solution.municipal_costs["standalone_cost"].reindex(codes).to_numpy(float),
            "shared": solution.municipal_costs["plan_cost"].reindex(codes).to_numpy(float),
        },
        index=pd.Index(codes, name="code"),
    )
    by_sharing = opened.index[(opened["alone"] & ~opened["shared"] & existing).to_numpy()]
    types = pd.Index(problem.types, name="type")
    unserved = pd.DataFrame(
        {
            "renew_all": _unserved_by_type(problem, renewed.point_unserved, types),
            "alone": _unserved_by_type(problem, alone.point_unserved, types),
            "shared": solution.unserved.groupby("type")["demand"].sum().reindex(types).fillna(0.0),
        },
        index=types,
    )
    return {
        "costs": costs,
        "open": opened,
        "unserved": unserved,
        "closed_by_sharing": list(by_sharing),
    }


def _unserved_by_type(problem: ProblemData, point_unserved: pd.DataFrame, types: pd.Index):
    """Unserved demand per type of a plan's point table [capacity unit]."""
    amounts = unserved_details(problem, point_unserved)
    return amounts.groupby("type")["demand"].sum().reindex(types).fillna(0.0)
