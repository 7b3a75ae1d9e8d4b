"""Agreement documents: Markdown and .docx, in Japanese and English, from templates.

The wording lives in ``optimizer/outputs/templates/agreement_<language>.toml`` (package data):
one file per language holding the agreement's articles, annex headings and the
area-wide summary. A document is first built as a list of :class:`Block` s (title,
caption, paragraph, item, table, ...) from the template and the
:class:`optimizer.sharing.terms.AgreementTerms`; the same blocks are then rendered to Markdown
and to .docx, so both formats always say the same thing.

Safety of user text: every string that comes from the user (municipality, facility and
area names, type names, units) is passed through an escaper before it is inserted —
:func:`escape_markdown` for Markdown (control characters and line breaks removed,
``& < >`` as entities, Markdown punctuation backslash-escaped) and :func:`clean_text` for
.docx (python-docx escapes XML itself; control characters, which XML cannot hold, and
line breaks are removed). Template text is trusted; inserted values are never
re-interpreted as template fields.

Numbers are written as Japanese public documents write them: 1,234,567円, 1,235千円,
40床, 1,000席, 令和8年度 (= FY2026), 令和8年4月1日.

Files are written atomically (temporary file + :func:`os.replace`, through
:mod:`optimizer.outputs.files`); .docx archives get fixed timestamps so that the same terms
give the same bytes.
"""

from __future__ import annotations

import calendar
import functools
import io
import logging
import math
import re
import tomllib
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

from optimizer.outputs.files import atomic_write_bytes, atomic_write_text
from optimizer.sharing.terms import AgreementTerms, AreaSummary, FacilityUse, mayor_title

__all__ = [
    "LANGUAGES",
    "Block",
    "load_template",
    "clean_text",
    "escape_markdown",
    "format_yen",
    "format_thousand_yen",
    "format_number",
    "format_quantity",
    "format_percent",
    "era_year",
    "format_fiscal_year",
    "format_date",
    "agreement_blocks",
    "summary_blocks",
    "render_markdown",
    "render_docx",
    "agreement_markdown",
    "agreement_docx",
    "write_agreements",
]

log = logging.getLogger(__name__)

LANGUAGES = ("ja", "en")

Escape = Callable[[object], str]

# --------------------------------------------------------------------------- text safety

_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SPACES = re.compile(r" {2,}")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~=:\"'^$])")


def clean_text(value: object) -> str:
    """User text fit for one line of a document: no line breaks or control characters.

    Line breaks and tabs become one space; other control, zero-width and
    bidirectional-override characters are removed; runs of spaces are collapsed.
    """
    text = "" if value is None else str(value)
    text = _LINE_BREAKS.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def escape_markdown(value: object) -> str:
    """User text that Markdown shows literally (no markup, no HTML, no table breaks).

    After :func:`clean_text`, ``&``, ``<`` and ``>`` become HTML entities and every
    other ASCII punctuation character with a meaning in Markdown (including ``|`` of
    tables and ``=`` of headings) is backslash-escaped.
    """
    text = clean_text(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


# --------------------------------------------------------------------------- formatting


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def format_yen(amount: float, language: str = "ja") -> str:
    """Whole yen with thousands separators: ``1,234,567円`` / ``¥1,234,567``."""
    value = _round_half_up(amount)
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,}"
    return f"{sign}{digits}円" if language == "ja" else f"{sign}¥{digits}"


def format_thousand_yen(amount: float, language: str = "ja") -> str:
    """Thousands of yen, rounded: ``1,235千円`` / ``¥1,235 thousand``."""
    value = _round_half_up(amount / 1000.0)
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,}"
    return f"{sign}{digits}千円" if language == "ja" else f"{sign}¥{digits} thousand"


def format_number(x: float) -> str:
    """A count with separators; one decimal only when it is not a whole number."""
    if abs(x - round(x)) < 0.05:
        return f"{round(x):,}"
    return f"{x:,.1f}"


