"""The service families: demand, capacity, total capacity, linking, agreements."""

from __future__ import annotations

import pytest
from factories import site, tiny_problem, town

from optimizer.solving.model import CONSTRAINT_FAMILIES, build_model
from optimizer.solving.solve import SolverSettings, solve_problem

QUICK = SolverSettings(time_limit_s=30, mip_gap=0.0)


def _problem(**overrides):
    towns = [town("A", 35.0, 139.0, 120), town("B", 35.0, 139.05, 60), town("H", 35.0, 139.02, 0)]
    sites = [
        site("L-A", "library", "A", capacity=100, annual_cost=3e6),
        site("L-H", "library", "H", capacity=100, annual_cost=3e6),
        site("L-B", "library", "B", capacity=100, annual_cost=5e6),
    ]
    return tiny_problem(towns, sites, ["library"], **{"fairness": False, **overrides})


def test_rows_per_family():
    model = build_model(_problem(agreement_fixed_cost=1e5))
    rows = model.rows
    assert rows["define_demand"] == 2  # H has no demand: no row, no arcs
    assert rows["define_capacity"] == 3
    assert rows["define_total_capacity"] == 1
    assert rows["define_linking"] == 6  # A and B to each of the three libraries
    assert rows["define_agreements"] == 4  # the cross-border arcs
    assert len(model.index.pairs) == 3
    assert [f.__name__ for f in CONSTRAINT_FAMILIES][:3] == [
        "define_demand",
        "define_capacity",
        "define_total_capacity",
    ]


def test_agreement_binaries_are_left_out_when_free_and_unlimited():
    model = build_model(_problem())
    assert not model.index.with_agreements
    assert model.rows["define_agreements"] == 0


def test_capacity_splits_demand_and_agreements_follow_flows():
    solution = solve_problem(_problem(agreement_fixed_cost=1e5), QUICK)
    served = solution.facilities["served"]
    assert (served <= solution.facilities["capacity"] + 1e-6).all()
    assert served.sum() == pytest.approx(180.0)
    assert solution.unserved.empty
    # 180 units need two libraries of 100: the two cheap ones.
    assert set(solution.facilities.index[solution.facilities["open"]]) == {"L-A", "L-H"}
    users = {tuple(sorted((a, b))) for a, b in solution.agreements.to_numpy()}
    hosts = set()
    for row in solution.flows.itertuples():
        if row.municipality != row.host:
            hosts.add(tuple(sorted((row.municipality, row.host))))
    assert users == hosts
