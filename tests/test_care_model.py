"""Headroom, care operators and planning-area floors in the model, the checker and the accounts.

* headroom: a kept facility is filled to at most its type's ``max_utilisation``;
* operators: a facility run by a private operator or the prefecture is never closed,
  costs the municipalities nothing, and its use across a border needs no agreement and
  no payment (admission is by need under the care-insurance system);
* 老人福祉圏域: each planning area keeps at least its floor of a type's capacity.
"""

from __future__ import annotations

import pytest
from factories import site, tiny_problem, town

from optimizer.problem.restrict import reach_shares, restrict_problem
from optimizer.results.check import check_solution
from optimizer.solving.solve import SolverSettings, solve_problem
from optimizer.solving.standalone import standalone_solutions

EXACT = SolverSettings(mip_gap=0.0, time_limit_s=60)


def _with(row: dict, **columns: object) -> dict:
    return {**row, **columns}


def test_headroom_fills_a_facility_to_its_max_utilisation_only():
    towns = [town("A", population=100)]
    sites = [
        site("L-1", "library", "A", capacity=100, annual_cost=1e6),
        site("L-2", "library", "A", capacity=100, annual_cost=5e6),
    ]
    full = solve_problem(tiny_problem(towns, sites, fairness=False), EXACT)
    assert full.facilities.loc["L-2", "decision"] == "close"  # one library holds everyone
    types = {"library": {"max_utilisation": 0.8}}
    problem = tiny_problem(towns, sites, types, fairness=False)
    solution = solve_problem(problem, EXACT)
    assert solution.facilities.loc["L-2", "decision"] == "keep"  # 100 residents > 80 % of 100
    assert solution.facilities["utilisation"].max() <= 0.8 + 1e-9
    assert solution.unserved.empty
    # the checker holds the plan to the same limit: the unlimited plan fails it
    found = check_solution(problem, full)
    assert any("over its usable capacity" in line for line in found)


def test_a_private_care_home_is_never_closed_and_costs_the_municipalities_nothing():
    towns = [town("A", population=100, population_75plus=100), town("B", population=100)]
    types = {"care": {"demand_basis": "population_75plus", "demand_per_person": 0.5}}
    sites = [
        _with(site("C-P", "care", "A", capacity=60, annual_cost=90e6), operator="private"),
        site("C-M", "care", "A", capacity=60, annual_cost=10e6),
    ]
    problem = tiny_problem(towns, sites, types, fairness=False)
    assert problem.facilities.loc["C-P", "status"] == "keep"
    assert problem.facilities.loc["C-P", "annual_cost"] == 0.0
    assert problem.facilities.loc["C-P", "gross_annual_cost"] == pytest.approx(90e6)
    solution = solve_problem(problem, EXACT)
    decisions = solution.facilities["decision"]
    assert decisions["C-P"] == "keep"
    assert decisions["C-M"] == "close"  # the private home holds A's 50 residents
    costs = solution.municipal_costs
    assert costs.at["A", "own_facilities"] == pytest.approx(0.0)


def test_using_a_private_facility_across_a_border_needs_no_agreement_and_no_payment():
    towns = [
        town("A", population=100, population_75plus=100),
        town("B", 35.01, population=100, population_75plus=40),
    ]
    types = {"care": {"demand_basis": "population_75plus", "demand_per_person": 0.5}}
    sites = [_with(site("C-P", "care", "A", capacity=100, annual_cost=50e6), operator="private")]
    problem = tiny_problem(towns, sites, types, agreement_fixed_cost=1e6)
    solution = solve_problem(problem, EXACT)
    flows = solution.flows
    assert set(flows["municipality"]) == {"A", "B"}  # B's residents use A's private home
    assert solution.agreements.empty
    assert flows["payment"].sum() == pytest.approx(0.0)
    assert check_solution(problem, solution) == []


def test_a_planning_area_keeps_its_floor_of_care_capacity():
    towns = [
        _with(town("A", population=100, population_75plus=100), care_area="north"),
        _with(town("B", 35.01, population=100, population_75plus=20), care_area="north"),
    ]
    sites = [
        site("C-A", "care", "A", capacity=100, annual_cost=10e6),
        site("C-B", "care", "B", capacity=100, annual_cost=10e6),
    ]
    plain = {"care": {"demand_basis": "population_75plus", "demand_per_person": 0.5}}
    alone = solve_problem(tiny_problem(towns, sites, plain, fairness=False), EXACT)
    assert (alone.facilities["decision"] == "close").sum() == 1  # one home holds all 60
    floored = {"care": {**plain["care"], "area_floor_share": 1.0}}
    problem = tiny_problem(towns, sites, floored, fairness=False)
    solution = solve_problem(problem, EXACT)
    assert (solution.facilities["decision"] == "keep").all()  # today's 200 places stay
    found = check_solution(problem, alone)
    assert any("below its floor" in line for line in found)


