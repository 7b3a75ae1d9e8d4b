"""The rules an input must pass, one small function per kind of defect.

Each ``check_*`` returns the :class:`~optimizer.workbook.messages.Issue` s it finds
(never raises); :mod:`optimizer.workbook.assemble` runs them all and decides. Structure
rules (sheets, columns, unique keys), content rules (coordinates, references to
municipalities and types, ages, unit costs) and the parameters' weights. The sanity
bands are in :mod:`.bands`, what each municipality can reach in :mod:`.reach`, and the
hard rules that contradict the tables in :mod:`.contradictions`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from optimizer.problem.data import Parameters
from optimizer.schema import LAT, LON, MIC_UNIT_COSTS, SHEETS, SHEETS_BY_NAME
from optimizer.workbook.care import candidate_operator_issue
from optimizer.workbook.cells import is_blank, jis_check_digit
from optimizer.workbook.messages import WARNING, Issue, issue
from optimizer.workbook.names import type_key, type_references
from optimizer.workbook.raw import RawTable, RawTables, excel_items, excel_rows

__all__ = [
    "check_required_sheets",
    "check_columns",
    "check_duplicate_keys",
    "check_coordinates",
    "municipality_lookup",
    "resolve_municipalities",
    "resolve_types",
    "check_elderly_share",
    "check_year_built",
    "fill_unit_costs",
    "check_types_used",
    "check_capital_cost_inputs",
    "check_weights",
    "check_coverage_pairs",
]


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
        if sheet.name == "candidates":
            operator = candidate_operator_issue(header, letter, table.header_row)
            if operator is not None:
                found.append(operator)
                continue
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
    for row, key in excel_items(values):
        if key is None or is_blank(key):
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
    found: list[Issue] = []
    resolved: list[str | None] = []
    known = sorted(set(lookup.values()))
    for row, value in excel_items(values):
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


def resolve_types(
    sheet: str, values: pd.Series, types: pd.Index, references: Mapping[str, str] | None = None
) -> tuple[pd.Series, list[Issue]]:
    """Map type references to type ids; ``unknown_type`` otherwise.

    ``references`` (:func:`optimizer.workbook.names.type_references`) also maps each
    type's Japanese name; without it, the ids are matched case-insensitively."""
    lookup = dict(references) if references is not None else type_references(types)
    found: list[Issue] = []
    resolved: list[object] = []
    for row, value in excel_items(values):
        if value is None:
            resolved.append(None)
            continue
        kind = lookup.get(type_key(value))
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
    for row, record in excel_rows(bad):
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
    for row, year in excel_items(years[years.notna() & (years > base_year)]):
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


def fill_unit_costs(types: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """Blank unit costs → MIC defaults for library / hall / care; ``missing_unit_cost``
    for any other type."""
    types = types.copy()
    found = []
    for position, column in enumerate(("renovation_unit_cost", "rebuild_unit_cost")):
        for row, record in excel_rows(types[types[column].isna()]):
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


def check_types_used(types: pd.Series, facilities: pd.DataFrame) -> list[Issue]:
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
        for row, kind in excel_items(types)
        if kind is not None and kind not in used
    ]


def check_capital_cost_inputs(frame: pd.DataFrame, age_fraction: float) -> list[Issue]:
    """Warnings: ``no_capital_cost`` (no floor area, no renewal cost) and ``unknown_age``."""
    found = []
    no_cost = frame["floor_area_m2"].isna() & frame["renewal_cost"].isna()
    for row, record in excel_rows(frame[no_cost]):
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
    for row, record in excel_rows(frame[unknown & ~no_cost]):
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


def check_coverage_pairs(types: pd.DataFrame) -> list[Issue]:
    """``rule_incomplete`` for a type with ``coverage_km`` or ``coverage_share`` but not
    both: the service level needs a distance and a share."""
    found = []
    pairs = (("coverage_km", "coverage_share"), ("coverage_share", "coverage_km"))
    for row, record in excel_rows(types):
        for given, blank in pairs:
            if pd.isna(record[given]) or not pd.isna(record[blank]):
                continue
            found.append(
                issue(
                    "facility_types",
                    row,
                    blank,
                    None,
                    "rule_incomplete",
                    f"{blank} too: the service level of type '{record['type']}' needs both "
                    f"coverage_km and coverage_share ({given} is {record[given]:g}), or neither",
                    f"類型「{record['type']}」のサービス水準には coverage_km と coverage_share の"
                    f"両方が必要です（{given} は {record[given]:g}）。{blank} を記入するか、"
                    "両方とも空欄に",
                )
            )
    return found
