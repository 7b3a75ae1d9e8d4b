"""Scenarios: named overrides of the base inputs, and their precedence.

A scenario is the base workbook plus a list of overrides ``target = value``. Overrides
come from three places; a later one wins over an earlier one for the same target::

    default  <  workbook  <  scenario (workbook ``scenarios`` sheet or a TOML file)
             <  command line (``--set key=value``)

Targets (``valid_targets`` lists every one for a problem):

``parameters.NAME``                     any parameter, e.g. ``parameters.discount_rate``
``facility_types.TYPE.COLUMN``          e.g. ``facility_types.hall.max_distance_km``; TYPE is
                                        the type's id or its Japanese name (name_ja), as
                                        in ``facility_types.図書館.max_distance_km``
``facilities.ID.COLUMN``                status, capacity, costs, floor area, year built
                                        (a private or prefectural facility cannot be
                                        set to close; free is read as keep)
``municipalities.CODE.COLUMN``          population, population_75plus, may_share, capital_budget
``growth.BASIS``                        demand growth of a basis population for every
                                        municipality, e.g. ``growth.population_75plus = 0.3``
                                        (75+ population +30 %)
``rules.no_cooperation``                add a banned pair, value ``CODE,CODE``
``rules.allow_cooperation``             remove a banned pair, value ``CODE,CODE``
``rules.keep_own``                      add a keep-own rule, value ``CODE,TYPE``

A misspelt target is a :class:`~optimizer.errors.ScenarioError` that names it and
suggests the closest valid one. The costs and the demand are derived again after the
overrides (so a new unit cost or discount rate changes every facility's annual cost).
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pandas as pd

from optimizer.errors import ScenarioError
from optimizer.problem.costs import municipal
from optimizer.problem.data import ProblemData, assemble_problem
from optimizer.problem.zones import input_zones
from optimizer.schema import (
    CANDIDATES,
    DEMAND_BASES,
    FACILITIES,
    FACILITY_TYPES,
    MUNICIPALITIES,
    PARAMETERS_BY_NAME,
)
from optimizer.workbook.cells import parse_setting
from optimizer.workbook.names import type_key, type_references

__all__ = [
    "Override",
    "parse_assignment",
    "scenario_names",
    "scenario_overrides",
    "read_toml_scenarios",
    "valid_targets",
    "apply_overrides",
]

FACILITY_TARGET_COLUMNS = (
    "status",
    "capacity",
    "annual_operating_cost",
    "renewal_cost",
    "build_cost",
    "floor_area_m2",
    "year_built",
)
NULLABLE_TYPE_COLUMNS = (
    "area_floor_share",
    "area_floor_per_75plus",
    "keep_own_from_population",
    "coverage_km",
    "coverage_share",
)
"""Type columns a scenario may blank (no floor, no rule); the others need a value."""
MUNICIPALITY_TARGET_COLUMNS = ("population", "population_75plus", "may_share", "capital_budget")
RULE_TARGETS = ("rules.no_cooperation", "rules.allow_cooperation", "rules.keep_own")


@dataclass(frozen=True)
class Override:
    """One override: ``target`` set to ``value`` (text as typed), and where it came from."""

    target: str
    value: object
    source: str = "command line"

    def __str__(self) -> str:
        return f"{self.target}={self.value} ({self.source})"


def parse_assignment(text: str, source: str = "command line") -> Override:
    """``"parameters.discount_rate=0.02"`` → :class:`Override`."""
    target, sep, value = text.partition("=")
    if not sep or not target.strip():
        raise ScenarioError(f"expected key=value, got {text!r}")
    return Override(target.strip(), value.strip(), source)


def scenario_names(problem: ProblemData) -> list[str]:
    """Names of the scenarios in the workbook's ``scenarios`` sheet, in order of appearance."""
    names = problem.scenarios["scenario"].astype(str) if len(problem.scenarios) else []
    return list(dict.fromkeys(names))


def scenario_overrides(problem: ProblemData, name: str) -> list[Override]:
    """The overrides of one scenario of the workbook's ``scenarios`` sheet."""
    names = scenario_names(problem)
    if name not in names:
        raise ScenarioError(_unknown("scenario", name, names))
    rows = problem.scenarios[problem.scenarios["scenario"].astype(str) == name]
    return [
        Override(str(row["target"]).strip(), row["value"], f"scenario {name}")
        for _, row in rows.iterrows()
    ]


