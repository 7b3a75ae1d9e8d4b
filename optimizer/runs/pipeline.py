"""run(): the stages in order, with timings and provenance.

This module only sequences the stages of the data flow (docs/model.md); each stage is a
plain function of its own module::

    load_problem ─▶ solve_problem (stand-alone, build, solve, interpret, check)
      ─▶ allocate ─▶ agreement_terms ─▶ write_agreements, draw_map, write_report,
      solution.json, plan.geojson, manifest.json, run.log

A run that stops after its folder was made leaves no half-written file (every write is
atomic); the folder is removed when it holds nothing but its log, and otherwise named in
the error's message (it has no ``manifest.json``, so it is not a completed run).
"""

from __future__ import annotations

import functools
import logging
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

from optimizer.config import RunSettings, default_processes
from optimizer.errors import OptimizerError
from optimizer.outputs import files as outputs
from optimizer.outputs.boundaries import Boundaries, read_boundaries
from optimizer.outputs.documents import Templates, document_languages, write_agreements
from optimizer.outputs.geojson import GEOJSON_NAME, write_plan_geojson
from optimizer.outputs.maps import draw_map
from optimizer.outputs.renewal_chart import draw_renewal_chart
from optimizer.outputs.report import write_report
from optimizer.outputs.tables import write_alternatives
from optimizer.problem.data import ProblemData
from optimizer.results.outlays import plan_openings, yearly_outlays
from optimizer.results.ranking import Alternative
from optimizer.results.solution import Solution, solution_to_dict
from optimizer.runs.sensitivity import sensitivity
from optimizer.sharing.allocation import Allocation, allocate
from optimizer.sharing.terms import AgreementTerms, agreement_terms, area_summary
from optimizer.solving.alternatives import find_alternatives
from optimizer.solving.settings import SolverSettings
from optimizer.solving.solve import solve_problem
from optimizer.solving.standalone import coalition_cost
from optimizer.texts import Text
from optimizer.workbook.assemble import load_problem
from optimizer.workbook.messages import Issue
from optimizer.workbook.scenarios import (
    Override,
    apply_overrides,
    parse_assignment,
    read_toml_scenarios,
    scenario_overrides,
)

__all__ = [
    "RunResult",
    "run",
    "load",
    "prepare",
    "scenario_overrides_for",
    "solve",
    "versions",
    "solver_settings_for",
]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

STAGES_JA = {
    "read": "入力の読み込み",
    "solve": "求解",
    "alternatives": "代替案",
    "sensitivity": "感度分析",
    "allocate": "費用の按分",
    "terms": "協約の条件",
    "documents": "協約書などの文書",
    "map": "地図",
    "report": "報告書",
}
"""The stages' names in the Japanese progress lines and log (the timings keep ``name``)."""


@dataclass
class RunResult:
    """What a run produced: the stages' results, the output files and the timings [s]."""

    problem: ProblemData
    warnings: list[Issue]
    solution: Solution
    allocation: Allocation | None = None
    terms: list[AgreementTerms] = field(default_factory=list)
    ranking: list[Alternative] = field(default_factory=list)
    folder: Path | None = None
    outputs: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, progress: Progress | None = None) -> Iterator[None]:
        said = Text(name, STAGES_JA.get(name, name))
        if progress:
            progress(said)
        log.info("stage %s", said)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - start, 3)


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape the results."""
    found = {"python": platform.python_version()}
    for name in (
        "facility-sharing-optimizer",
        "pulp",
        "highspy",
        "pandas",
        "numpy",
        "openpyxl",
        "xlsxwriter",
        "matplotlib",
        "python-docx",
        "docxtpl",
    ):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def solver_settings_for(problem: ProblemData, settings: RunSettings) -> SolverSettings:
    """The solver settings: the workbook's parameters, overridden by the run settings."""

    base = SolverSettings.from_parameters(problem.parameters)
    changes: dict[str, object] = {
        "solver": settings.solver,
        "time_limit_s": settings.time_limit_s,
        "mip_gap": settings.mip_gap,
        "threads": settings.threads,
    }
    return base.replace(**{k: v for k, v in changes.items() if v is not None})


def load(workbook: Path) -> tuple[ProblemData, list[Issue]]:
    """Read and validate the input (raises InputError listing every problem)."""

    return load_problem(workbook)


def scenario_overrides_for(problem: ProblemData, settings: RunSettings) -> list[Override]:
    """The overrides of the run, in precedence order (a later one wins).

    The named scenario (from ``settings.scenario_file`` if it defines it, else from the
    workbook's ``scenarios`` sheet; ``base`` means none), then the command line's
    ``--set key=value`` overrides.
    """

    overrides: list[Override] = []
    if settings.scenario != "base":
        from_file = read_toml_scenarios(settings.scenario_file) if settings.scenario_file else {}
        if settings.scenario in from_file:
            overrides += from_file[settings.scenario]
        else:
            overrides += scenario_overrides(problem, settings.scenario)
    overrides += [parse_assignment(text) for text in settings.overrides]
    return overrides


