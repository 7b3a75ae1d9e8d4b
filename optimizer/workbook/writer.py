"""Tables of schema columns → an input workbook (.xlsx bytes), in the template's layout.

Every sheet of :mod:`optimizer.schema` gets row 1 English names, row 2 Japanese labels,
data from row 3 (:data:`DATA_START_ROW`), number formats, frozen headers and drop-down
lists; the instructions sheet (:mod:`.instructions`) comes first. The bytes are
reproducible: fixed document times and zip timestamps. Writing them to disk is the job
of :func:`optimizer.outputs.workbooks.write_workbook`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.schema import SHEETS, SHEETS_BY_NAME, Column, Sheet
from optimizer.workbook.instructions import add_instructions_sheet
from optimizer.workbook.names import has_named_index, projection_column, projection_label

__all__ = ["workbook_bytes", "DATA_START_ROW", "FIXED_TIMESTAMP"]

log = logging.getLogger(__name__)

DATA_START_ROW = 3
"""First data row of a written workbook (row 1 English names, row 2 Japanese labels)."""
FIXED_TIMESTAMP = dt.datetime(2024, 1, 1)
"""Document time written into every workbook, so that builds are reproducible."""
DROPDOWN_ROWS = 2000
"""Rows below the header that carry the drop-down lists."""

SheetColumns = list[tuple[str, Column | None]]
"""(column name, schema column or None for a projection column) in sheet order."""

NUMBER_FORMATS = {"int": "#,##0", "year": "0", "code": "@", "text": "@", "enum": "@", "bool": "@"}
HEADER_FILL = "1F4E78"
LABEL_FILL = "DDEBF7"


def _number_format(column: Column) -> str:
    if column.kind != "float":
        return NUMBER_FORMATS[column.kind]
    if column.unit == "°":
        return "0.000000"
    if column.maximum is not None and column.maximum <= 1:
        return "0.00##"
    if column.usual is not None and column.usual[0] is not None and 0 < column.usual[0] < 0.01:
        return "#,##0.####"  # small rates (0.035 beds per person) keep their digits
    return "#,##0.##"


def _bool_words(lang: str) -> tuple[str, str]:
    return ("yes", "no") if lang == "en" else ("はい", "いいえ")


def _cell_value(value: object, column: Column | None, lang: str) -> object:
    """A table value as the cell should hold it (codes as text, blanks as None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if column is not None and column.kind == "bool" and isinstance(value, bool | int):
        yes, no = _bool_words(lang)
        return yes if value else no
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalar → Python
    if column is not None and column.kind == "code" and not isinstance(value, str):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)
    if (
        isinstance(value, float)
        and value.is_integer()
        and column is not None
        and column.kind in ("int", "year")
    ):
        return int(value)
    return value


def _sheet_columns(sheet: Sheet, frame: pd.DataFrame | None) -> SheetColumns:
    """Schema columns in order, plus projection columns present in the frame."""
    columns: SheetColumns = [(c.name, c) for c in sheet.columns]
    if frame is not None and sheet.open_columns:
        for name in frame.columns:
            projection = projection_column(name)
            if projection and projection not in sheet.column_index:
                columns.append((projection, None))
    return columns


def _write_sheet(book: Workbook, sheet: Sheet, frame: pd.DataFrame | None, lang: str) -> None:
    ws = book.create_sheet(sheet.name)
    columns = _sheet_columns(sheet, frame)
    bold_white = Font(bold=True, color="FFFFFF")
    for position, (name, column) in enumerate(columns, start=1):
        label = column.label_ja if column is not None else projection_label(name)
        top = ws.cell(row=1, column=position, value=name)
        top.font, top.fill = bold_white, PatternFill("solid", fgColor=HEADER_FILL)
        second = ws.cell(row=2, column=position, value=label)
        second.fill = PatternFill("solid", fgColor=LABEL_FILL)
        second.font = Font(bold=True)
        for cell in (top, second):
            cell.alignment = Alignment(horizontal="center", vertical="center")
        width = max(len(name) + 2, 2 * len(label) + 2, 12)
        ws.column_dimensions[get_column_letter(position)].width = min(width, 40)
    ws.freeze_panes = "A3"
    if frame is not None:
        data = frame.reset_index() if has_named_index(frame) else frame
        for offset, record in enumerate(data.to_dict("records")):
            row = DATA_START_ROW + offset
            for position, (name, column) in enumerate(columns, start=1):
                value = _cell_value(record.get(name), column, lang)
                cell = ws.cell(row=row, column=position, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # user text, never a formula
    for position, (_, column) in enumerate(columns, start=1):
        letter = get_column_letter(position)
        number_format = _number_format(column) if column is not None else "#,##0"
        ws.column_dimensions[letter].number_format = number_format
        for (cell,) in ws.iter_rows(min_row=DATA_START_ROW, min_col=position, max_col=position):
            cell.number_format = number_format
    _add_validations(ws, sheet, columns, lang)


def _add_validations(ws: Worksheet, sheet: Sheet, columns: SheetColumns, lang: str) -> None:
    """Drop-down lists: enum choices, yes/no, facility types and municipality codes."""
    last = DATA_START_ROW + DROPDOWN_ROWS - 1
    for position, (_name, column) in enumerate(columns, start=1):
        if column is None:
            continue
        formula = None
        if column.kind == "enum":
            formula = '"' + ",".join(column.choices) + '"'
        elif column.kind == "bool":
            formula = '"' + ",".join(_bool_words(lang)) + '"'
        elif column.name == "type" and sheet.name in ("facilities", "candidates"):
            formula = f"=facility_types!$A${DATA_START_ROW}:$A${last}"
        if formula is None:
            continue
        validation = DataValidation(
            type="list", formula1=formula, allow_blank=True, showErrorMessage=column.kind != "code"
        )
        if column.kind == "code":
            validation.errorStyle = "warning"
        letter = get_column_letter(position)
        validation.add(f"{letter}{DATA_START_ROW}:{letter}{last}")
        ws.add_data_validation(validation)


def _reproducible(data: bytes) -> bytes:
    """Rewrite an .xlsx with fixed document times and zip timestamps."""
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                    lambda m: m.group(1) + stamp.encode(),
                    content,
                )
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


def workbook_bytes(
    tables: Mapping[str, pd.DataFrame], lang: str = "ja", *, instructions: bool = True
) -> bytes:
    """An input workbook holding ``tables``, as reproducible .xlsx bytes.

    Parameters
    ----------
    tables
        Sheet name → DataFrame with schema column names (index ignored unless named,
        e.g. ``code`` / ``id`` / ``type``, then written as that column). Every sheet of
        the schema is written; sheets missing from ``tables`` are left with headers only.
    lang
        Language of the instructions sheet and of yes/no cells.
    instructions
        Add the instructions sheet (説明) generated from the schema.
    """
    unknown = sorted(set(tables) - set(SHEETS_BY_NAME))
    if unknown:
        log.warning("not written (not sheets of the schema): %s", ", ".join(unknown))
    book = Workbook()
    for default_sheet in list(book.worksheets):
        book.remove(default_sheet)
    if instructions:
        add_instructions_sheet(book, lang)
    for sheet in SHEETS:
        _write_sheet(book, sheet, tables.get(sheet.name), lang)
    book.properties.creator = "facility-sharing-optimizer"
    book.properties.created = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible(buffer.getvalue())
