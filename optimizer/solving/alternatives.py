"""Near-optimal alternatives: the K best distinct plans, for a council to choose among.

After the best plan, each further plan is the optimum of the same model with one
no-good cut per plan found so far (:func:`optimizer.solving.model.nogood.define_excluded_plans`),
so each differs from every earlier one in at least one free keep/close/build decision.
Plans are compared by the set of facilities they open. The stand-alone costs of the
best plan's solve are reused, so fairness binds every alternative the same way.

The search stops early, with fewer than K alternatives, when no further distinct plan
exists (the cuts make the model infeasible) or the solver finds none in its time limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd

from optimizer.errors import InfeasibleError, SolverError
from optimizer.problem.data import ProblemData
from optimizer.results.ranking import Alternative
from optimizer.results.solution import Solution
from optimizer.solving.solve import SolverSettings, solve_problem
from optimizer.texts import Text

__all__ = ["find_alternatives"]

log = logging.getLogger(__name__)


def _standalone_of(solution: Solution) -> pd.Series | None:
    """The stand-alone costs the best plan was solved with (``None`` if not computed)."""
    if not solution.extras.get("standalone_computed", False):
        return None
    return solution.municipal_costs["standalone_cost"]


def find_alternatives(
    problem: ProblemData,
    best: Solution,
    k: int,
    settings: SolverSettings | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Alternative]:
    """The best plan and up to ``k`` next-best distinct plans, best first.

    Parameters
    ----------
    problem
        The problem ``best`` was solved for (after the scenario's overrides).
    best
        Its optimal plan.
    k
        Number of further plans wanted.
    settings
        Solver settings (default: from the problem's parameters).

    Returns
    -------
    list[Alternative]
        ``best`` as rank 1, then the alternatives found (at most ``k``), each checked
        independently like any plan.
    """
    ranking = [Alternative(1, best)]
    standalone = _standalone_of(best)
    for rank in range(2, k + 2):
        excluded = [alternative.open_facilities for alternative in ranking]
        if progress:
            progress(Text(f"alternative {rank - 1}/{k}", f"代替案 {rank - 1}/{k}"))
        try:
            solution = solve_problem(
                problem,
                settings,
                standalone=standalone,
                processes=1,
                exclude_plans=excluded,
                alone_unserved=best.extras.get("alone_unserved"),
            )
        except InfeasibleError:
            log.info("no further distinct plan after %d", len(ranking))
            break
        except SolverError as exc:
            log.warning("alternative %d not found: %s", rank - 1, exc)
            break
        ranking.append(Alternative(rank, solution))
    return ranking
