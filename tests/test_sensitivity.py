"""Sensitivity: each lever scales what it says, and the table answers 'what if ±20 %?'."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from factories import three_city_problem
from plan_fixture import run_info

from optimizer.outputs.report import SHEET_NAMES, report_bytes
from optimizer.outputs.report.sensitivity import tornado_rows
from optimizer.problem.levers import LEVERS, scaled_problem
from optimizer.runs.sensitivity import sensitivity
from optimizer.sharing.allocation import allocate
from optimizer.solving.solve import SolverSettings, solve_problem


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
    settings = SolverSettings(mip_gap=0.0)
    base = solve_problem(problem, settings, processes=1)
    table = sensitivity(problem, settings, base)
    assert list(table["lever"]) == ["base", *[lever for lever in LEVERS for _ in (0, 1)]]
    assert table.loc[0, "plan_cost"] == pytest.approx(base.municipal_costs["plan_cost"].sum())
    dearer = table[(table["lever"] == "unit_costs") & (table["factor"] == 1.2)].iloc[0]
    assert dearer["plan_cost"] > table.loc[0, "plan_cost"]
    assert {"closed_library", "built_care", "saving_share", "unserved"} <= set(table.columns)


def test_the_report_shows_the_table_and_a_tornado_chart_widest_swing_on_top():
    problem = three_city_problem(agreement_fixed_cost=1e6)
    settings = SolverSettings(mip_gap=0.0)
    base = solve_problem(problem, settings, processes=1)
    table = sensitivity(problem, settings, base, levers=("unit_costs", "agreement_cost"))
    tornado = tornado_rows(table)
    swings = (tornado["high"] - tornado["low"]).abs().to_list()
    assert swings == sorted(swings)  # Excel draws a bar chart's first category at the bottom
    allocation = allocate(problem, base, shapley="off", processes=1)
    data = report_bytes(problem, base, allocation, run_info=run_info(), sensitivity=table)
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    sheet = book[SHEET_NAMES["sensitivity"]]
    cases = [c.value for c in sheet["A"] if c.value]
    assert "基本ケース" in cases and any("協約の固定費 +20%" == c for c in cases)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert any("barDir" in archive.read(n).decode() for n in charts)
    plain = report_bytes(problem, base, allocation, run_info=run_info())
    assert SHEET_NAMES["sensitivity"] not in openpyxl.load_workbook(io.BytesIO(plain)).sheetnames
