"""Run folders and safe file writing: the only place that decides how outputs land on disk.

Every run writes into a new folder ``<root>/<YYYYMMDD>-<HHMMSS>-<scenario>/``; an existing
folder is never reused (a numbered suffix ``-2``, ``-3``, ... is added instead), so an
earlier run and the input are never overwritten.

Every file is written atomically: the bytes go to a temporary name in the same folder
(``.<stem>.<random>.tmp<suffix>``, hidden and ignored by git), are flushed to disk, and
the temporary file is then renamed onto the final name with :func:`os.replace`, which is
atomic on POSIX and Windows within one file system. A crash or a kill part-way through
leaves at most a hidden temporary file, never a half-written file under the final name.

The run record:

* ``manifest.json`` (:func:`write_manifest`): whatever the pipeline states about the run
  (inputs' sha256, versions, solver and settings, timings, status, gap) plus the list of
  output files with their size [bytes] and sha256;
* ``run.log`` (:func:`run_log`): the package's log records for the duration of the run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path, PurePath
from typing import Any

import pandas as pd

from optimizer.errors import OutputError

__all__ = [
    "MANIFEST_NAME",
    "LOG_NAME",
    "run_folder_name",
    "new_run_folder",
    "ensure_folder",
    "run_timestamp",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "write_json",
    "to_json_text",
    "file_sha256",
    "list_outputs",
    "write_manifest",
    "run_log",
]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
LOG_NAME = "run.log"
TEMP_MARK = ".tmp"
FLOAT_DIGITS = 12
"""Significant digits kept for floats in JSON: enough for yen amounts up to 10¹² yen with
one-yen resolution, few enough to hide last-bit noise between runs."""

_UNSAFE_IN_NAME = re.compile(r"[^\w\-.]+", re.UNICODE)


# --------------------------------------------------------------------------- folders


def run_timestamp(now: datetime | None = None) -> datetime:
    """The run's timestamp, to the second, without time zone (local clock time).

    Honours ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention, seconds since
    1970, read as UTC) so that a scheduled job can pin every date it writes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if now is None and epoch.isdigit():
        now = datetime.fromtimestamp(int(epoch), tz=UTC).replace(tzinfo=None)
    now = now or datetime.now()
    return now.replace(microsecond=0)


def _safe_name_part(text: str) -> str:
    """A file-name-safe form of a scenario name (letters of any script, digits, ``-_.``)."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    text = _UNSAFE_IN_NAME.sub("_", text).strip("._")
    return text[:60] or "run"


def run_folder_name(scenario: str, when: datetime) -> str:
    """``<YYYYMMDD>-<HHMMSS>-<scenario>`` with the scenario made safe for file names."""
    return f"{when:%Y%m%d-%H%M%S}-{_safe_name_part(scenario)}"


def new_run_folder(root: Path | str, scenario: str = "base", when: datetime | None = None) -> Path:
    """Create and return a new, empty run folder under ``root``.

    The name is :func:`run_folder_name`; when that folder exists already (two runs in
    the same second, or a clock set back), ``-2``, ``-3``, ... is appended. The folder is
    created with an exclusive ``mkdir``, so two concurrent runs never share one.

    Raises
    ------
    OutputError
        ``root`` cannot be created or written to.
    """
    root = Path(root)
    base = run_folder_name(scenario, run_timestamp(when))
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {root}: {exc}") from exc
    for attempt in range(1, 10_000):
        folder = root / (base if attempt == 1 else f"{base}-{attempt}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"cannot create the run folder {folder}: {exc}") from exc
        log.info("run folder %s", folder)
        return folder
    raise OutputError(f"no free run folder name under {root} for {base}")


def ensure_folder(folder: Path | str) -> Path:
    """Create ``folder`` with its parents unless it exists; return it as a Path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --------------------------------------------------------------------------- atomic writes


def _temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.stem}.{secrets.token_hex(4)}{TEMP_MARK}{path.suffix}")


