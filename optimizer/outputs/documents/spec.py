"""The wording of the documents as a tree of nodes, read from the TOML templates.

``optimizer/outputs/templates/agreement_<language>.toml`` holds three documents —
``agreement`` (the 連携協約), ``summary`` (the area-wide policy) and ``consultation`` (the
協議書 of art. 244-3 and the two council motions) — each as a ``body``: a list of entries
whose ``kind`` is

``title``, ``heading``, ``caption``, ``article``, ``paragraph``, ``item``, ``note``, ``right``, ``signature``
    a line of text (``text``, a :meth:`str.format` string of the context's fields);
``page_break``, ``landscape``
    what follows starts on a new page (``landscape``: a new section in A4 landscape,
    for wide annexes);
``articles``
    the document's numbered articles (``[[<document>.articles]]``), see below;
``if``
    ``flag``, then ``then`` (entries) and optionally ``else`` (entries);
``for``
    ``items`` (a list of the context), ``var`` (its name in ``{var.field}``), ``body``;
``table``
    ``columns`` (header), ``numeric`` (right-aligned columns), ``items`` and ``var``
    (one row per item, ``cells`` its format strings), then ``after`` (fixed rows: each
    ``cells`` and optionally ``span = true`` to let the first cell run over the empty
    ones after it; or an ``if`` of such rows, :class:`RowIf`).

An article has a ``key``, a ``caption`` and ``paragraphs`` (a string is a paragraph, a
list of strings the items of the paragraph before it), or ``variants``: a list of
``{when = "<flag>", paragraphs = [...]}``, the last of which may have no ``when`` (the
otherwise). Articles are numbered in order; ``{art:<key>}`` anywhere in the file stands
for an article's number as the style writes it (第7条 / Article 7), so adding an article
renumbers every reference.

The nodes are the same for both outputs: :mod:`.blocks` turns them into the blocks of
one document (Markdown, and the tests), or into the blocks of a .docx template with
docxtpl's tags (``{%p if %}``, ``{%tr for %}``, ``{{ field }}``).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from optimizer.outputs.documents.text import fullwidth

__all__ = [
    "LANGUAGES",
    "DOCUMENTS",
    "BREAKS",
    "Text",
    "If",
    "For",
    "Row",
    "RowIf",
    "Table",
    "Node",
    "load_template",
    "document_nodes",
    "article_numbers",
]

LANGUAGES = ("ja", "en")
DOCUMENTS = ("agreement", "summary", "consultation")

TEXT_KINDS = frozenset(
    {
        "title",
        "heading",
        "caption",
        "article",
        "paragraph",
        "item",
        "note",
        "right",
        "signature",
        "page_break",
        "landscape",
    }
)

BREAKS = frozenset({"page_break", "landscape"})
"""Kinds that carry no text: a new page, or a new landscape section."""


@dataclass(frozen=True)
class Text:
    """One line of text: ``kind`` (see :data:`TEXT_KINDS`) and a format string."""

    kind: str
    text: str = ""


@dataclass(frozen=True)
class If:
    """``then`` when the context's ``flag`` is true, else ``otherwise``."""

    flag: str
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...] = ()


@dataclass(frozen=True)
class For:
    """``body`` once per item of the context's list ``items``, the item named ``var``."""

    items: str
    var: str
    body: tuple[Node, ...]


@dataclass(frozen=True)
class Row:
    """A fixed row of a table; with ``span`` its first cell runs over the empty ones after it."""

    cells: tuple[str, ...]
    span: bool = False


@dataclass(frozen=True)
class RowIf:
    """Fixed rows of a table: ``then`` when the context's ``flag`` is true, else ``otherwise``."""

    flag: str
    then: tuple[Row, ...]
    otherwise: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table: a header, one row per item of ``items``, then the fixed rows ``after``."""

    columns: tuple[str, ...]
    numeric: tuple[bool, ...]
    items: str
    var: str
    cells: tuple[str, ...]
    after: tuple[Row | RowIf, ...] = field(default_factory=tuple)


Node = Text | If | For | Table

# --------------------------------------------------------------------------- loading

_ART_REF = re.compile(r"\{art:([A-Za-z_][A-Za-z0-9_]*)\}")


def _read(language: str) -> dict:
    if language not in LANGUAGES:
        raise ValueError(
            f"no document template for language {language!r} (use {' or '.join(LANGUAGES)})"
        )
    text = (
        resources.files("optimizer.outputs") / "templates" / f"agreement_{language}.toml"
    ).read_text(encoding="utf-8")
    return tomllib.loads(text)


def article_numbers(template: dict) -> dict[str, int]:
    """Each article's key → its number (1, 2, ... in the order written)."""
    return {
        str(article["key"]): n
        for n, article in enumerate(template["agreement"]["articles"], start=1)
    }


