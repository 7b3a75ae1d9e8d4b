"""Constraint families of policy: statuses, keep-own, partners, banned pairs,
self-sufficiency and capital budgets.

Which rule applies to whom is read by :mod:`optimizer.problem.rules`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp

from optimizer.problem.rules import (
    area_floors,
    coverage_goal,
    coverage_own_sites,
    coverage_targets,
    keep_own_targets,
    partner_limits,
    self_sufficiency_targets,
)
from optimizer.solving.model.expressions import add_rows, as_row, grouped_sums
from optimizer.solving.model.index import ModelIndex
from optimizer.solving.model.variables import ModelVariables
from optimizer.solving.pulp_compat import affine

__all__ = [
    "define_fixed_status",
    "define_keep_own",
    "define_max_partners",
    "define_banned_pairs",
    "define_self_sufficiency",
    "define_capital_budget",
    "define_coverage",
]


def define_fixed_status(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """Fixed statuses, as bounds.

    .. math:: open_j = 1 \\;(status_j = keep), \\qquad open_j = 0 \\;(status_j = close)

    For a candidate, ``keep`` means it must be built and ``close`` that it must not.
    Returns the number of variables fixed.
    """
    keep = np.flatnonzero(index.status == "keep")
    close = np.flatnonzero(index.status == "close")
    for variable in var.open_[keep]:
        variable.lowBound = 1
    for variable in var.open_[close]:
        variable.upBound = 0
    return int(keep.size + close.size)


def define_keep_own(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """Keep at least one own facility of a type.

    .. math:: \\sum_{j: h(j)=i,\\, k(j)=k} open_j \\ge 1 \\quad \\forall (i,k) \\in KeepOwn

    ``KeepOwn`` from :func:`optimizer.problem.rules.keep_own_targets`. A rule for a
    municipality without such a facility makes the model infeasible (diagnosed after
    the solve by :mod:`optimizer.results.explain`).
    """
    targets = keep_own_targets(index.problem)
    if targets.empty:
        return 0
    target_i = index.codes.get_indexer(targets["municipality"])
    target_k = index.types.get_indexer(targets["type"])
    row = pd.Series(np.arange(len(targets)), index=pd.MultiIndex.from_arrays([target_i, target_k]))
    found = row.reindex(
        pd.MultiIndex.from_arrays([index.facility_host, index.facility_type])
    ).to_numpy(float)
    members = np.flatnonzero(~np.isnan(found))
    groups = found[members].astype(int)
    expressions = grouped_sums(groups, var.open_[members], np.ones(members.size), len(targets))
    return add_rows(prob, "keep_own", range(len(targets)), expressions, pulp.LpConstraintGE, 1.0)


def define_max_partners(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """At most n_i agreements per municipality.

    .. math:: \\sum_{b} agree_{\\{i,b\\}} \\le n_i \\quad \\forall i \\text{ with a limit}

    Rows only where the municipality has more possible partners than its limit.
    """
    limits = partner_limits(index.problem)
    if limits.empty or index.pairs.empty:
        return 0
    pairs = index.pairs
    ends = np.concatenate([pairs["ia"].to_numpy(), pairs["ib"].to_numpy()])
    agree = np.concatenate([var.agree, var.agree])
    limit_of = np.full(len(index.codes), -1)
    limit_of[index.codes.get_indexer(limits.index)] = limits.to_numpy()
    possible = np.bincount(ends, minlength=len(index.codes))
    rows = np.flatnonzero((limit_of >= 0) & (possible > limit_of))
    if rows.size == 0:
        return 0
    row_of = np.full(len(index.codes), -1)
    row_of[rows] = np.arange(rows.size)
    keep = row_of[ends] >= 0
    expressions = grouped_sums(row_of[ends][keep], agree[keep], np.ones(keep.sum()), rows.size)
    return add_rows(prob, "max_partners", rows, expressions, pulp.LpConstraintLE, limit_of[rows])


def define_banned_pairs(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """No use across a border where the pair may not cooperate, as bounds.

    .. math:: use_{ij} = 0 \\quad \\forall (i,j): h(j) \\ne i,\\;
              \\{i, h(j)\\} \\text{ banned, or } \\neg may\\_share_i \\text{ or } \\neg may\\_share_{h(j)}

    Such pairs get no agreement variable either. Returns the number of arcs closed.
    """
    arcs = index.arcs
    closed = np.flatnonzero(
        arcs["needs_agreement"].to_numpy(bool) & ~arcs["allowed"].to_numpy(bool)
    )
    for variable in var.use[closed]:
        variable.upBound = 0
    return int(closed.size)


def define_self_sufficiency(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """A least share of demand served by the municipality's own facilities.

    .. math:: \\sum_{p \\in i} \\frac{D_{pk}}{D_{ik}} \\Big(\\sum_{j: h(j)=i} use_{pj}
              + unserved_{pk}\\Big) \\ge s_{ik} \\quad \\forall (i,k): s_{ik} > 0

    Demand left unserved counts towards the share, so that a municipality whose own
    facilities cannot reach s_ik shows it as (heavily priced) unserved demand instead of
    making the whole model infeasible.
    """
    targets = self_sufficiency_targets(index.problem)
    if targets.empty:
        return 0
    demands = index.demands
    # Each (point, type) row belongs to its municipality's (i, k) target, weighted by
    # the point's part of the municipality's demand, D[p, k] / D[i, k].
    target_of = pd.Series(
        np.arange(len(targets)),
        index=pd.MultiIndex.from_arrays([targets["municipality"], targets["type"]]),
    )
    row_of = target_of.reindex(
        pd.MultiIndex.from_arrays([demands["municipality"], demands["type"]])
    ).to_numpy(float)
    amount = demands["demand"].to_numpy(float)
    ruled = ~np.isnan(row_of)
    totals = np.bincount(row_of[ruled].astype(int), amount[ruled], len(targets))
    weight = np.zeros(len(demands))
    weight[ruled] = amount[ruled] / totals[row_of[ruled].astype(int)]
    arcs = index.arcs
    dkey = arcs["dkey"].to_numpy()
    own = np.flatnonzero(~arcs["cross"].to_numpy(bool) & ruled[dkey])
    rows = np.flatnonzero(ruled)
    groups = np.concatenate([row_of[dkey[own]], row_of[rows]]).astype(int)
    variables = np.concatenate([var.use[own], var.unserved[rows]])
    coefficients = np.concatenate([weight[dkey[own]], weight[rows]])
    expressions = grouped_sums(groups, variables, coefficients, len(targets))
    return add_rows(
        prob,
        "self_sufficiency",
        range(len(targets)),
        expressions,
        pulp.LpConstraintGE,
        targets["share"].to_numpy(),
    )


def define_capital_budget(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """Capital spending over the horizon within the area's and each municipality's budget.

    .. math:: \\sum_j C_j \\, open_j \\le B, \\qquad
              \\sum_{j: h(j)=i} C_j \\, open_j \\le B_i

    C_j [yen] is the facility's undiscounted capital outlay over the horizon if kept or
    built (``capital_cost``); closing a facility spends nothing. B from the parameter
    ``capital_budget``, B_i from the municipalities' ``capital_budget`` (blank: none).
    """
    spends = np.flatnonzero((index.capital_cost > 0) & (index.status != "close"))
    count = 0
    area_budget = index.problem.parameters.capital_budget
    if area_budget is not None and spends.size:
        expression = grouped_sums(
            np.zeros(spends.size), var.open_[spends], index.capital_cost[spends], 1
        )
        count += add_rows(prob, "capital_area", [0], expression, pulp.LpConstraintLE, area_budget)
    budgets = index.problem.municipalities["capital_budget"].astype(float)
    budgets = budgets.reindex(index.codes).to_numpy(float)
    limited = np.flatnonzero(~np.isnan(budgets))
    limited = limited[np.isin(limited, index.facility_host[spends])]
    if limited.size == 0:
        return count
    row_of = np.full(len(index.codes), -1)
    row_of[limited] = np.arange(limited.size)
    members = spends[row_of[index.facility_host[spends]] >= 0]
    expressions = grouped_sums(
        row_of[index.facility_host[members]],
        var.open_[members],
        index.capital_cost[members],
        limited.size,
    )
    return count + add_rows(
        prob, "capital", limited, expressions, pulp.LpConstraintLE, budgets[limited]
    )


def define_area_floor(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """Each elderly-care planning area (老人福祉圏域) keeps at least its floor of capacity.

    .. math:: \\sum_{j:\\, h(j) \\in A,\\, k(j)=k} cap_j \\, open_j \\ge floor_{A,k}
              \\quad \\forall (A, k) \\text{ with a floor}

    The prefecture plans care capacity per area; floors from
    :func:`optimizer.problem.rules.area_floors` (today's capacity, or a number of places
    per resident aged 75+). Each row is divided by its floor. Returns the number of rows.
    """
    floors = area_floors(index.problem)
    if floors.empty:
        return 0
    hosts = np.where(
        index.facility_host >= 0, index.codes.to_numpy(dtype=object)[index.facility_host], None
    )
    expressions, keys, rows = [], [], 0
    for n, row in enumerate(floors.itertuples(index=False)):
        kind = index.types.get_loc(row.type)
        members = np.isin(hosts, list(row.members)) & (index.facility_type == kind)
        sites = np.flatnonzero(members & (index.capacity > 0))
        expressions.append(
            affine(zip(var.open_[sites], (index.capacity[sites] / row.floor).tolist(), strict=True))
        )
        keys.append(n)
        rows += 1
    return add_rows(prob, "area_floor", keys, expressions, pulp.LpConstraintGE, 1.0)


def define_coverage(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> int:
    """At least a share of each municipality's residents within a distance of an open facility.

    .. math:: c_{pk} \\le \\sum_{j:\\, k(j)=k,\\, d(p,j) \\le r_k} open_j, \\qquad
              \\sum_{p \\in i} \\frac{D_{pk}}{D_{ik}}\\, c_{pk} \\ge g_{ik}, \\qquad 0 \\le c_{pk} \\le 1

    r_k the type's ``coverage_km``, g_ik its ``coverage_share`` (or what the municipality's
    own facilities and candidates and those open to all could reach, if less:
    :func:`coverage_goal`, :func:`coverage_own_sites`); residents counted in the
    type's demand basis. Any open facility counts, whoever hosts it. c_pk ("point p is
    covered") are continuous: at a plan's binaries c_pk = 1 exactly when some facility
    within r_k is open. Returns the number of rows.
    """
    targets = coverage_targets(index.problem)
    if targets.empty:
        return 0
    demands = index.demands
    arcs = index.arcs
    rows = 0
    for n, target in enumerate(targets.itertuples(index=False)):
        i, k = index.codes.get_loc(target.municipality), index.types.get_loc(target.type)
        members = demands[(demands["i"] == i) & (demands["k"] == k)]
        weights = members["demand"].to_numpy(float) / members["demand"].sum()
        near = arcs[(arcs["k"] == k) & (arcs["distance_km"] <= target.km + 1e-9)]
        sites = near.groupby("dkey")["j"].apply(list)
        own = coverage_own_sites(index.problem, target.municipality)
        terms, reachable = [], 0.0
        for dkey, weight in zip(members.index, weights, strict=True):
            if dkey not in sites.index:
                continue
            covered = prob.add_variable(f"covered_{n}_{dkey}", 0, 1)
            link = affine([(covered, 1.0)])
            link -= pulp.lpSum(var.open_[j] for j in set(sites[dkey]))
            prob.addConstraint(as_row(link, pulp.LpConstraintLE, 0.0), f"cover_{n}_{dkey}")
            terms.append((covered, float(weight)))
            var.covered.append((covered, sorted(set(sites[dkey]))))
            if own[sites[dkey]].any():
                reachable += float(weight)
            rows += 1
        goal = coverage_goal(target.share, reachable)
        if goal <= 0:
            continue
        prob.addConstraint(as_row(affine(terms), pulp.LpConstraintGE, goal), f"coverage_{n}")
        rows += 1
    return rows
