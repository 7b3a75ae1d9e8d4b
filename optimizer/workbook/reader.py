"""Read input workbooks (and CSV folders) into raw tables.

This is the only module that opens input files. :func:`read_tables` checks the file
before trusting it (old .xls, encrypted, renamed CSV, macro workbook, zip bomb, too many
rows, a value in the far corner of a sheet, a damaged part, an unreadable CSV file, two
sheets for one table; each sheet is read sparsely by :mod:`.sheet_cells`), finds each sheet of :mod:`optimizer.schema` by its English or Japanese name, finds
the header row and matches its headers to the schema's columns (by English name,
Japanese label, or both, ignoring case, spaces and full width; :mod:`.names`), and
returns the cell values untouched, each row keyed by the row number the user sees in
Excel. Type coercion and every rule live in :mod:`optimizer.workbook.assemble` and the
modules it uses.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import zipfile
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pandas as pd

from optimizer.errors import FileFormatError, InputError
from optimizer.schema import SHEETS, SHEETS_BY_NAME, Sheet
from optimizer.workbook.messages import WARNING, Issue, issue
from optimizer.workbook.names import SHEET_KEYS, column_for_header, column_letter, header_key
from optimizer.workbook.raw import RawTable, RawTables
from optimizer.workbook.sheet_cells import MAX_COLUMN, MAX_ROW, far_cell, read_sheet_cells

__all__ = [
    "read_tables",
    "MAX_ROWS_PER_SHEET",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_COMPRESSION_RATIO",
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

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
INSTRUCTION_SHEETS = ("説明", "instructions", "readme")
"""Sheets of a workbook that are known not to be input (ignored without a log line)."""

Row = tuple[int, list[object]]
"""(Excel row number, cell values) of one row that holds anything."""


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
        target = column_for_header(sheet, str(cell))
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
    hits = sum(
        column_for_header(sheet, str(cells[position])) == header[position] for position in seen
    )
    return hits * 2 > len(seen)


def _table_from_rows(sheet: Sheet, rows: list[Row], title: str, issues: list[Issue]) -> RawTable:
    """Find the header among the first rows, then collect the data rows below it."""
    best: dict[int, str] = {}
    best_at = 0
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
        (str(cell).strip(), column_letter(position))
        for position, cell in enumerate(header_cells)
        if position not in best and not _is_blank(cell)
    ]
    numbers: list[int] = []
    columns: dict[str, list[object]] = {name: [] for name in positions}
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
        data = _read_bytes(path)
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


def _too_many_rows(sheet: str) -> FileFormatError:
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


def _formula_issues(
    table: RawTable, rows: list[Row], formulas: set[tuple[int, int]]
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
        column = names.get(position, column_letter(position))
        found.append(
            issue(
                table.sheet,
                number,
                column,
                f"{column_letter(position)}{number}",
                "formula_without_value",
                "a value: open and save the workbook in Excel so formulas are computed, "
                "or type the value",
                "値（Excel で開いて保存し数式を計算させるか、値を直接入力）",
            )
        )
    return found


def _damaged(path: Path, where: str, exc: BaseException) -> FileFormatError:
    """``unreadable``: a part of the file that cannot be unzipped or parsed."""
    detail = str(exc).strip()
    name = type(exc).__name__
    if name == "error":  # zlib.error
        name = f"{type(exc).__module__}.{name}"
    value = f"{where}: {name}" + (f" ({detail})" if detail else "")
    return _refuse(
        path,
        "unreadable",
        "an .xlsx workbook saved by Excel (this one is damaged: save it again from Excel, "
        "or restore it from a copy)",
        "Excel で保存した .xlsx ブック（破損しています。Excel で保存し直すか、"
        "コピーから戻してください）",
        value=value,
    )


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; ``unreadable`` naming the file when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _refuse(
            path,
            "unreadable",
            "a file this program may read (check its permissions, and that it is a file)",
            "読み取れるファイル（アクセス権と、フォルダでなくファイルであることを確認）",
            value=f"{type(exc).__name__}: {exc.strerror or exc}",
        ) from None


def _duplicate_sheet(name: str, first: str, second: str) -> Issue:
    """``duplicate_sheet``: two sheets (or CSV files) hold the same table."""
    sheet = SHEETS_BY_NAME[name]
    return issue(
        name,
        None,
        None,
        f"{first}, {second}",
        "duplicate_sheet",
        f"one sheet for the {name} table (named '{sheet.name}' or '{sheet.label_ja}'): "
        f"delete or rename '{second}' or '{first}'",
        f"{name} の表はシート1つ（「{sheet.name}」または「{sheet.label_ja}」）。"
        f"「{first}」か「{second}」を削除するか名前を変えてください",
    )


def _read_xlsx(path: Path) -> RawTables:
    suffix = path.suffix.lower()
    if suffix in MACRO_SUFFIXES:
        raise _refuse(
            path,
            "macro_workbook",
            "a workbook without macros (.xlsx)",
            "マクロなしのブック（.xlsx で保存し直してください）",
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        head = _read_bytes(path)[:8]  # raises unreadable, naming the file
    _check_signature(path, head)
    _check_zip(path).close()
    data = _read_bytes(path)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _damaged(path, path.name, exc) from None
    result = RawTables(source={"path": str(path), "sha256": _sha256_bytes(data), "format": "xlsx"})
    titles: dict[str, str] = {}
    try:
        for title in book.sheetnames:
            name = SHEET_KEYS.get(header_key(title))
            if name is None:
                if header_key(title) not in {header_key(t) for t in INSTRUCTION_SHEETS}:
                    log.info("sheet %r is not an input sheet; ignored", title)
                continue
            if name in titles:
                result.issues.append(_duplicate_sheet(name, titles[name], title))
                continue
            titles[name] = title
            try:
                cells = read_sheet_cells(book[title], name, MAX_ROWS_PER_SHEET + HEADER_SEARCH_ROWS)
            except InputError:
                raise
            except Exception as exc:  # zlib, zip and XML errors of a damaged sheet
                raise _damaged(path, title, exc) from None
            if cells.overflow:
                raise _too_many_rows(name)
            table = _table_from_rows(SHEETS_BY_NAME[name], cells.rows, title, result.issues)
            result.tables[name] = table
            result.issues.extend(_formula_issues(table, cells.rows, cells.formulas))
    finally:
        book.close()
    return result


# ---------------------------------------------------------------------------
# csv folder
# ---------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), else cp932 (Shift_JIS as Windows writes it).

    Text with NUL characters (UTF-16, or a binary file named .csv) is refused too.
    """
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise _refuse(
        path,
        "bad_encoding",
        "UTF-8 or Shift_JIS (cp932) text (in Excel: Save As > CSV UTF-8)",
        "UTF-8 または Shift_JIS（cp932）のテキスト（Excel の「CSV UTF-8」で保存）",
    )


