"""Explanations: why demand is unserved, and why a model has no feasible plan.

Unserved demand is priced very high, so the model leaves demand unserved only when
nothing else is possible; :func:`explain_unserved` says what stood in the way. The
few rules that can still make the model infeasible (fixed statuses against budgets,
keep-own rules without an own facility, fairness with a required saving) are found by
:func:`diagnose_infeasibility` from the tables alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.errors import InfeasibleError
from optimizer.problem.data import ProblemData
from optimizer.problem.names import municipality_label, type_name
from optimizer.problem.network import pair_distances
from optimizer.problem.rules import (
    agreement_allowed,
    keep_own_targets,
    needs_agreement_to_use,
    self_sufficiency_targets,
    utilisation_limits,
)
from optimizer.texts import Text

__all__ = [
    "REASONS",
    "EXPLANATION_COLUMNS",
    "explain_unserved",
    "penalty_warnings",
    "diagnose_infeasibility",
    "infeasible_error",
]

EXPLANATION_COLUMNS = ("nearest_facility", "nearest_distance_km", "reason", "reason_text")

REASONS = {
    "no_facility": "no facility of this type at all",
    "out_of_reach": "no facility of this type within the maximum distance",
    "closed_by_rule": "every facility within reach is fixed to close or has no capacity",
    "no_cooperation": "the facilities within reach belong to municipalities it may not "
    "cooperate with (banned pair or may_share = no)",
    "self_sufficiency": "its own facilities cannot meet the minimum self-sufficiency share",
    "capacity": "the facilities within reach are full (up to their max_utilisation)",
    "fairness": "a facility within reach has room, but it lies across a border and the "
    "agreement would leave one of the two municipalities paying more than on its own "
    "(the fairness rule); its own plan leaves the same demand unserved",
    "agreement_cost": "a facility within reach has room, but it lies across a border and "
    "the agreement's fixed cost is more than serving this demand is worth "
    "(unserved_penalty)",
    "penalty_below_cost": "serving it would cost more than unserved_penalty: the unit cost "
    "plus travel, or the annual cost of opening a facility for it, is higher (raise the "
    "penalty to serve it)",
    "not_optimal": "the solver stopped before proving optimality; a better plan may serve it",
    "rules": "the facilities within reach that could open are kept closed by another rule "
    "(capital budget, partner limit or fairness)",
}
"""Reason codes of unserved demand, with their plain-language text."""


def _nearest(problem: ProblemData, point: str, kind: str) -> tuple[str | None, float]:
    sites = problem.facilities.index[problem.facilities["type"].astype(str) == kind]
    if len(sites) == 0:
        return None, float("nan")
    km = pair_distances(problem, [point] * len(sites), sites)
    best = int(np.argmin(km))
    return str(sites[best]), float(km[best])


def _reason(
    problem: ProblemData,
    point: str,
    code: str,
    kind: str,
    arcs: pd.DataFrame,
    open_facilities: pd.Series,
    targets: set,
    stopped_early: bool,
    amount: float,
    room: pd.Series,
    needed: pd.Series,
) -> str:
    reach = arcs[(arcs["point"] == point) & (arcs["type"] == kind)]
    if (problem.facilities["type"].astype(str) == kind).sum() == 0:
        return "no_facility"
    if reach.empty:
        return "out_of_reach"
    sites = problem.facilities.loc[reach["facility"]]
    usable = (sites["status"] != "close").to_numpy() & (sites["capacity"].to_numpy(float) > 0)
    if not usable.any():
        return "closed_by_rule"
    cross = (reach["host"].to_numpy() != code) & needed.reindex(reach["facility"]).to_numpy(bool)
    allowed = ~cross | agreement_allowed(problem, [code] * len(reach), reach["host"])
    if not (usable & allowed).any():
        return "no_cooperation"
    if (code, kind) in targets:
        return "self_sufficiency"
    if stopped_early:  # beyond the structural causes above, only the optimum can tell
        return "not_optimal"
    candidates = reach[usable & allowed]
    is_open = open_facilities.reindex(candidates["facility"]).fillna(False).to_numpy(bool)
    spare = room.reindex(candidates["facility"]).fillna(0.0).to_numpy(float) > 1e-6
    if (is_open & spare).any():
        with_room = candidates[is_open & spare]
        if (with_room["host"].to_numpy() == code).any():
            return "penalty_below_cost"  # its own open facility has room: travel costs more
        return "fairness" if problem.parameters.fairness else "agreement_cost"
    if is_open.all():
        return "capacity"
    closed = candidates[~is_open]
    penalty = float(problem.facility_types.at[kind, "unserved_penalty"])
    opening = problem.facilities.loc[closed["facility"], "annual_cost"].to_numpy(float)
    if penalty <= _cheapest_unit_cost(problem, kind, candidates) or (
        penalty * amount <= opening.min()
    ):
        return "penalty_below_cost"
    return "rules"


def _cheapest_unit_cost(problem: ProblemData, kind: str, reach: pd.DataFrame) -> float:
    """Least unit cost plus travel per unit over the given arcs [yen per capacity unit]."""
    sites = problem.facilities.loc[reach["facility"]]
    unit = sites["annual_cost"].to_numpy(float) / sites["capacity"].to_numpy(float)
    rate = float(problem.facility_types.at[kind, "user_travel_cost_per_km"])
    return float(np.min(unit + rate * reach["distance_km"].to_numpy(float)))


def penalty_warnings(problem: ProblemData) -> list[str]:
    """Types whose dearest facility costs more per unit than leaving demand unserved.

    The penalty must exceed every unit cost (annual cost ÷ capacity) plus travel, or the
    optimiser will rightly close facilities and leave demand unserved. Each warning is
    a :class:`optimizer.texts.Text` (English, with its Japanese).
    """
    sites = problem.facilities[problem.facilities["capacity"].astype(float) > 0]
    unit = sites["annual_cost"].astype(float) / sites["capacity"].astype(float)
    dearest = unit.groupby(sites["type"].astype(str)).max()
    penalty = problem.facility_types["unserved_penalty"].astype(float)
    return [
        Text(
            f"unserved_penalty {penalty[kind]:,.0f} yen is below the unit cost of {kind} "
            f"facilities (up to {cost:,.0f} yen per unit); unserved demand may be cheaper "
            "than service",
            f"{type_name(problem, kind)}の unserved_penalty（{penalty[kind]:,.0f} 円）が施設の"
            f"単位当たり費用（最大 {cost:,.0f} 円）を下回っています。需要を充足しないほうが"
            "安くなるおそれがあります",
        )
        for kind, cost in dearest.items()
        if cost >= penalty[kind]
    ]


def explain_unserved(
    problem: ProblemData,
    unserved: pd.DataFrame,
    open_facilities: pd.Series,
    arcs: pd.DataFrame,
    stopped_early: bool = False,
    served: pd.Series | None = None,
) -> pd.DataFrame:
    """Add ``nearest_facility``, ``nearest_distance_km`` and ``reason`` to unserved rows.

    Parameters
    ----------
    unserved
        ``municipality``, ``type``, optionally ``point`` (default: the municipality's
        code, its point without zones), and any other columns (kept).
    open_facilities
        Bool per facility id.
    arcs
        The access arcs (:func:`optimizer.problem.network.access_arcs`).
    stopped_early
        The solver stopped before proving optimality (status FEASIBLE).
    served
        Demand each facility serves in the plan [capacity unit] (``None``: none), to tell
        a full facility from one with room.

    Returns
    -------
    pandas.DataFrame
        The rows with the three columns added; ``reason`` is a key of :data:`REASONS`
        and ``reason_text`` its text.
    """
    table = unserved.copy()
    if table.empty:
        for column in EXPLANATION_COLUMNS:
            table[column] = pd.Series(dtype=float if column.endswith("_km") else object)
        return table
    ss = self_sufficiency_targets(problem)
    own_capacity = _own_capacity_short(problem, ss)
    facilities = problem.facilities
    limit = facilities["capacity"].astype(float) * utilisation_limits(problem).reindex(
        facilities["type"].astype(str)
    ).to_numpy(float)
    used = served.reindex(facilities.index).fillna(0.0) if served is not None else 0.0
    needed = pd.Series(needs_agreement_to_use(problem), index=facilities.index)
    room = (limit - used).where(lambda r: r > 1e-9 * limit.clip(lower=1.0), 0.0)
    nearest, distance, reasons = [], [], []
    amounts = table["demand"].to_numpy(float) if "demand" in table else np.zeros(len(table))
    codes = table["municipality"].astype(str)
    points = table["point"].astype(str) if "point" in table else codes
    for point, code, kind, amount in zip(
        points, codes, table["type"].astype(str), amounts, strict=True
    ):
        site, km = _nearest(problem, point, kind)
        nearest.append(site)
        distance.append(km)
        reasons.append(
            _reason(
                problem,
                point,
                code,
                kind,
                arcs,
                open_facilities,
                own_capacity,
                stopped_early,
                amount,
                room,
                needed,
            )
        )
    table["nearest_facility"] = nearest
    table["nearest_distance_km"] = distance
    table["reason"] = reasons
    table["reason_text"] = [REASONS[r] for r in reasons]
    return table


def _own_capacity_short(problem: ProblemData, targets: pd.DataFrame) -> set:
    """(municipality, type) whose own facilities cannot hold the self-sufficiency share."""
    if targets.empty:
        return set()
    sites = problem.facilities[problem.facilities["status"] != "close"]
    own = sites.groupby([sites["municipality"].astype(str), sites["type"].astype(str)])[
        "capacity"
    ].sum()
    need = problem.demand.stack().reindex(
        pd.MultiIndex.from_arrays([targets["municipality"], targets["type"]])
    ).to_numpy(float) * targets["share"].to_numpy(float)
    have = (
        own.reindex(pd.MultiIndex.from_arrays([targets["municipality"], targets["type"]]))
        .fillna(0.0)
        .to_numpy(float)
    )
    short = need > have + 1e-9
    return set(zip(targets["municipality"][short], targets["type"][short], strict=True))


def diagnose_infeasibility(
    problem: ProblemData, standalone: pd.Series | None = None
) -> list[tuple[str, str]]:
    """Plain-language reasons why no plan can satisfy the hard rules, as (English, Japanese).

    Checks, from the tables alone: keep-own rules without an own facility that may stay
    open; facilities fixed to keep whose capital outlays alone exceed the area's or a
    municipality's capital budget; fairness with a required saving (which the stand-alone
    plans themselves cannot meet). Returns a generic sentence when none applies.
    """
    found: list[tuple[str, str]] = []
    facilities = problem.facilities
    sites = facilities[facilities["status"] != "close"]
    hosted = set(zip(sites["municipality"].astype(str), sites["type"].astype(str), strict=True))
    for _, row in keep_own_targets(problem).iterrows():
        if (row["municipality"], row["type"]) not in hosted:
            who = municipality_label(problem, row["municipality"])
            kind_ja = type_name(problem, str(row["type"]))
            found.append(
                (
                    f"keep_own: {who} must keep a {row['type']} facility of its own, but has "
                    f"none that may stay open (every one is set to close, and no candidate)",
                    f"keep_own: {who}は自らの{kind_ja}を残す条件ですが、残せる施設が"
                    "ありません（すべて廃止指定で、新設候補もありません）",
                )
            )
    keep = facilities[facilities["status"] == "keep"]
    budget = problem.parameters.capital_budget
    fixed_spend = float(keep["capital_cost"].sum())
    if budget is not None and fixed_spend > budget:
        found.append(
            (
                f"capital_budget: facilities fixed to keep need {fixed_spend:,.0f} yen, "
                f"more than the area's budget of {budget:,.0f} yen",
                f"capital_budget: 存続指定の施設だけで{fixed_spend:,.0f}円が必要で、"
                f"圏域の予算{budget:,.0f}円を超えます",
            )
        )
    spend = keep.groupby(keep["municipality"].astype(str))["capital_cost"].sum()
    budgets = problem.municipalities["capital_budget"].astype(float).dropna()
    for code, limit in budgets.items():
        need = float(spend.get(str(code), 0.0))
        if need > limit:
            who = municipality_label(problem, str(code))
            found.append(
                (
                    f"capital_budget: facilities of {who} fixed to keep need "
                    f"{need:,.0f} yen, more than its budget of {limit:,.0f} yen",
                    f"capital_budget: {who}の存続指定の施設だけで{need:,.0f}円が必要で、"
                    f"予算{limit:,.0f}円を超えます",
                )
            )
    params = problem.parameters
    if params.fairness and params.required_saving > 0 and standalone is not None:
        found.append(
            (
                f"fairness: every municipality must save {params.required_saving:.0%} against "
                "its stand-alone cost, which sharing cannot achieve for all of them at once; "
                "lower required_saving or turn fairness off to see the unconstrained plan",
                f"fairness: すべての市町村が単独の場合より{params.required_saving:.0%}削減する"
                "条件は、共同利用でも同時には満たせません。required_saving を下げるか、"
                "fairness を外してください",
            )
        )
    if not found:
        found.append(
            (
                "the combination of rules (fixed statuses, keep-own, capital budgets, "
                "fairness) leaves no plan; relax one of them to find which",
                "条件（存続・廃止の指定、自前施設の維持、予算、公平性）の組合せを満たす計画が"
                "ありません。どれか一つを緩めて原因を探してください",
            )
        )
    return found


def infeasible_error(
    problem: ProblemData, standalone: pd.Series | None = None, who: str | None = None
) -> InfeasibleError:
    """The error for a model with no plan, saying who, what and why in both languages.

    ``who`` names the coalition whose own model has no plan (a stand-alone solve), or
    ``None`` for the whole area.
    """
    reasons = diagnose_infeasibility(problem, standalone)
    en_head = (
        f"the hard rules leave no plan for {who} on its own: "
        if who
        else ("the hard rules leave no plan for the whole area: ")
    )
    ja_head = f"{who}単独で条件を満たせません: " if who else "圏域全体で条件を満たせません: "
    return InfeasibleError(
        en_head + "; ".join(en for en, _ in reasons),
        [en for en, _ in reasons],
        ja=ja_head + "。".join(ja for _, ja in reasons),
    )
