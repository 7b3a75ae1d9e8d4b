"""Agreement documents: formatting, every clause present, annex numbers, the legal
instruments (244-3 consultations, fee ordinances, closures), hostile names."""

from __future__ import annotations

import dataclasses
import re
from io import BytesIO

import docx
import pytest
from test_allocation import hand_built_case
from test_closures import closing_case
from test_terms import FRACTIONAL_FLOWS

from optimizer.errors import InputError
from optimizer.outputs.documents import (
    agreement_blocks,
    agreement_docx,
    agreement_markdown,
    clean_text,
    consultation_blocks,
    document_languages,
    era_year,
    escape_markdown,
    format_date,
    format_fiscal_year,
    format_percent,
    format_quantity,
    format_thousand_yen,
    format_yen,
    load_template,
    summary_blocks,
    write_agreements,
)
from optimizer.outputs.documents.context import (
    conciliator,
    consultation_uses,
    filing_authority,
    prefecture_of,
)
from optimizer.outputs.documents.spec import article_numbers
from optimizer.sharing.allocation import allocate
from optimizer.sharing.terms import AgreementPolicy, agreement_terms, area_summary

CLAUSES = {
    "ja": [
        "地方自治法（昭和22年法律第67号）第252条の2第1項",
        "（目的）",
        "（基本方針）",
        "フルセット型",
        "（連携する施設及び確保量）",
        "による整数とする",
        "（役割分担）",
        "（公の施設の利用に関する協議）",
        "同法第244条の3第2項の規定による協議",
        "同条第3項の規定により、甲及び乙の議会の議決を経て",
        "（住民の利用条件）",
        "設置団体の住民と同一の取扱い",
        "地方自治法第228条第1項",
        "（経費の負担）",
        "負担金の額　＝　単位当たり費用　×　確保量",
        "単位当たり費用　＝　当該施設の年間費用　÷　当該施設の容量（1円未満の端数は、四捨五入する。）",
        "（確保量及び負担金の改定）",
        "前年度における利用団体の住民による当該施設の利用の実績",
        "80パーセントに相当する量を下回らず、120パーセントに相当する量",
        "前年度の決算による年間費用",
        "（連携協議）",
        "毎年度1回以上",
        "実務者協議会",
        "（情報の共有）",
        "（紛争の解決）",
        "第252条の2第7項",
        "自治紛争処理委員による紛争を処理するための方策の提示",
        "第251条の3の2",
        "（有効期間）",
        "この協約は、期間を定めないものとし、第14条第2項の規定によりその効力を失う日まで",
        "（協約の変更）",
        "議会の議決",
        "（協約の廃止）",
        "2年を経過した日の属する年度の末日限り、その効力を失う",
        "第5条第1項の協議を廃止するために必要な手続",
        "（告示及び届出）",
        "北海道知事に届け出る",
        "附　則",
        "甲　甲市長　＿＿＿＿＿＿＿＿＿＿　印",
        "乙　乙町長　＿＿＿＿＿＿＿＿＿＿　印",
        "別表第1（第3条、第4条、第7条、第8条関係）",
        "別表第2（第7条関係）",
    ],
    "en": [
        "Article 252-2, paragraph 1 of the Local Autonomy Act",
        "(Purpose)",
        "(Basic policy)",
        "full set",
        "(Facilities and reserved amounts)",
        "is a whole number",
        "(Roles)",
        "(Consultation on the use of public facilities)",
        "Article 244-3, paragraph 2",
        "(Residents' terms of use)",
        "same fees and charges",
        "Article 228, paragraph 1",
        "(Cost sharing)",
        "payment = unit cost × reserved amount",
        "unit cost = annual cost of the facility ÷ capacity of the facility (rounded to the yen)",
        "(Revision of the reserved amounts and payments)",
        "not less than 80 percent of the amount it replaces, nor more than 120 percent",
        "(Consultation)",
        "at least 1 time(s) each fiscal year",
        "working-level committee",
        "(Sharing of information)",
        "(Settlement of disputes)",
        "Article 252-2, paragraph 7",
        "conciliation commissioners",
        "Article 251-3-2",
        "(Term)",
        "no fixed term: it is in force until the day it lapses under Article 14, paragraph 2",
        "(Amendment)",
        "resolution of its council",
        "(Termination)",
        "lapses at the end of the fiscal year in which 2 years have passed",
        "(Public notice and notification)",
        "Party A: Mayor of 甲市  ____________________  (seal)",
        "Annex 1 (Article 3, Article 4, Article 7 and Article 8)",
        "Annex 2 (Article 7)",
    ],
}


