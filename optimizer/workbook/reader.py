"""Read input workbooks (and CSV folders) into raw tables; write tables back out.

This is the only module that opens input files. :func:`read_tables` checks the file
before trusting it (old .xls, encrypted, renamed CSV, macro workbook, zip bomb, too many
rows), finds each sheet of :mod:`optimizer.schema` by its English or Japanese name, finds
the header row and matches its headers to the schema's columns (by English name,
Japanese label, or both, ignoring case, spaces and full width), and returns the cell
values untouched, each row keyed by the row number the user sees in Excel. Type
coercion and every rule live in :mod:`optimizer.workbook.validate`.

:func:`write_workbook` writes tables of schema columns in the layout of the blank
template (row 1 English names, row 2 Japanese labels, data from row 3), atomically and
byte-for-byte reproducibly.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from optimizer.errors import FileFormatError, OutputError
from optimizer.schema import SHEETS, SHEETS_BY_NAME, Column, Sheet
from optimizer.workbook.messages import WARNING, Issue, issue

__all__ = [
    "RawTable",
    "RawTables",
    "read_tables",
    "write_workbook",
    "header_key",
    "projection_column",
    "MAX_ROWS_PER_SHEET",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_COMPRESSION_RATIO",
    "DATA_START_ROW",
]

log = logging.getLogger(__name__)

MAX_ROWS_PER_SHEET = 200_000
"""Most data rows read from one sheet or CSV file."""
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
"""Most bytes an .xlsx may declare once unzipped [bytes] (checked before loading)."""
MAX_COMPRESSION_RATIO = 200.0
"""Refuse an .xlsx above this uncompressed ÷ compressed ratio once it exceeds 16 MiB."""
HEADER_SEARCH_ROWS = 5
"""The header row is looked for among the first rows of a sheet."""
DATA_START_ROW = 3
"""First data row of a workbook written by :func:`write_workbook`."""

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
FIXED_TIMESTAMP = dt.datetime(2024, 1, 1)
"""Document time written into every workbook, so that builds are reproducible."""
INSTRUCTION_SHEETS = ("説明", "instructions", "readme")


# ---------------------------------------------------------------------------
# normalisation of names
# ---------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s_()\[\]{}<>（）【】「」:：/・,，.。\-]+")
_PROJECTION = re.compile(r"^population_?(75_?plus_?)?_?(\d{4})$")
_PROJECTION_JA = re.compile(r"^(75歳以上人口|人口)[_\s]*(\d{4})年?$")


def header_key(text: object) -> str:
    """Comparable form of a header or sheet name: NFKC, lower case, no separators."""
    if text is None:
        return ""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(text)).lower())


def projection_column(text: object) -> str | None:
    """``population_2030`` / ``population_75plus_2030`` from a header, else None.

    Accepts spaces or no underscore (``population 2030``) and the Japanese
    ``人口2030`` / ``75歳以上人口_2030``.
    """
    if text is None:
        return None
    raw = re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFKC", str(text)).strip().lower())
    match = _PROJECTION.match(raw)
    if match:
        prefix = "population_75plus_" if match.group(1) else "population_"
        return f"{prefix}{match.group(2)}"
    match = _PROJECTION_JA.match(raw)
    if match:
        prefix = "population_75plus_" if match.group(1).startswith("75") else "population_"
        return f"{prefix}{match.group(2)}"
    return None


def _column_keys(sheet: Sheet) -> dict[str, str]:
    """Header key → column name, for every accepted spelling of each column."""
    keys: dict[str, str] = {}
    for column in sheet.columns:
        for spelling in (
            column.name,
            column.label_ja,
            f"{column.name}{column.label_ja}",
            f"{column.label_ja}{column.name}",
        ):
            keys.setdefault(header_key(spelling), column.name)
    return keys


def _sheet_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for sheet in SHEETS:
        for spelling in (
            sheet.name,
            sheet.label_ja,
            f"{sheet.name}{sheet.label_ja}",
            f"{sheet.label_ja}{sheet.name}",
        ):
            keys[header_key(spelling)] = sheet.name
    return keys


SHEET_KEYS = _sheet_keys()
COLUMN_KEYS = {sheet.name: _column_keys(sheet) for sheet in SHEETS}


# ---------------------------------------------------------------------------
# raw tables
# ---------------------------------------------------------------------------


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
            frame = frame.reset_index(drop=not _has_named_index(frame))
            known, unmatched = [], []
            for position, column in enumerate(frame.columns):
                target = _frame_column(sheet, str(column))
                if target is None:
                    unmatched.append((str(column), _letter(position)))
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


def _has_named_index(frame: pd.DataFrame) -> bool:
    return frame.index.name is not None and frame.index.name not in frame.columns


def _frame_column(sheet: Sheet, header: str) -> str | None:
    if header in sheet.column_index:
        return header
    found = COLUMN_KEYS[sheet.name].get(header_key(header))
    if found is None and sheet.open_columns:
        found = projection_column(header)
    return found


def _letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


# ---------------------------------------------------------------------------
# header detection (shared by xlsx and csv)
# ---------------------------------------------------------------------------


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _match_row(sheet: Sheet, cells: Iterable[object]) -> dict[int, str]:
    """Position → schema column for the cells of one row that name a column."""
    matched = {}
    for position, cell in enumerate(cells):
        if _is_blank(cell):
            continue
        target = _frame_column(sheet, str(cell))
        if target is not None:
            matched[position] = target
    return matched


def _is_label_row(sheet: Sheet, cells: list[object], header: dict[int, str]) -> bool:
    """Whether a row just under the header is a second header row (Japanese labels)."""
    seen = [
        position for position in header if position < len(cells) and not _is_blank(cells[position])
    ]
    if not seen:
        return False
    hits = sum(_frame_column(sheet, str(cells[position])) == header[position] for position in seen)
    return hits * 2 > len(seen)


def _table_from_rows(
    sheet: Sheet, rows: list[tuple[int, list[object]]], title: str, issues: list[Issue]
) -> RawTable:
    """Find the header among the first rows, then collect the data rows below it."""
    best, best_at = {}, 0
    for at, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        matched = _match_row(sheet, cells)
        if len(matched) > len(best):
            best, best_at = matched, at
    if not best:
        empty = pd.DataFrame(index=pd.Index([], name="row", dtype=int))
        return RawTable(sheet.name, empty, [], header_row=rows[0][0] if rows else 1, title=title)
    header_row, header_cells = rows[best_at]
    start = best_at + 1
    if start < len(rows) and _is_label_row(sheet, rows[start][1], best):
        start += 1
    positions: dict[str, int] = {}
    for position, name in sorted(best.items()):
        if name in positions:
            issues.append(
                issue(
                    sheet.name,
                    header_row,
                    name,
                    header_cells[position],
                    "duplicate_column",
                    "each column once; the first one is used",
                    "各列は1回だけ（最初の列を使います）",
                    severity=WARNING,
                )
            )
            continue
        positions[name] = position
    unmatched = [
        (str(cell).strip(), _letter(position))
        for position, cell in enumerate(header_cells)
        if position not in best and not _is_blank(cell)
    ]
    numbers, columns = [], {name: [] for name in positions}
    for number, cells in rows[start:]:
        if all(_is_blank(cell) for cell in cells):
            continue
        numbers.append(number)
        for name, position in positions.items():
            columns[name].append(cells[position] if position < len(cells) else None)
    frame = pd.DataFrame(columns, index=pd.Index(numbers, name="row", dtype=int), dtype=object)
    return RawTable(sheet.name, frame, unmatched, header_row=header_row, title=title)


# ---------------------------------------------------------------------------
# file checks
# ---------------------------------------------------------------------------


def _refuse(
    path: Path, code: str, expected: str, expected_ja: str, value: object = None
) -> FileFormatError:
    found = issue(
        path.name, None, None, path.name if value is None else value, code, expected, expected_ja
    )
    return FileFormatError([found], found.message("en"))


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_signature(path: Path, head: bytes) -> None:
    """Refuse OLE2 containers (old .xls, encrypted .xlsx) and non-zip files."""
    if head.startswith(OLE2_SIGNATURE):
        data = path.read_bytes()
        if (
            "EncryptedPackage".encode("utf-16-le") in data
            or b"EncryptionInfo" in data
            or "EncryptionInfo".encode("utf-16-le") in data
        ):
            raise _refuse(
                path,
                "encrypted",
                "a workbook without a password: open it in Excel, remove the "
                "password (File > Info > Protect Workbook) and save as .xlsx",
                "パスワードなしのブック（Excel でパスワードを解除して .xlsx で保存）",
            )
        raise _refuse(
            path,
            "xls_format",
            "an .xlsx workbook: open it in Excel and save as .xlsx",
            ".xlsx 形式（Excel で開き「Excel ブック (.xlsx)」で保存し直してください）",
        )
    if not head.startswith(ZIP_SIGNATURE):
        raise _refuse(
            path,
            "not_xlsx",
            "an .xlsx workbook; for CSV, put the files in a folder named after "
            "the sheets (municipalities.csv, ...) and pass the folder",
            ".xlsx 形式のブック（CSV はシート名のファイル名でフォルダにまとめて指定）",
        )


def _check_zip(path: Path) -> zipfile.ZipFile:
    """Refuse macro workbooks and zip bombs, from the zip's declared sizes only."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(
            path,
            "unreadable",
            "an .xlsx workbook saved by Excel",
            "Excel で保存した .xlsx ブック",
            value=str(exc),
        ) from None
    members = archive.infolist()
    names = {member.filename for member in members}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        archive.close()
        raise _refuse(
            path,
            "macro_workbook",
            "a workbook without macros (.xlsx)",
            "マクロなしのブック（.xlsx で保存し直してください）",
        )
    declared = sum(member.file_size for member in members)
    compressed = max(1, sum(member.compress_size for member in members))
    ratio = declared / compressed
    if declared > MAX_UNCOMPRESSED_BYTES or (
        declared > 16 * 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO
    ):
        archive.close()
        raise _refuse(
            path,
            "zip_bomb",
            f"at most {MAX_UNCOMPRESSED_BYTES // 2**20} MiB once unzipped and a "
            f"compression ratio under {MAX_COMPRESSION_RATIO:.0f}",
            f"展開後 {MAX_UNCOMPRESSED_BYTES // 2**20} MiB 以下",
            value=f"{declared / 2**20:.0f} MiB (ratio {ratio:.0f})",
        )
    if "xl/workbook.xml" not in names:
        archive.close()
        raise _refuse(path, "not_xlsx", "an .xlsx workbook", ".xlsx 形式のブック")
    return archive


