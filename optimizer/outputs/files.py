"""Run folders and safe file writing: the only place that decides how outputs land on disk.

Every run writes into a new folder ``<root>/<YYYYMMDD>-<HHMMSS>-<scenario>/``; an existing
folder is never reused (a numbered suffix ``-2``, ``-3``, ... is added instead), so an
earlier run and the input are never overwritten.

Every file is written atomically: the bytes go to a temporary name in the same folder
(``.<stem>.<random>.tmp<suffix>``, hidden and ignored by git), are flushed to disk, and
the temporary file is then renamed onto the final name with :func:`os.replace`, which is
atomic on POSIX and Windows within one file system. A crash or a kill part-way through
leaves at most a hidden temporary file, never a half-written file under the final name.
The file gets the mode any new file gets there (``0o666`` less the umask: ``0o644`` as
usual), whatever mode the writer created its temporary file with.

The run record:

* ``manifest.json`` (:func:`write_manifest`): whatever the pipeline states about the run
  (inputs' sha256, versions, solver and settings, timings, status, gap) plus the list of
  output files with their size [bytes] and sha256;
* ``run.log`` (:func:`run_log`): the package's log records for the duration of the run.

Failures: every ``OSError`` of a write (a full disk, a read-only folder, a name too long)
becomes an :class:`OutputError` naming the file (:func:`output_error`), in English and
Japanese, and no temporary file is left behind. Log files are opened without following
a symbolic link (:func:`open_no_follow`), and every log line has its control characters
escaped (:class:`LogFormatter`), so a name with a line break cannot forge a record.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import math
import os
import re
import secrets
import shutil
import stat
import sys
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path, PurePath
from typing import Any

import pandas as pd

from optimizer.errors import OutputError
from optimizer.outputs.log_catalogue import LEVELS_JA, record_text
from optimizer.outputs.safe_text import NAME_PART_MAX_BYTES, clip_bytes, escape_controls

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
    "json_safe",
    "CSV_ENCODING",
    "csv_bytes",
    "atomic_write_csv",
    "file_sha256",
    "list_outputs",
    "write_manifest",
    "run_log",
    "log_file",
    "NOFOLLOW",
    "output_error",
    "refuse_symlink",
    "open_no_follow",
    "LogFileHandler",
    "LogFormatter",
    "remove_unfinished_run_folder",
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


def source_date_epoch() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` (the reproducible-builds convention, seconds since 1970,
    read as UTC) as a naive datetime, or ``None`` when it is not set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return datetime.fromtimestamp(int(epoch), tz=UTC).replace(tzinfo=None)


def run_timestamp(now: datetime | None = None) -> datetime:
    """The run's timestamp, to the second, without time zone (local clock time).

    Honours ``SOURCE_DATE_EPOCH`` (:func:`source_date_epoch`) so that a scheduled job
    can pin every date it writes.
    """
    now = now or source_date_epoch() or datetime.now()
    return now.replace(microsecond=0)


def _safe_name_part(text: str) -> str:
    """A file-name-safe form of a scenario name (letters of any script, digits, ``-_.``).

    Control characters, separators and every other character become ``_``; the result
    has at most 60 characters and :data:`NAME_PART_MAX_BYTES` bytes in UTF-8.
    """
    text = unicodedata.normalize("NFKC", str(text)).strip()
    text = _UNSAFE_IN_NAME.sub("_", text).strip("._")
    return clip_bytes(text[:60], NAME_PART_MAX_BYTES).rstrip("._") or "run"


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
    ensure_folder(root)
    for attempt in range(1, 10_000):
        folder = root / (base if attempt == 1 else f"{base}-{attempt}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise output_error(folder, exc, "create") from exc
        log.info("run folder %s", folder)
        return folder
    raise OutputError(
        f"no free run folder name under {root} for {base}",
        ja=f"{root} に {base} の実行フォルダの空き名がありません",
    )


def ensure_folder(folder: Path | str) -> Path:
    """Create ``folder`` with its parents unless it exists; return it as a Path.

    Raises
    ------
    OutputError
        The folder cannot be created (a file stands in its way, no permission, ...).
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(folder, exc, "create") from exc
    return folder


