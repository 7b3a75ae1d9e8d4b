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

Modules: ``text`` (escaping, numbers and dates as documents write them), ``blocks``
(templates and the documents as blocks), ``render`` (blocks to Markdown and to .docx);
this one writes the files.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from optimizer.outputs.documents.blocks import (
    LANGUAGES,
    Block,
    agreement_blocks,
    load_template,
    summary_blocks,
)
from optimizer.outputs.documents.render import render_docx, render_markdown
from optimizer.outputs.documents.text import (
    Escape,
    clean_text,
    era_year,
    escape_markdown,
    format_date,
    format_fiscal_year,
    format_number,
    format_percent,
    format_quantity,
    format_thousand_yen,
    format_yen,
)
from optimizer.outputs.files import atomic_write_bytes, atomic_write_text, ensure_folder
from optimizer.sharing.terms import AgreementTerms, AreaSummary

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


# --------------------------------------------------------------------------- files


def agreement_markdown(terms: AgreementTerms, language: str = "ja") -> str:
    """The agreement as Markdown text (user strings escaped for Markdown)."""
    return render_markdown(agreement_blocks(terms, language, escape_markdown))


def agreement_docx(terms: AgreementTerms, language: str = "ja") -> bytes:
    """The agreement as .docx bytes (user strings cleaned of control characters)."""
    blocks = agreement_blocks(terms, language, clean_text)
    return render_docx(blocks, language, datetime(terms.first_year, 4, 1))


_UNSAFE = re.compile(r"[^0-9A-Za-z_-]+")
CODE_IN_NAME_MAX = 40
"""The most characters of a municipality code in a file name (the number keeps names
unique; a code is usually the 5- or 6-digit 全国地方公共団体コード)."""


def _file_stem(terms: AgreementTerms, language: str) -> str:
    a, b = (
        _UNSAFE.sub("_", code)[:CODE_IN_NAME_MAX] or "x" for code in (terms.a.code, terms.b.code)
    )
    return f"{terms.number:02d}_{a}_{b}_{language}"


def _write_document(
    folder: Path, stem: str, blocks: Callable[[Escape], list[Block]], language: str, when: datetime
) -> list[Path]:
    """``<stem>.md`` and ``<stem>.docx`` of one document, each with the escaper of its
    format; ``when`` is the .docx creation date."""
    markdown = render_markdown(blocks(escape_markdown))
    docx = render_docx(blocks(clean_text), language, when)
    return [
        atomic_write_text(folder / f"{stem}.md", markdown),
        atomic_write_bytes(folder / f"{stem}.docx", docx),
    ]


def write_agreements(
    terms: Sequence[AgreementTerms],
    folder: Path | str,
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
    folder = ensure_folder(folder)
    for language in languages:
        load_template(language)  # refuse an unknown language before writing anything
    written: list[Path] = []
    for language in languages:
        if summary is not None:
            written += _write_document(
                folder,
                f"00_area_summary_{language}",
                functools.partial(summary_blocks, summary, language),
                language,
                datetime(summary.first_year, 4, 1),
            )
        for agreement in terms:
            written += _write_document(
                folder,
                _file_stem(agreement, language),
                functools.partial(agreement_blocks, agreement, language),
                language,
                datetime(agreement.first_year, 4, 1),
            )
    log.info("wrote %d agreement file(s) to %s", len(written), folder)
    return written
