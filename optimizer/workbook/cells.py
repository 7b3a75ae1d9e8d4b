"""One cell → one typed value: the parsers behind every column kind of the schema.

What planners really type is accepted: full-width digits and letters (NFKC), "1,234"
and "１，２３４", "▲500" (negative), "4%", leading/trailing spaces, codes typed as
numbers, yes/no in Japanese (はい/いいえ, ○/×), and years as 令和3年 / R3 / 昭和50.
A value that cannot be read raises :class:`CellError` with an issue code and what was
expected, in English and Japanese.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from optimizer.schema import FALSE_WORDS, TRUE_WORDS

__all__ = [
    "CellError",
    "YEAR_RANGE",
    "is_blank",
    "parse_number",
    "parse_int",
    "parse_year",
    "parse_bool",
    "parse_enum",
    "parse_code",
    "parse_text",
    "parse_value",
    "parse_setting",
    "range_problem",
    "usual_problem",
    "code_character_problem",
    "jis_check_digit",
    "repair_jis_code",
]

YEAR_RANGE = (1868, 2200)
"""Years accepted in a year cell (Meiji 1 to 2200)."""

ERAS = {
    "明治": 1868,
    "大正": 1912,
    "昭和": 1926,
    "平成": 1989,
    "令和": 2019,
    "m": 1868,
    "t": 1912,
    "s": 1926,
    "h": 1989,
    "r": 2019,
}
_ERA_YEAR = re.compile(r"^(明治|大正|昭和|平成|令和|[mtshr])\.?\s*(元|\d{1,2})\s*(年度?)?$")
_PLAIN_YEAR = re.compile(r"^(\d{4})\s*(年度?)?$")

ENUM_SYNONYMS = {
    "keep": "keep",
    "存続": "keep",
    "維持": "keep",
    "整備": "keep",
    "close": "close",
    "廃止": "close",
    "閉鎖": "close",
    "free": "free",
    "未定": "free",
    "最適化": "free",
    "人口": "population",
    "総人口": "population",
    "75歳以上人口": "population_75plus",
    "後期高齢者人口": "population_75plus",
    # operators: who owns a facility (a 指定管理者 runs it for its municipal owner)
    "市町村": "municipal",
    "市区町村": "municipal",
    "市立": "municipal",
    "町立": "municipal",
    "村立": "municipal",
    "区立": "municipal",
    "市営": "municipal",
    "町営": "municipal",
    "村営": "municipal",
    "直営": "municipal",
    "指定管理": "municipal",
    "民間": "private",
    "民営": "private",
    "私立": "private",
    "法人": "private",
    "社会福祉法人": "private",
    "医療法人": "private",
    "株式会社": "private",
    "都": "prefecture",
    "道": "prefecture",
    "府": "prefecture",
    "県": "prefecture",
    "都道府県": "prefecture",
    "都立": "prefecture",
    "道立": "prefecture",
    "府立": "prefecture",
    "県立": "prefecture",
    "都営": "prefecture",
    "県営": "prefecture",
}


class CellError(Exception):
    """A cell that cannot be read as its kind: issue code and expectation."""

    def __init__(self, code: str, expected: str, expected_ja: str):
        super().__init__(code)
        self.code, self.expected, self.expected_ja = code, expected, expected_ja


# ---------------------------------------------------------------------------
# cell parsers
# ---------------------------------------------------------------------------


def is_blank(value: object) -> bool:
    """None, NA, NaN or text of spaces only."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_number(value: object) -> float:
    """A float from a number or from text such as "1,234", "１，２３４", "▲5", "4%"."""
    if isinstance(value, bool | np.bool_):
        raise CellError("not_a_number", "a number", "数値")
    if isinstance(value, numbers.Real):
        number = float(value)
    elif isinstance(value, str):
        text = re.sub(r"[,\s_']", "", _nfkc(value))
        scale = 1.0
        if text.endswith("%"):
            text, scale = text[:-1], 0.01
        if text[:1] in ("▲", "△"):
            text = "-" + text[1:]
        try:
            number = float(text) * scale
        except ValueError:
            raise CellError("not_a_number", "a number", "数値") from None
    else:
        raise CellError("not_a_number", "a number", "数値")
    if not math.isfinite(number):
        raise CellError("not_a_number", "a finite number", "有限の数値")
    return number


def parse_int(value: object) -> int:
    """A whole number (as :func:`parse_number`, then no fractional part)."""
    number = parse_number(value)
    if abs(number - round(number)) > 1e-9:
        raise CellError("not_integer", "a whole number", "整数")
    return int(round(number))


def parse_year(value: object) -> int:
    """A calendar year from 1990, "1990年", "1990年度", "令和3年", "R3", "昭和50", a date."""
    if isinstance(value, dt.date | dt.datetime):
        return value.year
    if isinstance(value, str):
        text = _nfkc(value).lower()
        era = _ERA_YEAR.match(text)
        if era:
            offset = 1 if era.group(2) == "元" else int(era.group(2))
            return ERAS[era.group(1)] + offset - 1
        plain = _PLAIN_YEAR.match(text)
        if plain:
            return int(plain.group(1))
    try:
        return parse_int(value)
    except CellError:
        raise CellError(
            "bad_year", "a year such as 1985, 昭和60 or R3", "年（例 1985、昭和60、R3）"
        ) from None


