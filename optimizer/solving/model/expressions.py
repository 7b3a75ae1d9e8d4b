"""Building PuLP rows from arrays: grouped sums and named constraints."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pulp

__all__ = ["object_array", "grouped_sums", "add_rows", "add_pairwise_le"]


def object_array(items: Sequence) -> np.ndarray:
    """A 1-D numpy array of Python objects (PuLP variables are not sequences to numpy)."""
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


def grouped_sums(
    groups: np.ndarray, variables: np.ndarray, coefficients: np.ndarray, n_groups: int
) -> list[pulp.LpAffineExpression]:
    """Σ_n coefficient[n] · variable[n] over the terms of each group.

    ``groups[n]`` in ``0 .. n_groups-1`` names the group of term *n*; a variable must
    appear at most once per group. Groups without terms get an empty expression.
    """
    groups = np.asarray(groups, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[order], np.arange(n_groups + 1))
    variables = variables[order]
    coefficients = np.asarray(coefficients, dtype=float)[order].tolist()
    return [
        pulp.LpAffineExpression(
            zip(
                variables[bounds[g] : bounds[g + 1]],
                coefficients[bounds[g] : bounds[g + 1]],
                strict=True,
            )
        )
        for g in range(n_groups)
    ]


def add_rows(
    prob: pulp.LpProblem,
    family: str,
    keys: Sequence[int] | np.ndarray,
    expressions: Sequence[pulp.LpAffineExpression],
    sense: int,
    rhs: Sequence[float] | np.ndarray | float,
) -> int:
    """Add ``expression[n] (sense) rhs[n]`` named ``{family}_{keys[n]}``; returns the count."""
    rhs_values = np.broadcast_to(np.asarray(rhs, dtype=float), (len(keys),)).tolist()
    for key, expression, value in zip(keys, expressions, rhs_values, strict=True):
        prob.addConstraint(pulp.LpConstraint(expression, sense, f"{family}_{key}", value))
    return len(keys)


def add_pairwise_le(
    prob: pulp.LpProblem, family: str, keys: Sequence[int], left: np.ndarray, right: np.ndarray
) -> int:
    """Add ``left[n] − right[n] ≤ 0`` for two equally long arrays of variables."""
    for key, x, y in zip(keys, left, right, strict=True):
        prob.addConstraint(
            pulp.LpConstraint(
                pulp.LpAffineExpression(((x, 1.0), (y, -1.0))),
                pulp.LpConstraintLE,
                f"{family}_{key}",
                0.0,
            )
        )
    return len(keys)
