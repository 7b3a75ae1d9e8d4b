"""The PuLP compatibility layer (optimizer/solving/pulp_compat.py) on the installed PuLP:
PuLP 3.3 on Python 3.11, PuLP 4 on 3.12 and later. Each test says the same on both."""

from __future__ import annotations

import pulp
import pytest

from optimizer.solving import pulp_compat
from optimizer.solving.model.expressions import as_row
from optimizer.solving.settings import SolverSettings
from optimizer.solving.solver import make_solver


def test_the_installed_pulp_is_the_one_the_interpreter_is_meant_to_have():
    import sys

    assert pulp_compat.PULP_4 == (sys.version_info >= (3, 12))


def _small() -> tuple[pulp.LpProblem, list]:
    """min x + 2y + 3z  s.t.  x + y ≥ 1.5 (a row), y + z ≤ 1, x ≤ 1 binary; unused w."""
    prob = pulp.LpProblem("small", pulp.LpMinimize)
    z = prob.add_variable("z", 0, 1)
    x = prob.add_variable("x", 0, 1, pulp.LpBinary)
    y = prob.add_variable("y", 0, 4)
    prob.add_variable("w", 0, 1)  # in no row and not in the objective: no column
    prob.addConstraint(as_row(pulp_compat.affine([(x, 1.0), (y, 1.0)]), 1, 1.5), "cover")
    prob.addConstraint(
        as_row(pulp_compat.affine(zip([y, z], [1.0, 1.0], strict=True)), -1, 1), "cap"
    )
    prob.setObjective(pulp_compat.affine([(x, 1.0), (y, 2.0), (z, 3.0)]))
    return prob, [x, y, z]


def test_an_expression_from_pairs_and_a_row_from_it():
    prob, (x, y, z) = _small()
    rows = {c.name: c for c in prob.constraints()}
    assert set(rows) == {"cover", "cap"}
    assert dict((v.name, c) for v, c in rows["cover"].items()) == {"x": 1.0, "y": 1.0}
    assert (rows["cover"].getLb(), rows["cover"].getUb()) == (1.5, None)
    assert (rows["cap"].getLb(), rows["cap"].getUb()) == (None, 1.0)
    assert pulp_compat.is_mip(prob)


def test_the_columns_are_the_used_variables_sorted_by_name():
    prob, _ = _small()
    assert [v.name for v in pulp_compat.columns(prob)] == ["x", "y", "z"]


@pytest.mark.parametrize("sense", [pulp.LpConstraintLE, pulp.LpConstraintGE, pulp.LpConstraintEQ])
def test_a_row_of_each_sense(sense):
    prob = pulp.LpProblem("one", pulp.LpMinimize)
    x = prob.add_variable("x", 0, 10)
    prob.addConstraint(as_row(pulp_compat.affine([(x, 2.0)]), sense, 4), "r")
    (row,) = prob.constraints()
    bounds = {pulp.LpConstraintLE: (None, 4.0), pulp.LpConstraintGE: (4.0, None)}
    assert (row.getLb(), row.getUb()) == bounds.get(sense, (4.0, 4.0))


def test_highs_solves_it_the_same_on_every_pulp():
    prob, (x, y, z) = _small()
    answer = pulp_compat.solve(prob, make_solver(SolverSettings(msg=False)))
    assert answer == (pulp_compat.STATUS_OPTIMAL, pulp_compat.SOLUTION_OPTIMAL)
    assert (x.varValue, y.varValue, z.varValue) == pytest.approx((1.0, 0.5, 0.0))
    assert pulp.value(prob.objective) == pytest.approx(2.0)


def test_an_infeasible_problem_reads_infeasible():
    prob = pulp.LpProblem("impossible", pulp.LpMinimize)
    x = prob.add_variable("x", 0, 1, pulp.LpBinary)
    prob.addConstraint(as_row(pulp_compat.affine([(x, 1.0)]), pulp.LpConstraintGE, 2), "r")
    prob.setObjective(pulp_compat.affine([(x, 1.0)]))
    status, _ = pulp_compat.solve(prob, make_solver(SolverSettings(msg=False)))
    assert status == pulp_compat.STATUS_INFEASIBLE


@pytest.mark.parametrize(
    "answer",
    [
        (pulp_compat.STATUS_OPTIMAL, pulp_compat.SOLUTION_OPTIMAL),
        (pulp_compat.STATUS_OPTIMAL, pulp_compat.SOLUTION_FEASIBLE),
        (pulp_compat.STATUS_INFEASIBLE, pulp_compat.SOLUTION_INFEASIBLE),
        (pulp_compat.STATUS_UNBOUNDED, pulp_compat.SOLUTION_UNBOUNDED),
        (pulp_compat.STATUS_NOT_SOLVED, pulp_compat.SOLUTION_NONE),
    ],
)
def test_a_solver_answer_reads_back_as_itself(answer, monkeypatch):
    """What the HiGHS adapter hands PuLP is what :func:`pulp_compat.solve` reads back."""
    handed = pulp_compat.solver_answer(*answer)

    class Stats:  # PuLP 4's LpSolveStats, as far as it is read
        status, has_solution = handed if pulp_compat.PULP_4 else (0, False)

    class Problem:
        status, sol_status = answer

        def solve(self, solver):
            return Stats()

    assert pulp_compat.solve(Problem(), None) == answer


def test_cbcs_rounded_bound_is_read_with_its_rounding(tmp_path):
    """The CBC that PuLP 4 installs prints its bound to 6 significant digits."""
    from optimizer.solving.solver import _cbc_bound

    log = tmp_path / "cbc.log"
    log.write_text(
        "Result - Optimal solution found (within gap tolerance)\n\n"
        "Objective value:                46.785211874\n"
        "Lower bound:                    46.7852\n"
        "Gap:                            0\n"
    )
    bound, message, rounding = _cbc_bound(log)
    assert bound == 46.7852 and rounding == pytest.approx(5e-5)
    assert message == "Optimal solution found (within gap tolerance)"
    log.write_text("Best possible: 1.5e+06\n")
    assert _cbc_bound(log)[::2] == (1.5e6, pytest.approx(5e4))
    assert _cbc_bound(tmp_path / "missing.log")[0] != _cbc_bound(tmp_path / "missing.log")[0]
