"""--json on solve, validate, compare and run-job; CSV outputs for Excel (UTF-8 with BOM)."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from small_area import write_small_area

from optimizer.cli import cli
from optimizer.cli import planning as cli_module
from optimizer.config import EXIT_CODES
from optimizer.errors import InfeasibleError
from optimizer.outputs.files import atomic_write_csv
from optimizer.runs.load import load_run
from optimizer.sources.sample import SAMPLE_CSV_DIR
from optimizer.workbook.reader import read_tables

ROOT = Path(__file__).resolve().parents[1]
QUICK = ("--shapley", "off", "--processes", "1")
COMMON = {"command", "status", "exit_code", "message", "issues", "warnings", "errors"}


@pytest.fixture(scope="module")
def area(tmp_path_factory) -> Path:
    return write_small_area(tmp_path_factory.mktemp("json-cli") / "area.xlsx")


def invoke(*args: object) -> tuple[int, dict]:
    """Run the command line in this process; its exit code and the one JSON object of its
    standard output (which must hold nothing else)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    record = json.loads(lines[0])
    assert COMMON <= set(record)
    assert record["exit_code"] == result.exit_code
    return result.exit_code, record


# --------------------------------------------------------------------------- solve


def test_solve_prints_the_plan_as_one_json_object(area, tmp_path):
    code, record = invoke("solve", area, "--json", "--output", tmp_path, *QUICK)
    assert code == 0
    assert record["command"] == "solve" and record["status"] == "ok"
    assert record["message"] is None and record["issues"] == []
    assert record["solve_status"] == "optimal"
    folder = Path(record["folder"])
    assert (folder / "manifest.json").is_file() and (folder / "plan.geojson").is_file()
    figures = load_run(folder).figures
    assert record["cost_before"] == pytest.approx(figures["cost_before"], rel=1e-9)
    assert record["cost_after"] == pytest.approx(figures["cost_after"], rel=1e-9)
    assert record["saving"] == pytest.approx(record["cost_before"] - record["cost_after"])
    assert record["gap"] == pytest.approx(figures["gap"], abs=1e-12)
    assert len(record["agreements"]) == figures["agreements"]
    # the input's warning (the care places of the cut-down area), once, in Japanese
    assert len(record["warnings"]) == 1 and "警告" in record["warnings"][0]


def test_a_missing_workbook_is_a_usage_error_in_json(tmp_path):
    code, record = invoke("solve", tmp_path / "nowhere.xlsx", "--json", "--lang", "en")
    assert code == EXIT_CODES["usage"] == 2
    assert record["status"] == "usage"
    assert "nowhere.xlsx" in record["message"] and "does not exist" in record["message"]


def test_a_bad_option_value_is_a_usage_error_in_json(area):
    code, record = invoke("solve", area, "--time-limit", "0", "--json")
    assert code == 2 and record["status"] == "usage" and "--time-limit" in record["message"]


def test_a_plan_that_cannot_be_made_is_its_exit_code_in_json(area, monkeypatch):
    def infeasible(*args, **kwargs):
        raise InfeasibleError("no plan for town X", ja="町Xの計画がありません")

    monkeypatch.setattr(cli_module, "run", infeasible)
    code, record = invoke("solve", area, "--json")
    assert code == EXIT_CODES["infeasible"] == 4
    assert record["status"] == "infeasible"
    assert "町Xの計画がありません" in record["message"]


