"""A small hand-made area and plan for the report and map tests.

Three municipalities, three facility types, seven existing facilities and two candidate
sites. The plan (which facilities stay open and who uses which) is chosen by hand; the
tables of :class:`optimizer.results.solution.Solution` and :class:`optimizer.sharing.allocation.Allocation`
are then filled in exactly as their docstrings define them, so the report's numbers can
be checked against them.
"""

from __future__ import annotations

import math

import pandas as pd

from optimizer.problem.data import Parameters, assemble_problem
from optimizer.results.outcome import SolveOutcome, Status
from optimizer.results.solution import Solution
from optimizer.sharing.allocation import Allocation

MUNICIPALITIES = pd.DataFrame(
    {
        "code": ["13201", "13202", "13203"],
        "name": ["甲市", "乙町", "丙村"],
        "lat": [35.666, 35.700, 35.640],
        "lon": [139.316, 139.400, 139.420],
        "population": [120_000, 40_000, 12_000],
        "population_75plus": [18_000, 7_000, 2_600],
        "may_share": [True, True, True],
        "capital_budget": [math.nan] * 3,
    }
).set_index("code")

FACILITY_TYPES = pd.DataFrame(
    {
        "type": ["library", "hall", "care"],
        "name_ja": ["図書館", "文化ホール", "特別養護老人ホーム"],
        "demand_basis": ["population", "population", "population_75plus"],
        "demand_per_person": [3.0, 0.4, 0.02],
        "capacity_unit": ["visits/year", "seats", "beds"],
        "max_distance_km": [10.0, 15.0, 12.0],
        "renovation_unit_cost": [250_000.0, 250_000.0, 200_000.0],
        "rebuild_unit_cost": [400_000.0, 400_000.0, 360_000.0],
        "life_years": [60, 60, 60],
        "renovation_year": [30, 30, 30],
        "user_travel_cost_per_km": [150.0, 300.0, 2_000.0],
        "routine_repair_per_m2": [0.0, 0.0, 0.0],
    }
).set_index("type")

_F = [
    # id, name, type, host, lat, lon, capacity, area, built, operating, candidate, build_cost
    (
        "L1",
        "甲市中央図書館",
        "library",
        "13201",
        35.667,
        139.318,
        600_000,
        3000,
        1985,
        9e7,
        False,
        math.nan,
    ),
    (
        "L2",
        "乙町図書館",
        "library",
        "13202",
        35.701,
        139.398,
        150_000,
        900,
        1978,
        3e7,
        False,
        math.nan,
    ),
    (
        "L3",
        "丙村図書室",
        "library",
        "13203",
        35.641,
        139.421,
        60_000,
        400,
        1995,
        1e7,
        False,
        math.nan,
    ),
    (
        "H1",
        "甲市民会館",
        "hall",
        "13201",
        35.665,
        139.320,
        70_000,
        6000,
        1975,
        1.2e8,
        False,
        math.nan,
    ),
    (
        "H2",
        "丙村ふれあいホール",
        "hall",
        "13203",
        35.639,
        139.418,
        8_000,
        1500,
        1982,
        2e7,
        False,
        math.nan,
    ),
    ("C1", "乙町特養", "care", "13202", 35.702, 139.402, 300, 8000, 2000, 2.5e8, False, math.nan),
    ("C2", "甲市特養", "care", "13201", 35.668, 139.312, 420, 11000, 1992, 3.4e8, False, math.nan),
    (
        "X1",
        "乙町複合ホール候補地",
        "hall",
        "13202",
        35.699,
        139.405,
        20_000,
        3000,
        None,
        5e7,
        True,
        1.5e9,
    ),
    ("X2", "丙村特養候補地", "care", "13203", 35.642, 139.425, 60, 2000, None, 6e7, True, 7e8),
]

OPEN = {
    "L1": "keep",
    "L2": "close",
    "L3": "keep",
    "H1": "keep",
    "H2": "close",
    "C1": "keep",
    "C2": "keep",
    "X1": "not_built",
    "X2": "build",
}
"""The hand-chosen decisions."""

SHARES = [
    # municipality, facility, share of the municipality's demand for the type
    ("13201", "L1", 1.0),
    ("13202", "L1", 1.0),
    ("13203", "L3", 1.0),
    ("13201", "H1", 1.0),
    ("13202", "H1", 1.0),
    ("13203", "H1", 1.0),
    ("13201", "C2", 0.9),
    ("13201", "C1", 0.1),
    ("13202", "C1", 1.0),
    ("13203", "X2", 1.0),
]

