"""Workbook layout helpers for the reports: formats, tables with live totals, print set-up.

Formatting only: a :class:`Book` wraps an in-memory XlsxWriter workbook with the house
formats; :func:`write_table` writes a table with a two-row header (Japanese above,
English below), values of declared kinds, per-row formulas with their cached values and
a totals row of live formulas; :func:`page_setup` prints a sheet on A4 landscape.

What the printed page needs is settled when the sheet is finished (:func:`page_setup`,
the last call on every sheet), once every column width is known (:meth:`Book.set_width`
records them): a note wider than its cell is wrapped within the print area, a table's
text too long for its column wraps, and every row is made tall enough for the lines of
its wrapped cells (headers included). A value that rounds to zero in its displayed unit
is written as 0 (:func:`zero_guard`), so that no figure reads △0.

Every text value goes through :func:`put_value`, which writes it as a text cell, so user
strings such as ``=HYPERLINK(...)`` never become formulas (the workbook is also opened
with ``strings_to_formulas``, ``strings_to_urls`` and ``strings_to_numbers`` off).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.safe_text import PROPERTY_MAX_CHARS, clip, one_line
from optimizer.outputs.text_fit import (
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    LINE_HEIGHT,
    VARIANT_FONTS,
    column_pixels,
    display_width,
    fit_width,
    is_missing,
    text_pixels,
    wrapped_lines,
)

__all__ = [
    "FONT",
    "HEADER_FILL",
    "SUBHEADER_FILL",
    "YEN_THOUSANDS",
    "NUMBER_FORMATS",
    "Book",
    "Col",
    "TableRange",
    "safe_sheet_name",
    "is_missing",
    "put_value",
    "put_formula",
    "write_header",
    "write_table",
    "write_totals",
    "display_width",
    "fit_width",
    "text_pixels",
    "wrapped_lines",
    "set_widths",
    "ZERO_BANDS",
    "rounds_to_zero",
    "zero_guard",
    "merge_wrapped",
    "escape_print",
    "page_setup",
    "write_title",
    "write_note",
    "write_section",
    "sheet_ref",
]

FONT = "Yu Gothic"
"""Workbook font: 游ゴシック, Office's Japanese default on Windows and macOS. Where it is
missing (LibreOffice on Linux) the application substitutes an installed Japanese font."""

YEN_THOUSANDS = '#,##0,;[Red]"△"#,##0,;0'
"""Yen shown in 千円: the trailing comma divides by 1,000; negatives in red with △."""

NUMBER_FORMATS = {
    "text": "@",
    "wrap": "@",
    "code": "@",
    "money": YEN_THOUSANDS,
    "yen": '#,##0;[Red]"△"#,##0;0',
    "int": "#,##0",
    "num": "#,##0.0",
    "qty": "#,##0",
    "pct": '0.0%;[Red]"△"0.0%;0.0%',
    "util": "0%",
    "year": "0",
    "ratio": "0.00%",
    "ratio3": '0.000%;[Red]"△"0.000%;0.000%',
}
TEXT_KINDS = ("text", "code", "wrap")

ZERO_BANDS = {"money": 500.0, "yen": 0.5, "pct": 0.0005, "ratio3": 0.000005}
"""Per kind shown with △ for negatives, the magnitude below which its format shows
zero (half its last digit: 500 yen in 千円, 0.05 % in 0.0 %). A value within the band is
written as 0, so that △ marks only figures that read as negative."""

HEADER_FILL = "#1F4E78"
SUBHEADER_FILL = "#DDEBF7"
GREY = "#595959"
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def safe_sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unused Excel sheet name made from ``name``.

    Excel requires 1–31 characters, none of ``[ ] : * ? / \\``, no leading or trailing
    apostrophe, not the reserved ``History``, and uniqueness ignoring case. Invalid
    characters become ``_``; a clash gets `` (2)``, `` (3)``, ... within the 31 characters.
    """
    text = _INVALID_SHEET_CHARS.sub("_", str(name))
    text = "".join(ch if ch.isprintable() else "_" for ch in text).strip().strip("'").strip()
    if not text or text.casefold() == "history":
        text = f"{text or 'Sheet'}_"
    text = text[:31]
    used = {t.casefold() for t in taken}
    candidate, n = text, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f" ({n})"
        candidate = text[: 31 - len(suffix)] + suffix
    return candidate


