"""Which policy rule applies to whom: the reading of the rules shared by model and checker.

These functions only resolve the ``rules`` sheet and the parameters into per-municipality
targets (who may cooperate, partner limits, keep-own and self-sufficiency targets). The
constraints themselves are formulated in :mod:`optimizer.solving.model.policy`, and recomputed
independently by :mod:`optimizer.results.check`.

Precedence: a rule of the ``rules`` sheet for one municipality (and type) overrides the
area-wide parameter for that municipality (and type); a rule for a specific type
overrides the same municipality's rule for all types.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from optimizer.problem.costs import municipal
from optimizer.problem.data import ProblemData

__all__ = [
    "needs_agreement_to_use",
    "coverage_targets",
    "coverage_goal",
    "coverage_own_sites",
    "DEFAULT_MAX_UTILISATION",
    "utilisation_limits",
    "area_floors",
    "agreement_allowed",
    "needs_agreement_variables",
    "partner_limits",
    "keep_own_targets",
    "self_sufficiency_targets",
]


def agreement_allowed(problem: ProblemData, a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Whether municipalities ``a[n]`` and ``b[n]`` may sign an agreement (element-wise).

    True when both may share (``may_share``) and the pair is not a banned pair of the
    ``rules`` sheet. The order of the two codes does not matter.
    """
    a = np.asarray(a, dtype=object).astype(str).astype(object)
    b = np.asarray(b, dtype=object).astype(str).astype(object)
    may_share = problem.municipalities["may_share"].astype(bool)
    both = may_share.reindex(a).fillna(False).to_numpy(bool) & may_share.reindex(b).fillna(
        False
    ).to_numpy(bool)
    banned = problem.rules.banned_pairs
    if not banned:
        return both
    low, high = np.where(a < b, a, b), np.where(a < b, b, a)
    is_banned = np.fromiter(
        ((lo, hi) in banned for lo, hi in zip(low, high, strict=True)), dtype=bool, count=len(a)
    )
    return both & ~is_banned


def needs_agreement_to_use(problem: ProblemData) -> np.ndarray:
    """Per facility: whether residents of another municipality need an agreement to use it.

    A facility its host municipality runs (use across the border is a 協議 under Local
    Autonomy Act art. 244-3, paid for by the user municipality); and a 地域密着型 one of a
    ``community_based`` type whoever runs it (the user municipality must designate it,
    指定, with the host's consent; care insurance pays, so no payment between the two).
    A private or prefectural facility of any other type admits residents by need.
    """
    facilities = problem.facilities
    needed = municipal(facilities)
    types = problem.facility_types
    if "community_based" in types:
        community = types["community_based"].fillna(False).astype(bool)
        needed = needed | community.reindex(facilities["type"].astype(str)).fillna(False).to_numpy(
            bool
        )
    return needed


def coverage_targets(problem: ProblemData) -> pd.DataFrame:
    """The coverage rule per (municipality, type): ``share`` of its residents within ``km``.

    From the types' ``coverage_km`` and ``coverage_share`` (both given); residents are the
    type's demand basis, placed on the demand points. ``km`` is at most the type's
    ``max_distance_km`` (beyond it nobody is served anyway). Only municipalities with
    demand for the type. Columns ``municipality``, ``type``, ``km``, ``share``.
    """
    columns = ["municipality", "type", "km", "share"]
    types = problem.facility_types
    if "coverage_km" not in types or "coverage_share" not in types:
        return pd.DataFrame(columns=columns)
    rows = []
    for kind, row in types.iterrows():
        km, share = float(row["coverage_km"]), float(row["coverage_share"])
        if not (np.isfinite(km) and np.isfinite(share) and share > 0):
            continue
        km = min(km, float(row["max_distance_km"]))
        demand = problem.demand[kind] if kind in problem.demand else pd.Series(dtype=float)
        rows += [(str(code), str(kind), km, share) for code in demand.index[demand > 0]]
    return pd.DataFrame(rows, columns=columns)