UNITS: dict[str, tuple[str, str]] = {
    "beds": ("床", "beds"),
    "bed": ("床", "beds"),
    "床": ("床", "beds"),
    "seats": ("席", "seats"),
    "seat": ("席", "seats"),
    "席": ("席", "seats"),
    "visits/year": ("人／年", "visits a year"),
    "visits": ("人", "visits"),
    "人": ("人", "people"),
    "places": ("人分", "places"),
    "units": ("単位", "units"),
}
"""Capacity units as Japanese and English documents write them; others are used as given."""


def format_quantity(x: float, unit: str, language: str = "ja", escape: Escape = clean_text) -> str:
    """A capacity with its unit: ``40床`` / ``40 beds``; an unknown unit is escaped."""
    known = UNITS.get(str(unit).strip().lower()) or UNITS.get(str(unit).strip())
    number = format_number(x)
    if known:
        label = known[0] if language == "ja" else known[1]
    else:
        label = escape(unit)
    if not label:
        return number
    return f"{number}{label}" if language == "ja" and known else f"{number} {label}"


def format_percent(x: float, language: str = "ja") -> str:
    """One decimal: ``12.3％`` / ``12.3%`` (never ``-0.0``)."""
    x = 0.0 if abs(x) < 0.05 else x
    return f"{x:.1f}％" if language == "ja" else f"{x:.1f}%"


ERAS = ((2019, "令和"), (1989, "平成"), (1926, "昭和"))


def era_year(year: int) -> str:
    """A year in the Japanese era calendar: 2026 → 令和8年, 2019 → 令和元年."""
    for start, era in ERAS:
        if year >= start:
            n = year - start + 1
            return f"{era}{'元' if n == 1 else n}年"
    return f"{year}年"


def format_fiscal_year(year: int, language: str = "ja") -> str:
    """Fiscal year starting in April of ``year``: 令和8年度 / FY2026."""
    return f"{era_year(year)}度" if language == "ja" else f"FY{year}"


def format_date(year: int, month: int, day: int, language: str = "ja") -> str:
    """令和8年4月1日 / 1 April 2026."""
    if language == "ja":
        return f"{era_year(year)}{month}月{day}日"
    return f"{day} {calendar.month_name[month]} {year}"