def test_a_defect_of_ours_is_one_line_in_json(area, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.delenv("OPTIMIZER_DEBUG", raising=False)
    monkeypatch.setattr(cli_module, "run", broken)
    code, record = invoke("solve", area, "--json", "--lang", "en")
    assert code == EXIT_CODES["failure"] == 1
    assert record["status"] == "failure"
    assert "RuntimeError: disk on fire" in record["message"]


# --------------------------------------------------------------------------- validate


def test_validate_says_what_the_workbook_holds(area):
    code, record = invoke("validate", area, "--json")
    assert code == 0 and record["status"] == "ok"
    assert record["municipalities"] == 4
    assert record["facility_types"] == ["library", "hall", "care"]
    assert record["sha256"] and record["input"].endswith("area.xlsx")


def test_validate_lists_every_problem_of_a_bad_workbook(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a workbook")
    code, record = invoke("validate", broken, "--json", "--lang", "en")
    assert code == EXIT_CODES["bad_input"] == 3
    assert record["status"] == "bad_input"
    (issue,) = record["issues"]
    assert issue["severity"] == "error" and issue["sheet"] == "broken.xlsx"
    assert "broken.xlsx" in record["message"]


def test_nothing_but_the_json_object_reaches_standard_output(area):
    done = subprocess.run(
        [sys.executable, "-m", "optimizer", "validate", str(area), "--json"],
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0
    record = json.loads(done.stdout)
    assert record["command"] == "validate" and record["warnings"]
    assert done.stdout.decode("ascii").count("\n") == 1


# --------------------------------------------------------------------------- compare


def test_compare_lists_each_scenario_with_its_figures(area, tmp_path):
    code, record = invoke("compare", area, "--json", "--output", tmp_path, "--processes", "1")
    assert code == 0 and record["command"] == "compare" and record["status"] == "ok"
    assert Path(record["comparison"]).is_file()
    (base,) = record["scenarios"]
    assert base["scenario"] == "base" and base["error"] is None
    assert base["saving"] == pytest.approx(base["cost_before"] - base["cost_after"])
    assert Path(base["folder"]).is_dir()


def test_compare_of_an_unknown_scenario_fails_in_json(area, tmp_path):
    code, record = invoke(
        "compare", area, "--scenario", "nope", "--json", "--output", tmp_path, "--processes", "1"
    )
    assert code == EXIT_CODES["failure"]
    assert record["status"] == "failure" and "nope" in record["message"]
    errors = {s["scenario"]: s["error"] for s in record["scenarios"]}
    assert errors["base"] is None and "nope" in errors["nope"]


# --------------------------------------------------------------------------- run-job


def write_job(folder: Path, workbook: Path) -> Path:
    path = folder / "job.toml"
    path.write_text(
        f'input = {json.dumps(str(workbook))}\noutput = "out"\nshapley = "off"\n'
        "documents = false\nprocesses = 1\n",
        encoding="utf-8",
    )
    return path


def test_run_job_reports_its_scenarios(area, tmp_path):
    code, record = invoke("run-job", write_job(tmp_path, area), "--json")
    assert code == 0 and record["command"] == "run-job" and record["status"] == "ok"
    assert Path(record["folder"]) == tmp_path / "out"
    (base,) = record["scenarios"]
    assert base["outcome"] == "ok" and base["solve_status"] == "optimal"
    assert (Path(base["folder"]) / "plan.geojson").is_file()


def test_run_job_with_a_missing_input_is_bad_input_in_json(tmp_path):
    code, record = invoke("run-job", write_job(tmp_path, tmp_path / "gone.xlsx"), "--json")
    assert code == EXIT_CODES["bad_input"] == 3
    assert record["status"] == "bad_input"
    assert "gone.xlsx" in record["message"]
    assert record["errors"]  # what job.log says


def test_run_job_of_a_missing_job_file_is_a_usage_error_in_json(tmp_path):
    code, record = invoke("run-job", tmp_path / "none.toml", "--json")
    assert code == 2 and record["status"] == "usage" and "none.toml" in record["message"]


# --------------------------------------------------------------------------- CSV for Excel


def test_csv_outputs_start_with_a_byte_order_mark(tmp_path):
    path = atomic_write_csv(tmp_path / "t.csv", pd.DataFrame({"市町村": ["青梅市"], "n": [1]}))
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert data.decode("utf-8-sig") == "市町村,n\n青梅市,1\n"


def test_sweep_writes_its_csv_table_for_excel(area, tmp_path):
    table = tmp_path / "sweep.csv"
    result = CliRunner().invoke(
        cli,
        [
            "sweep",
            str(area),
            "--axis",
            "parameters.agreement_fixed_cost=0",
            "--output",
            str(table),
            "--processes",
            "1",
            "--quiet",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert table.read_bytes().startswith(codecs.BOM_UTF8)
    frame = pd.read_csv(table, encoding="utf-8-sig")
    assert len(frame) == 1 and "set parameters.agreement_fixed_cost" in frame.columns


def test_input_csv_reads_the_same_with_or_without_a_byte_order_mark(tmp_path):
    with_bom = tmp_path / "with-bom"
    with_bom.mkdir()
    for source in sorted(SAMPLE_CSV_DIR.glob("*.csv")):
        data = source.read_bytes()
        assert not data.startswith(codecs.BOM_UTF8)
        (with_bom / source.name).write_bytes(codecs.BOM_UTF8 + data)
    plain, marked = read_tables(SAMPLE_CSV_DIR), read_tables(with_bom)
    assert list(marked.tables) == list(plain.tables) and "zones" in marked.tables
    assert marked.issues == plain.issues
    for name, table in plain.tables.items():
        assert marked.tables[name].unmatched == table.unmatched == [], name
        pd.testing.assert_frame_equal(marked.tables[name].frame, table.frame)
