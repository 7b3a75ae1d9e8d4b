"""Agreement documents: formatting, every clause present, annex numbers, hostile names."""

from __future__ import annotations

import dataclasses
import re
from io import BytesIO

import docx
import pytest
from test_allocation import hand_built_case

from optimizer.outputs.documents import (
    agreement_blocks,
    agreement_docx,
    agreement_markdown,
    clean_text,
    era_year,
    escape_markdown,
    format_date,
    format_fiscal_year,
    format_percent,
    format_quantity,
    format_thousand_yen,
    format_yen,
    load_template,
    write_agreements,
)
from optimizer.outputs.documents.blocks import conciliator, prefecture_of
from optimizer.sharing.allocation import allocate
from optimizer.sharing.terms import agreement_terms, area_summary

CLAUSES = {
    "ja": [
        "地方自治法（昭和22年法律第67号）第252条の2第1項",
        "（目的）",
        "（基本方針）",
        "フルセット型",
        "（連携する施設及び確保量）",
        "（役割分担）",
        "（住民の利用条件）",
        "設置団体の住民と同一の取扱い",
        "（経費の負担）",
        "負担金の額　＝　単位当たり費用　×　利用量",
        "単位当たり費用　＝　当該施設の年間費用　÷　当該施設の容量",
        "（負担金の改定）",
        "前年度の利用実績（利用量）及び決算（年間費用）",
        "（連携協議）",
        "毎年度1回以上",
        "実務者協議会",
        "（情報の共有）",
        "利用状況",
        "（紛争の解決）",
        "第252条の2第7項",
        "自治紛争処理委員による紛争を処理するための方策の提示",
        "第251条の3の2",
        "（有効期間）",
        "令和8年4月1日から令和13年3月31日まで",
        "更に5年間更新",
        "（協約の変更）",
        "議会の議決",
        "（協約の廃止）",
        "2年を経過した日に、その効力を失う",
        "附　則",
        "別表第1",
        "別表第2",
    ],
    "en": [
        "Article 252-2, paragraph 1 of the Local Autonomy Act",
        "(Purpose)",
        "(Basic policy)",
        "full set",
        "(Facilities and reserved capacity)",
        "(Roles)",
        "(Residents' terms of use)",
        "same fees and charges",
        "(Cost sharing)",
        "payment = unit cost × use",
        "unit cost = annual cost of the facility ÷ capacity of the facility",
        "(Revision of the payments)",
        "previous fiscal year's actual use and settled accounts",
        "(Consultation)",
        "at least 1 time(s) each fiscal year",
        "working-level committee",
        "(Sharing of information)",
        "(Settlement of disputes)",
        "Article 252-2, paragraph 7",
        "conciliation commissioners",
        "Article 251-3-2",
        "(Term)",
        "from 1 April 2026 to 31 March 2031",
        "renewed for a further 5 years",
        "(Amendment)",
        "resolution of its council",
        "(Termination)",
        "lapses when 2 years have passed",
        "Annex 1",
        "Annex 2",
    ],
}


def make_terms(**kwargs):
    problem, solution = hand_built_case(**kwargs)
    allocation = allocate(problem, solution, shapley="off")
    terms = agreement_terms(problem, solution, allocation)
    return problem, solution, allocation, terms


def docx_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


# --------------------------------------------------------------------------- formatting


def test_japanese_number_and_date_formats():
    assert format_yen(1_234_567.4) == "1,234,567円"
    assert format_yen(1_234_567.5, "en") == "¥1,234,568"
    assert format_thousand_yen(1_234_500) == "1,235千円"
    assert format_thousand_yen(535_000_000, "en") == "¥535,000 thousand"
    assert era_year(2026) == "令和8年"
    assert era_year(2019) == "令和元年"
    assert era_year(2018) == "平成30年"
    assert format_fiscal_year(2026) == "令和8年度"
    assert format_fiscal_year(2026, "en") == "FY2026"
    assert format_date(2031, 3, 31) == "令和13年3月31日"
    assert format_date(2026, 4, 1, "en") == "1 April 2026"
    assert format_quantity(40, "beds") == "40床"
    assert format_quantity(1_000, "seats") == "1,000席"
    assert format_quantity(12.34, "beds", "en") == "12.3 beds"
    assert format_quantity(5, "rooms") == "5 rooms"
    assert format_percent(-0.01) == "0.0％"
    assert format_percent(21.84, "en") == "21.8%"


