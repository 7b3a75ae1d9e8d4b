"""The decision variables, named by internal index only (never by user text)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pulp

from optimizer.solving.model.expressions import object_array
from optimizer.solving.model.index import ModelIndex

__all__ = ["ModelVariables", "define_variables"]


@dataclass(frozen=True)
class ModelVariables:
    """Arrays of PuLP variables aligned with the rows of the :class:`ModelIndex`.

    open_
        open[j] ∈ {0, 1}, one per facility (``facility_ids``).
    use
        use[i, j] ∈ [0, 1], one per arc (``arcs``).
    agree
        agree[a, b] ∈ {0, 1}, one per pair (``pairs``); empty when agreements are derived.
    unserved
        unserved[p, k] ∈ [0, 1] (share of demand), one per row of ``demands``.
    covered
        The coverage rule's c[p, k] ∈ [0, 1], each with the facility positions whose
        opening covers it (added by :func:`.policy.define_coverage`).
    """

    open_: np.ndarray
    use: np.ndarray
    agree: np.ndarray
    unserved: np.ndarray
    covered: list[tuple[pulp.LpVariable, list[int]]] = field(default_factory=list)


def define_variables(prob: pulp.LpProblem, index: ModelIndex) -> ModelVariables:
    """Create every variable of the model (bounds from the variables' domains)."""
    return ModelVariables(
        open_=object_array(
            [
                prob.add_variable(f"open_{j}", 0, 1, pulp.LpBinary)
                for j in range(len(index.facility_ids))
            ]
        ),
        use=object_array([prob.add_variable(f"use_{a}", 0, 1) for a in range(len(index.arcs))]),
        agree=object_array(
            [prob.add_variable(f"agree_{p}", 0, 1, pulp.LpBinary) for p in range(len(index.pairs))]
        ),
        unserved=object_array(
            [prob.add_variable(f"unserved_{d}", 0, 1) for d in range(len(index.demands))]
        ),
    )
