"""Plain tables as workbooks: comparisons, sweeps and alternatives.

Every string is written as text (never a formula), yen columns in 千円, and the
workbook's creation date is fixed, so the same tables give the same file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.files import atomic_path, write_json
from optimizer.outputs.xlsx_layout import (
    SUBHEADER_FILL,
    YEN_THOUSANDS,
    rounds_to_zero,
    safe_sheet_name,
)
from optimizer.results.ranking import Alternative, alternatives_table, decision_differences

__all__ = ["MONEY_COLUMNS", "write_tables", "write_comparison", "write_alternatives"]


MONEY_COLUMNS = ("cost_before", "cost_after", "saving")
"""Columns in yen, shown in 千円 (thousands of yen) in the workbooks."""


def write_tables(
    path: Path,
    tables: dict[str, pd.DataFrame],
    money_columns: Sequence[str] = MONEY_COLUMNS,
    chart: Callable | None = None,
) -> Path:
    """Write tables as sheets of one workbook, atomically, every string as text.

    Yen columns (``money_columns``) are shown in 千円, negatives with △ and an amount
    that rounds to 0 千円 as 0. ``chart(book)``, when given, may add charts before the
    workbook is closed. The workbook's creation date is fixed, so the same tables give
    the same file.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True})
        book.set_properties({"created": pd.Timestamp("2000-01-01").to_pydatetime()})
        header = book.add_format({"bold": True, "bg_color": SUBHEADER_FILL, "text_wrap": True})
        money = book.add_format({"num_format": YEN_THOUSANDS})
        taken: list[str] = []
        for sheet_name, frame in tables.items():
            sheet = book.add_worksheet(safe_sheet_name(sheet_name, taken))
            taken.append(sheet.name)
            for col, name in enumerate(frame.columns):
                sheet.write_string(0, col, str(name), header)
                width = max(10, min(40, len(str(name)) + 2))
                sheet.set_column(col, col, width, money if name in money_columns else None)
                is_money = name in money_columns
                for row, value in enumerate(frame[name].tolist(), start=1):
                    if is_money and isinstance(value, float) and rounds_to_zero(value, "money"):
                        value = 0.0
                    _write_cell(sheet, row, col, value)
            sheet.freeze_panes(1, 1)
        if chart is not None:
            chart(book)
        try:
            book.close()
        except FileCreateError as exc:  # wraps the OSError (a full disk): atomic_path says so
            raise (
                exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
            ) from exc
    return path


def write_comparison(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write the comparison workbook (atomically), with a chart of cost per scenario."""
    return write_tables(path, tables, chart=lambda book: _cost_chart(book, tables["scenarios"]))


def _cost_chart(book: xlsxwriter.Workbook, scenarios: pd.DataFrame) -> None:
    """Columns of the cost before and after per scenario, under the scenarios table."""
    n = len(scenarios)
    if not n:
        return
    chart = book.add_chart({"type": "column"})
    for label in ("cost_before", "cost_after"):
        col = list(scenarios.columns).index(label)
        chart.add_series(
            {
                "name": ["scenarios", 0, col],
                "categories": ["scenarios", 1, 0, n, 0],
                "values": ["scenarios", 1, col, n, col],
            }
        )
    chart.set_title({"name": "Annual cost per scenario (千円)"})
    # Columns compare lengths: the axis starts at 0, never where the application's
    # automatic scale would put it (near the smallest cost).
    chart.set_y_axis({"num_format": "#,##0,", "min": 0})
    book.get_worksheet_by_name("scenarios").insert_chart(n + 3, 0, chart)


def _write_cell(sheet: Worksheet, row: int, col: int, value: object) -> None:
    """Numbers as numbers, booleans as Excel booleans, everything else as text (never a
    formula); ``None`` and NaN leave the cell empty.

    Unlike the report's :func:`optimizer.outputs.xlsx_layout.put_value` (formatted cells,
    はい/いいえ for booleans, every missing value blank), these plain tables keep Excel's
    own booleans and show an infinity as Excel's error value.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, float(value))
    else:
        sheet.write_string(row, col, str(value))


def write_alternatives(folder: Path, ranking: Sequence[Alternative]) -> dict[str, Path]:
    """Write ``alternatives.xlsx`` (ranking and differing decisions) and
    ``alternatives.json`` into a run folder; returns the files by name."""
    folder = Path(folder)
    table = alternatives_table(ranking)
    differences = decision_differences(ranking)
    xlsx = write_tables(
        folder / "alternatives.xlsx",
        {"alternatives": table, "differences": differences},
        money_columns=("objective", "extra_cost"),
    )
    document = {
        "plans": [
            {
                **row,
                "open_facilities": sorted(ranking[n].open_facilities),
            }
            for n, row in enumerate(table.to_dict("records"))
        ],
        "differences": differences.to_dict("records"),
    }
    json_path = write_json(folder / "alternatives.json", document)
    return {"alternatives.xlsx": xlsx, "alternatives.json": json_path}
