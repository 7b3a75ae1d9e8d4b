"""The building blocks of the schema: :class:`Column`, :class:`Sheet` and :class:`Parameter`.

Column kinds (``Column.kind``, :data:`KINDS`):

``text``   free text, trimmed
``code``   an identifier kept as text (JIS municipality codes keep leading zeros)
``int``    whole number; full-width digits and "1,234" accepted
``float``  number; full-width digits and "1,234" accepted
``year``   a calendar year (int), 1868 to 2200
``bool``   yes/no; accepts :data:`TRUE_WORDS` and :data:`FALSE_WORDS`
``enum``   one of ``Column.choices``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["KINDS", "TRUE_WORDS", "FALSE_WORDS", "Column", "Sheet", "Parameter", "column"]

KINDS = ("text", "code", "int", "float", "year", "bool", "enum")

TRUE_WORDS = frozenset(
    {"yes", "y", "true", "t", "1", "はい", "○", "〇", "◯", "可", "有", "する", "ok"}
)
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "いいえ", "×", "✕", "不可", "無", "しない"})


@dataclass(frozen=True)
class Column:
    """One column of an input sheet.

    ``minimum`` and ``maximum`` bound the values a cell may hold at all (an error
    outside: a value no real area can have, usually a unit mistake or a stray key);
    ``usual`` is the band real inputs fall in (a warning outside; either end may be
    None). ``examples`` gives the two values the blank template shows in its example rows.
    """

    name: str
    label_ja: str
    kind: str
    description: str
    description_ja: str = ""
    unit: str = ""
    required: bool = False
    default: object = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    examples: tuple[object, object] = (None, None)
    usual: tuple[float | None, float | None] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Sheet:
    """One sheet of the input workbook.

    ``key`` names the column whose values must be unique; ``required`` says whether
    the workbook must contain the sheet; ``open_columns`` allows extra columns whose
    names start with one of :data:`~optimizer.schema.sheets.PROJECTION_PREFIXES`
    followed by a year.
    """

    name: str
    label_ja: str
    description: str
    description_ja: str
    columns: tuple[Column, ...]
    required: bool = True
    key: str | None = None
    open_columns: bool = False
    column_index: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_index", {c.name: c for c in self.columns})

    def column(self, name: str) -> Column:
        return self.column_index[name]


@dataclass(frozen=True)
class Parameter:
    """One setting of the ``parameters`` sheet (key/value rows).

    ``minimum`` / ``maximum`` bound the value (an error outside), ``usual`` is the band
    real settings fall in (a warning outside), as for a :class:`Column`.
    """

    name: str
    label_ja: str
    kind: str
    default: object
    description: str
    description_ja: str = ""
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False
    usual: tuple[float | None, float | None] | None = None


def column(
    name: str, label_ja: str, kind: str, description: str, description_ja: str = "", **options: Any
) -> Column:
    """A :class:`Column`, the rest of its fields (unit, required, range ...) by keyword."""
    return Column(name, label_ja, kind, description, description_ja, **options)
