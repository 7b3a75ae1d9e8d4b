"""The least-core linear program of a cost game, solved with HiGHS.

    min ε  s.t.  Σ_{i∈S} x_i − ε ≤ c(S) for every proper coalition S,   Σ_i x_i = c(N)

The cost allocation (:mod:`optimizer.sharing.shapley`) states the game; this module only
solves the LP, so that the solver stays in the solving stage.
"""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np

from optimizer.solving.highs import reset_highs_threads

__all__ = ["least_excess_allocation"]


def least_excess_allocation(
    n: int, coalitions: Sequence[tuple[Sequence[int], float]], grand_value: float
) -> tuple[np.ndarray, float]:
    """The allocation x (n values) and the least excess ε of the least-core LP.

    ``coalitions`` are the proper coalitions as (player positions, c(S)); ``grand_value``
    is c(N). Values should be scaled to about 1 by the caller.

    Raises
    ------
    RuntimeError
        When HiGHS does not end optimal.
    """
    reset_highs_threads()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    columns = n + 1  # x_0 .. x_{n-1}, ε
    cost = np.zeros(columns)
    cost[n] = 1.0
    h.addCols(
        columns,
        cost,
        np.full(columns, -inf),
        np.full(columns, inf),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0),
    )
    starts: list[int] = []
    indices: list[int] = []
    coefficients: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    for cols, value in coalitions:
        starts.append(len(indices))
        indices.extend([*cols, n])
        coefficients.extend([1.0] * len(cols) + [-1.0])
        lower.append(-inf)
        upper.append(value)
    starts.append(len(indices))
    indices.extend(range(n))
    coefficients.extend([1.0] * n)
    lower.append(grand_value)
    upper.append(grand_value)
    h.addRows(
        len(lower),
        np.array(lower),
        np.array(upper),
        len(indices),
        np.array(starts, dtype=np.int32),
        np.array(indices, dtype=np.int32),
        np.array(coefficients),
    )
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"least-core LP ended with status {h.modelStatusToString(status)}")
    solution = np.array(h.getSolution().col_value)
    return solution[:n], float(solution[n])