def test_markdown_escaping_neutralises_markup_and_line_breaks():
    text = escape_markdown("A&B <script>\n=SUM(1)|*x*\r\n# [link](y)")
    assert "\n" not in text and "\r" not in text
    assert "<" not in text and "&amp;" in text and "&lt;script&gt;" in text
    assert "\\=SUM\\(1\\)\\|\\*x\\*" in text
    assert "\\# \\[link\\]\\(y\\)" in text
    assert clean_text("甲\x00市\x07\n長\u202e") == "甲市 長"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        load_template("fr")


# --------------------------------------------------------------------------- content


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_clause_is_in_both_formats(language):
    _, _, _, terms = make_terms()
    markdown = agreement_markdown(terms[0], language)
    text = docx_text(docx.Document(BytesIO(agreement_docx(terms[0], language))))
    for clause in CLAUSES[language]:
        assert clause in markdown, clause
        assert clause in text, clause


@pytest.mark.parametrize("language", ["ja", "en"])
def test_annex_titles_name_the_right_articles(language):
    """別表第1 refers to 第3条・第4条 and 別表第2 to 第6条: keep the article order in step."""
    captions = [a["caption"] for a in load_template(language)["agreement"]["articles"]]
    expected = {
        "ja": {3: "連携する施設及び確保量", 4: "役割分担", 6: "経費の負担", 7: "負担金の改定"},
        "en": {
            3: "Facilities and reserved capacity",
            4: "Roles",
            6: "Cost sharing",
            7: "Revision of the payments",
        },
    }[language]
    for number, caption in expected.items():
        assert captions[number - 1] == caption


def test_annex_numbers_equal_the_solution(tmp_path):
    problem, solution, allocation, terms = make_terms()
    paths = write_agreements(terms, tmp_path, languages=("ja",))
    flows = solution.flows.set_index(["municipality", "facility"])
    for t in terms:
        document = docx.Document(tmp_path / f"{t.number:02d}_{t.a.code}_{t.b.code}_ja.docx")
        roles, payments = document.tables
        role_rows = [[c.text for c in r.cells] for r in roles.rows[1:]]
        pay_rows = [[c.text for c in r.cells] for r in payments.rows[1:]]
        assert len(role_rows) == len(t.uses)
        for use, role_row, pay_row in zip(t.uses, role_rows, pay_rows, strict=False):
            flow = flows.loc[(use.user, use.facility)]
            unit = problem.facility_types.at[use.type, "capacity_unit"]
            facility = solution.facilities.loc[use.facility]
            assert role_row[2] == problem.facilities.at[use.facility, "name"]
            assert role_row[3] == format_quantity(facility["capacity"], unit)
            assert role_row[5] == format_quantity(flow["demand"], unit)
            assert pay_row[1] == format_yen(facility["annual_cost"])
            assert pay_row[3] == format_yen(flow["unit_cost"])
            assert pay_row[4] == format_quantity(flow["demand"], unit)
            assert pay_row[5] == format_yen(flow["payment"])
        pair = allocation.pair_flows.set_index(["a", "b"]).loc[(t.a.code, t.b.code)]
        totals = pay_rows[len(t.uses) :]
        assert totals[0][5] == format_yen(pair["a_to_b"])
        assert totals[1][5] == format_yen(pair["b_to_a"])
        assert totals[2][5] == format_yen(abs(pair["net"]))
    assert len(paths) == 2 * len(terms)


def test_net_payment_names_the_payer():
    _, _, _, terms = make_terms()
    markdown = agreement_markdown(terms[1], "ja")  # 甲市 – 丙村: only 丙村 pays
    assert "差引額（丙村から甲市へ）" in markdown
    assert "| 甲から乙への負担金の合計 |  |  |  |  | 0円 |  |" in markdown


