"""Scheduled runs for real: exit codes per outcome, the lock, a killed run, reruns."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from small_area import write_small_area

from optimizer.config import EXIT_CODES
from optimizer.outputs.job_folder import run_folders
from optimizer.runs import jobs
from optimizer.runs.jobs import run_job


@pytest.fixture(scope="module")
def area(tmp_path_factory) -> Path:
    return write_small_area(tmp_path_factory.mktemp("input") / "area.xlsx")


def write_job(folder: Path, workbook: Path, *lines: str, solver: str = "") -> Path:
    """A job file in ``folder`` writing to ``folder/out``; quick settings for tests
    (job.log in English, which the tests read; tests/test_language.py reads it in
    Japanese)."""
    path = folder / "job.toml"
    text = "\n".join(
        [
            f"input = {json.dumps(str(workbook))}",
            'output = "out"',
            'shapley = "off"',
            "documents = false",
            "processes = 1",
            'language = "en"',
            *lines,
            "[solver]",
            solver,
        ]
    )
    path.write_text(text + "\n", encoding="utf-8")
    return path


def job_log(folder: Path) -> str:
    return (folder / "out" / "job.log").read_text(encoding="utf-8")


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def without_timings(path: Path) -> str:
    """A JSON file's text without the lines of wall-clock durations [s]."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if '"seconds"' not in line and "_seconds" not in line)


