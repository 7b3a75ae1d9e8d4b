"""The optional sheets that become settings rather than tables: parameters, travel,
rules and scenarios, each read into what :class:`~optimizer.problem.data.ProblemData`
holds, with the issues found on the way."""

from __future__ import annotations

import difflib
from typing import Any

import pandas as pd

from optimizer.problem.data import Parameters, Rules
from optimizer.schema import PARAMETERS, PARAMETERS_BY_NAME, Parameter
from optimizer.workbook.cells import (
    YEAR_RANGE,
    CellError,
    is_blank,
    parse_value,
    range_problem,
    usual_problem,
)
from optimizer.workbook.checks import check_duplicate_keys, check_weights, resolve_municipalities
from optimizer.workbook.coerce import repaired_code
from optimizer.workbook.messages import WARNING, Issue, issue
from optimizer.workbook.names import header_key, type_key, type_references
from optimizer.workbook.raw import excel_items, excel_rows

__all__ = [
    "PARAMETER_KEYS",
    "parameters_from_sheet",
    "parameter_rows",
    "rule_rows",
    "travel_from_sheet",
    "rules_from_sheet",
    "scenarios_from_sheet",
]

PARAMETER_KEYS = {header_key(p.name): p.name for p in PARAMETERS} | {
    header_key(p.label_ja): p.name for p in PARAMETERS
}


def _parameter_value(parameter: Parameter, value: object) -> object:
    """Parse a parameter value by its kind and check its range (raises :class:`CellError`)."""
    if is_blank(value):
        return parameter.default
    parsed = parse_value(value, parameter.kind, parameter.choices)
    if parameter.kind in ("int", "float", "year") and isinstance(parsed, int | float):
        problem = range_problem(parsed, parameter.minimum, parameter.maximum)
        if parameter.kind == "year":
            problem = problem or range_problem(parsed, *YEAR_RANGE)
        if problem:
            raise CellError("bad_parameter", *problem)
    return parsed


def parameters_from_sheet(frame: pd.DataFrame | None) -> tuple[Parameters, list[Issue]]:
    """The ``parameters`` sheet (name / value rows) → :class:`Parameters`."""
    if frame is None or frame.empty:
        return Parameters(), []
    found: list[Issue] = []
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for row, record in excel_rows(frame):
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
        except CellError as bad:
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
            continue
        parsed = values[name]
        unusual = (
            usual_problem(parsed, parameter.usual)
            if isinstance(parsed, int | float) and not isinstance(parsed, bool)
            else None
        )
        if unusual:
            found.append(
                issue(
                    "parameters",
                    row,
                    "value",
                    record["value"],
                    "unusual_value",
                    f"{name}: {unusual[0]}",
                    f"{name}：{unusual[1]}",
                    severity=WARNING,
                )
            )
    if "language" in values and values["language"] is None:
        values.pop("language")
    parameters = Parameters(
        **{k: v for k, v in values.items() if v is not None or PARAMETERS_BY_NAME[k].nullable}
    )
    found.extend(check_weights(parameters, rows))
    return parameters, found


def parameter_rows(frame: pd.DataFrame | None) -> dict[str, int]:
    """Parameter name → its row in the ``parameters`` sheet (the first, for a repeat)."""
    rows: dict[str, int] = {}
    if frame is None:
        return rows
    for row, raw_name in excel_items(frame["name"]):
        name = PARAMETER_KEYS.get(header_key(raw_name)) if raw_name is not None else None
        if name is not None:
            rows.setdefault(name, row)
    return rows


def rule_rows(
    frame: pd.DataFrame | None,
    lookup: dict[str, str],
    types: pd.Index,
    references: dict[str, str] | None = None,
) -> dict[tuple[str, str, str | None], int]:
    """(rule, municipality code, type or None) → its row in the ``rules`` sheet.

    Read as :func:`rules_from_sheet` reads the rows (codes through ``lookup``, types
    through ``references``), so that a check on the rules can name the row of each.
    """
    rows: dict[tuple[str, str, str | None], int] = {}
    if frame is None:
        return rows
    type_lookup = references if references is not None else type_references(types)
    for row, record in excel_rows(frame):
        code = lookup.get(record["municipality"]) if record["municipality"] else None
        if record["rule"] is None or code is None:
            continue
        other = record["other"]
        kind = type_lookup.get(type_key(other)) if other is not None else None
        rows.setdefault((str(record["rule"]), code, kind), row)
    return rows


def travel_from_sheet(
    frame: pd.DataFrame | None, lookup: dict[str, str], facility_ids: set[str], speed_kmh: float
) -> tuple[pd.DataFrame, list[Issue]]:
    """Travel rows → (municipality, facility, distance_km); minutes → km at ``speed_kmh``."""
    columns = ["municipality", "facility", "distance_km"]
    if frame is None or frame.empty:
        return pd.DataFrame(columns=columns), []
    codes, found = resolve_municipalities("travel", "municipality", frame["municipality"], lookup)
    for row, facility in excel_items(frame["facility"]):
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
    frame: pd.DataFrame | None,
    lookup: dict[str, str],
    types: pd.Index,
    references: dict[str, str] | None = None,
) -> tuple[Rules, list[Issue]]:
    """Rules rows → :class:`Rules` (banned pairs sorted; blank keep_own type = all
    types; a type by its id or Japanese name, through ``references``)."""
    if frame is None or frame.empty:
        return Rules(), []
    codes, found = resolve_municipalities("rules", "municipality", frame["municipality"], lookup)
    type_lookup = references if references is not None else type_references(types)
    banned: set[tuple[str, str]] = set()
    keep_own: set[tuple[str, str]] = set()
    max_partners: dict[str, int] = {}
    self_sufficiency: dict[tuple[str, str | None], float] = {}
    for row, record in excel_rows(frame):
        kind, code, other, value = record["rule"], codes[row], record["other"], record["value"]
        if kind is None or code is None:
            continue
        if kind == "no_cooperation":
            partner = (
                lookup.get(repaired_code("rules", row, "other", other, other, found))
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
            kind_of = type_lookup.get(type_key(other))
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