@dataclass(frozen=True)
class Col:
    """One column of a table: key in the source rows, headers, display kind, width.

    ``kind`` picks the number format (:data:`NUMBER_FORMATS`); ``total`` is ``True`` to
    sum the column in the totals row, ``"formula"`` to apply the row formula to the
    totals; ``formula`` is an Excel template over the row's cells (``{key}`` → that row's
    cell address) with ``compute`` giving the same value in Python, written as the
    formula's cached value.
    """

    key: str
    ja: str
    en: str
    kind: str = "text"
    width: float = 12.0
    total: bool | str = False
    formula: str | None = None
    compute: Callable[[Mapping[str, Any]], float] | None = None

    def value(self, record: Mapping[str, Any]) -> Any:
        """The column's value for one row: ``compute(record)`` when it is a formula
        column, else the record's value (``None`` when missing)."""
        if not self.formula:
            return record.get(self.key)
        if self.compute is None:
            raise ValueError(f"column {self.key!r} has a formula but nothing to compute it")
        return self.compute(record)

    def formula_at(self, refs: Mapping[str, str]) -> str:
        """The Excel formula of one row, ``{key}`` replaced by that row's cell in ``refs``."""
        if not self.formula:
            raise ValueError(f"column {self.key!r} has no formula")
        return "=" + self.formula.format(**refs)


@dataclass
class TableRange:
    """Where a table landed: header row, data rows (first..last, inclusive), totals row."""

    header_row: int
    first: int
    last: int
    total_row: int | None
    columns: dict[str, int] = field(default_factory=dict)

    def cell(self, key: str, row: int, absolute: bool = True) -> str:
        """The address of column ``key`` on ``row`` (absolute, ``$B$7``, by default)."""
        return xl_rowcol_to_cell(row, self.columns[key], absolute, absolute)

    def total_cell(self, key: str) -> str:
        """The absolute address of column ``key`` in the totals row."""
        if self.total_row is None:
            raise ValueError("the table has no totals row")
        return self.cell(key, self.total_row)

    @property
    def bottom(self) -> int:
        """The table's last row: the totals row, else the last data row."""
        return self.last if self.total_row is None else self.total_row


@dataclass(frozen=True)
class Wrapped:
    """A cell (or merged range) whose text wraps: rows and columns it covers, its text
    and font."""

    first_row: int
    last_row: int
    first_col: int
    last_col: int
    text: str
    variant: str = "body"


@dataclass(frozen=True)
class Note:
    """A line of text on a row of its own from column ``col`` on (a note, a title, a
    section heading), to keep within the print area."""

    row: int
    col: int
    text: str
    variant: str


@dataclass(frozen=True)
class TableText:
    """A text cell of a table, wrapped when longer than its column is wide."""

    row: int
    col: int
    text: str
    variant: str
    fill: str | None


@dataclass
class SheetLayout:
    """What finishing a sheet needs: widths and heights set, wrapped cells, notes, and
    the text cells of its tables."""

    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    wrapped: dict[tuple[int, int], Wrapped] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    table_text: list[TableText] = field(default_factory=list)

    def wrap(self, cell: Wrapped) -> None:
        """Record a wrapped cell (or range), replacing what its top-left cell held."""
        self.wrapped[(cell.first_row, cell.first_col)] = cell

    def width(self, col: int) -> float:
        """The width of column ``col`` [characters]."""
        return self.widths.get(col, DEFAULT_WIDTH)

    def span_width(self, first: int, last: int) -> float:
        """The width of columns ``first``..``last`` together [characters]."""
        return sum(self.width(c) for c in range(first, last + 1))


