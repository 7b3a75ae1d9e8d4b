"""Scheduled runs: ``optimizer run-job JOB.toml``, safe for cron or a systemd timer.

A job file names the inputs, the scenarios, the output root, solver limits and how many
past runs to keep (paths are relative to the job file)::

    input = "../inputs/sample.xlsx"
    output = "../reports/council"
    scenarios = ["base"]            # optional, default ["base"]
    scenario_file = "scenarios.toml" # optional
    keep = 12                       # past run folders to keep; 0 keeps all
    lock_wait_s = 0                 # wait this long for a running job, then give up
    language = "ja"                 # of job.log and the messages; default OPTIMIZER_LANG, else ja
    shapley = "auto"                # auto / exact / sampled / off
    documents = true                # write the agreements
    processes = 2                   # optional; default: all cores
    boundaries = "n03-tokyo.geojson" # optional; municipal boundaries for the map

    [solver]
    name = "highs"
    time_limit_s = 600
    mip_gap = 0.001
    threads = 2

    [set]                           # overrides, as with --set
    "parameters.discount_rate" = 0.02

A run takes an exclusive lock on the output root (a second concurrent run waits up to
``lock_wait_s`` and then exits with the ``locked`` code), appends to ``job.log`` there
(one line a record, control characters escaped; a symbolic link as the output folder,
``job.log`` or ``.lock`` is refused with the ``output`` code, never followed),
writes each scenario's run folder file by file atomically (a folder counts as a
completed run only once its ``manifest.json``, written last, is there: a killed run
leaves an incomplete folder that is never pruned nor read as the previous run, and
never a half-written file under a final name), compares the input's sha256 with the
previous run's manifest (a changed input is named in the report and the log), prunes
old run folders only after a successful run, and returns one exit code for the worst
outcome (:data:`SEVERITY`): internal failure > output > check failed > bad input >
infeasible > not optimal > ok (see :data:`optimizer.config.EXIT_CODES`).
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.config import EXIT_CODES, RunSettings
from optimizer.errors import (
    InputError,
    LockedError,
    OptimizerError,
    OutputError,
    ScenarioError,
    headline,
    outcome_of,
)
from optimizer.outputs.job_folder import (
    incomplete_run_folders,
    job_log,
    output_lock,
    previous_input_sha256,
    prune,
)
from optimizer.problem.names import municipality_label, type_name
from optimizer.results.outcome import Status
from optimizer.results.solution import plan_outcome
from optimizer.runs.compare import ScenarioResult, summarise
from optimizer.runs.pipeline import RunResult, run
from optimizer.texts import Text
from optimizer.workbook.messages import format_issues

__all__ = [
    "Job",
    "JobReport",
    "JobScenario",
    "read_job",
    "run_job",
    "run_job_report",
    "job_settings",
]

log = logging.getLogger(__name__)

JOB_KEYS = {
    "input",
    "output",
    "scenarios",
    "scenario_file",
    "keep",
    "lock_wait_s",
    "language",
    "solver",
    "set",
    "shapley",
    "documents",
    "processes",
    "boundaries",
}
SHAPLEY_CHOICES = ("auto", "exact", "sampled", "off")
SOLVER_KEYS = {"name", "time_limit_s", "mip_gap", "threads"}


@dataclass(frozen=True)
class Job:
    """A scheduled job, read from its TOML file (paths already resolved)."""

    input: Path
    output: Path
    scenarios: tuple[str, ...] = ("base",)
    scenario_file: Path | None = None
    keep: int = 0
    lock_wait_s: float = 0.0
    language: str = "ja"
    solver: dict = field(default_factory=dict)
    overrides: tuple[str, ...] = ()
    shapley: str = "auto"
    documents: bool = True
    processes: int | None = None
    boundaries: Path | None = None


def read_job(path: Path, language: str = "ja") -> Job:
    """Read and check a job file; every problem is a :class:`ScenarioError` naming it.

    ``language`` is the job's language when the file does not name one (the command
    line passes ``OPTIMIZER_LANG``)."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"cannot read the job file {path}: {exc}") from exc
    unknown = sorted(set(document) - JOB_KEYS)
    if unknown:
        raise ScenarioError(
            f"{path}: unknown key(s) {', '.join(unknown)}; "
            f"expected some of {', '.join(sorted(JOB_KEYS))}"
        )
    for key in ("input", "output"):
        if not isinstance(document.get(key), str):
            raise ScenarioError(f"{path}: '{key}' (a path) is required")
    boundaries = document.get("boundaries")
    if boundaries is not None and not isinstance(boundaries, str):
        raise ScenarioError(f"{path}: 'boundaries' must be a path, got {boundaries!r}")
    solver = document.get("solver", {})
    if not isinstance(solver, dict) or set(solver) - SOLVER_KEYS:
        raise ScenarioError(f"{path}: [solver] takes {', '.join(sorted(SOLVER_KEYS))}")
    here = path.resolve().parent
    scenarios = document.get("scenarios", ["base"])
    if not isinstance(scenarios, list) or not all(isinstance(s, str) for s in scenarios):
        raise ScenarioError(f"{path}: 'scenarios' must be a list of names")
    keep = document.get("keep", 0)
    if not isinstance(keep, int) or keep < 0:
        raise ScenarioError(f"{path}: 'keep' must be a whole number ≥ 0, got {keep!r}")
    shapley = document.get("shapley", "auto")
    if shapley not in SHAPLEY_CHOICES:
        raise ScenarioError(
            f"{path}: 'shapley' must be one of {', '.join(SHAPLEY_CHOICES)}, got {shapley!r}"
        )
    processes = document.get("processes")
    if processes is not None and (not isinstance(processes, int) or processes < 1):
        raise ScenarioError(f"{path}: 'processes' must be a whole number ≥ 1, got {processes!r}")
    documents = document.get("documents", True)
    if not isinstance(documents, bool):
        raise ScenarioError(f"{path}: 'documents' must be true or false, got {documents!r}")
    language = document.get("language", language)
    if language not in ("ja", "en"):
        raise ScenarioError(f"{path}: 'language' must be ja or en, got {language!r}")
    return Job(
        input=here / document["input"],
        output=here / document["output"],
        scenarios=tuple(scenarios) or ("base",),
        scenario_file=here / document["scenario_file"] if document.get("scenario_file") else None,
        keep=keep,
        lock_wait_s=float(document.get("lock_wait_s", 0)),
        language=language,
        solver=dict(solver),
        overrides=tuple(f"{k}={v}" for k, v in document.get("set", {}).items()),
        shapley=shapley,
        documents=documents,
        processes=processes,
        boundaries=here / boundaries if boundaries else None,
    )


