"""HiGHS answers that rest on its presolve alone are checked by solving again without it."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import highspy
import numpy as np
import pulp
import pytest

import optimizer.solving.solver as solver_module
from optimizer.results.outcome import Status
from optimizer.solving.settings import SolverSettings
from optimizer.solving.solver import presolve_claim_unproven, run_solver

QUICK = SolverSettings(time_limit_s=30, mip_gap=0.0)


def _answered(
    status, nodes: int, iterations: int, mip: bool = True, columns: int = 166_903
) -> SimpleNamespace:
    """A stand-in for a PuLP problem after HiGHS answered ``status`` (by default of the
    Tama grid's size)."""
    model = SimpleNamespace(
        getModelStatus=lambda: status,
        getInfo=lambda: SimpleNamespace(mip_node_count=nodes, simplex_iteration_count=iterations),
    )
    return SimpleNamespace(solverModel=model, isMIP=lambda: mip, variables=lambda: range(columns))


def test_a_small_model_closed_at_the_root_without_iterating_is_believed():
    small = _answered(highspy.HighsModelStatus.kOptimal, 1, 0, columns=2_000)
    assert presolve_claim_unproven(small) is False
    infeasible = _answered(highspy.HighsModelStatus.kInfeasible, 0, 0, columns=2_000)
    assert presolve_claim_unproven(infeasible) is True


@pytest.mark.parametrize(
    ("status", "nodes", "iterations", "mip", "unproven"),
    [
        # the Tama grid: one node explored, no LP solved, "optimal"
        (highspy.HighsModelStatus.kOptimal, 1, 0, True, True),
        # an ordinary branch and bound
        (highspy.HighsModelStatus.kOptimal, 57, 4_210, True, False),
        # presolve solved the model outright: no node at all
        (highspy.HighsModelStatus.kOptimal, 0, 0, True, False),
        # "infeasible" for a MIP is checked whatever the counts
        (highspy.HighsModelStatus.kInfeasible, 0, 0, True, True),
        (highspy.HighsModelStatus.kInfeasible, 12, 800, True, True),
        # a stop by the time limit is reported as such, not checked
        (highspy.HighsModelStatus.kTimeLimit, 1, 0, True, False),
        # an LP has no presolve-only answers to distrust
        (highspy.HighsModelStatus.kOptimal, 0, 0, False, False),
    ],
)
def test_which_answers_rest_on_presolve_alone(status, nodes, iterations, mip, unproven):
    assert presolve_claim_unproven(_answered(status, nodes, iterations, mip)) is unproven


WEIGHTS = [12, 7, 11, 8, 9, 6, 5, 14]
VALUES = [24, 13, 23, 15, 16, 11, 9, 27]


def _best_by_enumeration() -> float:
    best = 0
    for chosen in itertools.product((0, 1), repeat=len(WEIGHTS)):
        if sum(w * c for w, c in zip(WEIGHTS, chosen, strict=True)) <= 30:
            best = max(best, sum(v * c for v, c in zip(VALUES, chosen, strict=True)))
    return float(best)


def _knapsack() -> pulp.LpProblem:
    prob = pulp.LpProblem("knapsack", pulp.LpMaximize)
    weights, values = WEIGHTS, VALUES
    pick = [prob.add_variable(f"x{n}", cat="Binary") for n in range(len(weights))]
    prob += pulp.lpSum(v * x for v, x in zip(values, pick, strict=True))
    prob += pulp.lpSum(w * x for w, x in zip(weights, pick, strict=True)) <= 30
    return prob


def test_an_unproven_answer_is_solved_again_without_presolve(monkeypatch):
    expected = run_solver(_knapsack(), QUICK)
    calls = []

    def distrust_first(prob):
        calls.append(prob.solverModel.getOptionValue("presolve")[1])
        return len(calls) == 1

    monkeypatch.setattr(solver_module, "presolve_claim_unproven", distrust_first)
    outcome = run_solver(_knapsack(), QUICK)
    assert calls == ["choose"]  # checked once; the run with presolve off is final
    assert outcome.status == Status.OPTIMAL
    assert "presolve off" in outcome.message
    assert outcome.objective == pytest.approx(expected.objective)
    assert outcome.objective == pytest.approx(_best_by_enumeration())


def test_a_mip_reported_infeasible_is_confirmed_without_presolve():
    prob = pulp.LpProblem("impossible", pulp.LpMinimize)
    x = prob.add_variable("x", 0, 3, cat="Integer")
    y = prob.add_variable("y", 0, 3, cat="Integer")
    prob += x + y
    prob += 2 * x + 2 * y == 5  # no integer solution
    outcome = run_solver(prob, QUICK)
    assert outcome.status == Status.INFEASIBLE
    assert "presolve off" in outcome.message


def test_a_run_with_presolve_already_off_is_not_repeated(monkeypatch):
    monkeypatch.setattr(solver_module, "presolve_claim_unproven", lambda prob: True)
    outcome = run_solver(_knapsack(), QUICK.replace(options=(("presolve", "off"),)))
    assert outcome.status == Status.OPTIMAL
    assert "presolve off" not in outcome.message


def test_after_a_distrusted_round_the_next_rounds_and_the_polish_run_without_presolve(
    monkeypatch,
):
    from test_solve import _unfair_problem

    import optimizer.solving.optimise as optimise_module
    import optimizer.solving.polish as polish_module
    from optimizer.solving.solve import solve_problem

    seen: list[tuple[str, bool]] = []
    real = solver_module.run_solver

    def spy(where):
        def run(prob, settings, objective_unit=1.0):
            seen.append((where, settings.presolve_off))
            return real(prob, settings, objective_unit)

        return run

    calls = []

    def distrust_the_first_joint_answer(prob):
        # the joint model is the one with the served-as-alone rows
        joint = any(c.name.startswith("served_as_alone") for c in prob.constraints())
        calls.append(joint)
        return joint and calls.count(True) == 1

    monkeypatch.setattr(solver_module, "presolve_claim_unproven", distrust_the_first_joint_answer)
    monkeypatch.setattr(optimise_module, "run_solver", spy("round"))
    monkeypatch.setattr(polish_module, "run_solver", spy("polish"))
    problem = _unfair_problem(fairness=True)
    solution = solve_problem(problem, QUICK, processes=1)
    assert solution.outcome.presolve_distrusted
    assert solution.outcome.status == Status.OPTIMAL
    rounds = [off for where, off in seen if where == "round"]
    first_joint = calls.index(True)
    # the stand-alone solves run with presolve; every joint round after the distrusted
    # one, and every polishing solve, runs without it
    assert not any(rounds[:first_joint])
    assert len(rounds) > first_joint + 1  # the unfair plan needed a second round
    assert all(rounds[first_joint + 1 :])
    polish = [off for where, off in seen if where == "polish"]
    assert polish and all(polish)


KM_EAST = 1.0 / (111.320 * 0.8191520)  # degrees of longitude per km at 35° N


def _paying_for_a_short_walk():
    """A's eastern zone lives next to B's library: jointly it walks there (the payments
    cancel out in the total), but A then pays B 5 M yen a year to save 8,000 yen of travel,
    more than A spends alone. Both libraries stay open either way."""
    from factories import site, tiny_problem, town, zone

    towns = [town("A", 35.0, 139.0, 200), town("B", 35.0, 139.0 + 9 * KM_EAST, 100)]
    sites = [
        site("L-A", "library", "A", capacity=400, annual_cost=10e6, status="keep"),
        site("L-B", "library", "B", capacity=400, annual_cost=10e6, status="keep",
             lon=139.0 + 9 * KM_EAST),
    ]  # fmt: skip
    zones = [
        zone("A-west", "A", 35.0, 139.0, 100),
        zone("A-east", "A", 35.0, 139.0 + 8.5 * KM_EAST, 100),
        zone("B-centre", "B", 35.0, 139.0 + 9 * KM_EAST, 100),
    ]
    types = {"library": {"demand_per_person": 1.0, "max_distance_km": 12.0,
                         "user_travel_cost_per_km": 10.0}}  # fmt: skip
    return tiny_problem(
        towns, sites, types, zones=zones, agreement_fixed_cost=0.0, detour_factor=1.0
    )


def test_an_unfair_plan_is_repaired_by_routing_its_flows_again():
    from optimizer.solving.model import build_model, read_plan
    from optimizer.solving.model.fairness import (
        define_fairness,
        municipal_costs_at,
        unfair_municipalities,
    )
    from optimizer.solving.optimise import _repaired
    from optimizer.solving.standalone import standalone_costs

    problem = _paying_for_a_short_walk()
    alone = standalone_costs(problem, QUICK, processes=1)
    model = build_model(problem)  # no fairness rows yet: the first lazy round
    assert run_solver(model.prob, QUICK).status == Status.OPTIMAL
    plan = read_plan(model)
    east = plan.point_flows.set_index("point").loc["A-east", "facility"]
    assert east == "L-B"  # the short walk across the border
    unfair = unfair_municipalities(model.index, model.variables, alone)
    assert list(model.index.codes[unfair]) == ["A"]
    define_fairness(model.prob, model.index, model.variables, alone, only=unfair)
    bounds = [(v.lowBound, v.upBound) for v in model.variables.open_]
    repaired, seconds = _repaired(model, plan, QUICK, 10.0, alone)
    assert [(v.lowBound, v.upBound) for v in model.variables.open_] == bounds  # restored
    assert repaired is not None and seconds >= 0
    assert repaired.point_flows.set_index("point").loc["A-east", "facility"] == "L-A"
    assert (repaired.open_facilities == plan.open_facilities).all()
    costs = municipal_costs_at(model.index, model.variables)
    assert (costs <= alone.to_numpy() * (1 + 1e-9)).all()


def test_the_next_round_starts_from_the_repaired_plan(monkeypatch):
    import optimizer.solving.optimise as optimise_module
    from optimizer.solving.standalone import standalone_costs

    problem = _paying_for_a_short_walk()
    alone = standalone_costs(problem, QUICK, processes=1)
    starts = []
    real = optimise_module.set_start

    def spy(model, plan):
        starts.append(plan.point_flows.set_index("point").loc["A-east", "facility"])
        return real(model, plan)

    monkeypatch.setattr(optimise_module, "set_start", spy)
    _, plan, outcome = optimise_module.optimise(problem, QUICK, alone)
    assert outcome.status == Status.OPTIMAL
    assert starts == ["L-A"]  # no start was given; the second round got the repaired plan
    assert plan.point_flows.set_index("point").loc["A-east", "facility"] == "L-A"


def test_an_optimal_without_any_lp_even_without_presolve_is_a_plan_without_proof(monkeypatch):
    monkeypatch.setattr(solver_module, "presolve_claim_unproven", lambda prob: True)
    monkeypatch.setattr(solver_module, "optimal_without_lp", lambda prob: True)
    small = run_solver(_knapsack(), QUICK)
    assert small.status == Status.OPTIMAL  # a small model may close without iterating
    monkeypatch.setattr(solver_module, "UNPROVEN_MIN_COLUMNS", 8)
    outcome = run_solver(_knapsack(), QUICK)
    assert outcome.status == Status.FEASIBLE
    assert outcome.objective == pytest.approx(_best_by_enumeration())
    assert outcome.bound != outcome.bound and outcome.gap != outcome.gap  # NaN: unknown
    assert "not proven" in outcome.message and outcome.presolve_distrusted


def test_an_ordinary_optimum_is_left_as_it_is():
    outcome = run_solver(_knapsack(), QUICK)
    assert outcome.status == Status.OPTIMAL
    assert "not proven" not in outcome.message  # a small model's root close is believed


def test_a_repair_fair_only_to_the_municipalities_with_rows_is_no_start(monkeypatch):
    """Later rounds add rows; the start must meet them all, so a plan unfair to anyone
    is not a repair."""
    import optimizer.solving.optimise as optimise_module
    from optimizer.solving.model import build_model, read_plan
    from optimizer.solving.model.fairness import define_fairness, unfair_municipalities
    from optimizer.solving.standalone import standalone_costs

    problem = _paying_for_a_short_walk()
    alone = standalone_costs(problem, QUICK, processes=1)
    model = build_model(problem)
    run_solver(model.prob, QUICK)
    plan = read_plan(model)
    unfair = unfair_municipalities(model.index, model.variables, alone)
    define_fairness(model.prob, model.index, model.variables, alone, only=unfair)
    # B is treated unfairly by every plan, as far as the check after the repair knows
    monkeypatch.setattr(
        optimise_module, "unfair_municipalities", lambda index, variables, standalone: np.array([1])
    )
    repaired, _ = optimise_module._repaired(model, plan, QUICK, 10.0, alone)
    assert repaired is None
