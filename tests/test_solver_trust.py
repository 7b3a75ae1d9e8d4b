"""HiGHS answers that rest on its presolve alone are checked by solving again without it."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import highspy
import pulp
import pytest

import optimizer.solving.solver as solver_module
from optimizer.results.outcome import Status
from optimizer.solving.settings import SolverSettings
from optimizer.solving.solver import presolve_claim_unproven, run_solver

QUICK = SolverSettings(time_limit_s=30, mip_gap=0.0)


def _answered(status, nodes: int, iterations: int, mip: bool = True) -> SimpleNamespace:
    """A stand-in for a PuLP problem after HiGHS answered ``status``."""
    model = SimpleNamespace(
        getModelStatus=lambda: status,
        getInfo=lambda: SimpleNamespace(mip_node_count=nodes, simplex_iteration_count=iterations),
    )
    return SimpleNamespace(solverModel=model, isMIP=lambda: mip)


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