OUTCOME_WORDS = {
    "bad_input": Text("bad scenario", "シナリオの誤り"),
    "infeasible": Text("infeasible", "実行不能"),
    "not_optimal": Text("not proven optimal within the limits", "制限内で最適性を証明できず"),
    "check_failed": Text("check failed", "検算で不合格"),
    "output": Text("cannot write the outputs", "出力を書き込めません"),
    "failure": Text("failed", "失敗"),
}
"""How ``job.log`` names the outcome of an error (``InputError`` lists its problems)."""


def _outcome_code(result: RunResult) -> str:
    """The plan's outcome (:func:`optimizer.results.solution.plan_outcome`; a scheduled
    job always asks for a proven optimum); unserved demand and its reasons are logged."""
    solution, problem = result.solution, result.problem
    for row in solution.unserved.itertuples():
        code, kind = str(row.municipality), str(row.type)
        log.error(
            "unserved: %s %s, %.6g units: %s",
            Text(code, municipality_label(problem, code, "ja")),
            Text(kind, type_name(problem, kind)),
            row.demand,
            row.reason,
        )
    status = solution.outcome.status
    if status is not Status.OPTIMAL:
        log.warning(
            "not proven optimal within the limits: %s, gap %.3g",
            Text(status.value, status.text("ja")),
            solution.outcome.gap,
        )
    return plan_outcome(solution, fail_when_not_optimal=True)


SEVERITY = ["ok", "not_optimal", "infeasible", "bad_input", "check_failed", "output", "failure"]
"""Outcomes from the mildest to the worst; a job exits with its worst scenario's code."""


def job_settings(job: Job, scenario: str) -> RunSettings:
    """The run settings of one scenario of a job."""
    return RunSettings(
        output_root=job.output,
        scenario=scenario,
        language=job.language,
        solver=job.solver.get("name"),
        time_limit_s=job.solver.get("time_limit_s"),
        mip_gap=job.solver.get("mip_gap"),
        threads=job.solver.get("threads"),
        processes=job.processes,
        shapley=job.shapley,
        documents=job.documents,
        scenario_file=job.scenario_file,
        overrides=job.overrides,
        previous_sha256=previous_input_sha256(job.output, scenario),
    )


@dataclass(frozen=True)
class JobScenario:
    """One scenario of a job: its outcome (a key of ``EXIT_CODES``) and its figures
    (:class:`optimizer.runs.compare.ScenarioResult`, with ``error`` set when it failed)."""

    outcome: str
    summary: ScenarioResult


