"""The output folder of a scheduled job: its lock, its log, and its run folders.

A job holds an exclusive lock on its output folder while it runs, appends its messages
to ``job.log`` there, and keeps the newest completed run folders (those with a
``manifest.json``); a folder without a manifest is an interrupted run, named in the log
and never pruned.

Cron may run a job as root over a folder that others can write to, so nothing here
follows a symbolic link: a symlinked output folder, ``job.log`` or ``.lock`` is refused
(:class:`OutputError`), the log is opened with ``O_NOFOLLOW`` (or checked before and
after opening where the platform has no such flag), and a link among the run folders is
neither read nor pruned. The lock is :mod:`filelock` (``flock`` on POSIX, ``msvcrt`` on
Windows), released by the operating system if the process dies.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from optimizer.errors import LockedError
from optimizer.outputs.files import (
    LogFormatter,
    ensure_folder,
    log_file,
    output_error,
    refuse_symlink,
)

__all__ = [
    "RUN_FOLDER",
    "JOB_LOG",
    "LOCK_NAME",
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


JOB_LOG = "job.log"
LOCK_NAME = ".lock"
LOCK_POLL_S = 0.2
"""How often a waiting job tries the lock again [s]."""


def _output_folder(folder: Path) -> Path:
    """The job's output folder, created if missing; refused if it is a symbolic link."""
    refuse_symlink(folder)
    ensure_folder(folder)
    refuse_symlink(folder)  # a link may have been put there meanwhile
    return folder


@contextlib.contextmanager
def output_lock(folder: Path, wait_s: float = 0.0) -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (its ``.lock`` file) for the block.

    Raises :class:`LockedError` if another process holds it for longer than ``wait_s``,
    and :class:`OutputError` if the folder or its ``.lock`` is a symbolic link or cannot
    be created. The lock is released by the operating system if the process dies.
    """
    folder = _output_folder(Path(folder))
    lock_path = folder / LOCK_NAME
    refuse_symlink(lock_path)
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=max(wait_s, 0.0), poll_interval=LOCK_POLL_S)
    except Timeout:
        raise LockedError(
            f"another run is writing to {folder} (lock {lock_path})",
            ja=f"{folder} には別の実行が書き込み中です（ロック {lock_path}）",
        ) from None
    except OSError as exc:
        refuse_symlink(lock_path)
        raise output_error(lock_path, exc, "lock") from exc
    try:
        refuse_symlink(lock_path)
        yield lock_path
    finally:
        lock.release()


def _run_folder_entries(root: Path) -> list[Path]:
    """The entries of ``root`` named like run folders that are real folders (no links)."""
    if root.is_symlink() or not root.is_dir():
        return []
    return [
        p for p in root.iterdir() if RUN_FOLDER.match(p.name) and not p.is_symlink() and p.is_dir()
    ]


def run_folders(root: Path) -> list[Path]:
    """Completed run folders under ``root`` (with a manifest), oldest first; symbolic
    links are left out."""
    found = [p for p in _run_folder_entries(root) if (p / "manifest.json").is_file()]
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
    """Delete all but the ``keep`` newest completed run folders; returns what was removed.

    A symbolic link is never followed nor removed; a folder that cannot be removed is
    named in the log and kept.
    """
    if keep <= 0:
        return []
    removed = []
    for folder in run_folders(root)[:-keep]:
        if folder.is_symlink():  # replaced by a link since it was listed
            log.warning("not pruning %s: it is a symbolic link", folder)
            continue
        try:
            shutil.rmtree(folder)
        except OSError as exc:
            log.warning("could not remove old run %s: %s", folder, exc)
            continue
        removed.append(folder)
        log.info("removed old run %s", folder)
    return removed


def incomplete_run_folders(root: Path) -> list[Path]:
    """Run folders under ``root`` without a manifest: runs that were interrupted (or are
    not pipeline runs, such as comparisons). Never pruned or reused."""
    complete = set(run_folders(root))
    return sorted(
        p
        for p in _run_folder_entries(root)
        if p not in complete and not p.name.endswith("-compare")
    )


def job_log(root: Path, language: str = "en") -> contextlib.AbstractContextManager[Path]:
    """Append the package's log records to ``<root>/job.log`` for the block, one line a
    record (:class:`LogFormatter`, in ``language``: ``ja`` or ``en``); the log is never
    opened through a symbolic link.

    Raises
    ------
    OutputError
        ``job.log`` (or ``root``) is a symbolic link, or the log cannot be written.
    """
    root = _output_folder(Path(root))
    formatter = LogFormatter("%(asctime)s %(levelname)-7s %(message)s", language=language)
    return log_file(root / JOB_LOG, formatter)
