"""Solving whole problems: the three-city pattern, statuses, solvers, fairness."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pulp
import pytest
from factories import candidate, site, three_city_problem, tiny_problem, town

from optimizer.errors import InfeasibleError, SolverError
from optimizer.results.solution import solution_to_dict
from optimizer.solving.solve import SolverSettings, Status, solve_problem
from optimizer.solving.solver import cbc_available

QUICK = SolverSettings(time_limit_s=30, mip_gap=0.0)


def test_three_city_pattern_is_the_unique_optimum():
    problem = three_city_problem(agreement_fixed_cost=1e6)
    solution = solve_problem(problem, QUICK, processes=1)
    assert solution.outcome.status == Status.OPTIMAL
    open_ids = set(solution.facilities.index[solution.facilities["open"]])
    assert open_ids == {"C-A", "C-C", "L-B", "L-C", "H-A", "H-B"}
    shared = solution.flows[solution.flows["municipality"] != solution.flows["host"]]
    assert set(zip(shared["municipality"], shared["facility"], strict=True)) == {
        ("B", "C-A"),
        ("A", "L-C"),
        ("C", "H-B"),
    }
    assert list(map(tuple, solution.agreements[["a", "b"]].to_numpy())) == [
        ("A", "B"),
        ("A", "C"),
        ("B", "C"),
    ]
    # 6 facilities (3 × 9 M + 3 × 10 M) + travel (6 × 2 km + 3 × 8 km) × 100 units × 100 yen
    # + 3 agreements × 1 M.
    assert solution.objective == pytest.approx(57e6 + 36 * 100 * 100 + 3e6)
    assert solution.outcome.objective == pytest.approx(solution.objective)
    costs = solution.municipal_costs
    assert costs["plan_cost"].sum() == pytest.approx(solution.objective)
    assert (costs["saving"] > 0).all()
    # A: care home 9 M − 4.5 M from B; pays C 4.5 M for the library; its hall 10 M.
    assert costs.at["A", "own_facilities"] == pytest.approx(19e6)
    assert costs.at["A", "payments_in"] == pytest.approx(4.5e6)
    assert costs.at["A", "payments_out"] == pytest.approx(4.5e6)
    assert costs.at["A", "agreements"] == pytest.approx(1e6)


def test_solution_to_dict_is_json_safe_and_keyed_by_ids():
    solution = solve_problem(three_city_problem(), QUICK, processes=1)
    data = solution_to_dict(solution)
    text = json.dumps(data, allow_nan=False, sort_keys=True)
    assert json.loads(text)["outcome"]["status"] == "optimal"
    assert [row["id"] for row in data["facilities"]][:3] == ["C-A", "C-B", "C-C"]
    assert {row["code"] for row in data["municipal_costs"]} == {"A", "B", "C"}
    assert text == json.dumps(solution_to_dict(solution), allow_nan=False, sort_keys=True)


def test_with_fairness_off_the_stand_alone_costs_and_the_savings_still_add_up():
    solution = solve_problem(three_city_problem(fairness=False), QUICK, processes=1)
    costs = solution.municipal_costs
    assert (costs["standalone_cost"] > 0).all()
    assert costs["saving"].to_numpy() == pytest.approx(
        (costs["standalone_cost"] - costs["plan_cost"]).to_numpy()
    )
    assert costs["saving"].sum() > 0  # sharing saves the area money, fair or not
    assert solution.outcome.status == Status.OPTIMAL


def test_the_three_way_comparison_renew_all_alone_shared():
    problem = three_city_problem()
    solution = solve_problem(problem, QUICK, processes=1, compare=True)
    comparison = solution.extras["comparison"]
    totals = comparison["costs"].sum()
    assert totals["renew_all"] >= totals["alone"] - 1e-6 >= totals["shared"] - 1e-6
    # every town keeps everything alone; sharing closes one facility of each type
    assert comparison["open"]["renew_all"].all() and comparison["open"]["alone"].all()
    assert sorted(comparison["closed_by_sharing"]) == ["C-B", "H-C", "L-A"]


def _unfair_problem(**overrides):
    """Joint optimum: everybody uses B's big cheap library, which B would rather not host.

    A and C each own a small library (cost 6 M, capacity 100); B owns a big one (cost
    10 M, capacity 300) and a small one (cost 3 M, capacity 100). Jointly the best plan
    keeps only B's big library (10 M for all three). B alone keeps its small one (3 M).
    Under the joint plan B hosts a 10 M library and receives 2 × 100 × 10 M/300 = 6.67 M,
    so its own cost is 3.33 M > 3 M alone: unfair to B. Fairness forbids that plan.
    """
    towns = [town("A", 35.0, 139.0), town("B", 35.0, 139.05), town("C", 35.0, 139.1)]
    sites = [
        site("L-A", "library", "A", capacity=100, annual_cost=6e6),
        site("L-B", "library", "B", capacity=300, annual_cost=10e6),
        site("L-b", "library", "B", capacity=100, annual_cost=3e6),
        site("L-C", "library", "C", capacity=100, annual_cost=6e6),
    ]
    return tiny_problem(towns, sites, ["library"], **overrides)


def test_fairness_binds_where_the_joint_optimum_is_unfair():
    free = solve_problem(_unfair_problem(fairness=False), QUICK, processes=1)
    assert set(free.facilities.index[free.facilities["open"]]) == {"L-B"}
    assert free.objective == pytest.approx(10e6)

    fair = solve_problem(_unfair_problem(fairness=True), QUICK, processes=1)
    costs = fair.municipal_costs
    assert costs.at["B", "standalone_cost"] == pytest.approx(3e6)
    # Within the solver's feasibility tolerance, as the independent checker allows (1e-6).
    assert (costs["plan_cost"] <= costs["standalone_cost"] * (1 + 1e-6)).all()
    assert fair.objective > free.objective + 1.0  # fairness costs the area something
    # The unfair joint plan would have B pay 10 M − 6.67 M = 3.33 M.
    assert 10e6 - 2 * 100 * 10e6 / 300 > costs.at["B", "standalone_cost"]


def test_lazy_fairness_adds_only_the_violated_rows_and_finds_the_same_optimum():
    from optimizer.solving.model.fairness import municipal_costs_at
    from optimizer.solving.optimise import optimise
    from optimizer.solving.standalone import standalone_costs

    problem = _unfair_problem(fairness=True)
    alone = standalone_costs(problem, QUICK, processes=1)
    lazy, lazy_plan, lazy_outcome = optimise(problem, QUICK, alone)
    eager, _, eager_outcome = optimise(problem, QUICK.replace(lazy_fairness=False), alone)
    # Only B is treated unfairly by the plan without fairness, so B's row comes first;
    # a later round may find C treated unfairly too (the optima of the rounds tie), but A,
    # whose own library is always the cheapest way to serve it, never gets one.
    rows = [c.name for c in lazy.prob.constraints() if c.name.startswith("fairness")]
    assert rows[0] == "fairness_1" and "fairness_0" not in rows
    assert eager.rows["define_fairness"] == 3
    assert lazy_outcome.status == eager_outcome.status == Status.OPTIMAL
    assert lazy_outcome.objective == pytest.approx(eager_outcome.objective)
    costs = municipal_costs_at(lazy.index, lazy.variables)
    assert (costs <= alone.to_numpy() * (1 + 1e-6)).all()
    assert "L-B" not in set(lazy_plan.open_facilities.index[lazy_plan.open_facilities])


def test_a_lazy_round_gets_half_the_time_left_so_the_rows_it_reveals_get_the_rest(monkeypatch):
    import optimizer.solving.optimise as optimise_module
    from optimizer.solving.standalone import standalone_costs

    assert optimise_module._round_limit(QUICK, 0.0, last_round=False) == 15.0
    assert optimise_module._round_limit(QUICK, 10.0, last_round=True) == 20.0
    assert optimise_module._round_limit(QUICK, 29.5, last_round=False) == 1.0  # at least 1 s
    assert optimise_module._round_limit(QUICK.replace(time_limit_s=None), 5.0, False) is None

    limits = []
    real = optimise_module.run_solver

    def spy(prob, settings, objective_unit=1.0):
        limits.append(settings.time_limit_s)
        return real(prob, settings, objective_unit)

    problem = _unfair_problem(fairness=True)
    alone = standalone_costs(problem, QUICK, processes=1)
    monkeypatch.setattr(optimise_module, "run_solver", spy)
    _, _, outcome = optimise_module.optimise(problem, QUICK, alone)
    assert outcome.status == Status.OPTIMAL
    assert len(limits) >= 2  # B's row came after the first round
    assert limits[0] == 15.0
    assert 14.0 < limits[1] < 15.0  # half of what the first round left


def test_fairness_rows_are_scaled_to_the_standalone_cost():
    from optimizer.solving.optimise import optimise
    from optimizer.solving.standalone import standalone_costs

    problem = _unfair_problem(fairness=True)
    alone = standalone_costs(problem, QUICK, processes=1)
    model, _, _ = optimise(problem, QUICK.replace(lazy_fairness=False), alone)
    rows = [c for c in model.prob.constraints() if c.name.startswith("fairness")]
    for row in rows:
        assert -row.constant == pytest.approx(1.0)
        assert max(abs(v) for v in row.values()) < 10.0  # shares of the budget, not yen


def test_infeasible_demand_is_explained_in_unserved():
    towns = [town("A", 35.0, 139.0, 100), town("B", 35.0, 140.0, 100)]  # ~91 km apart
    sites = [site("L-A", "library", "A", capacity=150)]
    problem = tiny_problem(towns, sites, ["library"], fairness=False, unserved_penalty=1e9)
    solution = solve_problem(problem, QUICK, processes=1)
    left = solution.unserved.set_index("municipality")
    assert set(left.index) == {"B"}
    assert left.at["B", "reason"] == "out_of_reach"
    assert left.at["B", "nearest_facility"] == "L-A"
    assert left.at["B", "nearest_distance_km"] == pytest.approx(91.2 * 1.3, rel=0.01)
    assert left.at["B", "demand"] == pytest.approx(100.0)


def test_capacity_shortage_is_explained():
    towns = [town("A", 35.0, 139.0, 100), town("B", 35.0, 139.05, 100)]
    sites = [site("L-A", "library", "A", capacity=150)]
    problem = tiny_problem(towns, sites, ["library"], fairness=False)
    solution = solve_problem(problem, QUICK, processes=1)
    assert solution.unserved["demand"].sum() == pytest.approx(50.0)
    assert set(solution.unserved["reason"]) == {"capacity"}


def test_hard_rules_that_cannot_hold_raise_an_explained_infeasible_error():
    towns = [town("A", 35.0, 139.0, 100, capital_budget=1e6)]
    sites = [site("L-A", "library", "A", status="keep", capital_cost=5e6)]
    problem = tiny_problem(towns, sites, ["library"], fairness=False)
    with pytest.raises(InfeasibleError) as caught:
        solve_problem(problem, QUICK, processes=1)
    assert any("capital_budget" in line for line in caught.value.explanation)


def _random_problem(n_towns: int, n_sites: int, seed: int):
    rng = np.random.default_rng(seed)
    towns = [
        town(
            f"T{i:02d}",
            35.0 + rng.uniform(0, 0.3),
            139.0 + rng.uniform(0, 0.3),
            float(rng.integers(50, 200)),
        )
        for i in range(n_towns)
    ]
    sites = [
        candidate(
            f"S{j:03d}",
            "library",
            towns[rng.integers(n_towns)]["code"],
            capacity=float(rng.integers(150, 400)),
            annual_cost=float(rng.uniform(5e6, 9e6)),
            lat=35.0 + rng.uniform(0, 0.3),
            lon=139.0 + rng.uniform(0, 0.3),
        )
        for j in range(n_sites)
    ]
    types = {"library": {"max_distance_km": 25.0, "user_travel_cost_per_km": 3000.0}}
    return tiny_problem(towns, sites, types, fairness=False)


def test_a_node_limited_run_is_reported_feasible_with_its_gap():
    problem = _random_problem(30, 40, seed=7)
    # HiGHS's mip_max_nodes stops the search early, as a time limit would (but reproducibly).
    settings = SolverSettings(
        time_limit_s=30, mip_gap=0.0, options=(("mip_max_nodes", 1), ("presolve", "off"))
    )
    solution = solve_problem(problem, settings, processes=1)
    assert solution.outcome.status == Status.FEASIBLE
    assert solution.outcome.gap > 0
    assert solution.outcome.bound < solution.outcome.objective


@pytest.mark.skipif(not cbc_available(), reason="CBC is not available")
def test_highs_and_cbc_agree_on_a_small_case():
    problem = _random_problem(8, 10, seed=11)
    highs = solve_problem(problem, SolverSettings(solver="highs", mip_gap=0.0), processes=1)
    cbc = solve_problem(problem, SolverSettings(solver="cbc", mip_gap=0.0), processes=1)
    assert cbc.outcome.status == Status.OPTIMAL
    assert cbc.objective == pytest.approx(highs.objective, rel=1e-7)
    assert cbc.outcome.bound == pytest.approx(cbc.outcome.objective, rel=1e-6)


def test_unknown_solver_is_a_clear_error():
    with pytest.raises(SolverError, match="unknown solver"):
        solve_problem(three_city_problem(fairness=False), SolverSettings(solver="nope"))


def test_zero_demand_hosts_and_no_fairness():
    towns = [town("A", 35.0, 139.0, 100), town("H", 35.0, 139.01, 0)]
    sites = [site("L-H", "library", "H", capacity=200, annual_cost=5e6)]
    solution = solve_problem(tiny_problem(towns, sites, ["library"], fairness=False), QUICK)
    assert solution.unserved.empty
    assert list(map(tuple, solution.agreements.to_numpy())) == [("A", "H")]
    costs = solution.municipal_costs
    assert costs.at["H", "payments_in"] == pytest.approx(100 * 5e6 / 200)
    assert isinstance(costs, pd.DataFrame)


def test_coalition_costs_and_parallel_standalone_costs():
    from optimizer.solving.standalone import coalition_cost, standalone_costs

    problem = three_city_problem()
    pooled = QUICK.replace(pool_min_municipalities=2)  # use the pool
    alone = standalone_costs(problem, pooled, processes=2)
    assert alone.equals(standalone_costs(problem, QUICK, processes=1))
    assert list(alone.index) == ["A", "B", "C"]
    assert alone["A"] == pytest.approx(coalition_cost(problem, ["A"], QUICK))
    # A and B share A's care home: one 10 M care home fewer, 8 km travel for B.
    pair = coalition_cost(problem, ["B", "A"], QUICK)
    assert pair == pytest.approx(alone["A"] + alone["B"] - 10e6 + 100 * 100 * (8 - 2))
    assert coalition_cost(problem, [], QUICK) == 0.0
    assert coalition_cost(problem, ["A", "B", "C"], QUICK) == pytest.approx(
        solve_problem(
            problem.replace(parameters=problem.parameters.replace(fairness=False)), QUICK
        ).objective
    )


def test_highs_defaults_apply_unless_the_settings_override_them():
    from optimizer.solving.solver import HIGHS_DEFAULT_OPTIONS, make_solver

    # PuLP 4 also keeps its own warmStart flag among the options (never handed to HiGHS)
    options = make_solver(SolverSettings()).optionsDict
    assert {k: v for k, v in options.items() if k != "warmStart"} == HIGHS_DEFAULT_OPTIONS
    overridden = make_solver(SolverSettings(options=(("mip_detect_symmetry", True),)))
    assert overridden.optionsDict["mip_detect_symmetry"] is True


def test_spatial_clusters_group_neighbours_and_cover_every_municipality():
    from optimizer.solving.clusters import spatial_clusters

    towns = [town(code, 35.0, 139.0 + 0.1 * n) for n, code in enumerate("ABCDEFGH")]
    sites = [site(f"L-{t['code']}", "library", t["code"]) for t in towns]
    problem = tiny_problem(towns, sites)
    groups = spatial_clusters(problem, size=2)
    assert sorted(map(sorted, groups)) == [["A", "B"], ["C", "D"], ["E", "F"], ["G", "H"]]
    assert sorted(c for g in groups for c in g) == list("ABCDEFGH")
    assert spatial_clusters(problem, size=8) == [list("ABCDEFGH")]


def test_cluster_start_is_a_fair_feasible_plan_no_dearer_than_the_standalone_plans():
    from optimizer.solving.clusters import cluster_start
    from optimizer.solving.model import build_model, set_start
    from optimizer.solving.standalone import standalone_solutions

    problem = three_city_problem(agreement_fixed_cost=1e6)
    alone, side_by_side = standalone_solutions(problem, QUICK, processes=1)
    in_pairs = QUICK.replace(cluster_size=2)
    plan, seconds = cluster_start(problem, in_pairs, alone, side_by_side, 10.0)
    assert seconds > 0
    costs = []
    for start in (plan, side_by_side):
        model = build_model(problem, None, alone)
        set_start(model, start)
        violated = [c.name for c in model.prob.constraints() if not c.valid(1e-6)]
        assert violated == []
        costs.append(pulp.value(model.prob.objective))
    # Groups {A} and {B, C}: B and C share B's cheaper hall, strictly cheaper than alone.
    assert costs[0] < costs[1]


def test_each_cluster_is_solved_with_all_its_fairness_rows_in_one_round(monkeypatch):
    """A group's share of the time is short; a second lazy round would get a second of it."""
    import optimizer.solving.clusters as clusters
    from optimizer.solving.standalone import standalone_solutions

    problem = three_city_problem(agreement_fixed_cost=1e6)
    alone, side_by_side = standalone_solutions(problem, QUICK, processes=1)
    lazy = []
    real = clusters.optimise

    def spy(sub, settings, *args, **kwargs):
        lazy.append(settings.lazy_fairness)
        return real(sub, settings, *args, **kwargs)

    monkeypatch.setattr(clusters, "optimise", spy)
    clusters.cluster_start(problem, QUICK.replace(cluster_size=2), alone, side_by_side, 10.0)
    assert QUICK.lazy_fairness and lazy == [False, False]


