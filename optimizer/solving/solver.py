"""The solver adapter: a PuLP solver for the settings, run, and its outcome read.

PuLP reports a time-limited run as "Optimal" with a merely feasible plan; the outcome is
read from ``status`` and ``sol_status`` together (:class:`optimizer.results.outcome.Status`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import re
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pulp

from optimizer.errors import SolverError
from optimizer.results.outcome import SolveOutcome, Status, relative_gap
from optimizer.solving import pulp_compat
from optimizer.solving.highs import reset_highs_threads, silence_highs_banner
from optimizer.solving.settings import Progress, SolverSettings
from optimizer.texts import Text

__all__ = [
    "HIGHS_DEFAULT_OPTIONS",
    "PROGRESS_EVERY_S",
    "make_solver",
    "cbc_available",
    "optimal_without_lp",
    "presolve_claim_unproven",
    "run_solver",
    "solver_progress",
    "solving_text",
]

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 5.0
"""How often :func:`solver_progress` reports while HiGHS runs [s]."""


class _Reporter:
    """Says the best plan's cost and the bound at most every ``every_s`` seconds, from
    HiGHS's MIP callback. It only reads what HiGHS hands the callback, so it cannot
    change the solve; a failure of ``progress`` stops the reports, never the solve."""

    def __init__(self, progress: Progress, every_s: float) -> None:
        self.progress: Progress | None = progress
        self.every_s = every_s
        self.next_at = time.monotonic() + every_s

    def hook(self, unit: float, offset: float) -> Any:
        """The callback for one HiGHS run, whose (objective + ``offset``) × ``unit`` is in
        yen (``offset``: the constant PuLP leaves out of HiGHS's objective)."""

        def report(event: Any) -> None:
            now = time.monotonic()
            if self.progress is None or now < self.next_at:
                return
            self.next_at = now + self.every_s
            try:
                best = _finite(event.data_out.mip_primal_bound)
                bound = _finite(event.data_out.mip_dual_bound)
                self.progress(solving_text((best + offset) * unit, (bound + offset) * unit))
            except Exception:  # a broken pipe, say: no more reports, the solve goes on
                log.debug("progress report failed; no more reports", exc_info=True)
                self.progress = None

        return report


_REPORTER: ContextVar[_Reporter | None] = ContextVar("solver_progress", default=None)


@contextlib.contextmanager
def solver_progress(progress: Progress | None, every_s: float | None = None) -> Iterator[None]:
    """Within the block, every HiGHS run of a MIP reports through ``progress`` the cost
    of the best plan found so far and the bound, at most every ``every_s`` seconds (the
    first after ``every_s``), counted over the whole block (:func:`solving_text`).
    ``None``: no reports. The reports come from HiGHS's MIP callback, which only reads
    the solver's state; the solve and its result are the same with or without them.
    ``every_s`` defaults to :data:`PROGRESS_EVERY_S`."""
    every_s = PROGRESS_EVERY_S if every_s is None else every_s
    token = _REPORTER.set(_Reporter(progress, every_s) if progress is not None else None)
    try:
        yield
    finally:
        _REPORTER.reset(token)


def solving_text(best: float, bound: float) -> Text:
    """The progress line of a running solve: best plan's cost and bound [yen/year]."""
    yen_bound = "-" if math.isnan(bound) else f"{bound:,.0f}"
    if math.isnan(best):
        return Text(
            f"solving: no plan yet, bound {yen_bound} yen/year",
            f"求解中: まだ計画なし、下界 {yen_bound} 円/年",
        )
    gap = relative_gap(best, bound)
    gap_text = "-" if math.isnan(gap) else f"{gap:.2%}"
    return Text(
        f"solving: best plan {best:,.0f} yen/year, bound {yen_bound} yen/year, gap {gap_text}",
        f"求解中: 最良の計画 {best:,.0f} 円/年、下界 {yen_bound} 円/年、ギャップ {gap_text}",
    )


class _HiGHS(pulp.HiGHS):
    """PuLP's HiGHS, with the model handed to HiGHS and the answer read back by this
    class on every PuLP version (:mod:`.pulp_compat`): the columns in PuLP 3's order
    (by name), one table from HiGHS's model status to the outcome, and the stops PuLP 3
    does not map (e.g. a node or solution limit) read too.

    A stop before proof yields PuLP status Optimal with sol_status IntegerFeasible when
    HiGHS holds a feasible plan, else Not Solved.
    """

    def __init__(self, guard_seconds: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.guard_seconds = guard_seconds
        self.objective_unit = 1.0
        self.columns: list[Any] = []

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's name)
        """As PuLP does; without ``msg``, no output at all (PuLP 4 only keeps it off
        the console)."""
        super().createAndConfigureSolver(lp)
        if not self.msg:
            lp.solverModel.setOptionValue("output_flag", False)

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's name)
        """Hand HiGHS the problem, columns sorted by name (:func:`.pulp_compat.columns`),
        rows in the order added; the objective's constant stays out (as PuLP 3 leaves
        it). Then the variables' initial values as HiGHS's start, if complete."""
        reset_highs_threads()
        model = lp.solverModel
        inf = highspy.kHighsInf
        self.columns = columns = pulp_compat.columns(lp)
        position = {hash(v): j for j, v in enumerate(columns)}
        cost = np.zeros(len(columns))
        if lp.objective is not None:
            for var, coefficient in lp.objective.items():
                j = position.get(hash(var))
                if j is not None:
                    cost[j] = coefficient
        lower = np.array([-inf if v.lowBound is None else v.lowBound for v in columns], float)
        upper = np.array([inf if v.upBound is None else v.upBound for v in columns], float)
        empty = np.zeros(0, dtype=np.int32)
        model.addCols(len(columns), cost, lower, upper, 0, empty, empty, np.zeros(0))
        if self.mip:
            integer = np.array(
                [j for j, v in enumerate(columns) if v.cat != pulp.LpContinuous], dtype=np.int32
            )
            if len(integer):
                model.changeColsIntegrality(
                    len(integer), integer, np.full(len(integer), highspy.HighsVarType.kInteger)
                )
        if lp.sense == pulp.LpMaximize:
            model.changeObjectiveSense(highspy.ObjSense.kMaximize)
        rows = lp.constraints()
        starts: list[int] = []
        indices: list[int] = []
        coefficients: list[float] = []
        row_lower: list[float] = []
        row_upper: list[float] = []
        for row in rows:
            starts.append(len(indices))
            for var, coefficient in row.items():
                if coefficient != 0:
                    indices.append(position[hash(var)])
                    coefficients.append(coefficient)
            lb, ub = row.getLb(), row.getUb()
            row_lower.append(-inf if lb is None else lb)
            row_upper.append(inf if ub is None else ub)
        model.addRows(
            len(rows),
            np.array(row_lower, dtype=np.float64),
            np.array(row_upper, dtype=np.float64),
            len(indices),
            np.array(starts, dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.array(coefficients, dtype=np.float64),
        )
        values = [v.varValue for v in columns]
        if values and all(value is not None for value in values):
            start = highspy.HighsSolution()
            start.col_value = [float(value) for value in values]
            start.value_valid = True
            model.setSolution(start)

    def callSolver(self, lp: pulp.LpProblem) -> Any:  # noqa: N802 (PuLP's name)
        """Run HiGHS with a wall-clock guard: past ``guard_seconds``
        (:meth:`SolverSettings.guard_seconds` of its time limit), a callback interrupts it
        (it then returns the best plan found, if any). Within :func:`solver_progress`, a
        MIP also reports its best plan and bound."""
        model = lp.solverModel
        subscribed: list[tuple[Any, Any]] = []
        if self.guard_seconds is not None:
            deadline = time.monotonic() + self.guard_seconds

            def interrupt_when_late(event: Any) -> None:
                if time.monotonic() > deadline:
                    event.interrupt()

            for hook in (model.cbMipInterrupt, model.cbSimplexInterrupt, model.cbIpmInterrupt):
                subscribed.append((hook, interrupt_when_late))
        reporter = _REPORTER.get()
        if reporter is not None and pulp_compat.is_mip(lp):
            offset = float(lp.objective.constant or 0.0) if lp.objective is not None else 0.0
            subscribed.append((model.cbMipInterrupt, reporter.hook(self.objective_unit, offset)))
        for hook, callback in subscribed:
            hook.subscribe(callback)
        try:
            return model.run()
        finally:
            for hook, callback in subscribed:
                hook.unsubscribe(callback)

    def findSolutionValues(self, lp: pulp.LpProblem) -> Any:  # noqa: N802 (PuLP's name)
        """The variables' values from HiGHS's solution, and its answer in the shape the
        PuLP version wants (:func:`.pulp_compat.solver_answer`)."""
        model = lp.solverModel
        solution = model.getSolution()
        values = list(solution.col_value)
        duals = list(solution.col_dual)
        for j, var in enumerate(self.columns):
            var.varValue = values[j]
            var.dj = duals[j]
        return pulp_compat.solver_answer(*_highs_answer(model))


def _highs_answer(model: Any) -> tuple[int, int]:
    """HiGHS's answer as PuLP 3's (status, solution status), for every model status."""
    status = model.getModelStatus()
    known = highspy.HighsModelStatus
    if status == known.kOptimal:
        return pulp_compat.STATUS_OPTIMAL, pulp_compat.SOLUTION_OPTIMAL
    if status in (known.kInfeasible, known.kUnboundedOrInfeasible):
        return pulp_compat.STATUS_INFEASIBLE, pulp_compat.SOLUTION_INFEASIBLE
    if status == known.kUnbounded:
        return pulp_compat.STATUS_UNBOUNDED, pulp_compat.SOLUTION_UNBOUNDED
    feasible = getattr(model.getInfo(), "primal_solution_status", 0) == 2  # kSolutionStatusFeasible
    if status in _STOPS and feasible:
        return pulp_compat.STATUS_OPTIMAL, pulp_compat.SOLUTION_FEASIBLE
    return pulp_compat.STATUS_NOT_SOLVED, pulp_compat.SOLUTION_NONE


_STOPS = tuple(
    getattr(highspy.HighsModelStatus, name)
    for name in (
        "kObjectiveBound",
        "kObjectiveTarget",
        "kInterrupt",
        "kTimeLimit",
        "kIterationLimit",
        "kSolutionLimit",
        "kMemoryLimit",
    )
    if hasattr(highspy.HighsModelStatus, name)
)
"""HiGHS's stops before proof: a plan if HiGHS holds a feasible one."""


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
    if pulp_status == pulp_compat.STATUS_OPTIMAL:
        if sol_status == pulp_compat.SOLUTION_OPTIMAL:
            return Status.OPTIMAL
        if sol_status == pulp_compat.SOLUTION_FEASIBLE:
            return Status.FEASIBLE
        return Status.ERROR
    if pulp_status == pulp_compat.STATUS_INFEASIBLE:
        return Status.INFEASIBLE
    if pulp_status == pulp_compat.STATUS_NOT_SOLVED:
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


def _cbc_bound(log_path: Path) -> tuple[float, str, float]:
    """CBC's bound and result from its log, and half a unit of the bound's last printed
    digit: CBC prints it rounded (6 significant digits in the CBC PuLP 4 installs,
    "Lower bound: 46.7852" for an optimum of 46.785211874)."""
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return math.nan, "", 0.0
    bounds = _CBC_BOUND.findall(text)
    result = _CBC_RESULT.findall(text)
    message = result[-1].strip() if result else ""
    if not bounds:
        return math.nan, message, 0.0
    mantissa, _, exponent = bounds[-1].lower().partition("e")
    try:
        rounding = 0.5 * 10.0 ** (int(exponent or 0) - len(mantissa.partition(".")[2]))
    except ValueError:
        rounding = 0.0
    return _finite(bounds[-1]), message, rounding


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
    if model is None or not pulp_compat.is_mip(prob):
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
    if model is None or not pulp_compat.is_mip(prob):
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
        if isinstance(solver, _HiGHS):
            solver.objective_unit = objective_unit
        start = time.perf_counter()
        try:
            pulp_status, sol_status = pulp_compat.solve(prob, solver)
        except pulp.PulpSolverError as exc:
            raise SolverError(f"the solver {settings.solver!r} failed: {exc}") from exc
        seconds = time.perf_counter() - start
        status = _status(pulp_status, sol_status)
        rounding = 0.0  # how far the bound read may lie from the solver's own
        if name in ("highs", "highspy"):
            bound, message = _highs_bound(prob)
        elif name in ("cbc", "pulp_cbc_cmd"):
            bound, message, rounding = _cbc_bound(log_path)
        else:
            bound, message = math.nan, ""
    objective = _finite(pulp.value(prob.objective)) if status.has_plan else math.nan
    if abs(objective - bound) <= rounding:  # the printed bound cannot tell them apart
        bound = objective
    objective, bound = objective * objective_unit, bound * objective_unit
    if status == Status.OPTIMAL and (math.isnan(bound) or not pulp_compat.is_mip(prob)):
        bound = objective
    return SolveOutcome(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        seconds=seconds,
        solver=settings.solver,
        message=message or pulp_compat.STATUS_TEXT.get(pulp_status, ""),
        pulp_status=pulp_status,
        pulp_sol_status=sol_status,
    )
