"""Cost allocation: who pays what under the plan, and alternatives for comparison.

Pure functions of the input data and a checked :class:`optimizer.results.solution.Solution`;
this module never imports PuLP (coalition costs for the Shapley value come from a
callable, by default :func:`optimizer.solving.standalone.coalition_cost`, run in worker
processes).

Methods compared (annual cost of municipality *i* [yen/year]; T = the plan's total cost
= Σ_i plan_cost_i; SA_i = stand-alone cost; u_i = usage share)::

    plan      plan_cost_i = own facilities + payments out − payments in + travel
              + agreements + unserved                      (the plan's payment rule)
    formula   T · (w_eq / n + w_pop · pop_i / Σ pop + w_use · u_i)
              (均等割 / 人口割 / 実績割 of joint bodies; weights normalised to sum 1)
    usage     SA_i − (Σ SA − T) · u_i                      (saving split by usage)
    shapley   φ_i of the cost game c(S), with c({i}) = SA_i and c(N) = T

Usage u_i is municipality *i*'s share of the value of all demand served: Σ over its
flows of demand × unit cost, divided by the same sum over every municipality (demand of
different types is in different units — beds, seats, visits — so it is weighted by the
unit cost of the facility serving it). Every method charges T in total.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.config import default_processes
from optimizer.errors import OptimizerError
from optimizer.problem.data import ProblemData
from optimizer.problem.rules import needs_agreement_to_use
from optimizer.results.accounting import COST_COLUMNS
from optimizer.results.solution import Solution
from optimizer.sharing.shapley import (
    CostFunction,
    Progress,
    ShapleyResult,
    all_coalitions,
    exact_shapley,
    least_core,
    sampled_shapley,
)
from optimizer.texts import Text

__all__ = [
    "Allocation",
    "allocate",
    "municipal_table",
    "payment_table",
    "reserved_units",
    "unit_price",
    "pair_flow_table",
    "usage_shares",
    "formula_split",
    "usage_split",
    "coalition_progress",
    "EXACT_SHAPLEY_MAX_PLAYERS",
    "DEFAULT_SHAPLEY_SAMPLES",
]

log = logging.getLogger(__name__)

EXACT_SHAPLEY_MAX_PLAYERS = 6
"""``shapley="auto"`` computes the Shapley value exactly up to this many municipalities.

