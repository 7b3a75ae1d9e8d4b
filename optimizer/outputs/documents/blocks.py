"""Documents as blocks: the nodes of the wording filled in, or turned into a template.

A :class:`Block` is one piece of a document (title, caption, article paragraph, item,
note, table, ...). :func:`resolve` fills the nodes of :mod:`.spec` with a context of
values (every user string already escaped for the target format) and gives the blocks
of one document; the Markdown output is made from them. :func:`template_blocks` gives
the blocks of the same document as a docxtpl template instead: every ``{field}`` becomes
``{{ field }}``, every ``if`` and ``for`` a paragraph or table-row tag (``{%p if x %}``,
``{%tr for r in rows %}``), so that the shipped .docx templates say word for word what
the Markdown says. Template text is trusted; inserted values are never re-interpreted
as template fields (``str.format`` inserts them once; docxtpl escapes them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.outputs.documents.spec import BREAKS, For, If, Node, Row, RowIf, Table, Text

__all__ = ["Block", "Record", "resolve", "template_blocks", "CONTROL_PREFIXES"]

CONTROL_PREFIXES = ("{%p ", "{%tr ")
"""A paragraph, or the first cell of a table row, holding one of these is a docxtpl tag
(the paragraph or row is removed when the template is rendered)."""


@dataclass(frozen=True)
class Block:
    """One piece of a document.

    ``kind`` is ``title``, ``heading``, ``caption``, ``article`` (a numbered paragraph
    of an article), ``paragraph``, ``item``, ``note``, ``right`` (right-aligned),
    ``signature``, ``page_break``, ``landscape`` (a new section in A4 landscape),
    ``control`` (a docxtpl tag, templates only) or
    ``table``: ``header``, ``rows`` and ``numeric`` (which columns hold numbers) then
    describe it, and ``spans`` (one per row) how many cells the row's first cell runs
    over (1: itself only).
    """

    kind: str
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    numeric: tuple[bool, ...] = ()
    spans: tuple[int, ...] = ()


class Record(dict):
    """One item of a list of the context: its fields read as ``{r.field}`` by
    :meth:`str.format` and as ``{{ r.field }}`` by Jinja."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _span(cells: Sequence[str], span: bool) -> int:
    """How many cells the first one runs over: itself and the empty ones right after it."""
    if not span:
        return 1
    count = 1
    while count < len(cells) and not cells[count]:
        count += 1
    return count


# --------------------------------------------------------------------------- filled in


def _fixed_rows(
    after: Sequence[Row | RowIf], context: Mapping[str, Any]
) -> list[tuple[tuple[str, ...], int]]:
    rows: list[tuple[tuple[str, ...], int]] = []
    for entry in after:
        if isinstance(entry, RowIf):
            rows += _fixed_rows(entry.then if context[entry.flag] else entry.otherwise, context)
        else:
            cells = tuple(c.format_map(context) for c in entry.cells)
            rows.append((cells, _span(entry.cells, entry.span)))
    return rows


def _table(node: Table, context: Mapping[str, Any]) -> Block:
    rows = [
        tuple(c.format_map({**context, node.var: item}) for c in node.cells)
        for item in context[node.items]
    ]
    fixed = _fixed_rows(node.after, context)
    return Block(
        "table",
        header=node.columns,
        rows=(*rows, *(cells for cells, _ in fixed)),
        numeric=node.numeric,
        spans=(*(1 for _ in rows), *(span for _, span in fixed)),
    )


def resolve(nodes: Sequence[Node], context: Mapping[str, Any]) -> list[Block]:
    """The blocks of one document: ``nodes`` with the ``context``'s values filled in.

    A missing field or flag is an error (``KeyError``): the context builders of
    :mod:`.context` give every field their documents use.
    """
    blocks: list[Block] = []
    for node in nodes:
        if isinstance(node, Text):
            text = "" if node.kind in BREAKS else node.text.format_map(context)
            blocks.append(Block(node.kind, text))
        elif isinstance(node, If):
            blocks += resolve(node.then if context[node.flag] else node.otherwise, context)
        elif isinstance(node, For):
            for item in context[node.items]:
                blocks += resolve(node.body, {**context, node.var: item})
        else:
            blocks.append(_table(node, context))
    return blocks


# --------------------------------------------------------------------------- template


class _Field:
    """A field as Jinja writes it: ``{a_name}`` → ``{{ a_name }}``, ``{r.host}`` →
    ``{{ r.host }}``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __getattr__(self, name: str) -> _Field:
        return _Field(f"{self.path}.{name}")

    def __format__(self, spec: str) -> str:
        return "{{ " + self.path + " }}"


class _Fields(dict):
    def __missing__(self, key: str) -> _Field:
        return _Field(key)


def _jinja(text: str) -> str:
    return text.format_map(_Fields())


def _control(tag: str) -> Block:
    return Block("control", tag)


def _template_rows(after: Sequence[Row | RowIf], width: int) -> list[tuple[tuple[str, ...], int]]:
    blank = ("",) * (width - 1)
    rows: list[tuple[tuple[str, ...], int]] = []
    for entry in after:
        if isinstance(entry, RowIf):
            rows.append(((f"{{%tr if {entry.flag} %}}", *blank), 1))
            rows += _template_rows(entry.then, width)
            if entry.otherwise:
                rows.append((("{%tr else %}", *blank), 1))
                rows += _template_rows(entry.otherwise, width)
            rows.append((("{%tr endif %}", *blank), 1))
        else:
            rows.append((tuple(_jinja(c) for c in entry.cells), _span(entry.cells, entry.span)))
    return rows


def template_blocks(nodes: Sequence[Node]) -> list[Block]:
    """The blocks of a docxtpl template of the document (see the module's docstring)."""
    blocks: list[Block] = []
    for node in nodes:
        if isinstance(node, Text):
            blocks.append(Block(node.kind, "" if node.kind in BREAKS else _jinja(node.text)))
        elif isinstance(node, If):
            blocks.append(_control(f"{{%p if {node.flag} %}}"))
            blocks += template_blocks(node.then)
            if node.otherwise:
                blocks.append(_control("{%p else %}"))
                blocks += template_blocks(node.otherwise)
            blocks.append(_control("{%p endif %}"))
        elif isinstance(node, For):
            blocks.append(_control(f"{{%p for {node.var} in {node.items} %}}"))
            blocks += template_blocks(node.body)
            blocks.append(_control("{%p endfor %}"))
        else:
            width = len(node.columns)
            blank = ("",) * (width - 1)
            loop = [
                (f"{{%tr for {node.var} in {node.items} %}}", *blank),
                tuple(_jinja(c) for c in node.cells),
                ("{%tr endfor %}", *blank),
            ]
            fixed = _template_rows(node.after, width)
            blocks.append(
                Block(
                    "table",
                    header=node.columns,
                    rows=(*loop, *(cells for cells, _ in fixed)),
                    numeric=node.numeric,
                    spans=(1, 1, 1, *(span for _, span in fixed)),
                )
            )
    return blocks