def coverage_goal(share: float, reachable: float) -> float:
    """The coverage a municipality is held to: the rule's share, or what it could reach on
    its own if that is less (:func:`coverage_own_sites`; a rule no plan can meet is not
    made infeasible: the model, the checker and the report hold it to the same goal)."""
    return max(0.0, min(share, reachable) - 1e-9)


def coverage_own_sites(problem: ProblemData, municipality: str) -> np.ndarray:
    """Per facility: whether it counts toward what ``municipality`` could cover on its own.

    The facilities and candidates it hosts, and those open to every resident
    (:func:`needs_agreement_to_use`), wherever they stand: what a stand-alone plan has.
    Holding each municipality to the share these reach (not to what a neighbour's
    facility reaches) keeps every municipality's stand-alone plan, side by side with the
    others', within the rule; any open facility still counts toward meeting it.
    """
    hosts = problem.facilities["municipality"].astype(str).to_numpy()
    return (hosts == str(municipality)) | ~needs_agreement_to_use(problem)


def partner_limits(problem: ProblemData) -> pd.Series:
    """Most agreements each municipality may sign (only municipalities with a limit)."""
    limit = problem.parameters.max_partners
    limits = {code: int(limit) for code in problem.codes} if limit is not None else {}
    limits.update({str(k): int(v) for k, v in problem.rules.max_partners.items()})
    return pd.Series(limits, dtype="int64").reindex([c for c in problem.codes if c in limits])


def needs_agreement_variables(problem: ProblemData) -> bool:
    """Whether the model needs ``agree`` binaries.

    They can be left out (agreements then follow from the flows) when agreements cost
    nothing and no rule limits them: no partner limit, no banned pair, everybody may share.
    """
    return bool(
        problem.parameters.agreement_fixed_cost > 0
        or len(partner_limits(problem)) > 0
        or problem.rules.banned_pairs
        or not problem.municipalities["may_share"].astype(bool).all()
    )


def keep_own_targets(problem: ProblemData) -> pd.DataFrame:
    """(municipality, type) pairs that must keep at least one own facility open.

    Every ``keep_own`` rule; every (municipality, type) whose population reaches the
    type's ``keep_own_from_population`` (e.g. every city of 50,000 keeps a library); and,
    when the parameter ``keep_own_each_type`` is set, every (municipality, type). The last
    two only where the municipality hosts a facility or candidate of the type that is not
    fixed to close (a municipality without one cannot keep one). Columns
    ``municipality``, ``type``, ``source`` (``rule`` / ``population`` / ``parameter``).
    """
    rows = [(str(m), str(k), "rule") for m, k in sorted(problem.rules.keep_own)]
    sites = problem.facilities[problem.facilities["status"] != "close"]
    hosting = set(map(tuple, sites[["municipality", "type"]].astype(str).to_numpy()))
    types = problem.facility_types
    if "keep_own_from_population" in types:
        population = problem.municipalities["population"].astype(float)
        for kind, threshold in types["keep_own_from_population"].astype(float).items():
            if not np.isfinite(threshold):
                continue
            ruled = {(m, k) for m, k, _ in rows}
            rows += [
                (str(code), str(kind), "population")
                for code in population.index[population.to_numpy() >= threshold].astype(str)
                if (str(code), str(kind)) in hosting and (str(code), str(kind)) not in ruled
            ]
    if problem.parameters.keep_own_each_type:
        sites = problem.facilities[problem.facilities["status"] != "close"]
        hosted = sites[["municipality", "type"]].astype(str).drop_duplicates()
        ruled = {(m, k) for m, k, _ in rows}
        rows += [
            (m, k, "parameter")
            for m, k in sorted(map(tuple, hosted.to_numpy()))
            if (m, k) not in ruled
        ]
    return pd.DataFrame(rows, columns=["municipality", "type", "source"])