def make_terms(policy: AgreementPolicy | None = None, **kwargs):
    problem, solution = hand_built_case(**kwargs)
    allocation = allocate(problem, solution, shapley="off")
    terms = agreement_terms(problem, solution, allocation, policy)
    return problem, solution, allocation, terms


def docx_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def text_of(blocks) -> str:
    return "\n".join(
        "\n".join((b.text, *("|".join(row) for row in (b.header, *b.rows)))) for b in blocks
    )


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
    assert format_quantity(24, "days/year") == "24日／年"
    assert format_quantity(72, "slots/year", "en") == "72 booking slots a year"
    assert format_percent(-0.01) == "0.0％"
    assert format_percent(21.84, "en") == "21.8%"


def test_markdown_escaping_neutralises_markup_and_line_breaks():
    text = escape_markdown("A&B <script>\n=SUM(1)|*x*\r\n# [link](y)")
    assert "\n" not in text and "\r" not in text
    assert "<" not in text and "&amp;" in text and "&lt;script&gt;" in text
    assert "\\=SUM\\(1\\)\\|\\*x\\*" in text
    assert "\\# \\[link\\]\\(y\\)" in text
    assert clean_text("甲\x00市\x07\n長\u202e") == "甲市 長"


# --------------------------------------------------------------------------- languages


@pytest.mark.parametrize(
    "value, languages",
    [
        ("ja", ("ja",)),
        ("en", ("en",)),
        ("ja,en", ("ja", "en")),
        (" EN、ja ", ("en", "ja")),
        ("ja ja", ("ja",)),
        ("", ("ja",)),
        (None, ("ja",)),
    ],
)
def test_document_languages(value, languages):
    assert document_languages(value) == languages


def test_an_unknown_language_is_an_input_error_naming_the_parameter(tmp_path):
    with pytest.raises(ValueError, match="language"):
        load_template("fr")
    with pytest.raises(InputError) as caught:
        document_languages("ja,fr")
    (issue,) = caught.value.issues
    assert (issue.sheet, issue.column, issue.value) == ("parameters", "document_languages", "ja,fr")
    assert "document_languages" in issue.message("en") and "ja,fr" in issue.message("en")
    *_, terms = make_terms()
    with pytest.raises(InputError, match="document_languages"):
        write_agreements(terms, tmp_path / "out", languages=("ja", "de"))
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_only_the_languages_asked_are_written(tmp_path):
    *_, terms = make_terms()
    names = [p.name for p in write_agreements(terms, tmp_path)]  # Japanese by default
    assert names and all(n.endswith(("_ja.md", "_ja.docx")) for n in names)
    english = [p.name for p in write_agreements(terms, tmp_path / "en", languages=("en",))]
    assert english and all(n.endswith(("_en.md", "_en.docx")) for n in english)


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
def test_the_docx_says_word_for_word_what_the_markdown_says(language):
    """The shipped .docx templates are the TOML wording: same paragraphs, same tables."""
    _, _, _, terms = make_terms()
    for t in terms:
        blocks = agreement_blocks(t, language, clean_text)
        document = docx.Document(BytesIO(agreement_docx(t, language)))
        expected = [b.text for b in blocks if b.kind not in ("table", "page_break", "landscape")]
        assert [p.text for p in document.paragraphs if p.text] == expected
        tables = [b for b in blocks if b.kind == "table"]
        assert len(document.tables) == len(tables)
        for block, table in zip(tables, document.tables, strict=True):
            rows = [tuple(dict.fromkeys(c.text for c in r.cells)) for r in table.rows]
            wanted = [tuple(dict.fromkeys(r)) for r in (block.header, *block.rows)]
            assert [tuple(c for c in r if c) for r in rows] == [
                tuple(c for c in r if c) for r in wanted
            ]