That is at most 2^6 − 6 − 2 = 56 coalition solves of 2 to 5 members (the stand-alone and
the whole area's costs are known already): 3.4 s for six municipalities of the sample
area on two cores. Beyond it ``auto`` leaves the Shapley value out, with a note saying
why and how to ask for it: every coalition is a mixed-integer solve, and for the sample's
nine municipalities the 501 solves take minutes, and even a sampled estimate (each
random order solves n − 2 coalitions of up to n − 1 members, ~2 s each for eight of
the sample's municipalities) takes about 20 s for 10 orders — more than the whole
pipeline's 10-second aim (docs/architecture.md, performance aims). ``exact`` and ``sampled`` always compute it.
"""

DEFAULT_SHAPLEY_SAMPLES = 30
"""Orders sampled when the Shapley value is estimated and no sample size is given.

Each order solves up to n − 2 new coalitions, so 30 orders cost at most 30·(n − 2)
solves (fewer than the 2^n − n − 2 of the exact value from n = 9 on); the standard error
of every share is stated with it (10 orders on the sample area: about 5 % of the
largest share).
"""

TOLERANCE_YEN = 1.0
"""A share counts as above the stand-alone cost (or as negative) only beyond this margin
[yen/year], or beyond :data:`TOLERANCE_RELATIVE` of the stand-alone cost if larger (the
independent checker's tolerance)."""

TOLERANCE_RELATIVE = 1e-6

METHODS = ("plan", "formula", "usage", "shapley")


@dataclass(frozen=True)
class Allocation:
    """Who pays what, in tables keyed by municipality codes.

    Attributes
    ----------
    municipalities
        Index municipality code. Columns ``name``, ``standalone_cost``,
        ``own_facilities``, ``payments_out``, ``payments_in``, ``travel``, ``agreements``,
        ``unserved``, ``plan_cost``, ``saving`` [yen/year], ``saving_pct`` [%].
    payments
        One row per (payer, host, facility): ``payer``, ``host``, ``facility``, ``type``,
        ``demand`` [capacity unit], ``capacity_unit``, ``unit_cost`` [yen per unit],
        ``amount`` [yen/year] = unit_cost × demand (the plan's exact figures, which the
        accounts use); also ``facility_name``, and the agreement's whole figures (its
        annex, the rule the parties pay by): ``reserved`` = the demand rounded up to a
        whole unit [capacity unit], ``unit_price`` = the unit cost rounded to the yen,
        ``agreed_amount`` = unit_price × reserved [yen/year] (see :func:`reserved_units`).
    pair_flows
        One row per agreement pair ``a`` < ``b``: ``a_to_b``, ``b_to_a`` [yen/year]
        (payments from a to b and from b to a), ``net`` = a_to_b − b_to_a.
    alternatives
        Index municipality code; one column per method (``plan``, ``formula``,
        ``usage``, ``shapley``) giving each municipality's annual cost [yen/year] under
        that method, and one boolean column ``<method>_exceeds_standalone`` each.
    notes
        Plain-language notes: how Shapley values were computed (exact / sampled,
        sample size, standard error), whether the core is empty, the weights of the
        formula split. ``notes["shapley_standard_error"]`` maps each code to the
        standard error of its Shapley share [yen/year] (0 when exact).
    """

    municipalities: pd.DataFrame
    payments: pd.DataFrame
    pair_flows: pd.DataFrame
    alternatives: pd.DataFrame
    notes: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- tables


def municipal_table(problem: ProblemData, solution: Solution) -> pd.DataFrame:
    """Costs before and after per municipality, with the saving in yen and percent.

    saving_pct = saving ÷ standalone_cost × 100 (0 when the stand-alone cost is 0).
    """
    costs = solution.municipal_costs.reindex(problem.codes)
    table = pd.DataFrame(index=pd.Index(problem.codes, name="code"))
    table["name"] = problem.municipalities["name"].astype(str)
    for column in COST_COLUMNS:
        table[column] = costs[column].astype(float).fillna(0.0)
    standalone = table["standalone_cost"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(standalone > 0, table["saving"].to_numpy() / standalone * 100.0, 0.0)
    table["saving_pct"] = pct
    return table


RESERVE_TOLERANCE = 1e-6
"""A served amount within this share of a whole unit above it is that unit (a flow of
90.0000001 beds reserves 90 beds, not 91): solver noise, not use."""


def reserved_units(demand: float, capacity: float) -> int:
    """The whole units an agreement reserves for ``demand`` [capacity unit]: the demand
    rounded up (a bed, a seat or a visit is not divisible; rounding up keeps what the plan
    serves within the reservation), at least 1 for any use, at most the capacity (its
    whole part, when that is at least 1)."""
    if not demand > 0:
        return 0
    whole = math.ceil(demand - RESERVE_TOLERANCE * max(1.0, abs(demand)))
    limit = math.floor(capacity) if capacity >= 1 else whole
    return int(max(1, min(whole, limit)))


def unit_price(unit_cost: float) -> int:
    """The unit cost as the agreement states it: whole yen, halves rounded up."""
    return int(math.floor(unit_cost + 0.5))


def payment_table(problem: ProblemData, solution: Solution) -> pd.DataFrame:
    """One row per (payer, host, facility) where a municipality uses another's facility.

    amount = unit_cost × demand [yen/year], as charged in the solution's flows (the
    plan's accounts); agreed_amount = unit_price × reserved [yen/year], whole units at a
    whole-yen unit cost (the agreement's annex).
    """
    columns = [
        "payer",
        "host",
        "facility",
        "facility_name",
        "type",
        "demand",
        "capacity_unit",
        "unit_cost",
        "amount",
        "reserved",
        "unit_price",
        "agreed_amount",
    ]
    flows = solution.flows
    if flows.empty:
        return pd.DataFrame(columns=columns)
    runs_it = pd.Series(needs_agreement_to_use(problem), index=problem.facilities.index.astype(str))
    hosted = runs_it.reindex(flows["facility"].astype(str)).fillna(True).to_numpy(bool)
    # across a border, to a facility that needs an agreement: one its host runs, or a
    # 地域密着型 one (designated by the user); others admit residents by need
    shared = flows[(flows["municipality"].astype(str) != flows["host"].astype(str)) & hosted]
    if shared.empty:
        return pd.DataFrame(columns=columns)
    units = problem.facility_types["capacity_unit"].astype(str)
    names = problem.facilities["name"].astype(str)
    table = pd.DataFrame(
        {
            "payer": shared["municipality"].astype(str).to_numpy(),
            "host": shared["host"].astype(str).to_numpy(),
            "facility": shared["facility"].astype(str).to_numpy(),
            "facility_name": names.reindex(shared["facility"].astype(str)).to_numpy(),
            "type": shared["type"].astype(str).to_numpy(),
            "demand": shared["demand"].astype(float).to_numpy(),
            "capacity_unit": units.reindex(shared["type"].astype(str)).to_numpy(),
            "unit_cost": shared["unit_cost"].astype(float).to_numpy(),
            "amount": shared["payment"].astype(float).to_numpy(),
        }
    )
    capacity = problem.facilities["capacity"].astype(float).reindex(table["facility"])
    table["reserved"] = [
        reserved_units(d, c) for d, c in zip(table["demand"], capacity.to_numpy(), strict=True)
    ]
    table["unit_price"] = [unit_price(u) for u in table["unit_cost"]]
    table["agreed_amount"] = (table["reserved"] * table["unit_price"]).astype("int64")
    return table.sort_values(["payer", "host", "facility"], ignore_index=True)


def pair_flow_table(solution: Solution, payments: pd.DataFrame) -> pd.DataFrame:
    """Payments each way for every agreement pair (a < b), and the net a → b [yen/year]."""
    pairs = solution.agreements[["a", "b"]].astype(str)
    if pairs.empty:
        return pd.DataFrame(columns=["a", "b", "a_to_b", "b_to_a", "net"])
    by_direction = payments.groupby(["payer", "host"])["amount"].sum()

    def paid(payer: str, host: str) -> float:
        return float(by_direction.get((payer, host), 0.0))

    rows = [
        {"a": a, "b": b, "a_to_b": paid(a, b), "b_to_a": paid(b, a)}
        for a, b in sorted(zip(pairs["a"], pairs["b"], strict=True))
    ]
    table = pd.DataFrame(rows)
    table["net"] = table["a_to_b"] - table["b_to_a"]
    return table


# --------------------------------------------------------------------------- methods


def usage_shares(problem: ProblemData, solution: Solution) -> pd.Series:
    """u_i = Σ_j demand_ij · unit_cost_j ÷ Σ_i Σ_j demand_ij · unit_cost_j (equal if none)."""
    codes = problem.codes
    flows = solution.flows
    if flows.empty:
        value = pd.Series(0.0, index=codes)
    else:
        worth = flows["demand"].astype(float) * flows["unit_cost"].astype(float)
        value = worth.groupby(flows["municipality"].astype(str)).sum().reindex(codes).fillna(0.0)
    total = float(value.sum())
    if total <= 0:
        return pd.Series(1.0 / len(codes), index=codes, name="usage_share")
    return (value / total).rename("usage_share")


def formula_split(
    total: float,
    population: pd.Series,
    usage: pd.Series,
    weights: tuple[float, float, float],
) -> pd.Series:
    """The joint-body formula: total · (w_eq/n + w_pop · pop_i/Σpop + w_use · u_i).

    Parameters
    ----------
    total
        Cost to split [yen/year].
    population
        Residents per municipality.
    usage
        Usage shares u_i (sum 1).
    weights
        (均等割, 人口割, 実績割); normalised to sum 1 (all zero: equal split).
    """
    w = np.asarray(weights, dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.array([1.0, 0.0, 0.0])
    n = len(population)
    pop = population.astype(float)
    pop_share = pop / pop.sum() if pop.sum() > 0 else pd.Series(1.0 / n, index=pop.index)
    share = w[0] / n + w[1] * pop_share + w[2] * usage.reindex(pop.index).fillna(0.0)
    return (total * share).rename("formula")


def usage_split(standalone: pd.Series, total: float, usage: pd.Series) -> pd.Series:
    """Stand-alone cost minus the area's total saving (Σ SA − T) shared by usage."""
    saving = float(standalone.sum()) - total
    return (standalone - saving * usage.reindex(standalone.index).fillna(0.0)).rename("usage")


# --------------------------------------------------------------------------- Shapley


def _shapley_mode(mode: str, players: int, exact_max_players: int) -> str:
    """``auto``: ``exact`` up to ``exact_max_players`` players, else ``skipped``."""
    if mode not in ("auto", "exact", "sampled", "off"):
        raise ValueError(f"shapley must be auto, exact, sampled or off, not {mode!r}")
    if mode == "auto":
        return "exact" if players <= exact_max_players else "skipped"
    return mode


def _skipped_note(players: int, exact_max_players: int) -> tuple[str, str]:
    solves = 2**players - players - 2
    return (
        f"Shapley value not computed by default for {players} municipalities: it takes "
        f"{solves:,} coalition solves exactly (the default computes it "
        f"only up to {exact_max_players} municipalities), or up to "
        f"{players - 2} solves per random order when sampled. Ask for it with "
        f"--shapley exact, or --shapley sampled ({DEFAULT_SHAPLEY_SAMPLES} orders, "
        "standard error stated).",
        f"{players}市町村のシャープレイ値は既定では計算しません。厳密には{solves:,}通りの連合の"
        f"求解が必要です（既定で計算するのは{exact_max_players}市町村まで）。"
        "--shapley exact（厳密）または --shapley sampled（無作為な順序"
        f"{DEFAULT_SHAPLEY_SAMPLES}通りによる推定、標準誤差を表示）で計算できます。",
    )


def set_note(notes: dict, key: str, english: str, japanese: str) -> None:
    """A plain-language note in both languages: ``notes[key]`` (English) and
    ``notes["ja"][key]`` (Japanese, what the report shows first)."""
    notes[key] = english
    notes.setdefault("ja", {})[key] = japanese


def coalition_progress(say: Callable[[str], None] | None, steps: int = 20) -> Progress | None:
    """Turn ``say(message)`` into a ``progress(done, total)`` reporting about every 5 %."""
    if say is None:
        return None

    def progress(done: int, total: int) -> None:
        if done == total or done % max(1, total // steps) == 0:
            say(Text(f"coalition costs {done:,}/{total:,}", f"提携の費用 {done:,}/{total:,}"))

    return progress


def _shapley(
    codes: list[str],
    standalone: pd.Series,
    total: float,
    mode: str,
    cost: CostFunction,
    samples: int | None,
    seed: int,
    processes: int | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[ShapleyResult, dict]:
    """Shapley shares with the cache seeded by c({i}) = SA_i and c(N) = T."""
    cache: dict[frozenset, float] = {frozenset(codes): total}
    cache.update({frozenset([c]): float(standalone[c]) for c in codes})
    if mode == "exact":
        result = exact_shapley(codes, cost, cache=cache, processes=processes, progress=progress)
    else:
        result = sampled_shapley(
            codes,
            cost,
            samples=samples or DEFAULT_SHAPLEY_SAMPLES,
            seed=seed,
            cache=cache,
            processes=processes,
            progress=progress,
        )
    return result, cache


def _core_notes(notes: dict, codes: list[str], values: dict[frozenset, float]) -> None:
    check = least_core(codes, values)
    notes.update(
        {
            "core_empty": check.empty,
            "least_core_epsilon": check.epsilon,
            "least_core_allocation": check.allocation.to_dict(),
        }
    )
    if check.empty:
        set_note(
            notes,
            "core",
            "The core is empty: every split of the plan's cost leaves some group of "
            f"municipalities better off on their own, by at least {check.epsilon:,.0f} yen "
            "a year (least-core ε). The plan keeps its own guarantee instead: no "
            "municipality pays more than it would alone.",
            "コアは空です。計画の費用をどう分けても、いずれかの市町村の組が自分たちだけで"
            f"連携した方が年{check.epsilon:,.0f}円以上安くなります（最小コアのε）。"
            "このため、計画自身の原則（どの市町村も単独の場合より負担が増えない）で公平性を"
            "保証します。",
        )
    else:
        set_note(
            notes,
            "core",
            "The core is not empty: some split of the plan's cost leaves no group better off "
            "alone.",
            "コアは空ではありません。どの市町村の組も自分たちだけで連携した方が安くならない"
            "費用の分け方があります。",
        )


# --------------------------------------------------------------------------- allocate


def allocate(
    problem: ProblemData,
    solution: Solution,
    *,
    shapley: str = "auto",
    samples: int | None = None,
    seed: int = 0,
    processes: int | None = None,
    progress: Callable[[str], None] | None = None,
    coalition_cost: Callable[[frozenset], float] | None = None,
    exact_max_players: int = EXACT_SHAPLEY_MAX_PLAYERS,
) -> Allocation:
    """Split the plan's cost among the municipalities, with alternatives to compare.

    Parameters
    ----------
    problem, solution
        The inputs and the checked plan.
    shapley
        ``auto`` (exact up to ``exact_max_players`` municipalities, left out
        beyond with a note saying how to ask for it), ``exact``, ``sampled`` or ``off``.
    samples
        Orders to sample (default :data:`DEFAULT_SHAPLEY_SAMPLES`).
    seed
        Seed of the sampled orders.
    processes
        Worker processes for coalition solves (``None``: all cores; 1: in this process).
    progress
        Called with a short message (``coalition costs 120/1,012``) as coalitions are
        solved, about every 5 %.
    coalition_cost
        c(S) [yen/year] for a frozenset of codes, picklable for worker processes (the
        run passes :func:`optimizer.solving.standalone.coalition_cost` bound to the
        problem); needed unless the Shapley value is off or skipped. The allocation
        itself never solves a model.
    exact_max_players
        The most municipalities for which ``auto`` computes exact Shapley values
        (default :data:`EXACT_SHAPLEY_MAX_PLAYERS`).

    Returns
    -------
    Allocation
    """
    codes = problem.codes
    municipalities = municipal_table(problem, solution)
    payments = payment_table(problem, solution)
    pair_flows = pair_flow_table(solution, payments)
    standalone = municipalities["standalone_cost"]
    plan = municipalities["plan_cost"]
    total = float(plan.sum())
    usage = usage_shares(problem, solution)
    p = problem.parameters
    weights = (p.weight_equal, p.weight_population, p.weight_usage)

    alternatives = pd.DataFrame(index=municipalities.index)
    alternatives["plan"] = plan
    alternatives["formula"] = formula_split(
        total, problem.municipalities["population"], usage, weights
    )
    alternatives["usage"] = usage_split(standalone, total, usage)
    notes: dict = {
        "total_cost": total,
        "total_standalone": float(standalone.sum()),
        "total_saving": float(standalone.sum()) - total,
        "formula_weights": dict(zip(("equal", "population", "usage"), weights, strict=True)),
    }
    set_note(
        notes,
        "usage_basis",
        "share of the value of demand served (demand × unit cost)",
        "利用した量×単位当たり費用（利用額）の割合",
    )

    mode = _shapley_mode(shapley, len(codes), exact_max_players)
    alternatives["shapley"] = np.nan
    if mode == "off":
        set_note(
            notes,
            "shapley",
            "Shapley value not computed (switched off).",
            "シャープレイ値は計算していません（指定により省略）。",
        )
    elif mode == "skipped":
        set_note(notes, "shapley", *_skipped_note(len(codes), exact_max_players))
    else:
        if coalition_cost is None:
            raise ValueError(
                "Shapley values need coalition_cost, c(S) for a set of codes "
                "(e.g. functools.partial(optimizer.coalition_cost, problem)), or shapley='off'"
            )
        if processes is None:
            processes = default_processes()
        try:
            result, cache = _shapley(
                codes,
                standalone,
                total,
                mode,
                coalition_cost,
                samples,
                seed,
                processes,
                coalition_progress(progress),
            )
        except OptimizerError as exc:  # a coalition with no plan of its own: keep the rest
            log.warning("Shapley value not computed: %s", exc)
            set_note(
                notes,
                "shapley",
                f"Shapley value not computed: {exc}",
                f"シャープレイ値は計算できませんでした（{exc}）。",
            )
        else:
            alternatives["shapley"] = result.values.reindex(codes)
            notes["shapley_standard_error"] = result.standard_error.reindex(codes).to_dict()
            _shapley_notes(notes, result)
            if result.method == "exact":
                _core_notes(notes, codes, {c: cache[c] for c in all_coalitions(codes)})
            else:
                set_note(
                    notes,
                    "core",
                    "Core not checked: it needs every coalition's cost (exact mode).",
                    "コアは確認していません（全ての連合の費用が要るため、厳密計算のときだけ"
                    "確認します）。",
                )

    for method in METHODS:
        alternatives[f"{method}_exceeds_standalone"] = alternatives[
            method
        ] > standalone + np.maximum(TOLERANCE_YEN, TOLERANCE_RELATIVE * standalone.abs())
    notes["exceeds_standalone"] = {
        method: sorted(alternatives.index[alternatives[f"{method}_exceeds_standalone"]])
        for method in METHODS
    }
    notes["negative_shares"] = {
        method: sorted(alternatives.index[alternatives[method] < -TOLERANCE_YEN])
        for method in METHODS
    }
    if any(notes["negative_shares"].values()):
        set_note(
            notes,
            "negative",
            "Some methods give negative shares (a municipality would be paid to join): "
            "the area's saving exceeds what those methods can spread sensibly, typically "
            "when a stand-alone cost includes a penalty for demand it cannot serve alone.",
            "一部の方式では負担額が負になります（参加すると支払を受ける側になる）。圏域の削減額"
            "がその方式で無理なく配れる範囲を超えており、多くは単独の費用に単独では満たせない"
            "需要の割増が含まれる場合です。",
        )
    set_note(
        notes,
        "rule",
        "The plan's payment rule applies: users pay hosts the unit cost of capacity × "
        "demand served, and with the fairness rule on no municipality pays more than alone.",
        "計画の負担の原則によります。利用する団体は施設の所在団体に、容量当たりの単価×利用量"
        "を支払います。公平性の条件が有効なとき、どの市町村も単独の場合より負担が増えません。",
    )
    return Allocation(municipalities, payments, pair_flows, alternatives, notes)


def _shapley_notes(notes: dict, result: ShapleyResult) -> None:
    error = float(result.standard_error.max())
    if result.method == "exact":
        set_note(
            notes,
            "shapley",
            f"Shapley value exact, from all {result.coalitions_evaluated:,} coalition costs.",
            f"シャープレイ値は、全{result.coalitions_evaluated:,}通りの連合の費用から厳密に"
            "計算しました。",
        )
    else:
        set_note(
            notes,
            "shapley",
            f"Shapley value estimated from {result.samples:,} random orders "
            f"({result.coalitions_evaluated:,} coalition costs); "
            f"largest standard error {error:,.0f} yen a year.",
            f"シャープレイ値は、無作為な順序{result.samples:,}通り（連合の費用"
            f"{result.coalitions_evaluated:,}件）から推定しました。標準誤差は最大で年"
            f"{error:,.0f}円です。",
        )
    notes.update(
        {
            "shapley_method": result.method,
            "shapley_samples": result.samples,
            "shapley_max_standard_error": error,
            "shapley_coalitions": result.coalitions_evaluated,
            "shapley_seconds": result.seconds,
        }
    )