def _too_many_rows(sheet: str, count: int) -> FileFormatError:
    found = issue(
        sheet,
        None,
        None,
        f"> {MAX_ROWS_PER_SHEET:,}",
        "too_many_rows",
        f"at most {MAX_ROWS_PER_SHEET:,} rows per sheet",
        f"1シート {MAX_ROWS_PER_SHEET:,} 行以下",
    )
    return FileFormatError([found], found.message("en"))


# ---------------------------------------------------------------------------
# xlsx
# ---------------------------------------------------------------------------


def _sheet_rows(worksheet, sheet: str) -> list[tuple[int, list[object]]]:
    """(row number, cell values) of the rows that hold anything, capped."""
    rows = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if values is None or all(_is_blank(value) for value in values):
            continue
        rows.append((number, list(values)))
        if len(rows) > MAX_ROWS_PER_SHEET + HEADER_SEARCH_ROWS:
            raise _too_many_rows(sheet, len(rows))
    return rows


def _has_formulas(archive: zipfile.ZipFile) -> bool:
    for member in archive.infolist():
        if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
            with archive.open(member) as handle:
                for chunk in iter(lambda h=handle: h.read(1 << 20), b""):
                    if b"<f>" in chunk or b"<f " in chunk or b":f>" in chunk:
                        return True
    return False


