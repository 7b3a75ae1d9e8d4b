"""The what-if page (``optimizer app``): its levers as ``--set`` overrides, its background
job, its command, and the page itself in Streamlit's ``AppTest`` (the sample read and
checked, a slider moved, a solve whose cost is the pipeline's for the same overrides).

The end-to-end run in a real browser is ``tests/test_app_browser.py``.
"""

from __future__ import annotations

import dataclasses
import importlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer.app.jobs import Request, SolveJob
from optimizer.app.levers import (
    command_line,
    lever_overrides,
    lever_values,
    run_key,
    run_settings,
    value_text,
)
from optimizer.app.views import plain
from optimizer.cli import cli
from optimizer.config import RunSettings
from optimizer.runs.pipeline import prepare, run
from optimizer.sources.sample import SAMPLE_CSV_DIR, sample_workbook
from optimizer.workbook.assemble import load_problem

app_command = importlib.import_module("optimizer.cli.app")  # the module, not the command
ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "optimizer" / "app" / "page.py"
TIME_LIMIT_S = 90.0
"""The solver's time limit in the tests' solves (the sample is solved to optimality in
well under it, so that the page's plan and the pipeline's are the same)."""
SOLVE_TIMEOUT_S = 300.0
"""The longest a test waits for the page's solves (the base case, then the change)."""
LIBRARY_KM = 12.0
"""The what-if of the tests: the library's maximum distance from 10 to 12 km, a plan
that is optimal, serves everyone and costs less than the base case."""


@pytest.fixture(scope="module")
def sample():
    problem, _ = load_problem(sample_workbook())
    return problem


# --------------------------------------------------------------------------- levers


def test_unchanged_levers_give_no_override(sample):
    start = lever_values(sample)
    assert lever_overrides(start, start) == ()


def test_each_lever_becomes_the_override_the_command_line_takes(sample):
    start = lever_values(sample)
    chosen = dataclasses.replace(
        start,
        max_distance_km={**start.max_distance_km, "library": 12.5},
        max_utilisation={**start.max_utilisation, "care": 0.85},
        agreement_cost=1_500_000.0,
        growth={**start.growth, "population_75plus": 0.2},
        fairness=not start.fairness,
        locks={**start.locks, "L-01": "close", "N-01": "keep"},
    )
    overrides = lever_overrides(start, chosen)
    assert overrides == (
        "facility_types.library.max_distance_km=12.5",
        "facility_types.care.max_utilisation=0.85",
        "parameters.agreement_fixed_cost=1500000",
        f"parameters.fairness={'false' if start.fairness else 'true'}",
        "growth.population_75plus=0.2",
        "facilities.L-01.status=close",
        "facilities.N-01.status=keep",
    )
    # The pipeline reads them as it reads --set: the problem holds the chosen values.
    settings = RunSettings(overrides=overrides)
    problem, _ = prepare(sample_workbook(), settings)
    assert problem.facility_types.at["library", "max_distance_km"] == 12.5
    assert problem.facility_types.at["care", "max_utilisation"] == 0.85
    assert problem.parameters.agreement_fixed_cost == 1_500_000
    assert problem.parameters.fairness is (not start.fairness)
    assert problem.facilities.at["L-01", "status"] == "close"
    assert lever_values(problem).locks["N-01"] == "keep"


def test_values_are_spelt_as_typed():
    assert [value_text(v) for v in (8.0, 12.5, 0.85, True, False, 3, "x")] == [
        "8",
        "12.5",
        "0.85",
        "true",
        "false",
        "3",
        "x",
    ]


def test_names_from_the_input_are_shown_as_written():
    assert plain("my_area*2 [draft] $5") == "my\\_area\\*2 \\[draft\\] \\$5"


def test_the_command_line_of_a_run_and_its_key():
    settings = run_settings(
        Path("reports"), "近距離", ("parameters.agreement_fixed_cost=0",), "en", 60.0
    )
    assert command_line(None, settings) == (
        "optimizer solve --scenario 近距離 --set parameters.agreement_fixed_cost=0 "
        "--time-limit 60 --lang en"
    )
    assert command_line(Path("my area.xlsx"), run_settings(Path("out"))) == (
        "optimizer solve 'my area.xlsx' --output out"
    )
    same = run_settings(
        Path("reports"), "近距離", ("parameters.agreement_fixed_cost=0",), "en", 60.0
    )
    assert run_key("abc", settings) == run_key("abc", same)
    assert run_key("abc", settings) != run_key("abd", settings)
    assert run_key("abc", settings) != run_key("abc", run_settings(Path("reports")))


# --------------------------------------------------------------------------- the command


