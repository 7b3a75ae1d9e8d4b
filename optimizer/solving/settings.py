"""How to run the solver: one settings object, with every tuning knob as a field."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from optimizer.problem.parameters import Parameters

__all__ = ["SolverSettings", "Progress"]

Progress = Callable[[str], None]
"""Called with a short message at each phase of a solve."""


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
        :data:`optimizer.solving.solver.HIGHS_DEFAULT_OPTIONS`.
    lazy_fairness
        Add the fairness rows only for the municipalities a solve without them treats
        unfairly, and solve again until none is (:func:`optimise`); the same optimum as
        with every row from the start, usually much faster. ``False``: every row at once.
    guard_factor, guard_extra_s
        A HiGHS run is interrupted at ``guard_factor`` × its time limit +
        ``guard_extra_s`` [s] (:meth:`guard_seconds`).
    cluster_size
        Municipalities per group of the cluster start (at most). On
        ``synthetic_problem(50, 1000)`` with a 60 s limit (gap 0.1 %, no stand-alone
        start): groups of 6 with 25 % of the time end at a 1.36 % gap, groups of 10 with
        40 % at 0.91 %, groups of 16 with 50 % at 29 % (a group's solve ended on a poor
        plan).
    cluster_min_municipalities
        Areas with fewer municipalities start from the stand-alone plans as they are.
    cluster_time_share
        Share of the time limit given to the cluster solves.
    polish
        After the solve, re-solve the flows of the plan's decisions exactly, one
        direction per pair and type, with the fewest agreements and crossings at no
        extra cost (:mod:`optimizer.solving.polish`). Not for the stand-alone and
        coalition solves, which have no agreements.
    pool_min_municipalities
        Fewer municipalities than this solve their stand-alone plans in this process. A
        stand-alone model is tiny (a few dozen variables, ~20 ms a solve); for the
        sample's nine municipalities the solves take 0.17 s inline and 0.20 s in a pool of
        two workers, whose start-up and pickling cost more than they save.
    """

    solver: str = "highs"
    time_limit_s: float = 120.0
    mip_gap: float = 1e-4
    threads: int | None = None
    msg: bool = False
    options: tuple[tuple[str, object], ...] = ()
    lazy_fairness: bool = True
    guard_factor: float = 1.1
    guard_extra_s: float = 10.0
    cluster_size: int = 10
    cluster_min_municipalities: int = 20
    cluster_time_share: float = 0.4
    pool_min_municipalities: int = 16
    polish: bool = True

    @classmethod
    def from_parameters(cls, params: Parameters) -> SolverSettings:
        """The settings a workbook's ``parameters`` sheet asks for."""
        return cls(
            solver=str(params.solver or "highs"),
            time_limit_s=float(params.time_limit_s),
            mip_gap=float(params.mip_gap),
        )

    def replace(self, **changes: object) -> SolverSettings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def presolve_off(self) -> bool:
        """Whether the options switch the solver's presolve off (``presolve`` = ``off``)."""
        return any(name == "presolve" and str(value) == "off" for name, value in self.options)

    def without_presolve(self) -> SolverSettings:
        """These settings with presolve off (themselves when it already is)."""
        if self.presolve_off:
            return self
        return self.replace(options=(*self.options, ("presolve", "off")))

    def guard_seconds(self, time_limit_s: float) -> float:
        """Wall-clock seconds after which a HiGHS run is interrupted: by default its time
        limit plus 10 % and 10 s. HiGHS keeps its own limit (in this project's runs it
        stopped within 2–8 s of it); the guard is for a run that would not stop."""
        return self.guard_factor * time_limit_s + self.guard_extra_s
