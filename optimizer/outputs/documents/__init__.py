"""Agreement documents: Markdown and .docx, in Japanese and/or English.

Three documents, each as ``.md`` and ``.docx``:

* the 連携協約 of each agreement pair (``NN_<nameA>_<nameB>_<codeA>_<codeB>_<lang>``);
* the area-wide policy (``00_area_summary_<lang>``): the agreements, each
  municipality's role and cost, the procedures, the fee ordinances to amend and the
  checklist of every closure;
* per public facility one party opens to the other's residents, the 協議書 of Local
  Autonomy Act art. 244-3(2) with the host's and the user's council motions
  (art. 244-3(3)) (``NN-K_協議書_<host>_<user>_<facility>_<lang>``).

The wording lives in ``optimizer/outputs/templates/agreement_<language>.toml`` (package
data; :mod:`.spec`); the numbers and names come from
:class:`optimizer.sharing.terms.AgreementTerms` and
:class:`~optimizer.sharing.terms.AreaSummary` (:mod:`.context`). The Markdown is the
wording filled in (:mod:`.blocks`, :mod:`.render`); the .docx is a Word template
rendered with docxtpl (:mod:`.templating`): the shipped templates are generated from
the same wording (:mod:`.build_templates`), and a folder of the user's own templates
(edited in Word) may replace them — for the .docx only.

Safety of user text: every string that comes from the user (municipality, facility and
area names, type names, units) is escaped before it is inserted —
:func:`escape_markdown` for Markdown (control characters and line breaks removed,
``& < >`` as entities, Markdown punctuation backslash-escaped) and :func:`clean_text` for
.docx (control characters, which XML cannot hold, and line breaks removed; docxtpl's
autoescape then escapes XML). Template text is trusted; inserted values are never
re-interpreted as template fields. File names take the names through
:func:`optimizer.outputs.safe_text.file_name_part` (safe on Windows).

Numbers are written as Japanese public documents write them: 1,234,567円, 1,235千円,
40床, 1,000席, 令和8年度 (= FY2026), 令和8年4月1日.

Files are written atomically (temporary file + :func:`os.replace`, through
:mod:`optimizer.outputs.files`); .docx archives get fixed timestamps so that the same terms
give the same bytes.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from optimizer.errors import InputError
from optimizer.outputs.documents.blocks import Block, resolve
from optimizer.outputs.documents.context import (
    agreement_context,
    consultation_context,
    consultation_uses,
    summary_context,
)
from optimizer.outputs.documents.render import render_docx, render_markdown
from optimizer.outputs.documents.spec import LANGUAGES, document_nodes, load_template
from optimizer.outputs.documents.templating import Templates, render_template
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
from optimizer.outputs.safe_text import file_name_part
from optimizer.sharing.terms import AgreementTerms, AreaSummary, FacilityUse
from optimizer.workbook.messages import Issue

__all__ = [
    "LANGUAGES",
    "Block",
    "Templates",
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
    "document_languages",
    "agreement_blocks",
    "summary_blocks",
    "consultation_blocks",
    "render_markdown",
    "render_docx",
    "agreement_markdown",
    "agreement_docx",
    "summary_docx",
    "consultation_docx",
    "write_agreements",
]

log = logging.getLogger(__name__)

_SEPARATORS = re.compile(r"[\s,、，;；/]+")


def document_languages(value: object) -> tuple[str, ...]:
    """The languages of the parameter ``document_languages``: ``ja``, ``en`` or both
    (``ja,en``; also ``en ja``, ``JA、EN``), in the order given, each once; blank means
    ``ja``. Anything else is an :class:`~optimizer.errors.InputError` naming the
    parameter and the value."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ("ja",)
    found = [part.lower() for part in _SEPARATORS.split(text) if part]
    unknown = [part for part in found if part not in LANGUAGES]
    if unknown or not found:
        issue = Issue(
            sheet="parameters",
            row=None,
            column="document_languages",
            value=value,
            code="bad_enum",
            expected="ja, en or ja,en (the languages of the agreement documents)",
            expected_ja="ja、en または ja,en（協約書を作成する言語）",
        )
        raise InputError(
            [issue],
            f"document_languages: unknown language {', '.join(unknown) or text!r} "
            "(use ja, en or ja,en)",
            ja=f"document_languages: 言語 {', '.join(unknown) or text} は使えません"
            "（ja、en または ja,en）",
        )
    return tuple(dict.fromkeys(found))


# --------------------------------------------------------------------------- blocks


def agreement_blocks(terms: AgreementTerms, language: str, escape: Escape) -> list[Block]:
    """The agreement as blocks: title, preamble, articles, 附則, signatures, annexes."""
    return resolve(
        document_nodes("agreement", language), agreement_context(terms, language, escape)
    )


def summary_blocks(summary: AreaSummary, language: str, escape: Escape) -> list[Block]:
    """The area-wide policy as blocks."""
    return resolve(document_nodes("summary", language), summary_context(summary, language, escape))


def consultation_blocks(
    terms: AgreementTerms, number: str, use: FacilityUse, language: str, escape: Escape
) -> list[Block]:
    """The 協議書 of one facility and user, and the two council motions, as blocks."""
    context = consultation_context(terms, number, use, language, escape)
    return resolve(document_nodes("consultation", language), context)


# --------------------------------------------------------------------------- documents


def agreement_markdown(terms: AgreementTerms, language: str = "ja") -> str:
    """The agreement as Markdown text (user strings escaped for Markdown)."""
    return render_markdown(agreement_blocks(terms, language, escape_markdown))