class Book:
    """The workbook with its formats, created once and shared by every sheet writer."""

    def __init__(self, stream: io.BytesIO, title: str, created: datetime) -> None:
        self.wb = xlsxwriter.Workbook(
            stream,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": False,
                "default_format_properties": {"font_name": FONT, "font_size": 10},
                "default_row_height": 18,
            },
        )
        self.title = one_line(title)
        self.wb.set_properties(
            {
                "title": clip(self.title, PROPERTY_MAX_CHARS),
                "subject": "公共施設の広域連携 費用報告書 / facility-sharing cost report",
                "author": "facility-sharing-optimizer",
                "created": created,
            }
        )
        self._formats: dict[tuple[str, str, str | None], Format] = {}
        self._layouts: dict[str, SheetLayout] = {}

    def layout(self, ws: Worksheet) -> SheetLayout:
        """The layout record of a sheet."""
        return self._layouts.setdefault(ws.name, SheetLayout())

    def set_width(self, ws: Worksheet, first: int, last: int, width: float) -> None:
        """Columns ``first``..``last`` ``width`` characters wide (recorded for finishing)."""
        ws.set_column(first, last, width)
        for col in range(first, last + 1):
            self.layout(ws).widths[col] = width

    def set_height(self, ws: Worksheet, row: int, height: float) -> None:
        """Row ``row`` at least ``height`` pt tall (finishing may make it taller)."""
        ws.set_row(row, height)
        self.layout(ws).heights[row] = height

    def fmt(self, kind: str = "text", variant: str = "body", fill: str | None = None) -> Format:
        """A cell format for a value kind and a role (body / total / header / ...)."""
        key = (kind, variant, fill)
        if key in self._formats:
            return self._formats[key]
        props: dict = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        if kind in NUMBER_FORMATS:
            props["num_format"] = NUMBER_FORMATS[kind]
        if kind in TEXT_KINDS:
            props["align"] = "left"
        if kind == "wrap":
            props.update(text_wrap=True, align="left")
        if variant == "total":
            props.update(bold=True, top=1, bottom=6, bg_color="#F2F2F2")
        elif variant in ("header", "header_en"):
            props.update(
                valign="vcenter", text_wrap=True, align="center", border=1, border_color="#BFBFBF"
            )
            if variant == "header":
                props.update(bold=True, font_color="#FFFFFF", bg_color=HEADER_FILL)
            else:
                props.update(font_size=8, italic=True, font_color=GREY, bg_color=SUBHEADER_FILL)
            props.pop("num_format", None)
        elif variant == "title":
            props.update(bold=True, font_size=16, font_color=HEADER_FILL)
        elif variant == "section":
            props.update(
                bold=True, font_size=12, font_color=HEADER_FILL, bottom=2, bottom_color=HEADER_FILL
            )
        elif variant == "note":
            props.update(font_size=9, font_color=GREY)
        elif variant == "label":
            props.update(bold=True, bg_color="#F2F2F2", border=1, border_color="#BFBFBF")
        elif variant == "key":
            props.update(bold=True, font_size=12, border=1, border_color="#BFBFBF")
        elif variant == "muted":
            props.update(font_color="#808080")
        elif variant == "flag":
            props.update(bold=True, font_color="#9C0006")
        if variant in ("body", "muted", "flag"):
            props.update(border=1, border_color="#D9D9D9")
        if fill:
            props["bg_color"] = fill
        self._formats[key] = self.wb.add_format(props)
        return self._formats[key]


def put_value(
    book: Book,
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    kind: str = "text",
    variant: str = "body",
    fill: str | None = None,
) -> None:
    """Write one value with the format of its kind: text always as a text cell (a
    ``wrap`` one recorded, for its row to be made tall enough), a number that its format
    would show as zero as 0 (:data:`ZERO_BANDS`)."""
    fmt = book.fmt(kind, variant, fill)
    if is_missing(value):
        ws.write_blank(row, col, None, fmt)
    elif kind in TEXT_KINDS or isinstance(value, str):
        ws.write_string(row, col, str(value), fmt)
        if kind == "wrap":
            book.layout(ws).wrap(Wrapped(row, row, col, col, str(value), variant))
    elif isinstance(value, bool):
        ws.write_string(row, col, "はい" if value else "いいえ", fmt)
    else:
        number = float(value)
        ws.write_number(row, col, 0.0 if rounds_to_zero(number, kind) else number, fmt)


