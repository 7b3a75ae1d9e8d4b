"""Helpers to build small defective workbooks for the validation tests."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from optimizer.errors import InputError
from optimizer.outputs.workbooks import write_workbook
from optimizer.workbook.assemble import load_problem
from optimizer.workbook.messages import Issue
from optimizer.workbook.template import example_tables
from optimizer.workbook.writer import DATA_START_ROW

FIRST = DATA_START_ROW
"""Excel row of the first example row in a written workbook."""


def base_tables() -> dict[str, pd.DataFrame]:
    """The template's example rows: a small area that validates without errors."""
    return {name: frame.copy() for name, frame in example_tables().items()}


def workbook(
    tmp_path: Path, tables: dict[str, pd.DataFrame] | None = None, name: str = "input.xlsx"
) -> Path:
    return write_workbook(base_tables() if tables is None else tables, tmp_path / name)


def set_cell(path: Path, sheet: str, row: int, column: str, value: object) -> None:
    """Put a raw value (any type, even a formula) into the cell under ``column``."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    headers = [cell.value for cell in ws[1]]
    if column in headers:
        position = headers.index(column) + 1
    else:
        position = len([h for h in headers if h is not None]) + 1
        ws.cell(row=1, column=position).value = column
    ws.cell(row=row, column=position).value = value  # cell(value=None) would not clear
    book.save(path)


def issues_of(path: Path) -> tuple[list[Issue], bool]:
    """(issues, raised): every issue of loading ``path`` and whether InputError was raised."""
    try:
        _, warnings = load_problem(path)
    except InputError as error:
        return error.issues, True
    return warnings, False


def the(issues: list[Issue], code: str) -> Issue:
    found = [item for item in issues if item.code == code]
    assert found, f"no {code} among {[i.code for i in issues]}"
    return found[0]


def assert_issue(
    path: Path,
    code: str,
    *,
    sheet: str,
    row: int | None,
    column: str | None,
    value: object = None,
    severity: str = "error",
) -> Issue:
    """Load ``path``; assert the issue and the exit behaviour (raise only for errors)."""
    issues, raised = issues_of(path)
    found = the(issues, code)
    assert (found.sheet, found.row, found.column) == (sheet, row, column), found
    assert found.severity == severity
    errors = [item for item in issues if item.severity == "error"]
    assert raised == bool(errors)
    if severity == "error":
        assert raised
    for lang in ("ja", "en"):
        text = found.message(lang)
        assert sheet in text
        if row is not None:
            assert str(row) in text
        if column is not None:
            assert column in text
        if value is not None:
            assert str(value) in text
    return found


__all__ = [
    "FIRST",
    "assert_issue",
    "base_tables",
    "issues_of",
    "set_cell",
    "the",
    "workbook",
    "pytest",
]
