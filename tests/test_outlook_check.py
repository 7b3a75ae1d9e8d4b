"""The plan against the population outlook: per period, the demand against the plan's
capacity, the shortfall, the report's sheet and the summary's sentence."""

from __future__ import annotations

import io

import openpyxl
import pytest
from factories import site, tiny_problem, town
from plan_fixture import run_info

from optimizer.outputs.report import SHEET_NAMES, report_bytes
from optimizer.outputs.report.outlook import has_outlook, outlook_statement
from optimizer.results.outlook_check import WHOLE_AREA, outlook_capacity, outlook_shortfalls
from optimizer.sharing.allocation import allocate
from optimizer.solving.solve import SolverSettings, solve_problem

CARE = {
    "demand_basis": "population_75plus",
    "demand_per_person": 0.1,
    "max_utilisation": 1.0,
    "capacity_unit": "beds",
    "name_ja": "特養",
}


def _problem(**outlook):
    """Town A: 1,000 residents aged 75+ (100 beds of demand) and a 110-bed home; its 75+
    residents grow to ``outlook`` by the given years."""
    towns = [{**town("A", population=5_000, population_75plus=1_000), **outlook}]
    return tiny_problem(
        towns,
        [site("C-A", "care", "A", capacity=110, status="keep")],
        {"care": CARE},
        horizon_years=20,
        period_years=5,
    )


@pytest.fixture(scope="module")
def ageing():
    problem = _problem(population_75plus_2036=1_500)  # +50 % by 2036
    return problem, solve_problem(problem, SolverSettings(mip_gap=0.0), processes=1)


def test_the_plan_sized_today_falls_short_when_the_old_grow(ageing):
    problem, solution = ageing
    table = outlook_capacity(problem, solution)
    assert list(table["period"]) == ["2026–2030", "2031–2035", "2036–2040", "2041–2045"]
    assert set(table["area"]) == {WHOLE_AREA}
    assert table["capacity"].tolist() == pytest.approx([110.0] * 4)
    # 75+ from 1,000 (2026) to 1,500 (2036): 1,200 in 2030, 1,450 in 2035, held after
    assert table["demand"].tolist() == pytest.approx([120.0, 145.0, 150.0, 150.0])
    assert table["shortfall"].tolist() == pytest.approx([10.0, 35.0, 40.0, 40.0])
    short = outlook_shortfalls(table)
    assert len(short) == 4
    words = outlook_statement(problem, solution)[0]
    assert "特養は圏域全体で2026–2030年から" in words and "最大40beds（2036–2040年）" in words


def test_a_plan_that_holds_says_so_and_without_an_outlook_nothing_is_claimed():
    problem = _problem(population_75plus_2036=900)  # the old become fewer
    solution = solve_problem(problem, SolverSettings(mip_gap=0.0), processes=1)
    assert outlook_shortfalls(outlook_capacity(problem, solution)).empty
    assert "すべての期で需要を満たします" in outlook_statement(problem, solution)[0]
    flat = _problem()
    assert not has_outlook(flat)
    assert outlook_statement(flat, solve_problem(flat, SolverSettings(mip_gap=0.0))) == []


def test_the_outlook_sheet_shows_each_period_and_marks_the_shortfall(ageing):
    problem, solution = ageing
    allocation = allocate(problem, solution, shapley="off", processes=1)
    data = report_bytes(problem, solution, allocation, run_info=run_info())
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    sheet = book[SHEET_NAMES["outlook"]]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    checked = [r for r in rows if r[1] == WHOLE_AREA]
    assert [r[0] for r in checked] == ["2026–2030", "2031–2035", "2036–2040", "2041–2045"]
    assert [r[7] for r in checked] == pytest.approx([10.0, 35.0, 40.0, 40.0])
    summary = book[SHEET_NAMES["summary"]]
    texts = [str(c.value) for row in summary.iter_rows() for c in row if c.value]
    assert any("人口見通しでは" in t for t in texts)
