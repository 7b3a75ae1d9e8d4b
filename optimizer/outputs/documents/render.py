"""Blocks rendered to Markdown and to .docx (A4, 明朝 for Japanese), byte for byte
reproducible."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.styles.style import BaseStyle, CharacterStyle

from optimizer.outputs.documents.blocks import Block
from optimizer.outputs.safe_text import PROPERTY_MAX_CHARS, clip, one_line

__all__ = ["render_markdown", "render_docx", "FONTS"]

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


def _set_fonts(style: BaseStyle, language: str) -> None:
    """The style's Latin and East Asian fonts, 10.5 pt."""
    if not isinstance(style, CharacterStyle):  # Normal is: paragraph styles have a font
        raise TypeError(f"the style {style.name!r} has no font")
    latin, east_asian = FONTS[language]
    style.font.name = latin
    style.font.size = Pt(10.5)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _docx_table(document: DocxDocument, block: Block) -> None:
    """A table block as a gridded Word table, header bold, numbers right-aligned."""
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
    properties.title = clip(one_line(title), PROPERTY_MAX_CHARS)  # a name may be long
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.revision = 1
    properties.created = properties.modified = when
    properties.language = language
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_zip(buffer.getvalue(), when)
