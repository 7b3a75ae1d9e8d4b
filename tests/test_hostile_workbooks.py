"""Hostile workbooks and CSV folders: every one ends with exit code 3 (bad input) and one
clear message, in Japanese and in English — never a hang, a traceback or a crash later.

Each case is built from the template's example tables (:mod:`defects`), then broken: a
cell edited through openpyxl, the sheet XML rewritten inside the zip (what openpyxl
would never write: NaN, INF, a value in the far corner, a damaged deflate stream), or a
CSV folder with an unreadable file. Each runs the real command line through
:func:`hostile.hostile_run` (exit code, both languages, no traceback, a time bound, input
unchanged). Warnings (demand beyond reach, codes that are not digits) end with exit 0
and the warning in both languages.

The command line takes about a second to start, so only the cases that could hang (the
far corner, a FIFO) and the ``solve`` runs get a process of their own, started two at a
time in the background as soon as the module starts; the others run through click's
runner in this process with the harness's own checks.
"""

from __future__ import annotations

import csv
import os
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from defects import FIRST, base_tables, set_cell, workbook
from hostile import Ended, assert_ended, hostile_run, sha256_of

from optimizer.cli import cli
from optimizer.errors import FileFormatError
from optimizer.schema import PARAMETERS, SHEETS
from optimizer.workbook.reader import read_tables
from optimizer.workbook.sheet_cells import MAX_COLUMN, MAX_ROW

BOUND_S = 30.0
"""No case may take longer (the far corner took forever before)."""

PARAM_ROW = {p.name: FIRST + i for i, p in enumerate(PARAMETERS)}


# ---------------------------------------------------------------------------
# building hostile inputs
# ---------------------------------------------------------------------------


def tables_with(**changes: Callable[[pd.DataFrame], pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The template's tables with some of them changed (sheet name → function)."""
    tables = base_tables()
    for name, change in changes.items():
        tables[name] = change(tables[name].copy())
    return tables


def cells(frame: pd.DataFrame, where: dict[str, object], **values: object) -> pd.DataFrame:
    """``frame`` with ``values`` set in the rows matching ``where``."""
    match = pd.Series(True, index=frame.index)
    for column, value in where.items():
        match &= frame[column] == value
    assert match.any(), where
    for column, value in values.items():
        frame[column] = frame[column].astype(object)
        frame.loc[match, column] = value
    return frame


def parameter(frame: pd.DataFrame, **values: object) -> pd.DataFrame:
    """The parameters table with some values set."""
    for name, value in values.items():
        frame = cells(frame, {"name": name}, value=value)
    return frame


def sheet_member(path: Path, title: str) -> str:
    """The zip member holding the sheet titled ``title``."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    sheet = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*/>', book)
    assert sheet, title
    rid = re.search(r'r:id="([^"]+)"', sheet.group(0)).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*/>', rels).group(0)
    where = re.search(r'Target="([^"]+)"', target).group(1)
    return where.lstrip("/") if where.startswith("/") else f"xl/{where}"


def rewrite_member(path: Path, member: str, edit: Callable[[str], str]) -> None:
    """Rewrite one zip member's text (the others copied as they are)."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == member:
                data = edit(data.decode("utf-8")).encode("utf-8")
            archive.writestr(info, data)


def cell_ref(path: Path, sheet: str, column: str, row: int) -> str:
    """The A1 reference of the cell under ``column`` in ``row``."""
    headers = [cell.value for cell in openpyxl.load_workbook(path)[sheet][1]]
    return f"{openpyxl.utils.get_column_letter(headers.index(column) + 1)}{row}"


def raw_value(path: Path, sheet: str, column: str, row: int, text: str) -> Path:
    """Put ``<v>text</v>`` into a number cell, as no spreadsheet program would."""
    ref = cell_ref(path, sheet, column, row)
    pattern = re.compile(rf'<c r="{ref}"(?: [^>]*)?(?:/>|>.*?</c>)', re.S)

    def edit(xml: str) -> str:
        assert pattern.search(xml), ref
        return pattern.sub(f'<c r="{ref}"><v>{text}</v></c>', xml, count=1)

    rewrite_member(path, sheet_member(path, sheet), edit)
    return path


def far_corner(path: Path, sheet: str, *, value: bool, dimension: bool) -> Path:
    """A value in XFD1048576 and/or a dimension claiming A1:XFD1048576."""

    def edit(xml: str) -> str:
        if dimension:
            xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
        if value:
            corner = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            xml = xml.replace("</sheetData>", corner + "</sheetData>")
        return xml

    rewrite_member(path, sheet_member(path, sheet), edit)
    return path


def corrupt_deflate(path: Path, sheet: str) -> Path:
    """Flip bytes in the middle of a sheet's compressed stream (sizes left as they are)."""
    member = sheet_member(path, sheet)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    at = info.header_offset
    start = at + 30 + int.from_bytes(data[at + 26 : at + 28], "little")
    start += int.from_bytes(data[at + 28 : at + 30], "little")
    middle = start + info.compress_size // 3
    for i in range(middle, middle + 24):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))
    return path


