"""Who pays what under a plan, from tables only (no PuLP).

Payment rule (docs/model.md, "Payment rule"): a user municipality pays the host, per unit of demand
served, the facility's unit cost u_j = annual cost ÷ capacity [yen per capacity unit];
the host bears the rest of the facility's annual cost. Each municipality's plan cost
[yen/year]::

    plan_cost = own_facilities + payments_out − payments_in + travel + agreements + unserved

own_facilities  Σ annual cost of the open facilities it hosts
payments_out    Σ u_j · D[i,k] · share over the facilities of others it uses
payments_in     Σ u_j · D[i',k] · share paid by others for the facilities it hosts
travel          Σ t_k · D[i,k] · share · d(i,j), its residents' travel
agreements      half of ``agreement_fixed_cost`` per agreement it is party to
unserved        S_k · D[i,k] · unserved share: demand the plan leaves to the municipality,
                at the cost of providing it itself (S_k: facility_types.self_provision_cost)

Summed over municipalities, payments cancel and the plan costs add up to the objective
less the penalty premium Σ (P_k − S_k) · D[i,k] · unserved share (the objective prices
unserved demand at P_k, far above S_k, so that the plan serves what it can).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from optimizer.problem.data import ProblemData

__all__ = [
    "COST_PARTS",
    "COST_COLUMNS",
    "unit_cost",
    "demand_of",
    "flow_details",
    "unserved_details",
    "municipal_costs",
    "plan_objective",
    "unserved_premium",
]

COST_PARTS = ["own_facilities", "payments_out", "payments_in", "travel", "agreements", "unserved"]
"""The terms of a municipality's plan cost (payments_in counts negatively)."""

COST_COLUMNS = ["standalone_cost", *COST_PARTS, "plan_cost", "saving"]


def unit_cost(facilities: pd.DataFrame) -> pd.Series:
    """u_j = annual cost ÷ capacity [yen per capacity unit] (0 when capacity is 0)."""
    capacity = facilities["capacity"].astype(float)
    cost = facilities["annual_cost"].astype(float)
    return (cost / capacity.where(capacity > 0)).fillna(0.0).rename("unit_cost")


def demand_of(
    problem: ProblemData, codes: ArrayLike, kinds: ArrayLike, points: bool = False
) -> np.ndarray:
    """D[i, k] for element-wise pairs of codes and types (0 where unknown); D[p, k] of
    demand points when ``points``."""
    stacked = (problem.point_demand if points else problem.demand).stack()
    pairs = pd.MultiIndex.from_arrays(
        [pd.Index(codes, dtype=object), pd.Index(kinds, dtype=object)]
    )
    return stacked.reindex(pairs).fillna(0.0).to_numpy(float)


def flow_details(problem: ProblemData, flows: pd.DataFrame) -> pd.DataFrame:
    """Flows with their type, host, amounts and money.

    Parameters
    ----------
    flows
        Columns ``municipality``, ``facility``, ``share``, ``distance_km`` (others ignored).

    Returns
    -------
    pandas.DataFrame
        ``municipality``, ``facility``, ``type``, ``host``, ``share``, ``demand``
        (= D[i,k] × share) [capacity unit], ``distance_km``, ``travel_cost`` [yen/year],
        ``unit_cost`` [yen/unit], ``payment`` [yen/year] (0 when the user is the host).
    """
    facilities = problem.facilities
    ids = flows["facility"].astype(str).to_numpy()
    users = flows["municipality"].astype(str).to_numpy()
    kinds = facilities["type"].astype(str).reindex(ids).to_numpy(dtype=object)
    hosts = facilities["municipality"].astype(str).reindex(ids).to_numpy(dtype=object)
    share = flows["share"].to_numpy(float)
    amount = demand_of(problem, users, kinds) * share
    distance = flows["distance_km"].to_numpy(float)
    rate = problem.facility_types["user_travel_cost_per_km"].astype(float).reindex(kinds)
    price = unit_cost(facilities).reindex(ids).to_numpy(float)
    return pd.DataFrame(
        {
            "municipality": users,
            "facility": ids,
            "type": kinds,
            "host": hosts,
            "share": share,
            "demand": amount,
            "distance_km": distance,
            "travel_cost": rate.to_numpy(float) * amount * distance,
            "unit_cost": price,
            "payment": np.where(users != hosts, price * amount, 0.0),
        }
    )