STANDALONE_FACTOR = {"13201": 1.08, "13202": 1.25, "13203": 1.02}
AGREEMENT_COST = 2_000_000.0


def Outcome(  # noqa: N802 (reads like the class it builds)
    objective: float, bound: float, gap: float, seconds: float = 0.42
) -> SolveOutcome:
    """A proven-optimal solver outcome with the given figures."""
    return SolveOutcome(
        status=Status.OPTIMAL,
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=seconds,
        solver="HiGHS",
        message="Optimal",
        pulp_status=1,
        pulp_sol_status=1,
    )


def make_problem(area_name: str = "テスト圏域"):
    cols = [
        "id",
        "name",
        "type",
        "municipality",
        "lat",
        "lon",
        "capacity",
        "floor_area_m2",
        "year_built",
        "annual_operating_cost",
        "is_candidate",
        "build_cost",
    ]
    fac = pd.DataFrame(_F, columns=cols).set_index("id")
    fac["year_built"] = pd.array(fac["year_built"], dtype="Int64")
    fac["status"] = "free"
    fac["renewal_cost"] = math.nan
    return assemble_problem(
        MUNICIPALITIES.copy(),
        FACILITY_TYPES.copy(),
        fac,
        Parameters(area_name=area_name, agreement_fixed_cost=AGREEMENT_COST),
        source={"path": "sample.xlsx", "sha256": "ab" * 32, "format": "xlsx"},
    )


def _distance_km(a_lat, a_lon, b_lat, b_lon, detour):
    lat0 = math.radians((a_lat + b_lat) / 2)
    dx = (b_lon - a_lon) * 111.32 * math.cos(lat0)
    dy = (b_lat - a_lat) * 110.57
    return math.hypot(dx, dy) * detour


def make_solution(problem, seconds: float = 0.42) -> Solution:
    fac = problem.facilities
    muni = problem.municipalities
    rows = []
    for code, fid, share in SHARES:
        f = fac.loc[fid]
        k = f["type"]
        demand = problem.demand.loc[code, k] * share
        dist = _distance_km(
            muni.loc[code, "lat"],
            muni.loc[code, "lon"],
            f["lat"],
            f["lon"],
            problem.parameters.detour_factor,
        )
        unit_cost = f["annual_cost"] / f["capacity"]
        rows.append(
            {
                "municipality": code,
                "facility": fid,
                "type": k,
                "host": f["municipality"],
                "share": share,
                "demand": demand,
                "distance_km": dist,
                "travel_cost": demand
                * dist
                * problem.facility_types.loc[k, "user_travel_cost_per_km"],
                "unit_cost": unit_cost,
                "payment": 0.0 if code == f["municipality"] else unit_cost * demand,
            }
        )
    flows = pd.DataFrame(rows)
    served = flows.groupby("facility")["demand"].sum()
    decision = pd.Series(OPEN)
    is_open = decision.isin(["keep", "build"])
    facilities = pd.DataFrame(
        {
            "type": fac["type"],
            "municipality": fac["municipality"],
            "is_candidate": fac["is_candidate"],
            "status": fac["status"],
            "decision": decision.reindex(fac.index),
            "open": is_open.reindex(fac.index),
            "capacity": fac["capacity"].astype(float),
            "served": served.reindex(fac.index).fillna(0.0),
        }
    )
    facilities["utilisation"] = facilities["served"] / facilities["capacity"]
    facilities["annual_cost"] = fac["annual_cost"].where(facilities["open"], 0.0)

    cross = flows[flows["municipality"] != flows["host"]]
    pairs = sorted(
        {tuple(sorted(p)) for p in zip(cross["municipality"], cross["host"], strict=True)}
    )
    agreements = pd.DataFrame(pairs, columns=["a", "b"])

    costs = pd.DataFrame(index=muni.index)
    costs["own_facilities"] = (
        facilities[facilities["open"]]
        .groupby("municipality")["annual_cost"]
        .sum()
        .reindex(muni.index)
        .fillna(0.0)
    )
    costs["payments_out"] = (
        flows.groupby("municipality")["payment"].sum().reindex(muni.index).fillna(0.0)
    )
    costs["payments_in"] = flows.groupby("host")["payment"].sum().reindex(muni.index).fillna(0.0)
    costs["travel"] = (
        flows.groupby("municipality")["travel_cost"].sum().reindex(muni.index).fillna(0.0)
    )
    per_party = pd.concat([agreements["a"], agreements["b"]]).value_counts()
    costs["agreements"] = per_party.reindex(muni.index).fillna(0) * AGREEMENT_COST / 2
    costs["unserved"] = 0.0
    costs["plan_cost"] = (
        costs["own_facilities"]
        + costs["payments_out"]
        - costs["payments_in"]
        + costs["travel"]
        + costs["agreements"]
        + costs["unserved"]
    )
    costs["standalone_cost"] = costs["plan_cost"] * pd.Series(STANDALONE_FACTOR)
    costs["saving"] = costs["standalone_cost"] - costs["plan_cost"]
    costs = costs[
        [
            "standalone_cost",
            "own_facilities",
            "payments_out",
            "payments_in",
            "travel",
            "agreements",
            "unserved",
            "plan_cost",
            "saving",
        ]
    ]
    objective = float(costs["plan_cost"].sum())
    unserved = pd.DataFrame(
        columns=[
            "municipality",
            "type",
            "demand",
            "share",
            "nearest_facility",
            "nearest_distance_km",
            "reason",
        ]
    )
    return Solution(
        outcome=Outcome(objective=objective, bound=objective * 0.9999, gap=0.0001, seconds=seconds),
        facilities=facilities,
        flows=flows,
        agreements=agreements,
        unserved=unserved,
        municipal_costs=costs,
        objective=objective,
    )