def declared_bomb(path: Path) -> Path:
    """A small archive whose central directory declares a 3.75 GiB member."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")
    data = bytearray(path.read_bytes())
    entry = data.rfind(b"PK\x01\x02")
    data[entry + 24 : entry + 28] = (0xF000_0000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def csv_folder(folder: Path, tables: dict[str, pd.DataFrame] | None = None) -> Path:
    """The tables as a folder of UTF-8 CSV files named after the sheets."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in (tables or base_tables()).items():
        frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")
    return folder


def with_sheet_copy(path: Path, source: str, title: str) -> Path:
    """A second sheet ``title`` holding a copy of sheet ``source``."""
    book = openpyxl.load_workbook(path)
    copy = book.copy_worksheet(book[source])
    copy.title = title
    book.save(path)
    return path


# ---------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One hostile input: how to build it and how the command must end.

    ``process``: run the command line in a process of its own, with a time bound (the
    cases that could hang or take the interpreter down: the far corner, a FIFO, the
    ``solve`` runs); the others run in this process through click's runner, with the
    same checks.
    """

    name: str
    build: Callable[[Path], Path]
    ja: tuple[str, ...]
    en: tuple[str, ...]
    outcome: str = "bad_input"
    solve: bool = False
    process: bool = False

    def __str__(self) -> str:
        return self.name


def _xlsx(change: Callable[[Path], object] | None = None, tables=None) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = workbook(folder, tables() if callable(tables) else tables)
        if change is not None:
            change(path)
        return path

    return build


def _cell(sheet: str, row: int, column: str, value: object) -> Callable[[Path], Path]:
    return _xlsx(lambda path: set_cell(path, sheet, row, column, value))


def _csv(change: Callable[[Path], object]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = csv_folder(folder / "area")
        change(path)
        return path

    return build


def _replace_file_with_folder(folder: Path) -> None:
    (folder / "facilities.csv").unlink()
    (folder / "facilities.csv").mkdir()


def _fifo(folder: Path) -> None:
    (folder / "facilities.csv").unlink()
    os.mkfifo(folder / "facilities.csv")


def _utf16(folder: Path) -> None:
    file = folder / "facilities.csv"
    file.write_bytes(file.read_text(encoding="utf-8").encode("utf-16"))


def _huge_field(folder: Path) -> None:
    with (folder / "facilities.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["X-1", "x" * 200_000])


def _escape_in_id(folder: Path) -> None:
    file = folder / "facilities.csv"
    file.write_text(
        file.read_text(encoding="utf-8").replace("L-001", "L-\x1b[2J001"), encoding="utf-8"
    )


def _two_files(folder: Path) -> None:
    (folder / "Facilities.csv").write_bytes((folder / "facilities.csv").read_bytes())


def _rename_everywhere(**codes: str) -> dict[str, pd.DataFrame]:
    """The template's tables with municipality codes replaced wherever they appear
    (``_13201="13 201"``)."""
    tables = base_tables()
    renamed = {old.lstrip("_"): new for old, new in codes.items()}
    for name, columns in {
        "municipalities": ["code"],
        "facilities": ["municipality"],
        "candidates": ["municipality"],
        "travel": ["municipality"],
        "rules": ["municipality", "other"],
        "zones": ["municipality"],
    }.items():
        for column in columns:
            tables[name][column] = tables[name][column].replace(renamed)
    return tables


def _care_closed_in_tachikawa() -> dict[str, pd.DataFrame]:
    """keep_own 13202 care, while 13202's care home and care candidate are set to close
    (a care home in 13201 keeps the type itself open)."""
    tables = base_tables()
    tables["rules"] = cells(tables["rules"], {"rule": "keep_own"}, other="care")
    tables["facilities"] = cells(tables["facilities"], {"id": "C-001"}, status="close")
    tables["candidates"] = cells(tables["candidates"], {"id": "N-002"}, status="close")
    extra = (
        tables["facilities"]
        .iloc[[1]]
        .assign(id="C-002", municipality="13201", status="free", lat=35.6601, lon=139.3237)
    )
    tables["facilities"] = pd.concat([tables["facilities"], extra], ignore_index=True)
    return tables


CASES: list[Case] = [
    # 1. the far corner of a sheet
    Case(
        "far_corner_value",
        _xlsx(lambda p: far_corner(p, "travel", value=True, dimension=True)),
        ja=("表から遠く離れたセルに値があります", "XFD1048576", "travel"),
        en=("a value far outside the table", "XFD1048576", "sheet 'travel'"),
        process=True,
    ),
    Case(
        "far_corner_value_through_solve",
        _xlsx(lambda p: far_corner(p, "facilities", value=True, dimension=False)),
        ja=("表から遠く離れたセルに値があります", "XFD1048576"),
        en=("a value far outside the table", "XFD1048576"),
        solve=True,
        process=True,
    ),
    Case(
        "declared_dimension_only",
        _xlsx(lambda p: far_corner(p, "travel", value=False, dimension=True)),
        ja=("2 市町村",),
        en=("2 municipalities",),
        outcome="ok",
        process=True,
    ),
    # 2. NaN / INF in number cells, a damaged deflate stream
    Case(
        "nan_capacity",
        _xlsx(lambda p: raw_value(p, "facilities", "capacity", FIRST, "NaN")),
        ja=("シート「facilities」", f"{FIRST}行目", "列「capacity」", "数値ではありません", "NaN"),
        en=("sheet 'facilities'", f"row {FIRST}", "column 'capacity'", "not a number", "NaN"),
    ),
    Case(
        "inf_population",
        _xlsx(lambda p: raw_value(p, "municipalities", "population", FIRST + 1, "INF")),
        ja=("列「population」", "INF", "数値ではありません"),
        en=(f"row {FIRST + 1}", "column 'population'", "'INF'", "a finite number"),
    ),
    Case(
        "minus_inf_demand_per_person",
        _xlsx(lambda p: raw_value(p, "facility_types", "demand_per_person", FIRST, "-inf")),
        ja=("列「demand_per_person」", "-inf"),
        en=("column 'demand_per_person'", "'-inf'", "not a number"),
    ),
    Case(
        "overflowing_number_1e999",
        _xlsx(lambda p: raw_value(p, "candidates", "build_cost", FIRST, "1E999")),
        ja=("列「build_cost」", "1E999"),
        en=("column 'build_cost'", "a finite number"),
    ),
    Case(
        "corrupted_deflate_stream",
        _xlsx(lambda p: corrupt_deflate(p, "facilities")),
        ja=("ファイルを読み込めません（破損？）", "input.xlsx"),
        en=("the file cannot be read (damaged?)", "input.xlsx"),
    ),
    Case(
        "corrupted_deflate_stream_through_solve",
        _xlsx(lambda p: corrupt_deflate(p, "municipalities")),
        ja=("ファイルを読み込めません",),
        en=("the file cannot be read",),
        solve=True,
        process=True,
    ),
    # 3. plausible ranges
    Case(
        "population_1e308",
        _cell("municipalities", FIRST, "population", 1e308),
        ja=("値が範囲外です", "1 以上 40,000,000 以下"),
        en=("value out of range", "between 1 and 40,000,000"),
    ),
    Case(
        "capacity_1e_300",
        _cell("facilities", FIRST, "capacity", 1e-300),
        ja=("列「capacity」", "0.001 以上"),
        en=("column 'capacity'", "between 0.001 and 1,000,000,000"),
    ),
    Case(
        "demand_per_person_1e308",
        _cell("facility_types", FIRST, "demand_per_person", 1e308),
        ja=("列「demand_per_person」", "1e-06 以上 1000 以下"),
        en=("column 'demand_per_person'", "between 1e-06 and 1000"),
    ),
    Case(
        "renewal_cost_1e308",
        _cell("facilities", FIRST, "renewal_cost", 1e308),
        ja=("列「renewal_cost」", "値が範囲外です"),
        en=("column 'renewal_cost'", "between 0 and 1,000,000,000,000"),
    ),
    Case(
        "negative_year_and_absurd_distance",
        _xlsx(
            lambda p: (
                set_cell(p, "facilities", FIRST, "year_built", -5),
                set_cell(p, "facility_types", FIRST, "max_distance_km", 80_000),
                set_cell(p, "parameters", PARAM_ROW["base_year"], "value", 99_999),
            )
        ),
        ja=("列「year_built」", "1868年から2200年", "列「max_distance_km」", "base_year"),
        en=("column 'year_built'", "between 0 and 3000", "base_year: between 1868 and 2200"),
    ),
    Case(
        "floor_area_outside_the_usual_band",
        _cell("facilities", FIRST, "floor_area_m2", 500_000),
        ja=("値が通常の範囲を外れています", "通常は 20 以上 100,000 以下"),
        en=("value outside the usual band", "usually between 20 and 100,000"),
        outcome="ok",
    ),
    # 4. a CSV folder with one unreadable file
    Case(
        "csv_folder_where_a_file_should_be",
        _csv(_replace_file_with_folder),
        ja=("ファイル「facilities.csv」", "ファイルを読み込めません"),
        en=("file 'facilities.csv'", "a folder"),
    ),
    Case(
        "csv_fifo_never_opened",
        _csv(_fifo),
        ja=("ファイル「facilities.csv」",),
        en=("file 'facilities.csv'", "not a regular file"),
        process=True,
    ),
    Case(
        "csv_utf16",
        _csv(_utf16),
        ja=("ファイル「facilities.csv」", "文字コードを判別できません"),
        en=("file 'facilities.csv'", "unknown text encoding", "CSV UTF-8"),
    ),
    Case(
        "csv_field_too_large",
        _csv(_huge_field),
        ja=("ファイル「facilities.csv」", "ファイルを読み込めません"),
        en=("file 'facilities.csv'", "field larger than field limit"),
    ),
    # 5. two sheets for one table
    Case(
        "two_sheets_for_facilities",
        _xlsx(lambda p: with_sheet_copy(p, "facilities", "施設")),
        ja=("同じ表のシートが2つあります", "facilities, 施設"),
        en=("two sheets for the same table", "'facilities'", "'施設'"),
    ),
    Case(
        "two_csv_files_for_facilities",
        _csv(_two_files),
        ja=("同じ表のシートが2つあります", "Facilities.csv", "facilities.csv"),
        en=("two sheets for the same table", "Facilities.csv"),
    ),
    # 6. demand beyond reach (a warning)
    Case(
        "demand_beyond_reach",
        _xlsx(
            tables=lambda: tables_with(
                facilities=lambda f: cells(f, {"id": "L-001"}, capacity=1000)
            )
        ),
        ja=("利用圏内の施設の容量が需要に足りません", "8 km 以内", "L-001、N-001", "401,000"),
        en=("demand exceeds the capacity within reach", "within 8 km", "L-001, N-001", "401,000"),
        outcome="ok",
    ),
    # 7. hard rules the tables contradict
    Case(
        "keep_own_with_every_own_facility_closed",
        _xlsx(tables=_care_closed_in_tachikawa),
        ja=("満たせない条件です", "立川市（13202）", "C-001、N-002", "廃止指定"),
        en=("a rule that cannot hold", "立川市 (13202)", "C-001, N-002", "set to close"),
    ),
    Case(
        "every_library_closed",
        _xlsx(
            tables=lambda: tables_with(
                facilities=lambda f: cells(f, {"id": "L-001"}, status="close"),
                candidates=lambda f: cells(f, {"id": "N-001"}, status="close"),
            )
        ),
        ja=("この類型の施設・候補地がすべて廃止指定です", "L-001、N-001"),
        en=("every facility and candidate of this type is set to close", "can never be served"),
        solve=True,
        process=True,
    ),
    Case(
        "required_saving_with_max_partners_0",
        _xlsx(
            tables=lambda: tables_with(
                parameters=lambda f: parameter(f, max_partners=0, required_saving=0.1)
            )
        ),
        ja=("満たせない条件です", "すべての市町村", "パラメータ max_partners が 0 "),
        en=("a rule that cannot hold", "every municipality", "the parameter max_partners is 0"),
    ),
    Case(
        "required_saving_with_a_max_partners_rule_of_0",
        _xlsx(
            tables=lambda: tables_with(
                parameters=lambda f: parameter(f, required_saving=0.1),
                rules=lambda f: cells(
                    f, {"rule": "keep_own"}, rule="max_partners", other=None, value=0
                ),
            )
        ),
        ja=("シート「rules」", f"{FIRST + 1}行目", "max_partners の条件が 0 です"),
        en=("sheet 'rules'", f"row {FIRST + 1}", "its max_partners rule is 0"),
    ),
    Case(
        "required_saving_with_may_share_no",
        _xlsx(
            tables=lambda: tables_with(
                parameters=lambda f: parameter(f, required_saving=0.1),
                municipalities=lambda f: cells(f, {"code": "13202"}, may_share="no"),
            )
        ),
        ja=("シート「municipalities」", "列「may_share」", "連携可否が「いいえ」"),
        en=("column 'may_share'", "立川市 (13202)", "may_share is no"),
    ),
    Case(
        "keep_own_each_type_without_a_library",
        _xlsx(
            tables=lambda: tables_with(parameters=lambda f: parameter(f, keep_own_each_type=True))
        ),
        ja=("条件が適用されない市町村があります", "八王子市（13201）"),
        en=("a rule that does not apply to some municipalities", "八王子市 (13201)", "care"),
        outcome="ok",
    ),
    # 8. codes
    Case(
        "path_in_a_municipality_code",
        _cell("municipalities", FIRST + 1, "code", "../../x"),
        ja=("コード・IDに使えない文字があります", "../../x"),
        en=("character not allowed in a code or id", "'/'"),
    ),
    Case(
        "control_character_in_a_facility_id",
        _cell("facilities", FIRST, "id", "L-0\t01"),
        ja=("コード・IDに使えない文字があります", "L-0\\x0901"),
        en=("character not allowed in a code or id", "U+0009"),
    ),
    Case(
        "terminal_escape_in_a_csv_facility_id",
        _csv(_escape_in_id),
        ja=("コード・IDに使えない文字があります", "L-\\x1b[2J001"),
        en=("U+001B",),
    ),
    Case(
        "codes_that_are_not_digits",
        _xlsx(tables=lambda: _rename_everywhere(_13201="13 201", _13202="TACHI")),
        ja=("団体コードが数字だけではありません", "13201？", "TACHI"),
        en=("municipality code not made of digits", "(13201?)", "'TACHI'"),
        outcome="ok",
    ),
    # already handled by the reader: cheap ones once more, end to end
    Case(
        "old_xls",
        lambda folder: _write(folder / "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)),
        ja=("旧形式の Excel ファイル",),
        en=("old Excel format (.xls)",),
    ),
    Case(
        "csv_renamed_to_xlsx",
        lambda folder: _write(folder / "renamed.xlsx", b"code,name\n13201,x\n"),
        ja=("Excel ファイルではありません",),
        en=("not an Excel workbook",),
    ),
    Case(
        "declared_zip_bomb",
        lambda folder: declared_bomb(folder / "bomb.xlsx"),
        ja=("展開後のサイズが大きすぎます",),
        en=("uncompressed size too large",),
    ),
    Case(
        "formula_without_cached_value",
        _cell("facilities", FIRST, "capacity", "=1+1"),
        ja=("数式の計算結果が保存されていません",),
        en=("formula without a cached value",),
    ),
]


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def in_process_run(
    args: list[str | Path],
    outcome: str,
    *,
    inputs: list[Path],
    ja: tuple[str, ...],
    en: tuple[str, ...],
) -> tuple[Ended, Ended]:
    """:func:`hostile.hostile_run` without a process of its own: click's runner, the
    harness's own checks (exit code, words, no traceback, input unchanged)."""
    before = sha256_of(inputs)
    endings = []
    for extra, words in (((), ja), (("--lang", "en"), en)):
        words_args = [str(a) for a in args] + list(extra)
        began = time.perf_counter()
        with mock.patch.dict(os.environ):
            os.environ.pop("OPTIMIZER_DEBUG", None)
            result = CliRunner().invoke(cli, words_args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        ended = Ended(
            tuple(words_args),
            result.exit_code,
            result.stdout,
            result.stderr,
            time.perf_counter() - began,
        )
        assert_ended(ended, outcome, *words)
        endings.append(ended)
    assert sha256_of(inputs) == before, "the input was modified"
    return endings[0], endings[1]


def _run(case: Case, folder: Path) -> tuple[Ended, Ended | None]:
    path = case.build(folder)
    inputs = [path] if path.is_file() else [p for p in path.iterdir() if p.is_file()]
    if case.solve:
        out = folder / "out"
        ended = hostile_run(
            ["solve", path, "--output", out, "--shapley", "off"],
            case.outcome,
            inputs=inputs,
            outputs=out,
            ja=case.ja,
            en=case.en,
            bound_s=BOUND_S,
        )
        assert not out.exists() or not any(out.iterdir()), list(out.rglob("*"))
        return ended
    if not case.process:
        return in_process_run(
            ["validate", path], case.outcome, inputs=inputs, ja=case.ja, en=case.en
        )
    return hostile_run(
        ["validate", path], case.outcome, inputs=inputs, ja=case.ja, en=case.en, bound_s=BOUND_S
    )


@pytest.fixture(scope="module")
def endings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future]]:
    """Every selected case that runs in a process of its own, started two at a time in
    the background (each run starts a Python process: about a second)."""
    selected = {
        item.callspec.params["case"].name
        for item in request.session.items
        if getattr(item, "callspec", None) is not None
        and item.module is request.module
        and "case" in item.callspec.params
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield {
            case.name: pool.submit(_run, case, tmp_path_factory.mktemp(case.name))
            for case in CASES
            if case.name in selected and case.process
        }


@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_input_ends_with_one_clear_message(
    case: Case, endings: dict[str, Future], tmp_path: Path
) -> None:
    if case.process:
        japanese, english = endings[case.name].result()
    else:
        japanese, english = _run(case, tmp_path)
    assert japanese.seconds < BOUND_S
    if case.outcome == "bad_input":
        assert "エラー" in japanese.text and english is not None and "error" in english.text
    assert "\x1b" not in japanese.text + (english.text if english else "")


# ---------------------------------------------------------------------------
# in-process checks (no command line needed)
# ---------------------------------------------------------------------------


def test_every_numeric_column_and_parameter_has_a_range() -> None:
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.kind in ("int", "float") and column.unit != "°":
                assert column.minimum is not None and column.maximum is not None, column.name
            if column.usual:
                low, high = column.usual
                assert column.minimum is None or low is None or low >= column.minimum
                assert column.maximum is None or high is None or high <= column.maximum
    for spec in PARAMETERS:
        if spec.kind in ("int", "float"):
            assert spec.minimum is not None and spec.maximum is not None, spec.name


def test_unreadable_csv_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = csv_folder(tmp_path / "area")
    real = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self.name == "facilities.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(FileFormatError) as caught:
        read_tables(folder)
    found = caught.value.issues[0]
    assert (found.code, found.sheet) == ("unreadable", "facilities.csv")
    assert "Permission denied" in found.message("en")


def test_unreadable_workbook_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbook(tmp_path)

    def denied(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)
    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(FileFormatError) as caught:
        read_tables(path)
    assert (caught.value.issues[0].code, caught.value.issues[0].sheet) == (
        "unreadable",
        "input.xlsx",
    )


def test_nan_cell_is_read_as_its_text_at_its_place(tmp_path: Path) -> None:
    path = raw_value(workbook(tmp_path), "facilities", "capacity", FIRST + 1, "NaN")
    frame = read_tables(path).frame("facilities")
    assert frame.loc[FIRST + 1, "capacity"] == "NaN"
    assert frame.loc[FIRST, "capacity"] == 300000


def test_values_just_inside_the_caps_are_read(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    last = openpyxl.utils.get_column_letter(MAX_COLUMN)

    def edit(xml: str) -> str:
        row = f'<row r="{MAX_ROW}"><c r="{last}{MAX_ROW}" t="inlineStr"><is><t>note</t></is></c></row>'
        return xml.replace("</sheetData>", row + "</sheetData>")

    rewrite_member(path, sheet_member(path, "scenarios"), edit)
    table = read_tables(path).tables["scenarios"]
    assert MAX_ROW in table.frame.index
