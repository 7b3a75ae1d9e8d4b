"""The 40-year renewal chart: outlays per year by plan and type, the report's sheet and
the figure."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from factories import candidate, site, three_city_problem, tiny_problem, town
from plan_fixture import run_info

from optimizer.outputs.renewal_chart import draw_renewal_chart
from optimizer.outputs.report import SHEET_NAMES, report_bytes
from optimizer.outputs.report.renewal import outlay_statement
from optimizer.problem.costs import outlay_schedule
from optimizer.results.outlays import outlay_summary, plan_openings, yearly_outlays
from optimizer.sharing.allocation import allocate
from optimizer.solving.solve import SolverSettings, solve_problem

TYPES = {"library": {"renovation_unit_cost": 250_000.0, "rebuild_unit_cost": 400_000.0}}


def _worked_example():
    """The MIC worked example: a 2,000 m² library built in 1990, base year 2026; with a
    private care home and a candidate library beside it."""
    library = {**site("L1", "library", "A", year_built=1990), "floor_area_m2": 2_000.0}
    private = {**site("C1", "care", "A", year_built=1990), "floor_area_m2": 1_000.0}
    private["operator"] = "private"
    new = {**candidate("L2", "library", "A", build_cost=3e8), "floor_area_m2": 1_000.0}
    return tiny_problem([town("A", population=100)], [library, private, new], {**TYPES, "care": {}})


def test_renewing_everything_is_the_mic_schedule_of_the_inventory_year_by_year():
    problem = _worked_example()
    opened = pd.DataFrame(
        {"renew_all": [True, True, False], "shared": [False, True, True]},
        index=pd.Index(["L1", "C1", "L2"], name="id"),
    )
    outlays = yearly_outlays(problem, opened)
    renew = outlays[("renew_all", "library")]
    assert renew.loc[2026:2035].sum() == pytest.approx(5.0e8)  # renovation, levelled
    assert renew.loc[2026:2035].to_numpy() == pytest.approx(np.full(10, 5.0e7))
    assert renew.loc[2050:2052].sum() == pytest.approx(8.0e8)  # rebuild over 3 years
    assert renew.sum() == pytest.approx(13.0e8)
    mic = outlay_schedule(problem.facilities, problem.facility_types, problem.parameters)
    assert renew.to_numpy() == pytest.approx(mic.loc["L1"].to_numpy())
    # a private care home is in no municipality's plan; a closed library costs nothing
    assert outlays[("renew_all", "care")].sum() == 0.0
    assert outlays[("shared", "care")].sum() == 0.0
    shared = outlays[("shared", "library")]
    assert shared.to_numpy() == pytest.approx(mic.loc["L2"].to_numpy())
    assert shared.loc[2026:2028].sum() == pytest.approx(3e8)  # built over three years
    summary = outlay_summary(outlays)
    assert summary.at["renew_all", "total"] == pytest.approx(13.0e8)
    assert summary.at["renew_all", "average"] == pytest.approx(13.0e8 / 40)
    assert summary.at["renew_all", "peak_year"] == 2050
    expected = 1 - summary.at["shared", "total"] / 13.0e8
    assert summary.at["shared", "saving"] == pytest.approx(expected)


@pytest.fixture(scope="module")
def solved():
    """Two neighbours, each with an ageing library (1,000 m², built 1990) that could
    serve both; sharing keeps one."""
    towns = [town("A", population=400), town("B", 35.01, population=400)]
    sites = [
        {**site(f"L-{c}", "library", c, capacity=1_000, year_built=1990), "floor_area_m2": 1e3}
        for c in "AB"
    ]
    problem = tiny_problem(towns, sites, TYPES)
    solution = solve_problem(problem, SolverSettings(mip_gap=0.0), processes=1, compare=True)
    return problem, solution


def test_without_floor_areas_there_is_nothing_to_chart():
    problem = three_city_problem()
    solution = solve_problem(problem, SolverSettings(mip_gap=0.0), processes=1, compare=True)
    assert outlay_statement(problem, solution) == []
    allocation = allocate(problem, solution, shapley="off", processes=1)
    data = report_bytes(problem, solution, allocation, run_info=run_info())
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET_NAMES["renewal"]]
    assert any("floor_area_m2" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_the_three_plans_follow_their_decisions(solved):
    problem, solution = solved
    opened = plan_openings(problem, solution)
    assert list(opened.columns) == ["renew_all", "alone", "shared"]
    assert opened["renew_all"].sum() == 2 and opened["shared"].sum() == 1
    outlays = yearly_outlays(problem, opened)
    assert list(outlays.index) == list(range(2026, 2066))
    mic = outlay_schedule(problem.facilities, problem.facility_types, problem.parameters)
    for plan in opened.columns:
        kept = opened.index[opened[plan].to_numpy(bool)]
        assert outlays[plan].to_numpy().sum() == pytest.approx(mic.loc[kept].to_numpy().sum())
    words = outlay_statement(problem, solution)[0]
    assert (
        "40年間の更新費用" in words and "全施設の更新より" in words and "各市町村単独より" in words
    )


def test_the_report_has_the_renewal_sheet_with_four_native_charts(solved):
    problem, solution = solved
    allocation = allocate(problem, solution, shapley="off", processes=1)
    data = report_bytes(problem, solution, allocation, run_info=run_info())
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    sheet = book[SHEET_NAMES["renewal"]]
    summary = outlay_summary(yearly_outlays(problem, plan_openings(problem, solution)))
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=1, max_row=12)]
    totals = {
        r[0]: r[1] for r in rows if r and r[0] in ("全施設を更新", "各市町村単独", "共同利用の計画")
    }
    assert totals["全施設を更新"] == pytest.approx(summary.at["renew_all", "total"])
    assert totals["共同利用の計画"] == pytest.approx(summary.at["shared", "total"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_file = f"xl/worksheets/sheet{list(book.sheetnames).index(sheet.title) + 1}.xml"
        drawing_rels = [n for n in archive.namelist() if n.startswith("xl/drawings/_rels/")]
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert sheet_file in archive.namelist()
        assert drawing_rels
        line_charts = [n for n in charts if b"<c:lineChart>" in archive.read(n)]
    assert len(charts) >= 4 and len(line_charts) >= 4  # the totals and one per plan


def test_the_figure_is_written_whole(solved, tmp_path):
    problem, solution = solved
    outlays = yearly_outlays(problem, plan_openings(problem, solution))
    path = draw_renewal_chart(tmp_path / "renewal.png", problem, outlays)
    assert [p.name for p in tmp_path.iterdir()] == ["renewal.png"]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_schedule_sheet_marks_each_kept_facilitys_works_and_greys_a_closure(solved):
    problem, solution = solved
    allocation = allocate(problem, solution, shapley="off", processes=1)
    data = report_bytes(problem, solution, allocation, run_info=run_info())
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET_NAMES["schedule"]]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r and r[0] == "施設名")
    years = {int(h) + 2000: n for n, h in enumerate(header) if str(h or "").isdigit()}
    assert min(years) == 2026 and max(years) == 2065
    kept = next(r for r in rows if r[3] == "存続")
    closed = next(r for r in rows if r[3] == "廃止")
    marks = {y: kept[n] for y, n in years.items() if kept[n]}
    assert marks == {**{y: "改" for y in range(2026, 2036)}, 2050: "建", 2051: "建", 2052: "建"}
    assert not any(closed[n] for n in years.values())
    fill = sheet.cell(row=rows.index(closed) + 1, column=years[2030] + 1).fill.fgColor.rgb
    assert str(fill).endswith("D9D9D9")
