"""The page's levers as ``--set`` overrides: the one road from the page to a run.

The page never edits a problem. Each lever that differs from what the workbook (with
the chosen scenario) holds becomes an override ``target=value`` of
:mod:`optimizer.workbook.scenarios`, spelt exactly as after ``optimizer solve --set``;
a run is :func:`optimizer.runs.pipeline.run` with those overrides in
:class:`optimizer.config.RunSettings`. :func:`command_line` states the same run as a
command, so that a what-if found on the page can be repeated (and scripted) in a
terminal.

The levers:

==========================  ===============================================
lever                       override
==========================  ===============================================
maximum distance per type   ``facility_types.TYPE.max_distance_km``
headroom per type           ``facility_types.TYPE.max_utilisation``
agreement cost              ``parameters.agreement_fixed_cost`` (yen/year)
demand growth per basis     ``growth.population``, ``growth.population_75plus``
fairness                    ``parameters.fairness``
a facility locked           ``facilities.ID.status`` (``free``, ``keep``, ``close``)
==========================  ===============================================
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.config import RunSettings
from optimizer.problem.data import ProblemData
from optimizer.schema import DEMAND_BASES

__all__ = [
    "Levers",
    "LOCK_STATES",
    "lever_values",
    "lever_overrides",
    "value_text",
    "run_settings",
    "run_key",
    "command_line",
]

LOCK_STATES = ("free", "keep", "close")
"""A facility's status as an override may set it: left to the plan, kept (a candidate:
built), closed (a candidate: not built)."""


@dataclass(frozen=True)
class Levers:
    """The values of the page's levers.

    Attributes
    ----------
    max_distance_km
        Type → the farthest a resident may be served [km].
    max_utilisation
        Type → the largest share of a facility's capacity the plan fills (headroom).
    agreement_cost
        Annual administrative cost of one agreement [yen/year].
    growth
        Demand basis (``population``, ``population_75plus``) → growth as a fraction
        (0.1: +10 %), applied to every municipality.
    fairness
        No municipality pays more than alone.
    locks
        Facility id → status (``free``, ``keep``, ``close``).
    """

    max_distance_km: Mapping[str, float] = field(default_factory=dict)
    max_utilisation: Mapping[str, float] = field(default_factory=dict)
    agreement_cost: float = 0.0
    growth: Mapping[str, float] = field(default_factory=dict)
    fairness: bool = True
    locks: Mapping[str, str] = field(default_factory=dict)


def lever_values(problem: ProblemData) -> Levers:
    """The levers as ``problem`` holds them (the workbook, with its scenario applied):
    the page's starting values, against which a changed lever becomes an override."""
    types = problem.facility_types
    return Levers(
        max_distance_km={k: float(types.at[k, "max_distance_km"]) for k in problem.types},
        max_utilisation={k: float(types.at[k, "max_utilisation"]) for k in problem.types},
        agreement_cost=float(problem.parameters.agreement_fixed_cost),
        growth={basis: 0.0 for basis in DEMAND_BASES},
        fairness=bool(problem.parameters.fairness),
        locks={str(j): str(s) for j, s in problem.facilities["status"].items()},
    )


def value_text(value: object) -> str:
    """A value as typed after ``--set``: ``8`` for 8.0, ``0.85``, ``true``, text as is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == round(value) and abs(value) < 1e15:
            return str(int(round(value)))
        return repr(round(value, 10))
    return str(value)


def _changed(start: float, chosen: float) -> bool:
    return not math.isclose(float(start), float(chosen), rel_tol=1e-12, abs_tol=1e-12)


def lever_overrides(start: Levers, chosen: Levers) -> tuple[str, ...]:
    """The ``key=value`` overrides that turn ``start`` into ``chosen``: one per lever
    whose value differs, in a fixed order (types, then parameters, growth, locks)."""
    overrides = []
    for k, km in chosen.max_distance_km.items():
        if _changed(start.max_distance_km.get(k, math.nan), km):
            overrides.append(f"facility_types.{k}.max_distance_km={value_text(float(km))}")
    for k, share in chosen.max_utilisation.items():
        if _changed(start.max_utilisation.get(k, math.nan), share):
            overrides.append(f"facility_types.{k}.max_utilisation={value_text(float(share))}")
    if _changed(start.agreement_cost, chosen.agreement_cost):
        overrides.append(
            f"parameters.agreement_fixed_cost={value_text(float(chosen.agreement_cost))}"
        )
    if bool(start.fairness) != bool(chosen.fairness):
        overrides.append(f"parameters.fairness={value_text(bool(chosen.fairness))}")
    for basis, growth in chosen.growth.items():
        if _changed(start.growth.get(basis, 0.0), growth):
            overrides.append(f"growth.{basis}={value_text(float(growth))}")
    for facility, status in chosen.locks.items():
        if status not in LOCK_STATES:
            raise ValueError(f"facility {facility}: status {status!r} is not one of {LOCK_STATES}")
        if start.locks.get(facility) != status:
            overrides.append(f"facilities.{facility}.status={status}")
    return tuple(overrides)


def run_settings(
    output_root: Path,
    scenario: str = "base",
    overrides: tuple[str, ...] = (),
    language: str = "ja",
    time_limit_s: float | None = None,
) -> RunSettings:
    """The settings of a run from the page: those ``optimizer solve`` makes of
    ``--output``, ``--scenario``, ``--set``, ``--lang`` and ``--time-limit``."""
    return RunSettings(
        output_root=Path(output_root),
        scenario=scenario,
        language=language,
        time_limit_s=time_limit_s,
        overrides=tuple(overrides),
    )


def run_key(input_sha256: str, settings: RunSettings) -> str:
    """A run's identity for the page's cache: the input's sha256 and every setting that
    shapes the run folder (the same key: the same plan, report and agreements)."""
    fields = {
        "input": input_sha256,
        "scenario": settings.scenario,
        "overrides": list(settings.overrides),
        "language": settings.language,
        "time_limit_s": settings.time_limit_s,
        "output_root": str(settings.output_root),
    }
    text = json.dumps(fields, ensure_ascii=True, sort_keys=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:20]


def command_line(workbook: Path | None, settings: RunSettings) -> str:
    """The ``optimizer solve`` command that makes the same run (``workbook`` ``None``:
    the embedded sample, which the command solves when given no file)."""
    parts = ["optimizer", "solve"]
    if workbook is not None:
        parts.append(str(workbook))
    if settings.scenario != "base":
        parts += ["--scenario", settings.scenario]
    for override in settings.overrides:
        parts += ["--set", override]
    if settings.time_limit_s is not None:
        parts += ["--time-limit", value_text(float(settings.time_limit_s))]
    if settings.language and settings.language != "ja":
        parts += ["--lang", settings.language]
    if Path(settings.output_root) != Path("reports"):
        parts += ["--output", str(settings.output_root)]
    return " ".join(_quoted(part) for part in parts)


_PLAIN = re.compile(r"[\w@%+=:,./-]+")


def _quoted(part: str) -> str:
    """A word of a shell command: as is when plain (Japanese names too), else quoted."""
    return part if _PLAIN.fullmatch(part) else shlex.quote(part)
