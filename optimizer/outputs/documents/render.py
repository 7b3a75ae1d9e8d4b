"""Blocks rendered to Markdown and to .docx (A4, 明朝 for Japanese), and the finishing of
every .docx: table widths by content, a header row that repeats on each page, fixed
timestamps so that the same document gives the same bytes.

:func:`render_docx` lays the blocks out with named paragraph styles (``Doc Title``,
``Doc Article`` ...), so that an official can change the look of every article at once
in Word; it makes the shipped .docx templates (whose text holds docxtpl tags) and can
render filled-in blocks directly. :func:`finish_docx` is applied to every document
after its template is rendered (:mod:`.templating`).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt
from docx.styles.style import BaseStyle, CharacterStyle, ParagraphStyle
from docx.table import Table

from optimizer.outputs.documents.blocks import Block
from optimizer.outputs.safe_text import PROPERTY_MAX_CHARS, clip, one_line

__all__ = [
    "render_markdown",
    "render_docx",
    "finish_docx",
    "normalise_zip",
    "column_widths",
    "FONTS",
    "STYLES",
]

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
        elif block.kind in ("page_break", "landscape"):
            continue
        else:
            out.append(block.text)
    return "\n\n".join(out) + "\n"


# --------------------------------------------------------------------------- .docx layout

FONTS = {"ja": ("Century", "ＭＳ 明朝"), "en": ("Times New Roman", "ＭＳ 明朝")}
BODY_PT = 10.5
TABLE_PT = 9.0

STYLES = {
    "title": "Doc Title",
    "heading": "Doc Heading",
    "caption": "Doc Caption",
    "article": "Doc Article",
    "paragraph": "Doc Paragraph",
    "item": "Doc Item",
    "note": "Doc Note",
    "signature": "Doc Signature",
    "right": "Doc Right",
    "control": "Doc Paragraph",
    "table": "Doc Table",
    "number": "Doc Table Number",
}
"""The paragraph style of each kind of block (and of table text and numbers)."""


def _set_fonts(style: BaseStyle, language: str, size: float = BODY_PT) -> None:
    """The style's Latin and East Asian fonts and size."""
    if not isinstance(style, CharacterStyle):  # paragraph styles have a font too
        raise TypeError(f"the style {style.name!r} has no font")
    latin, east_asian = FONTS[language]
    style.font.name = latin
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _add_styles(document: DocxDocument, language: str) -> None:
    """The named paragraph styles of :data:`STYLES`, based on Normal (whose text is
    marked Japanese or English, East Asian text Japanese: line breaking and glyphs)."""
    normal = document.styles["Normal"]
    _set_fonts(normal, language)
    rpr = normal.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "ja-JP" if language == "ja" else "en-GB")
    lang.set(qn("w:eastAsia"), "ja-JP")
    em = Pt(BODY_PT)
    japanese = language == "ja"
    for kind, name in STYLES.items():
        if kind == "control" or name in [s.name for s in document.styles]:
            continue
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        assert isinstance(style, ParagraphStyle)
        style.base_style = document.styles["Normal"]
        style.quick_style = True
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after = Pt(0), Pt(3)
        if kind == "title":
            _set_fonts(style, language, 14)
            style.font.bold = True
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.space_before, fmt.space_after = Pt(6), Pt(12)
            fmt.keep_with_next = True
        elif kind == "heading":
            style.font.bold = True
            fmt.space_before = Pt(9)
            fmt.keep_with_next = True
        elif kind == "caption":
            style.font.bold = not japanese
            fmt.left_indent = em if japanese else None
            fmt.space_before = Pt(6)
            fmt.keep_with_next = True
        elif kind == "article":
            if japanese:  # 第1条　... with the lines after the first indented one character
                fmt.left_indent, fmt.first_line_indent = em, -em
        elif kind == "paragraph":
            fmt.first_line_indent = em if japanese else None
        elif kind == "item":
            fmt.left_indent = em * 3 if japanese else Mm(8)
            fmt.first_line_indent = -em * 2 if japanese else None
        elif kind == "note":
            _set_fonts(style, language, TABLE_PT)
            fmt.space_before = Pt(2)
        elif kind in ("signature", "right"):
            fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt.keep_with_next = kind == "signature"
            if kind == "signature":
                fmt.space_before = Pt(6)
        elif kind in ("table", "number"):
            _set_fonts(style, language, TABLE_PT)
            fmt.space_after = Pt(0)
            if kind == "number":
                fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _page_number_footer(document: DocxDocument) -> None:
    """A centred page number (a PAGE field) at the foot of every page."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _merge_first(table: Table, row: int, span: int) -> None:
    if span > 1:
        table.cell(row, 0).merge(table.cell(row, span - 1))


def _docx_table(document: DocxDocument, block: Block) -> None:
    """A table block as a gridded Word table: header row repeated on every page, numbers
    right-aligned, the first cell of a total row running over the empty cells after it.
    Its layout is left to fit the content (:func:`finish_docx` sets the widths)."""
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    spans = block.spans or (1,) * len(block.rows)
    for r, row in enumerate((block.header, *block.rows)):
        span = 1 if r == 0 else spans[r - 1]
        for c, value in enumerate(row):
            if 0 < c < span:
                continue
            numeric = r > 0 and c < len(block.numeric) and block.numeric[c]
            paragraph = table.cell(r, c).paragraphs[0]
            paragraph.style = document.styles[STYLES["number" if numeric else "table"]]
            run = paragraph.add_run(value)
            if r == 0:
                run.bold = True
        if r > 0:
            _merge_first(table, r, span)
    _mark_header(table)


def _a4(section: Section, landscape: bool = False) -> None:
    """A4 with 25 mm margins, portrait or landscape."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    short, long = Mm(210), Mm(297)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)