def read_toml_scenarios(path: Path) -> dict[str, list[Override]]:
    """Scenarios from a TOML file: one table per scenario, ``target = value`` inside.

    Example::

        [short-distance]
        "facility_types.library.max_distance_km" = 5
        "parameters.agreement_fixed_cost" = 0

    Dotted keys may also be written as nested tables (``[short-distance.parameters]``).
    """
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"cannot read scenarios from {path}: {exc}") from exc
    scenarios = {}
    for name, table in document.items():
        if not isinstance(table, dict):
            raise ScenarioError(f"{path}: [{name}] must be a table of target = value")
        scenarios[name] = [
            Override(target, value, f"scenario {name} ({Path(path).name})")
            for target, value in _flatten(table)
        ]
    return scenarios


def _flatten(table: dict, prefix: str = "") -> Iterable[tuple[str, object]]:
    for key, value in table.items():
        target = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, target + ".")
        else:
            yield target, value


def valid_targets(problem: ProblemData) -> list[str]:
    """Every target an override may name for this problem."""
    targets = [f"parameters.{name}" for name in PARAMETERS_BY_NAME]
    type_columns = [c.name for c in FACILITY_TYPES.columns if c.name != "type"]
    targets += [f"facility_types.{k}.{c}" for k in problem.types for c in type_columns]
    targets += [
        f"facilities.{j}.{c}" for j in problem.facilities.index for c in FACILITY_TARGET_COLUMNS
    ]
    targets += [
        f"municipalities.{i}.{c}" for i in problem.codes for c in MUNICIPALITY_TARGET_COLUMNS
    ]
    targets += [f"growth.{basis}" for basis in DEMAND_BASES]
    return targets + list(RULE_TARGETS)