def unserved_details(problem: ProblemData, unserved: pd.DataFrame) -> pd.DataFrame:
    """Unserved shares with their amount [capacity unit], their penalty P_k·amount and
    their self-provision cost S_k·amount [yen/year].

    Shares are of the municipality's demand, or, when the table has a ``point`` column
    (kept in the result), of that demand point's.
    """
    users = unserved["municipality"].astype(str).to_numpy()
    kinds = unserved["type"].astype(str).to_numpy()
    share = unserved["share"].to_numpy(float)
    by_point = "point" in unserved
    where = unserved["point"].astype(str).to_numpy() if by_point else users
    amount = demand_of(problem, where, kinds, points=by_point) * share
    first = {"point": where} if by_point else {}
    return pd.DataFrame(
        {
            **first,
            "municipality": users,
            "type": kinds,
            "share": share,
            "demand": amount,
            "penalty": _per_type(problem, "unserved_penalty", kinds) * amount,
            "self_provision": _per_type(problem, "self_provision_cost", kinds) * amount,
        }
    )


def _per_type(problem: ProblemData, column: str, kinds) -> np.ndarray:
    return problem.facility_types[column].reindex(pd.Index(kinds, dtype=object)).to_numpy(float)


def unserved_premium(problem: ProblemData, unserved: pd.DataFrame) -> float:
    """Σ (P_k − S_k) · unserved amount: what the objective adds on top of the plan costs."""
    left = unserved_details(problem, unserved)
    return float((left["penalty"] - left["self_provision"]).sum())


def _by_code(codes: pd.Index, keys, values) -> np.ndarray:
    series = pd.Series(np.asarray(values, dtype=float), index=pd.Index(keys, dtype=object))
    return series.groupby(level=0).sum().reindex(codes).fillna(0.0).to_numpy(float)


def municipal_costs(
    problem: ProblemData,
    open_facilities: pd.Series,
    flows: pd.DataFrame,
    agreements: pd.DataFrame,
    unserved: pd.DataFrame,
    standalone: pd.Series | None,
) -> pd.DataFrame:
    """The per-municipality cost split of a plan (see the module docstring).

    Parameters
    ----------
    open_facilities
        Bool per facility id (missing ids count as closed).
    flows
        ``municipality``, ``facility``, ``share``, ``distance_km``.
    agreements
        ``a``, ``b``.
    unserved
        ``municipality``, ``type``, ``share``.
    standalone
        Stand-alone cost per municipality [yen/year]; NaN where unknown.

    Returns
    -------
    pandas.DataFrame
        Index municipality code; columns :data:`COST_COLUMNS` [yen/year].
    """
    codes = pd.Index(problem.municipalities.index.astype(str), name="code")
    facilities = problem.facilities
    is_open = open_facilities.reindex(facilities.index).fillna(False).astype(bool).to_numpy()
    details = flow_details(problem, flows)
    left = unserved_details(problem, unserved)
    half = 0.5 * float(problem.parameters.agreement_fixed_cost)
    parties = np.concatenate(
        [agreements["a"].astype(str).to_numpy(), agreements["b"].astype(str).to_numpy()]
    )
    table = pd.DataFrame(index=codes)
    table["standalone_cost"] = (
        standalone.reindex(codes).to_numpy(float) if standalone is not None else np.nan
    )
    table["own_facilities"] = _by_code(
        codes,
        facilities["municipality"].astype(str).to_numpy()[is_open],
        facilities["annual_cost"].to_numpy(float)[is_open],
    )
    table["payments_out"] = _by_code(codes, details["municipality"], details["payment"])
    table["payments_in"] = _by_code(codes, details["host"], details["payment"])
    table["travel"] = _by_code(codes, details["municipality"], details["travel_cost"])
    table["agreements"] = _by_code(codes, parties, np.full(len(parties), half))
    table["unserved"] = _by_code(codes, left["municipality"], left["self_provision"])
    table["plan_cost"] = (
        table["own_facilities"]
        + table["payments_out"]
        - table["payments_in"]
        + table["travel"]
        + table["agreements"]
        + table["unserved"]
    )
    table["saving"] = table["standalone_cost"] - table["plan_cost"]
    return table[COST_COLUMNS]


def plan_objective(
    problem: ProblemData,
    open_facilities: pd.Series,
    flows: pd.DataFrame,
    agreements: pd.DataFrame,
    unserved: pd.DataFrame,
) -> float:
    """The objective of a plan recomputed from its tables [yen/year].

    Σ annual cost of open facilities + Σ travel + agreement_fixed_cost × agreements
    + Σ unserved penalty.
    """
    facilities = problem.facilities
    is_open = open_facilities.reindex(facilities.index).fillna(False).astype(bool).to_numpy()
    details = flow_details(problem, flows)
    left = unserved_details(problem, unserved)
    return float(
        facilities["annual_cost"].to_numpy(float)[is_open].sum()
        + details["travel_cost"].sum()
        + float(problem.parameters.agreement_fixed_cost) * len(agreements)
        + left["penalty"].sum()
    )
