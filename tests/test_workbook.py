"""Reading: file-level refusals, header layouts, CSV folders; writing: round trips."""

from __future__ import annotations

import zipfile

import openpyxl
import pandas as pd
import pytest
from defects import FIRST, assert_issue, base_tables, set_cell, workbook

from optimizer.errors import FileFormatError, InputError, OutputError
from optimizer.outputs.workbooks import write_workbook
from optimizer.workbook import reader as wb
from optimizer.workbook.assemble import clean_tables, load_problem
from optimizer.workbook.reader import OLE2_SIGNATURE, read_tables


def refused(path) -> str:
    with pytest.raises(FileFormatError) as caught:
        read_tables(path)
    (found,) = caught.value.issues
    assert found.severity == "error"
    assert path.name in found.message("ja") and path.name in found.message("en")
    return found.code


def test_old_xls_refused(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(OLE2_SIGNATURE + b"\0" * 600)
    assert refused(path) == "xls_format"


def test_encrypted_workbook_refused(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(OLE2_SIGNATURE + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le"))
    assert refused(path) == "encrypted"


def test_csv_renamed_to_xlsx_refused(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_text("code,name\n13201,八王子市\n", encoding="utf-8")
    assert refused(path) == "not_xlsx"


def test_macro_workbook_refused(tmp_path):
    source = workbook(tmp_path)
    path = tmp_path / "macro.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/vbaProject.bin", b"\0" * 10)
    assert refused(path) == "macro_workbook"
    renamed = tmp_path / "book.xlsm"
    renamed.write_bytes(source.read_bytes())
    assert refused(renamed) == "macro_workbook"


def test_zip_bomb_refused_before_loading(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 2**20))
    monkeypatch.setattr(wb, "MAX_UNCOMPRESSED_BYTES", 2**20)
    assert refused(path) == "zip_bomb"


def test_too_many_rows_refused(tmp_path, monkeypatch):
    path = workbook(tmp_path)
    monkeypatch.setattr(wb, "MAX_ROWS_PER_SHEET", 1)
    with pytest.raises(FileFormatError) as caught:
        read_tables(path)
    assert caught.value.issues[0].code == "too_many_rows"


def test_missing_file_and_unsupported_format(tmp_path):
    assert refused(tmp_path / "nothing.xlsx") == "file_not_found"
    odd = tmp_path / "input.ods"
    odd.write_bytes(b"x")
    assert refused(odd) == "unsupported_format"


def test_folder_without_csv_refused(tmp_path):
    assert refused(tmp_path) == "no_csv_files"


def test_empty_workbook(tmp_path):
    path = tmp_path / "empty.xlsx"
    book = openpyxl.Workbook()
    book.save(path)
    assert_issue(path, "empty_workbook", sheet="empty.xlsx", row=None, column=None)


def test_formula_without_cached_value(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "capacity", "=1000*300")  # openpyxl stores no value
    assert_issue(
        path, "formula_without_value", sheet="facilities", row=FIRST, column="capacity", value="G3"
    )


def test_japanese_only_and_combined_headers(tmp_path):
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book["municipalities"]
    ws.delete_rows(1)  # keep only the Japanese label row as header
    ws["A1"] = "ｃｏｄｅ　市町村コード"
    ws.title = "市町村"
    book.save(path)
    problem, _ = load_problem(path)
    assert list(problem.municipalities.index) == ["13201", "13202"]


def test_duplicate_header_is_reported(tmp_path):
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book["municipalities"]
    ws.cell(row=1, column=ws.max_column + 1).value = "人口"
    book.save(path)
    assert_issue(
        path,
        "duplicate_column",
        sheet="municipalities",
        row=1,
        column="population",
        severity="warning",
    )


def write_csv_folder(folder, encoding):
    folder.mkdir()
    for name, frame in base_tables().items():
        frame.to_csv(folder / f"{name}.csv", index=False, encoding=encoding)
    return folder


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_folder_in_any_encoding(tmp_path, encoding):
    folder = write_csv_folder(tmp_path / "csv", encoding)
    raw = read_tables(folder)
    assert raw.source["format"] == "csv" and len(raw.source["sha256"]) == 64
    assert raw.frame("facilities").index[0] == 2
    problem, _ = load_problem(folder)
    assert problem.facilities.loc["C-001", "name"] == "特別養護老人ホームみどり"


def test_csv_zones_under_a_japanese_file_name_with_a_projection(tmp_path):
    folder = write_csv_folder(tmp_path / "csv", "utf-8")
    zones = pd.read_csv(folder / "zones.csv", dtype=str)
    (folder / "zones.csv").unlink()
    zones["人口2035"] = ["1,100", "1,600"]
    zones.to_csv(folder / "区域.csv", index=False)
    raw = read_tables(folder)
    assert "population_2035" in raw.frame("zones").columns
    problem, _ = load_problem(folder)
    assert list(problem.zones.index) == ["13201008003", "132020060"]
    assert problem.zones.loc["132020060", "population"] == 1708


def test_csv_row_numbers_in_issues(tmp_path):
    folder = write_csv_folder(tmp_path / "csv", "utf-8")
    frame = pd.read_csv(folder / "facilities.csv", dtype=str)
    frame.loc[1, "capacity"] = "-3"
    frame.to_csv(folder / "facilities.csv", index=False)
    with pytest.raises(InputError) as caught:
        load_problem(folder)
    found = [i for i in caught.value.issues if i.code == "out_of_range"][0]
    assert (found.sheet, found.row, found.column) == ("facilities", 3, "capacity")


def test_write_then_read_gives_the_same_values(tmp_path):
    tables, issues = clean_tables(base_tables())
    assert not [i for i in issues if i.is_error]
    path = write_workbook(tables, tmp_path / "round.xlsx")
    again, _ = clean_tables(read_tables(path))
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(again[name], frame, check_dtype=False)


def test_written_workbook_is_reproducible_and_atomic(tmp_path):
    first = write_workbook(base_tables(), tmp_path / "a.xlsx").read_bytes()
    second = write_workbook(base_tables(), tmp_path / "a.xlsx").read_bytes()
    assert first == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


def test_never_overwrites_the_input(tmp_path):
    path = workbook(tmp_path)
    with pytest.raises(OutputError):
        write_workbook(base_tables(), path, input_path=path)


def test_user_text_is_never_a_formula(tmp_path):
    tables = base_tables()
    tables["facilities"].loc[0, "name"] = '=HYPERLINK("http://x")'
    path = write_workbook(tables, tmp_path / "f.xlsx")
    book = openpyxl.load_workbook(path)
    assert book["facilities"].cell(row=FIRST, column=2).data_type == "s"
