"""What the page keeps between its reruns: the workbooks read, the runs made (per set
of inputs, for every session of the server), and a session's background job.

Reading a workbook and applying a scenario are the pipeline's own functions
(:func:`optimizer.workbook.assemble.load_problem`,
:func:`optimizer.runs.pipeline.scenario_overrides_for`); this module only keeps their
results, keyed by the file's path, size and modification time.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from optimizer.app.jobs import Finished
from optimizer.config import RunSettings
from optimizer.errors import OptimizerError
from optimizer.outputs.files import atomic_write_bytes, ensure_folder
from optimizer.problem.data import ProblemData
from optimizer.runs.load import RunRecord, load_run
from optimizer.runs.pipeline import scenario_overrides_for
from optimizer.workbook.assemble import load_problem
from optimizer.workbook.messages import Issue
from optimizer.workbook.scenarios import apply_overrides

__all__ = [
    "Loaded",
    "file_stamp",
    "read_workbook",
    "with_scenario",
    "runs",
    "cached_run",
    "remember",
    "run_record",
    "save_upload",
    "UPLOADS",
]

UPLOADS = "uploads"
"""The folder under the output root where uploaded workbooks are kept (one folder per
content, so that a run's input stays on disk beside its run folder)."""


@dataclass(frozen=True)
class Loaded:
    """A workbook read: the problem and its warnings, or the error that stopped it."""

    problem: ProblemData | None = None
    warnings: list[Issue] = field(default_factory=list)
    error: OptimizerError | None = None


def file_stamp(path: Path) -> tuple[int, int]:
    """(size, modification time in ns) of a file or folder, to notice a changed input;
    (-1, -1) when it does not exist."""
    try:
        status = Path(path).stat()
    except OSError:
        return (-1, -1)
    return (status.st_size, status.st_mtime_ns)


@st.cache_resource(show_spinner=False, max_entries=8)
def read_workbook(path: str, stamp: tuple[int, int]) -> Loaded:
    """The workbook at ``path`` read and checked (``stamp``: :func:`file_stamp`, so
    that a changed file is read again)."""
    try:
        problem, warnings = load_problem(Path(path))
    except OptimizerError as exc:
        return Loaded(error=exc)
    return Loaded(problem=problem, warnings=list(warnings))


@st.cache_resource(show_spinner=False, max_entries=16)
def with_scenario(path: str, stamp: tuple[int, int], scenario: str) -> ProblemData:
    """The workbook's problem with a scenario of its ``scenarios`` sheet applied (the
    levers start from it); raises ScenarioError for a scenario that does not apply."""
    loaded = read_workbook(path, stamp)
    if loaded.problem is None:
        raise loaded.error or OptimizerError(f"cannot read {path}")
    overrides = scenario_overrides_for(loaded.problem, RunSettings(scenario=scenario))
    return apply_overrides(loaded.problem, overrides)


@st.cache_resource(show_spinner=False)
def runs() -> dict[str, Finished]:
    """The runs made by this server, by :func:`optimizer.app.levers.run_key`."""
    return {}


def cached_run(key: str) -> Finished | None:
    """The run made for ``key``, if its folder is still there (or it had no plan)."""
    found = runs().get(key)
    if found is None:
        return None
    if found.folder is not None and not (found.folder / "manifest.json").is_file():
        runs().pop(key, None)
        return None
    return found


def remember(finished: Finished) -> None:
    """Keep a finished run for its key; a cancelled one is not kept."""
    if finished.outcome != "cancelled":
        runs()[finished.key] = finished


@st.cache_resource(show_spinner=False, max_entries=32)
def run_record(folder: str) -> RunRecord:
    """A run folder read back (:func:`optimizer.runs.load.load_run`)."""
    return load_run(Path(folder))


_UNSAFE = re.compile(r"[^\w\-.]+", re.UNICODE)


def save_upload(output_root: Path, name: str, data: bytes) -> Path:
    """Keep an uploaded workbook as ``OUTPUT/uploads/<sha256 prefix>/<name>`` (its own
    name, so that reports name it) and return its path; the same content is kept once."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    stem = _UNSAFE.sub("_", Path(name).stem).strip("._") or "workbook"
    folder = ensure_folder(Path(output_root) / UPLOADS / digest)
    target = folder / f"{stem}.xlsx"
    if not target.is_file() or target.read_bytes() != data:
        atomic_write_bytes(target, data)
    return target
