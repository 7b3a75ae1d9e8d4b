"""Hostile runs: every fault ends with its documented exit code, also off POSIX.

* long names and names with control characters: a complete run, every length-limited
  field cut to fit (document properties, print headers, file and folder names);
* a full disk or an unwritable output: exit 7 naming the file, no temporary file left;
* a run that fails after its folder was made: the folder is named, or removed when it
  holds nothing but its log;
* symbolic links in a job's output folder (``job.log``, ``.lock``, the folder itself,
  a run folder): refused with exit 7, never followed, never pruned;
* forged log lines: control characters escaped in every line of ``run.log`` and
  ``job.log`` and kept out of run folder names;
* Windows: the POSIX-only branches (``ctypes.CDLL(None)``, ``O_NOFOLLOW``) turned off,
  ``solve`` and ``run-job`` still work; no ``fcntl``;
* the input is never written over.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import docx
import pandas as pd
import pytest
from click.testing import CliRunner
from hostile import ROOT, assert_ended, hostile_run, run_cli, sha256_of
from matplotlib.figure import Figure
from small_area import sample_tables, write_small_area

from optimizer.cli import cli
from optimizer.config import EXIT_CODES
from optimizer.errors import NoPlanInTimeError, OutputError
from optimizer.outputs import files
from optimizer.outputs.files import (
    LogFormatter,
    atomic_write_bytes,
    atomic_write_text,
    open_no_follow,
    run_folder_name,
    run_log,
    write_json,
)
from optimizer.outputs.job_folder import job_log, output_lock, run_folders
from optimizer.outputs.safe_text import clip, clip_bytes, escape_controls
from optimizer.outputs.tables import write_tables
from optimizer.outputs.workbooks import write_template
from optimizer.runs import pipeline
from optimizer.runs.jobs import run_job

LONG = "長" * 300
"""A municipality, area or scenario name of 300 characters (900 bytes in UTF-8)."""
CONTROLS = "悪\n\tい\r町"
"""A name with the control characters a workbook cell can hold."""
FORGED = "x\n2000-01-01 00:00:00,000 INFO    job done: ok (exit code 0)\x1b[2J\x85\u2028"
"""A scenario name that would forge a record of job.log if written as it is."""
RECORD = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@pytest.fixture(scope="module")
def area(tmp_path_factory) -> Path:
    return write_small_area(tmp_path_factory.mktemp("input") / "area.xlsx")


@pytest.fixture(scope="module")
def hostile_area(tmp_path_factory) -> Path:
    """The small area with a 300-character area name and municipality name, and a
    municipality whose name holds a line break, a tab and a carriage return."""
    tables = sample_tables()
    names = tables["municipalities"]["name"].astype(object)
    names.iloc[0] = LONG
    names.iloc[1] = CONTROLS
    tables["municipalities"]["name"] = names
    path = tmp_path_factory.mktemp("hostile") / "hostile.xlsx"
    return write_small_area(path, tables=tables, parameters={"area_name": "圏" * 300})


def temporaries(root: Path) -> list[Path]:
    """Temporary files of the atomic writers (``.<stem>.<hex>.tmp<suffix>``) under root."""
    return [p for p in root.rglob("*") if p.name.startswith(".") and files.TEMP_MARK in p.name]


def run_folders_under(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def write_job(folder: Path, workbook: Path, *lines: str, output: str = "out") -> Path:
    """A quick job file in ``folder`` writing to ``folder/<output>``."""
    path = folder / "job.toml"
    text = "\n".join(
        [
            f"input = {json.dumps(str(workbook))}",
            f"output = {json.dumps(output)}",
            'shapley = "off"',
            "documents = false",
            "processes = 1",
            *lines,
        ]
    )
    path.write_text(text + "\n", encoding="utf-8")
    return path


def invoke(args: list[str]) -> tuple[int, str]:
    """The command line in this process (so that a test can patch a writer)."""
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.output


# --------------------------------------------------------------------------- long names


def test_long_names_and_control_characters_give_a_complete_run(tmp_path, hostile_area):
    """A 300-character area, municipality and scenario name, and names with control
    characters: exit 0, a complete run folder, every limited field cut to fit."""
    scenarios = tmp_path / "scenarios.toml"
    name = LONG + "\n\x1b[2J"
    scenarios.write_text(
        f'[{json.dumps(name)}]\n"parameters.agreement_fixed_cost" = 1000000\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    args = ["solve", hostile_area, "--output", out, "--shapley", "off", "-q"]
    hostile_run(
        [*args, "--scenarios", scenarios, "--scenario", name],
        "ok",
        inputs=[hostile_area, scenarios],
        outputs=out,
        ja=["出力先"],
        en=["Output folder"],
    )
    folders = run_folders_under(out)
    assert len(folders) == 2 and temporaries(out) == []
    for folder in folders:
        assert (folder / "manifest.json").is_file()
        assert not any(ch.isspace() or not ch.isprintable() for ch in folder.name)
        for path in folder.rglob("*"):
            for part in path.relative_to(tmp_path).parts:
                assert len(part.encode("utf-8")) <= 160, part
        for document in (folder / "agreements").glob("*.docx"):
            title = docx.Document(str(document)).core_properties.title
            assert len(title) <= 255 and "\n" not in title
        with zipfile.ZipFile(folder / "report.xlsx") as book:
            core = book.read("docProps/core.xml").decode("utf-8")
        title = re.search(r"<dc:title>(.*)</dc:title>", core, re.S)
        assert title and len(title.group(1)) <= 255 and "\x1b" not in core
        log_lines = (folder / "run.log").read_text(encoding="utf-8").splitlines()
        assert all(RECORD.match(line) or line.startswith("    ") for line in log_lines)


def test_length_limits_cut_safely():
    assert clip("abc", 5) == "abc" and clip("abcdef", 5) == "abcd…"
    assert clip_bytes("長" * 100, 10) == "長" * 3  # never half a character
    name = run_folder_name(LONG + "\n\x00", datetime(2026, 4, 1, 9, 30))
    assert name.startswith("20260401-093000-長") and len(name.encode("utf-8")) <= 16 + 120
    assert run_folder_name("a\nb\x1b[31m", datetime(2026, 4, 1)) == "20260401-000000-a_b_31m"


# --------------------------------------------------------------------------- full disk


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_while_drawing_the_map_exits_7_naming_the_file_and_folder(
    tmp_path, area, monkeypatch
):
    def half_written(self, fname, **kwargs):
        Path(fname).write_bytes(b"\x89PNG half")
        _full_disk()

    monkeypatch.setattr(Figure, "savefig", half_written)
    out = tmp_path / "out"
    for lang, words in (
        ("ja", ["出力を書き込めません", "map.png", "ディスクの空き容量がありません", "未完了"]),
        ("en", ["an output could not be written", "map.png", "No space left", "incomplete"]),
    ):
        before = set(run_folders_under(out))
        code, text = invoke(
            ["solve", str(area), "--output", str(out), "--shapley", "off", "-q", "--lang", lang]
        )
        assert code == EXIT_CODES["output"], text
        assert "Traceback" not in text
        for word in words:
            assert word in text, text
        (folder,) = set(run_folders_under(out)) - before
        assert folder.name in text and not (folder / "manifest.json").exists()
        assert not (folder / "map.png").exists()
    assert temporaries(out) == []


WRITERS = {
    "bytes": lambda folder: atomic_write_bytes(folder / "a.bin", b"new"),
    "json": lambda folder: write_json(folder / "a.json", {"a": 1}),
    "tables": lambda folder: write_tables(folder / "a.xlsx", {"t": pd.DataFrame({"x": [1]})}),
    "template": lambda folder: write_template(folder / "a.xlsx"),
    "text": lambda folder: atomic_write_text(folder / "a.md", "new"),
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_writer_reports_a_full_disk_as_an_output_error(tmp_path, writer, monkeypatch):
    """The rename (or the write) fails: OutputError naming the file; the previous file
    and no temporary file remain."""
    earlier = tmp_path / "a.json"
    earlier.write_text("earlier", encoding="utf-8")
    monkeypatch.setattr(files.os, "replace", _full_disk)
    with pytest.raises(OutputError) as caught:
        WRITERS[writer](tmp_path)
    assert "No space left on device" in str(caught.value)
    assert "ディスクの空き容量がありません" in caught.value.text("ja")
    assert temporaries(tmp_path) == []
    assert earlier.read_text(encoding="utf-8") == "earlier"


def test_a_full_disk_while_logging_is_an_output_error(tmp_path, capfd):
    """A record that cannot be written: no 'Logging error' traceback, an OutputError
    naming the log when the block ends (run.log and job.log)."""
    logger = logging.getLogger("optimizer.test")
    for opened in (lambda: run_log(tmp_path), lambda: job_log(tmp_path / "job")):
        with pytest.raises(OutputError) as caught, opened() as path:
            handler = next(
                h
                for h in logging.getLogger("optimizer").handlers
                if isinstance(h, files.LogFileHandler)
            )
            handler.stream.write = _full_disk  # type: ignore[method-assign]
            logger.warning("a record")
        assert path.name in str(caught.value) and "No space left" in str(caught.value)
    assert "Logging error" not in capfd.readouterr().err


def test_an_output_folder_under_a_file_exits_7(tmp_path, area):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    hostile_run(
        ["solve", area, "--output", blocker / "out", "--shapley", "off", "-q"],
        "output",
        inputs=[area, blocker],
        ja=["出力を書き込めません", "作成できません", str(blocker / "out")],
        en=["cannot create the folder", str(blocker / "out")],
    )


# --------------------------------------------------------------------------- failed runs


def test_a_run_that_fails_before_writing_leaves_no_folder(tmp_path, area, monkeypatch):
    def no_plan(*args, **kwargs):
        raise NoPlanInTimeError("no plan within 1 s", ja="1 秒以内に計画が得られませんでした")

    monkeypatch.setattr(pipeline, "solve", no_plan)
    out = tmp_path / "out"
    code, text = invoke(["solve", str(area), "--output", str(out), "-q"])
    assert code == EXIT_CODES["not_optimal"], text
    assert "1 秒以内に計画が得られませんでした" in text
    assert run_folders_under(out) == []


def test_an_internal_error_after_the_outputs_names_the_folder(tmp_path, area, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pipeline, "write_report", broken)
    settings = pipeline.RunSettings(output_root=tmp_path, shapley="off", documents=False)
    with pytest.raises(RuntimeError) as caught:
        pipeline.run(area, settings)
    (folder,) = run_folders_under(tmp_path)
    assert (folder / "map.png").is_file() and not (folder / "manifest.json").exists()
    assert any(folder.name in note for note in caught.value.__notes__)
    assert any(folder.name in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


# --------------------------------------------------------------------------- symlinks


@pytest.mark.parametrize("language", ["ja", "en"])
def test_run_job_refuses_a_symlinked_job_log(tmp_path, area, language):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "job.log").symlink_to(victim)
    ended = run_cli(["run-job", write_job(tmp_path, area, f'language = "{language}"')])
    words = ["job.log", "シンボリックリンク"] if language == "ja" else ["job.log", "symbolic link"]
    assert_ended(ended, "output", *words)
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert run_folders_under(tmp_path / "out") == []


def test_run_job_refuses_a_symlinked_lock(tmp_path, area):
    existing = tmp_path / "existing.txt"
    existing.write_text("precious\n", encoding="utf-8")
    for target in (existing, tmp_path / "created-elsewhere"):
        out = tmp_path / "out"
        out.mkdir(exist_ok=True)
        lock = out / ".lock"
        lock.unlink(missing_ok=True)
        lock.symlink_to(target)
        ended = run_cli(["run-job", write_job(tmp_path, area)])
        assert_ended(ended, "output", ".lock", "シンボリックリンク")
    assert existing.read_text(encoding="utf-8") == "precious\n"
    assert not (tmp_path / "created-elsewhere").exists()


def test_run_job_refuses_a_symlinked_output_folder(tmp_path, area):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").symlink_to(elsewhere, target_is_directory=True)
    ended = run_cli(["run-job", write_job(tmp_path, area, 'language = "en"')])
    assert_ended(ended, "output", "symbolic link", "out")
    assert list(elsewhere.iterdir()) == []


def test_the_lock_and_log_refuse_links_in_process(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (tmp_path / "link").symlink_to(target, target_is_directory=True)
    for opened in (lambda: output_lock(tmp_path / "link"), lambda: job_log(tmp_path / "link")):
        with pytest.raises(OutputError, match="symbolic link"), opened():
            pass
    assert list(target.iterdir()) == []


def test_prune_never_follows_a_symlink(tmp_path, area):
    """A link named like a completed run folder is neither counted, read nor pruned."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "manifest.json").write_text('{"scenario": "base"}', encoding="utf-8")
    (victim / "precious.txt").write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    link = out / "19990101-000000-base"
    link.symlink_to(victim, target_is_directory=True)
    job = write_job(tmp_path, area, "keep = 1")
    assert run_job(job) == EXIT_CODES["ok"]
    assert run_job(job) == EXIT_CODES["ok"]
    assert link.is_symlink() and (victim / "precious.txt").read_text(encoding="utf-8") == "precious"
    assert len(run_folders(out)) == 1 and link not in run_folders(out)