def test_a_floor_per_resident_aged_75_and_over():
    towns = [
        _with(town("A", population=100, population_75plus=100), care_area="north"),
        _with(town("B", 35.01, population=100, population_75plus=100), care_area="north"),
    ]
    types = {
        "care": {
            "demand_basis": "population_75plus",
            "demand_per_person": 0.2,
            "area_floor_per_75plus": 0.3,
        }
    }
    sites = [
        site("C-A", "care", "A", capacity=50, annual_cost=10e6),
        site("C-B", "care", "B", capacity=50, annual_cost=10e6),
    ]
    solution = solve_problem(tiny_problem(towns, sites, types, fairness=False), EXACT)
    # demand 40 fits one home, but the floor of 0.3 × 200 = 60 places needs both
    assert (solution.facilities["decision"] == "keep").all()


def test_every_municipality_above_a_population_keeps_its_own_facility():
    """福生市 (56,000 people) losing its only library is what this rule prevents: from the
    type's ``keep_own_from_population``, a municipality that large keeps one of its own."""
    towns = [town("A", population=60_000), town("B", 35.01, population=5_000)]
    sites = [
        site("L-A", "library", "A", capacity=100_000, annual_cost=9e6),
        site("L-B", "library", "B", capacity=100_000, annual_cost=1e6),
    ]
    shared = solve_problem(tiny_problem(towns, sites, fairness=False), EXACT)
    assert shared.facilities.loc["L-A", "decision"] == "close"  # B's cheaper library serves both
    types = {"library": {"keep_own_from_population": 50_000}}
    problem = tiny_problem(towns, sites, types, fairness=False)
    solution = solve_problem(problem, EXACT)
    assert solution.facilities.loc["L-A", "decision"] == "keep"
    found = check_solution(problem, shared)
    assert any("must keep an own library facility (population)" in line for line in found)


def _two_towns_one_private_home(capacity: float = 100):
    """A's private home within reach of both towns; B has no care facility of its own."""
    towns = [
        town("A", population=100, population_75plus=120),
        town("B", 35.01, population=100, population_75plus=40),
    ]
    types = {"care": {"demand_basis": "population_75plus", "demand_per_person": 0.5}}
    sites = [
        _with(site("C-P", "care", "A", capacity=capacity, annual_cost=50e6), operator="private"),
        site("C-B", "care", "B", capacity=40, annual_cost=30e6, status="candidate"),
    ]
    return tiny_problem(towns, sites, types, agreement_fixed_cost=1e6)


def test_on_its_own_a_municipality_keeps_its_share_of_a_private_home_across_the_border():
    problem = _two_towns_one_private_home()
    shares = reach_shares(problem)
    # demand in reach: A 60 beds, B 20 beds
    assert shares.loc["C-P", "A"] == pytest.approx(0.75)
    assert shares.loc["C-P", "B"] == pytest.approx(0.25)
    alone_b = restrict_problem(problem, ["B"])
    assert alone_b.facilities.loc["C-P", "capacity"] == pytest.approx(25.0)
    assert alone_b.facilities.loc["C-P", "municipality"] == "A"
    alone_a = restrict_problem(problem, ["A"])
    assert alone_a.facilities.loc["C-P", "capacity"] == pytest.approx(75.0)
    # the whole area keeps the whole home
    assert restrict_problem(problem, ["A", "B"]).facilities.loc["C-P", "capacity"] == 100
    # restricting again changes nothing
    again = restrict_problem(alone_b, ["B"])
    assert again.facilities.loc["C-P", "capacity"] == pytest.approx(25.0)


def test_the_shares_are_found_once_per_problem_and_forgotten_with_it():
    import gc

    from optimizer.problem import restrict

    problem = _two_towns_one_private_home()
    first = reach_shares(problem)
    assert reach_shares(problem) is first  # every cut of one area reads the same table
    changed = problem.replace(demand=problem.demand * 2)
    assert reach_shares(changed) is not first  # another problem object: found anew
    held = len(restrict._SHARES)
    del changed
    gc.collect()
    assert len(restrict._SHARES) == held - 1


def test_stand_alone_plans_use_the_private_home_and_side_by_side_stay_within_it():
    problem = _two_towns_one_private_home()
    costs, plans = standalone_solutions(problem, EXACT)
    # B's 20 beds fit in its quarter of the home (25 × 0.9 headroom ≥ 20 at most): no
    # new home of its own is needed on its own
    assert not plans.open_facilities.get("C-B", False)
    assert costs["B"] < 30e6
    use = plans.point_flows.groupby("facility")["share"].size()
    assert "C-P" in use.index
    assert not plans.open_facilities.index.duplicated().any()
    solution = solve_problem(problem, EXACT)
    assert solution.facilities.loc["C-B", "decision"] != "build"
    assert check_solution(problem, solution) == []