def _fsync_directory(folder: Path) -> None:
    """Make the rename itself durable (POSIX only; a no-op where unsupported)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    For writers that insist on a file name (``savefig``, document libraries). The
    temporary name keeps the final suffix, so writers that infer the format from the
    extension still work. If the block raises, or the writer left no file, the temporary
    file is removed and ``path`` is untouched.

    Example
    -------
    >>> with atomic_path(folder / "map.png") as tmp:   # doctest: +SKIP
    ...     figure.savefig(tmp)
    """
    path = Path(path)
    tmp = _temporary_name(path)
    try:
        yield tmp
        if not tmp.exists():
            raise OutputError(f"the writer of {path.name} produced no file")
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_directory(path.parent)


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return ``path``.

    Raises
    ------
    OutputError
        The folder is missing or not writable (the final file is left untouched).
    """
    path = Path(path)
    try:
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc}") from exc
    return path


def atomic_write_text(path: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (``\\n`` line ends on every platform)."""
    return atomic_write_bytes(path, text.encode(encoding))


# --------------------------------------------------------------------------- JSON


def _jsonable(value: object) -> Any:
    """Plain JSON types from numpy / pandas / pathlib / datetime values.

    Floats keep :data:`FLOAT_DIGITS` significant digits; NaN and infinities become
    ``null``; sets become sorted lists; ``pd.NA`` becomes ``null``.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{FLOAT_DIGITS}g}")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=repr)
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _jsonable(value.item())
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy array
        return _jsonable(value.tolist())
    if hasattr(value, "value") and not callable(value.value):  # enum member
        return _jsonable(value.value)
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def to_json_text(obj: object) -> str:
    """Stable JSON text: sorted keys, two-space indent, UTF-8 (not ``\\u`` escapes),
    floats rounded to :data:`FLOAT_DIGITS` significant digits, final newline."""
    return json.dumps(_jsonable(obj), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_json(path: Path | str, obj: object) -> Path:
    """Write ``obj`` as stable JSON (:func:`to_json_text`) atomically; return ``path``."""
    return atomic_write_text(path, to_json_text(obj))


# --------------------------------------------------------------------------- manifest


def file_sha256(path: Path | str, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def _is_temporary(path: Path) -> bool:
    return path.name.startswith(".") and TEMP_MARK in path.name


def list_outputs(folder: Path | str) -> list[dict]:
    """Every finished file under ``folder`` (recursively), sorted by relative path.

    Each entry: ``path`` (relative, ``/`` separators), ``bytes`` and ``sha256``. The
    manifest itself and leftover temporary files are not listed; the run log is listed
    without a hash (``sha256`` is ``null``) because it grows until the run ends.
    """
    folder = Path(folder)
    entries = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative == MANIFEST_NAME or _is_temporary(path):
            continue
        growing = relative == LOG_NAME
        entries.append(
            {
                "path": relative,
                "bytes": path.stat().st_size,
                "sha256": None if growing else file_sha256(path),
            }
        )
    return entries


def write_manifest(folder: Path | str, manifest: dict) -> Path:
    """Write ``manifest.json`` into ``folder``: ``manifest`` plus ``outputs``.

    ``manifest`` is the pipeline's record of the run (inputs' sha256, versions, solver
    and settings, timings per stage [s], status, gap); ``outputs`` (added here, replacing
    any key of that name) lists the files of the folder (:func:`list_outputs`).
    """
    folder = Path(folder)
    record = dict(manifest)
    record["outputs"] = list_outputs(folder)
    return write_json(folder / MANIFEST_NAME, record)


# --------------------------------------------------------------------------- run log


@contextlib.contextmanager
def run_log(
    folder: Path | str, level: int = logging.INFO, logger_name: str = "optimizer"
) -> Iterator[Path]:
    """Copy the package's log records into ``<folder>/run.log`` for the block's duration.

    The handler is attached to the ``optimizer`` logger (lowering its level to ``level``
    if needed) and removed again afterwards, whatever happens in the block. Yields the
    log's path.
    """
    path = Path(folder) / LOG_NAME
    logger = logging.getLogger(logger_name)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    previous_level = logger.level
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        handler.close()