def test_open_no_follow_checks_before_and_after_without_the_flag(tmp_path, monkeypatch):
    """Where the platform has no O_NOFOLLOW (Windows), a link is refused by lstat, and a
    link swapped in while opening is refused by comparing the file opened."""
    monkeypatch.setattr(files, "NOFOLLOW", 0)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    victim = tmp_path / "victim"
    victim.write_text("precious", encoding="utf-8")
    (tmp_path / "link").symlink_to(victim)
    with pytest.raises(OutputError, match="symbolic link"):
        open_no_follow(tmp_path / "link", flags)
    os.close(open_no_follow(tmp_path / "plain.log", flags))

    real_open = os.open

    def swapping_open(path, *args, **kwargs):
        fd = real_open(path, *args, **kwargs)
        Path(path).unlink()
        Path(path).symlink_to(victim)
        return fd

    monkeypatch.setattr(files.os, "open", swapping_open)
    with pytest.raises(OutputError, match="symbolic link"):
        open_no_follow(tmp_path / "swapped.log", flags)
    assert victim.read_text(encoding="utf-8") == "precious"


# --------------------------------------------------------------------------- forged lines


def test_a_scenario_name_cannot_forge_a_job_log_line(tmp_path, area):
    scenarios = tmp_path / "scenarios.toml"
    scenarios.write_text(
        f'[{json.dumps(FORGED)}]\n"parameters.agreement_fixed_cost" = 1000000\n', encoding="utf-8"
    )
    job = write_job(
        tmp_path, area, f"scenarios = [{json.dumps(FORGED)}]", 'scenario_file = "scenarios.toml"'
    )
    assert run_job(job) == EXIT_CODES["ok"]
    lines = (tmp_path / "out" / "job.log").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    assert all(RECORD.match(line) or line.startswith("    ") for line in lines[:-1]), lines
    assert not any(line.startswith("2000-01-01") for line in lines)
    assert any("x\\n2000-01-01" in line and "\\x1b[2J\\x85\\u2028" in line for line in lines)
    (folder,) = run_folders(tmp_path / "out")
    assert folder.name.endswith("-x_2000-01-01_00_00_00_000_INFO_job_done_ok_exit_code_0_2J")


