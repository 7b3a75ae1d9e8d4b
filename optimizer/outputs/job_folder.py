"""The output folder of a scheduled job: its lock, its log, and its run folders.

A job holds an exclusive lock on its output folder while it runs, appends its messages
to ``job.log`` there, and keeps the newest completed run folders (those with a
``manifest.json``); a folder without a manifest is an interrupted run, named in the log
and never pruned.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from optimizer.errors import LockedError

__all__ = [
    "RUN_FOLDER",
    "output_lock",
    "job_log",
    "run_folders",
    "incomplete_run_folders",
    "previous_input_sha256",
    "prune",
]

log = logging.getLogger(__name__)

RUN_FOLDER = re.compile(r"^\d{8}-\d{6}-")
"""The name of a run folder: ``YYYYMMDD-HHMMSS-<scenario>``."""


@contextlib.contextmanager
def output_lock(folder: Path, wait_s: float = 0.0) -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (its ``.lock`` file) for the block.

    Raises :class:`LockedError` if another process holds it for longer than ``wait_s``.
    The lock is released by the operating system if the process dies.
    """
    folder.mkdir(parents=True, exist_ok=True)
    lock_path = folder / ".lock"
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"another run is writing to {folder} (lock {lock_path})"
                    ) from None
                time.sleep(0.2)
        try:
            yield lock_path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_folders(root: Path) -> list[Path]:
    """Completed run folders under ``root`` (with a manifest), oldest first."""
    if not root.is_dir():
        return []
    found = [
        p
        for p in root.iterdir()
        if p.is_dir() and RUN_FOLDER.match(p.name) and (p / "manifest.json").is_file()
    ]
    return sorted(found, key=lambda p: p.name)


def previous_input_sha256(root: Path, scenario: str) -> str | None:
    """The input hash recorded by the newest completed run of ``scenario`` under ``root``."""
    for folder in reversed(run_folders(root)):
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if manifest.get("scenario") == scenario:
            return manifest.get("input_sha256")
    return None


def prune(root: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest completed run folders; returns what was removed."""
    if keep <= 0:
        return []
    removed = run_folders(root)[:-keep]
    for folder in removed:
        shutil.rmtree(folder)
        log.info("removed old run %s", folder)
    return removed


def incomplete_run_folders(root: Path) -> list[Path]:
    """Run folders under ``root`` without a manifest: runs that were interrupted (or are
    not pipeline runs, such as comparisons). Never pruned or reused."""
    if not root.is_dir():
        return []
    complete = set(run_folders(root))
    return sorted(
        p
        for p in root.iterdir()
        if p.is_dir()
        and RUN_FOLDER.match(p.name)
        and p not in complete
        and not p.name.endswith("-compare")
    )


@contextlib.contextmanager
def job_log(root: Path) -> Iterator[None]:
    """Append the package's log records to ``<root>/job.log`` for the block."""
    logger = logging.getLogger("optimizer")
    handler = logging.FileHandler(root / "job.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s"))
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        handler.close()