def test_summary_lists_every_agreement_and_the_total_saving(tmp_path):
    problem, solution, allocation, terms = make_terms()
    summary = area_summary(problem, allocation, terms)
    write_agreements(terms, tmp_path, summary=summary)
    ja = (tmp_path / "00_area_summary_ja.md").read_text(encoding="utf-8")
    assert "年額535,000千円（21.8％）の削減" in ja
    assert "いずれの市町村も、単独で保有する場合より負担が増えない。" in ja
    for t in terms:
        assert f"| {t.number} | {t.a.name} | {t.b.name} |" in ja
    text = docx_text(docx.Document(tmp_path / "00_area_summary_en.docx"))
    assert "a saving of ¥535,000 thousand a year (21.8%)" in text
    assert "丙村立特別養護老人ホーム (丙村)" in text


# --------------------------------------------------------------------------- safety


HOSTILE = {"01001": "A&B<市>", "01002": "=SUM(1)\n乙町", "01003": "丙|村*\x07"}


def test_hostile_names_render_safely(tmp_path):
    facilities = [
        ("L1", "<b>図書館</b> & 1=1", "library", "01001", 420_000, 210_000_000),
        ("H1", "ホール|\r\n# 見出し", "hall", "01002", 1_400, 280_000_000),
        ("C1", "特養", "care", "01001", 300, 900_000_000),
        ("C2", "特養2", "care", "01003", 200, 500_000_000),
    ]
    problem, solution, allocation, terms = make_terms(names=HOSTILE, facilities=facilities)
    summary = area_summary(problem, allocation, terms)
    paths = write_agreements(terms, tmp_path, summary=summary)
    assert len(paths) == 2 * 2 * (len(terms) + 1)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left

    markdown = (tmp_path / "01_01001_01002_ja.md").read_text(encoding="utf-8")
    assert "<" not in markdown and "\r" not in markdown
    assert "A&amp;B&lt;市&gt;" in markdown
    assert "\\=SUM\\(1\\) 乙町" in markdown
    assert "\n# 見出し" not in markdown
    for line in markdown.splitlines():  # every table row keeps its column count
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) - 2 in (6, 7), line

    for path in tmp_path.glob("*.docx"):
        text = docx_text(docx.Document(path))
        assert "\x07" not in text
    text = docx_text(docx.Document(tmp_path / "01_01001_01002_ja.docx"))
    assert "A&B<市>と=SUM(1) 乙町との" in text
    assert "<b>図書館</b> & 1=1" in text
    assert "ホール| # 見出し" in text


def test_documents_are_reproducible_byte_for_byte(tmp_path):
    _, _, _, terms = make_terms()
    first = agreement_docx(terms[0], "ja")
    second = agreement_docx(terms[0], "ja")
    assert first == second
    assert agreement_markdown(terms[0], "en") == agreement_markdown(terms[0], "en")


def test_blocks_are_the_same_for_both_formats():
    _, _, _, terms = make_terms()
    md_blocks = agreement_blocks(terms[0], "ja", escape_markdown)
    docx_blocks = agreement_blocks(terms[0], "ja", clean_text)
    assert [b.kind for b in md_blocks] == [b.kind for b in docx_blocks]


def test_conciliation_goes_to_the_governor_of_the_parties_prefecture():
    def text(terms, language):
        return "\n".join(b.text for b in agreement_blocks(terms, language, clean_text))

    assert prefecture_of("13205") == ("東京都", "Tokyo")
    assert prefecture_of("131016") == ("東京都", "Tokyo")  # six digits, with check digit
    assert prefecture_of("01001") == ("北海道", "Hokkaido")
    assert prefecture_of("47201") == ("沖縄県", "Okinawa")
    assert prefecture_of("48001") is None and prefecture_of("A-1") is None
    *_, terms = make_terms()  # codes 01001, 01002, 01003: both parties in Hokkaido
    first = terms[0]
    assert "北海道知事に対し、文書により" in text(first, "ja")
    assert "apply in writing to the Governor of Hokkaido" in text(first, "en")
    across = dataclasses.replace(first, b=dataclasses.replace(first.b, code="11201"))
    assert conciliator(across, "ja") == "都道府県知事"
    assert "都道府県知事に対し" in text(across, "ja")
    assert conciliator(across, "en") == "the prefectural governor"
