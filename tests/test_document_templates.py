"""The .docx documents as Word templates (docxtpl): the shipped templates, a user's own,
the layout of the tables, file names safe on Windows, and the run's wiring."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import docx
import jinja2
import pytest
from click.testing import CliRunner
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from test_allocation import hand_built_case
from test_documents import docx_text, make_terms

from optimizer.cli import cli
from optimizer.config import RunSettings
from optimizer.errors import InputError, OutputError
from optimizer.outputs.documents import (
    Templates,
    agreement_docx,
    agreement_markdown,
    write_agreements,
)
from optimizer.outputs.documents.build_templates import stale_templates, write_templates
from optimizer.outputs.documents.context import (
    CONTEXT_KEYS,
    agreement_context,
    consultation_context,
    consultation_uses,
    summary_context,
)
from optimizer.outputs.documents.render import column_widths
from optimizer.outputs.documents.templating import TEMPLATE_FILES, shipped_template
from optimizer.outputs.safe_text import file_name_part
from optimizer.runs import pipeline
from optimizer.sharing.terms import area_summary

# --------------------------------------------------------------------------- shipped


def test_the_shipped_templates_are_made_from_the_wording(tmp_path):
    """Change the TOML wording, then run python -m optimizer.outputs.documents.build_templates."""
    assert stale_templates() == []
    written = write_templates(tmp_path)
    assert sorted(p.name for p in written) == sorted(TEMPLATE_FILES)
    assert stale_templates(tmp_path) == []  # the same bytes whenever they are built


def test_every_document_has_the_fields_its_template_uses():
    problem, solution, allocation, terms = make_terms()
    number, use = consultation_uses(terms[0])[0]
    contexts = {
        "agreement": agreement_context(terms[0], "ja", str),
        "summary": summary_context(area_summary(problem, allocation, terms), "ja", str),
        "consultation": consultation_context(terms[0], number, use, "ja", str),
    }
    for document, context in contexts.items():
        assert set(context) == CONTEXT_KEYS[document], document
        for language in ("ja", "en"):
            template = DocxTemplate(io.BytesIO(shipped_template(document, language)))
            used = template.get_undeclared_template_variables(jinja2.Environment())
            assert used and used <= CONTEXT_KEYS[document], (document, language)


# --------------------------------------------------------------------------- layout


def test_annex_tables_fit_their_content_and_repeat_their_header(tmp_path):
    *_, terms = make_terms()
    document = docx.Document(io.BytesIO(agreement_docx(terms[0], "ja")))
    portrait, annexes = document.sections
    assert portrait.orientation == WD_ORIENT.PORTRAIT
    assert annexes.orientation == WD_ORIENT.LANDSCAPE  # the annexes on A4 landscape
    available = (annexes.page_width - annexes.left_margin - annexes.right_margin) / 12700
    for table in document.tables:
        header, *rows = table.rows
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
        layout = table._tbl.tblPr.find(qn("w:tblLayout"))
        assert layout is not None and layout.get(qn("w:type")) == "fixed"
        widths = [g.w.pt for g in table._tbl.tblGrid.gridCol_lst]
        assert sum(widths) == pytest.approx(available, abs=len(widths))
        assert len({round(w) for w in widths}) > 2  # by content, not equal
    annual_cost = document.tables[1].columns[1]
    longest = max(len(c.text) for c in annual_cost.cells[1:])  # 210,000,000円
    assert annual_cost.width.pt >= 0.65 * 9 * (longest - 1) + 9  # never broken mid-number


def test_column_widths_keep_numbers_whole_and_share_the_rest():
    rows = [
        [("施設名", False, 1), ("年間費用", False, 1)],
        [("とても長い名前の施設" * 3, False, 1), ("261,834,227円", True, 1)],
        [("合計", False, 2)],  # a spanning cell does not count
    ]
    narrow = column_widths(rows, 2, 150)
    assert sum(narrow) == pytest.approx(150)
    assert narrow[1] >= 0.65 * 9 * 11 + 9  # the number on one line
    wide = column_widths(rows, 2, 2000)
    assert sum(wide) == pytest.approx(2000) and wide[0] > wide[1]


def test_a_fixed_table_of_a_users_template_keeps_its_widths(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    template = docx.Document(io.BytesIO(shipped_template("agreement", "ja")))
    table = template.tables[0]
    table.autofit = False
    for gridcol in table._tbl.tblGrid.gridCol_lst:
        gridcol.w = docx.shared.Mm(20)
    template.save(folder / "agreement_ja.docx")
    *_, terms = make_terms()
    rendered = docx.Document(io.BytesIO(agreement_docx(terms[0], "ja", Templates(folder))))
    widths = [g.w for g in rendered.tables[0]._tbl.tblGrid.gridCol_lst]
    assert {round(w.mm) for w in widths} == {20}


# --------------------------------------------------------------------------- user templates


def users_template(folder: Path, edit) -> Path:
    """A copy of the shipped Japanese agreement template, edited by ``edit(document)``."""
    folder.mkdir(exist_ok=True)
    document = docx.Document(io.BytesIO(shipped_template("agreement", "ja")))
    edit(document)
    document.save(folder / "agreement_ja.docx")
    return folder


def _retitle(text: str):
    def edit(document) -> None:
        title = document.paragraphs[0]
        for run in title.runs[1:]:
            run.text = ""
        title.runs[0].text = text

    return edit


def test_a_users_template_changes_the_docx_only(tmp_path):
    folder = users_template(
        tmp_path / "mine", _retitle("{{ a_name }}・{{ b_name }}施設共同利用協約")
    )
    *_, terms = make_terms()
    out = tmp_path / "out"
    write_agreements(terms, out, templates=folder)
    t = terms[0]
    stem = f"01_甲市_乙町_{t.a.code}_{t.b.code}_ja"
    document = docx.Document(out / f"{stem}.docx")
    assert document.paragraphs[0].text == "甲市・乙町施設共同利用協約"
    assert document.core_properties.title == "甲市・乙町施設共同利用協約"
    assert "第7条" in docx_text(document)  # the rest as shipped
    markdown = (out / f"{stem}.md").read_text(encoding="utf-8")
    assert markdown.startswith("# 甲市と乙町との公共施設の共同利用に関する連携協約")
    assert markdown == agreement_markdown(t, "ja")
    summary = next(out.glob("00_area_summary_ja.docx"), None)
    assert summary is None  # no summary asked
    english = write_agreements(terms[:1], tmp_path / "en", languages=("en",), templates=folder)
    assert docx.Document(english[1]).paragraphs[0].text.startswith("Cooperation Agreement")


@pytest.mark.parametrize(
    "title, message",
    [
        ("{{ a_name }", "template error"),
        ("{% if fixed_term %}期間", "template error"),
        ("{{ mayor_name }}", "mayor_name"),
    ],
)
def test_a_broken_template_is_refused_before_anything_is_written(tmp_path, title, message):
    folder = users_template(tmp_path / "mine", _retitle(title))
    *_, terms = make_terms()
    with pytest.raises(OutputError, match=message) as caught:
        write_agreements(terms, tmp_path / "out", templates=folder)
    assert "agreement_ja.docx" in str(caught.value) and "ひな形" in caught.value.text("ja")
    assert not (tmp_path / "out").exists()


def test_a_template_that_is_no_word_document_is_refused(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "summary_ja.docx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(OutputError, match="not a Word document"):
        Templates(folder).check(("ja",))
    Templates(folder).check(("en",))  # only the languages written are read
    with pytest.raises(OutputError, match="no such folder"):
        Templates(tmp_path / "missing")


def test_values_are_escaped_and_never_run_as_template_code():
    *_, terms = make_terms(
        names={"01001": "{{ 7*7 }}&<市>", "01002": "{%p if x %}乙町", "01003": "丙村"}
    )
    text = docx_text(docx.Document(io.BytesIO(agreement_docx(terms[0], "ja"))))
    assert "{{ 7*7 }}&<市>と{%p if x %}乙町との" in text and "49" not in text


# --------------------------------------------------------------------------- file names


@pytest.mark.parametrize(
    "name, part",
    [
        ("青梅市", "青梅市"),
        ('a<b>c:d"e/f\\g|h?i*j', "a_b_c_d_e_f_g_h_i_j"),
        ("  末尾の点. ", "末尾の点"),
        (".hidden", "hidden"),
        ("CON", "_CON"),
        ("com1.txt", "_com1.txt"),
        ("改\n行\u200b町\u3000村", "改_行町_村"),
        ("", "x"),
        ("長" * 100, "長" * 12),
    ],
)
def test_file_name_parts_are_safe_on_windows(name, part):
    assert file_name_part(name) == part


def test_long_names_give_short_file_names(tmp_path):
    names = {"01001": "長" * 300, "01002": "悪\n\tい\r町", "01003": "CON"}
    facilities = [
        ("L1", "館" * 300, "library", "01001", 420_000, 210_000_000),
        ("H1", "ホール", "hall", "01002", 1_400, 280_000_000),
        ("C1", "特養", "care", "01001", 300, 900_000_000),
        ("C2", "特養2", "care", "01003", 200, 500_000_000),
    ]
    *_, terms = make_terms(names=names, facilities=facilities)
    paths = write_agreements(terms, tmp_path, languages=("ja", "en"))
    assert all(len(p.name.encode("utf-8")) <= 160 for p in paths)
    assert "02_" + "長" * 12 + "__CON_01001_01003_ja.docx" in {p.name for p in paths}
    assert any(p.name.startswith("01_" + "長" * 12 + "_悪_い_町_") for p in paths)


def test_file_names_carry_the_municipalities(tmp_path):
    *_, terms = make_terms()
    names = {p.name for p in write_agreements(terms, tmp_path)}
    assert "01_甲市_乙町_01001_01002_ja.docx" in names
    assert "01-1_協議書_甲市_乙町_甲市立中央図書館_ja.docx" in names
    assert "03-2_協議書_丙村_乙町_丙村立特別養護老人ホーム_ja.md" in names


# --------------------------------------------------------------------------- the run


def _prepared(language: str):
    problem, _ = hand_built_case()
    parameters = dataclasses.replace(problem.parameters, document_languages=language)
    return dataclasses.replace(problem, parameters=parameters), []


def _no_solve(*args, **kwargs):
    raise AssertionError("solved although the documents could not be written")


def test_the_run_refuses_an_unknown_language_before_solving(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "prepare", lambda workbook, settings: _prepared("ja,xx"))
    monkeypatch.setattr(pipeline, "solve", _no_solve)
    with pytest.raises(InputError) as caught:
        pipeline.run(tmp_path / "area.xlsx", RunSettings(output_root=tmp_path / "out"))
    assert caught.value.issues[0].column == "document_languages"
    assert not (tmp_path / "out").exists()


def test_the_run_refuses_a_broken_template_before_solving(tmp_path, monkeypatch):
    folder = users_template(tmp_path / "mine", _retitle("{{ nothing_here }}"))
    monkeypatch.setattr(pipeline, "prepare", lambda workbook, settings: _prepared("ja"))
    monkeypatch.setattr(pipeline, "solve", _no_solve)
    settings = RunSettings(output_root=tmp_path / "out", document_templates=folder)
    with pytest.raises(OutputError, match="nothing_here"):
        pipeline.run(tmp_path / "area.xlsx", settings)
    # without documents, neither is looked at
    monkeypatch.setattr(pipeline, "prepare", lambda workbook, settings: _prepared("xx"))
    quiet = dataclasses.replace(settings, documents=False, write_outputs=False)
    with pytest.raises(AssertionError, match="solved"):
        pipeline.run(tmp_path / "area.xlsx", quiet)


def test_the_command_line_takes_a_template_folder(tmp_path):
    result = CliRunner().invoke(cli, ["solve", "--help"])
    assert "--document-templates" in result.output
    missing = CliRunner().invoke(cli, ["solve", "--document-templates", str(tmp_path / "none")])
    assert missing.exit_code == 2  # a usage error: no such folder