def test_the_log_formatter_keeps_a_record_on_one_line():
    formatter = LogFormatter("%(levelname)s %(message)s")
    try:
        raise ValueError("bad\nINFO forged")
    except ValueError:
        record = logging.LogRecord(
            "optimizer",
            logging.ERROR,
            __file__,
            1,
            "name %s",
            ("a\nb\r\t\x1b\x7f\x9b",),
            sys.exc_info(),
        )
    text = formatter.format(record)
    first, *details = text.split("\n")
    assert first == "ERROR name a\\nb\\r\\t\\x1b\\x7f\\x9b"
    assert details and all(line.startswith("    ") for line in details)
    assert escape_controls("普通の名前") == "普通の名前"


# --------------------------------------------------------------------------- portability

DRIVER = """
import sys
import optimizer.outputs.files as files
import optimizer.solving.highs as highs
highs.POSIX = False
files.NOFOLLOW = 0
from optimizer.cli import main
sys.argv = ["optimizer", *sys.argv[1:]]
main()
"""


def test_solve_and_run_job_work_with_the_posix_only_branches_off(tmp_path, area):
    """As on Windows: no ctypes.CDLL(None), no O_NOFOLLOW; solve and run-job still work."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("OPTIMIZER_DEBUG", None)
    out = tmp_path / "solve"
    for args, folder in (
        (["solve", str(area), "--output", str(out), "--shapley", "off", "-q"], out),
        (["run-job", str(write_job(tmp_path, area, 'language = "en"'))], tmp_path / "out"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", DRIVER, *args],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        assert len(run_folders(folder)) == 1
    assert "job done: ok" in (tmp_path / "out" / "job.log").read_text(encoding="utf-8")


def test_no_posix_only_call_on_the_main_path():
    package = ROOT / "optimizer"
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import fcntl" not in text, path
        if "CDLL(None)" in text:
            assert path.name == "highs.py" and "if POSIX else" in text, path


# --------------------------------------------------------------------------- the input


def test_the_input_is_never_written_over(tmp_path, area):
    """An output folder named like the input file: refused (a usage error for ``solve``,
    exit 7 for ``run-job``), the input unchanged, nothing written beside it."""
    copy = tmp_path / "area.xlsx"
    copy.write_bytes(area.read_bytes())
    hostile_run(
        ["solve", copy, "--output", copy, "--shapley", "off", "-q"],
        "usage",
        inputs=[copy],
        ja=["--output"],
    )
    before = sha256_of([copy])
    ended = run_cli(["run-job", write_job(tmp_path, copy, output="area.xlsx")])
    assert_ended(ended, "output", "出力を書き込めません", "area.xlsx", "作成できません")
    assert sha256_of([copy]) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["area.xlsx", "job.toml"]
