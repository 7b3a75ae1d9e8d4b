"""Scenario comparison: the tables, the workbook, and a real comparison on the sample."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from small_area import write_small_area

from optimizer.cli import cli
from optimizer.errors import ScenarioError
from optimizer.outputs.tables import write_comparison
from optimizer.runs.compare import ScenarioResult, comparison_tables
from optimizer.runs.sweep import grid_points, parse_axis, random_points


def result(name, decisions, agreements=(), cost_after=90.0, **kwargs):
    return ScenarioResult(
        name=name,
        status="optimal",
        objective=cost_after,
        gap=0.0,
        cost_before=100.0,
        cost_after=cost_after,
        counts={"library.keep": sum(d == "keep" for d in decisions.values())},
        agreements=tuple(agreements),
        worst_distance_km={"library": 4.5},
        decisions=decisions,
        **kwargs,
    )


def test_tables_show_only_the_decisions_that_differ():
    a = result("base", {"L-1": "keep", "L-2": "close", "L-3": "keep"}, ["A–B"])
    b = result("short", {"L-1": "keep", "L-2": "keep", "L-3": "keep"}, ["A–B", "A–C"], 95.0)
    broken = ScenarioResult(name="bad", status="error", error="unknown target 'x'")
    tables = comparison_tables([a, b, broken])
    scenarios = tables["scenarios"].set_index("scenario")
    assert scenarios.loc["base", "saving"] == 10.0
    assert scenarios.loc["short", "saving_pct"] == pytest.approx(5.0)
    assert scenarios.loc["short", "n_library.keep"] == 3
    assert scenarios.loc["bad", "error"] == "unknown target 'x'"
    differences = tables["differences"]
    assert differences["facility"].tolist() == ["L-2"]
    assert differences[["base", "short"]].iloc[0].tolist() == ["close", "keep"]
    agreements = tables["agreements"].set_index("agreement")
    assert agreements.loc["A–C"].tolist() == [False, True]


def test_comparison_workbook_has_the_tables_and_a_chart(tmp_path):
    tables = comparison_tables(
        [result("base", {"L-1": "keep"}), result("=cmd()", {"L-1": "close"}, cost_after=80.0)]
    )
    path = write_comparison(tmp_path / "comparison.xlsx", tables)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["scenarios", "differences", "agreements"]
    sheet = book["scenarios"]
    assert sheet["A3"].value == "=cmd()" and sheet["A3"].data_type == "s"  # text, not a formula
    assert len(sheet._charts) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["comparison.xlsx"]  # no temporary left


def test_grid_and_seeded_random_points():
    axes = [parse_axis("a=1,2"), parse_axis("b = x, y ,z")]
    assert len(grid_points(axes)) == 6
    assert grid_points(axes)[0] == {"a": "1", "b": "x"}
    first, again = random_points(axes, 5, seed=3), random_points(axes, 5, seed=3)
    assert first == again
    assert all(1 <= float(p["a"]) <= 2 and p["b"] in "xyz" for p in first)
    assert random_points(axes, 5, seed=4) != first


@pytest.mark.parametrize("text", ["a", "a=", "=1,2", "a=,"])
def test_bad_axis_is_an_error(text):
    with pytest.raises(ScenarioError, match="target=value1"):
        parse_axis(text)


def test_compare_on_the_sample_area(tmp_path):
    """Base against 近距離 (library access 8 km instead of 10): a shorter maximum distance
    keeps more libraries, and each scenario has its own run folder."""
    workbook = write_small_area(tmp_path / "area.xlsx")
    out = tmp_path / "reports"
    outcome = CliRunner().invoke(
        cli,
        ["compare", str(workbook), "--scenario", "近距離", "--output", str(out)]
        + ["--processes", "2", "--quiet"],
    )
    assert outcome.exit_code == 0, outcome.output
    (path,) = out.glob("*-compare/comparison.xlsx")
    tables = pd.read_excel(path, sheet_name=None)
    scenarios = tables["scenarios"].set_index("scenario")
    assert list(scenarios.index) == ["base", "近距離"]
    assert (scenarios["status"] == "optimal").all()
    # a shorter reach can only cost more, and changes which libraries stay
    assert scenarios.loc["近距離", "cost_after"] > scenarios.loc["base", "cost_after"]
    assert scenarios.loc["近距離", "worst_km_library"] <= 8.0 + 1e-9
    assert not math.isnan(scenarios.loc["base", "saving"])
    differences = tables["differences"]
    assert len(differences) > 0
    assert (differences["base"] != differences["近距離"]).all()
    for folder in scenarios["folder"]:
        assert Path(folder).parent == out
        assert (Path(folder) / "report.xlsx").is_file()