def prepare(workbook: Path, settings: RunSettings) -> tuple[ProblemData, list[Issue]]:
    """Load the workbook and apply the scenario's and the command line's overrides."""

    problem, warnings = load(Path(workbook))
    return apply_overrides(problem, scenario_overrides_for(problem, settings)), warnings


def solve(
    problem: ProblemData,
    settings: RunSettings,
    progress: Progress | None = None,
    compare: bool = False,
) -> Solution:
    """Stand-alone solves, the joint plan, and its independent check (and, with
    ``compare``, the renewal baseline of the three-way comparison)."""

    return solve_problem(
        problem,
        solver_settings_for(problem, settings),
        processes=settings.processes or default_processes(),
        progress=progress,
        compare=compare,
    )


def run(
    workbook: Path,
    settings: RunSettings | None = None,
    progress: Progress | None = None,
    *,
    boundaries: Path | None = None,
) -> RunResult:
    """Run every stage on one workbook and write the run folder.

    Parameters
    ----------
    workbook
        The input workbook (.xlsx) or a folder of CSV tables.
    settings
        What to run and where to write; defaults to :class:`RunSettings`.
    progress
        Called with a short message as each stage starts (``None``: silent).
    boundaries
        A GeoJSON file of municipal boundaries for the map
        (:mod:`optimizer.outputs.boundaries`), read and checked before solving;
        ``None``: the map outlines each municipality's zones.
    """

    settings = settings or RunSettings()
    timer = _Timer()
    with timer.stage("read", progress):
        problem, warnings = prepare(Path(workbook), settings)
        if settings.write_outputs and settings.documents:  # refuse bad ones before solving
            languages = document_languages(problem.parameters.document_languages)
            Templates(settings.document_templates).check(languages)
        areas = read_boundaries(boundaries) if boundaries and settings.write_outputs else None
    if not settings.write_outputs:
        with timer.stage("solve", progress):
            solution = solve(problem, settings, progress)
        return RunResult(problem, warnings, solution, timings=dict(timer.timings))
    folder = outputs.new_run_folder(settings.output_root, settings.scenario)
    try:
        with outputs.run_log(folder, language=language_of(problem, settings)):
            try:
                return _write_run(
                    workbook, settings, problem, warnings, folder, timer, progress, areas
                )
            except BaseException as exc:
                log.info("run stopped: %s: %s", type(exc).__name__, exc)
                raise
    except BaseException as exc:
        _stopped(folder, exc)
        raise


def _write_run(
    workbook: Path,
    settings: RunSettings,
    problem: ProblemData,
    warnings: list[Issue],
    folder: Path,
    timer: _Timer,
    progress: Progress | None,
    boundaries: Boundaries | None = None,
) -> RunResult:
    """The stages after reading, each writing into ``folder``; the manifest last."""
    log.info("input %s (sha256 %s)", workbook, problem.source.get("sha256"))
    if boundaries is not None:
        log.info("boundaries %s (sha256 %s)", boundaries.source, boundaries.sha256)
    for issue in warnings:
        log.warning("%s", Text(issue.message("en"), issue.message("ja")))
    with timer.stage("solve", progress):
        solution = solve(problem, settings, progress, compare=True)
    result = RunResult(problem, warnings, solution, folder=folder)
    if settings.alternatives > 0:
        with timer.stage("alternatives", progress):
            result.ranking = _alternatives(problem, result.solution, settings, progress)
            result.outputs.update(write_alternatives(folder, result.ranking))
    table = None
    if settings.sensitivity:
        with timer.stage("sensitivity", progress):
            table = sensitivity(
                problem,
                solver_settings_for(problem, settings),
                result.solution,
                progress=progress,
                processes=settings.processes or default_processes(),
            )
    with timer.stage("allocate", progress):
        result.allocation = allocate(
            problem,
            result.solution,
            shapley=settings.shapley,
            processes=settings.processes or default_processes(),
            progress=progress,
            coalition_cost=functools.partial(
                coalition_cost, problem, settings=solver_settings_for(problem, settings)
            ),
        )
    with timer.stage("terms", progress):
        result.terms = agreement_terms(problem, result.solution, result.allocation)
        summary = area_summary(problem, result.allocation, result.terms, result.solution)
    if settings.documents:
        with timer.stage("documents", progress):
            written = write_agreements(
                result.terms,
                folder / "agreements",
                languages=document_languages(problem.parameters.document_languages),
                summary=summary,
                templates=settings.document_templates,
            )
            for path in written:
                result.outputs[f"agreements/{path.name}"] = path
    with timer.stage("map", progress):
        result.outputs["map.png"] = draw_map(
            folder / "map.png", problem, result.solution, boundaries=boundaries
        )
        outlays = yearly_outlays(problem, plan_openings(problem, result.solution))
        if outlays.to_numpy().sum() > 0:  # without floor areas there is nothing to draw
            result.outputs["renewal.png"] = draw_renewal_chart(
                folder / "renewal.png", problem, outlays
            )
    run_info = _run_info(workbook, problem, settings)
    with timer.stage("report", progress):
        result.outputs["report.xlsx"] = write_report(
            folder / "report.xlsx",
            problem,
            result.solution,
            result.allocation,
            run_info=run_info,
            map_png=result.outputs["map.png"],
            alternatives=result.ranking,
            sensitivity=table,
        )
    result.outputs["solution.json"] = outputs.write_json(
        folder / "solution.json", solution_to_dict(result.solution)
    )
    result.outputs[GEOJSON_NAME] = write_plan_geojson(
        folder / GEOJSON_NAME, problem, result.solution
    )
    result.timings = dict(timer.timings)
    outputs.write_manifest(folder, _manifest(run_info, result, settings))
    return result