def test_article_references_follow_the_numbering():
    """別表第1 refers to the articles on facilities, roles, cost and revision by number:
    adding an article renumbers every reference."""
    numbers = article_numbers(load_template("ja"))
    assert [numbers[k] for k in ("facilities", "roles", "cost", "revision")] == [3, 4, 7, 8]
    annex = next(
        b.text
        for b in agreement_blocks(make_terms()[3][0], "ja", clean_text)
        if b.text.startswith("別表第1")
    )
    assert "（第3条、第4条、第7条、第8条関係）" in annex


def test_annex_numbers_are_whole_units_and_one_rule(tmp_path):
    """Reserved amounts in whole units; each payment = the whole-yen unit cost × the
    reserved amount, the totals their sums (the annex is the rule)."""
    problem, solution, allocation, terms = make_terms(flows=FRACTIONAL_FLOWS)
    write_agreements(terms, tmp_path)
    (t,) = terms
    document = docx.Document(tmp_path / f"01_甲市_乙町_{t.a.code}_{t.b.code}_ja.docx")
    roles, payments = document.tables
    role_rows = [[c.text for c in r.cells] for r in roles.rows[1:]]
    pay_rows = [[c.text for c in r.cells] for r in payments.rows[1:]]
    assert len(role_rows) == len(t.uses)
    for use, role_row, pay_row in zip(t.uses, role_rows, pay_rows, strict=False):
        unit = problem.facility_types.at[use.type, "capacity_unit"]
        assert role_row[2] == problem.facilities.at[use.facility, "name"]
        assert role_row[5] == format_quantity(use.reserved, unit)
        assert pay_row[1] == format_yen(solution.facilities.at[use.facility, "annual_cost"])
        assert pay_row[3] == format_yen(round(use.unit_cost))
        assert pay_row[4] == format_quantity(use.reserved, unit)
        price, units = (int(re.sub(r"\D", "", cell)) for cell in (pay_row[3], pay_row[4]))
        assert int(re.sub(r"\D", "", pay_row[5])) == price * units
    text = docx_text(document)
    assert "41床" in text and "232席" in text and "67,555人／年" in text
    assert not re.search(r"\d\.\d+(床|席|人)", text)  # no fraction of a unit anywhere
    totals = pay_rows[len(t.uses) :]
    assert totals[0][5] == format_yen(t.a_to_b) and totals[1][5] == format_yen(t.b_to_a)
    assert totals[2][5] == format_yen(abs(t.net))
    assert "本表の額と一致しない場合がある。負担金の額は、本表による。" in text


def test_net_payment_names_the_payer():
    _, _, _, terms = make_terms()
    markdown = agreement_markdown(terms[1], "ja")  # 甲市 – 丙村: only 丙村 pays
    assert "| 差引額 |  |  |  |  | 15,000,000円 | 丙村から甲市へ |" in markdown
    assert "| 甲から乙への負担金の合計 |  |  |  |  | 0円 |  |" in markdown


def test_term_until_notice_or_fixed():
    _, _, _, terms = make_terms()
    text = agreement_markdown(terms[0], "ja")
    assert "期間を定めないもの" in text and "年間更新" not in text
    _, _, _, fixed = make_terms(AgreementPolicy(term_years=5))
    text = agreement_markdown(fixed[0], "ja")
    assert "令和8年4月1日から令和13年3月31日までとする" in text
    assert "更に5年間更新" in text and "期間を定めない" not in text
    assert "2年を経過した日の属する年度の末日限り" in text  # notice applies in both
    english = agreement_markdown(fixed[0], "en")
    assert "in force from 1 April 2026 to 31 March 2031" in english


