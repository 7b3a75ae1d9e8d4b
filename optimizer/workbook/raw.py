"""Raw tables: the sheets as read, cell values untouched, under schema column names.

:func:`~optimizer.workbook.reader.read_tables` produces them from a file;
:meth:`RawTables.from_frames` from DataFrames, so that tables built in code go through
the same validation as a workbook.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd

from optimizer.schema import SHEETS_BY_NAME
from optimizer.workbook.messages import Issue
from optimizer.workbook.names import column_for_header, column_letter, has_named_index

__all__ = ["RawTable", "RawTables", "excel_rows", "excel_items"]

log = logging.getLogger(__name__)


@dataclass
class RawTable:
    """One sheet as read: raw cell values under schema column names.

    Attributes
    ----------
    sheet
        Schema sheet name.
    frame
        One column per matched header (schema name, or ``population_YYYY`` for a
        projection), values exactly as read (object dtype). The index holds the row
        number the user sees (``row``).
    unmatched
        ``(header as typed, column letter or position)`` of headers that matched no column.
    header_row
        Row number of the (first) header row.
    title
        Sheet title or file name as found.
    """

    sheet: str
    frame: pd.DataFrame
    unmatched: list[tuple[str, str]] = field(default_factory=list)
    header_row: int = 1
    title: str = ""


@dataclass
class RawTables:
    """Every sheet found, plus provenance and the problems met while reading.

    Attributes
    ----------
    tables
        Schema sheet name → :class:`RawTable`, only for sheets present.
    source
        ``{"path": str, "sha256": str, "format": "xlsx" | "csv" | "frames"}``.
    issues
        Problems found while reading (formula cells without values, duplicate headers).
    """

    tables: dict[str, RawTable] = field(default_factory=dict)
    source: dict = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def __contains__(self, sheet: str) -> bool:
        return sheet in self.tables

    def frame(self, sheet: str) -> pd.DataFrame:
        return self.tables[sheet].frame

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: table.frame for name, table in self.tables.items()}

    @classmethod
    def from_frames(
        cls, frames: Mapping[str, pd.DataFrame], source: dict | None = None
    ) -> RawTables:
        """Wrap DataFrames with schema column names, numbered as in a workbook.

        Rows are numbered as a one-header-row workbook would show them: header row 1,
        first data row 2. Columns that are not in the schema become ``unmatched``.
        Frames for sheets outside the schema are ignored (logged).
        """
        tables: dict[str, RawTable] = {}
        for name, frame in frames.items():
            sheet = SHEETS_BY_NAME.get(name)
            if sheet is None:
                log.warning("ignoring table %r: not a sheet of the schema", name)
                continue
            frame = frame.reset_index(drop=not has_named_index(frame))
            known, unmatched = [], []
            for position, column in enumerate(frame.columns):
                target = column_for_header(sheet, str(column))
                if target is None:
                    unmatched.append((str(column), column_letter(position)))
                else:
                    known.append((column, target))
            raw = pd.DataFrame(
                {target: frame[column].astype(object).to_numpy() for column, target in known},
                index=pd.RangeIndex(2, 2 + len(frame), name="row"),
                dtype=object,
            )
            tables[name] = RawTable(name, raw, unmatched, header_row=1, title=name)
        src = {"path": "", "sha256": "", "format": "frames"}
        src.update(source or {})
        return cls(tables=tables, source=src)


# ---------------------------------------------------------------------------
# iterating over frames indexed by Excel row
# ---------------------------------------------------------------------------


def _excel_row(label: Hashable) -> int:
    """A frame label as the Excel row it is (every sheet frame is indexed by row)."""
    return cast(int, label)


def excel_rows(frame: pd.DataFrame) -> Iterator[tuple[int, pd.Series]]:
    """``(Excel row, record)`` for each row of a sheet's frame (as ``iterrows``)."""
    for label, record in frame.iterrows():
        yield _excel_row(label), record


def excel_items(values: pd.Series) -> Iterator[tuple[int, Any]]:
    """``(Excel row, value)`` for each cell of a sheet's column (as ``items``)."""
    for label, value in values.items():
        yield _excel_row(label), value
