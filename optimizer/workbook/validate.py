"""Raw tables → validated :class:`~optimizer.problem.data.ProblemData`, or every problem at once.

The validator coerces each cell by its column's kind (:mod:`optimizer.schema`), applies
defaults, then runs one small rule per kind of defect. It never stops at the first
problem: all :class:`Issue` s are collected, and if any is an error it raises
:class:`~optimizer.errors.InputError` carrying them all. Warnings travel with the
returned problem.

What planners really type is accepted: full-width digits and letters (NFKC), "1,234"
and "１，２３４", "▲500" (negative), "4%", leading/trailing spaces, codes typed as
numbers or that lost their leading zero (repaired, with a warning), yes/no in Japanese
(はい/いいえ, ○/×), and years as 令和3年 / R3 / 昭和50.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import InputError
from optimizer.problem.data import Parameters, ProblemData, Rules, assemble_problem
from optimizer.schema import (
    FALSE_WORDS,
    LAT,
    LON,
    MIC_UNIT_COSTS,
    PARAMETERS,
    PARAMETERS_BY_NAME,
    SHEETS,
    SHEETS_BY_NAME,
    TRUE_WORDS,
    Column,
    Parameter,
)
from optimizer.workbook.messages import ERROR, WARNING, Issue, format_issues, issue
from optimizer.workbook.reader import RawTable, RawTables, header_key, read_tables

__all__ = [
    "Issue",
    "problem_from_tables",
    "load_problem",
    "clean_tables",
    "format_issues",
    "jis_check_digit",
    "LIBRARY_AREA_BAND",
    "CARE_BEDS_PER_65PLUS",
    "AGED_65_PER_75",
    "PUBLIC_AREA_PER_RESIDENT",
]

log = logging.getLogger(__name__)

LIBRARY_AREA_BAND = (22.0, 138.0)
"""Usual library floor area per 1,000 residents [m²] (warning outside)."""
CARE_BEDS_PER_65PLUS = (0.015, 0.02)
"""Usual 特養 places per resident aged 65+ (Tokyo 1.72 % now)."""
AGED_65_PER_75 = 1.75
"""Residents aged 65+ per resident aged 75+ used to compare care capacity with the
75+ population (Tama area, MHLW 介護保険事業状況報告: 65+ insured ÷ 75+ insured ≈ 1.75)."""
PUBLIC_AREA_PER_RESIDENT = (2.0, 4.0)
"""Usual floor area of all public buildings per resident [m²]; the facilities of the
workbook are a part of them, so only the upper end is checked."""

MUNICIPALITY_CODE_COLUMNS = {
    ("municipalities", "code"),
    ("facilities", "municipality"),
    ("candidates", "municipality"),
    ("travel", "municipality"),
    ("rules", "municipality"),
}
"""Columns holding JIS municipality codes (repaired and matched the same way)."""

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
}


class _Bad(Exception):
    """A cell that cannot be read as its kind: issue code and expectation."""

    def __init__(self, code: str, expected: str, expected_ja: str):
        super().__init__(code)
        self.code, self.expected, self.expected_ja = code, expected, expected_ja


# ---------------------------------------------------------------------------
# cell parsers
# ---------------------------------------------------------------------------


def _is_blank(value: object) -> bool:
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
        raise _Bad("not_a_number", "a number", "数値")
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
            raise _Bad("not_a_number", "a number", "数値") from None
    else:
        raise _Bad("not_a_number", "a number", "数値")
    if not math.isfinite(number):
        raise _Bad("not_a_number", "a finite number", "有限の数値")
    return number


def parse_int(value: object) -> int:
    number = parse_number(value)
    if abs(number - round(number)) > 1e-9:
        raise _Bad("not_integer", "a whole number", "整数")
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
    except _Bad:
        raise _Bad(
            "bad_year", "a year such as 1985, 昭和60 or R3", "年（例 1985、昭和60、R3）"
        ) from None


def parse_bool(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Real) and float(value) in (0.0, 1.0):
        return bool(value)
    text = _nfkc(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise _Bad(
        "bad_bool",
        "yes or no (はい/いいえ, ○/×, 1/0, true/false)",
        "はい／いいえ（yes/no、○/×、1/0 も可）",
    )


def parse_enum(value: object, choices: tuple[str, ...]) -> str:
    text = _nfkc(value)
    folded = text.lower().replace(" ", "_")
    folded = ENUM_SYNONYMS.get(text, ENUM_SYNONYMS.get(folded, folded))
    if folded in choices:
        return folded
    listed = ", ".join(choices)
    raise _Bad("bad_enum", f"one of {listed}", f"次のいずれか：{listed}")


def parse_code(value: object) -> str:
    """An identifier as text; a number typed for it is written back without ".0"."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        number = float(value)
        return str(int(number)) if number.is_integer() else str(number)
    return _nfkc(value)


def parse_text(value: object) -> str:
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
    """Parse one non-blank value by column kind (raises :class:`_Bad`)."""
    if kind == "enum":
        return parse_enum(value, choices)
    return PARSERS[kind](value)


