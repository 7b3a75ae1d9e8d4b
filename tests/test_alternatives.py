"""Alternatives: no-good cuts on the open/build binaries and the K best distinct plans."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner
from factories import site, tiny_problem, town
from small_area import write_small_area

from optimizer.cli import cli
from optimizer.outputs.tables import write_alternatives
from optimizer.results.ranking import alternatives_table, decision_differences, open_plan
from optimizer.solving.alternatives import find_alternatives
from optimizer.solving.model import build_model
from optimizer.solving.solve import SolverSettings, solve_problem

SETTINGS = SolverSettings(mip_gap=0.0)


@pytest.fixture
def problem():
    """One town of 100 residents and three libraries that each could serve it alone:
    L-1 at 1 M yen/year, L-2 at 2 M, L-3 fixed to close."""
    return tiny_problem(
        [town("A", population=100)],
        [
            site("L-1", "library", "A", capacity=200, annual_cost=1e6),
            site("L-2", "library", "A", capacity=200, annual_cost=2e6),
            site("L-3", "library", "A", capacity=200, annual_cost=0.5e6, status="close"),
        ],
        fairness=False,
    )


def test_one_cut_per_excluded_plan_over_the_free_binaries(problem):
    model = build_model(problem, exclude_plans=[frozenset({"L-1"}), frozenset({"L-2"})])
    assert model.rows["define_excluded_plans"] == 2
    cut = model.prob.get_constraint_by_name("excluded_plan_0")
    coefficients = {v.name: c for v, c in cut.items()}
    ids = list(model.index.facility_ids)
    assert coefficients == {f"open_{ids.index('L-1')}": -1.0, f"open_{ids.index('L-2')}": 1.0}
    assert cut.constant == 0.0  # Σ_{∉p} open − Σ_{∈p} open ≥ 1 − |p ∩ F| = 0
    assert build_model(problem).rows["define_excluded_plans"] == 0


def test_the_next_plan_differs_from_every_excluded_one(problem):
    best = solve_problem(problem, SETTINGS)
    assert open_plan(best) == {"L-1"}
    second = solve_problem(problem, SETTINGS, exclude_plans=[open_plan(best)])
    assert open_plan(second) == {"L-2"}
    assert second.objective > best.objective


def test_alternatives_rank_every_distinct_plan_then_stop(problem):
    best = solve_problem(problem, SETTINGS)
    ranking = find_alternatives(problem, best, 10, SETTINGS)
    plans = [open_plan(a.solution) for a in ranking]
    # L-3 is fixed closed: only the four plans over {L-1, L-2} exist (the empty one
    # leaves the demand unserved, at the penalty).
    assert plans == [{"L-1"}, {"L-2"}, {"L-1", "L-2"}, frozenset()]
    assert [a.rank for a in ranking] == [1, 2, 3, 4]
    objectives = [a.solution.objective for a in ranking]
    assert objectives == sorted(objectives)
    table = alternatives_table(ranking)
    assert table["extra_cost"].tolist()[:3] == pytest.approx([0.0, 1e6, 2e6])
    assert table.loc[1, "changed_decisions"] == "L-1 keep→close; L-2 close→keep"
    differences = decision_differences(ranking)
    assert differences["facility"].tolist() == ["L-1", "L-2"]


def test_solve_with_alternatives_writes_them_into_the_run_folder(tmp_path):
    workbook = write_small_area(tmp_path / "area.xlsx")
    out = tmp_path / "reports"
    outcome = CliRunner().invoke(
        cli,
        ["solve", str(workbook), "--alternatives", "2", "--shapley", "off"]
        + ["--output", str(out), "--processes", "1", "--quiet", "--lang", "en"],
    )
    assert outcome.exit_code == 0, outcome.output
    (folder,) = out.iterdir()
    document = json.loads((folder / "alternatives.json").read_text(encoding="utf-8"))
    plans = document["plans"]
    assert [p["rank"] for p in plans] == [1, 2, 3]
    assert len({tuple(p["open_facilities"]) for p in plans}) == 3
    assert all(p["extra_cost"] >= -1e-6 for p in plans)
    assert all(p["changes"] >= 1 for p in plans[1:])
    book = openpyxl.load_workbook(folder / "alternatives.xlsx")
    assert book.sheetnames == ["alternatives", "differences"]
    assert book["alternatives"].max_row == 4
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {"alternatives.xlsx", "alternatives.json"} <= {f["path"] for f in manifest["outputs"]}
    assert_report_lists_the_plans(folder / "report.xlsx", plans)


def assert_report_lists_the_plans(report, plans):
    """The report's 代替案 sheet: one row per plan with its cost [千円] and the changes."""
    ws = openpyxl.load_workbook(report)["代替案 Alternatives"]
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "案")
    rows = [header + 2 + n for n in range(len(plans))]
    assert [ws.cell(r, 1).value for r in rows] == ["本計画 This plan", "代替案 1", "代替案 2"]
    costs = [ws.cell(r, 2).value for r in rows]
    assert costs == pytest.approx([p["objective"] for p in plans])
    extras = [ws.cell(r, 3).value for r in rows]
    assert extras == pytest.approx([p["extra_cost"] for p in plans], abs=1e-3)
    changes = [ws.cell(r, 10).value for r in rows]
    assert changes[0] is None and all("→" in text for text in changes[1:])
    assert ws.cell(rows[-1] + 3, 1).value.startswith("方針が異なる施設")
    plan_headers = [ws.cell(rows[-1] + 4, c).value for c in (3, 4, 5)]
    assert plan_headers == ["本計画", "代替案 1", "代替案 2"]
    assert ws.cell(rows[-1] + 5, 5).value == "Alternative 2"


def test_written_alternatives_name_their_files(problem, tmp_path):
    best = solve_problem(problem, SETTINGS)
    written = write_alternatives(tmp_path, find_alternatives(problem, best, 1, SETTINGS))
    assert sorted(written) == ["alternatives.json", "alternatives.xlsx"]
    assert all(path.is_file() for path in written.values())