def _when(year: int) -> datetime:
    """The date stamped on a document: the first day of its first fiscal year."""
    return datetime(year, 4, 1)


def _docx(
    templates: Templates | None, document: str, context: dict, language: str, year: int
) -> bytes:
    data, name = (templates or Templates()).data(document, language)
    return render_template(data, name, context, language, _when(year))


def agreement_docx(
    terms: AgreementTerms, language: str = "ja", templates: Templates | None = None
) -> bytes:
    """The agreement as .docx bytes, from its template (the shipped one by default)."""
    context = agreement_context(terms, language, clean_text)
    return _docx(templates, "agreement", context, language, terms.first_year)


def summary_docx(
    summary: AreaSummary, language: str = "ja", templates: Templates | None = None
) -> bytes:
    """The area-wide policy as .docx bytes."""
    context = summary_context(summary, language, clean_text)
    return _docx(templates, "summary", context, language, summary.first_year)


def consultation_docx(
    terms: AgreementTerms,
    number: str,
    use: FacilityUse,
    language: str = "ja",
    templates: Templates | None = None,
) -> bytes:
    """The 協議書 and the two motions of one facility and user as .docx bytes."""
    context = consultation_context(terms, number, use, language, clean_text)
    return _docx(templates, "consultation", context, language, terms.first_year)


# --------------------------------------------------------------------------- files

CODE_IN_NAME_MAX = 20
"""The most characters of a municipality code in a file name (the number keeps names
unique; a code is usually the 5- or 6-digit 全国地方公共団体コード)."""

NAME_IN_FILE_MAX_BYTES = 36
"""The most UTF-8 bytes of a municipality's name in a file name (12 kanji)."""

FACILITY_IN_FILE_MAX_BYTES = 45
"""The most UTF-8 bytes of a facility's name in a file name (15 kanji)."""


def _name(text: str) -> str:
    return file_name_part(text, NAME_IN_FILE_MAX_BYTES)


def agreement_stem(terms: AgreementTerms, language: str) -> str:
    """``01_青梅市_羽村市_13205_13227_ja``: number, names and codes of the parties."""
    a, b = (
        file_name_part(code[:CODE_IN_NAME_MAX], CODE_IN_NAME_MAX)
        for code in (terms.a.code, terms.b.code)
    )
    return f"{terms.number:02d}_{_name(terms.a.name)}_{_name(terms.b.name)}_{a}_{b}_{language}"


def consultation_stem(terms: AgreementTerms, number: str, use: FacilityUse, language: str) -> str:
    """``01-1_協議書_羽村市_青梅市_羽村市文化ホール_ja``: number, host, user, facility."""
    agreement, k = number.split("-")
    kind = "協議書" if language == "ja" else "consultation"
    host, user = terms.party(use.host).name, terms.party(use.user).name
    facility = file_name_part(use.facility_name, FACILITY_IN_FILE_MAX_BYTES)
    return f"{int(agreement):02d}-{k}_{kind}_{_name(host)}_{_name(user)}_{facility}_{language}"


def _write(
    folder: Path, stem: str, blocks: Callable[[Escape], list[Block]], docx: Callable[[], bytes]
) -> list[Path]:
    """``<stem>.md`` (the wording, escaped for Markdown) and ``<stem>.docx``."""
    return [
        atomic_write_text(folder / f"{stem}.md", render_markdown(blocks(escape_markdown))),
        atomic_write_bytes(folder / f"{stem}.docx", docx()),
    ]


def write_agreements(
    terms: Sequence[AgreementTerms],
    folder: Path | str,
    languages: Sequence[str] = ("ja",),
    summary: AreaSummary | None = None,
    templates: Templates | Path | str | None = None,
) -> list[Path]:
    """Write each agreement, its consultations (協議書 and motions) and the area summary,
    as .md and .docx, in each of ``languages`` (Japanese only by default).

    Parameters
    ----------
    terms, summary
        The agreements, and the area summary (``None``: not written).
    folder
        Where the files go (created if missing); each is written atomically.
    languages
        Any of ``ja`` and ``en`` (:func:`document_languages` reads the parameter).
    templates
        A folder of the user's .docx templates (or :class:`Templates`); ``None``: the
        shipped ones.

    Returns
    -------
    list of Path
        The files written, in order.
    """
    unknown = [language for language in languages if language not in LANGUAGES]
    if unknown:  # refuse an unknown language before writing anything
        document_languages(",".join(unknown))
    if not isinstance(templates, Templates):
        templates = Templates(templates)
    templates.check(tuple(languages))
    folder = ensure_folder(folder)
    written: list[Path] = []
    for language in languages:
        if summary is not None:
            written += _write(
                folder,
                f"00_area_summary_{language}",
                functools.partial(summary_blocks, summary, language),
                functools.partial(summary_docx, summary, language, templates),
            )
        for agreement in terms:
            written += _write(
                folder,
                agreement_stem(agreement, language),
                functools.partial(agreement_blocks, agreement, language),
                functools.partial(agreement_docx, agreement, language, templates),
            )
            for number, use in consultation_uses(agreement):
                written += _write(
                    folder,
                    consultation_stem(agreement, number, use, language),
                    functools.partial(consultation_blocks, agreement, number, use, language),
                    functools.partial(
                        consultation_docx, agreement, number, use, language, templates
                    ),
                )
    log.info("wrote %d agreement file(s) to %s", len(written), folder)
    return written
