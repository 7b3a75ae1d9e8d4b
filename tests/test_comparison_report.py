"""The three plans compared and the closures with their alternatives, as tables and on
the report's summary and closures sheets."""

from __future__ import annotations

import io
import os
from datetime import datetime

import openpyxl
import pytest
from factories import three_city_problem
from plan_fixture import run_info

from optimizer.outputs.report import SHEET_NAMES, report_bytes
from optimizer.outputs.report.comparison import comparison_table, sharing_statement
from optimizer.results.closures import closure_alternatives
from optimizer.runs.pipeline import report_date
from optimizer.sharing.allocation import allocate
from optimizer.solving.solve import SolverSettings, solve_problem


@pytest.fixture(scope="module")
def solved():
    problem = three_city_problem(agreement_fixed_cost=1e6)
    solution = solve_problem(problem, SolverSettings(mip_gap=0.0), processes=1, compare=True)
    return problem, solution


def test_the_three_plans_side_by_side(solved):
    problem, solution = solved
    table = comparison_table(problem, solution).set_index("key")
    assert list(table.index) == ["renew_all", "alone", "shared"]
    assert table.at["renew_all", "facilities"] == 9 and table.at["shared", "facilities"] == 6
    assert table.at["renew_all", "cost"] >= table.at["alone", "cost"] >= table.at["shared", "cost"]
    assert table.at["renew_all", "versus_renew"] == 0.0
    assert (table.filter(like="unserved_") == 0).all().all()
    words = " ".join(sharing_statement(problem, solution))
    assert "共同利用による効果" in words and "3施設は、いずれも共同利用によるもの" in words


def test_each_closure_names_its_nearest_open_alternative_and_the_residents_it_served(solved):
    problem, solution = solved
    closures = closure_alternatives(problem, solution).set_index("facility")
    assert sorted(closures.index) == ["C-B", "H-C", "L-A"]
    assert closures.at["L-A", "alternative"] == "L-C"  # A's residents go to C's library
    assert closures.at["L-A", "residents"] == pytest.approx(100.0)  # town A's own library
    assert closures.at["L-A", "by_sharing"]
    assert closures.at["L-A", "mean_km_after"] > closures.at["L-A", "mean_km_before"]


def test_summary_and_closures_sheets_show_them(solved):
    problem, solution = solved
    allocation = allocate(problem, solution, shapley="off", processes=1)
    data = report_bytes(problem, solution, allocation, run_info=run_info())
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    summary = book[SHEET_NAMES["summary"]]
    texts = [str(c.value) for row in summary.iter_rows() for c in row if c.value is not None]
    assert "全施設を更新（現状維持）" in texts and "共同利用（本計画）" in texts
    assert any("最寄りの代替施設" in t for t in texts)
    assert not any(word in t for t in texts for word in ("目的関数", "下界", "最適性ギャップ"))
    closures = book[SHEET_NAMES["closures"]]
    names = [c.value for c in closures["A"] if c.value]
    assert sum("facility" in str(n) or "（town" in str(n) for n in names) >= 3
    assumptions = book[SHEET_NAMES["assumptions"]]
    labels = [str(c.value) for c in assumptions["A"] if c.value]
    assert any("下界" in label for label in labels)


def test_the_report_date_is_the_inputs_day_or_source_date_epoch(tmp_path, monkeypatch):
    workbook = tmp_path / "area.xlsx"
    workbook.write_bytes(b"x")
    stamp = datetime(2026, 3, 31, 12, 0).timestamp()
    os.utime(workbook, (stamp, stamp))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert report_date(workbook) == "2026-03-31"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    assert report_date(workbook) == "2026-01-01"
