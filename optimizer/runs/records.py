"""Machine-readable records of a command's outcome: the ``--json`` output.

Each command with ``--json`` prints one JSON object on standard output and nothing
else. Every object has::

    command     solve / validate / compare / run-job
    status      the outcome: ok, bad_input, infeasible, not_optimal, check_failed,
                output, locked, failure, usage (the keys of the exit-code table)
    exit_code   the process's exit code (README "Exit codes")
    message     the one-line message of a non-zero outcome (else null)
    issues      every problem of a bad input (sheet, row, column, value, expected, message)
    warnings    the warnings (of the input, and those logged during the run)
    errors      the errors logged during the run (a scheduled job's failed scenarios)

and, per command, the figures of :func:`plan_record` (``solve``: at the top level;
``compare`` and ``run-job``: a list ``scenarios``), or what a workbook holds
(:func:`input_record`, ``validate``).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping
from typing import Any

from optimizer.config import EXIT_CODES
from optimizer.errors import InputError, OptimizerError, headline, outcome_of
from optimizer.outputs.files import json_safe
from optimizer.problem.data import ProblemData
from optimizer.runs.compare import ScenarioResult, summarise
from optimizer.runs.jobs import JobReport
from optimizer.runs.pipeline import RunResult
from optimizer.workbook.messages import Issue, format_issues

__all__ = [
    "plan_record",
    "solve_record",
    "input_record",
    "job_record",
    "issue_record",
    "command_record",
    "failure",
    "outcome_note",
    "LogCollector",
    "json_line",
]

log = logging.getLogger(__name__)


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def plan_record(result: ScenarioResult, outcome: str | None = None) -> dict[str, Any]:
    """The headline figures of one solved (or failed) scenario.

    ``scenario``, ``outcome`` (as for the exit code; ``None`` where the command does not
    judge it), ``folder`` (its run folder), ``solve_status`` (``optimal``, ``feasible``
    …; ``error`` when it failed), ``gap``, ``objective`` [yen/year], ``cost_before``
    (every municipality alone), ``cost_after`` (the plan), ``saving`` [yen/year],
    ``saving_pct``, ``facilities`` (counts per ``type.decision``), ``agreements``
    (the pairs, by name), ``unserved_demand`` [capacity unit], ``error``.
    """
    before = _finite(result.cost_before)
    saving = _finite(result.saving)
    return {
        "scenario": result.name,
        "outcome": outcome,
        "folder": result.folder,
        "solve_status": result.status,
        "gap": _finite(result.gap),
        "objective": _finite(result.objective),
        "cost_before": before,
        "cost_after": _finite(result.cost_after),
        "saving": saving,
        "saving_pct": saving / before * 100 if before and saving is not None else None,
        "facilities": dict(result.counts),
        "agreements": list(result.agreements),
        "unserved_demand": _finite(result.unserved_demand),
        "error": result.error,
    }


def solve_record(
    result: RunResult, outcome: str, scenario: str = "base", lang: str = "ja"
) -> dict[str, Any]:
    """The record of ``solve``: the plan's figures at the top level, its input warnings."""
    record = plan_record(summarise(scenario, result), outcome)
    record["warnings"] = [w.message(lang) for w in result.warnings]
    record["logged_warnings"] = [w.message("en") for w in result.warnings]
    return {"status": outcome, **record}


def issue_record(issue: Issue, lang: str = "ja") -> dict[str, Any]:
    """One problem of an input: where, what was found and expected, and the message."""
    return {
        "severity": issue.severity,
        "code": issue.code,
        "sheet": issue.sheet,
        "row": issue.row,
        "column": issue.column,
        "value": None if issue.value is None else str(issue.value),
        "expected": issue.expected,
        "message": issue.message(lang),
    }


def input_record(problem: ProblemData, warnings: Iterable[Issue], lang: str = "ja") -> dict:
    """The record of ``validate``: the input's path and sha256 and what it holds."""
    facilities = problem.facilities
    candidate = facilities["is_candidate"].astype(bool)
    return {
        "status": "ok",
        "input": str(problem.source.get("path", "")),
        "sha256": problem.source.get("sha256"),
        "municipalities": len(problem.municipalities),
        "facility_types": list(problem.types),
        "facilities": int((~candidate).sum()),
        "candidates": int(candidate.sum()),
        "zones": len(problem.zones),
        "demand_points": len(problem.points),
        "population": _finite(float(problem.municipalities["population"].sum())),
        "scenarios": sorted({str(s) for s in problem.scenarios.get("scenario", [])}),
        "warnings": [w.message(lang) for w in warnings],
    }


