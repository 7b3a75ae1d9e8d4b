"""Plan: the solver's decisions as plain tables, before any accounting.

What :mod:`optimizer.solving` hands to :mod:`optimizer.results`: which facilities are
open, the shares of demand each facility serves, the agreements and the unserved shares.
No PuLP object appears here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.results.accounting import demand_of, plan_objective

__all__ = ["Plan", "plan_cost", "plan_of", "side_by_side", "municipal_flows", "municipal_unserved"]


@dataclass(frozen=True)
class Plan:
    """The solver's values as tables keyed by the user's ids.

    open_facilities
        Bool per facility id.
    flows
        ``municipality``, ``facility``, ``share`` (of the municipality's demand for the
        type), ``distance_km`` (the mean over its residents served there, weighted by
        demand) (shares > 0): the flows of :attr:`point_flows` per municipality.
    agreements
        ``a``, ``b`` (a < b): pairs with a cross-border flow either way.
    unserved
        ``municipality``, ``type``, ``share`` (shares > 0), per municipality.
    point_flows
        What the model decided: ``point``, ``municipality``, ``facility``, ``share`` (of
        the point's demand), ``distance_km`` (shares > 0).
    point_unserved
        ``point``, ``municipality``, ``type``, ``share`` (of the point's demand).
    """

    open_facilities: pd.Series
    flows: pd.DataFrame
    agreements: pd.DataFrame
    unserved: pd.DataFrame
    point_flows: pd.DataFrame
    point_unserved: pd.DataFrame


def plan_of(plan: Plan, members: Iterable[str], facility_ids: pd.Index) -> Plan:
    """The part of ``plan`` that concerns ``members`` and the facilities they host."""
    keep = set(members)
    agreements = plan.agreements
    return Plan(
        open_facilities=plan.open_facilities[plan.open_facilities.index.isin(facility_ids)],
        flows=plan.flows[plan.flows["municipality"].isin(keep)],
        agreements=agreements[agreements["a"].isin(keep) & agreements["b"].isin(keep)],
        unserved=plan.unserved[plan.unserved["municipality"].isin(keep)],
        point_flows=plan.point_flows[plan.point_flows["municipality"].isin(keep)],
        point_unserved=plan.point_unserved[plan.point_unserved["municipality"].isin(keep)],
    )


def plan_cost(problem: ProblemData, plan: Plan) -> float:
    """The objective of ``plan`` recomputed from its tables [yen/year]
    (:func:`optimizer.results.accounting.plan_objective`)."""
    return plan_objective(problem, plan.open_facilities, plan.flows, plan.agreements, plan.unserved)


def side_by_side(plans: Sequence[Plan]) -> Plan:
    """Plans of disjoint groups of municipalities together: one plan of the whole area.

    A facility open to all residents may be in several of them (each group had its share
    of it): it is open if any plan keeps it open."""
    opened = pd.concat([p.open_facilities for p in plans])
    return Plan(
        open_facilities=opened.groupby(level=0, sort=False).any(),
        flows=pd.concat([p.flows for p in plans], ignore_index=True),
        agreements=pd.concat([p.agreements for p in plans], ignore_index=True),
        unserved=pd.concat([p.unserved for p in plans], ignore_index=True),
        point_flows=pd.concat([p.point_flows for p in plans], ignore_index=True),
        point_unserved=pd.concat([p.point_unserved for p in plans], ignore_index=True),
    )


def _amounts(problem: ProblemData, table: pd.DataFrame, kinds: pd.Series) -> np.ndarray:
    """share × D[p, k] per row of a point table [capacity unit]."""
    points = table["point"].astype(str).to_numpy(dtype=object)
    demand = demand_of(problem, points, kinds.astype(str).to_numpy(dtype=object), points=True)
    return table["share"].to_numpy(float) * demand


def _shares(problem: ProblemData, codes: pd.Series, kinds: pd.Series, amount) -> np.ndarray:
    """amount ÷ D[i, k] per row (0 where the municipality has no such demand)."""
    total = demand_of(
        problem, codes.astype(str).to_numpy(dtype=object), kinds.astype(str).to_numpy(dtype=object)
    )
    return np.divide(amount, total, out=np.zeros(len(total)), where=total > 0)


def municipal_flows(problem: ProblemData, point_flows: pd.DataFrame) -> pd.DataFrame:
    """The flows of the demand points added up per (municipality, facility).

    ``share`` of the municipality's demand for the type, ``distance_km`` the
    demand-weighted mean of its points' distances. Ordered by type, municipality and
    facility (input order). Without zones a point is its municipality, and the table is
    the point table.
    """
    columns = ["municipality", "facility", "share", "distance_km"]
    if point_flows.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c in columns[2:] else object) for c in columns}
        )
    kinds = problem.facilities["type"].astype(str).reindex(point_flows["facility"].astype(str))
    kinds.index = point_flows.index
    amount = _amounts(problem, point_flows, kinds)
    frame = pd.DataFrame(
        {
            "municipality": point_flows["municipality"].astype(str).to_numpy(),
            "facility": point_flows["facility"].astype(str).to_numpy(),
            "type": kinds.to_numpy(dtype=object),
            "amount": amount,
            "weighted": amount * point_flows["distance_km"].to_numpy(float),
            "plain": point_flows["distance_km"].to_numpy(float),
        }
    )
    grouped = frame.groupby(["municipality", "facility"], sort=False)
    sums = grouped[["amount", "weighted"]].sum()
    plain = grouped["plain"].mean()
    kind = grouped["type"].first()
    codes = sums.index.get_level_values(0).to_series(index=sums.index)
    flows = pd.DataFrame(
        {
            "municipality": sums.index.get_level_values(0).to_numpy(dtype=object),
            "facility": sums.index.get_level_values(1).to_numpy(dtype=object),
            "share": _shares(problem, codes, kind, sums["amount"].to_numpy(float)),
            "distance_km": np.where(
                sums["amount"] > 0,
                sums["weighted"] / sums["amount"].where(sums["amount"] > 0, 1.0),
                plain,
            ),
        }
    )
    order = np.lexsort(
        (
            pd.Index(problem.facilities.index.astype(str)).get_indexer(flows["facility"]),
            pd.Index(problem.municipalities.index.astype(str)).get_indexer(flows["municipality"]),
            pd.Index(problem.facility_types.index.astype(str)).get_indexer(kind.to_numpy()),
        )
    )
    return flows.iloc[order].reset_index(drop=True)


def municipal_unserved(problem: ProblemData, point_unserved: pd.DataFrame) -> pd.DataFrame:
    """The unserved shares of the demand points per (municipality, type)."""
    columns = ["municipality", "type", "share"]
    if point_unserved.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c == "share" else object) for c in columns}
        )
    amount = _amounts(problem, point_unserved, point_unserved["type"])
    frame = pd.DataFrame(
        {
            "municipality": point_unserved["municipality"].astype(str).to_numpy(),
            "type": point_unserved["type"].astype(str).to_numpy(),
            "amount": amount,
        }
    )
    sums = frame.groupby(["municipality", "type"], sort=False)["amount"].sum()
    codes = sums.index.get_level_values(0).to_series(index=sums.index)
    kinds = sums.index.get_level_values(1).to_series(index=sums.index)
    table = pd.DataFrame(
        {
            "municipality": codes.to_numpy(dtype=object),
            "type": kinds.to_numpy(dtype=object),
            "share": np.clip(_shares(problem, codes, kinds, sums.to_numpy(float)), 0.0, 1.0),
        }
    )
    return table.reset_index(drop=True)
