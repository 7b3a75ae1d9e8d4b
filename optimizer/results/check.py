"""The independent check of a plan, before anything is reported.

Every constraint of the model (docs/model.md) and the objective are recomputed from the input tables
and the solution's tables with numpy/pandas, without the solver and without the model's
code: distances come again from :mod:`optimizer.problem.network`, money from
:mod:`optimizer.results.accounting`, and only the reading of which rule applies to whom is
shared with the model (:mod:`optimizer.problem.rules`). Tolerances are relative:
``tol × max(1, |reference|)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.errors import CheckError
from optimizer.problem.data import ProblemData
from optimizer.problem.network import pair_distances
from optimizer.problem.rules import (
    agreement_allowed,
    area_floors,
    coverage_goal,
    coverage_own_sites,
    coverage_targets,
    keep_own_targets,
    needs_agreement_to_use,
    partner_limits,
    self_sufficiency_targets,
    utilisation_limits,
)
from optimizer.results.accounting import (
    COST_COLUMNS,
    demand_of,
    municipal_costs,
    plan_objective,
    unserved_premium,
)
from optimizer.results.plan import municipal_flows
from optimizer.results.solution import Solution

__all__ = ["check_solution", "assert_valid"]


def _close(a, b, tol: float) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) <= tol * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))


def _open(problem: ProblemData, solution: Solution) -> pd.Series:
    return solution.facilities["open"].astype(bool).reindex(problem.facilities.index).fillna(False)


def _check_references(problem: ProblemData, solution: Solution) -> list[str]:
    found = []
    codes = set(problem.municipalities.index.astype(str))
    ids = set(problem.facilities.index.astype(str))
    for name, table, column, known in (
        ("flow", solution.flows, "municipality", codes),
        ("flow", solution.flows, "facility", ids),
        ("unserved", solution.unserved, "municipality", codes),
        ("agreement", solution.agreements, "a", codes),
        ("agreement", solution.agreements, "b", codes),
    ):
        bad = sorted(set(table[column].astype(str)) - known)
        if bad:
            found.append(f"{name} names unknown {column} {', '.join(bad[:5])}")
    missing = sorted(ids - set(solution.facilities.index.astype(str)))
    if missing:
        found.append(f"facility table lacks {', '.join(missing[:5])}")
    return found


def _check_shares(problem: ProblemData, solution: Solution, tol: float) -> list[str]:
    found = []
    for name, table in (("flow", solution.point_flows), ("unserved", solution.unserved)):
        share = table["share"].to_numpy(float)
        bad = (share < -tol) | (share > 1 + tol) | np.isnan(share)
        for _, row in table[bad].iterrows():
            found.append(f"{name} share {row['share']} of {row['municipality']} not in [0, 1]")
    return found


def _sum_by_place_and_type(
    municipalities: pd.Series, kinds: pd.Series, shares: np.ndarray
) -> pd.Series:
    """Values summed per (municipality or demand point, type), keyed by the two as text."""
    keys = [municipalities.astype(str).to_numpy(), kinds.astype(str).to_numpy()]
    return pd.Series(shares, index=pd.MultiIndex.from_arrays(keys)).groupby(level=[0, 1]).sum()


def _with_points(table: pd.DataFrame) -> pd.DataFrame:
    """A flow or unserved table with a ``point`` column (a municipality's own point if none)."""
    if "point" in table:
        return table
    return table.assign(point=table["municipality"].astype(str))


def _check_demand(problem: ProblemData, solution: Solution, tol: float) -> list[str]:
    flows = _with_points(solution.point_flows)
    kinds = problem.facilities["type"].astype(str).reindex(flows["facility"].astype(str))
    served = _sum_by_place_and_type(flows["point"], kinds, flows["share"].to_numpy(float))
    left = _with_points(solution.unserved)
    short = _sum_by_place_and_type(left["point"], left["type"], left["share"].to_numpy(float))
    demand = problem.point_demand.stack()
    demand.index = pd.MultiIndex.from_arrays(
        [demand.index.get_level_values(0).astype(str), demand.index.get_level_values(1).astype(str)]
    )
    need = demand[demand > 0]
    total = served.reindex(need.index).fillna(0.0) + short.reindex(need.index).fillna(0.0)
    bad = ~_close(total.to_numpy(), 1.0, tol)
    return [
        f"demand of {p} for {k}: served + unserved shares = {v:.6g}, not 1"
        for (p, k), v in total[bad].items()
    ]


def _check_aggregation(problem: ProblemData, solution: Solution, tol: float) -> list[str]:
    """The flows per municipality are the sums of the flows of its demand points."""
    expected = municipal_flows(problem, _with_points(solution.point_flows))
    keys = ["municipality", "facility"]
    merged = expected.merge(
        solution.flows[[*keys, "share", "distance_km"]], on=keys, how="outer", suffixes=("", "_r")
    ).fillna(0.0)
    found = []
    for column in ("share", "distance_km"):
        bad = ~_close(merged[column].to_numpy(float), merged[f"{column}_r"].to_numpy(float), tol)
        for row in merged[bad].itertuples():
            found.append(
                f"flow {row.municipality}→{row.facility}: {column} "
                f"{getattr(row, column + '_r'):.6g} is not the sum over its points "
                f"{getattr(row, column):.6g}"
            )
    return found


def _check_facilities(problem: ProblemData, solution: Solution, tol: float) -> list[str]:
    found = []
    facilities = problem.facilities
    is_open = _open(problem, solution)
    flows = _with_points(solution.point_flows)
    kinds = problem.facilities["type"].astype(str).reindex(flows["facility"].astype(str))
    amount = flows["share"].to_numpy(float) * demand_of(
        problem,
        flows["point"].astype(str).to_numpy(dtype=object),
        kinds.to_numpy(dtype=object),
        points=True,
    )
    served = (
        pd.Series(amount, index=flows["facility"].astype(str).to_numpy()).groupby(level=0).sum()
    )
    served = served.reindex(facilities.index).fillna(0.0)
    capacity = facilities["capacity"].astype(float)
    limit = (
        capacity * utilisation_limits(problem).reindex(facilities["type"].astype(str)).to_numpy()
    )
    over = served > limit + tol * np.maximum(1.0, capacity)
    for fid in facilities.index[over.to_numpy()]:
        found.append(
            f"facility {fid} serves {served[fid]:.6g} over its usable capacity {limit[fid]:.6g} "
            f"(capacity {capacity[fid]:.6g} × max_utilisation)"
        )
    closed_used = (~is_open) & (served > tol)
    for fid in facilities.index[closed_used.to_numpy()]:
        found.append(f"facility {fid} is closed but serves {served[fid]:.6g}")
    status = facilities["status"].astype(str)
    for fid in facilities.index[((status == "keep") & ~is_open).to_numpy()]:
        found.append(f"facility {fid} must stay open (status keep) but is closed")
    for fid in facilities.index[((status == "close") & is_open).to_numpy()]:
        found.append(f"facility {fid} must close (status close) but is open")
    reported = solution.facilities["served"].reindex(facilities.index).fillna(0.0)
    for fid in facilities.index[~_close(reported.to_numpy(), served.to_numpy(), tol)]:
        found.append(
            f"facility {fid} reports {reported[fid]:.6g} served, flows give {served[fid]:.6g}"
        )
    return found


def _check_distances(problem: ProblemData, solution: Solution, tol: float) -> list[str]:
    flows = _with_points(solution.point_flows)
    if flows.empty:
        return []
    found = []
    km = pair_distances(problem, flows["point"], flows["facility"])
    kinds = problem.facilities["type"].astype(str).reindex(flows["facility"].astype(str))
    limit = problem.facility_types["max_distance_km"].astype(float).reindex(kinds).to_numpy()
    too_far = km > limit + tol * np.maximum(1.0, limit)
    for n in np.flatnonzero(too_far):
        row = flows.iloc[n]
        found.append(
            f"{row['point']} ({row['municipality']}) uses {row['facility']} at {km[n]:.3f} km, "
            f"beyond the {limit[n]:g} km allowed"
        )
    stated = flows["distance_km"].to_numpy(float)
    for n in np.flatnonzero(~_close(stated, km, tol)):
        row = flows.iloc[n]
        found.append(
            f"flow {row['point']}→{row['facility']} states {stated[n]:.6g} km, "
            f"recomputed {km[n]:.6g} km"
        )
    return found


def _check_agreements(problem: ProblemData, solution: Solution) -> list[str]:
    found = []
    agreements = solution.agreements
    a = agreements["a"].astype(str).to_numpy()
    b = agreements["b"].astype(str).to_numpy()
    signed = set(zip(a, b, strict=True))
    for lo, hi in signed:
        if not lo < hi:
            found.append(f"agreement ({lo}, {hi}) is not ordered a < b")
    for n in np.flatnonzero(~agreement_allowed(problem, a, b)):
        found.append(f"agreement {a[n]}–{b[n]} is not allowed (banned pair or may_share = no)")
    flows = solution.flows
    users = flows["municipality"].astype(str).to_numpy()
    facilities = problem.facilities
    hosts = facilities["municipality"].astype(str).reindex(flows["facility"].astype(str))
    runs_it = pd.Series(needs_agreement_to_use(problem), index=facilities.index).reindex(
        flows["facility"].astype(str)
    )
    for user, host, fid, needs in zip(
        users, hosts.to_numpy(), flows["facility"].astype(str), runs_it.to_numpy(), strict=True
    ):
        if needs and user != host and (min(user, host), max(user, host)) not in signed:
            found.append(f"{user} uses {fid} of {host} without an agreement")
    limits = partner_limits(problem)
    count = pd.Series(np.concatenate([a, b])).value_counts()
    for code, limit in limits.items():
        if int(count.get(code, 0)) > limit:
            found.append(f"{code} has {int(count[code])} agreements, more than its limit {limit}")
    return found


def _check_area_floors(problem: ProblemData, solution: Solution, tol: float) -> list[str]:
    floors = area_floors(problem)
    if floors.empty:
        return []
    facilities = problem.facilities
    open_capacity = facilities["capacity"].astype(float).where(_open(problem, solution), 0.0)
    found = []
    for row in floors.itertuples(index=False):
        here = facilities["municipality"].astype(str).isin(row.members) & (
            facilities["type"].astype(str) == row.type
        )
        kept = float(open_capacity[here].sum())
        if kept < row.floor - tol * max(1.0, row.floor):
            found.append(
                f"care area {row.area} keeps {kept:.6g} of {row.type}, below its floor "
                f"{row.floor:.6g}"
            )
    return found


def _check_coverage(problem: ProblemData, solution: Solution, tol: float) -> list[str]:
    """Each coverage rule: the share of residents within its distance of an open facility."""
    targets = coverage_targets(problem)
    if targets.empty:
        return []
    facilities = problem.facilities
    is_open = _open(problem, solution).to_numpy(bool)
    usable = (facilities["status"].astype(str) != "close").to_numpy() & (
        facilities["capacity"].astype(float).to_numpy() > 0
    )
    demand = problem.point_demand
    found = []
    for row in targets.itertuples(index=False):
        points = problem.points.index[
            problem.points["municipality"].astype(str) == row.municipality
        ]
        weight = demand.loc[points, row.type].to_numpy(float)
        sites = np.flatnonzero((facilities["type"].astype(str) == row.type).to_numpy())
        if weight.sum() <= 0 or sites.size == 0:
            continue
        weight = weight / weight.sum()
        km = pair_distances(
            problem,
            np.repeat(points.to_numpy(), sites.size),
            np.tile(facilities.index[sites], len(points)),
        ).reshape(len(points), sites.size)
        near = km <= row.km + 1e-9
        own = coverage_own_sites(problem, row.municipality)[sites]
        reachable = float(weight[(near & (usable[sites] & own)).any(axis=1)].sum())
        covered = float(weight[(near & is_open[sites]).any(axis=1)].sum())
        goal = coverage_goal(row.share, reachable)
        if covered < goal - tol:
            found.append(
                f"{row.municipality}: {covered:.4g} of its residents within {row.km:g} km of an "
                f"open {row.type} facility, below the coverage rule's {goal:.4g}"
            )
    return found


def _check_keep_own(problem: ProblemData, solution: Solution) -> list[str]:
    is_open = _open(problem, solution)
    facilities = problem.facilities[is_open.to_numpy()]
    kept = set(
        zip(facilities["municipality"].astype(str), facilities["type"].astype(str), strict=True)
    )
    return [
        f"{row.municipality} must keep an own {row.type} facility ({row.source}) but keeps none"
        for row in keep_own_targets(problem).itertuples()
        if (row.municipality, row.type) not in kept
    ]


def _check_self_sufficiency(problem: ProblemData, solution: Solution, tol: float) -> list[str]:
    targets = self_sufficiency_targets(problem)
    if targets.empty:
        return []
    flows = solution.flows
    hosts = problem.facilities["municipality"].astype(str).reindex(flows["facility"].astype(str))
    kinds = problem.facilities["type"].astype(str).reindex(flows["facility"].astype(str))
    is_own = flows["municipality"].astype(str).to_numpy() == hosts.to_numpy()
    own_share = _sum_by_place_and_type(
        flows["municipality"][is_own], kinds[is_own], flows["share"].to_numpy(float)[is_own]
    )
    left = solution.unserved
    amount = left["demand"].to_numpy(float) if "demand" in left else np.zeros(len(left))
    short = _sum_by_place_and_type(left["municipality"], left["type"], amount)
    keys = pd.MultiIndex.from_arrays([targets["municipality"], targets["type"]])
    short = short.reindex(keys).fillna(0.0) / problem.demand.stack().reindex(keys).to_numpy(float)
    reached = (
        own_share.reindex(keys).fillna(0.0).to_numpy() + short.reindex(keys).fillna(0.0).to_numpy()
    )
    need = targets["share"].to_numpy(float)
    return [
        f"{i} serves {r:.4g} of its {k} demand itself (with unserved), below {s:.4g}"
        for i, k, r, s in zip(targets["municipality"], targets["type"], reached, need, strict=True)
        if r < s - tol
    ]


def _check_capital(problem: ProblemData, solution: Solution, tol: float) -> list[str]:
    found = []
    is_open = _open(problem, solution).to_numpy()
    spend = problem.facilities["capital_cost"].to_numpy(float) * is_open
    budget = problem.parameters.capital_budget
    if budget is not None and spend.sum() > budget + tol * max(1.0, budget):
        found.append(
            f"capital spending {spend.sum():,.0f} yen exceeds the area's budget {budget:,.0f}"
        )
    by_host = (
        pd.Series(spend, index=problem.facilities["municipality"].astype(str))
        .groupby(level=0)
        .sum()
    )
    for code, limit in problem.municipalities["capital_budget"].astype(float).dropna().items():
        used = float(by_host.get(str(code), 0.0))
        if used > limit + tol * max(1.0, limit):
            found.append(f"{code} spends {used:,.0f} yen of capital, above its budget {limit:,.0f}")
    return found


def _check_costs(problem: ProblemData, solution: Solution, tol: float) -> list[str]:
    found = []
    is_open = _open(problem, solution)
    standalone = solution.municipal_costs["standalone_cost"]
    standalone = None if standalone.isna().all() else standalone
    costs = municipal_costs(
        problem, is_open, solution.flows, solution.agreements, solution.unserved, standalone
    )
    reported = solution.municipal_costs.reindex(costs.index)
    for column in COST_COLUMNS:
        if column in ("standalone_cost", "saving") and standalone is None:
            continue
        bad = ~_close(reported[column].to_numpy(float), costs[column].to_numpy(float), tol)
        for code in costs.index[bad]:
            found.append(
                f"{code}: reported {column} {reported.at[code, column]:,.0f} differs "
                f"from the recomputed {costs.at[code, column]:,.0f}"
            )
    objective = plan_objective(
        problem, is_open, solution.flows, solution.agreements, solution.unserved
    )
    if not _close(objective, solution.objective, tol):
        found.append(
            f"objective {solution.objective:,.2f} differs from the recomputed {objective:,.2f}"
        )
    premium = unserved_premium(problem, solution.unserved)
    if not _close(objective - premium, costs["plan_cost"].sum(), tol):
        found.append(
            "the municipalities' plan costs do not add up to the objective less the "
            "penalty premium on unserved demand"
        )
    stated = float(solution.outcome.objective)
    if np.isfinite(stated) and objective > stated + tol * max(1.0, abs(stated)):
        found.append(f"the plan costs {objective:,.2f}, more than the solver's {stated:,.2f}")
    params = problem.parameters
    if params.fairness and standalone is not None:
        limit = (1.0 - params.required_saving) * costs["standalone_cost"]
        bad = costs["plan_cost"] > limit + tol * np.maximum(1.0, limit.abs())
        for code in costs.index[bad.fillna(False).to_numpy(bool)]:
            found.append(
                f"{code} pays {costs.at[code, 'plan_cost']:,.0f} yen/year, more than "
                f"(1 − {params.required_saving:g}) × its stand-alone "
                f"{costs.at[code, 'standalone_cost']:,.0f}"
            )
    return found


def check_solution(problem: ProblemData, solution: Solution, tol: float = 1e-6) -> list[str]:
    """Every broken constraint of ``solution`` as a plain sentence (empty when valid).

    Checks references, shares in [0, 1], demand served or reported unserved, capacity,
    no use of closed facilities, fixed statuses, access distances (recomputed) within the
    maximum, an agreement for every cross-border flow and none that is not allowed,
    partner limits, keep-own rules, minimum self-sufficiency, capital budgets, the
    per-municipality costs, the objective, and fairness.
    """
    found = _check_references(problem, solution)
    if found:
        return found
    found += _check_shares(problem, solution, tol)
    found += _check_demand(problem, solution, tol)
    found += _check_aggregation(problem, solution, tol)
    found += _check_facilities(problem, solution, tol)
    found += _check_distances(problem, solution, tol)
    found += _check_agreements(problem, solution)
    found += _check_keep_own(problem, solution)
    found += _check_area_floors(problem, solution, tol)
    found += _check_coverage(problem, solution, tol)
    found += _check_self_sufficiency(problem, solution, tol)
    found += _check_capital(problem, solution, tol)
    found += _check_costs(problem, solution, tol)
    return found


def assert_valid(problem: ProblemData, solution: Solution, tol: float = 1e-6) -> None:
    """Raise :class:`optimizer.errors.CheckError` listing every violation, if any."""
    violations = check_solution(problem, solution, tol)
    if violations:
        raise CheckError(violations)
