"""The solver adapter: a PuLP solver for the settings, run, and its outcome read.

PuLP reports a time-limited run as "Optimal" with a merely feasible plan; the outcome is
read from ``status`` and ``sol_status`` together (:class:`optimizer.results.outcome.Status`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import highspy
import pulp

from optimizer.errors import SolverError
from optimizer.results.outcome import SolveOutcome, Status, relative_gap
from optimizer.solving.highs import reset_highs_threads, silence_highs_banner
from optimizer.solving.settings import SolverSettings

__all__ = [
    "HIGHS_DEFAULT_OPTIONS",
    "make_solver",
    "cbc_available",
    "optimal_without_lp",
    "presolve_claim_unproven",
    "run_solver",
]

log = logging.getLogger(__name__)


class _HiGHS(pulp.HiGHS):
    """PuLP's HiGHS, also reading the stops PuLP does not map (e.g. a node or solution limit).

    Such a stop yields PuLP status Optimal with sol_status IntegerFeasible when HiGHS
    holds a feasible plan, else Not Solved.
    """

    def __init__(self, guard_seconds: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.guard_seconds = guard_seconds

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's name)
        """Build as PuLP does, then hand HiGHS the variables' initial values, if complete."""
        reset_highs_threads()
        super().buildSolverModel(lp)
        values = [v.varValue for v in lp.variables()]
        if values and all(value is not None for value in values):
            start = highspy.HighsSolution()
            start.col_value = [float(value) for value in values]
            start.value_valid = True
            lp.solverModel.setSolution(start)

    def callSolver(self, lp: pulp.LpProblem) -> Any:  # noqa: N802 (PuLP's name)
        """Run HiGHS with a wall-clock guard: past ``guard_seconds``
        (:meth:`SolverSettings.guard_seconds` of its time limit), a callback interrupts it
        (it then returns the best plan found, if any)."""
        if self.guard_seconds is None:
            return super().callSolver(lp)
        deadline = time.monotonic() + self.guard_seconds

        def interrupt_when_late(event: Any) -> None:
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

    def findSolutionValues(self, lp: pulp.LpProblem) -> tuple[int, int]:  # noqa: N802 (PuLP's name)
        try:
            return super().findSolutionValues(lp)
        except KeyError:
            info = lp.solverModel.getInfo()
            if getattr(info, "primal_solution_status", 0) == 2:  # kSolutionStatusFeasible
                return pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible
            return pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound


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
        guard = (
            None if settings.time_limit_s is None else settings.guard_seconds(settings.time_limit_s)
        )
        solver = _HiGHS(guard_seconds=guard, threads=settings.threads, **common, **options)
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


def presolve_claim_unproven(prob: pulp.LpProblem) -> bool:
    """Whether HiGHS's last answer on this MIP rests on its presolve alone, unchecked.

    Two answers are not trusted:

    - "optimal" after a branch-and-bound node for which no LP was solved (nodes ≥ 1, no
      simplex iteration): the bound then comes from a presolved model, not from the LP;
    - "infeasible" for a MIP (the models of this project always have a plan: demand may
      go unserved at a price).

    HiGHS 1.16's MIP presolve (its doubleton-equation reduction) answered both ways,
    wrongly, on the Tama case with residents in 789 grid squares: "optimal, gap 0" for a
    plan at 729.6 億円/year whose model's LP relaxation is 177.4 億円, and "infeasible"
    with its primal heuristics off; with presolve off the same model runs normally
    (benchmarks/README.md). A model that presolve solves outright (no node) is trusted,
    and so is a small one (fewer than :data:`UNPROVEN_MIN_COLUMNS` columns) closed at the
    root without iterating, which HiGHS does routinely (the sample's coalition models).
    """
    model = getattr(prob, "solverModel", None)
    if model is None or not prob.isMIP():
        return False
    if model.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
        return True
    return optimal_without_lp(prob) and len(prob.variables()) >= UNPROVEN_MIN_COLUMNS


UNPROVEN_MIN_COLUMNS = 10_000
"""A MIP this large proven optimal without a single simplex iteration is not believed.
A small one can be (a knapsack of eight items, the sample's model at times: HiGHS
closes them at the root without iterating), so the rule is for large models only."""


def optimal_without_lp(prob: pulp.LpProblem) -> bool:
    """HiGHS said "optimal" for this MIP after a branch-and-bound node for which no LP
    was solved (nodes ≥ 1, no simplex iteration): its bound is not an LP's."""
    model = getattr(prob, "solverModel", None)
    if model is None or not prob.isMIP():
        return False
    info = model.getInfo()
    nodes = int(getattr(info, "mip_node_count", 0) or 0)
    iterations = int(getattr(info, "simplex_iteration_count", 0) or 0)
    return (
        model.getModelStatus() == highspy.HighsModelStatus.kOptimal
        and nodes >= 1
        and iterations <= 0
    )


def run_solver(
    prob: pulp.LpProblem, settings: SolverSettings, objective_unit: float = 1.0
) -> SolveOutcome:
    """Solve a built PuLP problem and read its outcome, bound and gap.

    ``objective_unit`` is what one unit of the problem's objective is worth [yen]: the
    objective and bound are reported in yen (objective value × unit).

    The bound comes from HiGHS's ``mip_dual_bound``, from CBC's log, or equals the
    objective when the solver proved optimality without reporting one (an LP, or a
    solver that gives no bound).

    A HiGHS answer that rests on its presolve alone (:func:`presolve_claim_unproven`)
    is not reported: the model is solved again with presolve off, in the time left, from
    the plan HiGHS found (if any), and that answer is the outcome (its message says so).
    An "optimal" that still comes without any LP solved (:func:`optimal_without_lp`) on a
    model of :data:`UNPROVEN_MIN_COLUMNS` columns or more is reported as a plan without
    proof: ``feasible``, bound and gap unknown.
    """
    name = settings.solver.strip().lower()
    outcome = _run_once(prob, settings, objective_unit)
    if name in ("highs", "highspy") and not settings.presolve_off and presolve_claim_unproven(prob):
        log.warning(
            "HiGHS answered %s from its presolve alone (no LP solved); solving again "
            "with presolve off",
            outcome.message,
        )
        left = settings.time_limit_s
        if left is not None:
            left = max(min(1.0, left), left - outcome.seconds)
        retry = settings.without_presolve().replace(time_limit_s=left)
        again = _run_once(prob, retry, objective_unit)
        outcome = dataclasses.replace(
            again,
            seconds=outcome.seconds + again.seconds,
            message=f"{again.message} (presolve off: presolve's answer unproven)",
            presolve_distrusted=True,
        )
    if (
        name in ("highs", "highspy")
        and outcome.status == Status.OPTIMAL
        and optimal_without_lp(prob)
        and len(prob.variables()) >= UNPROVEN_MIN_COLUMNS
    ):
        # Even without presolve: a plan, but no proof.
        log.warning("HiGHS answered Optimal without solving an LP; reported as not proven")
        outcome = dataclasses.replace(
            outcome,
            status=Status.FEASIBLE,
            bound=math.nan,
            gap=math.nan,
            message=f"{outcome.message} (no LP solved: optimality not proven)",
        )
    return outcome


def _run_once(
    prob: pulp.LpProblem, settings: SolverSettings, objective_unit: float
) -> SolveOutcome:
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
        gap=relative_gap(objective, bound),
        seconds=seconds,
        solver=settings.solver,
        message=message or pulp.LpStatus.get(pulp_status, ""),
        pulp_status=pulp_status,
        pulp_sol_status=sol_status,
    )