def render_docx(
    blocks: Sequence[Block], language: str, when: datetime, template: bool = False
) -> bytes:
    """A .docx (A4, 明朝 for Japanese, page numbers) of the blocks, finished by
    :func:`finish_docx` with ``when`` as its date. A ``template`` (blocks holding
    docxtpl tags) keeps its tables' layout open, to be fitted once rendered."""
    document = Document()
    _a4(document.sections[0])
    _add_styles(document, language)
    _page_number_footer(document)
    # python-docx's blank document holds no paragraph; every block adds one
    following = [b.kind for b in blocks[1:]] + [""]
    page_break = False
    for block, next_kind in zip(blocks, following, strict=True):
        if block.kind == "page_break":
            page_break = True
            continue
        if block.kind == "landscape":  # the page numbers carry on (the footer is linked)
            _a4(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
            continue
        if block.kind == "table":
            if page_break:
                document.add_paragraph().paragraph_format.page_break_before = True
                page_break = False
            _docx_table(document, block)
            continue
        paragraph = document.add_paragraph(block.text, style=STYLES[block.kind])
        if page_break:
            paragraph.paragraph_format.page_break_before = True
            page_break = False
        if block.kind == "signature" and next_kind != "signature":
            # the last line of a signature block does not pull the next one onto its page
            paragraph.paragraph_format.keep_with_next = False
    return finish_docx(document, language, when, fit_tables=not template)


# --------------------------------------------------------------------------- finishing

_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_UNBROKEN = re.compile(r"[^\s\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
CELL_PADDING_PT = 2 * 5.4 + 4.0
"""Left and right cell margins of the Table Grid style (0.075 in each) and some air (a
substitute font, in LibreOffice say, may set digits wider than Century)."""


def _text_pt(text: str, size: float = TABLE_PT) -> float:
    """Width of ``text`` at ``size`` pt: a full-width character one em, others about half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.65 * size for ch in text)


SHORT_TEXT = 6
"""A cell of at most this many characters (a municipality's name, a kind of facility,
a column heading) is never broken."""


def _least_pt(text: str, keep_whole: bool) -> float:
    """The narrowest a cell's text can be set without breaking a number or a word: the
    whole text for a number or a short text (:data:`SHORT_TEXT`), else its longest run
    of Latin letters and digits with the character after it (a unit: 円, 床), and at
    least two full-width characters."""
    if keep_whole or len(text) <= SHORT_TEXT:
        return _text_pt(text)
    widest = 2 * TABLE_PT if _CJK.search(text) else 0.0
    for match in _UNBROKEN.finditer(text):
        following = text[match.end() : match.end() + 1]
        widest = max(widest, _text_pt(match.group() + following.strip()))
    return widest


def column_widths(
    cells: Sequence[Sequence[tuple[str, bool, int]]], columns: int, available_pt: float
) -> list[float]:
    """Column widths [pt] filling ``available_pt`` by content.

    ``cells`` holds per row ``(text, keep_whole, span)`` for each cell; cells spanning
    several columns are left out. Each column gets at least what its widest unbreakable
    piece needs (:func:`_least_pt`); what is left goes to the columns whose text would
    wrap, in proportion to how much wider they would like to be; when everything fits on
    one line, the spare width is spread in proportion to the widths.
    """
    least = [0.0] * columns
    wanted = [0.0] * columns
    for row in cells:
        column = 0
        for text, keep_whole, span in row:
            if span == 1 and column < columns:
                for line in text.split("\n"):
                    least[column] = max(least[column], _least_pt(line, keep_whole))
                    wanted[column] = max(wanted[column], _text_pt(line))
            column += span
    least = [w + CELL_PADDING_PT for w in least]
    wanted = [max(w + CELL_PADDING_PT, low) for w, low in zip(wanted, least, strict=True)]
    if sum(wanted) <= available_pt:
        return [w * available_pt / sum(wanted) for w in wanted]
    if sum(least) >= available_pt:
        return [w * available_pt / sum(least) for w in least]
    spare = available_pt - sum(least)
    extra = [w - low for w, low in zip(wanted, least, strict=True)]
    return [low + spare * e / sum(extra) for low, e in zip(least, extra, strict=True)]


def _mark_header(table: Table) -> None:
    """The first row repeats at the top of every page the table runs over; no row is
    split across two pages."""
    for r, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        if properties.find(qn("w:cantSplit")) is None:
            properties.append(OxmlElement("w:cantSplit"))
        if r == 0 and properties.find(qn("w:tblHeader")) is None:
            properties.append(OxmlElement("w:tblHeader"))


def _is_fixed(table: Table) -> bool:
    layout = table._tbl.tblPr.find(qn("w:tblLayout"))
    return layout is not None and layout.get(qn("w:type")) == "fixed"


def _style_ids(document: DocxDocument, name: str) -> set[str]:
    """The id of the style called ``name`` in ``document`` (none if it has no such style)."""
    return {s.style_id for s in document.styles if s.name == name}


def _holds_number(tc: object, number_styles: set[str]) -> bool:
    """Whether a cell holds a number: its paragraph is right-aligned or in the number style."""
    for p in tc.p_lst:  # type: ignore[attr-defined]
        if p.pPr is None:
            continue
        if p.pPr.jc_val == WD_ALIGN_PARAGRAPH.RIGHT or p.pPr.style in number_styles:
            return True
    return False


def _fit_table(table: Table, available_pt: float, number_styles: set[str]) -> None:
    """Set the widths of a table laid out to fit its content (:func:`column_widths`) and
    fix them, so that Word and LibreOffice show them alike."""
    grid = table._tbl.tblGrid
    rows = [
        [
            (
                "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.p_lst),
                _holds_number(tc, number_styles),
                tc.grid_span,
            )
            for tc in tr.tc_lst
        ]
        for tr in table._tbl.tr_lst
    ]
    widths = column_widths(rows, len(grid.gridCol_lst), available_pt)
    for gridcol, width in zip(grid.gridCol_lst, widths, strict=True):
        gridcol.w = Pt(width)
    for tr in table._tbl.tr_lst:
        column = 0
        for tc in tr.tc_lst:
            tc.width = Pt(sum(widths[column : column + tc.grid_span]))
            column += tc.grid_span
    table.autofit = False
    _mark_header(table)


def normalise_zip(data: bytes, when: datetime) -> bytes:
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


def _text_width_pt(sectPr: object) -> float:
    """Page width less the left and right margins of a section's properties [pt]."""
    size = sectPr.find(qn("w:pgSz"))  # type: ignore[attr-defined]
    margins = sectPr.find(qn("w:pgMar"))  # type: ignore[attr-defined]
    if size is None or margins is None:
        return 453.5  # A4 portrait, 25 mm margins
    twips = (
        int(size.get(qn("w:w"))) - int(margins.get(qn("w:left"))) - int(margins.get(qn("w:right")))
    )
    return twips / 20


def _tables_and_widths(document: DocxDocument) -> list[tuple[Table, float]]:
    """Every top-level table with the text width [pt] of the section it stands in (a
    section's properties close it: in a paragraph's, or the body's for the last one)."""
    body = document.element.body
    found: list[tuple[Table, float]] = []
    pending: list[Table] = []
    for child in body.iterchildren():
        if child.tag == qn("w:tbl"):
            pending.append(Table(child, document._body))
        elif child.tag in (qn("w:p"), qn("w:sectPr")):
            sectPr = (
                child
                if child.tag == qn("w:sectPr")
                else child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
            )
            if sectPr is not None:
                found += [(table, _text_width_pt(sectPr)) for table in pending]
                pending = []
    return found + [(table, 453.5) for table in pending]


def finish_docx(
    document: DocxDocument, language: str, when: datetime, fit_tables: bool = True
) -> bytes:
    """The document as bytes: every table not fixed by its template sized to its content
    (unless ``fit_tables`` is off: a template) with its header row repeated, the properties set (title = the first paragraph in the
    title style, else the first text; dates = ``when``; no author), the archive's
    timestamps fixed."""
    number_styles = _style_ids(document, STYLES["number"])
    for table, available in _tables_and_widths(document) if fit_tables else ():
        if not _is_fixed(table):
            _fit_table(table, available, number_styles)
    properties = document.core_properties
    title_styles = _style_ids(document, STYLES["title"])
    paragraphs = document.element.body.p_lst
    texts = [p.text for p in paragraphs if p.text.strip()]
    titles = [p.text for p in paragraphs if p.style in title_styles and p.text.strip()]
    title = (titles or texts or [""])[0]
    properties.title = clip(one_line(title), PROPERTY_MAX_CHARS)  # a name may be long
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.revision = 1
    properties.created = properties.modified = when
    properties.language = language
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue(), when)
