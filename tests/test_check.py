"""The independent checker catches broken plans."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from factories import three_city_problem

from optimizer.errors import CheckError
from optimizer.problem.data import Rules
from optimizer.results.check import assert_valid, check_solution
from optimizer.solving.solve import SolverSettings, solve_problem


@pytest.fixture(scope="module")
def solved():
    problem = three_city_problem(agreement_fixed_cost=1e6)
    return problem, solve_problem(problem, SolverSettings(mip_gap=0.0), processes=1)


def _with(solution, **tables):
    """The solution with some tables replaced; changed flows are also its points' flows
    (a point per municipality here), so that each test breaks one rule only."""
    if "flows" in tables and "point_flows" not in tables:
        tables["point_flows"] = None
    return dataclasses.replace(solution, **tables)


def test_the_optimal_plan_passes(solved):
    problem, solution = solved
    assert check_solution(problem, solution) == []
    assert_valid(problem, solution)


def test_over_capacity_is_caught(solved):
    problem, solution = solved
    facilities = solution.facilities.copy()
    facilities.loc["C-A", "served"] = 260.0
    flows = solution.flows.copy()
    flows.loc[flows["facility"].eq("C-A") & flows["municipality"].eq("A"), "share"] = 1.6
    found = check_solution(problem, _with(solution, flows=flows, facilities=facilities))
    assert any("over its usable capacity" in line for line in found)
    assert any("not in [0, 1]" in line for line in found)


def test_flow_to_a_closed_facility_is_caught(solved):
    problem, solution = solved
    facilities = solution.facilities.copy()
    facilities.loc["C-A", "open"] = False
    found = check_solution(problem, _with(solution, facilities=facilities))
    assert any("C-A is closed but serves" in line for line in found)


def test_missing_agreement_is_caught(solved):
    problem, solution = solved
    agreements = solution.agreements[solution.agreements["b"] != "B"].reset_index(drop=True)
    with pytest.raises(CheckError) as caught:
        assert_valid(problem, _with(solution, agreements=agreements))
    assert any("B uses C-A of A without an agreement" in v for v in caught.value.violations)


def test_wrong_objective_is_caught(solved):
    problem, solution = solved
    found = check_solution(problem, _with(solution, objective=solution.objective - 1e6))
    assert any(line.startswith("objective") for line in found)


def test_unmet_demand_is_caught(solved):
    problem, solution = solved
    flows = solution.flows[~solution.flows["facility"].eq("H-A")].reset_index(drop=True)
    found = check_solution(problem, _with(solution, flows=flows))
    assert any("demand of A for hall" in line for line in found)


def test_fixed_status_and_banned_pairs_are_caught(solved):
    problem, solution = solved
    changed = problem.replace(
        facilities=problem.facilities.assign(
            status=lambda t: t["status"].mask(t.index == "C-B", "keep")
        ),
        rules=Rules(banned_pairs=frozenset({("A", "B")}), max_partners={"C": 1}),
    )
    found = check_solution(changed, solution)
    assert any("C-B must stay open" in line for line in found)
    assert any("A–B is not allowed" in line for line in found)
    assert any("C has 2 agreements" in line for line in found)


def test_distance_beyond_the_maximum_is_caught(solved):
    problem, solution = solved
    travel = problem.travel.copy()
    travel.loc[travel["municipality"].eq("B") & travel["facility"].eq("C-A"), "distance_km"] = 30.0
    found = check_solution(problem.replace(travel=travel), solution)
    assert any("beyond the 10 km allowed" in line for line in found)


def test_unfair_plan_is_caught(solved):
    problem, solution = solved
    costs = solution.municipal_costs.copy()
    costs["standalone_cost"] = costs["plan_cost"] - 1000.0
    costs["saving"] = -1000.0
    found = check_solution(problem, _with(solution, municipal_costs=costs))
    assert sum("more than (1 − 0) × its stand-alone" in line for line in found) == 3


def test_capital_budget_is_caught(solved):
    problem, solution = solved
    towns = problem.municipalities.assign(
        capital_budget=lambda t: t["capital_budget"].astype(float)
    )
    facilities = problem.facilities.assign(capital_cost=5e6)
    changed = problem.replace(
        municipalities=towns.assign(capital_budget=[1e6, float("nan"), float("nan")]),
        facilities=facilities,
    )
    found = check_solution(changed, solution)
    assert any("A spends 10,000,000 yen of capital" in line for line in found)
    assert isinstance(solution.flows, pd.DataFrame)
