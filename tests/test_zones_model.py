"""Residents where they live: zones and demand points in the model, the checker and the
accounts; their aggregation and its error bound; the coverage rule; 地域密着型 types."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from factories import site, tiny_problem, town, zone

from optimizer.problem.geodesy import geodesic_km
from optimizer.problem.zones import (
    aggregation_error,
    assign_points,
    complete_zones,
    demand_points,
)
from optimizer.results.check import check_solution
from optimizer.solving.solve import SolverSettings, solve_problem

EXACT = SolverSettings(mip_gap=0.0, time_limit_s=60)
KM_EAST = 1.0 / (111.320 * np.cos(np.radians(35.0)))  # degrees of longitude per km at 35° N


def _branch_case(with_zones: bool, **params):
    """Town A: its city hall and main library at 139.0 E; a branch library 6 km east,
    where 8,000 of its 10,000 residents live. Libraries serve up to 5 km."""
    towns = [town("A", 35.0, 139.0, 10_000)]
    sites = [
        site("L-main", "library", "A", capacity=20_000, annual_cost=10e6),
        site(
            "L-branch", "library", "A", capacity=20_000, annual_cost=12e6, lon=139.0 + 6 * KM_EAST
        ),
    ]
    zones = [
        zone("A-hall", "A", 35.0, 139.0, 2_000),
        zone("A-east", "A", 35.0, 139.0 + 6.2 * KM_EAST, 8_000),
    ]
    types = {"library": {"max_distance_km": 5.0, "user_travel_cost_per_km": 100.0}}
    return tiny_problem(
        towns,
        sites,
        types,
        zones=zones if with_zones else None,
        fairness=False,
        detour_factor=1.0,
        **params,
    )


def test_a_branch_library_near_many_residents_is_kept_once_residents_sit_where_they_live():
    at_hall = solve_problem(_branch_case(False), EXACT)
    assert at_hall.facilities.loc["L-branch", "decision"] == "close"  # everyone at the hall
    problem = _branch_case(True)
    solution = solve_problem(problem, EXACT)
    assert solution.facilities.loc["L-branch", "decision"] == "keep"
    assert solution.facilities.loc["L-main", "decision"] == "keep"  # A-hall is 6 km from it
    assert solution.unserved.empty
    assert check_solution(problem, solution) == []
    points = solution.point_flows.set_index("point")
    assert points.loc["A-east", "facility"] == "L-branch"
    assert points.loc["A-hall", "facility"] == "L-main"


def test_point_demand_adds_up_to_the_municipality_and_the_flows_per_municipality_sum_the_points():
    problem = _branch_case(True)
    assert problem.point_demand["library"].sum() == pytest.approx(problem.demand.at["A", "library"])
    assert problem.point_demand.at["A-east", "library"] == pytest.approx(8_000)
    solution = solve_problem(problem, EXACT)
    flows = solution.flows.set_index("facility")
    assert flows.loc["L-branch", "share"] == pytest.approx(0.8)
    assert flows.loc["L-main", "share"] == pytest.approx(0.2)
    # the municipality's travel is its points' travel: 100 yen/km × Σ demand × distance
    point_travel = (
        100.0 * solution.point_flows["demand"] * solution.point_flows["distance_km"]
    ).sum()
    assert solution.flows["travel_cost"].sum() == pytest.approx(point_travel)
    costs = solution.municipal_costs
    assert costs.at["A", "travel"] == pytest.approx(point_travel)


def test_a_zone_beyond_every_facility_is_named_as_unserved_with_its_reason():
    towns = [town("A", 35.0, 139.0, 1_000)]
    sites = [site("L", "library", "A", capacity=5_000, annual_cost=1e6)]
    zones = [
        zone("near", "A", 35.0, 139.0, 900),
        zone("far", "A", 35.0, 139.0 + 30 * KM_EAST, 100, name="奥の集落"),
    ]
    types = {"library": {"max_distance_km": 10.0}}
    problem = tiny_problem(towns, sites, types, zones=zones, fairness=False, detour_factor=1.0)
    solution = solve_problem(problem, EXACT)
    left = solution.unserved
    assert list(left["point"]) == ["far"]
    assert left["reason"].iloc[0] == "out_of_reach"
    assert left["demand"].iloc[0] == pytest.approx(100.0)
    assert left["nearest_distance_km"].iloc[0] == pytest.approx(30.0, rel=1e-2)
    assert check_solution(problem, solution) == []


def _scatter(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = np.where(np.arange(n) < n // 2, "A", "B")
    return pd.DataFrame(
        {
            "municipality": codes,
            "name": [f"z{k}" for k in range(n)],
            "lat": 35.6 + rng.uniform(0, 0.1, n),
            "lon": 139.3 + rng.uniform(0, 0.1, n) + (codes == "B") * 0.1,
            "population": rng.integers(0, 3_000, n).astype(float),
            "population_75plus": np.nan,
        },
        index=pd.Index([f"Z{k:03d}" for k in range(n)], name="zone"),
    )


def _towns() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["A", "B"],
            "lat": [35.65, 35.65],
            "lon": [139.35, 139.45],
            "population": [60_000.0, 60_000.0],
            "population_75plus": [9_000.0, 6_000.0],
        },
        index=pd.Index(["A", "B"], name="code"),
    )


def test_k_means_merges_each_municipality_into_at_most_k_points_and_keeps_its_people():
    zones = complete_zones(_scatter(80), _towns())
    merged = assign_points(zones, per_municipality=5)
    points = demand_points(merged)
    assert points.groupby("municipality").size().max() <= 5
    assert points["population"].sum() == pytest.approx(zones["population"].sum())
    assert set(points["municipality"]) == {"A", "B"}
    # a point never mixes two municipalities
    assert (merged.groupby("point")["municipality"].nunique() == 1).all()
    # deterministic
    again = assign_points(complete_zones(_scatter(80), _towns()), per_municipality=5)
    assert list(again["point"]) == list(merged["point"])


def test_a_grid_merges_the_zones_of_one_cell_and_one_municipality():
    zones = complete_zones(_scatter(80), _towns())
    merged = assign_points(zones, grid_km=2.0)
    points = demand_points(merged)
    assert len(points) < len(zones)
    error = aggregation_error(merged, points, 1.0)
    assert error.max() <= 2.0 * np.sqrt(2.0) + 1e-6  # within its 2 km cell


def test_the_error_bound_holds_for_every_distance_to_every_facility():
    zones = complete_zones(_scatter(60), _towns())
    merged = assign_points(zones, per_municipality=3)
    points = demand_points(merged)
    bound = aggregation_error(merged, points, 1.3).to_numpy()
    rng = np.random.default_rng(3)
    lat, lon = 35.55 + rng.uniform(0, 0.2, 40), 139.25 + rng.uniform(0, 0.3, 40)
    own = points.loc[merged["point"]]
    from_zone = 1.3 * geodesic_km(
        merged["lat"].to_numpy()[:, None], merged["lon"].to_numpy()[:, None], lat, lon
    )
    from_point = 1.3 * geodesic_km(
        own["lat"].to_numpy()[:, None], own["lon"].to_numpy()[:, None], lat, lon
    )
    assert (np.abs(from_zone - from_point) <= bound[:, None] + 1e-9).all()
    assert bound.max() > 0  # the merge did move people


def test_blank_75plus_counts_share_out_the_municipalitys_remaining_elderly_by_population():
    table = _scatter(4)
    table["population"] = [100.0, 300.0, 200.0, 200.0]
    table.loc["Z000", "population_75plus"] = 1_000.0
    zones = complete_zones(table, _towns())
    assert zones.loc["Z000", "population_75plus"] == 1_000.0
    assert not zones.loc["Z000", "estimated_75plus"]
    assert zones.loc["Z001", "population_75plus"] == pytest.approx(8_000.0)  # A: 9,000 − 1,000
    assert zones.loc["Z002", "population_75plus"] == pytest.approx(3_000.0)  # B: half of 6,000
    assert zones["estimated_75plus"].sum() == 3


def test_a_municipality_without_zones_keeps_its_own_point():
    table = _scatter(6)
    table = table[table["municipality"] == "A"]
    zones = complete_zones(table, _towns())
    assert "B" in zones.index and zones.loc["B", "own_point"]
    assert zones.loc["B", "population"] == 60_000.0


def _coverage_case(share: float):
    """Town A: 1,000 residents, 600 next to library L-west, 400 next to L-east (8 km
    apart); either library alone can serve all within the 10 km maximum."""
    towns = [town("A", 35.0, 139.0, 1_000)]
    sites = [
        site("L-west", "library", "A", capacity=5_000, annual_cost=1e6),
        site("L-east", "library", "A", capacity=5_000, annual_cost=2e6, lon=139.0 + 8 * KM_EAST),
    ]
    zones = [
        zone("west", "A", 35.0, 139.0, 600),
        zone("east", "A", 35.0, 139.0 + 8 * KM_EAST, 400),
    ]
    types = {"library": {"max_distance_km": 10.0, "coverage_km": 2.0, "coverage_share": share}}
    return tiny_problem(towns, sites, types, zones=zones, fairness=False, detour_factor=1.0)


def test_the_coverage_rule_keeps_a_library_near_enough_residents():
    loose = solve_problem(_coverage_case(0.5), EXACT)
    assert loose.facilities.loc["L-east", "decision"] == "close"  # 60 % within 2 km anyway
    problem = _coverage_case(0.9)
    solution = solve_problem(problem, EXACT)
    assert solution.facilities.loc["L-east", "decision"] == "keep"
    assert check_solution(problem, solution) == []
    # the checker holds the loose plan to the rule of 90 %
    found = check_solution(problem, loose)
    assert any("below the coverage rule" in line for line in found)


def test_a_community_based_type_needs_the_users_designation_even_when_privately_run():
    towns = [
        town("A", population=100, population_75plus=100),
        town("B", 35.01, population=100, population_75plus=40),
    ]
    care = {"demand_basis": "population_75plus", "demand_per_person": 0.5}
    sites = [{**site("C-P", "care", "A", capacity=100, annual_cost=50e6), "operator": "private"}]
    free = tiny_problem(towns, sites, {"care": care}, agreement_fixed_cost=1e6)
    assert solve_problem(free, EXACT).agreements.empty  # by need: no agreement
    problem = tiny_problem(
        towns,
        sites,
        {"care": {**care, "community_based": True}},
        agreement_fixed_cost=1e6,
        fairness=False,  # A, with nothing to gain, would not pay its half of the agreement
    )
    solution = solve_problem(problem, EXACT)
    assert set(solution.flows["municipality"]) == {"A", "B"}
    assert solution.agreements[["a", "b"]].values.tolist() == [["A", "B"]]
    assert solution.flows["payment"].sum() == pytest.approx(0.0)  # care insurance pays
    assert check_solution(problem, solution) == []


def test_the_coverage_rule_holds_a_municipality_to_what_it_could_reach_on_its_own():
    """Half of A lives 8 km east, 0.5 km from a library of B's that B's own residents,
    12 km further east, do not use. Going alone, A covers only its western half; the joint
    plan holds A to that too, so B's costly border library may close (holding A to 90 %
    would keep it open for A, more than A could have had alone)."""
    towns = [town("A", 35.0, 139.0, 1_000), town("B", 35.0, 139.0 + 20 * KM_EAST, 1_000)]
    sites = [
        site("L-A", "library", "A", capacity=5_000, annual_cost=1e6),
        site("L-B", "library", "B", capacity=5_000, annual_cost=1e6, lon=139.0 + 20 * KM_EAST),
        site(
            "L-border", "library", "B", capacity=5_000, annual_cost=9e6, lon=139.0 + 8.5 * KM_EAST
        ),
    ]
    zones = [
        zone("A-west", "A", 35.0, 139.0, 500),
        zone("A-east", "A", 35.0, 139.0 + 8 * KM_EAST, 500),
        zone("B-all", "B", 35.0, 139.0 + 20 * KM_EAST, 1_000),
    ]
    types = {"library": {"max_distance_km": 10.0, "coverage_km": 2.0, "coverage_share": 0.9}}
    problem = tiny_problem(towns, sites, types, zones=zones, detour_factor=1.0)
    solution = solve_problem(problem, EXACT)
    assert solution.facilities.loc["L-border", "decision"] == "close"
    assert check_solution(problem, solution) == []