def _resolve_refs(value: object, refs: dict[str, str]) -> object:
    """``{art:key}`` replaced by the article's number in every string of ``value``."""
    if isinstance(value, str):

        def ref(match: re.Match) -> str:
            key = match.group(1)
            if key not in refs:
                raise ValueError(f"the template refers to an unknown article {{art:{key}}}")
            return refs[key]

        return _ART_REF.sub(ref, value)
    if isinstance(value, list):
        return [_resolve_refs(v, refs) for v in value]
    if isinstance(value, dict):
        return {k: _resolve_refs(v, refs) for k, v in value.items()}
    return value


@functools.cache
def load_template(language: str) -> dict:
    """The wording of ``language`` (``ja`` or ``en``) from the package data, with every
    ``{art:key}`` replaced by the article's number (第7条 / Article 7)."""
    template = _read(language)
    style = template["style"]
    refs = {key: style["article_ref"].format(n=n) for key, n in article_numbers(template).items()}
    resolved = _resolve_refs(template, refs)
    assert isinstance(resolved, dict)
    return resolved


# --------------------------------------------------------------------------- nodes


def _article_nodes(paragraphs: list, number: int, caption: str, style: dict) -> list[Node]:
    """Caption, paragraphs and items of one article (one variant of it)."""
    nodes: list[Node] = [Text("caption", style["caption_line"].format(n=number, caption=caption))]
    count = sum(1 for p in paragraphs if isinstance(p, str))
    seen = 0
    for entry in paragraphs:
        if isinstance(entry, list):
            for k, item in enumerate(entry, start=1):
                line = style["item"].format(n=k, letter="abcdefghij"[k - 1], text=item)
                nodes.append(Text("item", line))
            continue
        seen += 1
        if seen == 1:
            key = (
                "only_paragraph" if count == 1 and "only_paragraph" in style else "first_paragraph"
            )
            line = style[key].format(n=number, text=entry)
        else:
            line = style["next_paragraph"].format(n=seen, n_fullwidth=fullwidth(seen), text=entry)
        nodes.append(Text("article", line))
    return nodes


def _variants(variants: list[dict], number: int, caption: str, style: dict) -> list[Node]:
    """An if / else chain over the article's variants."""
    head, *rest = variants
    body = tuple(_article_nodes(head["paragraphs"], number, caption, style))
    if "when" not in head:
        return list(body)
    otherwise = tuple(_variants(rest, number, caption, style)) if rest else ()
    return [If(str(head["when"]), body, otherwise)]


def _articles(articles: list[dict], style: dict) -> list[Node]:
    nodes: list[Node] = []
    for number, article in enumerate(articles, start=1):
        if "variants" in article:
            nodes += _variants(article["variants"], number, article["caption"], style)
        else:
            nodes += _article_nodes(article["paragraphs"], number, article["caption"], style)
    return nodes


def _row(entry: dict) -> Row:
    return Row(tuple(entry["cells"]), bool(entry.get("span", False)))


def _rows(entries: list[dict]) -> tuple[Row | RowIf, ...]:
    rows: list[Row | RowIf] = []
    for entry in entries:
        if entry.get("kind") == "if":
            then = tuple(_row(e) for e in entry.get("then", []))
            otherwise = tuple(_row(e) for e in entry.get("else", []))
            rows.append(RowIf(str(entry["flag"]), then, otherwise))
        else:
            rows.append(_row(entry))
    return tuple(rows)


def _nodes(entries: list[dict], document: dict, style: dict) -> list[Node]:
    nodes: list[Node] = []
    for entry in entries:
        kind = entry["kind"]
        if kind == "articles":
            nodes += _articles(document["articles"], style)
        elif kind == "if":
            nodes.append(
                If(
                    str(entry["flag"]),
                    tuple(_nodes(entry.get("then", []), document, style)),
                    tuple(_nodes(entry.get("else", []), document, style)),
                )
            )
        elif kind == "for":
            nodes.append(
                For(
                    str(entry["items"]),
                    str(entry["var"]),
                    tuple(_nodes(entry["body"], document, style)),
                )
            )
        elif kind == "table":
            columns = tuple(entry["columns"])
            nodes.append(
                Table(
                    columns=columns,
                    numeric=tuple(entry.get("numeric", [False] * len(columns))),
                    items=str(entry["items"]),
                    var=str(entry["var"]),
                    cells=tuple(entry["cells"]),
                    after=_rows(entry.get("after", [])),
                )
            )
        elif kind in TEXT_KINDS:
            nodes.append(Text(kind, str(entry.get("text", ""))))
        else:
            raise ValueError(f"unknown kind of template entry: {kind!r}")
    return nodes


@functools.cache
def document_nodes(document: str, language: str) -> tuple[Node, ...]:
    """The nodes of ``document`` (``agreement``, ``summary`` or ``consultation``)."""
    if document not in DOCUMENTS:
        raise ValueError(f"unknown document {document!r} (one of {', '.join(DOCUMENTS)})")
    template = load_template(language)
    return tuple(_nodes(template[document]["body"], template[document], template["style"]))
