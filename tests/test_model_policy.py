"""Each policy constraint family changes the plan as its maths says (tiny known cases)."""

from __future__ import annotations

import pytest
from factories import candidate, site, tiny_problem, town

from optimizer.problem.data import Rules
from optimizer.solving.model import build_model
from optimizer.solving.solve import SolverSettings, solve_problem

QUICK = SolverSettings(time_limit_s=30, mip_gap=0.0)


def _pair(**overrides):
    """A (cheap library, 4 M) and B (dear library, 8 M), 5 km apart; one library serves both."""
    towns = [town("A", 35.0, 139.0), town("B", 35.0, 139.05)]
    sites = [
        site("L-A", "library", "A", capacity=200, annual_cost=4e6),
        site("L-B", "library", "B", capacity=200, annual_cost=8e6),
    ]
    rules = overrides.pop("rules", None)
    return tiny_problem(towns, sites, ["library"], rules=rules, **{"fairness": False, **overrides})


def _open(solution) -> set[str]:
    return set(solution.facilities.index[solution.facilities["open"]])


def test_without_rules_one_library_serves_both():
    solution = solve_problem(_pair(), QUICK)
    assert _open(solution) == {"L-A"}
    assert solution.objective == pytest.approx(4e6)


def test_fixed_status_keep_and_close():
    problem = _pair()
    problem = problem.replace(facilities=problem.facilities.assign(status=["close", "keep"]))
    assert _open(solve_problem(problem, QUICK)) == {"L-B"}


def test_keep_own_rule_and_parameter():
    # B must keep its library, which then serves A too.
    ruled = _pair(rules=Rules(keep_own=frozenset({("B", "library")})))
    assert _open(solve_problem(ruled, QUICK)) == {"L-B"}
    assert _open(solve_problem(_pair(keep_own_each_type=True), QUICK)) == {"L-A", "L-B"}


def test_banned_pair_and_may_share_block_cooperation():
    banned = _pair(rules=Rules(banned_pairs=frozenset({("A", "B")})))
    solution = solve_problem(banned, QUICK)
    assert _open(solution) == {"L-A", "L-B"} and solution.agreements.empty
    towns_model = build_model(banned)
    assert towns_model.rows["define_banned_pairs"] == 2
    problem = _pair()
    problem = problem.replace(municipalities=problem.municipalities.assign(may_share=[True, False]))
    assert _open(solve_problem(problem, QUICK)) == {"L-A", "L-B"}


def test_max_partners_limits_agreements():
    towns = [town("A", 35.0, 139.0), town("B", 35.0, 139.05), town("C", 35.05, 139.0)]
    sites = [
        site("L-A", "library", "A", capacity=300, annual_cost=4e6),
        site("L-B", "library", "B", capacity=100, annual_cost=8e6),
        site("L-C", "library", "C", capacity=100, annual_cost=8e6),
    ]
    free = tiny_problem(towns, sites, ["library"], fairness=False)
    assert len(solve_problem(free, QUICK).agreements) == 2
    limited = tiny_problem(towns, sites, ["library"], fairness=False, max_partners=1)
    solution = solve_problem(limited, QUICK)
    assert len(solution.agreements) == 1
    assert len(_open(solution)) == 2
    ruled = tiny_problem(
        towns, sites, ["library"], fairness=False, rules=Rules(max_partners={"A": 0})
    )
    assert _open(solve_problem(ruled, QUICK)) == {"L-A", "L-B", "L-C"}


def test_min_self_sufficiency_keeps_own_service():
    problem = _pair(min_self_sufficiency=0.5)
    solution = solve_problem(problem, QUICK)
    assert _open(solution) == {"L-A", "L-B"}
    own = solution.flows[solution.flows["municipality"] == solution.flows["host"]]
    assert own.set_index("municipality").loc["B", "share"] >= 0.5 - 1e-9
    ruled = _pair(rules=Rules(min_self_sufficiency={("B", None): 0.0}), min_self_sufficiency=0.5)
    # The rule for B overrides the parameter; A already serves itself fully.
    assert _open(solve_problem(ruled, QUICK)) == {"L-A"}


def test_self_sufficiency_beyond_own_capacity_shows_as_unserved():
    towns = [town("A", 35.0, 139.0, 100), town("B", 35.0, 139.05, 100)]
    sites = [
        site("L-A", "library", "A", capacity=300, annual_cost=4e6),
        site("L-B", "library", "B", capacity=20, annual_cost=1e6),
    ]
    problem = tiny_problem(towns, sites, ["library"], fairness=False, min_self_sufficiency=0.5)
    solution = solve_problem(problem, QUICK)
    left = solution.unserved.set_index("municipality")
    assert left.loc["B", "share"] == pytest.approx(0.3)
    assert left.loc["B", "reason"] == "self_sufficiency"


def test_capital_budgets_area_and_municipal():
    towns = [town("A", 35.0, 139.0, 100), town("B", 35.0, 139.05, 100)]
    sites = [
        site("L-A", "library", "A", capacity=200, annual_cost=1e6, capital_cost=9e6),
        candidate("N-B", "library", "B", capacity=200, annual_cost=3e6, build_cost=1e6),
    ]
    base = tiny_problem(towns, sites, ["library"], fairness=False)
    cheapest = solve_problem(base, QUICK)
    annual = base.facilities["annual_cost"]
    best = "L-A" if annual["L-A"] < annual["N-B"] else "N-B"
    assert _open(cheapest) == {best}
    for problem in (
        tiny_problem(towns, sites, ["library"], fairness=False, capital_budget=5e6),
        tiny_problem(
            [town("A", 35.0, 139.0, 100, capital_budget=5e6), towns[1]],
            sites,
            ["library"],
            fairness=False,
        ),
    ):
        assert _open(solve_problem(problem, QUICK)) == {"N-B"}
