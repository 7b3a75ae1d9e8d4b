"""User text made fit for the fields of the output formats that limit it.

Names come from the user's workbook and may be of any length and hold any character.
Several places where they land are limited or single-line:

* document properties (.docx core properties, .xlsx ``docProps``): at most 255
  characters (python-docx refuses more), and no control characters (XML cannot hold
  them);
* Excel print headers: 255 characters for the whole header;
* file and folder names: at most 255 *bytes* per path component on most file systems,
  and less once the folder's own path is added; names are kept well below;
* log lines: one record, one line, so that a name with a line break cannot forge a
  record (:func:`escape_controls`).

Text within the limits passes unchanged, so valid runs give the same bytes as before.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "PROPERTY_MAX_CHARS",
    "NAME_PART_MAX_BYTES",
    "WINDOWS_RESERVED_NAMES",
    "clip",
    "clip_bytes",
    "one_line",
    "escape_controls",
    "file_name_part",
]

PROPERTY_MAX_CHARS = 255
"""The longest document property (.docx core properties; .xlsx ``docProps/core.xml``)."""

NAME_PART_MAX_BYTES = 120
"""The most UTF-8 bytes a name taken from user text may add to one path component
(file systems allow 255 bytes per component; the rest is left for prefixes, suffixes
and temporary names)."""

ELLIPSIS = "…"

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")
_SPACES = re.compile(r" {2,}")


def _is_control(ch: str) -> bool:
    """C0 and C1 control characters, DEL, line and paragraph separators, bidi controls."""
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI_CONTROLS


def clip(text: str, limit: int) -> str:
    """``text`` itself when it has at most ``limit`` characters, else its start and ``…``."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return text[: max(limit, 0)]
    return text[: limit - len(ELLIPSIS)] + ELLIPSIS


def clip_bytes(text: str, max_bytes: int, encoding: str = "utf-8") -> str:
    """The longest start of ``text`` whose encoding takes at most ``max_bytes`` bytes
    (never splitting a character)."""
    data = text.encode(encoding)
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode(encoding, errors="ignore")


def one_line(value: object) -> str:
    """User text for a single-line field: line breaks and tabs become one space, other
    control characters are removed; unchanged when it holds none."""
    text = "" if value is None else str(value)
    if not any(_is_control(ch) for ch in text):
        return text
    text = _LINE_BREAKS.sub(" ", text)
    text = "".join(ch for ch in text if not _is_control(ch))
    return _SPACES.sub(" ", text).strip()


def escape_controls(text: str) -> str:
    """``text`` with every control character written as an escape: ``\\n``, ``\\r``,
    ``\\t``, ``\\x1b``, ``\\x85``, ``\\u2028``, ... (a log line stays one line)."""
    if not any(_is_control(ch) for ch in text):
        return text
    out = []
    for ch in text:
        if not _is_control(ch):
            out.append(ch)
        elif ch in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[ch])
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


WINDOWS_RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{device}{n}" for device in ("COM", "LPT") for n in "0123456789¹²³"}
)
"""Device names Windows refuses as a file name, with any extension (``NUL.txt``)."""

_NOT_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*]')
_BLANKS = re.compile(r"[\s\u3000]+")


def file_name_part(value: object, max_bytes: int = 36, fallback: str = "x") -> str:
    """User text (a municipality or facility name) as part of a file name that Windows,
    macOS and Linux all accept.

    Normalised to NFC; line breaks become blanks, other control and format characters
    (zero-width, bidirectional) are removed; the characters Windows forbids
    (``< > : " / \\ | ? *``) and runs of blanks (also the full-width space) become
    ``_``; leading and trailing dots, blanks and ``_`` go (Windows drops trailing dots
    and spaces; a leading dot hides a file); a Windows device name (``CON``, ``COM1``,
    ...) gets a ``_`` in front; at most ``max_bytes`` bytes of UTF-8, never splitting a
    character. ``fallback`` when nothing is left.
    """
    text = one_line(unicodedata.normalize("NFC", "" if value is None else str(value)))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _NOT_IN_FILE_NAMES.sub("_", text)
    text = _BLANKS.sub("_", text)
    text = clip_bytes(text.strip("._ "), max_bytes).strip("._ ")
    if text.split(".")[0].upper() in WINDOWS_RESERVED_NAMES:
        text = clip_bytes(f"_{text}", max_bytes)
    return text or fallback
