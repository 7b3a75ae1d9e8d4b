"""Solving: solver settings, one status vocabulary, and the whole solve of a problem.

:func:`solve_problem` reads like a table of contents: stand-alone costs (for fairness),
access arcs, the model, the solver run, the plan's tables, the independent check.

Status (one vocabulary for every solver; PuLP's ``status`` and ``sol_status`` read
together):

=============  ===========================================================================
OPTIMAL        proven optimal within the requested ``mip_gap`` (the gap is reported)
FEASIBLE       stopped by a limit (time, nodes, iterations) with a plan; gap reported
INFEASIBLE     the hard rules cannot all hold
NO_SOLUTION    stopped (e.g. by the time limit) before any plan was found
ERROR          the solver failed or reported something we cannot use
=============  ===========================================================================
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
import pulp

from optimizer.problem.data import Parameters, ProblemData
from optimizer.errors import InfeasibleError, NoPlanInTimeError, SolverError
from optimizer.solving.highs import reset_highs_threads, silence_highs_banner
from optimizer.problem.network import access_arcs
from optimizer.results.solution import Solution

__all__ = [
    "SolverSettings",
    "Status",
    "SolveOutcome",
    "make_solver",
    "HIGHS_DEFAULT_OPTIONS",
    "run_solver",
    "optimise",
    "spatial_clusters",
    "cluster_start",
    "solve_problem",
]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SolverSettings:
    """How to run the solver.

    Attributes
    ----------
    solver
        ``highs`` (HiGHS through highspy), ``cbc`` (the CBC PuLP ships) or any PuLP
        solver name (``pulp.listSolvers()``).
    time_limit_s
        Wall-clock limit per solve [s].
    mip_gap
        Relative optimality gap at which to stop.
    threads
        Solver threads (``None``: the solver's default).
    msg
        Show the solver's log.
    options
        Extra solver options as ``(name, value)`` pairs, passed as they are (HiGHS
        option names for ``highs``, e.g. ``(("mip_max_nodes", 1000),)``); they override
        :data:`HIGHS_DEFAULT_OPTIONS`.
    lazy_fairness
        Add the fairness rows only for the municipalities a solve without them treats
        unfairly, and solve again until none is (:func:`optimise`); the same optimum as
        with every row from the start, usually much faster. ``False``: every row at once.
    """

    solver: str = "highs"
    time_limit_s: float = 120.0
    mip_gap: float = 1e-4
    threads: int | None = None
    msg: bool = False
    options: tuple[tuple[str, object], ...] = ()
    lazy_fairness: bool = True

    @classmethod
    def from_parameters(cls, params: Parameters) -> SolverSettings:
        """The settings a workbook's ``parameters`` sheet asks for."""
        return cls(
            solver=str(params.solver or "highs"),
            time_limit_s=float(params.time_limit_s),
            mip_gap=float(params.mip_gap),
        )

    def replace(self, **changes) -> SolverSettings:
        return dataclasses.replace(self, **changes)


class Status(StrEnum):
    """Outcome of a solve, whatever the solver (see the module docstring)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"
    ERROR = "error"

    @property
    def has_plan(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True)
class SolveOutcome:
    """What the solver reported.

    Attributes
    ----------
    status
        :class:`Status`.
    objective
        Objective of the plan found [yen/year] (NaN without a plan).
    bound
        Best proven lower bound [yen/year] (NaN when unknown).
    gap
        (objective − bound) / |objective| (NaN when unknown).
    seconds
        Solver wall time [s]; ``build_seconds`` the model build.
    solver
        Solver used; ``message`` its own words; ``pulp_status`` and ``pulp_sol_status``
        PuLP's codes.
    """

    status: Status
    objective: float
    bound: float
    gap: float
    seconds: float
    solver: str
    message: str
    pulp_status: int
    pulp_sol_status: int
    build_seconds: float = 0.0

    @property
    def time_limit_reached(self) -> bool:
        return self.status == Status.FEASIBLE


class _HiGHS(pulp.HiGHS):
    """PuLP's HiGHS, also reading the stops PuLP does not map (e.g. a node or solution limit).

    Such a stop yields PuLP status Optimal with sol_status IntegerFeasible when HiGHS
    holds a feasible plan, else Not Solved.
    """

    def buildSolverModel(self, lp):  # noqa: N802 (PuLP's name)
        """Build as PuLP does, then hand HiGHS the variables' initial values, if complete."""
        reset_highs_threads()
        super().buildSolverModel(lp)
        values = [v.varValue for v in lp.variables()]
        if values and all(value is not None for value in values):
            import highspy

            start = highspy.HighsSolution()
            start.col_value = [float(value) for value in values]
            start.value_valid = True
            lp.solverModel.setSolution(start)

    def callSolver(self, lp):  # noqa: N802 (PuLP's name)
        """Run HiGHS with a wall-clock guard: past :func:`guard_seconds` of its time limit,
        a callback interrupts it (it then returns the best plan found, if any)."""
        if self.timeLimit is None:
            return super().callSolver(lp)
        deadline = time.monotonic() + guard_seconds(float(self.timeLimit))

        def interrupt_when_late(event) -> None:
            if time.monotonic() > deadline:
                event.interrupt()

        model = lp.solverModel
        hooks = (model.cbMipInterrupt, model.cbSimplexInterrupt, model.cbIpmInterrupt)
        for hook in hooks:
            hook.subscribe(interrupt_when_late)
        try:
            return super().callSolver(lp)
        finally:
            for hook in hooks:
                hook.unsubscribe(interrupt_when_late)

    def findSolutionValues(self, lp):  # noqa: N802 (PuLP's name)
        try:
            return super().findSolutionValues(lp)
        except KeyError:
            info = lp.solverModel.getInfo()
            if getattr(info, "primal_solution_status", 0) == 2:  # kSolutionStatusFeasible
                return pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible
            return pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound


def guard_seconds(time_limit_s: float) -> float:
    """Wall-clock seconds after which a HiGHS run is interrupted: its time limit plus
    10 % and 10 s. HiGHS keeps its own limit (in this project's runs it stopped within
    2–8 s of it); the guard is for a run that would not stop."""
    return 1.1 * time_limit_s + 10.0


HIGHS_DEFAULT_OPTIONS: dict[str, object] = {"mip_detect_symmetry": False}
"""HiGHS options set unless ``SolverSettings.options`` says otherwise.

Symmetry detection finds nothing to exploit in these models (the sample's joint solve
explores the very same 763 / 883 nodes with it on or off, random seeds 0 / 1) but costs
time at every node: 10.1 / 10.8 s with it, 6.9 / 7.9 s without.
"""


def _cbc(**kwargs) -> pulp.LpSolver:
    """CBC: a ``cbc`` on the path (``pip install pulp[cbc]``) through COIN_CMD, PuLP 4's
    way; else the binary PuLP 3 still bundles (PULP_CBC_CMD, gone in PuLP 4)."""
    coin = pulp.COIN_CMD(**kwargs)
    bundled = getattr(pulp, "PULP_CBC_CMD", None)
    if coin.available() or bundled is None:
        return coin
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return bundled(**kwargs)


def cbc_available() -> bool:
    return bool(_cbc(msg=False).available())


def make_solver(settings: SolverSettings, log_path: Path | None = None) -> pulp.LpSolver:
    """The PuLP solver object for ``settings.solver``.

    Raises
    ------
    SolverError
        When the solver is unknown or not available here.
    """
    name = settings.solver.strip().lower()
    common = dict(msg=settings.msg, timeLimit=settings.time_limit_s, gapRel=settings.mip_gap)
    if name in ("highs", "highspy"):
        silence_highs_banner()  # before PuLP's availability check makes the first Highs
        options = {**HIGHS_DEFAULT_OPTIONS, **dict(settings.options)}
        solver = _HiGHS(threads=settings.threads, **common, **options)
    elif name in ("cbc", "coin_cmd", "pulp_cbc_cmd"):
        solver = _cbc(
            threads=settings.threads,
            logPath=str(log_path) if log_path else None,
            options=[f"{k} {v}" for k, v in settings.options],
            **common,
        )
    else:
        try:
            solver = pulp.getSolver(settings.solver, **common, **dict(settings.options))
        except pulp.PulpSolverError as exc:
            known = ", ".join(pulp.listSolvers(onlyAvailable=True))
            raise SolverError(f"unknown solver {settings.solver!r} (available: {known})") from exc
    if not solver.available():
        known = ", ".join(pulp.listSolvers(onlyAvailable=True))
        raise SolverError(f"solver {settings.solver!r} is not available here (available: {known})")
    return solver


def _status(pulp_status: int, sol_status: int) -> Status:
    if pulp_status == pulp.LpStatusOptimal:
        if sol_status == pulp.LpSolutionOptimal:
            return Status.OPTIMAL
        if sol_status == pulp.LpSolutionIntegerFeasible:
            return Status.FEASIBLE
        return Status.ERROR
    if pulp_status == pulp.LpStatusInfeasible:
        return Status.INFEASIBLE
    if pulp_status == pulp.LpStatusNotSolved:
        return Status.NO_SOLUTION
    return Status.ERROR


def _finite(value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return math.nan
    return value if math.isfinite(value) else math.nan


def _highs_bound(prob: pulp.LpProblem) -> tuple[float, str]:
    model = getattr(prob, "solverModel", None)
    if model is None:
        return math.nan, ""
    info = model.getInfo()
    bound = _finite(getattr(info, "mip_dual_bound", math.nan))
    message = model.modelStatusToString(model.getModelStatus())
    return bound, message


_CBC_BOUND = re.compile(r"^(?:Lower bound|Best possible):\s*([-+0-9.eE]+)", re.MULTILINE)
_CBC_RESULT = re.compile(r"^Result - (.+)$", re.MULTILINE)


def _cbc_bound(log_path: Path) -> tuple[float, str]:
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return math.nan, ""
    bounds = _CBC_BOUND.findall(text)
    result = _CBC_RESULT.findall(text)
    return (_finite(bounds[-1]) if bounds else math.nan), (result[-1].strip() if result else "")


def _gap(objective: float, bound: float) -> float:
    if math.isnan(objective) or math.isnan(bound):
        return math.nan
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


def run_solver(
    prob: pulp.LpProblem, settings: SolverSettings, objective_unit: float = 1.0
) -> SolveOutcome:
    """Solve a built PuLP problem and read its outcome, bound and gap.

    ``objective_unit`` is what one unit of the problem's objective is worth [yen]: the
    objective and bound are reported in yen (objective value × unit).

    The bound comes from HiGHS's ``mip_dual_bound``, from CBC's log, or equals the
    objective when the solver proved optimality without reporting one (an LP, or a
    solver that gives no bound).
    """
    name = settings.solver.strip().lower()
    with tempfile.TemporaryDirectory(prefix="optimizer-") as folder:
        log_path = Path(folder) / "cbc.log"
        solver = make_solver(settings, log_path)
        start = time.perf_counter()
        try:
            prob.solve(solver)
        except pulp.PulpSolverError as exc:
            raise SolverError(f"the solver {settings.solver!r} failed: {exc}") from exc
        seconds = time.perf_counter() - start
        pulp_status, sol_status = int(prob.status), int(prob.sol_status)
        status = _status(pulp_status, sol_status)
        if name in ("highs", "highspy"):
            bound, message = _highs_bound(prob)
        elif name in ("cbc", "pulp_cbc_cmd"):
            bound, message = _cbc_bound(log_path)
        else:
            bound, message = math.nan, ""
    objective = _finite(pulp.value(prob.objective)) if status.has_plan else math.nan
    objective, bound = objective * objective_unit, bound * objective_unit
    if status == Status.OPTIMAL and (math.isnan(bound) or not prob.isMIP()):
        bound = objective
    return SolveOutcome(
        status=status,
        objective=objective,
        bound=bound,
        gap=_gap(objective, bound),
        seconds=seconds,
        solver=settings.solver,
        message=message or pulp.LpStatus.get(pulp_status, ""),
        pulp_status=pulp_status,
        pulp_sol_status=sol_status,
    )


def optimise(
    problem: ProblemData,
    settings: SolverSettings,
    standalone: pd.Series | None = None,
    arcs: pd.DataFrame | None = None,
    start=None,
    exclude_plans: Sequence[frozenset[str]] = (),
):
    """Build and solve the model; returns ``(model, plan or None, outcome)``.

    No check and no interpretation: the building block of :func:`solve_problem` and of
    the stand-alone and coalition solves. ``start`` is an optional
    :class:`optimizer.solving.model.Plan` handed to HiGHS as a starting solution (the stand-alone
    plans side by side, which always satisfy fairness without a required saving).
    ``exclude_plans`` are plans (sets of open facility ids) the result must differ from.

    Fairness rows are added lazily when ``settings.lazy_fairness`` is set: the model is
    solved without them; the rows of the municipalities whose plan cost exceeds their
    limit are added and the model solved again, until no municipality is treated
    unfairly (at most one round per municipality). The last plan meets every fairness
    row and is optimal for a relaxation of the full model, so it is optimal for the full
    model within the same gap; the bound of every round is a bound of the full model, and
    the outcome reports the best of them (a short last round need not repeat the
    work). Each round
    gets the time left of ``settings.time_limit_s`` (at least 1 s, or the whole limit
    when that is shorter); the outcome's
    ``seconds`` and ``build_seconds`` add up every round.
    """
    from optimizer.solving.model import build_model, read_plan, set_start
    from optimizer.solving.model.fairness import define_fairness, unfair_municipalities
    from optimizer.solving.model.objective import OBJECTIVE_UNIT_YEN

    lazy = settings.lazy_fairness and standalone is not None
    model = build_model(problem, arcs, None if lazy else standalone, exclude_plans=exclude_plans)
    build_seconds, solve_seconds = model.build_seconds, 0.0
    bound = math.nan
    added = np.zeros(0, dtype=np.int64)
    while True:
        if start is not None:
            set_start(model, start)
        limit = settings.time_limit_s
        left = max(min(1.0, limit), limit - solve_seconds)
        outcome = run_solver(
            model.prob, settings.replace(time_limit_s=left), objective_unit=OBJECTIVE_UNIT_YEN
        )
        solve_seconds += outcome.seconds
        bound = np.fmax(bound, outcome.bound)
        if not (lazy and outcome.status.has_plan):
            break
        unfair = np.setdiff1d(
            unfair_municipalities(model.index, model.variables, standalone), added
        )
        if unfair.size == 0:
            break
        began = time.perf_counter()
        rows = define_fairness(model.prob, model.index, model.variables, standalone, only=unfair)
        build_seconds += time.perf_counter() - began
        model.rows["define_fairness"] = model.rows.get("define_fairness", 0) + rows
        added = np.union1d(added, unfair)
        log.info("fairness rows added for %d municipalities; solving again", unfair.size)
    outcome = dataclasses.replace(
        outcome,
        bound=float(bound),
        gap=_gap(outcome.objective, float(bound)),
        seconds=solve_seconds,
        build_seconds=build_seconds,
    )
    log.info(
        "solved: %s, objective %.6g, gap %.3g, %.2f s",
        outcome.status,
        outcome.objective,
        outcome.gap,
        outcome.seconds,
    )
    plan = read_plan(model) if outcome.status.has_plan else None
    return model, plan, outcome


CLUSTER_SIZE = 10
"""Municipalities per cluster of :func:`cluster_start` (at most).

On ``synthetic_problem(50, 1000)`` with a 60 s limit (gap 0.1 %, no stand-alone
start): groups of 6 with 25 % of the time end at a 1.36 % gap, groups of 10 with 40 %
at 0.91 %, groups of 16 with 50 % at 29 % (a group's solve ended on a poor plan).
"""

CLUSTER_MIN_MUNICIPALITIES = 2 * CLUSTER_SIZE
"""Areas with fewer municipalities start from the stand-alone plans as they are."""

CLUSTER_TIME_SHARE = 0.4
"""Share of the time limit given to the cluster solves of :func:`cluster_start`."""


def spatial_clusters(problem: ProblemData, size: int | None = None) -> list[list[str]]:
    """The municipalities in groups of at most ``size`` neighbours, by recursive bisection.

    ``size`` defaults to :data:`CLUSTER_SIZE`. A group larger than ``size`` is split at the median of its wider coordinate
    (east–west distances scaled by cos(latitude)) into two halves of equal count, until
    every group holds at most ``size`` municipalities. Deterministic; input order within
    a group.
    """
    size = max(1, size or CLUSTER_SIZE)
    codes = problem.municipalities.index.astype(str).to_numpy()
    lat = problem.municipalities["lat"].to_numpy(float)
    lon = problem.municipalities["lon"].to_numpy(float)
    xy = np.column_stack([lat, lon * np.cos(np.radians(np.nanmean(lat)))])
    groups, pending = [], [np.arange(len(codes))]
    while pending:
        members = pending.pop()
        if len(members) <= size:
            groups.append(np.sort(members))
            continue
        axis = int(np.argmax(np.ptp(xy[members], axis=0)))
        order = members[np.argsort(xy[members, axis], kind="stable")]
        half = len(order) // 2
        pending.extend([order[half:], order[:half]])
    return [codes[g].tolist() for g in groups]


def _plan_of(plan, members: list[str], facility_ids: pd.Index):
    """The part of ``plan`` that concerns ``members`` and the facilities they host."""
    from optimizer.solving.model import Plan

    keep = set(members)
    agreements = plan.agreements
    return Plan(
        open_facilities=plan.open_facilities[plan.open_facilities.index.isin(facility_ids)],
        flows=plan.flows[plan.flows["municipality"].isin(keep)],
        agreements=agreements[agreements["a"].isin(keep) & agreements["b"].isin(keep)],
        unserved=plan.unserved[plan.unserved["municipality"].isin(keep)],
    )


def _side_by_side(plans: list):
    from optimizer.solving.model import Plan

    return Plan(
        open_facilities=pd.concat([p.open_facilities for p in plans]),
        flows=pd.concat([p.flows for p in plans], ignore_index=True),
        agreements=pd.concat([p.agreements for p in plans], ignore_index=True),
        unserved=pd.concat([p.unserved for p in plans], ignore_index=True),
    )


def _solve_groups(
    problem: ProblemData,
    settings: SolverSettings,
    standalone: pd.Series,
    start,
    groups: list[list[str]],
):
    """Each group's own model solved from its part of ``start``; the plans side by side.

    ``None`` when a group ends without a plan (and ``start`` gives none either).
    """
    from optimizer.solving.standalone import restrict_problem

    plans, cost = [], 0.0
    for members in groups:
        sub = restrict_problem(problem, members)
        own = None
        if start is not None:
            own = _plan_of(start, members, pd.Index(sub.facilities.index.astype(str)))
        _, plan, outcome = optimise(sub, settings, standalone.reindex(members), None, own)
        plan = own if plan is None else plan
        if plan is None:
            log.info("cluster start: no plan for %s; not used", ", ".join(members))
            return None
        cost += outcome.objective
        plans.append(plan)
    log.info("cluster start: %d groups, %.6g yen/year", len(groups), cost)
    return _side_by_side(plans)


def cluster_start(
    problem: ProblemData,
    settings: SolverSettings,
    standalone: pd.Series,
    start,
    seconds: float,
):
    """A starting plan: clusters of neighbours solved on their own, side by side.

    The municipalities are grouped by :func:`spatial_clusters` into groups of at most
    :data:`CLUSTER_SIZE`; each group's model (:func:`optimizer.solving.standalone.restrict_problem`:
    its municipalities, the facilities they host, agreements among them) is solved with
    its members' fairness rows, starting from their part of ``start`` (the stand-alone
    plans side by side, or ``None``). The groups' plans side by side are a plan of the
    whole area:

    * each facility serves only its own group, so capacity and linking hold;
    * each municipality's plan cost involves only its own group's facilities, flows and
      agreements, so it equals its cost in the group's model and meets its fairness row;
    * per-municipality rules (keep-own, partners, self-sufficiency, budgets) hold in
      each group's model.

    ``seconds`` is shared equally by the groups. (A second pass with groups twice as
    large, each the union of two first-pass groups, started from the first pass's plan,
    did not pay on ``synthetic_problem(50, 1000)`` at 60 s: 1.06 % against 0.91 % for
    one pass.)

    The plan costs at most what ``start`` costs, since every group's solve starts from
    its part. Returns ``(plan, seconds spent)``. ``start`` is returned as it is for an
    area with an area-wide capital budget (which each group would spend in full), and
    when a group ends without a plan.
    """
    began = time.perf_counter()
    if problem.parameters.capital_budget is not None:
        return start, 0.0
    groups = spatial_clusters(problem)
    if len(groups) < 2:
        return start, 0.0
    each = settings.replace(time_limit_s=max(0.1, seconds / len(groups)), msg=False)
    plan = _solve_groups(problem, each, standalone, start, groups)
    return (start if plan is None else plan), time.perf_counter() - began


def _say(progress: Progress | None, message: str) -> None:
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
    start=None,
) -> Solution:
    """From a validated problem to a checked plan.

    Parameters
    ----------
    problem
        The validated problem.
    settings
        Solver settings (default: from ``problem.parameters``).
    standalone
        Stand-alone cost per municipality [yen/year]; computed when omitted and the
        parameter ``fairness`` is on (skipped entirely when it is off).
    processes
        Worker processes for the stand-alone solves (1: in this process).
    progress
        Called with a short message at each phase.
    exclude_plans
        Plans (sets of open facility ids) the plan must differ from in at least one
        keep/close/build decision (see :mod:`optimizer.solving.alternatives`).
    start
        A starting plan (:class:`optimizer.solving.model.Plan`) that meets fairness, e.g. the
        stand-alone plans side by side of :func:`optimizer.solving.standalone.standalone_solutions`
        given with ``standalone``; computed with the stand-alone costs when they are,
        and for :func:`cluster_start` when it runs.

    Areas of at least :data:`CLUSTER_MIN_MUNICIPALITIES` municipalities with fairness on
    first improve the starting plan by :func:`cluster_start`, within
    :data:`CLUSTER_TIME_SHARE` of the time limit; the solver gets the rest.

    Raises
    ------
    InfeasibleError
        The hard rules cannot all hold (``explanation`` says which).
    SolverError
        The solver failed or stopped without a plan.
    CheckError
        The plan failed the independent check.
    """
    from optimizer.results.check import assert_valid
    from optimizer.results.explain import diagnose_infeasibility, penalty_warnings
    from optimizer.results.solution import interpret
    from optimizer.solving.standalone import standalone_solutions

    settings = settings or SolverSettings.from_parameters(problem.parameters)
    for warning in penalty_warnings(problem):
        log.warning(warning)
    if standalone is None and problem.parameters.fairness:
        _say(progress, f"stand-alone costs of {len(problem.codes)} municipalities")
        standalone, start = standalone_solutions(
            problem, settings, processes=processes, progress=progress
        )
    heuristic_seconds = 0.0
    large = len(problem.codes) >= CLUSTER_MIN_MUNICIPALITIES
    if standalone is not None and problem.parameters.fairness and large and not exclude_plans:
        _say(progress, "a starting plan from clusters of neighbours")
        if start is None:
            _, start = standalone_solutions(problem, settings, processes=processes)
        share = CLUSTER_TIME_SHARE * settings.time_limit_s
        start, heuristic_seconds = cluster_start(problem, settings, standalone, start, share)
    _say(progress, "access arcs")
    arcs = access_arcs(problem)
    _say(progress, f"building and solving the model ({len(arcs)} arcs)")
    limit = settings.time_limit_s
    rest = settings.replace(time_limit_s=max(min(1.0, limit), limit - heuristic_seconds))
    model, plan, outcome = optimise(problem, rest, standalone, arcs, start, exclude_plans)
    outcome = dataclasses.replace(outcome, seconds=outcome.seconds + heuristic_seconds)
    if outcome.status == Status.INFEASIBLE:
        explanation = diagnose_infeasibility(problem, standalone)
        raise InfeasibleError(
            "no plan satisfies the hard rules: " + "; ".join(explanation), explanation
        )
    if plan is None:
        kind = NoPlanInTimeError if outcome.status == Status.NO_SOLUTION else SolverError
        raise kind(
            f"the solver stopped without a plan ({outcome.status}: {outcome.message}); "
            f"try a longer time limit than {settings.time_limit_s:g} s"
        )
    _say(progress, "interpreting and checking the plan")
    solution = interpret(problem, outcome, plan, standalone, arcs)
    assert_valid(problem, solution)
    _say(progress, f"plan {outcome.status}: {solution.objective:,.0f} yen/year")
    return solution
