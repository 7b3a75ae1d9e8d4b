"""Typed run settings, with their defaults in one place.

The model's own settings (discount rate, distances, fairness, solver limits, ...) live in
the workbook's ``parameters`` sheet (:class:`optimizer.problem.data.Parameters`). A
:class:`RunSettings` carries what the person running the program chooses on top of
that: where outputs go, the scenario's name, the language of messages, and command-line
overrides of the solver settings (``None`` keeps the workbook's value).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["RunSettings", "EXIT_CODES", "default_processes"]

EXIT_CODES = {
    "ok": 0,
    "failure": 1,
    "usage": 2,
    "bad_input": 3,
    "infeasible": 4,
    "not_optimal": 5,
    "check_failed": 6,
    "output": 7,
    "locked": 8,
    "unreachable": 9,
}
"""Exit codes of the command line, one per kind of outcome (documented in the README)."""


def default_processes() -> int:
    """Worker processes for parallel solves: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class RunSettings:
    """What one run of the pipeline is asked to do.

    Attributes
    ----------
    output_root
        Folder under which each run gets its own new folder.
    scenario
        Name of the scenario (``base`` when none), used in the run folder's name.
    language
        ``ja`` or ``en`` for messages; ``None`` takes the workbook's parameter.
    solver, time_limit_s, mip_gap, threads
        Overrides of the workbook's solver parameters; ``None`` keeps them.
    processes
        Worker processes for stand-alone and coalition solves (``None``: all cores).
    shapley
        ``auto`` (exact up to 6 municipalities; beyond, left out with a note on how to
        ask for it, so that a default run stays quick), ``exact`` (every coalition:
        2^n solves, about 3 minutes for 9 municipalities), ``sampled`` (random orders,
        with the standard error stated) or ``off``.
    documents
        Write the agreements (.md and .docx), in the workbook's ``document_languages``.
    document_templates
        A folder of the user's own .docx templates of the documents
        (``agreement_ja.docx``, ``summary_ja.docx``, ``consultation_ja.docx``, and the
        ``_en`` ones), edited in Word; each file present replaces the shipped template
        of that document (the .docx only; the Markdown keeps the shipped wording).
        ``None``: the shipped templates.
    overrides
        ``key=value`` overrides applied on top of the scenario (command line; recorded in
        the report).
    scenario_file
        A TOML file of scenarios, searched before the workbook's ``scenarios`` sheet.
    write_outputs
        Write the run folder (report, map, agreements, JSON). Sweeps turn this off.
    previous_sha256
        The input's hash in the previous run of a scheduled job, to name a changed input.
    alternatives
        Also find this many next-best distinct plans (a sheet of the report, plus
        ``alternatives.xlsx`` and ``alternatives.json``); 0 for none.
    sensitivity
        Also solve the plan with each lever of :mod:`optimizer.problem.levers` ±20 %
        (ten more solves) and add the sheet 感度分析 to the report.
    """

    output_root: Path = Path("reports")
    scenario: str = "base"
    language: str | None = None
    solver: str | None = None
    time_limit_s: float | None = None
    mip_gap: float | None = None
    threads: int | None = None
    processes: int | None = None
    shapley: str = "auto"
    documents: bool = True
    document_templates: Path | None = None
    overrides: tuple[str, ...] = field(default_factory=tuple)
    scenario_file: Path | None = None
    write_outputs: bool = True
    previous_sha256: str | None = None
    alternatives: int = 0
    sensitivity: bool = False
