"""The stored cells of one worksheet, read sparsely and defensively.

openpyxl's read-only worksheet pads every row to the width the sheet declares and
yields every missing row up to the height it declares: a ``<dimension
ref="A1:XFD1048576"/>``, or one value in the far corner of a sheet, turns that into
billions of empty cells and a run that never ends. Here only the cells stored in the
sheet's XML are visited, with openpyxl's own parser, so that:

* the declared dimension is never used: the time taken follows the cells stored;
* a value right of :data:`MAX_COLUMN` or below :data:`MAX_ROW` stops the reading
  with a ``far_cell`` error naming the sheet and the cell;
* a number cell that is not a number (``<v>NaN</v>``, ``<v>INF</v>``, ``<v>1E999</v>``)
  is kept as its text, so that the column's own check reports it at its cell (openpyxl
  would stop the whole sheet with a ValueError);
* formula cells are noted in the same pass, so that one reading gives both the cached
  values and where the formulas are.

Damaged parts of the file (a corrupted deflate stream, broken XML) raise whatever the
zip and XML libraries raise; :mod:`.reader` turns that into an ``unreadable`` error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from optimizer.errors import FileFormatError
from optimizer.workbook.messages import issue
from optimizer.workbook.names import column_letter

__all__ = ["MAX_ROW", "MAX_COLUMN", "SheetCells", "read_sheet_cells", "far_cell"]

MAX_ROW = 300_000
"""Lowest Excel row read: a value further down is refused (the input tables hold at most
200,000 rows; anything far below them is a stray keystroke or a hostile file)."""
MAX_COLUMN = 702
"""Rightmost Excel column read (``ZZ``): the widest sheet has a few dozen columns."""

_VALUE = f"{{{SHEET_MAIN_NS}}}v"
_FORMULA = f"{{{SHEET_MAIN_NS}}}f"

Row = tuple[int, list[object]]
"""(Excel row number, cell values) of one row that holds anything."""


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _TolerantParser(WorkSheetParser):
    """openpyxl's sheet parser, keeping a number cell that is not a number as its text
    and noting where formulas are."""

    formulas: set[tuple[int, int]]

    def parse_cell(self, element: Any) -> dict[str, Any]:
        try:
            cell = dict(super().parse_cell(element))
        except ValueError:
            if element.get("t", "n") not in ("n", "b"):
                raise
            cell = self._as_text(element)
        value = cell["value"]
        if isinstance(value, float) and not math.isfinite(value):
            cell["value"] = element.findtext(_VALUE)  # "1E999": the text, reported later
        at = (cell["row"], cell["column"])
        if element.find(_FORMULA) is not None and at[0] <= MAX_ROW and at[1] <= MAX_COLUMN:
            self.formulas.add(at)
        return cell

    def _as_text(self, element: Any) -> dict[str, Any]:
        """A number (or yes/no) cell whose value does not read: its text, where it is."""
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)  # a bad reference raises here
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        text = element.findtext(_VALUE)
        return {"row": row, "column": column, "value": text, "data_type": "s", "style_id": 0}


@dataclass
class SheetCells:
    """The rows of one sheet that hold anything, and where its formulas are.

    Attributes
    ----------
    rows
        ``(Excel row, values)``; each list runs to the row's last non-blank cell.
    formulas
        ``(Excel row, 0-based position)`` of every formula cell within the caps.
    overflow
        Whether reading stopped at ``max_rows`` (the sheet holds more).
    """

    rows: list[Row] = field(default_factory=list)
    formulas: set[tuple[int, int]] = field(default_factory=set)
    overflow: bool = False


def far_cell(sheet: str, row: int, column: int) -> FileFormatError:
    """The error for a value beyond :data:`MAX_ROW` / :data:`MAX_COLUMN` (1-based)."""
    letter = column_letter(column - 1)
    last = f"{column_letter(MAX_COLUMN - 1)}{MAX_ROW:,}"
    found = issue(
        sheet,
        row,
        letter,
        f"{letter}{row}",
        "far_cell",
        f"values within A1:{last}; delete the stray cell (Ctrl+End in Excel shows the "
        "last cell a sheet holds) or move the table up and left",
        f"A1:{last} の範囲内の値（Excel の Ctrl+End で最後のセルを確かめ、離れたセルを削除"
        "してください）",
    )
    return FileFormatError([found], found.message("en"))


def read_sheet_cells(worksheet: Any, sheet: str, max_rows: int) -> SheetCells:
    """Read the stored cells of an openpyxl read-only worksheet (``data_only`` book).

    Parameters
    ----------
    worksheet
        A sheet of a workbook opened with ``read_only=True, data_only=True``.
    sheet
        Schema name of the sheet, for the messages.
    max_rows
        Most rows holding anything: reading stops at the next one, with ``overflow`` set.

    Raises
    ------
    FileFormatError
        ``far_cell`` for a value beyond the caps.
    """
    book = worksheet.parent
    found = SheetCells()
    # openpyxl keeps the sheet's source, shared strings and date styles in private
    # attributes; its own read-only worksheet reads them exactly so.
    with worksheet._get_source() as source:
        parser = _TolerantParser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        parser.formulas = set()
        for number, cells in parser.parse():
            values: dict[int, object] = {}
            for cell in cells:
                if _is_blank(cell["value"]):
                    continue
                if number > MAX_ROW or cell["column"] > MAX_COLUMN:
                    raise far_cell(sheet, number, cell["column"])
                values[cell["column"]] = cell["value"]
            if not values:
                continue
            row: list[object] = [None] * max(values)
            for column, value in values.items():
                row[column - 1] = value
            found.rows.append((number, row))
            if len(found.rows) > max_rows:
                found.overflow = True
                break
        found.formulas = {(row_at, column - 1) for row_at, column in parser.formulas}
    return found
