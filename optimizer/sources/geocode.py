"""Blank coordinates of an input workbook filled from addresses (``optimizer geocode``).

The facilities, candidates and zones sheets may carry an ``address`` column and a
``coord_source`` column (:mod:`optimizer.schema`). :func:`fill_coordinates` finds the
sheets and their headers as the validator does (the same file checks, English or
Japanese names, one or two header rows), then, for each data row of those sheets:

* lat and lon both given: kept, ``coord_source`` ``given`` (a row placed by an earlier
  run keeps its ``geocoded:…`` or ``cache``);
* otherwise, with an address: the point a :class:`~optimizer.sources.geocoder.Lookup`
  finds for it, from its cache (``cache``) or by asking the server
  (``geocoded:<server>``), written into lat and lon; nothing found: ``not found``;
* otherwise: ``no address``.

Each distinct address is looked up once per run. The rows left without a point are
listed (:class:`Unplaced`). Every other sheet, cell, style and formula stays as it was:
openpyxl loads the whole workbook and saves it (what openpyxl itself does not keep,
such as images and charts, is lost; the input file is never touched). A lat, lon or
``coord_source`` column the sheet lacks is added after its last column, with the
Japanese label on the second header row where the sheet has one. The result is the new
workbook's bytes; writing them is the caller's job (``optimizer.runs.geocode``).
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import openpyxl
from openpyxl.styles import Alignment, Border, Font
from openpyxl.styles.fills import Fill
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.errors import FileFormatError
from optimizer.schema import SHEETS_BY_NAME, Sheet
from optimizer.sources.geocoder import Lookup, Point, address_key
from optimizer.workbook.messages import issue
from optimizer.workbook.names import column_for_header
from optimizer.workbook.raw import RawTables
from optimizer.workbook.reader import read_tables

__all__ = [
    "GEOCODED_SHEETS",
    "SOURCE_GIVEN",
    "SOURCE_CACHE",
    "SOURCE_NOT_FOUND",
    "SOURCE_NO_ADDRESS",
    "SOURCE_KINDS",
    "Unplaced",
    "FilledWorkbook",
    "geocoded_source",
    "source_kind",
    "fill_coordinates",
]

log = logging.getLogger(__name__)

GEOCODED_SHEETS = ("facilities", "candidates", "zones")
"""The sheets whose points may be found from an address."""
KEY_COLUMNS = {"facilities": "id", "candidates": "id", "zones": "zone"}

SOURCE_GIVEN = "given"
SOURCE_CACHE = "cache"
SOURCE_NOT_FOUND = "not found"
SOURCE_NO_ADDRESS = "no address"
SOURCE_KINDS = (SOURCE_GIVEN, "geocoded", SOURCE_CACHE, SOURCE_NOT_FOUND, SOURCE_NO_ADDRESS)
"""What ``coord_source`` says, by kind (``geocoded`` stands for ``geocoded:<server>``)."""
LATLON_FORMAT = "0.000000"
"""Number format of a coordinate written into a cell without one (as the template's)."""
DECIMALS = 7
"""Decimals of a coordinate written [°] (about 1 cm)."""


def geocoded_source(domain: str) -> str:
    """``coord_source`` of a point the server ``domain`` found in this run."""
    return f"geocoded:{domain}"


def source_kind(source: str) -> str:
    """The kind of a ``coord_source`` value (one of :data:`SOURCE_KINDS`)."""
    return "geocoded" if source.startswith("geocoded:") else source


@dataclass(frozen=True)
class Unplaced:
    """A row left without a point: ``reason`` is ``not found`` or ``no address``."""

    sheet: str
    row: int
    id: str
    address: str
    reason: str


@dataclass
class FilledWorkbook:
    """The new workbook and what was done: ``sources`` counts the rows by the kind of
    their ``coord_source`` (:data:`SOURCE_KINDS`), ``unplaced`` lists those left without
    a point, ``sheets`` the sheets looked at."""

    data: bytes
    sources: dict[str, int] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


@dataclass
class _SheetColumns:
    """Where a sheet's columns are (1-based), and its header and label rows."""

    sheet: Sheet
    ws: Worksheet
    header_row: int
    label_row: int | None
    positions: dict[str, int]

    def position(self, name: str) -> int:
        """The column ``name``, added after the last column when the sheet lacks it."""
        if name not in self.positions:
            at = self.ws.max_column + 1
            _new_header(self, name, at)
            self.positions[name] = at
        return self.positions[name]

    def value(self, row: int, name: str) -> object:
        at = self.positions.get(name)
        return None if at is None else self.ws.cell(row=row, column=at).value


@dataclass
class _Row:
    columns: _SheetColumns
    row: int
    id: str
    address: str


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_positions(ws: Worksheet, header_row: int, sheet: Sheet) -> dict[str, int]:
    positions: dict[str, int] = {}
    for cell in ws[header_row]:
        if _blank(cell.value):
            continue
        name = column_for_header(sheet, str(cell.value))
        if name is not None and cell.column is not None:
            positions.setdefault(name, cell.column)
    return positions


def _label_row(
    ws: Worksheet, header_row: int, sheet: Sheet, positions: dict[str, int]
) -> int | None:
    """The row under the header when it holds the columns' Japanese labels."""
    below = header_row + 1
    seen = [
        (name, value)
        for name, at in positions.items()
        if not _blank(value := ws.cell(row=below, column=at).value)
    ]
    hits = sum(column_for_header(sheet, str(value)) == name for name, value in seen)
    return below if seen and hits * 2 > len(seen) else None


def _new_header(columns: _SheetColumns, name: str, at: int) -> None:
    """Header (and label) cells of a new column, styled as the sheet's last header."""
    ws = columns.ws
    label = columns.sheet.column(name).label_ja
    rows = [(columns.header_row, name)]
    if columns.label_row is not None:
        rows.append((columns.label_row, label))
    for row, text in rows:
        cell = ws.cell(row=row, column=at, value=text)
        last = max((p for p in columns.positions.values()), default=None)
        if last is not None:
            model = ws.cell(row=row, column=last)
            cell.font = cast(Font, copy(model.font))
            cell.fill = cast(Fill, copy(model.fill))
            cell.alignment = cast(Alignment, copy(model.alignment))
            cell.border = cast(Border, copy(model.border))


def _unreadable(path: Path, exc: BaseException) -> FileFormatError:
    found = issue(
        path.name,
        None,
        None,
        f"{type(exc).__name__}: {exc}",
        "unreadable",
        "an .xlsx workbook saved by Excel",
        "Excel で保存した .xlsx ブック",
    )
    return FileFormatError([found], found.message("en"))


def _not_a_workbook(path: Path) -> FileFormatError:
    found = issue(
        path.name,
        None,
        None,
        path.name,
        "unsupported_format",
        "an .xlsx workbook (geocode writes a new workbook; for CSV tables, put them in a "
        "workbook first)",
        ".xlsx ブック（geocode は新しいブックを書き出します。CSV の表はブックにまとめてください）",
    )
    return FileFormatError([found], found.message("en"))


def _rows(tables: RawTables, book: openpyxl.Workbook) -> tuple[list[_Row], list[_Row], list[str]]:
    """(rows with a point, rows without, sheet names): the data rows of the sheets."""
    placed: list[_Row] = []
    missing: list[_Row] = []
    sheets = []
    for name in GEOCODED_SHEETS:
        table = tables.tables.get(name)
        if table is None or table.frame.empty:
            continue
        sheet = SHEETS_BY_NAME[name]
        ws = book[table.title]
        positions = _header_positions(ws, table.header_row, sheet)
        columns = _SheetColumns(
            sheet,
            ws,
            table.header_row,
            _label_row(ws, table.header_row, sheet, positions),
            positions,
        )
        sheets.append(name)
        for row in table.frame.index:
            number = int(row)
            key = columns.value(number, KEY_COLUMNS[name])
            address = columns.value(number, "address")
            found = _Row(
                columns,
                number,
                "" if _blank(key) else str(key).strip(),
                "" if _blank(address) else str(address).strip(),
            )
            given = not (
                _blank(columns.value(number, "lat")) or _blank(columns.value(number, "lon"))
            )
            (placed if given else missing).append(found)
    return placed, missing, sheets


def _resolve(
    rows: list[_Row], lookup: Lookup, progress: Callable[[str], None] | None
) -> dict[str, tuple[Point | None, str]]:
    """Address key → (point or None, coord_source), asking the server only for what the
    cache does not hold, each address once."""
    answers: dict[str, tuple[Point | None, str]] = {}
    to_ask: dict[str, str] = {}
    for row in rows:
        key = address_key(row.address)
        if not key or key in answers or key in to_ask:
            continue
        known, point = lookup.cached(row.address)
        if known:
            answers[key] = (point, SOURCE_CACHE if point is not None else SOURCE_NOT_FOUND)
        else:
            to_ask[key] = row.address
    for done, (key, address) in enumerate(to_ask.items(), start=1):
        if progress is not None:
            progress(f"geocode {done}/{len(to_ask)}: {key}")
        point = lookup.ask(address)
        source = geocoded_source(lookup.server.domain) if point is not None else SOURCE_NOT_FOUND
        answers[key] = (point, source)
        log.info("geocoded %r: %s", key, point if point is not None else "nothing found")
    return answers


def _write_point(row: _Row, point: Point) -> None:
    ws = row.columns.ws
    for name, value in (("lat", point.lat), ("lon", point.lon)):
        cell = ws.cell(row=row.row, column=row.columns.position(name))
        cell.value = round(value, DECIMALS)
        if cell.number_format == "General":
            cell.number_format = LATLON_FORMAT


def _set_source(row: _Row, source: str) -> None:
    row.columns.ws.cell(row=row.row, column=row.columns.position("coord_source"), value=source)


def fill_coordinates(
    path: str | Path, lookup: Lookup, progress: Callable[[str], None] | None = None
) -> FilledWorkbook:
    """The workbook at ``path`` with its blank coordinates found from addresses.

    Parameters
    ----------
    path
        An ``.xlsx`` input workbook (never changed).
    lookup
        The server, its cache and the request spacing.
    progress
        Called with one line before each request to the server, or ``None``.

    Raises
    ------
    FileFormatError
        ``path`` is not a readable ``.xlsx`` workbook (a CSV folder included).
    UnreachableError
        The server cannot be reached or refused a request (the answers so far are
        cached; nothing is returned).
    """
    path = Path(path)
    if path.is_dir():
        raise _not_a_workbook(path)
    tables = read_tables(path)  # the validator's file checks and sheet and header matching
    try:
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _unreadable(path, exc) from None
    placed, missing, sheets = _rows(tables, book)
    answers = _resolve([row for row in missing if row.address], lookup, progress)
    sources: Counter[str] = Counter()
    unplaced: list[Unplaced] = []
    for row in placed:
        source = row.columns.value(row.row, "coord_source")
        source = "" if _blank(source) else str(source).strip()
        if source_kind(source) not in ("geocoded", SOURCE_CACHE):
            source = SOURCE_GIVEN
        _set_source(row, source)
        sources[source_kind(source)] += 1
    for row in missing:
        point, source = answers.get(address_key(row.address), (None, SOURCE_NO_ADDRESS))
        if point is not None:
            _write_point(row, point)
        else:
            unplaced.append(Unplaced(row.columns.sheet.name, row.row, row.id, row.address, source))
        _set_source(row, source)
        sources[source_kind(source)] += 1
    book.template = False
    buffer = io.BytesIO()
    book.save(buffer)
    counts = {kind: sources.get(kind, 0) for kind in SOURCE_KINDS}
    return FilledWorkbook(buffer.getvalue(), counts, unplaced, sheets)