def self_sufficiency_targets(problem: ProblemData) -> pd.DataFrame:
    """Least share of each municipality's demand for a type served by its own facilities.

    Columns ``municipality``, ``type``, ``share`` (> 0); only (municipality, type) with
    positive demand. The rule for (municipality, type) beats the rule for
    (municipality, all types), which beats the parameter ``min_self_sufficiency``.
    """
    demand = problem.demand.stack()
    demand.index.names = ["municipality", "type"]
    target = pd.Series(float(problem.parameters.min_self_sufficiency), index=demand.index)
    rules = problem.rules.min_self_sufficiency
    codes = target.index.get_level_values(0).astype(str)
    kinds = target.index.get_level_values(1).astype(str)
    for (code, kind), share in sorted(rules.items(), key=lambda kv: kv[0][1] is not None):
        where = (codes == str(code)) & ((kinds == str(kind)) if kind is not None else True)
        target[where] = float(share)
    table = target[(demand > 0) & (target > 0)].rename("share").reset_index()
    table["municipality"] = table["municipality"].astype(str)
    table["type"] = table["type"].astype(str)
    return table


DEFAULT_MAX_UTILISATION = 1.0
"""A problem built in code without ``max_utilisation`` may fill its facilities; the
workbook's own default (0.9) is set by the schema."""


def utilisation_limits(problem: ProblemData) -> pd.Series:
    """The largest share of capacity the plan may fill, per type (``max_utilisation``)."""
    types = problem.facility_types
    if "max_utilisation" not in types:
        return pd.Series(DEFAULT_MAX_UTILISATION, index=types.index.astype(str), dtype=float)
    limits = types["max_utilisation"].astype(float).fillna(DEFAULT_MAX_UTILISATION)
    limits.index = limits.index.astype(str)
    return limits.clip(lower=0.0, upper=1.0)


def area_floors(problem: ProblemData) -> pd.DataFrame:
    """The least capacity of a type each elderly-care planning area (老人福祉圏域) keeps.

    One row per (area, type) with a floor: ``area``, ``type``, ``floor`` [capacity unit]
    and ``members`` (the area's municipality codes, a tuple). The floor is the larger of
    ``area_floor_share`` × today's capacity of the type in the area (existing facilities
    not set to close, any operator) and ``area_floor_per_75plus`` × the area's residents
    aged 75+. Areas come from the municipalities' ``care_area``; none given, no floor.
    """
    columns = ["area", "type", "floor", "members"]
    municipalities = problem.municipalities
    types = problem.facility_types
    wanted = [c for c in ("area_floor_share", "area_floor_per_75plus") if c in types]
    if "care_area" not in municipalities or not wanted:
        return pd.DataFrame(columns=columns)
    area_of = municipalities["care_area"].fillna("").astype(str).str.strip()
    area_of.index = area_of.index.astype(str)
    facilities = problem.facilities
    existing = facilities[
        ~facilities["is_candidate"].astype(bool) & (facilities["status"].astype(str) != "close")
    ]
    rows = []
    for area, members in area_of[area_of != ""].groupby(area_of[area_of != ""]):
        codes = tuple(members.index)
        in_area = existing[existing["municipality"].astype(str).isin(codes)]
        elderly = float(municipalities.loc[list(codes), "population_75plus"].astype(float).sum())
        for kind in types.index.astype(str):
            share = (
                float(types.at[kind, "area_floor_share"]) if "area_floor_share" in types else np.nan
            )
            per = (
                float(types.at[kind, "area_floor_per_75plus"])
                if "area_floor_per_75plus" in types
                else np.nan
            )
            today = float(in_area.loc[in_area["type"].astype(str) == kind, "capacity"].sum())
            candidates = [v for v in (share * today, per * elderly) if np.isfinite(v)]
            if candidates and max(candidates) > 0:
                rows.append((str(area), kind, max(candidates), codes))
    return pd.DataFrame(rows, columns=columns)
