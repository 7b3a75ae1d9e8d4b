"""Every reason printed for unserved demand, built on purpose: the code and its words are true.

Each case leaves one town's library demand unserved for exactly one cause; the test
checks the reason code, that its text says what happened, and that the plan passes
the independent check.
"""

from __future__ import annotations

import pandas as pd
import pytest
from factories import candidate, site, tiny_problem, town

from optimizer.problem.data import Rules
from optimizer.problem.network import access_arcs
from optimizer.results.check import check_solution
from optimizer.results.explain import REASONS, explain_unserved
from optimizer.solving.solve import SolverSettings, solve_problem

EXACT = SolverSettings(mip_gap=0.0, time_limit_s=60)
LIB = {"library": {"max_distance_km": 10.0}}


def _reason_of(problem, code: str = "B", kind: str = "library") -> tuple[str, str]:
    solution = solve_problem(problem, EXACT, processes=1)
    assert check_solution(problem, solution) == []
    left = solution.unserved[
        (solution.unserved["municipality"] == code) & (solution.unserved["type"] == kind)
    ]
    assert len(left) == 1, solution.unserved
    reason = str(left["reason"].iloc[0])
    assert left["reason_text"].iloc[0] == REASONS[reason]
    return reason, REASONS[reason]


def test_no_facility_of_the_type_at_all():
    problem = tiny_problem(
        [town("A"), town("B", 35.01)],
        [site("L-A", "library", "A")],
        {"library": {}, "hall": {}},
        fairness=False,
    )
    reason, text = _reason_of(problem, "B", "hall")
    assert reason == "no_facility" and "no facility" in text


def test_out_of_reach():
    problem = tiny_problem(
        [town("A"), town("B", 36.0)], [site("L-A", "library", "A")], LIB, fairness=False
    )
    reason, text = _reason_of(problem)
    assert reason == "out_of_reach" and "maximum distance" in text


def test_every_facility_within_reach_is_fixed_to_close():
    problem = tiny_problem(
        [town("A"), town("B", 35.01)],
        [site("L-A", "library", "A"), site("L-B", "library", "B", status="close")],
        {"library": {"max_distance_km": 0.5}},
        fairness=False,
    )
    reason, text = _reason_of(problem)
    assert reason == "closed_by_rule" and "fixed to close" in text


def test_the_only_facility_within_reach_belongs_to_a_town_it_may_not_cooperate_with():
    problem = tiny_problem(
        [town("A"), town("B", 35.01, may_share=False)],
        [site("L-A", "library", "A")],
        LIB,
        fairness=False,
    )
    reason, text = _reason_of(problem)
    assert reason == "no_cooperation" and "may_share" in text


def test_its_own_facilities_cannot_meet_the_self_sufficiency_share():
    rules = Rules(min_self_sufficiency={("B", "library"): 0.8})
    problem = tiny_problem(
        [town("A"), town("B", 35.01)],
        [site("L-A", "library", "A", capacity=1000), site("L-B", "library", "B", capacity=50)],
        LIB,
        rules=rules,
        fairness=False,
    )
    reason, text = _reason_of(problem)
    assert reason == "self_sufficiency" and "self-sufficiency" in text


def test_the_facilities_within_reach_are_full():
    problem = tiny_problem(
        [town("A"), town("B", 35.01)],
        [site("L-A", "library", "A", capacity=150)],
        {"library": {"max_distance_km": 10.0, "max_utilisation": 0.9}},
        fairness=False,
    )
    solution = solve_problem(problem, EXACT, processes=1)
    left = solution.unserved
    assert set(left["reason"]) == {"capacity"}
    assert solution.facilities.loc["L-A", "utilisation"] == pytest.approx(0.9)
    assert "full" in REASONS["capacity"]


def test_the_penalty_is_below_the_cost_of_serving():
    problem = tiny_problem(
        [town("A"), town("B", 36.0)],
        [site("L-A", "library", "A", annual_cost=1e6), site("L-B", "library", "B")],
        LIB,
        fairness=False,
        unserved_penalty=1.0,
    )
    reason, text = _reason_of(problem)
    assert reason == "penalty_below_cost" and "unserved_penalty" in text


def test_fairness_forbids_the_agreement_that_would_serve_it():
    """B has no library; A's has room, but A would pay half an agreement for nothing."""
    problem = tiny_problem(
        [town("A"), town("B", 35.01)],
        [site("L-A", "library", "A", capacity=1000)],
        LIB,
        agreement_fixed_cost=1e6,
    )
    reason, text = _reason_of(problem)
    assert reason == "fairness" and "fairness" in text and "room" in text


def test_the_agreement_costs_more_than_serving_is_worth():
    problem = tiny_problem(
        [town("A"), town("B", 35.01, population=1)],
        [site("L-A", "library", "A", capacity=1000, annual_cost=1e3)],
        LIB,
        agreement_fixed_cost=1e9,
        fairness=False,
    )
    reason, text = _reason_of(problem)
    assert reason == "agreement_cost" and "agreement's fixed cost" in text


def test_another_rule_keeps_the_facility_within_reach_closed():
    """B's only option is a candidate it cannot afford under its capital budget."""
    problem = tiny_problem(
        [town("A"), town("B", 36.0, population=900, capital_budget=1e6)],
        [
            site("L-A", "library", "A"),
            candidate("N-B", "library", "B", build_cost=5e8, annual_cost=1e6),
        ],
        LIB,
        fairness=False,
    )
    reason, text = _reason_of(problem)
    assert reason == "rules" and "capital budget" in text


def test_a_plan_stopped_early_says_a_better_plan_may_serve_it():
    problem = tiny_problem(
        [town("A"), town("B", 35.01)], [site("L-A", "library", "A")], LIB, fairness=False
    )
    table = pd.DataFrame({"municipality": ["B"], "type": ["library"], "demand": [100.0]})
    explained = explain_unserved(
        problem, table, pd.Series({"L-A": True}), access_arcs(problem), stopped_early=True
    )
    assert explained["reason"].iloc[0] == "not_optimal"
    assert "stopped before proving optimality" in explained["reason_text"].iloc[0]
