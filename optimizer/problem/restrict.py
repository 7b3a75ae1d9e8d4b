"""A problem restricted to some of its municipalities (a coalition, a cluster)."""

from __future__ import annotations

from collections.abc import Iterable

from optimizer.problem.data import ProblemData, Rules

__all__ = ["restrict_problem"]


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
    """
    keep = {str(m) for m in members}
    codes = [c for c in problem.municipalities.index.astype(str) if c in keep]
    unknown = keep - set(codes)
    if unknown:
        raise ValueError(f"unknown municipalities: {sorted(unknown)}")
    facilities = problem.facilities[problem.facilities["municipality"].astype(str).isin(keep)]
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
