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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.errors import InfeasibleError, SolverError
from optimizer.results.solution import Solution
from optimizer.solving.solve import SolverSettings, solve_problem

__all__ = [
    "Alternative",
    "open_plan",
    "find_alternatives",
    "alternatives_table",
    "changed_decisions",
    "decision_differences",
    "write_alternatives",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alternative:
    """One plan of the ranking: ``rank`` 1 is the best plan, 2 the next best, ..."""

    rank: int
    solution: Solution

    @property
    def open_facilities(self) -> frozenset[str]:
        return open_plan(self.solution)


def open_plan(solution: Solution) -> frozenset[str]:
    """The ids of the facilities a plan keeps or builds."""
    facilities = solution.facilities
    return frozenset(str(j) for j in facilities.index[facilities["open"].astype(bool)])


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
            progress(f"alternative {rank - 1}/{k}")
        try:
            solution = solve_problem(
                problem, settings, standalone=standalone, processes=1, exclude_plans=excluded
            )
        except InfeasibleError:
            log.info("no further distinct plan after %d", len(ranking))
            break
        except SolverError as exc:
            log.warning("alternative %d not found: %s", rank - 1, exc)
            break
        ranking.append(Alternative(rank, solution))
    return ranking


def changed_decisions(reference: Solution, other: Solution) -> list[tuple[str, str, str]]:
    """``(facility id, decision in reference, decision in other)`` for each facility whose
    decision differs, in the reference's order."""
    before = reference.facilities["decision"]
    after = other.facilities["decision"].reindex(before.index)
    return [(j, before[j], after[j]) for j in before.index[before != after]]


def _changes(reference: Solution, other: Solution) -> list[str]:
    """``"L-02 keep→close"`` for each facility whose decision differs."""
    return [f"{j} {was}→{now}" for j, was, now in changed_decisions(reference, other)]


def alternatives_table(ranking: Sequence[Alternative]) -> pd.DataFrame:
    """One row per plan: cost, extra cost over the best, solver status, what changes.

    Columns ``rank``, ``objective`` and ``extra_cost`` [yen/year], ``extra_pct`` [%],
    ``status``, ``gap``, ``agreements`` (count), ``changes`` (count) and
    ``changed_decisions`` (text) relative to the best plan.
    """
    if not ranking:
        return pd.DataFrame()
    best = ranking[0].solution
    rows = []
    for alternative in ranking:
        solution = alternative.solution
        changes = _changes(best, solution)
        extra = solution.objective - best.objective
        rows.append(
            {
                "rank": alternative.rank,
                "objective": solution.objective,
                "extra_cost": extra,
                "extra_pct": extra / best.objective * 100 if best.objective else float("nan"),
                "status": str(solution.outcome.status),
                "gap": solution.outcome.gap,
                "agreements": len(solution.agreements),
                "changes": len(changes),
                "changed_decisions": "; ".join(changes),
            }
        )
    return pd.DataFrame(rows)


def decision_differences(ranking: Sequence[Alternative]) -> pd.DataFrame:
    """Facilities whose decision is not the same in every plan; one column per plan."""
    decisions = pd.DataFrame({f"plan {a.rank}": a.solution.facilities["decision"] for a in ranking})
    differs = decisions.nunique(axis=1) > 1
    return decisions[differs].rename_axis("facility").reset_index()


def write_alternatives(folder: Path, ranking: Sequence[Alternative]) -> dict[str, Path]:
    """Write ``alternatives.xlsx`` (ranking and differing decisions) and
    ``alternatives.json`` into a run folder; returns the files by name."""
    from optimizer.runs.compare import write_tables
    from optimizer.outputs.files import write_json

    folder = Path(folder)
    table = alternatives_table(ranking)
    differences = decision_differences(ranking)
    xlsx = write_tables(
        folder / "alternatives.xlsx",
        {"alternatives": table, "differences": differences},
        money_columns=("objective", "extra_cost"),
    )
    document = {
        "plans": [
            {
                **row,
                "open_facilities": sorted(ranking[n].open_facilities),
            }
            for n, row in enumerate(table.to_dict("records"))
        ],
        "differences": differences.to_dict("records"),
    }
    json_path = write_json(folder / "alternatives.json", document)
    return {"alternatives.xlsx": xlsx, "alternatives.json": json_path}