def test_fees_resident_level_or_as_for_non_residents():
    _, _, _, terms = make_terms()
    assert "設置団体の住民と同一の取扱い" in agreement_markdown(terms[0], "ja")
    _, _, _, kept = make_terms(AgreementPolicy(resident_fees=False))
    text = agreement_markdown(kept[0], "ja")
    assert "区域外の者について定める額があるときは、その額" in text
    assert "設置団体の住民と同一の取扱い" not in text


def test_consultation_document_and_both_motions():
    _, _, _, terms = make_terms()
    numbered = consultation_uses(terms[0])
    assert [n for n, _ in numbered] == ["1-1", "1-2"]
    number, use = numbered[0]  # 甲市立中央図書館 (甲市) for 乙町's residents
    text = text_of(consultation_blocks(terms[0], number, use, "ja", clean_text))
    assert "甲市の公の施設を乙町の住民の利用に供させることに関する協議書" in text
    assert (
        "第244条の3第2項の規定により" in text
        and "連携協約（以下「連携協約」という。）第5条" in text
    )
    assert "90,000人／年（容量の21.4％）" in text
    assert "負担金（令和8年度は45,000,000円）を甲市に支払う" in text
    assert "（甲市の議会に提出する議案の案）" in text and "（乙町の議会に提出する議案の案）" in text
    assert text.count("同条第3項の規定により議会の議決を求める") == 2
    assert "乙町の住民による甲市の公の施設の利用に関する協議について" in text
    assert "甲市の公の施設の利用に関する協議について" in text
    assert "甲市長　＿＿＿＿＿＿＿＿＿＿　印" in text and "乙町長　＿＿＿＿＿＿＿＿＿＿　印" in text
    assert "これが、この議案を提出する理由である。" in text


def test_no_consultation_for_a_facility_that_is_not_the_hosts_own():
    _, _, _, terms = make_terms()
    private = dataclasses.replace(
        terms[2], uses=tuple(dataclasses.replace(u, operator="private") for u in terms[2].uses)
    )
    assert consultation_uses(terms[2]) and consultation_uses(private) == []


def test_a_facility_to_be_built_is_marked_and_its_consultation_waits_for_it():
    _, _, _, terms = make_terms()
    new = dataclasses.replace(terms[0], uses=(dataclasses.replace(terms[0].uses[0], is_new=True),))
    text = agreement_markdown(new, "ja")
    assert "甲市立中央図書館（整備予定）" in text and "（注３）「整備予定」の施設" in text
    assert "（注３）" not in agreement_markdown(terms[0], "ja")
    number, use = consultation_uses(new)[0]
    consultation = text_of(consultation_blocks(new, number, use, "ja", clean_text))
    assert "その供用を開始する日から効力を生じ" in consultation


def test_summary_lists_agreements_procedures_fees_and_closures(tmp_path):
    problem, solution = closing_case()
    allocation = allocate(problem, solution, shapley="off")
    terms = agreement_terms(problem, solution, allocation)
    summary = area_summary(problem, allocation, terms, solution)
    write_agreements(terms, tmp_path, languages=("ja", "en"), summary=summary)
    ja = (tmp_path / "00_area_summary_ja.md").read_text(encoding="utf-8")
    assert re.search(r"圏域全体で年額[0-9,]+千円（[0-9.]+％）の削減となる。", ja)
    assert "いずれの市町村も、単独で保有する場合より負担が増えない。" in ja
    for t in terms:
        assert f"| {t.number} | {t.a.name} | {t.b.name} |" in ja
    assert "第252条の2第3項" in ja and "第244条の3第2項の協議" in ja
    assert "| 1-1 | 甲市立中央図書館 | 甲市 | 乙町 | 90,000人／年 |" in ja
    assert "第228条第1項" in ja and "| 甲市 | 甲市立中央図書館 | 乙町、丙村 |" in ja
    assert "8　廃止する施設の手続" in ja and "第244条の2第2項" in ja
    assert (
        "| 1 | 甲市立東分館（図書館） | 甲市 | 1978年（築48年） | 甲市立中央図書館（甲市） |" in ja
    )
    assert "| 2 | 丙村民ホール（文化ホール） | 丙村 | 不明 |" in ja
    text = docx_text(docx.Document(tmp_path / "00_area_summary_en.docx"))
    assert re.search(r"a saving of ¥[0-9,]+ thousand a year \([0-9.]+%\)", text)
    assert "丙村立特別養護老人ホーム (丙村)" in text
    assert "1978 (48 years old)" in text


