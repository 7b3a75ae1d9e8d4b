"""A problem restricted to some of its municipalities (a coalition, a cluster)."""

from __future__ import annotations

import weakref
from collections.abc import Iterable

import numpy as np
import pandas as pd

from optimizer.problem.data import ProblemData, Rules
from optimizer.problem.network import access_arcs
from optimizer.problem.rules import needs_agreement_to_use

__all__ = ["restrict_problem", "reach_shares"]


_SHARES: dict[int, tuple[weakref.ref, pd.DataFrame]] = {}
""":func:`reach_shares` of the problems alive, by identity: the stand-alone and coalition
problems of one area are all cut from the same problem (30 cuts of the Tama grid spent
4 s finding the same table again)."""


def reach_shares(problem: ProblemData) -> pd.DataFrame:
    """Each municipality's share of the facilities open to every resident (the table is
    found once per problem object and shared: do not modify it).

    A facility nobody needs an agreement to use (a private or prefectural 特養, 老健 or
    介護医療院: admission by need, whatever the resident's municipality) serves the
    whole area. Its capacity is shared among the municipalities in proportion to their
    demand within the type's reach of it (the access arcs, so the travel sheet's
    distances count). Rows: those facilities with any demand in reach; columns: the
    municipality codes; each row sums to 1.
    """
    key = id(problem)
    known = _SHARES.get(key)
    if known is not None and known[0]() is problem:
        return known[1]
    table = _reach_shares(problem)

    def forget(_: weakref.ref) -> None:
        _SHARES.pop(key, None)

    _SHARES[key] = (weakref.ref(problem, forget), table)
    return table


def _reach_shares(problem: ProblemData) -> pd.DataFrame:
    codes = pd.Index(problem.municipalities.index.astype(str))
    open_to_all = ~needs_agreement_to_use(problem)
    if not open_to_all.any():
        return pd.DataFrame(columns=codes, dtype=float)
    arcs = access_arcs(problem.replace(facilities=problem.facilities[open_to_all]))
    demand = problem.point_demand
    rows = demand.index.get_indexer(arcs["point"].astype(str))
    cols = demand.columns.get_indexer(arcs["type"].astype(str))
    known = (rows >= 0) & (cols >= 0)
    amount = np.zeros(len(arcs))
    amount[known] = demand.to_numpy(float)[rows[known], cols[known]]
    table = (
        arcs.assign(amount=amount)
        .groupby(["facility", "municipality"], sort=False)["amount"]
        .sum()
        .unstack(fill_value=0.0)
        .reindex(columns=codes, fill_value=0.0)
    )
    totals = table.sum(axis=1)
    table = table[totals > 0]
    return table.div(totals[totals > 0], axis=0)


def _restrict_rules(rules: Rules, members: set[str]) -> Rules:
    return Rules(
        banned_pairs=frozenset(p for p in rules.banned_pairs if set(p) <= members),
        keep_own=frozenset(r for r in rules.keep_own if r[0] in members),
        max_partners={k: v for k, v in rules.max_partners.items() if k in members},
        min_self_sufficiency={
            k: v for k, v in rules.min_self_sufficiency.items() if k[0] in members
        },
    )


def restrict_problem(problem: ProblemData, members: Iterable[str]) -> ProblemData:
    """The problem seen by coalition ``members`` alone.

    Keeps the members' rows of municipalities, zones, points and demand, the facilities they host,
    their travel rows and rules; the area-wide capital budget still applies.

    A facility open to every resident (:func:`reach_shares`), wherever it stands, is
    kept with the members' share of its capacity: on their own, the members' insured
    residents still get into a private 特養 across the border, but only into their part
    of it. The shares of all the municipalities add up to the whole capacity, so plans
    of disjoint coalitions side by side never fill such a facility past it.
    """
    keep = {str(m) for m in members}
    codes = [c for c in problem.municipalities.index.astype(str) if c in keep]
    unknown = keep - set(codes)
    if unknown:
        raise ValueError(f"unknown municipalities: {sorted(unknown)}")
    facilities = problem.facilities
    shares = reach_shares(problem)
    ids = facilities.index.astype(str)
    shared = ids.isin(shares.index)
    share = shares[codes].sum(axis=1).reindex(ids).fillna(0.0).to_numpy(float)
    hosted = facilities["municipality"].astype(str).isin(keep).to_numpy(bool)
    rows = hosted | (shared & (share > 0))
    facilities = facilities[rows].copy()
    facilities["capacity"] = facilities["capacity"].astype(float)
    scaled = shared[rows]
    facilities.loc[scaled, "capacity"] *= share[rows][scaled]
    travel = problem.travel
    if travel is not None and len(travel):
        travel = travel[
            travel["municipality"].astype(str).isin(keep)
            & travel["facility"].astype(str).isin(facilities.index)
        ]
    zones = problem.zones[problem.zones["municipality"].astype(str).isin(keep)]
    points = problem.points[problem.points["municipality"].astype(str).isin(keep)]
    return problem.replace(
        municipalities=problem.municipalities.loc[codes],
        zones=zones,
        points=points,
        point_demand=problem.point_demand.loc[points.index],
        demand=problem.demand.loc[codes],
        facilities=facilities,
        travel=travel,
        rules=_restrict_rules(problem.rules, keep),
    )
