"""Building PuLP rows from arrays: grouped sums and named constraints."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pulp

from optimizer.errors import ModelScaleError
from optimizer.solving.pulp_compat import affine

__all__ = [
    "object_array",
    "grouped_sums",
    "add_rows",
    "as_row",
    "add_pairwise_le",
    "bounded_coefficients",
    "SMALLEST_COEFFICIENT",
    "LARGEST_COEFFICIENT",
]

SMALLEST_COEFFICIENT = 1e-6
LARGEST_COEFFICIENT = 1e6
"""Every non-zero coefficient the solver sees lies in [1e-6, 1e6]: the objective is stated
in million yen and each capacity row as shares of the capacity, so that ordinary inputs
stay well inside (the sample spans 1.4e-4 .. 3e4); beyond, double precision and the
solver's tolerances (1e-9 feasibility, 1e-6 integrality) no longer tell a plan apart."""


def object_array(items: Sequence) -> np.ndarray:
    """A 1-D numpy array of Python objects (PuLP variables are not sequences to numpy)."""
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


def bounded_coefficients(
    values: np.ndarray,
    label: Callable[[int], tuple[str, str]],
    what: str,
    what_ja: str,
    small: str,
) -> np.ndarray:
    """``values`` checked against [SMALLEST_COEFFICIENT, LARGEST_COEFFICIENT].

    A magnitude above the largest is an input no plan can be computed from reliably:
    :class:`optimizer.errors.ModelScaleError` names the term (``label(n)``: English, Japanese). Below the
    smallest, ``small`` says what to do: ``"zero"`` (an objective term worth less than a
    yen a year) or ``"floor"`` (a capacity share, rounded up so that capacity still holds).
    """
    values = np.asarray(values, dtype=float)
    size = np.abs(values)
    if size.size and np.nanmax(size) > LARGEST_COEFFICIENT:
        n = int(np.nanargmax(size))
        name, name_ja = label(n)
        raise ModelScaleError(
            f"{what} of {name} is {values[n]:.3g}, beyond what the solver can weigh "
            f"precisely (at most {LARGEST_COEFFICIENT:g}); check the inputs' units",
            ja=f"{name_ja}の{what_ja}が{values[n]:.3g}で、ソルバーが正確に扱える範囲"
            f"（{LARGEST_COEFFICIENT:g}以下）を超えます。入力の単位を確認してください",
        )
    tiny = (size > 0) & (size < SMALLEST_COEFFICIENT)
    if tiny.any():
        values = values.copy()
        values[tiny] = 0.0 if small == "zero" else np.sign(values[tiny]) * SMALLEST_COEFFICIENT
    return values


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
        affine(
            zip(
                variables[bounds[g] : bounds[g + 1]],
                coefficients[bounds[g] : bounds[g + 1]],
                strict=True,
            )
        )
        for g in range(n_groups)
    ]


def as_row(expression: pulp.LpAffineExpression, sense: int, rhs: float) -> object:
    """The row ``expression (sense) rhs``, for ``prob.addConstraint(row, name)``: the
    comparison both PuLP 3 and PuLP 4 read as a constraint (``pulp.LpConstraint`` takes
    the expression and its sense in PuLP 3 only)."""
    rhs = float(rhs)
    if sense == pulp.LpConstraintLE:
        return expression <= rhs
    if sense == pulp.LpConstraintGE:
        return expression >= rhs
    return expression == rhs


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
        prob.addConstraint(as_row(expression, sense, value), f"{family}_{key}")
    return len(keys)


def add_pairwise_le(
    prob: pulp.LpProblem, family: str, keys: Sequence[int], left: np.ndarray, right: np.ndarray
) -> int:
    """Add ``left[n] − right[n] ≤ 0`` for two equally long arrays of variables."""
    for key, x, y in zip(keys, left, right, strict=True):
        prob.addConstraint(
            as_row(affine(((x, 1.0), (y, -1.0))), pulp.LpConstraintLE, 0.0), f"{family}_{key}"
        )
    return len(keys)
