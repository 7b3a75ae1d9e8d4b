"""A ranking of plans (the best and its next-best alternatives) as tables.

Plans are compared by their keep / close / build decisions and their cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from optimizer.results.solution import Solution

__all__ = [
    "Alternative",
    "open_plan",
    "alternatives_table",
    "changed_decisions",
    "decision_differences",
]


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