def rounds_to_zero(value: float | None, kind: str) -> bool:
    """Whether ``value`` is not 0 but its format (a kind of :data:`ZERO_BANDS`) shows 0."""
    band = ZERO_BANDS.get(kind)
    return band is not None and value is not None and value != 0 and abs(value) < band


def zero_guard(formula: str, kind: str) -> str:
    """``formula`` (with its ``=``) made to give exactly 0 where its format would show a
    zero: ``=IF(ABS(x)<500,0,x)`` for money in 千円. Used on the cells whose computed
    value rounds to zero, so that recalculating gives 0, not a △0."""
    body = formula[1:] if formula.startswith("=") else formula
    return f"=IF(ABS({body})<{ZERO_BANDS[kind]:g},0,{body})"


def put_formula(
    book: Book,
    ws: Worksheet,
    row: int,
    col: int,
    formula: str,
    value: float | None,
    kind: str,
    variant: str = "body",
    fill: str | None = None,
) -> None:
    """Write ``formula`` with ``value`` as its cached result (0 when missing), so readers
    that do not recalculate show the same number as Excel. A value that its format would
    show as zero is guarded (:func:`zero_guard`) and cached as 0."""
    cached = 0.0 if value is None or is_missing(value) else float(value)
    if rounds_to_zero(cached, kind):
        formula, cached = zero_guard(formula, kind), 0.0
    ws.write_formula(row, col, formula, book.fmt(kind, variant, fill), cached)


def write_header(
    book: Book, ws: Worksheet, row: int, cols: Sequence[Col], first_col: int = 0, height: float = 30
) -> None:
    """Japanese headers on ``row`` (bold, white on blue), English ones below (small,
    grey); both rows are made taller when finishing if a header needs more lines."""
    book.set_height(ws, row, height)
    book.set_height(ws, row + 1, 22)
    layout = book.layout(ws)
    for c, col in enumerate(cols, start=first_col):
        ws.write_string(row, c, col.ja, book.fmt(col.kind, "header"))
        ws.write_string(row + 1, c, col.en, book.fmt(col.kind, "header_en"))
        layout.wrap(Wrapped(row, row, c, c, col.ja, "header"))
        layout.wrap(Wrapped(row + 1, row + 1, c, c, col.en, "header_en"))


def write_table(
    book: Book,
    ws: Worksheet,
    top: int,
    cols: Sequence[Col],
    records: Sequence[dict],
    *,
    total_label: str | None = "合計 Total",
    fills: Sequence[Mapping[str, str | None]] | None = None,
    empty_text: str = "（該当なし）",
    header_height: float = 30,
) -> TableRange:
    """A table with a two-row header (Japanese, English), rows and an optional totals row.

    ``fills`` optionally gives, per record, a background colour per column key. Rows
    with ``wrap`` text are made tall enough for their lines, and a ``text`` or ``code``
    value longer than its column is wide wraps, when the sheet is finished.
    """
    write_header(book, ws, top, cols, height=header_height)
    where = TableRange(
        header_row=top,
        first=top + 2,
        last=top + 1,
        total_row=None,
        columns={c.key: i for i, c in enumerate(cols)},
    )
    if not records:
        ws.write_string(top + 2, 0, empty_text, book.fmt("text", "muted"))
        where.last = top + 2
        return where
    values = [{c.key: c.value(record) for c in cols} for record in records]
    layout = book.layout(ws)
    for n, row_values in enumerate(values):
        row = top + 2 + n
        refs = {c.key: xl_rowcol_to_cell(row, i) for i, c in enumerate(cols)}
        fill_of = fills[n] if fills else {}
        for i, col in enumerate(cols):
            value, fill = row_values[col.key], fill_of.get(col.key)
            if col.formula:
                put_formula(book, ws, row, i, col.formula_at(refs), value, col.kind, fill=fill)
            else:
                put_value(book, ws, row, i, value, col.kind, fill=fill)
                if col.kind in ("text", "code") and not is_missing(value) and str(value):
                    layout.table_text.append(TableText(row, i, str(value), "body", fill))
    where.last = top + 1 + len(records)
    if total_label is not None:
        where.total_row = where.last + 1
        write_totals(book, ws, where, cols, values, total_label)
    return where


