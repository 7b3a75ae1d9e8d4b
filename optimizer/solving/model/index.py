"""Integer positions of the model's sets, built once from the problem and its arcs.

Everything the constraint families need is an array here: they select rows of
:attr:`ModelIndex.arcs` (one per ``use`` variable), of :attr:`ModelIndex.pairs` (one per
``agree`` variable) and of :attr:`ModelIndex.demands` (one per ``unserved`` variable),
and never loop over the user's identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.problem.rules import (
    agreement_allowed,
    needs_agreement_to_use,
    needs_agreement_variables,
    utilisation_limits,
)

__all__ = ["ModelIndex", "build_index", "unit_costs", "arc_travel_costs"]


def unit_costs(facilities: pd.DataFrame) -> np.ndarray:
    """Annual cost ÷ capacity [yen per capacity unit]; 0 for a facility of no capacity."""
    capacity = facilities["capacity"].to_numpy(dtype=float)
    cost = facilities["annual_cost"].to_numpy(dtype=float)
    return np.divide(cost, capacity, out=np.zeros_like(cost), where=capacity > 0)


@dataclass(frozen=True)
class ModelIndex:
    """The model's sets as arrays.

    Attributes
    ----------
    problem
        The problem the index was built from.
    codes, types, facility_ids, point_ids
        Municipality codes *i*, types *k*, facility ids *j*, demand points *p*, in input
        order.
    point_owner
        i(p): the municipality of each point, as positions.
    demand
        D[p, k] [capacity unit], shape (n_points, n_types).
    facility_type, facility_host
        k(j) and h(j) as positions.
    capacity, utilisation, annual_cost, capital_cost, unit_cost, status
        Per facility, in the order of ``facility_ids`` (``utilisation``: the largest share
        of its capacity the plan may fill, its type's ``max_utilisation``).
    arcs
        One row per ``use`` variable: the access arcs with D[p, k] > 0 to facilities
        that may open and have capacity. Columns of :func:`optimizer.problem.network.access_arcs`
        plus positions ``p``, ``i`` (the point's municipality), ``j``, ``k``, ``h``,
        ``demand`` D[p, k], ``cross``
        (h ≠ i), ``needs_agreement`` (across a border to a facility the host runs, or
        to a 地域密着型 one: see :func:`optimizer.problem.rules.needs_agreement_to_use`), ``allowed`` (no agreement
        needed, or the pair may cooperate), ``pair`` (row of
        ``pairs``, −1 when none) and ``dkey`` (row of ``demands``).
    pairs
        One row per ``agree`` variable: ``a`` < ``b`` (codes), positions ``ia``, ``ib``.
        Empty when agreements are derived from the flows (``with_agreements`` False).
    demands
        One row per (p, k) with D[p, k] > 0: ``point``, ``municipality``, ``type``,
        ``p``, ``i``, ``k``, ``demand``.
    with_agreements
        Whether the model carries ``agree`` binaries.
    """

    problem: ProblemData
    codes: pd.Index
    types: pd.Index
    facility_ids: pd.Index
    point_ids: pd.Index
    point_owner: np.ndarray
    demand: np.ndarray
    facility_type: np.ndarray
    facility_host: np.ndarray
    capacity: np.ndarray
    utilisation: np.ndarray
    annual_cost: np.ndarray
    capital_cost: np.ndarray
    unit_cost: np.ndarray
    status: np.ndarray
    arcs: pd.DataFrame
    pairs: pd.DataFrame
    demands: pd.DataFrame
    with_agreements: bool


def _demand_keys(
    points: pd.Index, owner: np.ndarray, codes: pd.Index, types: pd.Index, demand: np.ndarray
) -> pd.DataFrame:
    p, k = np.nonzero(demand > 0)
    return pd.DataFrame(
        {
            "point": points.to_numpy()[p],
            "municipality": codes.to_numpy()[owner[p]],
            "type": types.to_numpy()[k],
            "p": p,
            "i": owner[p],
            "k": k,
            "demand": demand[p, k],
        }
    )


def _pairs(arcs: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    needed = arcs[arcs["needs_agreement"] & arcs["allowed"]]
    ia = np.minimum(needed["i"].to_numpy(), needed["h"].to_numpy())
    ib = np.maximum(needed["i"].to_numpy(), needed["h"].to_numpy())
    pairs = pd.DataFrame({"ia": ia, "ib": ib}).drop_duplicates().sort_values(["ia", "ib"])
    pairs = pairs.reset_index(drop=True)
    a = codes.to_numpy(dtype=object)[pairs["ia"].to_numpy()]
    b = codes.to_numpy(dtype=object)[pairs["ib"].to_numpy()]
    # Positions follow input order; the pair's codes are stored with a < b as text.
    pairs.insert(0, "a", np.where(a < b, a, b))
    pairs.insert(1, "b", np.where(a < b, b, a))
    return pairs


def build_index(problem: ProblemData, arcs: pd.DataFrame) -> ModelIndex:
    """Positions of every set of the model, from the problem and its access arcs."""
    codes = pd.Index(problem.municipalities.index.astype(str))
    types = pd.Index(problem.facility_types.index.astype(str))
    facilities = problem.facilities
    ids = pd.Index(facilities.index.astype(str))
    points = pd.Index(problem.points.index.astype(str))
    owner = codes.get_indexer(problem.points["municipality"].astype(str))
    demand = problem.point_demand.reindex(index=points, columns=types).fillna(0.0).to_numpy(float)
    capacity = facilities["capacity"].to_numpy(dtype=float)
    status = facilities["status"].astype(str).to_numpy()

    arcs = arcs.copy()
    arcs["p"] = points.get_indexer(arcs["point"].astype(str))
    arcs["i"] = codes.get_indexer(arcs["municipality"].astype(str))
    arcs["j"] = ids.get_indexer(arcs["facility"].astype(str))
    arcs["k"] = types.get_indexer(arcs["type"].astype(str))
    arcs["h"] = codes.get_indexer(arcs["host"].astype(str))
    arcs["demand"] = demand[arcs["p"], arcs["k"]] if len(arcs) else np.zeros(0)
    usable = (arcs["demand"] > 0) & (status[arcs["j"]] != "close") & (capacity[arcs["j"]] > 0)
    arcs = arcs[usable.to_numpy(bool)].reset_index(drop=True)
    arcs["cross"] = (arcs["i"] != arcs["h"]).to_numpy(bool)
    needed = needs_agreement_to_use(problem)
    arcs["needs_agreement"] = arcs["cross"].to_numpy(bool) & needed[arcs["j"].to_numpy(int)]
    arcs["allowed"] = ~arcs["needs_agreement"].to_numpy(bool) | agreement_allowed(
        problem, arcs["municipality"], arcs["host"]
    )

    demands = _demand_keys(points, owner, codes, types, demand)
    key = pd.Series(
        np.arange(len(demands)), index=pd.MultiIndex.from_arrays([demands["p"], demands["k"]])
    )
    arcs["dkey"] = key.reindex(pd.MultiIndex.from_arrays([arcs["p"], arcs["k"]])).to_numpy(int)

    with_agreements = needs_agreement_variables(problem)
    pairs = _pairs(arcs, codes) if with_agreements else _pairs(arcs.iloc[:0], codes)
    arcs["pair"] = -1
    if len(pairs):
        lookup = pd.Series(
            np.arange(len(pairs)), index=pd.MultiIndex.from_arrays([pairs["ia"], pairs["ib"]])
        )
        lo = np.minimum(arcs["i"].to_numpy(), arcs["h"].to_numpy())
        hi = np.maximum(arcs["i"].to_numpy(), arcs["h"].to_numpy())
        found = lookup.reindex(pd.MultiIndex.from_arrays([lo, hi])).to_numpy(float)
        take = arcs["needs_agreement"].to_numpy(bool) & arcs["allowed"].to_numpy(bool)
        arcs.loc[take, "pair"] = found[take].astype(int)

    return ModelIndex(
        problem=problem,
        codes=codes,
        types=types,
        facility_ids=ids,
        point_ids=points,
        point_owner=owner,
        demand=demand,
        facility_type=types.get_indexer(facilities["type"].astype(str)),
        facility_host=codes.get_indexer(facilities["municipality"].astype(str)),
        capacity=capacity,
        utilisation=utilisation_limits(problem)
        .reindex(facilities["type"].astype(str))
        .to_numpy(float),
        annual_cost=facilities["annual_cost"].to_numpy(dtype=float),
        capital_cost=facilities["capital_cost"].to_numpy(dtype=float),
        unit_cost=unit_costs(facilities),
        status=status,
        arcs=arcs,
        pairs=pairs,
        demands=demands,
        with_agreements=with_agreements,
    )


def arc_travel_costs(index: ModelIndex) -> np.ndarray:
    """t_k · D[p, k] · d(p, j) per arc: the travel cost of serving all of *p* by *j* [yen/year]."""
    arcs = index.arcs
    rate = index.problem.facility_types["user_travel_cost_per_km"].astype(float)
    return (
        rate.reindex(index.types).to_numpy(float)[arcs["k"].to_numpy()]
        * arcs["demand"].to_numpy(float)
        * arcs["distance_km"].to_numpy(float)
    )


def per_demand(index: ModelIndex, column: str) -> np.ndarray:
    """A per-type price ``facility_types[column]`` × D[p, k], per demand row [yen/year].

    ``unserved_penalty`` gives P_k·D[p,k] (the objective's price of leaving all of *p*'s
    demand unserved); ``self_provision_cost`` gives S_k·D[p,k] (what that costs its
    municipality in its own accounts).
    """
    price = index.problem.facility_types[column].astype(float)
    demands = index.demands
    positions = demands["k"].to_numpy()
    return price.reindex(index.types).to_numpy(float)[positions] * demands["demand"].to_numpy(float)
