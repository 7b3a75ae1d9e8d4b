"""Fairness (individual rationality): nobody pays more under the plan than alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp

from optimizer.solving.model.expressions import add_rows, grouped_sums
from optimizer.solving.model.index import ModelIndex, arc_travel_costs, per_demand
from optimizer.solving.model.variables import ModelVariables

__all__ = [
    "municipal_cost_terms",
    "fairness_limits",
    "municipal_costs_at",
    "unfair_municipalities",
    "define_fairness",
    "define_served_as_alone",
    "unserved_shares",
    "FAIRNESS_ALLOWANCE",
]

FAIRNESS_ALLOWANCE = 1e-9
"""Relative numerical allowance on the fairness rows' right-hand side (floor 0.01 yen)."""


def municipal_cost_terms(
    index: ModelIndex, var: ModelVariables
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The terms (municipality, variable, coefficient) of each municipality's plan cost.

    .. math::

        cost_i = \\sum_{j: h(j)=i} F_j\\, open_j
               + \\sum_{(i,j): h(j)\\ne i} u_j D_{ik} use_{ij}
               - \\sum_{(i',j): h(j)=i,\\, i'\\ne i} u_j D_{i'k} use_{i'j}
               + \\sum_{(i,j)} t_k D_{ik} d_{ij} use_{ij}
               + \\tfrac12 G \\sum_b agree_{\\{i,b\\}}
               + \\sum_k S_k D_{ik} unserved_{ik}

    F_j annual cost [yen/year], u_j = F_j / cap_j unit cost [yen/unit], t_k travel cost
    [yen/unit/km], d_ij access distance [km], G agreement fixed cost [yen/year], S_k the
    cost to *i* of providing a unit of type k itself [yen/unit] (the price of demand the
    plan leaves unserved in each municipality's own accounts). Each variable appears at most once per municipality.
    """
    params = index.problem.parameters
    arcs = index.arcs
    i = arcs["i"].to_numpy()
    h = arcs["h"].to_numpy()
    j = arcs["j"].to_numpy()
    cross = arcs["needs_agreement"].to_numpy(bool)  # payments only to a host that runs it
    travel = arc_travel_costs(index)
    payment = index.unit_cost[j] * arcs["demand"].to_numpy() * cross
    half = 0.5 * params.agreement_fixed_cost
    pairs = index.pairs
    hosted = index.facility_host >= 0  # a facility open to all may stand outside a coalition
    groups = [
        index.facility_host[hosted],
        i,
        h[cross],
        pairs["ia"].to_numpy(),
        pairs["ib"].to_numpy(),
        index.demands["i"].to_numpy(),
    ]
    variables = [var.open_[hosted], var.use, var.use[cross], var.agree, var.agree, var.unserved]
    coefficients = [
        index.annual_cost[hosted],
        travel + payment,
        -payment[cross],
        np.full(len(pairs), half),
        np.full(len(pairs), half),
        per_demand(index, "self_provision_cost"),
    ]
    return (
        np.concatenate(groups).astype(np.int64),
        np.concatenate(variables),
        np.concatenate(coefficients).astype(float),
    )


def fairness_limits(index: ModelIndex, standalone: pd.Series | None) -> np.ndarray:
    """The right-hand side (1 − s)·S_i + allowance per municipality [yen/year].

    NaN where no row applies: the parameter ``fairness`` off, no stand-alone costs, or
    no stand-alone cost for that municipality. The allowance is
    :data:`FAIRNESS_ALLOWANCE` × S_i, at least 0.01 yen.
    """
    params = index.problem.parameters
    if not params.fairness or standalone is None or len(standalone) == 0:
        return np.full(len(index.codes), np.nan)
    alone = standalone.reindex(index.codes).to_numpy(float)
    allowance = np.maximum(0.01, FAIRNESS_ALLOWANCE * np.abs(alone))
    return alone * (1.0 - params.required_saving) + allowance


def municipal_costs_at(index: ModelIndex, var: ModelVariables) -> np.ndarray:
    """cost_i of :func:`municipal_cost_terms` at the solver's current values [yen/year].

    Variables without a value count as 0.
    """
    groups, variables, coefficients = municipal_cost_terms(index, var)
    values = np.array([v.varValue or 0.0 for v in variables], dtype=float)
    return np.bincount(groups, weights=coefficients * values, minlength=len(index.codes))


def unfair_municipalities(
    index: ModelIndex, var: ModelVariables, standalone: pd.Series | None
) -> np.ndarray:
    """Positions *i* whose plan cost at the current values exceeds its fairness limit."""
    limits = fairness_limits(index, standalone)
    costs = municipal_costs_at(index, var)
    return np.flatnonzero(~np.isnan(limits) & (costs > np.nan_to_num(limits, nan=np.inf)))


def define_fairness(
    prob: pulp.LpProblem,
    index: ModelIndex,
    var: ModelVariables,
    standalone: pd.Series | None,
    only: np.ndarray | None = None,
) -> int:
    """Each municipality's plan cost is at most its stand-alone cost, less the saving asked.

    .. math:: \\frac{cost_i}{L_i} \\le 1, \\qquad
              L_i = (1 - s)\\, S_i + \\max(0.01, \\epsilon S_i) \\quad \\forall i

    with cost_i of :func:`municipal_cost_terms`, S_i the optimum of the same model
    restricted to *i* alone [yen/year], s the parameter ``required_saving``. Only when the
    parameter ``fairness`` is set; municipalities without a stand-alone cost have no row.
    ``only`` (positions *i*) restricts the rows to those municipalities, for a solve
    that adds fairness rows lazily (:func:`optimizer.solving.optimise.optimise`).

    Each row is divided by its limit L_i, so that its coefficients are shares of the
    municipality's own budget (about 1e-4 .. 1e2) instead of yen (up to 1e10): the
    same constraint, far better conditioned next to the unit-coefficient service rows.

    The right-hand side carries a numerical allowance of ε = :data:`FAIRNESS_ALLOWANCE`
    × S_i (at least 0.01 yen), so that the stand-alone plans side by side, which meet every
    row exactly in exact arithmetic, stay feasible in floating point. It is far inside
    the checker's tolerance.
    """
    limits = fairness_limits(index, standalone)
    rows = np.flatnonzero(~np.isnan(limits))
    if only is not None:
        rows = np.intersect1d(rows, np.asarray(only, dtype=np.int64))
    if rows.size == 0:
        return 0
    groups, variables, coefficients = municipal_cost_terms(index, var)
    scale = np.where(limits > 0, limits, 1.0)  # a limit ≤ 0 (never from a real S_i) stays in yen
    expressions = grouped_sums(groups, variables, coefficients / scale[groups], len(index.codes))
    return add_rows(
        prob,
        "fairness",
        rows,
        [expressions[r] for r in rows],
        pulp.LpConstraintLE,
        limits[rows] / scale[rows],
    )


def unserved_shares(plan_unserved: pd.DataFrame) -> pd.Series:
    """A plan's unserved share per (municipality, type), from its ``unserved`` table."""
    keys = pd.MultiIndex.from_arrays(
        [plan_unserved["municipality"].astype(str), plan_unserved["type"].astype(str)]
    )
    return pd.Series(plan_unserved["share"].to_numpy(float), index=keys).groupby(level=[0, 1]).sum()


SERVED_ALLOWANCE = 1e-7
"""Numerical allowance on :func:`define_served_as_alone`'s right-hand side (a share).
(At 1e-6 the solver used it: a point then read back a millionth short of its demand.)"""


def define_served_as_alone(
    prob: pulp.LpProblem,
    index: ModelIndex,
    var: ModelVariables,
    alone: pd.Series | None,
) -> int:
    """Nobody's residents are left unserved more than on their own.

    .. math:: \\sum_{p \\in i} \\frac{D_{pk}}{D_{ik}}\\, unserved_{pk} \\le U_{ik} \\quad \\forall (i,k)

    U_ik the share of i's demand for k its stand-alone plan leaves unserved (``alone``,
    keyed by (municipality, type); absent = 0). In each municipality's own accounts
    unserved demand is priced at the self-provision cost S_k, which can be below what
    serving it costs (its own small library, or its half of an agreement); without
    these rows, fairness could then be met by leaving residents unserved. The
    stand-alone plans side by side meet every row, so the rows never make the model
    infeasible. Only with fairness rows (``alone`` given and the parameter ``fairness``
    on). Returns the number of rows.
    """
    if alone is None or not index.problem.parameters.fairness:
        return 0
    demands = index.demands
    if demands.empty:
        return 0
    keys = pd.MultiIndex.from_arrays([demands["municipality"], demands["type"]])
    group_keys, groups = np.unique(
        np.column_stack([demands["i"].to_numpy(), demands["k"].to_numpy()]),
        axis=0,
        return_inverse=True,
    )
    groups = groups.ravel()
    amount = demands["demand"].to_numpy(float)
    totals = np.bincount(groups, amount, len(group_keys))
    weights = amount / totals[groups]
    limits = alone.reindex(keys).fillna(0.0).to_numpy(float)
    limit_of = np.zeros(len(group_keys))
    limit_of[groups] = limits
    expressions = grouped_sums(groups, var.unserved, weights, len(group_keys))
    return add_rows(
        prob,
        "served_as_alone",
        range(len(group_keys)),
        expressions,
        pulp.LpConstraintLE,
        np.minimum(1.0, limit_of + SERVED_ALLOWANCE),
    )