def write_totals(
    book: Book,
    ws: Worksheet,
    where: TableRange,
    cols: Sequence[Col],
    values: Sequence[Mapping[str, Any]],
    label: str,
) -> None:
    """Totals row: ``SUM`` for ``total=True``; the row formula for ``total="formula"``."""
    row = where.total_row
    if row is None:
        raise ValueError("the table has no totals row")
    totals = {
        c.key: sum(float(v[c.key]) for v in values if not is_missing(v[c.key]))
        for c in cols
        if c.total is True
    }
    refs = {c.key: xl_rowcol_to_cell(row, i) for i, c in enumerate(cols)}
    for i, col in enumerate(cols):
        if i == 0:
            ws.write_string(row, i, label, book.fmt("text", "total"))
        elif col.total == "formula":
            put_formula(
                book, ws, row, i, col.formula_at(refs), col.value(totals), col.kind, "total"
            )
        elif col.total:
            span = f"{xl_rowcol_to_cell(where.first, i)}:{xl_rowcol_to_cell(where.last, i)}"
            put_formula(book, ws, row, i, f"=SUM({span})", totals[col.key], col.kind, "total")
        else:
            ws.write_blank(row, i, None, book.fmt(col.kind, "total"))


def set_widths(book: Book, ws: Worksheet, cols: Sequence[Col]) -> None:
    """Each column of the sheet as wide as its :class:`Col` says."""
    for i, col in enumerate(cols):
        book.set_width(ws, i, i, col.width)


def merge_wrapped(
    book: Book,
    ws: Worksheet,
    first_row: int,
    first_col: int,
    last_row: int,
    last_col: int,
    text: str,
    kind: str = "wrap",
    variant: str = "body",
    fill: str | None = None,
) -> None:
    """``text`` in a merged range that wraps (a single cell when the range is one), its
    rows made tall enough when the sheet is finished."""
    fmt = book.fmt(kind, variant, fill)
    if (first_row, first_col) == (last_row, last_col):
        ws.write_string(first_row, first_col, text, fmt)
    else:
        ws.merge_range(first_row, first_col, last_row, last_col, text, fmt)
    book.layout(ws).wrap(Wrapped(first_row, last_row, first_col, last_col, text, variant))


PRINT_PART_MAX = 100
"""The most characters of one part of a print header (Excel allows 255 for the header)."""


def escape_print(text: str, limit: int = PRINT_PART_MAX) -> str:
    """Escape ``&`` (a control character in Excel print headers) and cap the length at
    ``limit`` characters, never splitting an escaped ``&&``; control characters go."""
    out: list[str] = []
    used = 0
    for ch in one_line(text):
        piece = "&&" if ch == "&" else ch
        if used + len(piece) > limit:
            break
        out.append(piece)
        used += len(piece)
    return "".join(out)


def page_setup(
    book: Book,
    ws: Worksheet,
    sheet_title: str,
    last_row: int,
    last_col: int,
    repeat: tuple[int, int] | None = None,
    one_page: bool = False,
) -> None:
    """A4 landscape, one page wide (and tall if ``one_page``), title rows ``repeat`` ed on
    every page, the report's title and the sheet's name in the header, page numbers below.

    The last call on a sheet: it also finishes the layout (:func:`finish_layout`) within
    columns 0..``last_col``.
    """
    finish_layout(book, ws, last_col)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 1 if one_page else 0)
    ws.center_horizontally()
    ws.print_area(0, 0, max(last_row, 0), max(last_col, 0))
    if repeat:
        ws.repeat_rows(*repeat)
    ws.set_header(f"&L&9{escape_print(book.title)}&R&9{escape_print(sheet_title)}")
    ws.set_footer("&C&9&P / &N")