def make_allocation(problem, solution) -> Allocation:
    costs = solution.municipal_costs
    municipalities = costs.copy()
    municipalities.insert(0, "name", problem.municipalities["name"])
    municipalities["saving_pct"] = 100 * costs["saving"] / costs["standalone_cost"]
    paid = solution.flows[solution.flows["payment"] > 0]
    payments = pd.DataFrame(
        {
            "payer": paid["municipality"],
            "host": paid["host"],
            "facility": paid["facility"],
            "type": paid["type"],
            "demand": paid["demand"],
            "capacity_unit": problem.facility_types.loc[paid["type"], "capacity_unit"].to_numpy(),
            "unit_cost": paid["unit_cost"],
            "amount": paid["payment"],
        }
    ).reset_index(drop=True)
    pair_rows = []
    for a, b in solution.agreements[["a", "b"]].itertuples(index=False):
        a_to_b = payments[(payments["payer"] == a) & (payments["host"] == b)]["amount"].sum()
        b_to_a = payments[(payments["payer"] == b) & (payments["host"] == a)]["amount"].sum()
        pair_rows.append(
            {"a": a, "b": b, "a_to_b": a_to_b, "b_to_a": b_to_a, "net": a_to_b - b_to_a}
        )
    pair_flows = pd.DataFrame(pair_rows)
    total = costs["plan_cost"].sum()
    pop_share = problem.municipalities["population"] / problem.municipalities["population"].sum()
    alternatives = pd.DataFrame(index=costs.index)
    alternatives["plan"] = costs["plan_cost"]
    alternatives["formula"] = total * (0.1 / 3 + 0.9 * pop_share)
    alternatives["usage"] = total * pop_share
    alternatives["shapley"] = costs["standalone_cost"] - costs["saving"].sum() / 3
    for method in ["plan", "formula", "usage", "shapley"]:
        alternatives[f"{method}_exceeds_standalone"] = (
            alternatives[method] > costs["standalone_cost"] + 1e-6
        )
    return Allocation(
        municipalities=municipalities,
        payments=payments,
        pair_flows=pair_flows,
        alternatives=alternatives,
        notes={"shapley": "exact over 8 coalitions", "core": "the core may be empty"},
    )


def run_info(**changes) -> dict:
    info = {
        "scenario": "base",
        "overrides": ["parameters.discount_rate=0.03"],
        "input_name": "sample.xlsx",
        "input_sha256": "ab" * 32,
        "versions": {"python": "3.11.7", "pulp": "3.3.0", "xlsxwriter": "3.3.1"},
        "settings": {"solver": None, "time_limit_s": None, "mip_gap": None, "shapley": "auto"},
    }
    info.update(changes)
    return info
