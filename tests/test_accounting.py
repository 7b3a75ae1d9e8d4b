"""The per-municipality cost split, from tables only."""

from __future__ import annotations

import pandas as pd
import pytest
from factories import site, tiny_problem, town

from optimizer.results.accounting import COST_COLUMNS, municipal_costs, plan_objective


def test_payment_rule_and_totals():
    towns = [town("A", 35.0, 139.0, 100), town("B", 35.0, 139.05, 50)]
    sites = [site("L-A", "library", "A", capacity=200, annual_cost=8e6)]
    problem = tiny_problem(
        towns,
        sites,
        {"library": {"user_travel_cost_per_km": 10.0}},
        agreement_fixed_cost=1e6,
        unserved_penalty=1e5,
    )
    open_ = pd.Series({"L-A": True})
    flows = pd.DataFrame(
        {
            "municipality": ["A", "B"],
            "facility": ["L-A", "L-A"],
            "share": [1.0, 0.8],
            "distance_km": [1.0, 6.0],
        }
    )
    agreements = pd.DataFrame({"a": ["A"], "b": ["B"]})
    unserved = pd.DataFrame({"municipality": ["B"], "type": ["library"], "share": [0.2]})
    standalone = pd.Series({"A": 8e6, "B": 9e6})
    costs = municipal_costs(problem, open_, flows, agreements, unserved, standalone)
    assert list(costs.columns) == COST_COLUMNS
    unit = 8e6 / 200
    assert costs.at["B", "payments_out"] == pytest.approx(40 * unit)
    assert costs.at["A", "payments_in"] == pytest.approx(40 * unit)
    assert costs.at["B", "travel"] == pytest.approx(10 * 40 * 6)
    # B's own accounts count its unserved 10 units at the self-provision price S_k (the
    # median unit cost of the type: 40,000 yen per unit here), not at the penalty.
    assert costs.at["B", "unserved"] == pytest.approx(unit * 10)
    assert costs.at["A", "agreements"] == costs.at["B", "agreements"] == pytest.approx(5e5)
    assert costs.at["A", "plan_cost"] == pytest.approx(8e6 - 40 * unit + 1000 + 5e5)
    assert costs["saving"].to_dict() == pytest.approx((standalone - costs["plan_cost"]).to_dict())
    objective = plan_objective(problem, open_, flows, agreements, unserved)
    premium = (1e5 - unit) * 10
    assert costs["plan_cost"].sum() == pytest.approx(objective - premium)
    assert objective == pytest.approx(8e6 + 1000 + 2400 + 1e6 + 1e6)