def cli_job(job: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "optimizer", "run-job", str(job)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_ok(tmp_path, area):
    assert run_job(write_job(tmp_path, area)) == EXIT_CODES["ok"]
    (folder,) = run_folders(tmp_path / "out")
    assert (folder / "report.xlsx").is_file()
    assert "job done: ok (exit code 0)" in job_log(tmp_path)


def test_bad_input_names_the_problem(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a workbook")
    assert run_job(write_job(tmp_path, broken)) == EXIT_CODES["bad_input"]
    assert "bad input" in job_log(tmp_path)
    assert run_folders(tmp_path / "out") == []


def test_bad_job_file_and_unknown_scenario_are_bad_input(tmp_path, area):
    bad = tmp_path / "bad.toml"
    bad.write_text('input = "x.xlsx"\n', encoding="utf-8")
    assert run_job(bad) == EXIT_CODES["bad_input"]
    job = write_job(tmp_path, area, 'scenarios = ["近距離x"]')
    assert run_job(job) == EXIT_CODES["bad_input"]
    assert "did you mean '近距離'" in job_log(tmp_path)


def test_unserved_demand_is_infeasible_with_the_reason(tmp_path, area):
    """Care homes reachable only within 10 m: every municipality's care demand is left
    unserved, and the log says why."""
    job = write_job(tmp_path, area, "[set]", '"facility_types.care.max_distance_km" = 0.01')
    assert run_job(job) == EXIT_CODES["infeasible"]
    log = job_log(tmp_path)
    assert "unserved: 13205 care" in log
    assert "job done: infeasible (exit code 4)" in log


def test_hard_rules_that_cannot_hold_are_infeasible_with_the_explanation(tmp_path, area):
    job = write_job(tmp_path, area, "[set]", '"parameters.required_saving" = 0.5')
    assert run_job(job) == EXIT_CODES["infeasible"]
    log = job_log(tmp_path)
    assert "infeasible: the hard rules leave no plan for the whole area" in log
    assert "required_saving" in log


def test_time_limit_gives_not_optimal(tmp_path, area):
    """A node limit of one stops HiGHS after the root with the starting plan in hand
    (the outcome a too-short time limit gives on a large area)."""
    job = write_job(tmp_path, area, solver="time_limit_s = 0.01")
    code = run_job(job)
    assert code == EXIT_CODES["not_optimal"], job_log(tmp_path)
    assert "not proven optimal" in job_log(tmp_path)
    (folder,) = run_folders(tmp_path / "out")
    assert json.loads((folder / "manifest.json").read_text())["status"] == "feasible"


def test_internal_error_is_logged_with_its_traceback(tmp_path, area, monkeypatch):
    def broken_run(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "run", broken_run)
    assert run_job(write_job(tmp_path, area)) == EXIT_CODES["failure"]
    log = job_log(tmp_path)
    assert "internal error in scenario base" in log
    assert "Traceback" in log and "RuntimeError: disk on fire" in log


def test_rerun_reproduces_the_report_and_a_changed_input_is_named(tmp_path):
    workbook = write_small_area(tmp_path / "area.xlsx")
    job = write_job(tmp_path, workbook, "keep = 3")
    for _ in range(3):
        assert run_job(job) == EXIT_CODES["ok"]
    first, second, third = run_folders(tmp_path / "out")
    for name in ("report.xlsx", "map.png"):
        assert (second / name).read_bytes() == (third / name).read_bytes(), name
    # solution.json is the same but for the solver's wall-clock timings
    assert without_timings(first / "solution.json") == without_timings(third / "solution.json")
    manifest = json.loads((third / "manifest.json").read_text())
    assert manifest["input_changed"] is False
    assert manifest["previous_input_sha256"] == manifest["input_sha256"]

    write_small_area(workbook, parameters={"agreement_fixed_cost": 1_000_000})
    assert run_job(job) == EXIT_CODES["ok"]
    folders = run_folders(tmp_path / "out")
    assert len(folders) == 3  # keep = 3: the oldest completed run was pruned
    assert first not in folders
    newest = json.loads((folders[-1] / "manifest.json").read_text())
    assert newest["input_changed"] is True
    assert newest["previous_input_sha256"] == manifest["input_sha256"]
    assert f"input changed since the previous run: area.xlsx (sha256 {newest['input_sha256']}" in (
        job_log(tmp_path)
    )
    cells = [
        str(cell.value)
        for row in openpyxl.load_workbook(folders[-1] / "report.xlsx").worksheets[-1].iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert any("changed" in text for text in cells) or any(
        newest["previous_input_sha256"] in text for text in cells
    )


def test_two_concurrent_jobs_on_one_folder(tmp_path, area):
    """While one job holds the output folder, another exits with the 'locked' code at
    once, and a third that may wait runs after it."""
    first = cli_job(write_job(tmp_path, area))
    log = tmp_path / "out" / "job.log"
    wait_for(lambda: log.is_file() and "started" in log.read_text(encoding="utf-8"))
    impatient = tmp_path / "impatient"
    impatient.mkdir()
    (impatient / "job.toml").write_text(
        (tmp_path / "job.toml").read_text(encoding="utf-8").replace('"out"', '"../out"'),
        encoding="utf-8",
    )
    patient = tmp_path / "patient"
    patient.mkdir()
    (patient / "job.toml").write_text(
        (impatient / "job.toml")
        .read_text(encoding="utf-8")
        .replace("[solver]", "lock_wait_s = 120\n[solver]"),
        encoding="utf-8",
    )
    waiting = cli_job(patient / "job.toml")
    assert run_job(impatient / "job.toml") == EXIT_CODES["locked"]
    assert first.wait(120) == EXIT_CODES["ok"]
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == EXIT_CODES["ok"], err
    one, two = run_folders(tmp_path / "out")
    manifests = [json.loads((f / "manifest.json").read_text()) for f in (one, two)]
    assert manifests[1]["previous_input_sha256"] == manifests[0]["input_sha256"]
    assert job_log(tmp_path).count("job done: ok") == 2


def _is_complete(path: Path) -> bool:
    """Whether a file under its final name is whole (by its format's own structure)."""
    data = path.read_bytes()
    if path.suffix in (".xlsx", ".docx"):
        return zipfile.is_zipfile(path) and zipfile.ZipFile(path).testzip() is None
    if path.suffix == ".json":
        json.loads(data)
        return True
    if path.suffix == ".png":
        return data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82")
    return True


def test_a_killed_job_leaves_the_previous_report_intact(tmp_path, area):
    job = write_job(tmp_path, area)
    assert run_job(job) == EXIT_CODES["ok"]
    (previous,) = run_folders(tmp_path / "out")
    before = file_hashes(previous)

    victim = cli_job(job)
    wait_for(lambda: len([p for p in (tmp_path / "out").iterdir() if p.is_dir()]) == 2)
    time.sleep(0.2)  # mid-run: reading done, solving or writing
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(30)

    assert file_hashes(previous) == before
    assert run_folders(tmp_path / "out") == [previous]
    (killed,) = [p for p in (tmp_path / "out").iterdir() if p.is_dir() and p != previous]
    assert not (killed / "manifest.json").exists()
    for path in killed.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            assert _is_complete(path), path

    assert run_job(job) == EXIT_CODES["ok"]
    assert f"incomplete run folder (an interrupted run): {killed.name}" in job_log(tmp_path)
    assert len(run_folders(tmp_path / "out")) == 2


def test_a_limit_before_any_plan_gives_not_optimal(tmp_path, area):
    """Without fairness there is no starting plan: a limit this short leaves none."""
    job = tmp_path / "job.toml"
    write_job(tmp_path, area, solver="time_limit_s = 0.0001")
    text = job.read_text(encoding="utf-8").replace(
        "[solver]", '[set]\n"parameters.fairness" = false\n[solver]'
    )
    job.write_text(text, encoding="utf-8")
    assert run_job(job) == EXIT_CODES["not_optimal"], job_log(tmp_path)
    log = job_log(tmp_path)
    assert "not proven optimal within the limits: the solver stopped without a plan" in log
    assert "try a longer time limit" in log
    assert run_folders(tmp_path / "out") == []
