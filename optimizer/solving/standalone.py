"""Stand-alone and coalition costs: the same model restricted to some municipalities.

c(S) [yen/year] is the cost of the optimal plan of the model restricted to coalition
*S* (the members' municipalities, the facilities and candidates they host, agreements
only among members, the same policy rules, no fairness constraint), with the demand it
cannot serve counted at the self-provision price S_k rather than the penalty P_k. A municipality's stand-alone cost is
c({i}) (no agreements possible). Both are used by fairness and by the cost allocation
(Shapley values); they are deterministic (one solver thread, fixed model order).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from optimizer.errors import NoPlanInTimeError, SolverError
from optimizer.problem.data import ProblemData
from optimizer.problem.names import municipality_label
from optimizer.problem.restrict import restrict_problem
from optimizer.results.accounting import unserved_premium
from optimizer.results.explain import infeasible_error
from optimizer.results.outcome import Status
from optimizer.results.plan import Plan, side_by_side
from optimizer.solving.optimise import optimise
from optimizer.solving.settings import SolverSettings
from optimizer.texts import Text

__all__ = [
    "renewal_problem",
    "renewal_baseline",
    "coalition_cost",
    "standalone_costs",
    "standalone_solutions",
]

log = logging.getLogger(__name__)

NO_AGREEMENTS = pd.DataFrame({"a": pd.Series(dtype=object), "b": pd.Series(dtype=object)})
"""The stand-alone plans side by side have no agreement."""


def _small_solve_settings(settings: SolverSettings) -> SolverSettings:
    """One thread and no log: deterministic, and cheap to run many at once."""
    return settings.replace(threads=1, msg=False)


def _coalition_solve(
    problem: ProblemData, members: list[str], settings: SolverSettings
) -> tuple[float, Plan]:
    sub = restrict_problem(problem, members)
    _, plan, outcome = optimise(sub, _small_solve_settings(settings), standalone=None)
    if outcome.status == Status.INFEASIBLE:
        who = "、".join(municipality_label(sub, c) for c in members)
        raise infeasible_error(sub, None, who=who)
    if plan is None:
        if outcome.status == Status.NO_SOLUTION:
            raise NoPlanInTimeError(
                f"the solver stopped without a plan for {', '.join(members)} on its own "
                f"({outcome.status}); try a longer time limit than {settings.time_limit_s:g} s"
            )
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
    with :func:`optimizer.problem.restrict.restrict_problem` to keep it small).

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


def standalone_costs(
    problem: ProblemData,
    settings: SolverSettings | None = None,
    processes: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.Series:
    """Each municipality's optimal annual cost on its own [yen/year].

    One small solve per municipality (own facilities and candidates only, no
    agreements), in ``processes`` worker processes (``None`` or 1: inline; always inline
    below ``settings.pool_min_municipalities`` municipalities). Index municipality code, in
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
    workers = (
        min(processes or 1, len(codes)) if len(codes) >= settings.pool_min_municipalities else 1
    )
    results: Iterator[tuple[float, Plan]]
    pool: ProcessPoolExecutor | None = None
    if workers <= 1:
        results = map(_standalone_one, jobs)
    else:
        pool = ProcessPoolExecutor(max_workers=workers)
        results = pool.map(_standalone_one, jobs, chunksize=max(1, len(jobs) // (4 * workers)))
    try:
        for n, (value, plan) in enumerate(results):
            values[n] = value
            plans.append(plan)
            if progress is not None:
                en, ja = (municipality_label(problem, codes[n], lang) for lang in ("en", "ja"))
                step = f"{n + 1}/{len(codes)}"
                progress(Text(f"stand-alone {step}: {en}", f"単独の場合の費用 {step}: {ja}"))
    finally:
        if pool is not None:
            pool.shutdown()
    costs = pd.Series(values, index=pd.Index(codes, name="code"), name="standalone_cost")
    return costs, dataclasses.replace(side_by_side(plans), agreements=NO_AGREEMENTS)


def renewal_problem(problem: ProblemData) -> ProblemData:
    """The problem in which every existing facility is renewed as it is and nothing is built.

    The 公共施設等総合管理計画's point of departure (the MIC method's "renew everything"):
    every existing facility's status ``keep``, every candidate's ``close``, and no
    capital budget (the baseline says what renewing everything costs, budget or not).
    """
    facilities = problem.facilities.copy()
    candidate = facilities["is_candidate"].astype(bool).to_numpy()
    facilities["status"] = np.where(candidate, "close", "keep")
    municipalities = problem.municipalities.assign(capital_budget=np.nan)
    return problem.replace(
        facilities=facilities,
        municipalities=municipalities,
        parameters=problem.parameters.replace(capital_budget=None),
    )


def renewal_baseline(
    problem: ProblemData,
    settings: SolverSettings | None = None,
    processes: int | None = None,
) -> tuple[pd.Series, Plan]:
    """Each municipality's annual cost when it renews every facility it has and shares
    nothing [yen/year], and that plan (residents use their own facilities; what these
    cannot hold within the headroom is priced at the self-provision cost, as in the
    stand-alone costs). Every binary is fixed, so each solve is a small LP."""
    return standalone_solutions(renewal_problem(problem), settings, processes)