def _csv_rows(path: Path, text: str, sheet: str) -> list[Row]:
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, cells in enumerate(reader, start=1):
            if all(_is_blank(cell) for cell in cells):
                continue
            values: list[object] = [cell if cell.strip() else None for cell in cells]
            held = [at + 1 for at, value in enumerate(values) if value is not None]
            last = held[-1]
            if number > MAX_ROW or last > MAX_COLUMN:
                raise far_cell(sheet, number, last if last > MAX_COLUMN else held[0])
            rows.append((number, values[:last]))
            if len(rows) > MAX_ROWS_PER_SHEET + HEADER_SEARCH_ROWS:
                raise _too_many_rows(sheet)
    except csv.Error as exc:
        raise _refuse(
            path,
            "unreadable",
            "comma-separated text (a CSV file saved by Excel)",
            "カンマ区切りのテキスト（Excel で保存した CSV）",
            value=f"line {reader.line_num}: {exc}",
        ) from None
    return rows


def _not_a_file(path: Path) -> FileFormatError:
    kind = "a folder" if path.is_dir() else "not a regular file"
    return _refuse(
        path,
        "unreadable",
        "a CSV file (this name is taken by a folder, a link or a device)",
        "CSV ファイル（同じ名前のフォルダ・リンク・デバイスがあります）",
        value=f"{path.name}: {kind}",
    )


def _read_csv_folder(path: Path) -> RawTables:
    try:
        entries = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    except OSError as exc:
        raise _refuse(
            path,
            "unreadable",
            "a folder this program may read",
            "読み取れるフォルダ",
            value=f"{type(exc).__name__}: {exc.strerror or exc}",
        ) from None
    if not entries:
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
    files: dict[str, str] = {}
    for file in entries:
        name = SHEET_KEYS.get(header_key(file.stem))
        if name is None:
            log.info("file %s is not an input sheet; ignored", file.name)
            continue
        if name in files:
            result.issues.append(_duplicate_sheet(name, files[name], file.name))
            continue
        files[name] = file.name
        if not file.is_file():  # never open a folder, a FIFO or a broken link
            raise _not_a_file(file)
        data = _read_bytes(file)
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
        renamed CSV, macro workbook, zip bomb, too many rows, a value far outside the
        tables, damaged, unreadable, folder without CSV).
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