def _uncomputed_formulas(path: Path, titles: dict[str, str]) -> dict[str, set[tuple[int, int]]]:
    """Sheet title → (row, position) of formula cells, read without cached values."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found: dict[str, set[tuple[int, int]]] = {}
        for title in titles:
            cells = set()
            for number, values in enumerate(book[title].iter_rows(values_only=True), start=1):
                for position, value in enumerate(values or ()):
                    if isinstance(value, str) and value.startswith("="):
                        cells.add((number, position))
            found[title] = cells
        return found
    finally:
        book.close()


def _formula_issues(
    table: RawTable, rows: list[tuple[int, list[object]]], formulas: set[tuple[int, int]]
) -> list[Issue]:
    """Issues for formula cells whose cached value is missing (read as blank)."""
    if not formulas:
        return []
    values = dict(rows)
    header_cells = values.get(table.header_row, [])
    names = _match_row(SHEETS_BY_NAME[table.sheet], header_cells)
    found = []
    for number, position in sorted(formulas):
        cells = values.get(number, [])
        if position < len(cells) and not _is_blank(cells[position]):
            continue
        column = names.get(position, _letter(position))
        found.append(
            issue(
                table.sheet,
                number,
                column,
                f"{_letter(position)}{number}",
                "formula_without_value",
                "a value: open and save the workbook in Excel so formulas are computed, "
                "or type the value",
                "値（Excel で開いて保存し数式を計算させるか、値を直接入力）",
            )
        )
    return found


def _read_xlsx(path: Path) -> RawTables:
    import openpyxl

    suffix = path.suffix.lower()
    if suffix in MACRO_SUFFIXES:
        raise _refuse(
            path,
            "macro_workbook",
            "a workbook without macros (.xlsx)",
            "マクロなしのブック（.xlsx で保存し直してください）",
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    _check_signature(path, head)
    archive = _check_zip(path)
    with archive:
        formulas_present = _has_formulas(archive)
    data = path.read_bytes()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _refuse(
            path,
            "unreadable",
            "an .xlsx workbook saved by Excel",
            "Excel で保存した .xlsx ブック",
            value=type(exc).__name__,
        ) from None
    result = RawTables(source={"path": str(path), "sha256": _sha256_bytes(data), "format": "xlsx"})
    found_rows: dict[str, tuple[str, list]] = {}
    try:
        for title in book.sheetnames:
            name = SHEET_KEYS.get(header_key(title))
            if name is None or name in result.tables:
                if header_key(title) not in {header_key(t) for t in INSTRUCTION_SHEETS}:
                    log.info("sheet %r is not an input sheet; ignored", title)
                continue
            rows = _sheet_rows(book[title], name)
            table = _table_from_rows(SHEETS_BY_NAME[name], rows, title, result.issues)
            result.tables[name] = table
            found_rows[name] = (title, rows)
    finally:
        book.close()
    if formulas_present:
        formulas = _uncomputed_formulas(
            path, {title: name for name, (title, _) in found_rows.items()}
        )
        for name, (title, rows) in found_rows.items():
            result.issues.extend(
                _formula_issues(result.tables[name], rows, formulas.get(title, set()))
            )
    return result


# ---------------------------------------------------------------------------
# csv folder
# ---------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), else cp932 (Shift_JIS as Windows writes it)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(
        path,
        "bad_encoding",
        "UTF-8 or Shift_JIS (cp932) text",
        "UTF-8 または Shift_JIS（cp932）のテキスト",
    )


def _csv_rows(path: Path, text: str, sheet: str) -> list[tuple[int, list[object]]]:
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if all(_is_blank(cell) for cell in cells):
            continue
        rows.append((number, [cell if cell.strip() else None for cell in cells]))
        if len(rows) > MAX_ROWS_PER_SHEET + HEADER_SEARCH_ROWS:
            raise _too_many_rows(sheet, len(rows))
    return rows


def _read_csv_folder(path: Path) -> RawTables:
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    if not files:
        raise _refuse(
            path,
            "no_csv_files",
            "CSV files named after the sheets: "
            + ", ".join(f"{s.name}.csv" for s in SHEETS if s.required),
            "シート名の CSV ファイル（"
            + "、".join(f"{s.name}.csv" for s in SHEETS if s.required)
            + "）",
        )
    digest = hashlib.sha256()
    result = RawTables()
    for file in files:
        name = SHEET_KEYS.get(header_key(file.stem))
        if name is None or name in result.tables:
            log.info("file %s is not an input sheet; ignored", file.name)
            continue
        data = file.read_bytes()
        digest.update(file.name.encode("utf-8") + b"\0" + _sha256_bytes(data).encode() + b"\n")
        rows = _csv_rows(file, _decode(file, data), name)
        result.tables[name] = _table_from_rows(SHEETS_BY_NAME[name], rows, file.name, result.issues)
    result.source = {"path": str(path), "sha256": digest.hexdigest(), "format": "csv"}
    return result


def read_tables(path: str | Path) -> RawTables:
    """Read an .xlsx workbook or a folder of CSV files into raw tables.

    Parameters
    ----------
    path
        An ``.xlsx`` file, or a folder holding ``municipalities.csv``,
        ``facilities.csv``, ... (UTF-8 with or without BOM, or cp932).

    Returns
    -------
    RawTables
        The sheets found (raw values, schema column names, Excel row numbers), the
        problems met while reading, and provenance (path, sha256, format).

    Raises
    ------
    FileFormatError
        The file cannot be read as an input at all (missing, old .xls, encrypted,
        renamed CSV, macro workbook, zip bomb, too many rows, folder without CSV).
    """
    path = Path(path)
    if not path.exists():
        raise _refuse(
            path,
            "file_not_found",
            "an existing .xlsx file or CSV folder",
            "存在する .xlsx ファイルまたは CSV フォルダ",
            value=str(path),
        )
    if path.is_dir():
        return _read_csv_folder(path)
    if path.suffix.lower() in (".xlsx", ".xls", ".xltx", *MACRO_SUFFIXES):
        return _read_xlsx(path)
    raise _refuse(
        path,
        "unsupported_format",
        "an .xlsx workbook or a folder of CSV files",
        ".xlsx ブックまたは CSV ファイルのフォルダ",
        value=path.suffix or path.name,
    )


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------

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


def _sheet_columns(sheet: Sheet, frame: pd.DataFrame | None) -> list[tuple[str, Column | None]]:
    """Schema columns in order, plus projection columns present in the frame."""
    columns: list[tuple[str, Column | None]] = [(c.name, c) for c in sheet.columns]
    if frame is not None and sheet.open_columns:
        for name in frame.columns:
            projection = projection_column(name)
            if projection and projection not in sheet.column_index:
                columns.append((projection, None))
    return columns


def _write_sheet(book, sheet: Sheet, frame: pd.DataFrame | None, lang: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(sheet.name)
    columns = _sheet_columns(sheet, frame)
    bold_white = Font(bold=True, color="FFFFFF")
    for position, (name, column) in enumerate(columns, start=1):
        label = column.label_ja if column is not None else _projection_label(name)
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
        data = frame.reset_index() if _has_named_index(frame) else frame
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


def _projection_label(name: str) -> str:
    match = _PROJECTION.match(name)
    if not match:
        return name
    label = "75歳以上人口" if match.group(1) else "人口"
    return f"{label}（{match.group(2)}年）"


DROPDOWN_ROWS = 2000
"""Rows below the header that carry the drop-down lists."""


def _add_validations(ws, sheet: Sheet, columns, lang: str) -> None:
    """Drop-down lists: enum choices, yes/no, facility types and municipality codes."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_workbook(
    tables: Mapping[str, pd.DataFrame],
    path: str | Path,
    lang: str = "ja",
    *,
    input_path: str | Path | None = None,
    instructions: bool = True,
) -> Path:
    """Write tables of schema columns as an input workbook (the template's layout).

    Parameters
    ----------
    tables
        Sheet name → DataFrame with schema column names (index ignored unless named,
        e.g. ``code`` / ``id`` / ``type``, then written as that column). Every sheet of
        the schema is written; sheets missing from ``tables`` are left with headers only.
    path
        Target ``.xlsx``; written atomically (temporary file, then ``os.replace``).
    lang
        Language of the instructions sheet and of yes/no cells.
    input_path
        The workbook the tables were read from, if any: writing over it is refused.
    instructions
        Add the instructions sheet (説明) generated from the schema.

    Returns
    -------
    Path
        ``path``.
    """
    import openpyxl

    path = Path(path)
    if input_path is not None and path.resolve() == Path(input_path).resolve():
        raise OutputError(f"refusing to overwrite the input workbook {path}")
    if path.suffix.lower() != ".xlsx":
        raise OutputError(f"an input workbook must be written as .xlsx, not {path.name}")
    unknown = sorted(set(tables) - set(SHEETS_BY_NAME))
    if unknown:
        log.warning("not written (not sheets of the schema): %s", ", ".join(unknown))
    book = openpyxl.Workbook()
    book.remove(book.active)
    if instructions:
        from optimizer.workbook.template import write_instructions  # template builds on this module

        write_instructions(book, lang)
    for sheet in SHEETS:
        _write_sheet(book, sheet, tables.get(sheet.name), lang)
    book.properties.creator = "facility-sharing-optimizer"
    book.properties.created = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write_bytes(path, _reproducible(buffer.getvalue()))
    return path
