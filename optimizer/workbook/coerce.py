"""The cells of one sheet → typed columns, with an issue for every cell that fails.

Each cell is parsed by its column's kind (:mod:`.cells`), blanks take the column's
default (or are reported when required), numbers are checked against the column's
range (an error outside) and its usual band (a warning outside), codes and ids with a
control character or a path separator are refused, and JIS municipality codes are
repaired (a lost leading zero) or flagged (a wrong check digit, not digits at all).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.schema import PROJECTED_POPULATION, SHEETS_BY_NAME, Column
from optimizer.workbook.cells import (
    YEAR_RANGE,
    CellError,
    code_character_problem,
    is_blank,
    jis_check_digit,
    parse_value,
    range_problem,
    repair_jis_code,
    usual_problem,
)
from optimizer.workbook.checks import check_columns
from optimizer.workbook.messages import WARNING, Issue, issue
from optimizer.workbook.raw import RawTable

__all__ = ["MUNICIPALITY_CODE_COLUMNS", "coerce_sheet", "repaired_code"]

MUNICIPALITY_CODE_COLUMNS = {
    ("municipalities", "code"),
    ("zones", "municipality"),
    ("facilities", "municipality"),
    ("candidates", "municipality"),
    ("travel", "municipality"),
    ("rules", "municipality"),
}
"""Columns holding JIS municipality codes (repaired and matched the same way)."""


def _coerce_cell(
    sheet: str, row: int, column: Column, value: object, issues: list[Issue]
) -> object:
    """One cell → typed value (or None), appending issues."""
    if is_blank(value):
        if column.required:
            issues.append(
                issue(
                    sheet,
                    row,
                    column.name,
                    value,
                    "empty_required",
                    f"a value ({column.description})",
                    f"値の入力（{column.description_ja or column.label_ja}）",
                )
            )
            return None
        return column.default
    try:
        parsed = parse_value(value, column.kind, column.choices)
    except CellError as bad:
        issues.append(
            issue(sheet, row, column.name, value, bad.code, bad.expected, bad.expected_ja)
        )
        return None
    if column.kind == "code" and isinstance(parsed, str):
        problem = code_character_problem(parsed)
        if problem:
            issues.append(issue(sheet, row, column.name, value, "bad_characters", *problem))
            return None
        if (sheet, column.name) in MUNICIPALITY_CODE_COLUMNS:
            parsed = repaired_code(sheet, row, column.name, value, parsed, issues)
        if (sheet, column.name) == ("municipalities", "code") and not parsed.isdigit():
            issues.append(_not_digits(sheet, row, column.name, value, parsed))
    if column.kind == "year" and isinstance(parsed, int):
        low, high = YEAR_RANGE
        if not low <= parsed <= high:
            issues.append(
                issue(
                    sheet,
                    row,
                    column.name,
                    value,
                    "out_of_range",
                    f"a year between {low} and {high}",
                    f"{low}年から{high}年までの年",
                )
            )
            return None
    if column.kind in ("int", "float") and column.unit != "°" and isinstance(parsed, int | float):
        problem = range_problem(parsed, column.minimum, column.maximum)
        if problem:
            issues.append(issue(sheet, row, column.name, value, "out_of_range", *problem))
            return None
    if column.kind in ("int", "float", "year") and isinstance(parsed, int | float):
        unusual = usual_problem(parsed, column.usual)
        if unusual:
            issues.append(
                issue(sheet, row, column.name, value, "unusual_value", *unusual, severity=WARNING)
            )
    return parsed


def _not_digits(sheet: str, row: int | None, column: str, value: object, code: str) -> Issue:
    """``code_not_digits`` (warning): a municipality code that is not a JIS code of digits."""
    digits = "".join(ch for ch in code if ch.isdigit())
    hint = f" ({digits}?)" if len(digits) in (5, 6) else ""
    hint_ja = f"（{digits}？）" if len(digits) in (5, 6) else ""
    return issue(
        sheet,
        row,
        column,
        value,
        "code_not_digits",
        f"a 5- or 6-digit 全国地方公共団体コード{hint}; other codes are kept as typed",
        f"5桁または6桁の全国地方公共団体コード{hint_ja}。数字以外のコードはそのまま使います",
        severity=WARNING,
    )


def repaired_code(
    sheet: str, row: int | None, column: str, value: object, code: str, issues: list[Issue]
) -> str:
    """A JIS municipality code with a lost leading zero restored; appends a warning for a
    repaired or unusual code and an error for a wrong check digit (``value`` as typed)."""
    repaired, problem = repair_jis_code(code)
    if problem == "code_repaired":
        issues.append(
            issue(
                sheet,
                row,
                column,
                value,
                "code_repaired",
                f"a 5-digit JIS code as text; read as {repaired}",
                f"5桁の団体コード（文字列）。{repaired} として読みました",
                severity=WARNING,
            )
        )
    elif problem == "bad_check_digit":
        digit = jis_check_digit(code[:5])
        issues.append(
            issue(
                sheet,
                row,
                column,
                value,
                "bad_check_digit",
                f"a valid 6-digit code ({code[:5]}{digit}?) or the 5-digit {code[:5]}",
                f"正しい6桁コード（{code[:5]}{digit}？）または5桁の {code[:5]}",
            )
        )
    elif problem == "unusual_code":
        issues.append(
            issue(
                sheet,
                row,
                column,
                value,
                "unusual_code",
                "a 5- or 6-digit 全国地方公共団体コード",
                "5桁または6桁の全国地方公共団体コード",
                severity=WARNING,
            )
        )
    return repaired


def _coerce_series(sheet: str, column: Column, raw: pd.Series, issues: list[Issue]) -> pd.Series:
    values = [
        _coerce_cell(sheet, row, column, value, issues)
        for row, value in zip(raw.index, raw.to_numpy(), strict=True)
    ]
    return _typed(values, column.kind, raw.index)


def _typed(values: list, kind: str, index: pd.Index) -> pd.Series:
    if kind in ("int", "year"):
        return pd.Series(
            pd.array([pd.NA if v is None else int(v) for v in values], dtype="Int64"), index=index
        )
    if kind == "float":
        return pd.Series(
            [np.nan if v is None else float(v) for v in values], index=index, dtype="float64"
        )
    return pd.Series(values, index=index, dtype="object")


def _projection_series(sheet: str, name: str, raw: pd.Series, issues: list[Issue]) -> pd.Series:
    column = Column(name, name, "float", "Population projection", **PROJECTED_POPULATION)
    return _coerce_series(sheet, column, raw, issues)


def coerce_sheet(table: RawTable, issues: list[Issue]) -> pd.DataFrame:
    """Typed columns of one sheet (index = Excel row); missing columns filled by default.

    Appends ``missing_column`` / ``unknown_column`` and every cell issue to ``issues``.
    """
    sheet = SHEETS_BY_NAME[table.sheet]
    issues.extend(check_columns(table))
    frame = table.frame
    out = {}
    for column in sheet.columns:
        if column.name in frame.columns:
            out[column.name] = _coerce_series(sheet.name, column, frame[column.name], issues)
        else:
            out[column.name] = _typed([column.default] * len(frame), column.kind, frame.index)
    for name in frame.columns:
        if name not in sheet.column_index:
            out[name] = _projection_series(sheet.name, name, frame[name], issues)
    return pd.DataFrame(out, index=frame.index)
