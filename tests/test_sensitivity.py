"""Sensitivity: each lever scales what it says, and the table answers 'what if ±20 %?'."""

from __future__ import annotations

import pytest
from factories import three_city_problem

from optimizer.config import RunSettings
from optimizer.problem.levers import LEVERS, scaled_problem
from optimizer.runs.pipeline import solve
from optimizer.runs.sensitivity import sensitivity


def test_each_lever_scales_its_inputs_and_the_derived_figures_follow():
    problem = three_city_problem(agreement_fixed_cost=1e6)
    more = scaled_problem(problem, "demand", 1.2)
    assert more.demand.to_numpy() == pytest.approx(problem.demand.to_numpy() * 1.2)
    assert more.point_demand.to_numpy() == pytest.approx(problem.point_demand.to_numpy() * 1.2)
    dearer = scaled_problem(problem, "unit_costs", 1.2)
    assert dearer.facilities["annual_cost"].to_numpy() == pytest.approx(
        problem.facilities["annual_cost"].to_numpy() * 1.2
    )
    smaller = scaled_problem(problem, "capacity", 0.8)
    assert smaller.facilities["capacity"].to_numpy() == pytest.approx(
        problem.facilities["capacity"].to_numpy() * 0.8
    )
    travel = scaled_problem(problem, "travel_cost", 0.8)
    assert travel.facility_types["user_travel_cost_per_km"].to_numpy() == pytest.approx(
        problem.facility_types["user_travel_cost_per_km"].to_numpy() * 0.8
    )
    assert scaled_problem(problem, "agreement_cost", 1.2).parameters.agreement_fixed_cost == (
        pytest.approx(1.2e6)
    )
    assert problem.demand.to_numpy() == pytest.approx(scaled_problem(problem, "demand", 1.0).demand)
    with pytest.raises(ValueError, match="unknown lever"):
        scaled_problem(problem, "weather", 1.2)


def test_the_table_has_the_base_and_two_rows_per_lever():
    problem = three_city_problem(agreement_fixed_cost=1e6)
    settings = RunSettings(write_outputs=False, processes=1, mip_gap=0.0)
    base = solve(problem, settings)
    table = sensitivity(problem, settings, base)
    assert list(table["lever"]) == ["base", *[lever for lever in LEVERS for _ in (0, 1)]]
    assert table.loc[0, "plan_cost"] == pytest.approx(base.municipal_costs["plan_cost"].sum())
    dearer = table[(table["lever"] == "unit_costs") & (table["factor"] == 1.2)].iloc[0]
    assert dearer["plan_cost"] > table.loc[0, "plan_cost"]
    assert {"closed_library", "built_care", "saving_share", "unserved"} <= set(table.columns)
