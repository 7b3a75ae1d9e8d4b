"""``optimizer geocode``: a new workbook with the blank coordinates found from addresses.

:func:`geocode_workbook` checks where the new workbook goes (never onto the input, an
existing file only when asked), fills the coordinates
(:func:`optimizer.sources.geocode.fill_coordinates`: the cache first, then the server,
one request per second at most), saves the cache after every answer and writes the
workbook atomically (:mod:`optimizer.outputs.files`). :func:`geocode_record` is its
``--json`` record, :func:`geocode_summary` and :func:`unplaced_lines` its text.

Outcome: ``ok`` when every row has a point; ``bad_input`` (exit code 3) when some rows
are left without one (listed; the new workbook is written all the same, holding every
point found); ``unreachable`` (exit code 9) when the server cannot be reached or
refuses, with nothing written but the cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer.errors import OutputError
from optimizer.outputs.files import atomic_write_bytes, ensure_folder, write_json
from optimizer.outputs.safe_text import escape_controls
from optimizer.sources.geocode import SOURCE_KINDS, Unplaced, fill_coordinates
from optimizer.sources.geocoder import (
    DEFAULT_SERVER,
    DEFAULT_TIMEOUT_S,
    MIN_DELAY_S,
    GeocodeCache,
    Lookup,
    Server,
    default_cache_path,
    parse_server,
)

__all__ = [
    "GeocodeReport",
    "default_output",
    "geocode_workbook",
    "geocode_record",
    "geocode_summary",
    "unplaced_lines",
]

SOURCE_WORDS = {
    "given": ("入力済み", "given"),
    "geocoded": ("住所から取得", "geocoded"),
    "cache": ("キャッシュから", "from the cache"),
    "not found": ("見つからない", "not found"),
    "no address": ("住所なし", "no address"),
}
"""Each kind of ``coord_source``, in (Japanese, English), for the summary."""


@dataclass
class GeocodeReport:
    """What one ``optimizer geocode`` did: the files, the server, how many requests it
    sent, the rows by the source of their point, and the rows left without one."""

    input: Path
    output: Path
    cache: Path
    server: str
    requests: int
    sources: dict[str, int] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """``ok``, or ``bad_input`` when some rows are left without a point."""
        return "bad_input" if self.unplaced else "ok"


def default_output(path: Path) -> Path:
    """``<input stem>-geocoded.xlsx`` beside the input."""
    return path.with_name(f"{path.stem}-geocoded.xlsx")


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_output(path: Path, output: Path, force: bool) -> None:
    if output.suffix.lower() != ".xlsx":
        raise OutputError(
            f"the new workbook must be an .xlsx, not {output.name}",
            ja=f"新しいブックは .xlsx で書き出します（{output.name} ではなく）",
        )
    if _same_file(path, output):
        raise OutputError(
            f"refusing to overwrite the input workbook {path}: name another --output",
            ja=f"入力ブック {path} は上書きしません。--output に別の名前を指定してください",
        )
    if output.exists() and not force:
        raise OutputError(
            f"{output} exists; choose another --output or pass --force",
            ja=f"{output} は既にあります。別の --output を指定するか --force を付けてください",
        )


def _cache_saver(path: Path) -> Callable[[GeocodeCache], object]:
    def save(cache: GeocodeCache) -> Path:
        ensure_folder(path.parent)
        return write_json(path, cache.as_json())

    return save


def geocode_workbook(
    path: str | Path,
    output: str | Path | None = None,
    *,
    server: str | Server = DEFAULT_SERVER,
    user_agent: str | None = None,
    cache_path: str | Path | None = None,
    force: bool = False,
    retry_not_found: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    min_delay_s: float = MIN_DELAY_S,
    progress: Callable[[str], None] | None = None,
) -> GeocodeReport:
    """Write a new workbook: ``path`` with its blank coordinates found from addresses.

    Parameters
    ----------
    path
        The input ``.xlsx`` workbook; never changed.
    output
        The new workbook (default :func:`default_output`); refused when it is the input,
        and when it exists unless ``force``.
    server, user_agent
        The Nominatim-compatible server (``https://host`` or ``host:port``) and the
        ``User-Agent`` it sees (``facility-sharing-optimizer/<version>`` by default).
    cache_path
        The JSON cache of answers (default: ``geocode.json`` in the user's cache folder).
    retry_not_found
        Ask again for addresses the cache holds as "nothing found".
    timeout_s, min_delay_s
        Seconds one request may take; least seconds between two requests (at least one
        second for the public Nominatim).
    progress
        Called with one line before each request, or ``None``.

    Raises
    ------
    FileFormatError
        The input is not a readable ``.xlsx`` workbook.
    OutputError
        The new workbook or the cache cannot be written, or ``output`` is refused.
    UnreachableError
        The server cannot be reached or refused a request (the answers so far are cached;
        no workbook is written).
    """
    path = Path(path)
    output = Path(output) if output is not None else default_output(path)
    _check_output(path, output, force)
    where = parse_server(server) if isinstance(server, str) else server
    cache_file = Path(cache_path) if cache_path is not None else default_cache_path()
    lookup = Lookup(
        where,
        GeocodeCache.load(cache_file),
        _cache_saver(cache_file),
        user_agent=user_agent,
        timeout_s=timeout_s,
        min_delay_s=min_delay_s,
        retry_not_found=retry_not_found,
    )
    filled = fill_coordinates(path, lookup, progress)
    ensure_folder(output.parent)
    atomic_write_bytes(output, filled.data)
    return GeocodeReport(
        path,
        output,
        cache_file,
        where.url,
        lookup.requests,
        filled.sources,
        filled.unplaced,
        filled.sheets,
    )


def _unplaced_message(report: GeocodeReport, lang: str) -> str:
    count = len(report.unplaced)
    if lang == "ja":
        return (
            f"{count} 行の座標を求められませんでした（住所を直すか緯度・経度を入力してください）。"
            f"見つかった座標は {report.output} に書き出しました"
        )
    return (
        f"{count} row(s) left without a point (correct the address or type lat and lon); "
        f"the points found are written to {report.output}"
    )


def geocode_record(report: GeocodeReport, lang: str = "ja") -> dict[str, Any]:
    """The ``--json`` record: ``input``, ``output``, ``cache``, ``server``,
    ``requests`` (sent to the server), ``coord_sources`` (rows per kind of source),
    ``unplaced`` (sheet, row, id, address, reason of each row left without a point)."""
    return {
        "status": report.outcome,
        "message": _unplaced_message(report, lang) if report.unplaced else None,
        "input": str(report.input),
        "output": str(report.output),
        "cache": str(report.cache),
        "server": report.server,
        "requests": report.requests,
        "sheets": list(report.sheets),
        "coord_sources": {kind: report.sources.get(kind, 0) for kind in SOURCE_KINDS},
        "unplaced": [
            {
                "sheet": u.sheet,
                "row": u.row,
                "id": u.id,
                "address": u.address,
                "reason": u.reason,
            }
            for u in report.unplaced
        ],
    }


def geocode_summary(report: GeocodeReport, lang: str = "ja") -> str:
    """What was written and where the points came from, in a few lines."""
    ja = lang == "ja"
    counts = ("、" if ja else ", ").join(
        f"{SOURCE_WORDS[kind][0 if ja else 1]} {report.sources.get(kind, 0)}"
        for kind in SOURCE_KINDS
    )
    if ja:
        return (
            f"座標を補ったブック: {report.output}\n"
            f"  行の内訳: {counts}\n"
            f"  サーバー {report.server} への問い合わせ {report.requests} 件、キャッシュ "
            f"{report.cache}"
        )
    return (
        f"new workbook: {report.output}\n"
        f"  rows: {counts}\n"
        f"  {report.requests} request(s) to {report.server}; cache {report.cache}"
    )


def unplaced_lines(report: GeocodeReport, lang: str = "ja") -> str:
    """The rows left without a point, one line each, under a one-line headline."""
    ja = lang == "ja"
    lines = [_unplaced_message(report, lang)]
    for u in report.unplaced:
        reason = SOURCE_WORDS[u.reason][0 if ja else 1]
        address, ident = escape_controls(u.address or "-"), escape_controls(u.id or "-")
        if ja:
            lines.append(f"  シート「{u.sheet}」 {u.row}行目 {ident}「{address}」: {reason}")
        else:
            lines.append(f"  sheet '{u.sheet}', row {u.row}, {ident}, '{address}': {reason}")
    return "\n".join(lines)
