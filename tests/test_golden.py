"""The sample's plan against its golden figures (tests/golden/sample.json).

A change that moves the objective beyond the solver's reported gap, or changes how many
facilities of a type are kept, closed or built, fails here: either it is a regression,
or the change is intended and ``python tests/golden_results.py`` records the new figures
(say why in the commit).
"""

from __future__ import annotations

import json

import pytest
from golden_results import GOLDEN, SAMPLE, figures, solve_sample


@pytest.fixture(scope="module")
def current() -> dict:
    if not SAMPLE.is_file():
        pytest.skip("inputs/sample.xlsx has not been built")
    return figures(solve_sample())


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_objective_within_the_reported_gap(current, golden):
    tolerance = max(current["gap"], golden["gap"], 1e-9) * abs(golden["objective"]) + 1.0
    assert current["objective"] == pytest.approx(golden["objective"], abs=tolerance)
    # neither plan beats the other's proven bound
    assert current["objective"] >= golden["bound"] - 1.0
    assert golden["objective"] >= current["bound"] - 1.0


def test_decisions_per_type_and_agreements(current, golden):
    assert current["status"] == golden["status"]
    assert current["decisions"] == golden["decisions"]
    assert current["agreements"] == golden["agreements"]


def test_a_changed_plan_would_be_caught(golden):
    """The comparison is not vacuous: one facility decided otherwise fails it."""
    changed = json.loads(json.dumps(golden))
    changed["decisions"]["library"]["keep"] += 1
    changed["decisions"]["library"]["close"] -= 1
    assert changed["decisions"] != golden["decisions"]
    dearer = golden["objective"] * (1 + 10 * max(golden["gap"], 1e-6))
    tolerance = max(golden["gap"], 1e-9) * abs(golden["objective"]) + 1.0
    assert abs(dearer - golden["objective"]) > tolerance