@dataclass(frozen=True)
class JobReport:
    """What a job did: its exit code and worst outcome, the output folder, each
    scenario's outcome and figures, and the error that stopped the job, if any."""

    exit_code: int
    outcome: str
    output: Path | None = None
    scenarios: tuple[JobScenario, ...] = ()
    message: str | None = None


def run_scenario_of_job(job: Job, scenario: str) -> str:
    """Run one scenario of a job; returns its outcome (a key of ``EXIT_CODES``).

    Nothing escapes: every error is logged (an unexpected one with its traceback) and
    turned into an outcome.
    """
    return _run_scenario(job, scenario).outcome


def _run_scenario(job: Job, scenario: str) -> JobScenario:
    """:func:`run_scenario_of_job`, with the scenario's figures."""
    try:
        settings = job_settings(job, scenario)
        result = run(job.input, settings, boundaries=job.boundaries)
        sha = result.problem.source.get("sha256")
        if settings.previous_sha256 and settings.previous_sha256 != sha:
            log.warning(
                "input changed since the previous run: %s (sha256 %s, was %s)",
                job.input.name,
                sha,
                settings.previous_sha256,
            )
        outcome = _outcome_code(result)
        log.info("scenario %s: %s, folder %s", scenario, _said(outcome), result.folder)
        return JobScenario(outcome, summarise(scenario, result))
    except InputError as exc:
        # one record a line: job.log escapes line breaks within a record
        lines = format_issues(exc.issues, job.language).splitlines()
        for n, line in enumerate(lines):
            log.error("bad input: %s" if n == 0 else "  %s", line.strip())
        return _failed(scenario, "bad_input", "\n".join(line.strip() for line in lines))
    except OptimizerError as exc:
        outcome = outcome_of(exc)
        log.error("%s: %s", OUTCOME_WORDS[outcome], exc)
        return _failed(scenario, outcome, str(exc))
    except Exception as exc:  # an internal error: logged with its traceback, never re-raised
        log.exception("internal error in scenario %s", scenario)
        return _failed(scenario, "failure", f"internal error: {type(exc).__name__}: {exc}")


def _said(outcome: str) -> Text:
    """An outcome as ``job.log`` names it: its key in English, its headline in Japanese."""
    return Text(outcome, "正常" if outcome == "ok" else headline(outcome, "ja"))


def _failed(scenario: str, outcome: str, message: str) -> JobScenario:
    return JobScenario(outcome, ScenarioResult(name=scenario, status="error", error=message))


def run_job(job_path: Path, language: str = "ja") -> int:
    """Run a job file; returns the exit code of the worst outcome among its scenarios.

    Messages go to the ``optimizer`` logger (and to ``job.log`` in the output folder
    once the lock is held), in the job's ``language`` (``language`` when the job file
    names none).
    """
    return run_job_report(job_path, language).exit_code


def run_job_report(job_path: Path, language: str = "ja") -> JobReport:
    """Run a job file (:func:`run_job`); returns what it did (:class:`JobReport`).

    ``language``: the job's language (of ``job.log`` and the messages) when the job
    file does not name one."""
    try:
        job = read_job(job_path, language)
    except ScenarioError as exc:
        log.error("%s", exc)
        return JobReport(EXIT_CODES["bad_input"], "bad_input", message=exc.text(language))
    lang = job.language
    try:
        with output_lock(job.output, job.lock_wait_s), job_log(job.output, lang):
            log.info("job %s started (input %s)", Path(job_path).name, job.input)
            for folder in incomplete_run_folders(job.output):
                log.warning("incomplete run folder (an interrupted run): %s", folder.name)
            done = tuple(_run_scenario(job, scenario) for scenario in job.scenarios)
            worst = max((s.outcome for s in done), key=SEVERITY.index)
            if worst in ("ok", "not_optimal"):
                prune(job.output, job.keep)
            log.info("job done: %s (exit code %d)", _said(worst), EXIT_CODES[worst])
            return JobReport(EXIT_CODES[worst], worst, job.output, done)
    except (LockedError, OutputError) as exc:
        outcome = outcome_of(exc)
        message = f"{headline(outcome, lang)}: {exc.text(lang)}"
        log.error("%s", message)
        return JobReport(EXIT_CODES[outcome], outcome, job.output, message=message)
    except OSError as exc:
        message = (
            f"出力先 {job.output} を使用できません（{exc}）"
            if lang == "ja"
            else f"cannot use the output folder {job.output}: {exc}"
        )
        log.error("%s", message)
        return JobReport(EXIT_CODES["output"], "output", job.output, message=message)
