"""What the residents of each municipality can reach, from the access arcs of
:mod:`optimizer.problem.network` (facilities and candidates fixed to close left out).

Two warnings, per municipality and type with demand: ``nothing_within_reach`` when no
facility or candidate of the type lies within its maximum distance, and
``demand_beyond_reach`` when some do but their capacities together fall short of the
municipality's demand alone. Either way part of the demand stays unserved whatever the
plan (at the price of ``unserved_penalty``), which is seldom what a planner meant.

A third, per type with a coverage rule: ``coverage_out_of_reach`` when fewer of some
municipality's residents than ``coverage_share`` live within ``coverage_km`` of a
facility or candidate of the type it could have on its own (its own, or one open to every
resident), even with all of them open; the rule then holds the municipality to the share
they reach (:func:`optimizer.problem.rules.coverage_goal`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.problem.network import access_arcs
from optimizer.problem.rules import coverage_targets, needs_agreement_to_use
from optimizer.workbook.messages import WARNING, Issue, issue

__all__ = [
    "usable_arcs",
    "check_reach",
    "check_capacity_within_reach",
    "check_coverage_reach",
    "listed",
]

SHOWN_IDS = 5
"""Facility ids named in one message (then "… and n more")."""


def listed(ids: list[str], lang: str = "en") -> str:
    """Ids joined for a message, at most :data:`SHOWN_IDS` of them."""
    shown = ids[:SHOWN_IDS]
    more = len(ids) - len(shown)
    if lang == "ja":
        return "、".join(shown) + (f" ほか{more}件" if more else "")
    return ", ".join(shown) + (f" and {more} more" if more else "")


def usable_arcs(problem: ProblemData) -> pd.DataFrame:
    """Access arcs to facilities and candidates not fixed to close, with their capacity.

    Columns of :func:`~optimizer.problem.network.access_arcs` plus ``capacity``.
    """
    arcs = access_arcs(problem)
    sites = problem.facilities
    usable = sites["status"].reindex(arcs["facility"]).to_numpy() != "close"
    arcs = arcs[usable]
    return arcs.assign(capacity=sites["capacity"].reindex(arcs["facility"]).to_numpy(float))


def check_reach(
    problem: ProblemData, rows: Mapping[str, int], arcs: pd.DataFrame | None = None
) -> list[Issue]:
    """``nothing_within_reach`` (warning): a municipality with demand for a type but no
    facility or candidate of it (other than ones fixed to close) within the type's
    maximum distance; its demand would stay unserved whatever the plan.

    ``rows`` maps municipality codes to their row in the municipalities sheet; ``arcs``
    are :func:`usable_arcs` (computed when not given).
    """
    arcs = usable_arcs(problem) if arcs is None else arcs
    reached = set(zip(arcs["municipality"], arcs["type"], strict=True))
    found = []
    for code, demand in problem.demand.iterrows():
        for kind, amount in demand.items():
            if amount <= 0 or (code, kind) in reached:
                continue
            limit = float(problem.facility_types.at[kind, "max_distance_km"])
            found.append(
                issue(
                    "municipalities",
                    rows.get(str(code)),
                    "code",
                    code,
                    "nothing_within_reach",
                    f"a {kind} facility or candidate within {limit:g} km (add a candidate "
                    "site, a travel row or a longer max_distance_km)",
                    f"{limit:g} km 以内の{kind}の施設または候補地（候補地、移動距離の行、"
                    "または最大利用距離の見直しを）",
                    severity=WARNING,
                )
            )
    return found


def check_capacity_within_reach(
    problem: ProblemData, rows: Mapping[str, int], arcs: pd.DataFrame | None = None
) -> list[Issue]:
    """``demand_beyond_reach`` (warning): a municipality's demand for a type exceeds the
    capacity of every facility and candidate of the type within reach, together.

    The message gives the demand, the usable capacity within the type's maximum distance
    (capacity × the type's ``max_utilisation``, the most the plan may fill) and the
    facilities counted. Other municipalities compete for the same facilities, so
    passing this check does not mean the demand can be served; failing it means it
    cannot. ``rows`` and ``arcs`` as for :func:`check_reach`.
    """
    arcs = usable_arcs(problem) if arcs is None else arcs
    if arcs.empty:
        return []
    groups = arcs.groupby(["municipality", "type"], sort=False)
    capacity = groups["capacity"].sum()
    sites = groups["facility"].agg(list)
    types = problem.facility_types
    found = []
    for (code, kind), held in capacity.items():
        amount = float(problem.demand.at[code, kind])
        share = float(types.at[kind, "max_utilisation"])
        have = held * share
        if have <= 0 or amount <= have * (1 + 1e-9):
            continue
        limit = float(types.at[kind, "max_distance_km"])
        unit = str(types.at[kind, "capacity_unit"] or "")
        name_ja = str(types.at[kind, "name_ja"] or kind)
        ids = [str(i) for i in sites[(code, kind)]]
        found.append(
            issue(
                "municipalities",
                rows.get(str(code)),
                "code",
                code,
                "demand_beyond_reach",
                f"capacity within {limit:g} km for its {kind} demand of {amount:,.0f} {unit}: "
                f"the {len(ids)} {kind} site(s) within reach ({listed(ids)}) hold only "
                f"{have:,.0f} usable ({share:.0%} of {held:,.0f}, max_utilisation), so at "
                f"least {amount - have:,.0f} stays unserved (add a candidate, raise "
                "capacities or max_distance_km)",
                f"{name_ja}の需要 {amount:,.0f} {unit} に対し、{limit:g} km 以内の施設・候補地 "
                f"{len(ids)} か所（{listed(ids, 'ja')}）で使える容量は {have:,.0f}（容量 "
                f"{held:,.0f} の {share:.0%}、稼働率上限）だけで、少なくとも "
                f"{amount - have:,.0f} は充足できません（候補地・容量・最大利用距離の見直しを）",
                severity=WARNING,
            )
        )
    return found


def _covered_shares(problem: ProblemData, arcs: pd.DataFrame, kind: str, km: float) -> pd.Series:
    """Per municipality with demand for ``kind``: the share of its demand (its basis
    residents) at demand points within ``km`` of a usable facility or candidate it could
    have on its own (:func:`optimizer.problem.rules.coverage_own_sites`)."""
    demand = problem.point_demand[kind].astype(float)
    town = problem.points["municipality"].astype(str)
    open_to_all = pd.Series(
        ~needs_agreement_to_use(problem), index=problem.facilities.index.astype(str)
    )
    own = (arcs["host"].astype(str) == arcs["municipality"].astype(str)) | open_to_all.reindex(
        arcs["facility"].astype(str)
    ).fillna(False).to_numpy(bool)
    near = arcs[own & (arcs["type"] == kind) & (arcs["distance_km"] <= km + 1e-9)]
    covered = demand.where(demand.index.isin(set(near["point"].astype(str))), 0.0)
    total = demand.groupby(town).sum()
    share = covered.groupby(town).sum() / total.where(total > 0)
    return share[total > 0]


def check_coverage_reach(
    problem: ProblemData, type_rows: Mapping[str, int], arcs: pd.DataFrame | None = None
) -> list[Issue]:
    """``coverage_out_of_reach`` (warning), one per type: the municipalities of which
    fewer residents than ``coverage_share`` live within ``coverage_km`` of any facility or
    candidate of the type not fixed to close (each with the share they reach).

    ``type_rows`` maps types to their row in the facility_types sheet; ``arcs`` as for
    :func:`check_reach`.
    """
    targets = coverage_targets(problem)
    if targets.empty:
        return []
    arcs = usable_arcs(problem) if arcs is None else arcs
    names = problem.municipalities["name"].astype(str)
    found = []
    for kind, rule in targets.groupby("type", sort=False):
        km, goal = float(rule["km"].iloc[0]), float(rule["share"].iloc[0])
        shares = _covered_shares(problem, arcs, str(kind), km)
        short = shares[shares < goal - 1e-9]
        if short.empty:
            continue
        items = [f"{names.get(c, c)} ({c}) {s:.0%}" for c, s in short.items()]
        items_ja = [f"{names.get(c, c)}（{c}）{s:.0%}" for c, s in short.items()]
        found.append(
            issue(
                "facility_types",
                type_rows.get(str(kind)),
                "coverage_share",
                f"{goal:g}",
                "coverage_out_of_reach",
                f"a share each municipality can reach: even with every {kind} facility and "
                f"candidate open, fewer residents live within {km:g} km in {listed(items)}; "
                "the rule holds each to the share it reaches (add a candidate, or lower "
                "coverage_share)",
                f"各市町村が達成できる割合：{kind}の施設・候補地をすべて開設しても、{km:g} km "
                f"以内に住む住民の割合は {listed(items_ja, 'ja')} にとどまります。この割合を"
                "下限とします（候補地の追加か coverage_share の見直しを）",
                severity=WARNING,
            )
        )
    return found
