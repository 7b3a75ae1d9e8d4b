"""How sheets and columns are recognised by name, and how they are named back.

A header or sheet name is compared in :func:`header_key` form (NFKC, lower case, no
spaces or separators), so ``Code``, ``ｃｏｄｅ``, ``市町村コード`` and ``code 市町村コード``
all find the column ``code``. Population projections are open columns named
``population_YYYY`` / ``population_75plus_YYYY`` (:func:`projection_column`). A facility
type is referred to by its id or by its Japanese name (``name_ja``: ``図書館`` for
``library``), both mapped to the id on reading (:func:`type_references`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

import pandas as pd
from openpyxl.utils import get_column_letter

from optimizer.schema import SHEETS, Sheet

__all__ = [
    "header_key",
    "projection_column",
    "projection_label",
    "column_for_header",
    "column_letter",
    "has_named_index",
    "type_key",
    "type_references",
    "SHEET_KEYS",
    "COLUMN_KEYS",
]

_SEPARATORS = re.compile(r"[\s_()\[\]{}<>（）【】「」:：/・,，.。\-]+")
_PROJECTION = re.compile(r"^population_?(75_?plus_?)?_?(\d{4})$")
_PROJECTION_JA = re.compile(r"^(75歳以上人口|人口)[_\s]*\(?(\d{4})年?\)?$")


def header_key(text: object) -> str:
    """Comparable form of a header or sheet name: NFKC, lower case, no separators."""
    if text is None:
        return ""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(text)).lower())


def projection_column(text: object) -> str | None:
    """``population_2030`` / ``population_75plus_2030`` from a header, else None.

    Accepts spaces or no underscore (``population 2030``) and the Japanese
    ``人口2030`` / ``75歳以上人口_2030``.
    """
    if text is None:
        return None
    raw = re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFKC", str(text)).strip().lower())
    match = _PROJECTION.match(raw)
    if match:
        prefix = "population_75plus_" if match.group(1) else "population_"
        return f"{prefix}{match.group(2)}"
    match = _PROJECTION_JA.match(raw)
    if match:
        prefix = "population_75plus_" if match.group(1).startswith("75") else "population_"
        return f"{prefix}{match.group(2)}"
    return None


def projection_label(name: str) -> str:
    """Japanese label of a projection column: ``人口（2030年）``, ``75歳以上人口（2030年）``."""
    match = _PROJECTION.match(name)
    if not match:
        return name
    label = "75歳以上人口" if match.group(1) else "人口"
    return f"{label}（{match.group(2)}年）"


def _column_keys(sheet: Sheet) -> dict[str, str]:
    """Header key → column name, for every accepted spelling of each column."""
    keys: dict[str, str] = {}
    for column in sheet.columns:
        for spelling in (
            column.name,
            column.label_ja,
            f"{column.name}{column.label_ja}",
            f"{column.label_ja}{column.name}",
        ):
            keys.setdefault(header_key(spelling), column.name)
    return keys


def _sheet_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for sheet in SHEETS:
        for spelling in (
            sheet.name,
            sheet.label_ja,
            f"{sheet.name}{sheet.label_ja}",
            f"{sheet.label_ja}{sheet.name}",
        ):
            keys[header_key(spelling)] = sheet.name
    return keys


SHEET_KEYS = _sheet_keys()
"""Header key of every accepted sheet name → schema sheet name."""
COLUMN_KEYS = {sheet.name: _column_keys(sheet) for sheet in SHEETS}
"""Schema sheet name → (header key → schema column name)."""


def column_for_header(sheet: Sheet, header: str) -> str | None:
    """The schema column (or projection column) a header names, else None."""
    if header in sheet.column_index:
        return header
    found = COLUMN_KEYS[sheet.name].get(header_key(header))
    if found is None and sheet.open_columns:
        found = projection_column(header)
    return found


def column_letter(position: int) -> str:
    """Excel column letter of a 0-based position (0 → ``A``)."""
    return get_column_letter(position + 1)


def has_named_index(frame: pd.DataFrame) -> bool:
    """Whether the frame's index is a named column (``code``, ``id`` ...) to keep."""
    return frame.index.name is not None and frame.index.name not in frame.columns


def type_key(reference: object) -> str:
    """Comparable form of a type reference: NFKC, trimmed, lower case."""
    return unicodedata.normalize("NFKC", str(reference)).strip().lower()


def type_references(
    ids: Iterable[object], names_ja: Iterable[object] | None = None
) -> dict[str, str]:
    """Reference (in :func:`type_key` form) → type id: each id (``library``,
    ``Library``), and each type's Japanese name (``図書館``) where it names that type
    alone and is no type's id. ``names_ja`` runs along ``ids``; blanks are skipped."""
    kinds = list(ids)
    names = list(names_ja) if names_ja is not None else [None] * len(kinds)
    found = {type_key(kind): str(kind) for kind in kinds if _given(kind)}
    named = [
        (str(kind), type_key(name))
        for kind, name in zip(kinds, names, strict=True)
        if _given(kind) and _given(name)
    ]
    counts = Counter(key for _, key in named)
    for kind, key in named:
        if key and key not in found and counts[key] == 1:
            found[key] = kind
    return found


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and value != value)