def parse_bool(value: object) -> bool:
    """yes/no from a bool, 1/0 or one of the schema's yes and no words."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Real) and float(value) in (0.0, 1.0):
        return bool(value)
    text = _nfkc(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(
        "bad_bool",
        "yes or no (はい/いいえ, ○/×, 1/0, true/false)",
        "はい／いいえ（yes/no、○/×、1/0 も可）",
    )


def parse_enum(value: object, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (case, spaces and Japanese synonyms folded)."""
    text = _nfkc(value)
    folded = text.lower().replace(" ", "_")
    folded = ENUM_SYNONYMS.get(text, ENUM_SYNONYMS.get(folded, folded))
    if folded in choices:
        return folded
    listed = ", ".join(choices)
    raise CellError("bad_enum", f"one of {listed}", f"次のいずれか：{listed}")


def parse_code(value: object) -> str:
    """An identifier as text; a number typed for it is written back without ".0"."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        number = float(value)
        return str(int(number)) if number.is_integer() else str(number)
    return _nfkc(value)


def parse_text(value: object) -> str:
    """Trimmed text; a whole float (a number typed in a text cell) without ".0"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def jis_check_digit(code5: str) -> int:
    """Check digit of a 5-digit 全国地方公共団体コード (weights 6,5,4,3,2; mod 11).

    The remainder of Σ digit·weight by 11 is subtracted from 11 and the last digit of
    the result kept (11 → 1, 10 → 0), as in the 総務省 code rules.
    """
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def repair_jis_code(code: str) -> tuple[str, str | None]:
    """(code, issue code or None): pad a 4-digit code, verify a 6-digit one.

    Codes that are not all digits are user-defined and left alone.
    """
    if not code.isdigit():
        return code, None
    if len(code) == 4:
        return "0" + code, "code_repaired"
    if len(code) == 5:
        return code, None
    if len(code) == 6:
        return code, None if jis_check_digit(code[:5]) == int(code[5]) else "bad_check_digit"
    return code, "unusual_code"


PARSERS: dict[str, Callable[[object], object]] = {
    "int": parse_int,
    "float": parse_number,
    "year": parse_year,
    "bool": parse_bool,
    "code": parse_code,
    "text": parse_text,
}


def parse_value(value: object, kind: str, choices: tuple[str, ...] = ()) -> object:
    """Parse one non-blank value by column kind (raises :class:`CellError`)."""
    if kind == "enum":
        return parse_enum(value, choices)
    return PARSERS[kind](value)


def _bound(number: float) -> str:
    """A bound as a planner reads it: 40,000,000 rather than 4e+07, 1868 as it is."""
    if float(number).is_integer() and 1e4 <= abs(number) < 1e16:
        return f"{number:,.0f}"
    return f"{number:g}"


def _between(low: float | None, high: float | None) -> tuple[str, str]:
    if low is not None and high is not None:
        return (
            f"between {_bound(low)} and {_bound(high)}",
            f"{_bound(low)} 以上 {_bound(high)} 以下",
        )
    if low is not None:
        return f"at least {_bound(low)}", f"{_bound(low)} 以上"
    return f"at most {_bound(high or 0)}", f"{_bound(high or 0)} 以下"


def range_problem(
    number: float, minimum: float | None, maximum: float | None
) -> tuple[str, str] | None:
    """(expected, expected_ja) when a number is outside [minimum, maximum]."""
    low = minimum is not None and number < minimum
    high = maximum is not None and number > maximum
    if not (low or high):
        return None
    return _between(minimum, maximum)


def usual_problem(
    number: float, usual: tuple[float | None, float | None] | None
) -> tuple[str, str] | None:
    """(expected, expected_ja) when a number is outside the usual band of its column."""
    if usual is None:
        return None
    low, high = usual
    if not ((low is not None and number < low) or (high is not None and number > high)):
        return None
    text, text_ja = _between(low, high)
    return (
        f"usually {text}; check the value and its unit",
        f"通常は {text_ja}（値と単位を確認してください）",
    )


PATH_SEPARATORS = ("/", "\\")
"""Characters refused in codes and ids: they end up in file names."""


def code_character_problem(code: str) -> tuple[str, str] | None:
    """(expected, expected_ja) when a code or id holds a control character or a path
    separator, or is ``.`` / ``..`` (codes end up in file names and log lines)."""
    bad = sorted(
        {
            f"U+{ord(ch):04X}" if unicodedata.category(ch) in ("Cc", "Cf") else repr(ch)
            for ch in code
            if unicodedata.category(ch) in ("Cc", "Cf") or ch in PATH_SEPARATORS
        }
    )
    if not bad and code not in (".", ".."):
        return None
    shown = ", ".join(bad) or repr(code)
    return (
        f"a code without control characters, '/' or '\\', and not '.' or '..' (found {shown})",
        f"制御文字・「/」・「\\」を含まず「.」「..」でもないコード（{shown} があります）",
    )


def parse_setting(
    value: object,
    kind: str,
    *,
    choices: tuple[str, ...] = (),
    minimum: float | None = None,
    maximum: float | None = None,
    nullable: bool = False,
) -> object:
    """One value typed outside a workbook (a scenario override, ``--set``), read exactly
    as a workbook cell of that kind would be; raises ValueError with the expectation."""
    if is_blank(value):
        if nullable:
            return None
        raise ValueError("a value is required")
    try:
        parsed = parse_value(value, kind, tuple(choices))
    except CellError as bad:
        raise ValueError(f"expected {bad.expected}, got {value!r}") from None
    if kind in ("int", "float", "year") and isinstance(parsed, int | float):
        problem = range_problem(parsed, minimum, maximum)
        if problem:
            raise ValueError(f"expected {problem[0]}, got {parsed!r}")
    return parsed
