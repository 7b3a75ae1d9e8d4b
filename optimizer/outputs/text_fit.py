"""How wide and how tall text is in a worksheet: character widths, wrapped lines.

Estimates for laying out the report's sheets (column widths sized to their content,
rows tall enough for their wrapped text), without a renderer: a full-width character
counts two Excel character units and one em on screen, other characters about half.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable

import pandas as pd

__all__ = [
    "VARIANT_FONTS",
    "DEFAULT_WIDTH",
    "DEFAULT_HEIGHT",
    "LINE_HEIGHT",
    "is_missing",
    "display_width",
    "fit_width",
    "text_pixels",
    "column_pixels",
    "wrapped_lines",
]


VARIANT_FONTS = {
    "header": (10.0, True),
    "header_en": (8.0, False),
    "total": (10.0, True),
    "title": (16.0, True),
    "section": (12.0, True),
    "note": (9.0, False),
    "label": (10.0, True),
    "key": (12.0, True),
}
"""Font size [pt] and boldness of a format variant (others: 10 pt, regular)."""

DEFAULT_WIDTH = 8.43
"""Width of a column whose width was never set [characters]."""
DEFAULT_HEIGHT = 13.5
"""Height of a row whose height was never set [pt]."""
LINE_HEIGHT = 1.35
"""Height of one line of text per point of font size."""


def is_missing(value: object) -> bool:
    """``None``, ``pd.NA``, ``pd.NaT``, NaN or an infinity: a value with nothing to show."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and not math.isfinite(value)


def display_width(text: str) -> int:
    """Width of ``text`` in Excel character units: East Asian wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_width(texts: Iterable[object], least: float, most: float) -> float:
    """A column width [characters] for ``texts``: the widest of them and a character to
    spare, between ``least`` and ``most`` (longer texts then wrap in a table)."""
    widest = max((display_width(str(t)) for t in texts if not is_missing(t)), default=0)
    return max(least, min(most, widest + 1.0))


def text_pixels(text: str, size: float = 10.0, bold: bool = False) -> float:
    """Width of one line of ``text`` at ``size`` pt on screen [px at 96 dpi]: a
    full-width character one em, a digit or a Latin letter 0.55 em, bold 5 % wider."""
    em = size * 4 / 3
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return (wide + 0.55 * (len(text) - wide)) * em * (1.05 if bold else 1.0)


def column_pixels(width: float) -> float:
    """What a column ``width`` characters wide holds [px]: Excel's 7 px a character and
    5 px of margin, less a little padding on either side."""
    return width * 7.0 + 1.0


def wrapped_lines(value: object, width: float, size: float = 10.0, bold: bool = False) -> int:
    """Lines that ``value`` needs when wrapped in a column ``width`` characters wide."""
    if is_missing(value) or not str(value):
        return 1
    usable = max(column_pixels(width), 1.0)
    return sum(
        max(1, math.ceil(text_pixels(part, size, bold) / usable)) for part in str(value).split("\n")
    )