def _range_problem(
    number: float, minimum: float | None, maximum: float | None
) -> tuple[str, str] | None:
    """(expected, expected_ja) when a number is outside [minimum, maximum]."""
    low = minimum is not None and number < minimum
    high = maximum is not None and number > maximum
    if not (low or high):
        return None
    if minimum is not None and maximum is not None:
        return f"between {minimum:g} and {maximum:g}", f"{minimum:g} 以上 {maximum:g} 以下"
    if minimum is not None:
        return f"at least {minimum:g}", f"{minimum:g} 以上"
    return f"at most {maximum:g}", f"{maximum:g} 以下"


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
    if _is_blank(value):
        if nullable:
            return None
        raise ValueError("a value is required")
    try:
        parsed = parse_value(value, kind, tuple(choices))
    except _Bad as bad:
        raise ValueError(f"expected {bad.expected}, got {value!r}") from None
    if kind in ("int", "float", "year"):
        problem = _range_problem(float(parsed), minimum, maximum)
        if problem:
            raise ValueError(f"expected {problem[0]}, got {parsed!r}")
    return parsed


# ---------------------------------------------------------------------------
# coercion of one sheet
# ---------------------------------------------------------------------------

YEAR_RANGE = (1868, 2200)
DTYPES = {
    "int": "Int64",
    "year": "Int64",
    "float": "float64",
    "bool": "object",
    "code": "object",
    "text": "object",
    "enum": "object",
}


def _coerce_cell(
    sheet: str, row: int, column: Column, value: object, issues: list[Issue]
) -> object:
    """One cell → typed value (or None), appending issues."""
    if _is_blank(value):
        if column.required:
            issues.append(
                issue(
                    sheet,
                    row,
                    column.name,
                    value,
                    "empty_required",
                    f"a value ({column.description})",
                    f"値の入力（{column.description_ja or column.label_ja}）",
                )
            )
            return None
        return column.default
    try:
        parsed = parse_value(value, column.kind, column.choices)
    except _Bad as bad:
        issues.append(
            issue(sheet, row, column.name, value, bad.code, bad.expected, bad.expected_ja)
        )
        return None
    if column.kind == "code" and (sheet, column.name) in MUNICIPALITY_CODE_COLUMNS:
        parsed = _repaired_code(sheet, row, column.name, value, parsed, issues)
    if column.kind == "year":
        low, high = YEAR_RANGE
        if not low <= parsed <= high:
            issues.append(
                issue(
                    sheet,
                    row,
                    column.name,
                    value,
                    "out_of_range",
                    f"a year between {low} and {high}",
                    f"{low}年から{high}年までの年",
                )
            )
            return None
    if column.kind in ("int", "float") and column.unit != "°":
        problem = _range_problem(parsed, column.minimum, column.maximum)
        if problem:
            issues.append(issue(sheet, row, column.name, value, "out_of_range", *problem))
            return None
    return parsed


def _repaired_code(
    sheet: str, row: int | None, column: str, value: object, code: str, issues: list[Issue]
) -> str:
    repaired, problem = repair_jis_code(code)
    if problem == "code_repaired":
        issues.append(
            issue(
                sheet,
                row,
                column,
                value,
                "code_repaired",
                f"a 5-digit JIS code as text; read as {repaired}",
                f"5桁の団体コード（文字列）。{repaired} として読みました",
                severity=WARNING,
            )
        )
    elif problem == "bad_check_digit":
        digit = jis_check_digit(code[:5])
        issues.append(
            issue(
                sheet,
                row,
                column,
                value,
                "bad_check_digit",
                f"a valid 6-digit code ({code[:5]}{digit}?) or the 5-digit {code[:5]}",
                f"正しい6桁コード（{code[:5]}{digit}？）または5桁の {code[:5]}",
            )
        )
    elif problem == "unusual_code":
        issues.append(
            issue(
                sheet,
                row,
                column,
                value,
                "unusual_code",
                "a 5- or 6-digit 全国地方公共団体コード",
                "5桁または6桁の全国地方公共団体コード",
                severity=WARNING,
            )
        )
    return repaired


def _coerce_series(sheet: str, column: Column, raw: pd.Series, issues: list[Issue]) -> pd.Series:
    values = [
        _coerce_cell(sheet, row, column, value, issues)
        for row, value in zip(raw.index, raw.to_numpy(), strict=True)
    ]
    return _typed(values, column.kind, raw.index)


def _typed(values: list, kind: str, index: pd.Index) -> pd.Series:
    if kind in ("int", "year"):
        return pd.Series(
            pd.array([pd.NA if v is None else int(v) for v in values], dtype="Int64"), index=index
        )
    if kind == "float":
        return pd.Series(
            [np.nan if v is None else float(v) for v in values], index=index, dtype="float64"
        )
    return pd.Series(values, index=index, dtype="object")


def _projection_series(sheet: str, name: str, raw: pd.Series, issues: list[Issue]) -> pd.Series:
    column = Column(name, name, "float", "Population projection", minimum=0)
    return _coerce_series(sheet, column, raw, issues)


def coerce_sheet(table: RawTable, issues: list[Issue]) -> pd.DataFrame:
    """Typed columns of one sheet (index = Excel row); missing columns filled by default.

    Appends ``missing_column`` / ``unknown_column`` and every cell issue to ``issues``.
    """
    sheet = SHEETS_BY_NAME[table.sheet]
    issues.extend(check_columns(table))
    frame = table.frame
    out = {}
    for column in sheet.columns:
        if column.name in frame.columns:
            out[column.name] = _coerce_series(sheet.name, column, frame[column.name], issues)
        else:
            out[column.name] = _typed([column.default] * len(frame), column.kind, frame.index)
    for name in frame.columns:
        if name not in sheet.column_index:
            out[name] = _projection_series(sheet.name, name, frame[name], issues)
    return pd.DataFrame(out, index=frame.index)


# ---------------------------------------------------------------------------
# structure rules
# ---------------------------------------------------------------------------