def remove_unfinished_run_folder(folder: Path) -> bool:
    """Remove a run folder that holds nothing but its ``run.log`` (and temporary files):
    a run that stopped before it wrote any output. Returns whether it was removed; a
    folder with outputs, or a symbolic link, is left alone."""
    try:
        if folder.is_symlink() or not folder.is_dir():
            return False
        entries = list(folder.iterdir())
        if any(p.name != LOG_NAME and not _is_temporary(p) for p in entries):
            return False
        if any(p.is_symlink() or not p.is_file() for p in entries):
            return False
        shutil.rmtree(folder)
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------- failures

_REASONS_JA = {
    code: text
    for name, text in (
        ("ENOSPC", "ディスクの空き容量がありません"),
        ("EDQUOT", "ディスク使用量の上限を超えました"),
        ("EACCES", "アクセス権がありません"),
        ("EPERM", "この操作は許可されていません"),
        ("EROFS", "読み取り専用の場所です"),
        ("ENAMETOOLONG", "名前が長すぎます"),
        ("ENOENT", "フォルダが見つかりません"),
        ("ENOTDIR", "途中にフォルダでないものがあります"),
        ("EISDIR", "同じ名前のフォルダがあります"),
        ("EEXIST", "同じ名前のものがあります"),
        ("ELOOP", "シンボリックリンクです"),
        ("EIO", "入出力エラーです"),
        ("EFBIG", "ファイルが大きすぎます"),
        ("EMFILE", "開いているファイルが多すぎます"),
        ("ENXIO", "通常のファイルではありません"),
    )
    if (code := getattr(errno, name, None)) is not None
}
"""The Japanese words for the usual reasons a write fails."""

_ACTIONS = {
    "write": ("cannot write {path}", "{path} を書き込めません"),
    "create": ("cannot create the folder {path}", "フォルダ {path} を作成できません"),
    "read": ("cannot read {path}", "{path} を読み込めません"),
    "lock": ("cannot lock {path}", "{path} をロックできません"),
}


def output_error(path: Path | str, exc: OSError, action: str = "write") -> OutputError:
    """The :class:`OutputError` (exit code 7) for an ``OSError`` on ``path``.

    ``action`` is ``write``, ``create`` (a folder), ``read`` or ``lock``; the message
    names the file and the reason (``No space left on device`` /
    ``ディスクの空き容量がありません``) in both languages.
    """
    en, ja = (template.format(path=path) for template in _ACTIONS[action])
    reason = exc.strerror or str(exc) or type(exc).__name__
    reason_ja = _REASONS_JA.get(exc.errno or -1, reason)
    return OutputError(f"{en}: {reason}", ja=f"{ja}（{reason_ja}）")


def _symlink_error(path: Path) -> OutputError:
    return OutputError(
        f"refusing to use {path}: it is a symbolic link (a link in an output folder "
        "could make the program write somewhere else)",
        ja=f"{path} はシンボリックリンクのため使用しません"
        "（出力先にあるリンクは別の場所への書き込みにつながります）",
    )


def refuse_symlink(path: Path | str) -> None:
    """Raise :class:`OutputError` if ``path`` is a symbolic link (or a junction)."""
    path = Path(path)
    if path.is_symlink() or _is_junction(path):
        raise _symlink_error(path)


def _is_junction(path: Path) -> bool:
    """A Windows directory junction (a link that ``is_symlink`` does not report)."""
    test = getattr(os.path, "isjunction", None)  # Python 3.12+
    return bool(test and test(path))


NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
"""The flag that makes ``open`` refuse a symbolic link; 0 where the platform has none
(Windows), where :func:`open_no_follow` compares the file before and after opening."""

_NONBLOCK: int = getattr(os, "O_NONBLOCK", 0)
_BINARY: int = getattr(os, "O_BINARY", 0)


