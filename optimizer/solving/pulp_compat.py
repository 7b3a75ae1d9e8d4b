"""What PuLP 3.3 (Python 3.11) and PuLP 4 (Python 3.12 and later, its Rust core) do
differently, in one place; every other module writes code valid on both.

Both versions agree on most of what the model needs: ``prob.add_variable``,
``prob.addConstraint(expression <= rhs, name)``, ``prob.constraints()``, ``lpSum``,
``setObjective``, a variable's ``lowBound``, ``upBound``, ``cat``, ``varValue``. They
differ in:

- building an expression from (variable, coefficient) pairs: PuLP 3's
  ``LpAffineExpression(pairs)``; PuLP 4's ``LpAffineExpression.from_list(pairs)``
  (:func:`affine`);
- ``isMIP``: a method in PuLP 3, a property in PuLP 4 (:func:`is_mip`);
- the variables a solver sees: PuLP 3's ``variables()`` lists those used by the
  objective or a row, sorted by name; PuLP 4's lists every variable made, in the order
  made, and ``exported_variables()`` the used ones (:func:`columns`);
- a solve's answer: PuLP 3 sets ``prob.status`` and ``prob.sol_status`` (and a solver's
  ``findSolutionValues`` returns that pair); PuLP 4 returns an ``LpSolveStats`` (why
  the solver stopped, whether it has a solution) and a solver's ``findSolutionValues``
  returns (``LpSolveStatus``, has a solution) (:func:`solve`, :func:`solver_answer`).

The project keeps PuLP 3's vocabulary for a solve's answer (``STATUS_*`` and
``SOLUTION_*``, the numbers a run's records have always held in ``pulp_status`` and
``pulp_sol_status``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pulp

__all__ = [
    "PULP_4",
    "SOLUTION_FEASIBLE",
    "SOLUTION_INFEASIBLE",
    "SOLUTION_NONE",
    "SOLUTION_OPTIMAL",
    "SOLUTION_UNBOUNDED",
    "STATUS_INFEASIBLE",
    "STATUS_NOT_SOLVED",
    "STATUS_OPTIMAL",
    "STATUS_TEXT",
    "STATUS_UNBOUNDED",
    "STATUS_UNDEFINED",
    "affine",
    "columns",
    "is_mip",
    "solve",
    "solver_answer",
]

PULP_4 = int(pulp.__version__.split(".")[0]) >= 4
"""Whether the installed PuLP is 4 or later (its Rust core)."""

# PuLP 3's numbers for a solve's answer (pulp.constants.LpStatus*, LpSolution*).
STATUS_NOT_SOLVED = 0
STATUS_OPTIMAL = 1
STATUS_INFEASIBLE = -1
STATUS_UNBOUNDED = -2
STATUS_UNDEFINED = -3
SOLUTION_NONE = 0
SOLUTION_OPTIMAL = 1
SOLUTION_FEASIBLE = 2  # PuLP 3's LpSolutionIntegerFeasible: a plan, optimality unproven
SOLUTION_INFEASIBLE = -1
SOLUTION_UNBOUNDED = -2

STATUS_TEXT = {
    STATUS_NOT_SOLVED: "Not Solved",
    STATUS_OPTIMAL: "Optimal",
    STATUS_INFEASIBLE: "Infeasible",
    STATUS_UNBOUNDED: "Unbounded",
    STATUS_UNDEFINED: "Undefined",
}
"""PuLP 3's words for a status (``pulp.LpStatus``, gone in PuLP 4)."""


def affine(terms: Iterable[tuple[Any, float]]) -> Any:
    """The expression Σ coefficient · variable of (variable, coefficient) pairs; a
    variable should appear once."""
    if PULP_4:
        return pulp.LpAffineExpression.from_list(list(terms))
    return pulp.LpAffineExpression(terms)


def is_mip(prob: Any) -> bool:
    """Whether the problem has an integer variable."""
    flag = prob.isMIP
    return bool(flag() if callable(flag) else flag)


def columns(prob: Any) -> list[Any]:
    """The variables used by the objective or a row, sorted by name: PuLP 3's order of
    the solver's columns, kept on PuLP 4 so that HiGHS sees the very same model (and
    answers the same) on both."""
    used = prob.exported_variables() if PULP_4 else prob.variables()
    return sorted(used, key=lambda v: v.name)


def solve(prob: Any, solver: Any) -> tuple[int, int]:
    """Solve ``prob`` with ``solver``; its answer as PuLP 3's (status, solution status)."""
    answer = prob.solve(solver)
    if not PULP_4:
        return int(prob.status), int(prob.sol_status)
    stop = pulp.LpSolveStatus(answer.status)
    if answer.has_solution:
        # GapLimit: the requested gap is met (CBC's "Optimal solution found (within gap
        # tolerance)"), which PuLP 3 called optimal, as HiGHS does
        proven = stop in (pulp.LpSolveStatus.Optimal, pulp.LpSolveStatus.GapLimit)
        return STATUS_OPTIMAL, SOLUTION_OPTIMAL if proven else SOLUTION_FEASIBLE
    return {
        pulp.LpSolveStatus.Infeasible: (STATUS_INFEASIBLE, SOLUTION_INFEASIBLE),
        pulp.LpSolveStatus.Unbounded: (STATUS_UNBOUNDED, SOLUTION_UNBOUNDED),
        pulp.LpSolveStatus.Undefined: (STATUS_UNDEFINED, SOLUTION_NONE),
    }.get(stop, (STATUS_NOT_SOLVED, SOLUTION_NONE))


def solver_answer(status: int, sol_status: int) -> Any:
    """What a solver's ``findSolutionValues`` returns for PuLP 3's (status, solution
    status): that pair on PuLP 3, (``LpSolveStatus``, has a solution) on PuLP 4, such
    that :func:`solve` reads the same pair back."""
    if not PULP_4:
        return status, sol_status
    stops = pulp.LpSolveStatus
    if status == STATUS_OPTIMAL and sol_status in (SOLUTION_OPTIMAL, SOLUTION_FEASIBLE):
        return (stops.Optimal if sol_status == SOLUTION_OPTIMAL else stops.Stopped), True
    return {
        STATUS_INFEASIBLE: stops.Infeasible,
        STATUS_UNBOUNDED: stops.Unbounded,
        STATUS_UNDEFINED: stops.Undefined,
    }.get(status, stops.NotSolved), False