def check_required_sheets(tables: RawTables) -> list[Issue]:
    """``empty_workbook`` when no input sheet is found, else one ``missing_sheet`` each."""
    if not tables.tables:
        where = Path(tables.source.get("path", "")).name or "workbook"
        names = ", ".join(s.name for s in SHEETS if s.required)
        return [
            issue(
                where,
                None,
                None,
                None,
                "empty_workbook",
                f"sheets named {names} (English or Japanese names)",
                f"シート {names}（英語名または日本語名）",
            )
        ]
    return [
        issue(
            sheet.name,
            None,
            None,
            None,
            "missing_sheet",
            f"a sheet named '{sheet.name}' or '{sheet.label_ja}'",
            f"シート「{sheet.name}」または「{sheet.label_ja}」",
        )
        for sheet in SHEETS
        if sheet.required and sheet.name not in tables
    ]


def check_columns(table: RawTable) -> list[Issue]:
    """``missing_column`` for each required column absent; ``unknown_column`` warnings."""
    sheet = SHEETS_BY_NAME[table.sheet]
    found = []
    for column in sheet.columns:
        if column.required and column.name not in table.frame.columns:
            found.append(
                issue(
                    sheet.name,
                    table.header_row,
                    column.name,
                    None,
                    "missing_column",
                    f"a column headed '{column.name}' or '{column.label_ja}'",
                    f"見出し「{column.name}」または「{column.label_ja}」の列",
                )
            )
    names = [c.name for c in sheet.columns]
    for header, letter in table.unmatched:
        close = difflib.get_close_matches(header, names, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        hint_ja = f"（「{close[0]}」の誤り？）" if close else ""
        found.append(
            issue(
                sheet.name,
                table.header_row,
                header,
                f"{letter}: {header}",
                "unknown_column",
                "one of " + ", ".join(names) + hint,
                "列名は " + "、".join(names) + " のいずれか" + hint_ja,
                severity=WARNING,
            )
        )
    return found


def check_duplicate_keys(
    sheet: str, column: str, values: pd.Series, seen: dict[str, tuple[str, int]] | None = None
) -> list[Issue]:
    """``duplicate_key`` for every repeat of a key (``seen`` carries keys across sheets)."""
    seen = {} if seen is None else seen
    found = []
    for row, key in values.items():
        if key is None or _is_blank(key):
            continue
        if key in seen:
            first_sheet, first_row = seen[key]
            found.append(
                issue(
                    sheet,
                    row,
                    column,
                    key,
                    "duplicate_key",
                    f"a unique {column}; already used in {first_sheet} row {first_row}",
                    f"一意の値（{first_sheet} シート {first_row} 行目と重複）",
                )
            )
        else:
            seen[key] = (sheet, row)
    return found


# ---------------------------------------------------------------------------
# content rules
# ---------------------------------------------------------------------------


def _in(value: float, bounds: dict) -> bool:
    return bounds["minimum"] <= value <= bounds["maximum"]


def check_coordinates(sheet: str, frame: pd.DataFrame) -> list[Issue]:
    """``latlon_swapped`` when lat looks like a longitude and lon like a latitude;
    ``outside_japan`` when the point is outside lat 20–46°, lon 122–154°."""
    found = []
    for row, lat, lon in zip(frame.index, frame["lat"], frame["lon"], strict=True):
        if math.isnan(lat) or math.isnan(lon):
            continue
        if _in(lat, LAT) and _in(lon, LON):
            continue
        value = f"lat={lat:g}, lon={lon:g}"
        if _in(lat, LON) and _in(lon, LAT):
            found.append(
                issue(
                    sheet,
                    row,
                    "lat/lon",
                    value,
                    "latlon_swapped",
                    f"lat {LAT['minimum']:g}–{LAT['maximum']:g}, lon "
                    f"{LON['minimum']:g}–{LON['maximum']:g}: swapped? "
                    f"(lat={lon:g}, lon={lat:g})",
                    f"緯度 {LAT['minimum']:g}～{LAT['maximum']:g}、経度 "
                    f"{LON['minimum']:g}～{LON['maximum']:g}（入れ替わり？）",
                )
            )
        else:
            found.append(
                issue(
                    sheet,
                    row,
                    "lat/lon",
                    value,
                    "outside_japan",
                    f"a point in Japan: lat {LAT['minimum']:g}–"
                    f"{LAT['maximum']:g}, lon {LON['minimum']:g}–"
                    f"{LON['maximum']:g}",
                    f"日本国内の座標（緯度 {LAT['minimum']:g}～{LAT['maximum']:g}、"
                    f"経度 {LON['minimum']:g}～{LON['maximum']:g}）",
                )
            )
    return found


def municipality_lookup(codes: pd.Index) -> dict[str, str]:
    """Reference → municipality code; a 6-digit code also answers to its 5 digits."""
    lookup = {}
    for code in codes:
        lookup[code] = code
        if len(code) == 6 and code.isdigit():
            lookup.setdefault(code[:5], code)
    for code in codes:
        if len(code) == 5 and code.isdigit():
            lookup.setdefault(code + str(jis_check_digit(code)), code)
    return lookup


def resolve_municipalities(
    sheet: str, column: str, values: pd.Series, lookup: dict[str, str]
) -> tuple[pd.Series, list[Issue]]:
    """Map references to municipality codes; ``unknown_municipality`` for the rest."""
    found, resolved = [], []
    known = sorted(set(lookup.values()))
    for row, value in values.items():
        if value is None:
            resolved.append(None)
            continue
        code = lookup.get(value)
        if code is None:
            sample = ", ".join(known[:8]) + (" ..." if len(known) > 8 else "")
            found.append(
                issue(
                    sheet,
                    row,
                    column,
                    value,
                    "unknown_municipality",
                    f"a code of the municipalities sheet ({sample})",
                    f"市町村シートのコード（{sample}）",
                )
            )
        resolved.append(code)
    return pd.Series(resolved, index=values.index, dtype="object"), found


def resolve_types(sheet: str, values: pd.Series, types: pd.Index) -> tuple[pd.Series, list[Issue]]:
    """Map type references (case-insensitively) to type ids; ``unknown_type`` otherwise."""
    lookup = {str(t).lower(): t for t in types}
    found, resolved = [], []
    for row, value in values.items():
        if value is None:
            resolved.append(None)
            continue
        kind = lookup.get(str(value).lower())
        if kind is None:
            close = difflib.get_close_matches(str(value), list(types), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            listed = ", ".join(types)
            found.append(
                issue(
                    sheet,
                    row,
                    "type",
                    value,
                    "unknown_type",
                    f"a type of the facility_types sheet ({listed}){hint}",
                    f"施設類型シートの類型（{listed}）",
                )
            )
        resolved.append(kind)
    return pd.Series(resolved, index=values.index, dtype="object"), found


def check_elderly_share(frame: pd.DataFrame) -> list[Issue]:
    """``elderly_exceeds_population`` when population_75plus > population."""
    found = []
    both = frame["population"].notna() & frame["population_75plus"].notna()
    bad = frame[both & (frame["population_75plus"] > frame["population"])]
    for row, record in bad.iterrows():
        found.append(
            issue(
                "municipalities",
                row,
                "population_75plus",
                int(record["population_75plus"]),
                "elderly_exceeds_population",
                f"at most the population ({int(record['population']):,})",
                f"人口（{int(record['population']):,}人）以下",
            )
        )
    return found


def check_year_built(frame: pd.DataFrame, base_year: int) -> list[Issue]:
    """``year_in_future`` for a building completed after the base year."""
    found = []
    years = frame["year_built"]
    for row, year in years[years.notna() & (years > base_year)].items():
        found.append(
            issue(
                "facilities",
                row,
                "year_built",
                int(year),
                "year_in_future",
                f"a year up to the base year {base_year}",
                f"基準年度（{base_year}年）以前の年",
            )
        )
    return found


def check_demand_definition(types: pd.DataFrame) -> list[Issue]:
    """``empty_required`` already flags a blank; here a zero demand per person is
    flagged as a warning (the type would need no facility at all)."""
    found = []
    zero = types["demand_per_person"].notna() & (types["demand_per_person"] == 0)
    for row, record in types[zero].iterrows():
        found.append(
            issue(
                "facility_types",
                row,
                "demand_per_person",
                0,
                "out_of_range",
                f"a positive demand per person for '{record['type']}'",
                f"類型「{record['type']}」の一人当たり需要（正の値）",
                severity=WARNING,
            )
        )
    return found


def fill_unit_costs(types: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """Blank unit costs → MIC defaults for library / hall / care; ``missing_unit_cost``
    for any other type."""
    types = types.copy()
    found = []
    for position, column in enumerate(("renovation_unit_cost", "rebuild_unit_cost")):
        for row, record in types[types[column].isna()].iterrows():
            kind = record["type"]
            if kind is None:
                continue
            default = MIC_UNIT_COSTS.get(str(kind).lower())
            if default is not None:
                types.loc[row, column] = default[position]
            else:
                found.append(
                    issue(
                        "facility_types",
                        row,
                        column,
                        None,
                        "missing_unit_cost",
                        f"a unit cost in yen/m² for type '{kind}' (defaults exist only for "
                        f"{', '.join(MIC_UNIT_COSTS)})",
                        f"類型「{kind}」の単価（円/m²）。既定値は {'、'.join(MIC_UNIT_COSTS)} のみ",
                    )
                )
    return types, found


def check_reach(problem: ProblemData, rows: Mapping[str, int]) -> list[Issue]:
    """``nothing_within_reach`` (warning): a municipality with demand for a type but no
    facility or candidate of it (other than ones fixed to close) within the type's
    maximum distance; its demand would stay unserved whatever the plan.

    ``rows`` maps municipality codes to their row in the municipalities sheet.
    """
    from optimizer.problem.network import access_arcs

    arcs = access_arcs(problem)
    usable = problem.facilities["status"].reindex(arcs["facility"]).to_numpy() != "close"
    reached = set(zip(arcs["municipality"][usable], arcs["type"][usable], strict=True))
    found = []
    for code, demand in problem.demand.iterrows():
        for kind, amount in demand.items():
            if amount <= 0 or (code, kind) in reached:
                continue
            limit = float(problem.facility_types.at[kind, "max_distance_km"])
            found.append(
                issue(
                    "municipalities",
                    rows.get(code),
                    "code",
                    code,
                    "nothing_within_reach",
                    f"a {kind} facility or candidate within {limit:g} km (add a candidate "
                    "site, a travel row or a longer max_distance_km)",
                    f"{limit:g} km 以内の{kind}の施設または候補地（候補地、移動距離の行、"
                    "または最大利用距離の見直しを）",
                    severity=WARNING,
                )
            )
    return found


def check_types_used(types: pd.Index, facilities: pd.DataFrame) -> list[Issue]:
    """``type_without_facilities`` (warning) for a type no facility or candidate has."""
    used = set(facilities["type"].dropna())
    return [
        issue(
            "facility_types",
            row,
            "type",
            kind,
            "type_without_facilities",
            "at least one facility or candidate of this type (its demand stays unserved)",
            "この類型の施設または候補地（ないと需要を満たせません）",
            severity=WARNING,
        )
        for row, kind in types.items()
        if kind is not None and kind not in used
    ]


def check_capital_cost_inputs(frame: pd.DataFrame, age_fraction: float) -> list[Issue]:
    """Warnings: ``no_capital_cost`` (no floor area, no renewal cost) and ``unknown_age``."""
    found = []
    no_cost = frame["floor_area_m2"].isna() & frame["renewal_cost"].isna()
    for row, record in frame[no_cost].iterrows():
        found.append(
            issue(
                "facilities",
                row,
                "floor_area_m2",
                None,
                "no_capital_cost",
                f"floor_area_m2 or renewal_cost for {record['id']}",
                f"{record['id']} の延床面積または更新費用",
                severity=WARNING,
            )
        )
    unknown = frame["year_built"].isna()
    for row, record in frame[unknown & ~no_cost].iterrows():
        found.append(
            issue(
                "facilities",
                row,
                "year_built",
                None,
                "unknown_age",
                f"the year built of {record['id']}; taken as {age_fraction:.0%} of its life old",
                f"{record['id']} の建築年（耐用年数の {age_fraction:.0%} 経過と仮定）",
                severity=WARNING,
            )
        )
    return found


# ---------------------------------------------------------------------------
# sanity bands (warnings)
# ---------------------------------------------------------------------------


def check_library_area(municipalities: pd.DataFrame, facilities: pd.DataFrame) -> list[Issue]:
    """Library floor area per 1,000 residents of the area vs. :data:`LIBRARY_AREA_BAND`."""
    libraries = facilities[(facilities["type"] == "library") & ~facilities["is_candidate"]]
    area = libraries["floor_area_m2"].sum(min_count=1)
    population = municipalities["population"].sum()
    if pd.isna(area) or population <= 0:
        return []
    per_thousand = area / (population / 1000)
    low, high = LIBRARY_AREA_BAND
    if low <= per_thousand <= high:
        return []
    return [
        issue(
            "facilities",
            None,
            "floor_area_m2",
            f"{per_thousand:.0f} m²/1,000",
            "library_area_band",
            f"library floor area of about {low:g}–{high:g} m² per 1,000 residents "
            "(check areas and units)",
            f"図書館の延床面積は人口千人当たり {low:g}～{high:g} m² 程度"
            "（面積と単位を確認してください）",
            severity=WARNING,
        )
    ]


def check_care_capacity(municipalities: pd.DataFrame, facilities: pd.DataFrame) -> list[Issue]:
    """Care places per 75+ resident vs. :data:`CARE_BEDS_PER_65PLUS` × :data:`AGED_65_PER_75`."""
    care = facilities[(facilities["type"] == "care") & ~facilities["is_candidate"]]
    elderly = municipalities["population_75plus"].sum()
    if care.empty or elderly <= 0:
        return []
    share = care["capacity"].sum() / elderly
    low, high = (r * AGED_65_PER_75 for r in CARE_BEDS_PER_65PLUS)
    if low <= share <= high:
        return []
    return [
        issue(
            "facilities",
            None,
            "capacity",
            f"{share:.1%} of 75+",
            "care_capacity_band",
            f"care places of about {low:.1%}–{high:.1%} of the 75+ population "
            f"(特養 ≈ {CARE_BEDS_PER_65PLUS[0]:.1%}–{CARE_BEDS_PER_65PLUS[1]:.0%} of "
            f"65+, with 65+ ≈ {AGED_65_PER_75:g} × 75+)",
            f"75歳以上人口の {low:.1%}～{high:.1%} 程度（特養定員は65歳以上人口の "
            f"{CARE_BEDS_PER_65PLUS[0]:.1%}～{CARE_BEDS_PER_65PLUS[1]:.0%}、"
            f"65歳以上≒75歳以上×{AGED_65_PER_75:g}）",
            severity=WARNING,
        )
    ]


def check_public_area(municipalities: pd.DataFrame, facilities: pd.DataFrame) -> list[Issue]:
    """Floor area of all listed facilities per resident vs. the upper end of
    :data:`PUBLIC_AREA_PER_RESIDENT` (all public buildings together)."""
    existing = facilities[~facilities["is_candidate"]]
    area = existing["floor_area_m2"].sum(min_count=1)
    population = municipalities["population"].sum()
    if pd.isna(area) or population <= 0:
        return []
    per_resident = area / population
    low, high = PUBLIC_AREA_PER_RESIDENT
    if per_resident <= high:
        return []
    return [
        issue(
            "facilities",
            None,
            "floor_area_m2",
            f"{per_resident:.1f} m²/person",
            "public_area_band",
            f"less than {high:g} m² per resident: all public buildings together "
            f"usually have {low:g}–{high:g} m² (check areas and units)",
            f"住民一人当たり {high:g} m² 未満（公共施設全体でも通常 {low:g}～{high:g} m²。"
            "面積と単位を確認してください）",
            severity=WARNING,
        )
    ]


# ---------------------------------------------------------------------------
# parameters, travel, rules, scenarios
# ---------------------------------------------------------------------------

PARAMETER_KEYS = {header_key(p.name): p.name for p in PARAMETERS} | {
    header_key(p.label_ja): p.name for p in PARAMETERS
}


def _parameter_value(parameter: Parameter, value: object) -> object:
    """Parse a parameter value by its kind and check its range (raises :class:`_Bad`)."""
    if _is_blank(value):
        return parameter.default
    parsed = parse_value(value, parameter.kind, parameter.choices)
    if parameter.kind in ("int", "float", "year"):
        problem = _range_problem(parsed, parameter.minimum, parameter.maximum)
        if parameter.kind == "year":
            problem = problem or _range_problem(parsed, *YEAR_RANGE)
        if problem:
            raise _Bad("bad_parameter", *problem)
    return parsed


def parameters_from_sheet(frame: pd.DataFrame | None) -> tuple[Parameters, list[Issue]]:
    """The ``parameters`` sheet (name / value rows) → :class:`Parameters`."""
    if frame is None or frame.empty:
        return Parameters(), []
    found, values, rows = [], {}, {}
    for row, record in frame.iterrows():
        raw_name = record["name"]
        if raw_name is None:
            continue
        name = PARAMETER_KEYS.get(header_key(raw_name))
        if name is None:
            close = difflib.get_close_matches(
                str(raw_name), list(PARAMETERS_BY_NAME), n=1, cutoff=0.5
            )
            hint = f"did you mean '{close[0]}'?" if close else "see the 説明 sheet"
            hint_ja = f"「{close[0]}」の誤り？" if close else "説明シートを参照"
            found.append(
                issue(
                    "parameters",
                    row,
                    "name",
                    raw_name,
                    "unknown_parameter",
                    f"a known parameter name; {hint}",
                    f"既知のパラメータ名（{hint_ja}）",
                )
            )
            continue
        if name in rows:
            found.append(
                issue(
                    "parameters",
                    row,
                    "name",
                    raw_name,
                    "duplicate_key",
                    f"each parameter once; already in row {rows[name]}",
                    f"各パラメータは1回（{rows[name]} 行目と重複）",
                )
            )
            continue
        rows[name] = row
        parameter = PARAMETERS_BY_NAME[name]
        try:
            values[name] = _parameter_value(parameter, record["value"])
        except _Bad as bad:
            found.append(
                issue(
                    "parameters",
                    row,
                    "value",
                    record["value"],
                    "bad_parameter",
                    f"{name}: {bad.expected}",
                    f"{name}：{bad.expected_ja}",
                )
            )
    if "language" in values and values["language"] is None:
        values.pop("language")
    parameters = Parameters(
        **{k: v for k, v in values.items() if v is not None or PARAMETERS_BY_NAME[k].nullable}
    )
    found.extend(check_weights(parameters, rows))
    return parameters, found


def check_weights(parameters: Parameters, rows: Mapping[str, int]) -> list[Issue]:
    """``weights_not_one`` when weight_equal + weight_population + weight_usage ≠ 1."""
    names = ("weight_equal", "weight_population", "weight_usage")
    total = sum(getattr(parameters, n) for n in names)
    if abs(total - 1.0) <= 1e-6:
        return []
    row = min((rows[n] for n in names if n in rows), default=None)
    shown = " + ".join(f"{getattr(parameters, n):g}" for n in names)
    return [
        issue(
            "parameters",
            row,
            "value",
            f"{shown} = {total:g}",
            "weights_not_one",
            "weight_equal + weight_population + weight_usage = 1",
            "均等割＋人口割＋実績割＝1",
        )
    ]


def travel_from_sheet(
    frame: pd.DataFrame | None, lookup: dict[str, str], facility_ids: set[str], speed_kmh: float
) -> tuple[pd.DataFrame, list[Issue]]:
    """Travel rows → (municipality, facility, distance_km); minutes → km at ``speed_kmh``."""
    columns = ["municipality", "facility", "distance_km"]
    if frame is None or frame.empty:
        return pd.DataFrame(columns=columns), []
    codes, found = resolve_municipalities("travel", "municipality", frame["municipality"], lookup)
    for row, facility in frame["facility"].items():
        if facility is not None and facility not in facility_ids:
            found.append(
                issue(
                    "travel",
                    row,
                    "facility",
                    facility,
                    "unknown_facility",
                    "an id of the facilities or candidates sheet",
                    "施設シートまたは新設候補シートの施設ID",
                )
            )
    distance = frame["distance_km"].copy()
    from_minutes = distance.isna() & frame["minutes"].notna()
    distance[from_minutes] = frame.loc[from_minutes, "minutes"] / 60.0 * speed_kmh
    for row in frame.index[distance.isna()]:
        found.append(
            issue(
                "travel",
                row,
                "distance_km",
                None,
                "travel_without_distance",
                "distance_km or minutes",
                "距離（km）または所要時間（分）",
            )
        )
    pairs = pd.Series(list(zip(codes, frame["facility"], strict=True)), index=frame.index)
    found.extend(
        check_duplicate_keys(
            "travel", "municipality/facility", pairs.map(lambda p: f"{p[0]} → {p[1]}")
        )
    )
    table = pd.DataFrame(
        {"municipality": codes, "facility": frame["facility"], "distance_km": distance}
    ).reset_index(drop=True)
    return table, found


def _rule_issue(row: int, column: str, value: object, expected: str, expected_ja: str) -> Issue:
    return issue("rules", row, column, value, "rule_incomplete", expected, expected_ja)


def rules_from_sheet(
    frame: pd.DataFrame | None, lookup: dict[str, str], types: pd.Index
) -> tuple[Rules, list[Issue]]:
    """Rules rows → :class:`Rules` (banned pairs sorted; blank keep_own type = all types)."""
    if frame is None or frame.empty:
        return Rules(), []
    codes, found = resolve_municipalities("rules", "municipality", frame["municipality"], lookup)
    type_lookup = {str(t).lower(): t for t in types}
    banned, keep_own, max_partners, self_sufficiency = set(), set(), {}, {}
    for row, record in frame.iterrows():
        kind, code, other, value = record["rule"], codes[row], record["other"], record["value"]
        if kind is None or code is None:
            continue
        if kind == "no_cooperation":
            partner = (
                lookup.get(_repaired_code("rules", row, "other", other, other, found))
                if other
                else None
            )
            if other is None:
                found.append(
                    _rule_issue(
                        row, "other", other, "the other municipality's code", "相手の市町村コード"
                    )
                )
            elif partner is None:
                found.append(
                    issue(
                        "rules",
                        row,
                        "other",
                        other,
                        "unknown_municipality",
                        "a code of the municipalities sheet",
                        "市町村シートのコード",
                    )
                )
            elif partner == code:
                found.append(
                    _rule_issue(row, "other", other, "a different municipality", "別の市町村")
                )
            else:
                banned.add(tuple(sorted((code, partner))))
            continue
        kind_of = None
        if other is not None:
            kind_of = type_lookup.get(str(other).lower())
            if kind_of is None:
                found.append(
                    issue(
                        "rules",
                        row,
                        "other",
                        other,
                        "unknown_type",
                        "a type of the facility_types sheet (" + ", ".join(types) + ")",
                        "施設類型シートの類型",
                    )
                )
                continue
        if kind == "keep_own":
            keep_own.update((code, k) for k in ([kind_of] if kind_of else types))
        elif kind == "max_partners":
            if value is None or value != int(value):
                found.append(
                    _rule_issue(
                        row, "value", value, "a whole number of partners", "連携先の数（整数）"
                    )
                )
            else:
                max_partners[code] = int(value)
        elif kind == "min_self_sufficiency":
            if value is None or not 0 <= value <= 1:
                found.append(
                    _rule_issue(
                        row, "value", value, "a share between 0 and 1", "0 以上 1 以下の割合"
                    )
                )
            else:
                self_sufficiency[(code, kind_of)] = float(value)
    rules = Rules(
        banned_pairs=frozenset(banned),
        keep_own=frozenset(keep_own),
        max_partners=max_partners,
        min_self_sufficiency=self_sufficiency,
    )
    return rules, found


def scenarios_from_sheet(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Scenario rows as text (blank rows already flagged by the required columns)."""
    columns = ["scenario", "target", "value", "note"]
    if frame is None or frame.empty:
        return pd.DataFrame(columns=columns)
    return frame[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------
# the whole
# ---------------------------------------------------------------------------


@dataclass
class _Checked:
    """Coerced tables (index = Excel row) and the issues found so far."""

    frames: dict[str, pd.DataFrame]
    issues: list[Issue]


def _coerce_all(tables: RawTables) -> _Checked:
    issues = list(tables.issues)
    issues.extend(check_required_sheets(tables))
    frames = {name: coerce_sheet(table, issues) for name, table in tables.tables.items()}
    return _Checked(frames, issues)


def clean_tables(
    tables: RawTables | Mapping[str, pd.DataFrame],
) -> tuple[dict[str, pd.DataFrame], list[Issue]]:
    """Coerced tables with schema column names and defaults applied, plus cell issues.

    No cross-sheet rule is applied here; this is what the sample builder writes and
    what round-trip tests compare.
    """
    raw = tables if isinstance(tables, RawTables) else RawTables.from_frames(tables)
    checked = _coerce_all(raw)
    return (
        {name: frame.reset_index(drop=True) for name, frame in checked.frames.items()},
        checked.issues,
    )


def _facilities_table(existing: pd.DataFrame, candidates: pd.DataFrame | None) -> pd.DataFrame:
    """Existing facilities and candidates in the columns assemble_problem expects."""
    existing = existing.assign(is_candidate=False, build_cost=np.nan)
    parts = [existing]
    if candidates is not None and not candidates.empty:
        parts.append(
            candidates.assign(
                is_candidate=True,
                renewal_cost=np.nan,
                year_built=pd.array([pd.NA] * len(candidates), dtype="Int64"),
            )
        )
    columns = [
        "id",
        "name",
        "type",
        "municipality",
        "lat",
        "lon",
        "capacity",
        "floor_area_m2",
        "year_built",
        "annual_operating_cost",
        "status",
        "is_candidate",
        "build_cost",
        "renewal_cost",
    ]
    table = pd.concat([p[columns] for p in parts], ignore_index=True)
    table["year_built"] = table["year_built"].astype("Int64")
    table["is_candidate"] = table["is_candidate"].astype(bool)
    for column in (
        "capacity",
        "floor_area_m2",
        "annual_operating_cost",
        "build_cost",
        "renewal_cost",
        "lat",
        "lon",
    ):
        table[column] = table[column].astype(float)
    return table.set_index(pd.Index(table.pop("id").astype(str), name="id"))


def _municipalities_table(frame: pd.DataFrame) -> pd.DataFrame:
    table = frame.copy()
    table["population"] = table["population"].astype("int64")
    table["population_75plus"] = table["population_75plus"].astype("int64")
    table["may_share"] = table["may_share"].astype(bool)
    table["capital_budget"] = table["capital_budget"].astype(float)
    return table.set_index(pd.Index(table.pop("code").astype(str), name="code"))


def _types_table(frame: pd.DataFrame) -> pd.DataFrame:
    table = frame.copy()
    table["name_ja"] = [
        n if n is not None else t for n, t in zip(table["name_ja"], table["type"], strict=True)
    ]
    for column in ("life_years", "renovation_year"):
        table[column] = table[column].astype("int64")
    for column in (
        "demand_per_person",
        "max_distance_km",
        "renovation_unit_cost",
        "rebuild_unit_cost",
        "user_travel_cost_per_km",
        "routine_repair_per_m2",
    ):
        table[column] = table[column].astype(float)
    return table.set_index(pd.Index(table.pop("type").astype(str), name="type"))


def _cross_checks(frames: dict[str, pd.DataFrame], issues: list[Issue]) -> dict:
    """Every rule across sheets; returns the parts assemble_problem needs."""
    params, found = parameters_from_sheet(frames.get("parameters"))
    issues.extend(found)
    municipalities = frames["municipalities"]
    issues.extend(check_duplicate_keys("municipalities", "code", municipalities["code"]))
    issues.extend(check_coordinates("municipalities", municipalities))
    issues.extend(check_elderly_share(municipalities))
    codes = pd.Index([c for c in municipalities["code"] if c is not None]).unique()
    lookup = municipality_lookup(codes)

    types, found = fill_unit_costs(frames["facility_types"])
    issues.extend(found)
    issues.extend(check_duplicate_keys("facility_types", "type", types["type"]))
    issues.extend(check_demand_definition(types))
    type_ids = pd.Index([t for t in types["type"] if t is not None]).unique()

    seen: dict[str, tuple[str, int]] = {}
    sites = {}
    for name in ("facilities", "candidates"):
        frame = frames.get(name)
        if frame is None:
            continue
        frame = frame.copy()
        issues.extend(check_duplicate_keys(name, "id", frame["id"], seen))
        issues.extend(check_coordinates(name, frame))
        frame["municipality"], found = resolve_municipalities(
            name, "municipality", frame["municipality"], lookup
        )
        issues.extend(found)
        frame["type"], found = resolve_types(name, frame["type"], type_ids)
        issues.extend(found)
        sites[name] = frame
    existing = sites["facilities"]
    issues.extend(check_year_built(existing, params.base_year))
    from optimizer.problem.costs import UNKNOWN_AGE_FRACTION

    issues.extend(check_capital_cost_inputs(existing, UNKNOWN_AGE_FRACTION))
    every_site = pd.concat([s[["type"]] for s in sites.values()])
    issues.extend(check_types_used(types["type"], every_site))

    travel, found = travel_from_sheet(
        frames.get("travel"), lookup, set(seen), params.travel_speed_kmh
    )
    issues.extend(found)
    rules, found = rules_from_sheet(frames.get("rules"), lookup, type_ids)
    issues.extend(found)
    return {
        "parameters": params,
        "municipalities": municipalities,
        "types": types,
        "existing": existing,
        "candidates": sites.get("candidates"),
        "travel": travel,
        "rules": rules,
        "scenarios": scenarios_from_sheet(frames.get("scenarios")),
    }


def _sanity_checks(municipalities: pd.DataFrame, facilities: pd.DataFrame) -> list[Issue]:
    return [
        *check_library_area(municipalities, facilities),
        *check_care_capacity(municipalities, facilities),
        *check_public_area(municipalities, facilities),
    ]


def _raise_if_errors(issues: list[Issue]) -> None:
    errors = [item for item in issues if item.severity == ERROR]
    if errors:
        raise InputError(issues, format_issues(issues, "en"))


def problem_from_tables(
    tables: RawTables | Mapping[str, pd.DataFrame], source: dict | None = None
) -> tuple[ProblemData, list[Issue]]:
    """Validate raw tables and build the :class:`ProblemData`.

    Parameters
    ----------
    tables
        :class:`RawTables` from :func:`read_tables`, or a dict of DataFrames with schema
        column names (rows then numbered from 2, as under a one-row header).
    source
        Provenance to record (merged over the tables' own).

    Returns
    -------
    (ProblemData, warnings)

    Raises
    ------
    InputError
        With every issue found (errors and warnings), if any is an error.
    """
    raw = tables if isinstance(tables, RawTables) else RawTables.from_frames(tables)
    checked = _coerce_all(raw)
    issues = checked.issues
    if any(s.required and s.name not in checked.frames for s in SHEETS):
        _raise_if_errors(issues)
    parts = _cross_checks(checked.frames, issues)
    _raise_if_errors(issues)
    facilities = _facilities_table(parts["existing"], parts["candidates"])
    municipalities = _municipalities_table(parts["municipalities"])
    issues.extend(_sanity_checks(municipalities, facilities))
    provenance = dict(raw.source)
    provenance.update(source or {})
    problem = assemble_problem(
        municipalities=municipalities,
        facility_types=_types_table(parts["types"]),
        facilities=facilities,
        parameters=parts["parameters"],
        rules=parts["rules"],
        travel=parts["travel"],
        scenarios=parts["scenarios"],
        source=provenance,
    )
    rows = dict(
        zip(parts["municipalities"]["code"].astype(str), parts["municipalities"].index, strict=True)
    )
    issues.extend(check_reach(problem, rows))
    warnings = [item for item in issues if item.severity == WARNING]
    for item in warnings:
        log.debug("%s", item.message("en"))
    return problem, warnings


def load_problem(path: str | Path) -> tuple[ProblemData, list[Issue]]:
    """:func:`read_tables` then :func:`problem_from_tables`."""
    return problem_from_tables(read_tables(path))
