"""Run folders, atomic writes, stable JSON, the manifest and the run log."""

from __future__ import annotations

import json
import logging
import math
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.errors import OutputError
from optimizer.outputs import files as outputs

WHEN = datetime(2026, 4, 1, 9, 30, 5)


def test_run_folder_name_has_date_time_and_safe_scenario():
    assert outputs.run_folder_name("base", WHEN) == "20260401-093005-base"
    assert outputs.run_folder_name("距離 5km/案", WHEN) == "20260401-093005-距離_5km_案"
    assert outputs.run_folder_name("../..", WHEN) == "20260401-093005-run"


def test_new_run_folder_never_reuses_a_folder(tmp_path):
    first = outputs.new_run_folder(tmp_path, "base", WHEN)
    (first / "report.xlsx").write_bytes(b"earlier run")
    second = outputs.new_run_folder(tmp_path, "base", WHEN)
    third = outputs.new_run_folder(tmp_path, "base", WHEN)
    assert [first.name, second.name, third.name] == [
        "20260401-093005-base",
        "20260401-093005-base-2",
        "20260401-093005-base-3",
    ]
    assert (first / "report.xlsx").read_bytes() == b"earlier run"
    assert list(second.iterdir()) == []


def test_new_run_folder_reports_an_unwritable_root(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match="cannot create"):
        outputs.new_run_folder(blocker / "reports", "base", WHEN)


def test_run_timestamp_honours_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1775000000")
    assert outputs.run_timestamp() == datetime(2026, 3, 31, 23, 33, 20)
    assert outputs.run_timestamp(WHEN) == WHEN


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.txt"
    outputs.atomic_write_text(target, "first")
    outputs.atomic_write_text(target, "second ✓")
    assert target.read_text(encoding="utf-8") == "second ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_failed_writer_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), outputs.atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("writer crashed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_writer_that_writes_nothing_is_an_error(tmp_path):
    with pytest.raises(OutputError, match="no file"), outputs.atomic_path(tmp_path / "x.png"):
        pass
    assert not (tmp_path / "x.png").exists()


def test_temporary_name_keeps_the_suffix_and_is_hidden(tmp_path):
    with outputs.atomic_path(tmp_path / "map.png") as tmp:
        assert tmp.parent == tmp_path
        assert tmp.suffix == ".png" and tmp.name.startswith(".map.") and ".tmp" in tmp.name
        tmp.write_bytes(b"png")


def test_atomic_write_into_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(OutputError, match="cannot write"):
        outputs.atomic_write_bytes(tmp_path / "missing" / "a.bin", b"x")


def test_killed_writer_leaves_no_final_file(tmp_path):
    """A process killed in the middle of a write leaves nothing under the final name."""
    target = tmp_path / "report.xlsx"
    script = textwrap.dedent(
        f"""
        import os, signal
        from optimizer.outputs.files import atomic_path
        with atomic_path({str(target)!r}) as tmp:
            with open(tmp, "wb") as handle:
                handle.write(b"PK" + b"x" * 100_000)
                handle.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1])
    assert done.returncode != 0
    assert not target.exists()
    leftovers = list(tmp_path.iterdir())
    assert all(p.name.startswith(".report.") and ".tmp" in p.name for p in leftovers)
    # The manifest does not list leftovers of a killed write.
    assert outputs.list_outputs(tmp_path) == []


def test_json_is_stable_and_plain():
    data = {
        "b": np.float64(0.1) + np.float64(0.2),
        "a": [np.int64(3), math.nan, pd.NA, Path("x/y.xlsx"), WHEN, {"z", "y"}],
        "名前": "八王子市",
    }
    text = outputs.to_json_text(data)
    assert text == outputs.to_json_text(dict(reversed(list(data.items()))))
    parsed = json.loads(text)
    assert list(parsed) == ["a", "b", "名前"]
    assert parsed["b"] == 0.3
    assert parsed["a"] == [3, None, None, "x/y.xlsx", "2026-04-01T09:30:05", ["y", "z"]]
    assert "八王子市" in text and text.endswith("\n")


def test_manifest_lists_outputs_with_sha256(tmp_path):
    (tmp_path / "agreements").mkdir()
    (tmp_path / "agreements" / "a.md").write_text("協約", encoding="utf-8")
    (tmp_path / "report.xlsx").write_bytes(b"abc")
    (tmp_path / ".report.1234.tmp.xlsx").write_bytes(b"half")
    (tmp_path / outputs.LOG_NAME).write_text("log")
    path = outputs.write_manifest(tmp_path, {"status": "optimal", "outputs": "replaced"})
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert manifest["status"] == "optimal"
    by_path = {entry["path"]: entry for entry in manifest["outputs"]}
    assert sorted(by_path) == ["agreements/a.md", "report.xlsx", "run.log"]
    assert by_path["report.xlsx"] == {
        "path": "report.xlsx",
        "bytes": 3,
        "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    }
    assert by_path["run.log"]["sha256"] is None
    assert outputs.file_sha256(tmp_path / "report.xlsx") == by_path["report.xlsx"]["sha256"]


def test_run_log_records_package_messages_and_detaches(tmp_path):
    package_log = logging.getLogger("optimizer.somewhere")
    with outputs.run_log(tmp_path) as path:
        package_log.info("stage solve")
        logging.getLogger("elsewhere").warning("not ours")
    package_log.info("after the run")
    text = path.read_text(encoding="utf-8")
    assert "optimizer.somewhere: stage solve" in text
    assert "not ours" not in text and "after the run" not in text
    assert not any(
        isinstance(h, logging.FileHandler) for h in logging.getLogger("optimizer").handlers
    )
