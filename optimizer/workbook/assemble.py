"""Raw tables → validated :class:`~optimizer.problem.data.ProblemData`, or every problem at once.

The cells of every sheet are coerced by their column's kind (:mod:`.coerce`), defaults
applied, then one small rule runs per kind of defect (:mod:`.checks`,
:mod:`.optional_sheets`, :mod:`.zones`, :mod:`.bands`, :mod:`.reach`). Nothing stops at
the first problem: all
:class:`~optimizer.workbook.messages.Issue` s are collected, and if any is an error
:func:`problem_from_tables` raises :class:`~optimizer.errors.InputError` carrying them
all. Warnings travel with the returned problem.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import InputError
from optimizer.problem.costs import UNKNOWN_AGE_FRACTION
from optimizer.problem.data import ProblemData, assemble_problem
from optimizer.schema import SHEETS
from optimizer.workbook.bands import sanity_checks
from optimizer.workbook.care import check_area_floors, check_operators
from optimizer.workbook.checks import (
    check_capital_cost_inputs,
    check_coordinates,
    check_coverage_pairs,
    check_duplicate_keys,
    check_elderly_share,
    check_required_sheets,
    check_types_used,
    check_year_built,
    fill_unit_costs,
    municipality_lookup,
    resolve_municipalities,
    resolve_types,
)
from optimizer.workbook.coerce import coerce_sheet
from optimizer.workbook.contradictions import SheetRows, check_contradictions
from optimizer.workbook.messages import ERROR, WARNING, Issue, format_issues
from optimizer.workbook.names import type_references
from optimizer.workbook.optional_sheets import (
    parameter_rows,
    parameters_from_sheet,
    rule_rows,
    rules_from_sheet,
    scenarios_from_sheet,
    travel_from_sheet,
)
from optimizer.workbook.raw import RawTables
from optimizer.workbook.reach import (
    check_capacity_within_reach,
    check_coverage_reach,
    check_reach,
    usable_arcs,
)
from optimizer.workbook.reader import read_tables
from optimizer.workbook.zones import check_zone_totals, zones_from_sheet

__all__ = ["problem_from_tables", "load_problem", "clean_tables"]

log = logging.getLogger(__name__)

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
                operator="municipal",
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
        "operator",
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
    table["care_area"] = table["care_area"].fillna("").astype(str)
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
        "max_utilisation",
        "area_floor_share",
        "area_floor_per_75plus",
        "keep_own_from_population",
        "coverage_km",
        "coverage_share",
    ):
        table[column] = table[column].astype(float)
    table["community_based"] = [v is True for v in table["community_based"]]
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
    zones, found = zones_from_sheet(frames.get("zones"), municipalities, lookup)
    issues.extend(found)
    issues.extend(check_zone_totals(zones, frames.get("zones"), municipalities))

    types, found = fill_unit_costs(frames["facility_types"])
    issues.extend(found)
    issues.extend(check_duplicate_keys("facility_types", "type", types["type"]))
    issues.extend(check_coverage_pairs(types))
    type_ids = pd.Index([t for t in types["type"] if t is not None]).unique()
    type_refs = type_references(types["type"], types["name_ja"])  # 図書館 → library

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
        frame["type"], found = resolve_types(name, frame["type"], type_ids, type_refs)
        issues.extend(found)
        sites[name] = frame
    existing = sites["facilities"]
    issues.extend(check_operators(existing))
    issues.extend(check_year_built(existing, params.base_year))
    issues.extend(check_capital_cost_inputs(existing, UNKNOWN_AGE_FRACTION))
    every_site = pd.concat([s[["type"]] for s in sites.values()])
    issues.extend(check_types_used(types["type"], every_site))

    travel, found = travel_from_sheet(
        frames.get("travel"), lookup, set(seen), params.travel_speed_kmh
    )
    issues.extend(found)
    rules, found = rules_from_sheet(frames.get("rules"), lookup, type_ids, type_refs)
    issues.extend(found)
    rows = SheetRows(
        municipalities=dict(
            zip(municipalities["code"].astype(str), municipalities.index, strict=True)
        ),
        types=dict(zip(types["type"].astype(str), types.index, strict=True)),
        rules=rule_rows(frames.get("rules"), lookup, type_ids, type_refs),
        parameters=parameter_rows(frames.get("parameters")),
    )
    return {
        "rows": rows,
        "parameters": params,
        "municipalities": municipalities,
        "zones": zones,
        "types": types,
        "existing": existing,
        "candidates": sites.get("candidates"),
        "travel": travel,
        "rules": rules,
        "scenarios": scenarios_from_sheet(frames.get("scenarios")),
    }


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
    issues.extend(sanity_checks(municipalities, facilities))
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
        zones=parts["zones"],
    )
    rows: SheetRows = parts["rows"]
    arcs = usable_arcs(problem)
    issues.extend(check_reach(problem, rows.municipalities, arcs))
    issues.extend(check_capacity_within_reach(problem, rows.municipalities, arcs))
    issues.extend(check_contradictions(problem, rows))
    issues.extend(check_area_floors(problem, rows.municipalities, rows.types))
    issues.extend(check_coverage_reach(problem, rows.types, arcs))
    _raise_if_errors(issues)
    warnings = [item for item in issues if item.severity == WARNING]
    for item in warnings:
        log.debug("%s", item.message("en"))
    return problem, warnings


def load_problem(path: str | Path) -> tuple[ProblemData, list[Issue]]:
    """:func:`read_tables` then :func:`problem_from_tables`."""
    return problem_from_tables(read_tables(path))
