"""The .docx documents, rendered from Word templates with docxtpl.

Each document has a template per language: ``agreement_<lang>.docx``,
``summary_<lang>.docx`` and ``consultation_<lang>.docx`` (:data:`TEMPLATE_FILES`). The
shipped ones live in ``optimizer/outputs/templates/`` (package data) and are generated
from the TOML wording by :mod:`.build_templates`, so they say word for word what the
Markdown says. Officials may edit wording and layout in Word: a folder of their own
templates (:class:`Templates`, the run's ``document_templates``) replaces the shipped
template of every file it holds; the others stay. A template may use the fields of
:data:`.context.CONTEXT_KEYS` (``{{ a_name }}``, ``{%p if fixed_term %}``,
``{%tr for r in roles %}`` ...); values are escaped (autoescape on) and never
re-interpreted as template text. A user's template changes only the .docx; the
Markdown keeps the TOML wording.

Rendering is strict: a field a template uses but the context lacks is an error
(:class:`~optimizer.errors.OutputError` naming the template and the field), not a blank.
"""

from __future__ import annotations

import functools
import io
import logging
import zipfile
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate

from optimizer.errors import OutputError
from optimizer.outputs.documents.blocks import template_blocks
from optimizer.outputs.documents.context import CONTEXT_KEYS
from optimizer.outputs.documents.render import finish_docx, render_docx
from optimizer.outputs.documents.spec import DOCUMENTS, LANGUAGES, document_nodes

__all__ = [
    "TEMPLATE_FILES",
    "TEMPLATE_DATE",
    "Templates",
    "template_name",
    "shipped_template",
    "build_template",
    "render_template",
]

log = logging.getLogger(__name__)

TEMPLATE_DATE = datetime(2026, 4, 1)
"""The date stamped on the shipped templates (their bytes must not depend on the day
they are built)."""


def template_name(document: str, language: str) -> str:
    """``<document>_<language>.docx``."""
    return f"{document}_{language}.docx"


TEMPLATE_FILES = tuple(template_name(d, lang) for d in DOCUMENTS for lang in LANGUAGES)
"""Every template file name a template folder may hold."""


def build_template(document: str, language: str) -> bytes:
    """The shipped template of ``document`` in ``language``, made from the TOML wording."""
    blocks = template_blocks(document_nodes(document, language))
    return render_docx(blocks, language, TEMPLATE_DATE, template=True)


@functools.cache
def shipped_template(document: str, language: str) -> bytes:
    """The bytes of the shipped template (package data)."""
    path = resources.files("optimizer.outputs") / "templates" / template_name(document, language)
    return path.read_bytes()


def _environment() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def _unusable(name: str, reason: str, reason_ja: str | None = None) -> OutputError:
    return OutputError(
        f"the document template {name} cannot be used: {reason}",
        ja=f"文書のひな形 {name} を使えません: {reason_ja or reason}",
    )


def _open(data: bytes, name: str) -> DocxTemplate:
    try:
        template = DocxTemplate(io.BytesIO(data))
        template.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _unusable(
            name, f"not a Word document (.docx): {exc}", "Word 文書（.docx）ではありません"
        ) from exc
    return template


class Templates:
    """The templates of a run: a user's folder first (when given), the shipped ones else.

    Parameters
    ----------
    folder
        A folder holding any of :data:`TEMPLATE_FILES`, or ``None`` for the shipped
        templates only.
    """

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        if self.folder is not None and not self.folder.is_dir():
            raise _unusable(str(self.folder), "no such folder", "フォルダが見つかりません")

    def source(self, document: str, language: str) -> Path | None:
        """The user's template file for the document, or ``None`` (the shipped one)."""
        if self.folder is None:
            return None
        path = self.folder / template_name(document, language)
        return path if path.is_file() else None

    def data(self, document: str, language: str) -> tuple[bytes, str]:
        """The template's bytes and a name for messages."""
        path = self.source(document, language)
        if path is None:
            return shipped_template(document, language), template_name(document, language)
        try:
            return path.read_bytes(), str(path)
        except OSError as exc:
            raise _unusable(str(path), str(exc)) from exc

    def check(self, languages: tuple[str, ...]) -> None:
        """Refuse, before anything is solved or written, a user's template that is not a
        .docx, has a template syntax error or uses a field its document does not have.
        Files of the folder that are no template are named in the log."""
        if self.folder is None:
            return
        for path in sorted(self.folder.glob("*.docx")):
            if path.name not in TEMPLATE_FILES:
                log.warning(
                    "%s is not a document template (expected one of %s); ignored",
                    path,
                    ", ".join(TEMPLATE_FILES),
                )
        for document in DOCUMENTS:
            for language in languages:
                if self.source(document, language) is None:
                    continue
                data, name = self.data(document, language)
                template = _open(data, name)
                try:
                    used = template.get_undeclared_template_variables(_environment())
                except jinja2.TemplateError as exc:
                    raise _unusable(name, f"template error: {exc}", f"ひな形の誤り: {exc}") from exc
                unknown = sorted(set(used) - CONTEXT_KEYS[document])
                if unknown:
                    fields = ", ".join(unknown)
                    raise _unusable(
                        name,
                        f"unknown field(s) {fields} (a {document} has: "
                        f"{', '.join(sorted(CONTEXT_KEYS[document]))})",
                        f"差し込み項目 {fields} はありません（使える項目: "
                        f"{', '.join(sorted(CONTEXT_KEYS[document]))}）",
                    )
                log.info("document template %s from %s", template_name(document, language), name)


def render_template(
    data: bytes, name: str, context: Mapping[str, object], language: str, when: datetime
) -> bytes:
    """A document: the template ``data`` rendered with ``context`` (autoescaped, strict)
    and finished (:func:`.render.finish_docx`: table widths, header rows, fixed dates)."""
    template = _open(data, name)
    properties = template.docx.core_properties
    for field in ("author", "comments", "identifier", "subject", "title"):
        # docxtpl renders these as templates too; the document sets its own afterwards
        # (a name of 300 characters would overflow a property of 255)
        setattr(properties, field, "")
    try:
        template.render(dict(context), _environment(), autoescape=True)
    except jinja2.TemplateError as exc:
        raise _unusable(name, f"template error: {exc}", f"ひな形の誤り: {exc}") from exc
    return finish_docx(template.docx, language, when)