def test_summary_without_closures_or_shared_public_facilities():
    _, _, allocation, terms = make_terms()
    problem, _ = hand_built_case()
    text = text_of(summary_blocks(area_summary(problem, allocation, terms), "ja", clean_text))
    assert "計画により廃止する施設はない。" in text


# --------------------------------------------------------------------------- safety


HOSTILE = {"01001": "A&B<市>", "01002": "=SUM(1)\n乙町", "01003": "丙|村*\x07"}


def test_hostile_names_render_safely(tmp_path):
    facilities = [
        ("L1", "<b>図書館</b> & 1=1 {{ 7*7 }}", "library", "01001", 420_000, 210_000_000),
        ("H1", "ホール|\r\n# 見出し {%p if x %}", "hall", "01002", 1_400, 280_000_000),
        ("C1", "特養", "care", "01001", 300, 900_000_000),
        ("C2", "特養2", "care", "01003", 200, 500_000_000),
    ]
    problem, solution, allocation, terms = make_terms(names=HOSTILE, facilities=facilities)
    summary = area_summary(problem, allocation, terms)
    paths = write_agreements(terms, tmp_path, languages=("ja", "en"), summary=summary)
    consultations = sum(len(consultation_uses(t)) for t in terms)
    assert len(paths) == 2 * 2 * (len(terms) + 1 + consultations)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left
    for path in paths:  # names safe on Windows
        assert not re.search(r'[<>:"/\\|?*\x00-\x1f]', path.name), path.name

    markdown = (tmp_path / "01_A&B_市_=SUM(1)_乙町_01001_01002_ja.md").read_text(encoding="utf-8")
    assert (tmp_path / "03-2_協議書_丙_村_=SUM(1)_乙町_特養2_ja.docx").is_file()
    assert "<" not in markdown and "\r" not in markdown
    assert "A&amp;B&lt;市&gt;" in markdown
    assert "\\=SUM\\(1\\) 乙町" in markdown
    assert "\n# 見出し" not in markdown
    for line in markdown.splitlines():  # every table row keeps its column count
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) - 2 == 7, line

    for path in tmp_path.glob("*.docx"):
        text = docx_text(docx.Document(path))
        assert "\x07" not in text and "49" not in text  # nothing was evaluated
    text = docx_text(docx.Document(tmp_path / "01_A&B_市_=SUM(1)_乙町_01001_01002_ja.docx"))
    assert "A&B<市>と=SUM(1) 乙町との" in text
    assert "<b>図書館</b> & 1=1 {{ 7*7 }}" in text
    assert "ホール| # 見出し {%p if x %}" in text


def test_documents_are_reproducible_byte_for_byte(tmp_path):
    _, _, allocation, terms = make_terms()
    assert agreement_docx(terms[0], "ja") == agreement_docx(terms[0], "ja")
    assert agreement_markdown(terms[0], "en") == agreement_markdown(terms[0], "en")
    problem, _ = hand_built_case()
    summary = area_summary(problem, allocation, terms)
    first = write_agreements(terms, tmp_path / "a", languages=("ja", "en"), summary=summary)
    second = write_agreements(terms, tmp_path / "b", languages=("ja", "en"), summary=summary)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


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
    assert filing_authority(first, "ja") == "北海道知事"
    assert filing_authority(across, "ja") == "それぞれの属する都道府県の知事"
