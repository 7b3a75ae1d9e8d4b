"""The blank template, the instructions sheet, the input reference and the messages."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from optimizer.outputs.workbooks import write_template
from optimizer.schema import PARAMETERS, SHEETS
from optimizer.workbook.assemble import load_problem
from optimizer.workbook.instructions import INSTRUCTIONS_TITLE
from optimizer.workbook.messages import TITLES, Issue, format_issues
from optimizer.workbook.template import schema_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "inputs.md"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_template_round_trip_validates(tmp_path, lang):
    path = write_template(tmp_path / "template.xlsx", lang=lang)
    problem, warnings = load_problem(path)
    assert all(w.severity == "warning" for w in warnings)
    assert len(problem.facilities) == 4  # two facilities + two candidates
    assert problem.parameters.discount_rate == 0.04


def test_template_layout(tmp_path):
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    assert book.sheetnames == [INSTRUCTIONS_TITLE["ja"], *(s.name for s in SHEETS)]
    for sheet in SHEETS:
        ws = book[sheet.name]
        assert [c.value for c in ws[1]][: len(sheet.columns)] == [c.name for c in sheet.columns]
        assert [c.value for c in ws[2]][: len(sheet.columns)] == [c.label_ja for c in sheet.columns]
        assert ws.freeze_panes == "A3"
    facilities = book["facilities"]
    formulas = {dv.formula1 for dv in facilities.data_validations.dataValidation}
    assert '"keep,close,free"' in formulas
    assert any(f.startswith("=facility_types!") for f in formulas)
    assert '"はい,いいえ"' in {
        dv.formula1 for dv in book["municipalities"].data_validations.dataValidation
    }
    assert facilities["G3"].number_format == "#,##0.##"
    assert book["municipalities"]["A3"].data_type == "s"


def test_parameters_sheet_lists_every_parameter(tmp_path):
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    names = [row[0] for row in book["parameters"].iter_rows(min_row=3, values_only=True)]
    assert names == [p.name for p in PARAMETERS]


def test_instructions_describe_every_column(tmp_path):
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", lang="en"))
    text = "\n".join(
        str(v)
        for row in book["instructions"].iter_rows(values_only=True)
        for v in row
        if v is not None
    )
    for sheet in SHEETS:
        for column in sheet.columns:
            assert column.description in text


def test_docs_inputs_md_is_generated_from_the_schema():
    assert DOCS.read_text(encoding="utf-8") == schema_markdown("en")
    assert "ふるさと財団" in schema_markdown("en")


def test_messages_in_both_languages():
    item = Issue("facilities", 7, "capacity", "-3", "out_of_range", "at least 0", "error", "0 以上")
    assert item.message() == (
        "エラー: シート「facilities」 7行目 列「capacity」: 値が範囲外です。値「-3」、0 以上"
    )
    assert item.message("en") == (
        "error: sheet 'facilities', row 7, column 'capacity': value out of range; "
        "found '-3'; expected at least 0"
    )
    assert format_issues([item], "en").startswith("1 problem(s)")
    assert format_issues([item]).startswith("入力に 1 件")


def test_every_code_has_both_titles():
    assert all(ja and en for ja, en in TITLES.values())
