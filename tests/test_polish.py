"""Polishing a plan: exact flows for its decisions, one direction per pair and type, and
no stray flow or agreement that a planner would not propose."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from factories import site, three_city_problem, tiny_problem, town, zone

from optimizer.results.check import check_solution
from optimizer.solving.solve import SolverSettings, solve_problem

KM_EAST = 1.0 / (111.320 * np.cos(np.radians(35.0)))


def _crossings(solution) -> set[tuple[str, str, str]]:
    flows = solution.flows
    cross = flows[flows["municipality"] != flows["host"]]
    return set(zip(cross["municipality"], cross["host"], cross["type"], strict=True))


def test_the_seed_example_gives_exactly_its_three_agreements_at_the_default_gap():
    problem = three_city_problem(agreement_fixed_cost=1e6)
    solution = solve_problem(problem, SolverSettings(), processes=1)
    assert solution.agreements[["a", "b"]].values.tolist() == [["A", "B"], ["A", "C"], ["B", "C"]]
    assert _crossings(solution) == {("B", "A", "care"), ("A", "C", "library"), ("C", "B", "hall")}
    assert check_solution(problem, solution) == []


def _border_towns(west_residents: float = 100, **params):
    """A and B, 9 km apart, each with a library at its centre; 100 residents of each live
    right next to the other's library (a zone across from the border)."""
    towns = [town("A", 35.0, 139.0, 600), town("B", 35.0, 139.0 + 9 * KM_EAST, 600)]
    sites = [
        site("L-A", "library", "A", capacity=5_000, annual_cost=1e6),
        site("L-B", "library", "B", capacity=5_000, annual_cost=1e6, lon=139.0 + 9 * KM_EAST),
    ]
    zones = [
        zone("A-centre", "A", 35.0, 139.0, 500),
        zone("A-east", "A", 35.0, 139.0 + 8.5 * KM_EAST, 100),
        zone("B-centre", "B", 35.0, 139.0 + 9 * KM_EAST, 500),
        zone("B-west", "B", 35.0, 139.0 + 0.5 * KM_EAST, west_residents),
    ]
    types = {"library": {"max_distance_km": 12.0, "user_travel_cost_per_km": 1_000.0}}
    return tiny_problem(
        towns, sites, types, zones=zones, fairness=False, detour_factor=1.0, **params
    )


def test_a_pair_never_sends_one_type_both_ways():
    problem = _border_towns()
    raw = solve_problem(problem, SolverSettings(mip_gap=0.0, polish=False), processes=1)
    assert {("A", "B", "library"), ("B", "A", "library")} <= _crossings(raw)  # both ways
    solution = solve_problem(problem, SolverSettings(mip_gap=0.0), processes=1)
    crossings = _crossings(solution)
    assert len(crossings) == 1  # one direction only
    assert solution.unserved.empty
    assert check_solution(problem, solution) == []
    # it costs the travel of one zone's residents: the honest price of the rule
    assert solution.objective >= raw.objective
    assert solution.outcome.gap == pytest.approx(
        (solution.objective - solution.outcome.bound) / solution.objective, abs=1e-9
    )


def test_polishing_never_costs_more_when_no_pair_crosses_both_ways():
    problem = three_city_problem(agreement_fixed_cost=1e6)
    raw = solve_problem(problem, SolverSettings(mip_gap=0.0, polish=False), processes=1)
    polished = solve_problem(problem, SolverSettings(mip_gap=0.0), processes=1)
    assert polished.objective == pytest.approx(raw.objective, rel=1e-9)
    assert polished.outcome.status == raw.outcome.status


def _direction_binaries(problem, sends):
    """The polish's direction binaries for a plan whose use per arc is ``sends(arcs)``."""
    from optimizer.solving.model import build_model
    from optimizer.solving.polish import _one_direction

    model = build_model(problem)
    arcs = model.index.arcs
    free = _one_direction(model, sends(arcs))
    # their bounds and value read while the model lives (PuLP 4's variables die with it)
    ways = [
        SimpleNamespace(lowBound=v.lowBound, upBound=v.upBound, varValue=v.varValue)
        for v in model.prob.variables()
        if v.name.startswith("way_")
    ]
    return free, ways


def test_the_polish_chooses_a_direction_only_where_the_plan_goes_both_ways():
    problem = _border_towns()

    def both(arcs):
        return np.ones(len(arcs))

    def a_to_b_only(arcs):
        return ((arcs["municipality"] == "A") | ~arcs["cross"]).to_numpy(float)

    free, ways = _direction_binaries(problem, both)
    assert free == 1 and len(ways) == 1 and ways[0].lowBound == 0 and ways[0].upBound == 1
    free, ways = _direction_binaries(problem, a_to_b_only)
    assert free == 0 and len(ways) == 1
    fixed = ways[0]
    assert fixed.lowBound == fixed.upBound  # kept as the plan has it
    assert fixed.varValue == fixed.lowBound  # A (the lower code) uses B's library: forward


def test_a_tiny_zone_served_the_other_way_still_counts_as_a_use_of_that_direction():
    """Its whole demand is a millionth of the flow the other way: still a use."""
    problem = _border_towns(west_residents=1e-6)

    def a_to_b_and_the_tiny_zone_back(arcs):
        back = arcs["cross"] & (arcs["municipality"] == "B")
        return (~back | (arcs["point"] == "B-west")).to_numpy(float)

    free, ways = _direction_binaries(problem, a_to_b_and_the_tiny_zone_back)
    assert free == 1 and ways[0].lowBound == 0 and ways[0].upBound == 1


def test_the_polish_never_hands_back_dearer_flows_without_the_one_way_rule(monkeypatch):
    import optimizer.solving.polish as polish
    from optimizer.problem.network import access_arcs
    from optimizer.results.plan import Plan

    problem = _border_towns()
    raw = solve_problem(problem, SolverSettings(mip_gap=0.0, polish=False), processes=1)
    none = pd.DataFrame({c: [] for c in ("point", "municipality", "type", "share")})
    flows = raw.point_flows[["point", "municipality", "facility", "share", "distance_km"]]
    plan = Plan(raw.facilities["open"], raw.flows, raw.agreements, raw.unserved, flows, none)
    # a "polished" plan that sends every zone to the farther library
    far = flows.assign(facility=flows["facility"].map({"L-A": "L-B", "L-B": "L-A"}))
    dearer = Plan(plan.open_facilities, plan.flows, plan.agreements, plan.unserved, far, none)
    monkeypatch.setattr(polish, "plan_cost", lambda problem, p: 2.0 if p is dearer else 1.0)
    monkeypatch.setattr(polish, "_polished", lambda *args: None if args[-1] else dearer)
    kept = polish.polish_plan(problem, plan, SolverSettings(), None, access_arcs(problem))
    assert kept is plan