def job_record(report: JobReport) -> dict[str, Any]:
    """The record of ``run-job``: its worst outcome, the output folder, each scenario."""
    message = report.message
    if message is None and report.outcome != "ok":
        message = "; ".join(
            f"{s.summary.name}: {s.summary.error or s.outcome}"
            for s in report.scenarios
            if s.outcome != "ok"
        )
    return {
        "status": report.outcome,
        "exit_code": report.exit_code,
        "message": message,
        "folder": str(report.output) if report.output else None,
        "scenarios": [plan_record(s.summary, s.outcome) for s in report.scenarios],
    }


def command_record(
    command: str,
    record: Mapping[str, Any],
    logged: Mapping[str, list[str]],
    exit_code: int | None = None,
) -> dict[str, Any]:
    """The object a command prints: ``command``, ``status``, ``exit_code``,
    ``message``, ``issues``, ``warnings``, ``errors`` first, then the command's fields.

    ``logged`` holds the ``warning`` and ``error`` messages logged during the command;
    a warning the record already states (``logged_warnings``: the English text the log
    carries) is not repeated.
    """
    body = dict(record)
    status = str(body.pop("status", "ok"))
    stated = set(body.pop("logged_warnings", ()))
    warnings = list(body.pop("warnings", ()))
    warnings += [m for m in logged.get("warning", []) if m not in stated and m not in warnings]
    errors = list(body.pop("errors", ())) + list(logged.get("error", []))
    code = body.pop("exit_code", None)
    if exit_code is not None:
        code = exit_code
    if code is None:
        code = EXIT_CODES.get(status, 130 if status == "interrupted" else 1)
    return {
        "command": command,
        "status": status,
        "exit_code": int(code),
        "message": body.pop("message", None),
        "issues": list(body.pop("issues", ())),
        "warnings": warnings,
        "errors": errors,
        **body,
    }


def failure(
    exc: BaseException, lang: str = "ja", debug: bool = False
) -> tuple[str, str, list[dict]]:
    """``(outcome, message, issues)`` of an error that stopped a command: the outcome a
    key of ``EXIT_CODES`` (``interrupted`` for Ctrl-C, exit code 130), the message as
    the command line prints it (a headline, then what and where; a defect of ours in
    one line, never a traceback), and for a bad input every problem (:func:`issue_record`).
    With ``debug`` a defect of ours is raised again, with its traceback.
    """
    if isinstance(exc, InputError):
        issues = [issue_record(issue, lang) for issue in exc.issues]
        return "bad_input", format_issues(exc.issues, lang), issues
    if isinstance(exc, OptimizerError):
        outcome = outcome_of(exc)
        return outcome, f"{headline(outcome, lang)}: {exc.text(lang)}", []
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", "中断しました" if lang == "ja" else "interrupted", []
    if debug:
        raise exc
    log.debug("internal error", exc_info=exc)
    hint = (
        "（詳細は環境変数 OPTIMIZER_DEBUG=1 を付けて再実行）"
        if lang == "ja"
        else " (run again with OPTIMIZER_DEBUG=1 for the details)"
    )
    return "failure", f"{headline('failure', lang)}: {type(exc).__name__}: {exc}{hint}", []


def outcome_note(outcome: str, lang: str = "ja") -> str:
    """Why a solved plan ends with a non-zero exit code (``infeasible``, ``not_optimal``)."""
    notes = {
        "infeasible": (
            "一部の需要は条件の下で充足できません（上の「充足できない需要」を参照）",
            "some demand cannot be served under the rules (see the unserved demand above)",
        ),
        "not_optimal": (
            "時間制限などで求解が途中で止まりました。--time-limit を延ばしてください",
            "the solver stopped at a limit before proving the plan optimal; "
            "try a longer --time-limit",
        ),
    }
    ja, en = notes[outcome]
    return ja if lang == "ja" else en


class LogCollector(logging.Handler):
    """The warnings and errors logged while it is attached (``messages["warning"]``,
    ``messages["error"]``), for a command's JSON record."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: dict[str, list[str]] = {"warning": [], "error": []}

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record's message under its level."""
        kind = "error" if record.levelno >= logging.ERROR else "warning"
        self.messages[kind].append(record.getMessage())


def json_line(record: Mapping[str, Any]) -> str:
    """A record as one line of JSON: plain types (NaN as ``null``), ASCII only, so that
    any console or pipe takes it whatever its encoding."""
    return json.dumps(json_safe(record), ensure_ascii=True, allow_nan=False)
