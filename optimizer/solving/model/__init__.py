"""The integer program: build it from a problem and its arcs, and read a plan back.

:func:`build_model` reads like the model's table of contents: the sets as arrays
(:mod:`.index`), the variables (:mod:`.variables`), each constraint family in a fixed
order (:mod:`.service`, :mod:`.policy`, :mod:`.fairness`), then the objective
(:mod:`.objective`). :func:`read_plan` turns the solver's values into plain tables
(no PuLP objects leave this package).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from optimizer.problem.data import ProblemData
from optimizer.problem.network import access_arcs
from optimizer.problem.rules import needs_agreement_to_use
from optimizer.results.plan import Plan, municipal_flows, municipal_unserved
from optimizer.solving.model.fairness import define_fairness, define_served_as_alone
from optimizer.solving.model.index import ModelIndex, build_index
from optimizer.solving.model.nogood import define_excluded_plans
from optimizer.solving.model.objective import define_objective
from optimizer.solving.model.policy import (
    define_area_floor,
    define_banned_pairs,
    define_capital_budget,
    define_coverage,
    define_fixed_status,
    define_keep_own,
    define_max_partners,
    define_self_sufficiency,
)
from optimizer.solving.model.service import (
    define_agreements,
    define_capacity,
    define_demand,
    define_linking,
    define_total_capacity,
)
from optimizer.solving.model.variables import ModelVariables, define_variables

__all__ = [
    "FacilityModel",
    "Plan",
    "build_model",
    "read_plan",
    "set_start",
    "CONSTRAINT_FAMILIES",
]

log = logging.getLogger(__name__)

CONSTRAINT_FAMILIES = (
    define_demand,
    define_capacity,
    define_total_capacity,
    define_linking,
    define_agreements,
    define_fixed_status,
    define_keep_own,
    define_max_partners,
    define_banned_pairs,
    define_self_sufficiency,
    define_capital_budget,
    define_area_floor,
    define_coverage,
)
"""The constraint families, in the order they are added (fairness comes last)."""

SHARE_EPSILON = 1e-6
"""Shares below this are solver noise and read as 0: HiGHS meets each row to within
1e-7, and a share of 1e-7 of a demand point's need rides on an arc unnoticed (on the
sample, 8.6e-8 of a zone's library visits — 0.03 visits a year — made a line of 0 visits
in an agreement's annex). No plan sends a millionth of a point's demand on purpose."""


@dataclass
class FacilityModel:
    """A built PuLP problem with the index and variables it was built from."""

    prob: pulp.LpProblem
    index: ModelIndex
    variables: ModelVariables
    rows: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0


def build_model(
    problem: ProblemData,
    arcs: pd.DataFrame | None = None,
    standalone: pd.Series | None = None,
    name: str = "facility_sharing",
    exclude_plans: Sequence[frozenset[str]] = (),
    alone_unserved: pd.Series | None = None,
) -> FacilityModel:
    """Build the integer program of docs/model.md for ``problem``.

    Parameters
    ----------
    problem
        The validated problem.
    arcs
        Its access arcs (:func:`optimizer.problem.network.access_arcs`); computed when omitted.
    standalone
        Stand-alone cost per municipality [yen/year] for the fairness constraints; no
        fairness rows when ``None`` or when the parameter ``fairness`` is off.
    exclude_plans
        Plans (sets of open facility ids) the solution must differ from, one no-good cut
        each (:func:`.nogood.define_excluded_plans`).
    alone_unserved
        The stand-alone plans' unserved share per (municipality, type): with fairness,
        nobody is left unserved more than alone (:func:`.fairness.define_served_as_alone`).
    """
    start = time.perf_counter()
    if arcs is None:
        arcs = access_arcs(problem)
    index = build_index(problem, arcs)
    prob = pulp.LpProblem(name, pulp.LpMinimize)
    variables = define_variables(prob, index)
    rows = {family.__name__: family(prob, index, variables) for family in CONSTRAINT_FAMILIES}
    rows["define_fairness"] = define_fairness(prob, index, variables, standalone)
    rows["define_served_as_alone"] = define_served_as_alone(prob, index, variables, alone_unserved)
    rows["define_excluded_plans"] = define_excluded_plans(prob, index, variables, exclude_plans)
    define_objective(prob, index, variables)
    seconds = time.perf_counter() - start
    log.info(
        "model built in %.2f s: %d facilities, %d arcs, %d agreement pairs, %d rows",
        seconds,
        len(index.facility_ids),
        len(index.arcs),
        len(index.pairs),
        sum(rows.values()),
    )
    return FacilityModel(prob, index, variables, rows, seconds)


def _values(variables: np.ndarray) -> np.ndarray:
    return np.array(
        [np.nan if v.varValue is None else v.varValue for v in variables], dtype=float
    ).reshape(len(variables))


def _arc_allowed(index: ModelIndex, var: ModelVariables, is_open: np.ndarray) -> np.ndarray:
    """Arcs whose facility is open and, across a border, whose agreement is signed."""
    arcs = index.arcs
    allowed = is_open[arcs["j"].to_numpy(int)]
    if len(var.agree):
        agreed = np.nan_to_num(_values(var.agree)) > 0.5
        pair = arcs["pair"].to_numpy(int)
        signed = np.where(pair >= 0, agreed[np.maximum(pair, 0)], False)
        allowed &= ~arcs["needs_agreement"].to_numpy(bool) | signed
    return allowed


def _agreements_from_flows(flows: pd.DataFrame, hosts: pd.Series) -> pd.DataFrame:
    """The pairs with a flow across their border that needs an agreement (``hosts``: the
    host of each facility, ``""`` for one used across borders without an agreement)."""
    user = flows["municipality"].to_numpy(dtype=object)
    host = hosts.reindex(flows["facility"]).fillna("").to_numpy(dtype=object)
    cross = (user != host) & (host != "")
    a, b = user[cross], host[cross]
    pairs = pd.DataFrame({"a": np.where(a < b, a, b), "b": np.where(a < b, b, a)})
    return pairs.drop_duplicates().sort_values(["a", "b"]).reset_index(drop=True)


def read_plan(model: FacilityModel) -> Plan:
    """The plan in the solver's current values.

    Binary values are rounded; shares on arcs whose facility or agreement rounds to 0 and
    shares below :data:`SHARE_EPSILON` are dropped (the former counted as unserved), the
    rest clipped to [0, 1]. Agreements are the pairs with a flow across their border
    (an ``agree`` variable left at 1 without any flow is not an agreement anyone needs).
    """
    index, var = model.index, model.variables
    is_open = np.nan_to_num(_values(var.open_)) > 0.5
    open_facilities = pd.Series(is_open, index=index.facility_ids, name="open")

    share = np.clip(np.nan_to_num(_values(var.use)), 0.0, 1.0)
    # Within the solver's feasibility tolerance, use[i,j] ≤ open[j] and ≤ agree[i,h(j)]
    # let a share of ~1e-7 ride on a facility or agreement whose binary rounds to 0. Such
    # crumbs are not part of the plan: they are dropped and counted as unserved, so the
    # plan read back pays for exactly the facilities and agreements it uses.
    noise = share * ~_arc_allowed(index, var, is_open)
    share = share - noise
    used = share > SHARE_EPSILON
    # Shares below SHARE_EPSILON join the largest flow of their demand point, so that
    # every point's served and unserved shares still add up to 1; a point with no other
    # flow counts them as unserved.
    dkey = index.arcs["dkey"].to_numpy(int)
    rows = np.flatnonzero(used)
    largest = (
        pd.DataFrame({"dkey": dkey[rows], "share": share[rows], "row": rows})
        .sort_values(["dkey", "share"], kind="stable")
        .drop_duplicates("dkey", keep="last")
    )
    keys, target = largest["dkey"].to_numpy(int), largest["row"].to_numpy(int)
    moved = np.bincount(dkey, weights=np.where(used, 0.0, share), minlength=len(index.demands))
    crumbs = np.bincount(dkey, weights=noise, minlength=len(index.demands))
    left = np.clip(np.nan_to_num(_values(var.unserved)) + crumbs, 0.0, 1.0)
    # An unserved share below SHARE_EPSILON is noise too: it joins the largest flow.
    tiny = np.zeros(len(index.demands))
    tiny[keys] = np.where(left[keys] <= SHARE_EPSILON, left[keys], 0.0)
    share = share.copy()
    share[target] = np.minimum(share[target] + moved[keys] + tiny[keys], 1.0)
    moved[keys] = 0.0  # the rest belongs to points with no flow: unserved
    left = np.clip(left - tiny + moved, 0.0, 1.0)
    arcs = index.arcs[used]
    point_flows = pd.DataFrame(
        {
            "point": arcs["point"].astype(str).to_numpy(),
            "municipality": arcs["municipality"].astype(str).to_numpy(),
            "facility": arcs["facility"].astype(str).to_numpy(),
            "share": share[used],
            "distance_km": arcs["distance_km"].to_numpy(float),
        }
    )
    facilities = index.problem.facilities
    hosts = facilities["municipality"].astype(str).where(needs_agreement_to_use(index.problem), "")
    hosts.index = index.facility_ids
    agreements = _agreements_from_flows(point_flows, hosts)

    short = left > SHARE_EPSILON
    point_unserved = pd.DataFrame(
        {
            "point": index.demands["point"].to_numpy()[short],
            "municipality": index.demands["municipality"].to_numpy()[short],
            "type": index.demands["type"].to_numpy()[short],
            "share": left[short],
        }
    )
    problem = index.problem
    return Plan(
        open_facilities,
        municipal_flows(problem, point_flows),
        agreements,
        municipal_unserved(problem, point_unserved),
        point_flows,
        point_unserved,
    )


def set_start(model: FacilityModel, plan: Plan) -> None:
    """Give every variable the initial value of ``plan`` (absent flows and shares: 0).

    Agreements are set for the pairs of ``plan.agreements``. A plan that uses an arc the
    model does not have is ignored as a whole (logged).
    """
    index, var = model.index, model.variables
    arcs = pd.MultiIndex.from_arrays([index.arcs["point"], index.arcs["facility"]])
    given = plan.point_flows
    flows = pd.Series(
        given["share"].to_numpy(float),
        index=pd.MultiIndex.from_arrays([given["point"], given["facility"]]),
    )
    if not flows.index.isin(arcs).all():
        log.warning("starting plan uses arcs outside the model; not used")
        return
    use = flows.reindex(arcs).fillna(0.0).to_numpy(float)
    is_open = plan.open_facilities.reindex(index.facility_ids).fillna(False).to_numpy(bool)
    # What the flows leave of each point's demand is unserved, exactly: the plan read
    # back drops shares below SHARE_EPSILON, and a start a hair off its demand rows
    # would be refused.
    served = np.bincount(
        index.arcs["dkey"].to_numpy(int), weights=use, minlength=len(index.demands)
    )
    unserved = np.clip(1.0 - served, 0.0, 1.0)
    pairs = pd.MultiIndex.from_arrays([index.pairs["a"], index.pairs["b"]])
    signed = pd.MultiIndex.from_arrays([plan.agreements["a"], plan.agreements["b"]])
    agree = pairs.isin(signed)
    for variable, sites in var.covered:
        variable.varValue = float(is_open[sites].any())
    for variables, values in (
        (var.open_, is_open.astype(float)),
        (var.use, use),
        (var.agree, agree.astype(float)),
        (var.unserved, unserved),
    ):
        for variable, value in zip(variables, values.tolist(), strict=True):
            variable.varValue = value
