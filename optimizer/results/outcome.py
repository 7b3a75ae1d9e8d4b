"""The outcome of a solve in one vocabulary, whatever the solver.

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

import math
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Status", "STATUS_JA", "SolveOutcome", "relative_gap"]


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

    def text(self, lang: str = "ja") -> str:
        """The status in words: Japanese for ``ja``, else its English value."""
        return STATUS_JA[self] if lang == "ja" else self.value


STATUS_JA = {
    Status.OPTIMAL: "最適",
    Status.FEASIBLE: "暫定（最適性は未証明）",
    Status.INFEASIBLE: "実行不能",
    Status.NO_SOLUTION: "計画なし",
    Status.ERROR: "エラー",
}
"""Each status in the Japanese of progress lines, logs and summaries."""


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
    presolve_distrusted
        The solver's first answer rested on its presolve alone and the model was solved
        again with presolve off (:func:`optimizer.solving.solver.run_solver`).
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
    presolve_distrusted: bool = False

    @property
    def time_limit_reached(self) -> bool:
        return self.status == Status.FEASIBLE


def relative_gap(objective: float, bound: float) -> float:
    """(objective − bound) / |objective|, never negative; NaN when either is unknown."""
    if math.isnan(objective) or math.isnan(bound):
        return math.nan
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)
