"""User text made safe for documents, and numbers and dates as documents write them.

Escapers (:data:`Escape`): :func:`clean_text` for .docx and :func:`escape_markdown` for
Markdown. Formats: 1,234,567円, 1,235千円, 40床, 12.3％, 令和8年度 (= FY2026), 令和8年4月1日,
and their English forms.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable

__all__ = [
    "Escape",
    "clean_text",
    "escape_markdown",
    "round_half_up",
    "format_yen",
    "format_thousand_yen",
    "format_number",
    "UNITS",
    "format_quantity",
    "format_percent",
    "format_share",
    "ERAS",
    "era_year",
    "format_fiscal_year",
    "format_date",
    "fullwidth",
]

Escape = Callable[[object], str]
"""Makes one user string safe for a document format."""

# --------------------------------------------------------------------------- text safety

_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SPACES = re.compile(r" {2,}")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~=:\"'^$])")


def clean_text(value: object) -> str:
    """User text fit for one line of a document: no line breaks or control characters.

    Line breaks and tabs become one space; other control, zero-width and
    bidirectional-override characters are removed; runs of spaces are collapsed.
    """
    text = "" if value is None else str(value)
    text = _LINE_BREAKS.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def escape_markdown(value: object) -> str:
    """User text that Markdown shows literally (no markup, no HTML, no table breaks).

    After :func:`clean_text`, ``&``, ``<`` and ``>`` become HTML entities and every
    other ASCII punctuation character with a meaning in Markdown (including ``|`` of
    tables and ``=`` of headings) is backslash-escaped.
    """
    text = clean_text(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


# --------------------------------------------------------------------------- formatting


def round_half_up(x: float) -> int:
    """The nearest whole number, halves rounded up (not to even)."""
    return int(math.floor(x + 0.5))


def format_yen(amount: float, language: str = "ja") -> str:
    """Whole yen with thousands separators: ``1,234,567円`` / ``¥1,234,567``."""
    value = round_half_up(amount)
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,}"
    return f"{sign}{digits}円" if language == "ja" else f"{sign}¥{digits}"


def format_thousand_yen(amount: float, language: str = "ja") -> str:
    """Thousands of yen, rounded: ``1,235千円`` / ``¥1,235 thousand``."""
    value = round_half_up(amount / 1000.0)
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,}"
    return f"{sign}{digits}千円" if language == "ja" else f"{sign}¥{digits} thousand"


def format_number(x: float) -> str:
    """A count with separators; one decimal only when it is not a whole number."""
    if abs(x - round(x)) < 0.05:
        return f"{round(x):,}"
    return f"{x:,.1f}"


UNITS: dict[str, tuple[str, str]] = {
    "beds": ("床", "beds"),
    "bed": ("床", "beds"),
    "床": ("床", "beds"),
    "seats": ("席", "seats"),
    "seat": ("席", "seats"),
    "席": ("席", "seats"),
    "visits/year": ("人／年", "visits a year"),
    "visits": ("人", "visits"),
    "人": ("人", "people"),
    "人/年": ("人／年", "visits a year"),
    "人／年": ("人／年", "visits a year"),
    "places": ("人分", "places"),
    "units": ("単位", "units"),
    # halls booked by the day or by the slot (morning, afternoon, evening)
    "days/year": ("日／年", "booking days a year"),
    "booking days/year": ("日／年", "booking days a year"),
    "days": ("日", "booking days"),
    "日/年": ("日／年", "booking days a year"),
    "日／年": ("日／年", "booking days a year"),
    "slots/year": ("区分／年", "booking slots a year"),
    "booking slots/year": ("区分／年", "booking slots a year"),
    "slots": ("区分", "booking slots"),
    "区分/年": ("区分／年", "booking slots a year"),
    "区分／年": ("区分／年", "booking slots a year"),
    "コマ/年": ("区分／年", "booking slots a year"),
    "コマ／年": ("区分／年", "booking slots a year"),
}
"""Capacity units as Japanese and English documents write them; others are used as given.
A hall whose type states its capacity in booking days or slots a year has its
reservations stated in them (whole days or slots)."""


def format_quantity(x: float, unit: str, language: str = "ja", escape: Escape = clean_text) -> str:
    """A capacity with its unit: ``40床`` / ``40 beds``; an unknown unit is escaped."""
    known = UNITS.get(str(unit).strip().lower()) or UNITS.get(str(unit).strip())
    number = format_number(x)
    if known:
        label = known[0] if language == "ja" else known[1]
    else:
        label = escape(unit)
    if not label:
        return number
    return f"{number}{label}" if language == "ja" and known else f"{number} {label}"


def format_share(share: float, language: str = "ja") -> str:
    """A share of 1 as a percentage with one decimal: ``0.239`` → ``23.9％``."""
    return format_percent(share * 100.0, language)


def format_percent(x: float, language: str = "ja") -> str:
    """One decimal: ``12.3％`` / ``12.3%`` (never ``-0.0``)."""
    x = 0.0 if abs(x) < 0.05 else x
    return f"{x:.1f}％" if language == "ja" else f"{x:.1f}%"


ERAS = ((2019, "令和"), (1989, "平成"), (1926, "昭和"))


def era_year(year: int) -> str:
    """A year in the Japanese era calendar: 2026 → 令和8年, 2019 → 令和元年."""
    for start, era in ERAS:
        if year >= start:
            n = year - start + 1
            return f"{era}{'元' if n == 1 else n}年"
    return f"{year}年"


def format_fiscal_year(year: int, language: str = "ja") -> str:
    """Fiscal year starting in April of ``year``: 令和8年度 / FY2026."""
    return f"{era_year(year)}度" if language == "ja" else f"FY{year}"


def format_date(year: int, month: int, day: int, language: str = "ja") -> str:
    """令和8年4月1日 / 1 April 2026."""
    if language == "ja":
        return f"{era_year(year)}{month}月{day}日"
    return f"{day} {calendar.month_name[month]} {year}"


def fullwidth(n: int) -> str:
    """The digits of ``n`` in full width (１２), as Japanese paragraph numbers are written."""
    return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
