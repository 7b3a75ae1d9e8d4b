"""Stand-alone and coalition costs: the same model restricted to some municipalities.

c(S) [yen/year] is the cost of the optimal plan of the model restricted to coalition
*S* (the members' municipalities, the facilities and candidates they host, agreements
only among members, the same policy rules, no fairness constraint), with the demand it
cannot serve counted at the self-provision price S_k rather than the penalty P_k. A municipality's stand-alone cost is
c({i}) (no agreements possible). Both are used by fairness and by the cost allocation
(Shapley values); they are deterministic (one solver thread, fixed model order).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from optimizer.results.accounting import unserved_premium
from optimizer.problem.data import ProblemData, Rules
from optimizer.errors import SolverError
from optimizer.solving.model import Plan
from optimizer.solving.solve import SolverSettings, Status, optimise

__all__ = [
    "restrict_problem",
    "coalition_cost",
    "standalone_costs",
    "standalone_solutions",
    "POOL_MIN_MUNICIPALITIES",
]

log = logging.getLogger(__name__)


def _restrict_rules(rules: Rules, members: set[str]) -> Rules:
    return Rules(
        banned_pairs=frozenset(p for p in rules.banned_pairs if set(p) <= members),
        keep_own=frozenset(r for r in rules.keep_own if r[0] in members),
        max_partners={k: v for k, v in rules.max_partners.items() if k in members},
        min_self_sufficiency={
            k: v for k, v in rules.min_self_sufficiency.items() if k[0] in members
        },
    )


def restrict_problem(problem: ProblemData, members: Iterable[str]) -> ProblemData:
    """The problem seen by coalition ``members`` alone.

    Keeps the members' rows of municipalities and demand, the facilities they host,
    their travel rows and rules; the area-wide capital budget still applies.
    """
    keep = {str(m) for m in members}
    codes = [c for c in problem.municipalities.index.astype(str) if c in keep]
    unknown = keep - set(codes)
    if unknown:
        raise ValueError(f"unknown municipalities: {sorted(unknown)}")
    facilities = problem.facilities[problem.facilities["municipality"].astype(str).isin(keep)]
    travel = problem.travel
    if travel is not None and len(travel):
        travel = travel[
            travel["municipality"].astype(str).isin(keep)
            & travel["facility"].astype(str).isin(facilities.index)
        ]
    return problem.replace(
        municipalities=problem.municipalities.loc[codes],
        demand=problem.demand.loc[codes],
        facilities=facilities,
        travel=travel,
        rules=_restrict_rules(problem.rules, keep),
    )


POOL_MIN_MUNICIPALITIES = 16
"""Fewer municipalities than this solve their stand-alone plans in this process.

A stand-alone model is tiny (a few dozen variables, ~20 ms a solve); for the sample's
nine municipalities the solves take 0.17 s inline and 0.20 s in a pool of two workers,
whose start-up and pickling cost more than they save.
"""


def _small_solve_settings(settings: SolverSettings) -> SolverSettings:
    """One thread and no log: deterministic, and cheap to run many at once."""
    return settings.replace(threads=1, msg=False)


def _coalition_solve(
    problem: ProblemData, members: list[str], settings: SolverSettings
) -> tuple[float, Plan]:
    sub = restrict_problem(problem, members)
    _, plan, outcome = optimise(sub, _small_solve_settings(settings), standalone=None)
    if plan is None:
        raise SolverError(f"coalition {', '.join(members)}: no plan on its own ({outcome.status})")
    if outcome.status != Status.OPTIMAL:
        log.warning("coalition %s: %s, gap %.3g", members, outcome.status, outcome.gap)
    # The municipality's own accounts price what it cannot serve at S_k, not at P_k.
    return float(outcome.objective) - unserved_premium(sub, plan.unserved), plan


def coalition_cost(
    problem: ProblemData, members: Iterable[str], settings: SolverSettings | None = None
) -> float:
    """c(S): the optimal annual cost of coalition ``members`` on its own [yen/year].

    The empty coalition costs 0. Module-level and free of state, so it can run in a
    process pool (pickle ``problem`` once per worker where you can: restrict it first
    with :func:`restrict_problem` to keep it small).

    Raises
    ------
    SolverError
        When the restricted model has no plan (e.g. a keep-own rule without an own
        facility, or a budget below the fixed outlays).
    """
    members = sorted({str(m) for m in members})
    if not members:
        return 0.0
    settings = settings or SolverSettings.from_parameters(problem.parameters)
    return _coalition_solve(problem, members, settings)[0]


def _standalone_one(args: tuple[ProblemData, str, SolverSettings]) -> tuple[float, Plan]:
    problem, code, settings = args
    return _coalition_solve(problem, [code], settings)


def _side_by_side(plans: list[Plan]) -> Plan:
    """The stand-alone plans together: one plan of the whole area, without agreements."""
    return Plan(
        open_facilities=pd.concat([p.open_facilities for p in plans]),
        flows=pd.concat([p.flows for p in plans], ignore_index=True),
        agreements=pd.DataFrame({"a": pd.Series(dtype=object), "b": pd.Series(dtype=object)}),
        unserved=pd.concat([p.unserved for p in plans], ignore_index=True),
    )


def standalone_costs(
    problem: ProblemData,
    settings: SolverSettings | None = None,
    processes: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.Series:
    """Each municipality's optimal annual cost on its own [yen/year].

    One small solve per municipality (own facilities and candidates only, no
    agreements), in ``processes`` worker processes (``None`` or 1: inline; always inline
    below :data:`POOL_MIN_MUNICIPALITIES` municipalities). Index municipality code, in
    input order.
    """
    return standalone_solutions(problem, settings, processes, progress)[0]


def standalone_solutions(
    problem: ProblemData,
    settings: SolverSettings | None = None,
    processes: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.Series, Plan]:
    """Stand-alone costs (as :func:`standalone_costs`) and the stand-alone plans side by
    side, a plan of the whole area that satisfies fairness (used as a starting solution).
    """
    settings = settings or SolverSettings.from_parameters(problem.parameters)
    codes = list(problem.municipalities.index.astype(str))
    jobs = [(restrict_problem(problem, [c]), c, settings) for c in codes]
    values = np.full(len(codes), np.nan)
    plans: list[Plan] = []
    workers = min(processes or 1, len(codes)) if len(codes) >= POOL_MIN_MUNICIPALITIES else 1
    if workers <= 1:
        results = map(_standalone_one, jobs)
        pool = None
    else:
        pool = ProcessPoolExecutor(max_workers=workers)
        results = pool.map(_standalone_one, jobs, chunksize=max(1, len(jobs) // (4 * workers)))
    try:
        for n, (value, plan) in enumerate(results):
            values[n] = value
            plans.append(plan)
            if progress is not None:
                progress(f"stand-alone {n + 1}/{len(codes)}: {codes[n]}")
    finally:
        if pool is not None:
            pool.shutdown()
    costs = pd.Series(values, index=pd.Index(codes, name="code"), name="standalone_cost")
    return costs, _side_by_side(plans)