def open_no_follow(path: Path | str, flags: int, mode: int = 0o666) -> int:
    """Open ``path`` with ``os.open`` without following a symbolic link; return the fd.

    With :data:`NOFOLLOW` the kernel refuses a link itself; without it, the path is
    checked with ``lstat`` before opening, and after opening the open file must be the
    very file the path names. Only regular files are opened (a FIFO would block).

    Raises
    ------
    OutputError
        ``path`` is a symbolic link or not a regular file.
    OSError
        Any other failure to open it.
    """
    path = Path(path)
    refuse_symlink(path)
    try:
        fd = os.open(path, flags | NOFOLLOW | _NONBLOCK | _BINARY, mode)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) and path.is_symlink():
            raise _symlink_error(path) from exc
        raise
    try:
        opened = os.fstat(fd)
        named = os.lstat(path)
        if stat.S_ISLNK(named.st_mode) or not os.path.samestat(opened, named):
            raise _symlink_error(path)
        if not stat.S_ISREG(opened.st_mode):
            raise OutputError(
                f"refusing to use {path}: it is not a regular file",
                ja=f"{path} は通常のファイルではないため使用しません",
            )
    except BaseException:
        os.close(fd)
        raise
    return fd


# --------------------------------------------------------------------------- atomic writes


def _temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.stem}.{secrets.token_hex(4)}{TEMP_MARK}{path.suffix}")


def _usual_mode(tmp: Path) -> int:
    """The permission bits a new file gets at ``tmp`` (``0o666`` less the umask, as the
    folder's default ACL allows), learned by creating it and removing it again: the
    umask itself cannot be read without changing it for every thread of the process."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | _BINARY, 0o666)
    try:
        return stat.S_IMODE(os.fstat(fd).st_mode)
    finally:
        os.close(fd)
        tmp.unlink()


def _set_mode(tmp: Path, mode: int) -> None:
    """Give the writer's file ``mode`` unless it has it (a writer that made its file with
    ``mkstemp`` and renamed it onto ``tmp`` left ``0o600``)."""
    found = os.lstat(tmp)
    if stat.S_ISREG(found.st_mode) and stat.S_IMODE(found.st_mode) != mode:
        os.chmod(tmp, mode)


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
    file is removed and ``path`` is untouched; an ``OSError`` (of the block, the flush or
    the rename) is raised as :class:`OutputError` naming ``path``. The file ends with
    the mode of any new file in that folder (:func:`_usual_mode`), not the writer's.

    Example
    -------
    >>> with atomic_path(folder / "map.png") as tmp:   # doctest: +SKIP
    ...     figure.savefig(tmp)
    """
    path = Path(path)
    tmp = _temporary_name(path)
    try:
        mode = _usual_mode(tmp)
        yield tmp
        if not tmp.exists():
            raise OutputError(
                f"the writer of {path.name} produced no file",
                ja=f"{path.name} の書き出しでファイルができませんでした",
            )
        _set_mode(tmp, mode)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise output_error(path, exc) from exc
        raise
    _fsync_directory(path.parent)


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return ``path``.

    Raises
    ------
    OutputError
        The folder is missing or not writable, or the disk is full (the final file is
        left untouched and no temporary file remains).
    """
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
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


def json_safe(value: object) -> Any:
    """``value`` as plain JSON types, the way :func:`to_json_text` writes them: floats to
    :data:`FLOAT_DIGITS` significant digits, NaN and infinities as ``None``, numpy and
    pandas scalars as Python ones; mappings keep their order."""
    return _jsonable(value)


def to_json_text(obj: object) -> str:
    """Stable JSON text: sorted keys, two-space indent, UTF-8 (not ``\\u`` escapes),
    floats rounded to :data:`FLOAT_DIGITS` significant digits, final newline."""
    return json.dumps(_jsonable(obj), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_json(path: Path | str, obj: object) -> Path:
    """Write ``obj`` as stable JSON (:func:`to_json_text`) atomically; return ``path``."""
    return atomic_write_text(path, to_json_text(obj))


# --------------------------------------------------------------------------- CSV

CSV_ENCODING = "utf-8-sig"
"""CSV for people: UTF-8 with a byte-order mark, which Excel (Japanese Windows
included) needs to read UTF-8 rather than Shift_JIS. The input reader accepts CSV
with or without it."""


def csv_bytes(table: pd.DataFrame, index: bool = False) -> bytes:
    """``table`` as CSV in :data:`CSV_ENCODING`, ``\\n`` line ends on every platform."""
    return table.to_csv(index=index, lineterminator="\n").encode(CSV_ENCODING)


def atomic_write_csv(path: Path | str, table: pd.DataFrame, index: bool = False) -> Path:
    """Write ``table`` as CSV for Excel (:func:`csv_bytes`) atomically; return ``path``."""
    return atomic_write_bytes(path, csv_bytes(table, index=index))


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
    try:
        record["outputs"] = list_outputs(folder)
    except OSError as exc:
        raise output_error(folder, exc, "read") from exc
    return write_json(folder / MANIFEST_NAME, record)


# --------------------------------------------------------------------------- log files


class LogFormatter(logging.Formatter):
    """A formatter whose every record is one line: the message's control characters
    (line breaks, tabs, ESC, other C0 and C1 characters) are escaped (``\\n``,
    ``\\x1b``, ...), and the lines of a traceback are indented, so that no text of a
    name or an error can start a line that looks like a record of its own.

    ``language`` ``ja`` writes the records in Japanese (:func:`record_text`) with
    Japanese level names (:data:`LEVELS_JA`); ``en`` (the default) as logged."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, language: str = "en"):
        super().__init__(fmt, datefmt)
        self.language = language

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line, plus its traceback (indented) when it has one."""
        if self.language == "ja":  # a copy: other handlers see the record as logged
            record = logging.makeLogRecord(record.__dict__)
            record.levelname = LEVELS_JA.get(record.levelname, record.levelname)
        record.message = escape_controls(record_text(record, self.language))
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        text = self.formatMessage(record)
        details = []
        if record.exc_info:
            details.append(self.formatException(record.exc_info))
        elif record.exc_text:
            details.append(record.exc_text)
        if record.stack_info:
            details.append(self.formatStack(record.stack_info))
        for block in details:
            for line in block.splitlines():
                text += "\n    " + escape_controls(line)
        return text


class LogFileHandler(logging.FileHandler):
    """A log file appended to, opened without following a symbolic link
    (:func:`open_no_follow`); the first ``OSError`` of a write (a full disk) is kept in
    :attr:`failure` instead of printing a traceback, for the owner to raise."""

    def __init__(self, path: Path | str) -> None:
        self.failure: OSError | None = None
        super().__init__(path, mode="a", encoding="utf-8")

    def _open(self) -> Any:
        fd = open_no_follow(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        """Keep an ``OSError`` (reported when the log is closed); others as usual."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            self.failure = self.failure or error
            return
        super().handleError(record)

    def close(self) -> None:
        """Flush and close; a failure to flush is kept in :attr:`failure`."""
        try:
            super().close()
        except OSError as error:
            self.failure = self.failure or error


