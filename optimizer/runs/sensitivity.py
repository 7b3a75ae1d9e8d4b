"""Sensitivity: the plan again with each lever ±20 %, one at a time.

For every lever of :mod:`optimizer.problem.levers` and each factor (0.8 and 1.2 by
default) the problem is scaled and solved with the base run's solver settings (and
stand-alone costs of its own); the table says what the area would pay,
save and close. A council reads it as "how much does the recommendation depend on
this assumption?"; the report draws it as a tornado chart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import pandas as pd

from optimizer.errors import OptimizerError
from optimizer.problem.data import ProblemData
from optimizer.problem.levers import LEVER_NAMES_JA, LEVERS, scaled_problem
from optimizer.results.solution import Solution
from optimizer.solving.settings import SolverSettings
from optimizer.solving.solve import solve_problem
from optimizer.texts import Text

__all__ = ["SENSITIVITY_FACTORS", "plan_figures", "sensitivity"]

log = logging.getLogger(__name__)

SENSITIVITY_FACTORS = (0.8, 1.2)


def plan_figures(problem: ProblemData, solution: Solution) -> dict[str, object]:
    """The figures of one plan a sensitivity row shows (yen/year, counts, units)."""
    costs = solution.municipal_costs
    alone = float(costs["standalone_cost"].sum())
    shared = float(costs["plan_cost"].sum())
    decisions = solution.facilities
    row: dict[str, object] = {
        "status": solution.outcome.status.value,
        "standalone_cost": alone,
        "plan_cost": shared,
        "saving": alone - shared,
        "saving_share": (alone - shared) / alone if alone else float("nan"),
        "agreements": len(solution.agreements),
        "unserved": float(solution.unserved["demand"].sum()) if len(solution.unserved) else 0.0,
    }
    for kind in problem.types:
        of_type = decisions[decisions["type"] == kind]
        row[f"closed_{kind}"] = int((of_type["decision"] == "close").sum())
        row[f"built_{kind}"] = int((of_type["decision"] == "build").sum())
    return row


def sensitivity(
    problem: ProblemData,
    settings: SolverSettings,
    base: Solution,
    factors: Sequence[float] = SENSITIVITY_FACTORS,
    levers: Sequence[str] = LEVERS,
    progress: Callable[[str], None] | None = None,
    processes: int | None = 1,
) -> pd.DataFrame:
    """One row for the base plan, then one per lever and factor.

    Columns ``lever`` (``base`` for the base plan), ``factor`` and those of
    :func:`plan_figures`; a variant without a plan gets its ``status`` (the error's
    headline) and NaN figures.
    """
    rows = [{"lever": "base", "factor": 1.0, **plan_figures(problem, base)}]
    for lever in levers:
        for factor in factors:
            name = Text(lever, LEVER_NAMES_JA.get(lever, lever))
            if progress is not None:
                progress(
                    Text(f"sensitivity: {lever} × {factor:g}", f"感度分析: {name.ja} × {factor:g}")
                )
            variant = scaled_problem(problem, lever, factor)
            try:
                solution = solve_problem(variant, settings, processes=processes)
            except OptimizerError as exc:
                log.warning("sensitivity %s × %g: %s", name, factor, exc)
                rows.append({"lever": lever, "factor": factor, "status": type(exc).__name__})
                continue
            rows.append({"lever": lever, "factor": factor, **plan_figures(variant, solution)})
    return pd.DataFrame(rows)