def test_without_streamlit_the_command_says_how_to_install_it(monkeypatch):
    real = app_command.importlib.util.find_spec
    monkeypatch.setattr(
        app_command.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "streamlit" else real(name, *a),
    )
    result = CliRunner().invoke(cli, ["app", "--lang", "en"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == ['optimizer app needs Streamlit: install it with pip install -e ".[app]"']
    assert "Traceback" not in result.output


def test_the_page_is_served_on_this_computer_only_by_default(monkeypatch):
    calls = []
    monkeypatch.setattr(app_command.importlib.util, "find_spec", lambda name, *a: object())
    monkeypatch.setattr(
        app_command, "serve", lambda command, env: calls.append((command, env)) or 0
    )
    result = CliRunner().invoke(cli, ["app", str(sample_workbook()), "--headless"])
    assert result.exit_code == 0, result.output
    ((command, env),) = calls
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--server.port") + 1] == "8501"
    assert command[command.index("--browser.gatherUsageStats") + 1] == "false"
    assert Path(command[command.index("run") + 1]) == PAGE
    assert env["OPTIMIZER_APP_WORKBOOK"] == str(sample_workbook().resolve())
    assert "http://127.0.0.1:8501" in result.output


def test_a_terminated_command_stops_its_server_too(tmp_path):
    """SIGTERM to ``optimizer app`` reaches the server it started (no orphan)."""
    started, stopped = tmp_path / "started", tmp_path / "stopped"
    server = (
        "import pathlib, signal, sys, time\n"
        f"def stop(*_):\n    pathlib.Path({str(stopped)!r}).write_text('x'); sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        f"pathlib.Path({str(started)!r}).write_text('x')\n"
        "time.sleep(60)\n"
    )
    runner = (
        "import sys; from optimizer.cli.app import serve\n"
        f"sys.exit(serve([sys.executable, '-c', {server!r}], {{}}))\n"
    )
    command = subprocess.Popen([sys.executable, "-c", runner])
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started.exists(), "the stand-in server did not start"
    command.terminate()
    assert command.wait(timeout=30) == 0
    assert stopped.read_text() == "x"


# --------------------------------------------------------------------------- the job


def test_a_cancelled_job_stops_and_leaves_no_unfinished_run_folder(tmp_path):
    settings = run_settings(tmp_path / "reports", time_limit_s=TIME_LIMIT_S)
    job = SolveJob(sample_workbook(), [Request("base", "k", settings)])
    try:
        deadline = time.monotonic() + 120
        while job.steps < 3 and job.running and time.monotonic() < deadline:
            job.poll()
            time.sleep(0.1)
        assert job.running, "the job ended before it could be cancelled"
        started = time.monotonic()
        job.cancel()
        finished = job.wait(timeout_s=30)
        assert time.monotonic() - started < 30
        assert [f.outcome for f in finished] == ["cancelled"]
        assert not job.running
    finally:
        job.close()
    folders = list((tmp_path / "reports").glob("*")) if (tmp_path / "reports").exists() else []
    assert [f for f in folders if not (f / "manifest.json").is_file()] == []


# --------------------------------------------------------------------------- the page


def _page(monkeypatch, tmp_path: Path, workbook: Path | None = None):
    streamlit_testing = pytest.importorskip(
        "streamlit.testing.v1", reason="the page needs Streamlit (pip install -e '.[app]')"
    )
    monkeypatch.setenv("OPTIMIZER_APP_OUTPUT", str(tmp_path / "reports"))
    monkeypatch.setenv("OPTIMIZER_APP_WORKBOOK", str(workbook) if workbook else "")
    monkeypatch.setenv("OPTIMIZER_APP_LANG", "ja")
    page = streamlit_testing.AppTest.from_file(str(PAGE), default_timeout=120)
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    return page


def _by_label(elements, text: str):
    found = [e for e in elements if text in e.label]
    assert found, f"no element labelled {text!r} among {[e.label for e in elements]}"
    return found[0]


def _csv_copy(tmp_path: Path, old: str, new: str) -> Path:
    """The sample's CSV tables with one text of municipalities.csv replaced."""
    folder = tmp_path / "area"
    shutil.copytree(SAMPLE_CSV_DIR, folder)
    table = folder / "municipalities.csv"
    text = table.read_text(encoding="utf-8")
    assert old in text
    table.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_the_page_reads_the_sample_and_shows_its_check(monkeypatch, tmp_path):
    page = _page(monkeypatch, tmp_path)
    assert page.title[0].value.startswith("公共施設の共同利用")
    assert _by_label(page.expander, "入力チェック validation: 問題なし")
    assert [s.value for s in page.success] == [
        "入力に問題は見つかりませんでした (no problems found in the input)"
    ]
    summary = page.code[0].value
    assert "9 市町村" in summary and "47 既存施設" in summary
    assert page.code[1].value == f"optimizer solve --output {tmp_path / 'reports'}"
    assert _by_label(page.slider, "図書館 library").value == 10.0
    assert page.button(key="solve").disabled is False


ZONES_OFF = ("13205,青梅市,35.787778,139.275833,133587", "13205,青梅市,35.787778,139.275833,150000")
NOT_A_NUMBER = ("13205,青梅市,35.787778,139.275833,133587", "13205,青梅市,35.787778,139.275833,abc")


def test_the_page_shows_the_warnings_as_validate_prints_them(monkeypatch, tmp_path):
    page = _page(monkeypatch, tmp_path, _csv_copy(tmp_path, *ZONES_OFF))
    assert _by_label(page.expander, "警告 1 件")
    (warning,) = page.warning
    assert warning.value.startswith("入力に 1 件の指摘があります（エラー 0 件、警告 1 件）")
    assert "青梅市 (13205)の区域の人口の合計" in warning.value
    assert page.button(key="solve")  # a warning does not stop anything


def test_the_page_shows_every_error_and_offers_no_solve(monkeypatch, tmp_path):
    page = _page(monkeypatch, tmp_path, _csv_copy(tmp_path, *NOT_A_NUMBER))
    (error,) = page.error
    assert "入力に 1 件の指摘があります（エラー 1 件、警告 0 件）" in error.value
    assert "数値ではありません。値「abc」" in error.value
    assert not [b for b in page.button if b.key == "solve"]


def test_a_moved_slider_solves_to_the_pipelines_cost(monkeypatch, tmp_path):
    page = _page(monkeypatch, tmp_path)
    _by_label(page.slider, "図書館 library").set_value(LIBRARY_KM).run()
    _by_label(page.number_input, "計算時間の上限").set_value(TIME_LIMIT_S).run()
    override = f"facility_types.library.max_distance_km={value_text(LIBRARY_KM)}"
    assert f"--set {override}" in page.code[1].value
    page.button(key="solve").click().run()
    assert not page.exception, [e.value for e in page.exception]

    deadline = time.monotonic() + SOLVE_TIMEOUT_S
    while page.session_state["job"] is not None and time.monotonic() < deadline:
        time.sleep(1.0)
        page.run()
    assert page.session_state["job"] is None, "the page's solves did not end in time"
    assert not page.exception, [e.value for e in page.exception]
    assert not page.error, [e.value for e in page.error]

    shown = _by_label(page.metric, "計画の費用 cost of the plan").value
    expected = run(
        sample_workbook(),
        RunSettings(
            overrides=(override,),
            time_limit_s=TIME_LIMIT_S,
            language="ja",
            write_outputs=False,
        ),
    )
    cost_after = float(expected.solution.municipal_costs["plan_cost"].sum())
    assert shown == f"{round(cost_after / 1000):,} 千円"
    # The base case beside it: the comparison names both, and the plan costs less.
    figures = page.dataframe[0].value
    assert list(figures.columns) == ["基本ケース base case", "現在の設定 current", "差 difference"]
    assert figures.loc["計画の費用 cost of the plan (/年)", "現在の設定 current"] == shown
    assert figures.loc["計画の費用 cost of the plan (/年)", "差 difference"].startswith("△")
    # Both run folders are complete, each with what the downloads offer.
    folders = sorted((tmp_path / "reports").glob("*-base"))
    assert len(folders) == 2
    for folder in folders:
        assert (folder / "manifest.json").is_file()
        assert (folder / "report.xlsx").is_file() and (folder / "plan.geojson").is_file()
        assert any((folder / "agreements").glob("*.docx"))
    labels = [b.label for b in page.get("download_button")]
    assert labels.count("報告書 report.xlsx") == 2
    assert labels.count("協約書 agreements (.zip)") == 2


def test_a_scenario_of_the_workbook_is_where_the_levers_start(monkeypatch, tmp_path):
    page = _page(monkeypatch, tmp_path)
    page.selectbox(key="scenario").set_value("近距離").run()
    assert not page.exception, [e.value for e in page.exception]
    assert _by_label(page.slider, "図書館 library").value == 8.0  # the scenario's value
    assert page.code[1].value.startswith("optimizer solve --scenario 近距離 --output")
    assert "変更 changes from the base case: 1 件" in page.caption[1].value


def test_a_lock_the_pipeline_refuses_is_named_before_any_solve(monkeypatch, tmp_path, sample):
    page = _page(monkeypatch, tmp_path)
    scope = f"{sample.source['sha256'][:16]}:base"
    page.session_state["locks"] = {scope: {**lever_values(sample).locks, "C-01": "close"}}
    page.run()
    assert "--set facilities.C-01.status=close" in page.code[1].value
    page.button(key="solve").click().run()
    (error,) = page.error
    assert "C-01" in error.value and "operator" in error.value
    assert "job" not in page.session_state  # no solve was started