def _fullwidth(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


# --------------------------------------------------------------------------- templates


@functools.cache
def load_template(language: str) -> dict:
    """The template of ``language`` (``ja`` or ``en``) from the package data."""
    if language not in LANGUAGES:
        raise ValueError(f"no agreement template for language {language!r} (use ja or en)")
    text = (
        resources.files("optimizer.outputs") / "templates" / f"agreement_{language}.toml"
    ).read_text(encoding="utf-8")
    return tomllib.loads(text)


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Block:
    """One piece of a document.

    ``kind`` is ``title``, ``heading``, ``caption``, ``paragraph``, ``item``, ``note``,
    ``signature`` or ``table`` (``header``, ``rows`` and ``numeric`` — which columns
    hold numbers — then describe it).
    """

    kind: str
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    numeric: tuple[bool, ...] = ()
    extra: dict = field(default_factory=dict)


def _names(terms: AgreementTerms, language: str, escape: Escape) -> dict[str, str]:
    def mayor(name: str) -> str:
        return escape(mayor_title(name)) if language == "ja" else f"Mayor of {escape(name)}"

    return {
        "a_name": escape(terms.a.name),
        "b_name": escape(terms.b.name),
        "a_mayor": mayor(terms.a.name),
        "b_mayor": mayor(terms.b.name),
    }


PREFECTURES = (
    "北海道 Hokkaido", "青森県 Aomori", "岩手県 Iwate", "宮城県 Miyagi", "秋田県 Akita",
    "山形県 Yamagata", "福島県 Fukushima", "茨城県 Ibaraki", "栃木県 Tochigi", "群馬県 Gunma",
    "埼玉県 Saitama", "千葉県 Chiba", "東京都 Tokyo", "神奈川県 Kanagawa", "新潟県 Niigata",
    "富山県 Toyama", "石川県 Ishikawa", "福井県 Fukui", "山梨県 Yamanashi", "長野県 Nagano",
    "岐阜県 Gifu", "静岡県 Shizuoka", "愛知県 Aichi", "三重県 Mie", "滋賀県 Shiga",
    "京都府 Kyoto", "大阪府 Osaka", "兵庫県 Hyogo", "奈良県 Nara", "和歌山県 Wakayama",
    "鳥取県 Tottori", "島根県 Shimane", "岡山県 Okayama", "広島県 Hiroshima", "山口県 Yamaguchi",
    "徳島県 Tokushima", "香川県 Kagawa", "愛媛県 Ehime", "高知県 Kochi", "福岡県 Fukuoka",
    "佐賀県 Saga", "長崎県 Nagasaki", "熊本県 Kumamoto", "大分県 Oita", "宮崎県 Miyazaki",
    "鹿児島県 Kagoshima", "沖縄県 Okinawa",
)  # fmt: skip
"""The prefectures in the order of their JIS X 0401 codes 01–47 (Japanese, English)."""


def prefecture_of(code: str) -> tuple[str, str] | None:
    """(Japanese, English) name of the prefecture of a local-government code (JIS X 0402:
    the first two digits), or ``None`` when the code is not one."""
    text = str(code).strip()
    if not (text.isdigit() and len(text) in (5, 6)):
        return None
    number = int(text[:2])
    if not 1 <= number <= len(PREFECTURES):
        return None
    ja, en = PREFECTURES[number - 1].split(" ", 1)
    return ja, en


def conciliator(terms: AgreementTerms, language: str) -> str:
    """Who receives a request for conciliation under art. 252-2(7) of the Local Autonomy
    Act: for two municipalities of one prefecture, that prefecture's governor; otherwise
    (or when the codes do not tell) the provision's own words."""
    a, b = prefecture_of(terms.a.code), prefecture_of(terms.b.code)
    if a is None or a != b:
        return "都道府県知事" if language == "ja" else "the prefectural governor"
    ja, en = a
    return f"{ja}知事" if language == "ja" else f"the Governor of {en}"


def _agreement_context(terms: AgreementTerms, language: str, escape: Escape) -> dict[str, str]:
    policy = terms.policy
    due_month = policy.payment_due_month
    due_year = terms.first_year + (1 if due_month <= 3 else 0)
    due_last_day = calendar.monthrange(due_year, due_month)[1]
    if language == "ja":
        due_day = f"{due_month}月{due_last_day}日"
    else:
        due_day = f"{due_last_day} {calendar.month_name[due_month]}"
    return {
        **_names(terms, language, escape),
        "first_fy": format_fiscal_year(terms.first_year, language),
        "start_date": format_date(terms.first_year, 4, 1, language),
        "end_date": format_date(terms.last_year + 1, 3, 31, language),
        "due_day": due_day,
        "term_years": str(policy.term_years),
        "renewal_notice_months": str(policy.renewal_notice_months),
        "notice_years": str(policy.notice_years),
        "consultations": str(policy.consultations_per_year),
        "governor": conciliator(terms, language),
    }


def _article_blocks(article: dict, number: int, template: dict, context: dict) -> list[Block]:
    style = template["agreement"]
    blocks = [Block("caption", style["caption_line"].format(n=number, caption=article["caption"]))]
    paragraphs = [p for p in article["paragraphs"] if isinstance(p, str)]
    count = 0
    for entry in article["paragraphs"]:
        if isinstance(entry, list):
            for k, item in enumerate(entry, start=1):
                text = item.format_map(context)
                blocks.append(
                    Block("item", style["item"].format(n=k, letter="abcdefghij"[k - 1], text=text))
                )
            continue
        count += 1
        text = entry.format_map(context)
        if count == 1:
            key = "only_paragraph" if len(paragraphs) == 1 and "only_paragraph" in style else None
            line = style[key or "first_paragraph"].format(n=number, text=text)
        else:
            line = style["next_paragraph"].format(n=count, n_fullwidth=_fullwidth(count), text=text)
        blocks.append(Block("paragraph", line))
    return blocks


def _role_rows(terms: AgreementTerms, language: str, escape: Escape) -> tuple[tuple[str, ...], ...]:
    def row(use: FacilityUse) -> tuple[str, ...]:
        type_name = use.type_name_ja if language == "ja" else use.type_name_en
        return (
            escape(terms.party(use.host).name),
            escape(type_name),
            escape(use.facility_name),
            format_quantity(use.capacity, use.capacity_unit, language, escape),
            escape(terms.party(use.user).name),
            format_quantity(use.reserved, use.capacity_unit, language, escape),
        )

    return tuple(row(u) for u in terms.uses)


def _payment_rows(
    terms: AgreementTerms, language: str, escape: Escape, annex: dict
) -> tuple[tuple[str, ...], ...]:
    def yen(x: float) -> str:
        return format_yen(x, language)

    def direction(payer: str, payee: str) -> str:
        return annex["direction"].format(
            payer=escape(terms.party(payer).name), payee=escape(terms.party(payee).name)
        )

    rows = [
        (
            escape(u.facility_name),
            yen(u.annual_cost),
            format_quantity(u.capacity, u.capacity_unit, language, escape),
            yen(u.unit_cost),
            format_quantity(u.reserved, u.capacity_unit, language, escape),
            yen(u.payment),
            direction(u.user, u.host),
        )
        for u in terms.uses
    ]
    blank = ("",) * 4
    rows.append((annex["total_a_to_b"], *blank, yen(terms.a_to_b), ""))
    rows.append((annex["total_b_to_a"], *blank, yen(terms.b_to_a), ""))
    if _round_half_up(abs(terms.net)) == 0:
        rows.append((annex["net_zero"], *blank, yen(0), ""))
    else:
        payer, payee = (terms.a, terms.b) if terms.net > 0 else (terms.b, terms.a)
        label = annex["net"].format(payer=escape(payer.name), payee=escape(payee.name))
        rows.append((label, *blank, yen(abs(terms.net)), ""))
    return tuple(rows)


def agreement_blocks(terms: AgreementTerms, language: str, escape: Escape) -> list[Block]:
    """The agreement as blocks: title, preamble, articles, 附則, signatures, annexes."""
    template = load_template(language)
    agreement = template["agreement"]
    context = _agreement_context(terms, language, escape)
    blocks = [
        Block("title", agreement["title"].format_map(context)),
        Block("paragraph", agreement["preamble"].format_map(context)),
    ]
    for number, article in enumerate(agreement["articles"], start=1):
        blocks.extend(_article_blocks(article, number, template, context))
    closing = agreement["closing"]
    blocks += [
        Block("heading", closing["supplementary_title"]),
        Block("paragraph", closing["supplementary"].format_map(context)),
        Block("paragraph", closing["witness"].format_map(context)),
        Block("signature", closing["date_line"].format_map(context)),
        Block("signature", closing["signature_a"].format_map(context)),
        Block("signature", closing["signature_b"].format_map(context)),
    ]
    roles = agreement["annex_roles"]
    blocks += [
        Block("heading", roles["title"].format_map(context)),
        Block(
            "table",
            header=tuple(roles["columns"]),
            rows=_role_rows(terms, language, escape),
            numeric=(False, False, False, True, False, True),
        ),
        Block("note", roles["note"]),
    ]
    payments = agreement["annex_payments"]
    blocks += [
        Block("heading", payments["title"].format_map(context)),
        Block(
            "table",
            header=tuple(payments["columns"]),
            rows=_payment_rows(terms, language, escape, payments),
            numeric=(False, True, True, True, True, True, False),
        ),
        Block("note", payments["note"]),
    ]
    return blocks


def _fairness_sentence(summary: AreaSummary, s: dict, escape: Escape) -> str:
    worse = summary.worse_off
    if not worse:
        return s["fair"]
    return s["unfair"].format(names=s["list_separator"].join(escape(r.name) for r in worse))


def summary_blocks(summary: AreaSummary, language: str, escape: Escape) -> list[Block]:
    """The area-wide policy: approach, cost outlook, list of agreements, roles."""
    s = load_template(language)["summary"]
    area = escape(summary.area_name)

    def k(x: float) -> str:
        return format_thousand_yen(x, language)

    context = {
        "area_suffix": s["area_suffix"].format(area=area) if area else "",
        "municipality_count": str(len(summary.roles)),
        "agreement_count": str(len(summary.agreements)),
        "first_fy": format_fiscal_year(summary.first_year, language),
        "total_standalone": k(summary.total_standalone),
        "total_plan": k(summary.total_plan),
        "total_saving": k(summary.total_saving),
        "saving_pct": format_percent(summary.saving_pct, language),
    }
    sep = s["list_separator"]
    names = {r.code: r.name for r in summary.roles}
    names.update({p.code: p.name for t in summary.agreements for p in (t.a, t.b)})

    def listed(items: Sequence[str]) -> str:
        return sep.join(items) if items else s["none"]

    agreement_rows = tuple(
        (
            str(t.number),
            escape(t.a.name),
            escape(t.b.name),
            listed(
                [
                    s["uses_item"].format(facility=escape(facility), host=escape(names[host]))
                    for facility, host in dict.fromkeys((u.facility_name, u.host) for u in t.uses)
                ]
            ),
            k(t.a_to_b),
            k(t.b_to_a),
        )
        for t in summary.agreements
    )
    role_rows = tuple(
        (
            escape(r.name),
            listed([escape(name) for name in r.hosts]),
            listed([s["uses_item"].format(facility=escape(f), host=escape(h)) for f, h in r.uses]),
            k(r.standalone_cost),
            k(r.plan_cost),
            k(r.saving),
            format_percent(r.saving_pct, language),
        )
        for r in summary.roles
    )
    blocks = [Block("title", s["title"].format_map(context)), Block("heading", s["heading_policy"])]
    blocks += [Block("paragraph", p.format_map(context)) for p in s["policy"]]
    blocks += [
        Block("heading", s["heading_cost"].format_map(context)),
        Block("paragraph", s["cost"].format_map(context) + _fairness_sentence(summary, s, escape)),
        Block("heading", s["heading_agreements"]),
        Block(
            "table",
            header=tuple(s["agreement_columns"]),
            rows=agreement_rows,
            numeric=(True, False, False, False, True, True),
        ),
        Block("heading", s["heading_roles"]),
        Block(
            "table",
            header=tuple(s["role_columns"]),
            rows=role_rows,
            numeric=(False, False, False, True, True, True, True),
        ),
        Block("note", s["note"]),
    ]
    return blocks


# --------------------------------------------------------------------------- Markdown


def _markdown_table(block: Block) -> list[str]:
    align = ["---:" if numeric else "---" for numeric in block.numeric] or ["---"] * len(
        block.header
    )
    lines = ["| " + " | ".join(block.header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in block.rows]
    return lines


def render_markdown(blocks: Sequence[Block]) -> str:
    """Markdown text of the blocks (one paragraph per block; tables as pipe tables)."""
    out: list[str] = []
    for block in blocks:
        if block.kind == "title":
            out.append(f"# {block.text}")
        elif block.kind == "heading":
            out.append(f"## {block.text}")
        elif block.kind == "caption":
            out.append(f"**{block.text}**")
        elif block.kind == "table":
            out.append("\n".join(_markdown_table(block)))
        else:
            out.append(block.text)
    return "\n\n".join(out) + "\n"


# --------------------------------------------------------------------------- .docx

FONTS = {"ja": ("Century", "ＭＳ 明朝"), "en": ("Times New Roman", "ＭＳ 明朝")}


def _set_fonts(style, language: str) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    latin, east_asian = FONTS[language]
    style.font.name = latin
    style.font.size = Pt(10.5)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _docx_table(document, block: Block) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = "Table Grid"
    for r, row in enumerate((block.header, *block.rows)):
        for c, value in enumerate(row):
            paragraph = table.cell(r, c).paragraphs[0]
            run = paragraph.add_run(value)
            run.font.size = Pt(9)
            if r == 0:
                run.bold = True
            elif c < len(block.numeric) and block.numeric[c]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _normalise_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite a .docx archive with one fixed timestamp so equal content gives equal bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            out.writestr(fixed, source.read(info.filename))
    return target.getvalue()


def render_docx(blocks: Sequence[Block], language: str, when: datetime) -> bytes:
    """A .docx (A4, 明朝 for Japanese) of the blocks, as bytes with fixed timestamps.

    ``when`` is written as the document's creation date (the first day of the
    agreement's first fiscal year), so that rendering again gives identical bytes.
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    _set_fonts(document.styles["Normal"], language)

    for block in blocks:
        if block.kind == "table":
            _docx_table(document, block)
            continue
        paragraph = document.add_paragraph()
        run = paragraph.add_run(block.text)
        if block.kind == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold = True
            run.font.size = Pt(14)
        elif block.kind == "heading":
            run.bold = True
        elif block.kind == "caption" and language == "en":
            run.bold = True
        elif block.kind == "item":
            paragraph.paragraph_format.left_indent = Mm(8)
        elif block.kind == "note":
            run.font.size = Pt(9)
        elif block.kind == "signature":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    properties = document.core_properties
    title = next((b.text for b in blocks if b.kind == "title"), "")
    properties.title = title
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.revision = 1
    properties.created = properties.modified = when
    properties.language = language
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_zip(buffer.getvalue(), when)


# --------------------------------------------------------------------------- files


def agreement_markdown(terms: AgreementTerms, language: str = "ja") -> str:
    """The agreement as Markdown text (user strings escaped for Markdown)."""
    return render_markdown(agreement_blocks(terms, language, escape_markdown))


def agreement_docx(terms: AgreementTerms, language: str = "ja") -> bytes:
    """The agreement as .docx bytes (user strings cleaned of control characters)."""
    blocks = agreement_blocks(terms, language, clean_text)
    return render_docx(blocks, language, datetime(terms.first_year, 4, 1))


_UNSAFE = re.compile(r"[^0-9A-Za-z_-]+")


def _file_stem(terms: AgreementTerms, language: str) -> str:
    a, b = (_UNSAFE.sub("_", code) or "x" for code in (terms.a.code, terms.b.code))
    return f"{terms.number:02d}_{a}_{b}_{language}"


def write_agreements(
    terms: Sequence[AgreementTerms],
    folder: Path,
    languages: Sequence[str] = LANGUAGES,
    summary: AreaSummary | None = None,
) -> list[Path]:
    """Write each agreement (and the area summary) as .md and .docx in every language.

    Files are named ``NN_<codeA>_<codeB>_<lang>.md|.docx`` (NN = agreement number) and
    ``00_area_summary_<lang>.md|.docx``, and each is written atomically.

    Returns
    -------
    list of Path
        The files written, in order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for language in languages:
        load_template(language)  # refuse an unknown language before writing anything
    written: list[Path] = []
    for language in languages:
        if summary is not None:
            stem = f"00_area_summary_{language}"
            when = datetime(summary.first_year, 4, 1)
            md = render_markdown(summary_blocks(summary, language, escape_markdown))
            docx = render_docx(summary_blocks(summary, language, clean_text), language, when)
            written.append(atomic_write_text(folder / f"{stem}.md", md))
            written.append(atomic_write_bytes(folder / f"{stem}.docx", docx))
        for agreement in terms:
            stem = _file_stem(agreement, language)
            written.append(
                atomic_write_text(folder / f"{stem}.md", agreement_markdown(agreement, language))
            )
            written.append(
                atomic_write_bytes(folder / f"{stem}.docx", agreement_docx(agreement, language))
            )
    log.info("wrote %d agreement file(s) to %s", len(written), folder)
    return written