def finish_layout(book: Book, ws: Worksheet, last_col: int) -> None:
    """Settle what the printed page needs, now that every width of the sheet is known.

    * a note wider than its cell is merged across the rest of the print width (columns
      up to ``last_col``) and wrapped; a title or a section heading only when it is
      wider than the print width;
    * a table's text (``text`` and ``code`` columns) wider than its column wraps;
    * every row with wrapped cells is made tall enough for their lines (never lower
      than it was set); rows of merged ranges are never sized by Excel itself.
    """
    layout = book.layout(ws)
    for note in layout.notes:
        size, bold = VARIANT_FONTS.get(note.variant, (10.0, False))
        last = max(last_col, note.col)
        fits_cell = text_pixels(note.text, size, bold) <= column_pixels(layout.width(note.col))
        fits_print = text_pixels(note.text, size, bold) <= column_pixels(
            layout.span_width(note.col, last)
        )
        if fits_cell or (note.variant in ("title", "section") and fits_print):
            continue
        merge_wrapped(book, ws, note.row, note.col, note.row, last, note.text, "wrap", note.variant)
    for text in layout.table_text:
        if text_pixels(text.text) > column_pixels(layout.width(text.col)):
            fmt = book.fmt("wrap", text.variant, text.fill)
            ws.write_string(text.row, text.col, text.text, fmt)
            layout.wrap(Wrapped(text.row, text.row, text.col, text.col, text.text, text.variant))
    layout.notes, layout.table_text = [], []  # settled: finishing again changes nothing
    needed: dict[int, float] = {}
    for cell in layout.wrapped.values():
        size, bold = VARIANT_FONTS.get(cell.variant, (10.0, False))
        width = layout.span_width(cell.first_col, cell.last_col)
        lines = wrapped_lines(cell.text, width, size, bold)
        height = lines * LINE_HEIGHT * size + (3.0 if lines > 1 else 0.0)
        # A range over several rows: the rows above the last keep their height, the
        # last takes what is missing.
        others = sum(
            layout.heights.get(r, DEFAULT_HEIGHT) for r in range(cell.first_row, cell.last_row)
        )
        needed[cell.last_row] = max(needed.get(cell.last_row, 0.0), height - others)
    for row, height in sorted(needed.items()):
        current = layout.heights.get(row, DEFAULT_HEIGHT)
        if height > current + 0.5:
            book.set_height(ws, row, math.ceil(height * 4) / 4)


def write_title(book: Book, ws: Worksheet, text: str, subtitle: str | None = None) -> int:
    """Sheet title (and subtitle, a note); returns the next free row."""
    book.set_height(ws, 0, 26)
    ws.write_string(0, 0, text, book.fmt("text", "title"))
    book.layout(ws).notes.append(Note(0, 0, text, "title"))
    if subtitle:
        write_note(book, ws, 1, subtitle)
    return 3


def finish_table_sheet(
    book: Book,
    ws: Worksheet,
    top: int,
    table: TableRange,
    cols: Sequence[Col],
    title: str,
    note: str,
    frozen_cols: int = 0,
) -> None:
    """The end of a sheet that holds one table under a two-row header on row ``top``:
    column widths, panes frozen below the header (and left of ``frozen_cols``), a
    ``note`` under the table, and the page set-up with the header on every page."""
    set_widths(book, ws, cols)
    ws.freeze_panes(top + 2, frozen_cols)
    row = table.bottom + 1
    write_note(book, ws, row, note)
    page_setup(book, ws, title, row, len(cols) - 1, (top, top + 1))


def write_note(book: Book, ws: Worksheet, row: int, text: str, col: int = 0) -> None:
    """A note (small grey text) from column ``col`` on: the rest of the row is the
    note's, and a note wider than its cell is wrapped within the print area when the
    sheet is finished (:func:`finish_layout`). An empty note writes nothing."""
    if not text:
        return
    ws.write_string(row, col, text, book.fmt("text", "note"))
    book.layout(ws).notes.append(Note(row, col, text, "note"))


def write_section(book: Book, ws: Worksheet, row: int, text: str, width: int) -> int:
    """A section heading on ``row``, underlined across ``width`` columns; returns the next row."""
    ws.write_string(row, 0, text, book.fmt("text", "section"))
    for c in range(1, width):
        ws.write_blank(row, c, None, book.fmt("text", "section"))
    book.layout(ws).notes.append(Note(row, 0, text, "section"))
    return row + 1


def sheet_ref(sheet: str, cell: str) -> str:
    """A reference to ``cell`` of another sheet (``'シート名'!$B$7``)."""
    return f"{quote_sheetname(sheet)}!{cell}"