def test_cluster_start_keeps_the_start_under_an_area_wide_capital_budget():
    from optimizer.solving.clusters import cluster_start
    from optimizer.solving.standalone import standalone_solutions

    problem = three_city_problem(capital_budget=1e12)
    alone, side_by_side = standalone_solutions(problem, QUICK, processes=1)
    assert cluster_start(problem, QUICK, alone, side_by_side, 10.0) == (side_by_side, 0.0)


def test_solves_with_different_thread_counts_follow_each_other_in_one_process():
    """HiGHS sizes one thread scheduler per process; every solve must start afresh."""
    from optimizer.sharing.shapley import least_core

    a, b = frozenset("a"), frozenset("b")
    least_core(["a", "b"], {a: 1.0, b: 1.0, a | b: 1.5})  # HiGHS' default thread count
    problem = three_city_problem(fairness=False)
    for threads in (1, 2, 1):
        solution = solve_problem(problem, QUICK.replace(threads=threads), processes=1)
        assert solution.outcome.status == Status.OPTIMAL, threads


def test_the_highs_banner_stays_off_standard_output():
    """HiGHS prints a banner from C++ when a process makes its first solver object."""
    import subprocess
    import sys

    code = (
        "import highspy\n"
        "from optimizer.solving.highs import silence_highs_banner\n"
        "print('before', flush=True)\n"
        "silence_highs_banner()\n"
        "highspy.Highs()\n"
        "print('after', flush=True)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["before", "after"]
    plain = subprocess.run(
        [sys.executable, "-c", "import highspy; highspy.Highs()"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "HiGHS" in plain.stdout  # what the function keeps away


@pytest.mark.skipif(not cbc_available(), reason="CBC is not available")
def test_highs_and_cbc_agree_on_the_sample(sample_workbook):
    """Both solvers' plans lie within the requested gap of each other, and neither plan
    is cheaper than the other solver's proven bound."""
    from optimizer.solving.standalone import standalone_solutions
    from optimizer.workbook.assemble import load_problem

    problem, _ = load_problem(sample_workbook)
    gap = 1e-4
    alone, start = standalone_solutions(problem, SolverSettings(mip_gap=gap), processes=1)
    solutions = {
        name: solve_problem(
            problem,
            SolverSettings(solver=name, mip_gap=gap, time_limit_s=300),
            standalone=alone,
            start=start,
            processes=1,
        )
        for name in ("highs", "cbc")
    }
    highs, cbc = solutions["highs"], solutions["cbc"]
    assert highs.outcome.status == cbc.outcome.status == Status.OPTIMAL
    assert abs(highs.objective - cbc.objective) <= gap * highs.objective
    tolerance = 1e-6 * highs.objective
    assert cbc.objective >= highs.outcome.bound - tolerance
    assert highs.objective >= cbc.outcome.bound - tolerance


def test_a_wall_clock_guard_interrupts_a_solver_that_overruns():
    """HiGHS is interrupted past the settings' guard_seconds(time limit), and the best
    plan found is still read, checked and reported as not optimal."""
    import time

    from optimizer.sources.synthetic import synthetic_problem

    assert SolverSettings().guard_seconds(120) == pytest.approx(142.0)
    problem = synthetic_problem(30, 500, 0)
    problem = problem.replace(parameters=problem.parameters.replace(fairness=False))
    impatient = SolverSettings(time_limit_s=1000, mip_gap=0.0, guard_factor=0.0, guard_extra_s=0.5)
    began = time.perf_counter()
    solution = solve_problem(problem, impatient, processes=1)
    assert time.perf_counter() - began < 30  # the solve alone takes minutes at gap 0
    assert solution.outcome.status == Status.FEASIBLE
    assert "interrupt" in solution.outcome.message.lower()
