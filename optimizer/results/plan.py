"""Plan: the solver's decisions as plain tables, before any accounting.

What :mod:`optimizer.solving` hands to :mod:`optimizer.results`: which facilities are
open, the shares of demand each facility serves, the agreements and the unserved shares.
No PuLP object appears here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = ["Plan", "plan_of", "side_by_side"]


@dataclass(frozen=True)
class Plan:
    """The solver's values as tables keyed by the user's ids.

    open_facilities
        Bool per facility id.
    flows
        ``municipality``, ``facility``, ``share``, ``distance_km`` (shares > 0).
    agreements
        ``a``, ``b`` (a < b): pairs with a cross-border flow either way.
    unserved
        ``municipality``, ``type``, ``share`` (shares > 0).
    """

    open_facilities: pd.Series
    flows: pd.DataFrame
    agreements: pd.DataFrame
    unserved: pd.DataFrame


def plan_of(plan: Plan, members: Iterable[str], facility_ids: pd.Index) -> Plan:
    """The part of ``plan`` that concerns ``members`` and the facilities they host."""
    keep = set(members)
    agreements = plan.agreements
    return Plan(
        open_facilities=plan.open_facilities[plan.open_facilities.index.isin(facility_ids)],
        flows=plan.flows[plan.flows["municipality"].isin(keep)],
        agreements=agreements[agreements["a"].isin(keep) & agreements["b"].isin(keep)],
        unserved=plan.unserved[plan.unserved["municipality"].isin(keep)],
    )


def side_by_side(plans: Sequence[Plan]) -> Plan:
    """Plans of disjoint groups of municipalities together: one plan of the whole area."""
    return Plan(
        open_facilities=pd.concat([p.open_facilities for p in plans]),
        flows=pd.concat([p.flows for p in plans], ignore_index=True),
        agreements=pd.concat([p.agreements for p in plans], ignore_index=True),
        unserved=pd.concat([p.unserved for p in plans], ignore_index=True),
    )