def _unknown(what: str, name: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {what} {name!r}{hint}"


def apply_overrides(problem: ProblemData, overrides: Sequence[Override]) -> ProblemData:
    """Apply overrides in order (later wins) and derive demand and costs again.

    The original ``problem`` is left untouched. Raises :class:`ScenarioError` naming the
    first bad target or value.
    """
    if not overrides:
        return problem
    state = _Editable.of(problem)
    targets = None
    for override in overrides:
        head, _, rest = override.target.partition(".")
        apply = _APPLIERS.get(head)
        try:
            if apply is None:
                raise KeyError(override.target)
            apply(state, rest, override.value)
        except KeyError:
            targets = targets or valid_targets(problem)
            raise ScenarioError(
                f"{override.source}: " + _unknown("target", override.target, targets)
            ) from None
        except ValueError as exc:
            raise ScenarioError(f"{override.source}: {override.target}: {exc}") from None
    applied = tuple(str(o) for o in overrides)
    return state.assemble(problem, applied)


@dataclass
class _Editable:
    """Mutable copies of the tables an override may change."""

    municipalities: pd.DataFrame
    facility_types: pd.DataFrame
    facilities: pd.DataFrame
    parameters: dict
    banned_pairs: set
    keep_own: set

    @classmethod
    def of(cls, problem: ProblemData) -> _Editable:
        return cls(
            municipalities=problem.municipalities.copy(),
            facility_types=problem.facility_types.copy(),
            facilities=problem.facilities.copy(),
            parameters=dataclasses.asdict(problem.parameters),
            banned_pairs=set(problem.rules.banned_pairs),
            keep_own=set(problem.rules.keep_own),
        )

    def assemble(self, problem: ProblemData, applied: tuple[str, ...]) -> ProblemData:
        rules = dataclasses.replace(
            problem.rules,
            banned_pairs=frozenset(self.banned_pairs),
            keep_own=frozenset(self.keep_own),
        )
        source = {**problem.source, "overrides": list(problem.source.get("overrides", ()))}
        source["overrides"] += list(applied)
        return assemble_problem(
            self.municipalities,
            self.facility_types,
            self.facilities,
            parameters=type(problem.parameters)(**self.parameters),
            rules=rules,
            travel=problem.travel,
            scenarios=problem.scenarios,
            source=source,
            zones=input_zones(problem.zones),
        )


def _split_key(rest: str, index: pd.Index, what: str) -> tuple[str, str]:
    """``"L-012.status"`` → ("L-012", "status"); ids may themselves contain dots."""
    key, sep, column = rest.rpartition(".")
    if not sep or key not in index:
        raise KeyError(rest)
    return key, column


def _set_parameter(state: _Editable, name: str, value: object) -> None:
    spec = PARAMETERS_BY_NAME[name]
    state.parameters[name] = parse_setting(
        value,
        spec.kind,
        choices=spec.choices,
        minimum=spec.minimum,
        maximum=spec.maximum,
        nullable=spec.nullable,
    )


def _type_of(state: _Editable, reference: str) -> str | None:
    """The id of the type ``reference`` names: its id or its Japanese name (図書館)."""
    types = state.facility_types
    names = types["name_ja"] if "name_ja" in types.columns else None
    return type_references(types.index, names).get(type_key(reference))


def _set_type_column(state: _Editable, rest: str, value: object) -> None:
    reference, sep, column = rest.rpartition(".")
    key = _type_of(state, reference) if sep else None
    if key is None:
        raise KeyError(rest)
    spec = FACILITY_TYPES.column_index[column]
    if column == "type":
        raise KeyError(rest)
    state.facility_types.loc[key, column] = parse_setting(
        value,
        spec.kind,
        choices=spec.choices,
        minimum=spec.minimum,
        maximum=spec.maximum,
        nullable=column in NULLABLE_TYPE_COLUMNS,
    )


def _set_facility_column(state: _Editable, rest: str, value: object) -> None:
    key, column = _split_key(rest, state.facilities.index, "facility")
    if column not in FACILITY_TARGET_COLUMNS:
        raise KeyError(rest)
    sheet = CANDIDATES if state.facilities.at[key, "is_candidate"] else FACILITIES
    spec = sheet.column_index.get(column) or FACILITIES.column_index[column]
    coerced = parse_setting(
        value,
        spec.kind,
        choices=spec.choices,
        minimum=spec.minimum,
        maximum=spec.maximum,
        nullable=not spec.required,
    )
    if column == "year_built":
        state.facilities["year_built"] = pd.array(state.facilities["year_built"], dtype="Int64")
    if column == "status":
        coerced = _owned_status(state, key, coerced)
    state.facilities.loc[key, column] = coerced


def _owned_status(state: _Editable, key: str, status: object) -> object:
    """``status`` if the municipalities may set it: closing a private or prefectural
    facility is refused (ValueError); one left ``free`` or ``keep`` stays open anyway
    (:func:`optimizer.problem.costs.derive_facility_costs`)."""
    if status == "close" and not municipal(state.facilities.loc[[key]])[0]:
        operator = state.facilities.at[key, "operator"]
        raise ValueError(
            f"{key} is run by {operator} (operator), and a municipality cannot close a "
            "facility it does not own"
        )
    return status


def _set_municipality_column(state: _Editable, rest: str, value: object) -> None:
    key, column = _split_key(rest, state.municipalities.index, "municipality")
    if column not in MUNICIPALITY_TARGET_COLUMNS:
        raise KeyError(rest)
    spec = MUNICIPALITIES.column_index[column]
    state.municipalities.loc[key, column] = parse_setting(
        value,
        spec.kind,
        minimum=spec.minimum,
        maximum=spec.maximum,
        nullable=not spec.required,
    )


def _grow(state: _Editable, basis: str, value: object) -> None:
    if basis not in DEMAND_BASES:
        raise KeyError(basis)
    growth = cast(float, parse_setting(value, "float", minimum=-1.0))  # a float for "float"
    grown = state.municipalities[basis].astype(float) * (1.0 + growth)
    state.municipalities[basis] = grown.round().astype("int64")


def _pair(value: object) -> tuple[str, str]:
    parts = [p.strip() for p in str(value).replace("-", ",").replace(" ", ",").split(",")]
    parts = [p for p in parts if p]
    if len(parts) != 2:
        raise ValueError(f"expected two codes separated by a comma, got {value!r}")
    return parts[0], parts[1]


def _set_rule(state: _Editable, rule: str, value: object) -> None:
    a, b = _pair(value)
    codes = state.municipalities.index
    if rule in ("no_cooperation", "allow_cooperation"):
        for code in (a, b):
            if code not in codes:
                raise ValueError(_unknown("municipality", code, list(codes)))
        pair = (min(a, b), max(a, b))
        if rule == "no_cooperation":
            state.banned_pairs.add(pair)
        else:
            state.banned_pairs.discard(pair)
    elif rule == "keep_own":
        if a not in codes:
            raise ValueError(_unknown("municipality", a, list(codes)))
        kind = _type_of(state, b)
        if kind is None:
            raise ValueError(_unknown("facility type", b, list(state.facility_types.index)))
        state.keep_own.add((a, kind))
    else:
        raise KeyError(rule)


_APPLIERS = {
    "parameters": _set_parameter,
    "facility_types": _set_type_column,
    "facilities": _set_facility_column,
    "municipalities": _set_municipality_column,
    "growth": _grow,
    "rules": _set_rule,
}