def language_of(problem: ProblemData, settings: RunSettings) -> str:
    """The language of the run's log: the run settings', else the workbook's parameter."""
    return "en" if (settings.language or problem.parameters.language) == "en" else "ja"


def _stopped(folder: Path, error: BaseException) -> None:
    """A run stopped after its folder was made: remove the folder if it holds nothing
    but its log, else name it (it has no manifest, so it is not a completed run).

    Our errors get the folder appended to their message in both languages; any other
    error is named in the log (and so on standard error) with the folder.
    """
    if (folder / outputs.MANIFEST_NAME).is_file():
        return  # complete; only the log could not be finished
    if outputs.remove_unfinished_run_folder(folder):
        log.debug("removed the empty run folder %s", folder)
        return
    en = f" (the run stopped: its folder {folder} is incomplete, without manifest.json)"
    ja = f"（実行は途中で止まりました。実行フォルダ {folder} は未完了です（manifest.json なし））"
    if isinstance(error, OptimizerError):
        english = str(error)
        error.ja = f"{error.ja or english}{ja}"
        error.args = (f"{english}{en}", *error.args[1:])
    else:  # a defect of ours, or an interruption
        log.error("the run stopped: its folder %s is incomplete, without manifest.json", folder)
        error.add_note(f"incomplete run folder: {folder}")


def _alternatives(
    problem: ProblemData, best: Solution, settings: RunSettings, progress: Progress | None
) -> list[Alternative]:
    """The best plan and up to ``settings.alternatives`` next-best distinct plans."""

    ranking = find_alternatives(
        problem, best, settings.alternatives, solver_settings_for(problem, settings), progress
    )
    if len(ranking) <= settings.alternatives:
        log.warning("only %d distinct alternative(s) exist", len(ranking) - 1)
    return ranking


def _run_info(workbook: Path, problem: ProblemData, settings: RunSettings) -> dict:
    """What the report states about the run: only what the inputs and settings fix,
    so that the same inputs and settings give the same report."""
    return {
        "scenario": settings.scenario,
        "overrides": list(problem.source.get("overrides", [])),
        # Named only when it differs, so that re-running unchanged inputs gives the
        # same report from the first run on.
        **_changed_input(settings.previous_sha256, problem.source.get("sha256")),
        "input_name": Path(workbook).name,
        "input_sha256": problem.source.get("sha256", ""),
        "report_date": report_date(Path(workbook)),
        "versions": versions(),
        "settings": {
            "solver": settings.solver,
            "time_limit_s": settings.time_limit_s,
            "mip_gap": settings.mip_gap,
            "threads": settings.threads,
            "shapley": settings.shapley,
        },
    }


def report_date(workbook: Path) -> str:
    """The date a report states, the same on every rerun of the same input: the day of
    ``SOURCE_DATE_EPOCH`` when it is set (a scheduled job pins it), else the day the
    input was last changed (its modification time), as ``YYYY-MM-DD``."""
    pinned = outputs.source_date_epoch()
    if pinned is not None:
        return pinned.date().isoformat()
    try:
        return datetime.fromtimestamp(workbook.stat().st_mtime).date().isoformat()
    except OSError:
        return ""


def _changed_input(previous: str | None, current: str | None) -> dict:
    if not previous or previous == current:
        return {}
    return {"input_changed": True, "previous_input_sha256": previous}


def _manifest(run_info: dict, result: RunResult, settings: RunSettings) -> dict:
    outcome = result.solution.outcome
    current = result.problem.source.get("sha256")
    return {
        **run_info,
        "input_changed": bool(settings.previous_sha256) and settings.previous_sha256 != current,
        "previous_input_sha256": settings.previous_sha256,
        "input_path": str(result.problem.source.get("path", "")),
        "timings_s": result.timings,
        "status": outcome.status.value,
        "objective": outcome.objective,
        "bound": outcome.bound,
        "gap": outcome.gap,
        "solver": outcome.solver,
        "solver_seconds": outcome.seconds,
        "build_seconds": outcome.build_seconds,
        "warnings": [w.message("en") for w in result.warnings],
    }
