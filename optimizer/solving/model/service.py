"""Constraint families of service: demand, capacity, linking, agreements.

Notation: arcs *a* = (i, j) of :attr:`ModelIndex.arcs`, D[i, k] the demand of *i* for
type *k* [capacity unit], cap[j] the capacity of *j*, h(j) its host.
"""

from __future__ import annotations

import numpy as np
import pulp

from optimizer.solving.model.expressions import (
    add_pairwise_le,
    add_rows,
    bounded_coefficients,
    grouped_sums,
)
from optimizer.solving.model.index import ModelIndex
from optimizer.solving.model.variables import ModelVariables

__all__ = [
    "define_demand",
    "define_capacity",
    "define_total_capacity",
    "define_linking",
    "define_agreements",
]


def define_demand(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """Every unit of demand is served or reported unserved.

    .. math:: \\sum_{j:(i,j)} use_{ij} + unserved_{ik} = 1 \\quad \\forall (i,k): D_{ik} > 0

    Municipalities with no demand for a type have no row (and no arcs of that type).
    """
    n = len(index.demands)
    if n == 0:
        return 0
    arcs = index.arcs
    groups = np.concatenate([arcs["dkey"].to_numpy(), np.arange(n)])
    variables = np.concatenate([var.use, var.unserved])
    expressions = grouped_sums(groups, variables, np.ones(len(variables)), n)
    return add_rows(prob, "demand", range(n), expressions, pulp.LpConstraintEQ, 1.0)


def define_capacity(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """Demand served by a facility fits its capacity, and only if it is open.

    .. math:: \\sum_{i:(i,j)} \\frac{D_{ik(j)}}{cap_j} \\, use_{ij} - u_{k(j)} \\, open_j \\le 0
              \\quad \\forall j

    u_k is the type's ``max_utilisation`` (headroom: the plan fills at most that share of
    a facility's capacity, leaving room for growth).

    Only facilities with at least one arc have a row. Each row is divided by cap_j, so
    that its coefficients are shares of the capacity rather than demands of up to
    millions of visits (and :func:`define_total_capacity` by the type's total demand):
    on ``synthetic_problem(200, 5000)`` HiGHS reports the matrix range [5e-5, 4e2] and
    right-hand sides [1, 1] instead of [1, 4e6] and [1, 9e7], and no longer warns that
    the model is badly scaled. The real Tama case (30 municipalities, 602 facilities)
    then solved to the 0.1 % gap well inside its 240 s limit, where it had stopped at the
    limit with a 0.171 % gap; the 120 s gap of 200/5,000 did not move (4.58 % against
    4.49 %). See ``benchmarks/README.md`` for the figures.
    """
    arcs = index.arcs
    if arcs.empty:
        return 0
    served = np.unique(arcs["j"].to_numpy())
    row_of = np.full(len(index.facility_ids), -1)
    row_of[served] = np.arange(len(served))
    groups = np.concatenate([row_of[arcs["j"].to_numpy()], np.arange(len(served))])
    variables = np.concatenate([var.use, var.open_[served]])
    capacity = index.capacity[arcs["j"].to_numpy()]
    shares = bounded_coefficients(
        arcs["demand"].to_numpy(float) / capacity,
        lambda n: (
            f"{arcs['municipality'].iloc[n]} → {arcs['facility'].iloc[n]}",
            f"{arcs['municipality'].iloc[n]}から{arcs['facility'].iloc[n]}",
        ),
        "demand as a share of the facility's capacity",
        "需要の施設容量に対する比",
        small="floor",
    )
    coefficients = np.concatenate([shares, -index.utilisation[served]])
    expressions = grouped_sums(groups, variables, coefficients, len(served))
    return add_rows(prob, "capacity", served, expressions, pulp.LpConstraintLE, 0.0)


def define_total_capacity(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """The open capacity of each type covers the area's served demand (a valid inequality).

    .. math:: \\sum_{j: k(j)=k} \\frac{u_k \\, cap_j}{T_k} \\, open_j + \\sum_i \\frac{D_{ik}}{T_k} \\,
              unserved_{ik} \\ge 1, \\quad T_k = \\sum_i D_{ik} \\quad \\forall k

    Implied by demand and capacity, so it changes no plan; it gives the solver a knapsack
    row to cut on, which closes the gap of capacitated instances much faster.
    """
    demands = index.demands
    if demands.empty:
        return 0
    n_types = len(index.types)
    groups = np.concatenate([index.facility_type, demands["k"].to_numpy()])
    variables = np.concatenate([var.open_, var.unserved])
    totals = np.bincount(demands["k"].to_numpy(), demands["demand"].to_numpy(float), n_types)
    scale = np.divide(1.0, totals, out=np.zeros(n_types), where=totals > 0)
    coefficients = np.concatenate(
        [
            index.utilisation * index.capacity * scale[index.facility_type],
            demands["demand"].to_numpy(float) * scale[demands["k"].to_numpy()],
        ]
    )
    rows = np.flatnonzero(totals > 0)
    expressions = grouped_sums(groups, variables, coefficients, n_types)
    return add_rows(
        prob, "total_capacity", rows, [expressions[k] for k in rows], pulp.LpConstraintGE, 1.0
    )


def define_linking(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """Nobody is assigned to a closed facility (the tight form of the capacity link).

    .. math:: use_{ij} \\le open_j \\quad \\forall (i,j)
    """
    arcs = index.arcs
    if arcs.empty:
        return 0
    return add_pairwise_le(prob, "link", range(len(arcs)), var.use, var.open_[arcs["j"].to_numpy()])


def define_agreements(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """Using a facility of another municipality takes an agreement with its host.

    .. math:: \\sum_{j:\\,h(j)=b,\\,k(j)=k} use_{ij} \\le agree_{\\{i, b\\}}
              \\quad \\forall (i, k, b): b \\ne i

    One row per municipality, type and host, over that host's facilities of the type.
    Since each municipality's shares of a type add up to at most 1 (:func:`define_demand`),
    this is tighter than one row per arc (use_ij ≤ agree, which it implies) and has far
    fewer rows: 7,024 against 76,590 on ``synthetic_problem(200, 5000)``.

    Only when the model carries agreement variables; pairs that may not cooperate have no
    variable and their arcs are closed by :func:`optimizer.solving.model.policy.define_banned_pairs`.
    """
    if not index.with_agreements:
        return 0
    arcs = index.arcs
    pair = arcs["pair"].to_numpy()
    rows = np.flatnonzero(pair >= 0)
    if rows.size == 0:
        return 0
    keys = np.column_stack([arcs["dkey"].to_numpy()[rows], pair[rows]])
    unique, group_of = np.unique(keys, axis=0, return_inverse=True)
    n = len(unique)
    groups = np.concatenate([group_of.ravel(), np.arange(n)])
    variables = np.concatenate([var.use[rows], var.agree[unique[:, 1]]])
    coefficients = np.concatenate([np.ones(rows.size), -np.ones(n)])
    expressions = grouped_sums(groups, variables, coefficients, n)
    return add_rows(prob, "agreement", range(n), expressions, pulp.LpConstraintLE, 0.0)