@contextlib.contextmanager
def log_file(
    path: Path | str,
    formatter: logging.Formatter,
    level: int = logging.INFO,
    logger_name: str = "optimizer",
) -> Iterator[Path]:
    """Append the ``logger_name`` logger's records to ``path`` for the block's duration.

    The handler (:class:`LogFileHandler`) is attached to the logger (lowering its level
    to ``level`` if needed) and removed again afterwards, whatever happens in the block.

    Raises
    ------
    OutputError
        ``path`` is a symbolic link, cannot be opened, or a record could not be written
        (raised when the block ends, unless the block itself raised).
    """
    path = Path(path)
    logger = logging.getLogger(logger_name)
    try:
        handler = LogFileHandler(path)
    except OSError as exc:
        raise output_error(path, exc) from exc
    handler.setLevel(level)
    handler.setFormatter(formatter)
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
    if handler.failure is not None:
        raise output_error(path, handler.failure) from handler.failure


def run_log(
    folder: Path | str,
    level: int = logging.INFO,
    logger_name: str = "optimizer",
    language: str = "en",
) -> contextlib.AbstractContextManager[Path]:
    """Copy the package's log records into ``<folder>/run.log`` for the block's duration
    (:func:`log_file`; yields the log's path), in ``language`` (``ja`` or ``en``)."""
    formatter = LogFormatter(
        "%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        "%Y-%m-%d %H:%M:%S",
        language=language,
    )
    return log_file(Path(folder) / LOG_NAME, formatter, level, logger_name)
