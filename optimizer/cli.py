"""The command line: thin commands over the library.

One place (:func:`_handle_errors`) turns the exception tree of :mod:`optimizer.errors`
into messages and exit codes (:data:`optimizer.config.EXIT_CODES`); no command shows a
traceback for anything the user can fix.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from optimizer import __version__
from optimizer.config import EXIT_CODES, RunSettings
from optimizer.errors import OptimizerError, OutputError, headline, outcome_of
from optimizer.outputs import files as outputs
from optimizer.outputs.boundaries import read_boundaries
from optimizer.outputs.files import LogFormatter
from optimizer.outputs.summary import input_summary, plan_summary
from optimizer.outputs.tables import write_comparison, write_tables
from optimizer.outputs.workbooks import write_template
from optimizer.results.ranking import alternatives_table
from optimizer.results.solution import plan_outcome
from optimizer.runs.compare import comparison_tables, executor_for, run_many
from optimizer.runs.jobs import run_job_report
from optimizer.runs.pipeline import load, run
from optimizer.runs.records import (
    LogCollector,
    command_record,
    failure,
    input_record,
    job_record,
    json_line,
    outcome_note,
    plan_record,
    solve_record,
)
from optimizer.runs.sweep import grid_points, parse_axis, random_points, sweep_settings, sweep_table
from optimizer.sources.sample import sample_workbook
from optimizer.workbook.assemble import load_problem
from optimizer.workbook.messages import format_issues
from optimizer.workbook.scenarios import read_toml_scenarios, scenario_names

__all__ = ["main", "cli"]

log = logging.getLogger("optimizer")

DEBUG = "OPTIMIZER_DEBUG"
"""The environment variable that shows a defect's traceback instead of one line."""

F = TypeVar("F", bound=Callable[..., Any])
"""A click command function, decorated with shared options."""


def default_sample() -> Path:
    """The embedded sample workbook: the clone's ``inputs/sample.xlsx``, else the wheel's copy."""
    return sample_workbook()


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


def _exit_code(error: OptimizerError) -> int:
    return EXIT_CODES[outcome_of(error)]


def _handle_errors(lang_of: Callable[[dict[str, Any]], str]) -> Callable[[F], F]:
    """Run a command; turn our errors into a message and an exit code (with ``--json``,
    into the JSON object of :func:`_as_json` as well)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            lang = lang_of(kwargs)
            if kwargs.get("as_json"):
                _as_json(func, args, kwargs, lang)
            try:
                return func(*args, **kwargs)
            except (KeyboardInterrupt, Exception) as exc:
                outcome, message, _ = failure(exc, lang, debug=bool(os.environ.get(DEBUG)))
                _echo_err(message)
                sys.exit(EXIT_CODES.get(outcome, 130))

        return wrapper  # type: ignore[return-value]

    return decorate


def _as_json(func: Callable[..., Any], args: Any, kwargs: dict[str, Any], lang: str) -> NoReturn:
    """Run a command that returns its record (:mod:`optimizer.runs.records`), print it
    as JSON, errors included, and exit with its code."""
    collector = LogCollector()
    logger = logging.getLogger("optimizer")
    logger.addHandler(collector)
    try:
        record = func(*args, **kwargs)
    except (KeyboardInterrupt, Exception) as exc:
        outcome, message, issues = failure(exc, lang, debug=bool(os.environ.get(DEBUG)))
        _echo_err(message)
        record = {"status": outcome, "message": message, "issues": issues}
    finally:
        logger.removeHandler(collector)
    name = click.get_current_context().info_name or func.__name__
    printed = command_record(name, record, collector.messages)
    click.echo(json_line(printed))
    sys.exit(printed["exit_code"])


class _JsonCommand(click.Command):
    """A command whose usage errors are a JSON object too when ``--json`` is given."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        wants_json = "--json" in args  # before parsing, which consumes ``args``
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if not wants_json:
                raise
            exc.show()
            record = {"status": "usage", "message": exc.format_message()}
            click.echo(json_line(command_record(ctx.info_name or "", record, {}, exc.exit_code)))
            ctx.exit(exc.exit_code)


def _lang(kwargs: dict[str, Any]) -> str:
    return kwargs.get("lang") or "ja"


lang_option = click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default="ja",
    show_default=True,
    help="Language of messages (日本語 / English).",
)
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress messages.")
json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object on standard output (status, exit code, run folder, "
    "figures, warnings; errors too) and nothing else; messages go to standard error.",
)
boundaries_option = click.option(
    "--boundaries",
    type=click.Path(dir_okay=False, path_type=Path),
    help="GeoJSON file of municipal boundaries for map.png (国土数値情報 N03 as is, or "
    "polygons with a property 'code'); without it the map outlines each municipality's zones.",
)


def scenario_options(func: F) -> F:
    """--scenarios FILE and --set key=value, shared by the commands that solve."""
    func = click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="Override an input, e.g. parameters.discount_rate=0.02 (repeatable; wins over "
        "the scenario and the workbook).",
    )(func)
    return click.option(
        "--scenarios",
        "scenario_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="TOML file of named scenarios (searched before the workbook's scenarios sheet).",
    )(func)


def _solver_settings(
    solver: str | None, time_limit: float | None, gap: float | None, threads: int | None
) -> dict[str, Any]:
    return {"solver": solver, "time_limit_s": time_limit, "mip_gap": gap, "threads": threads}


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """Refuse ``nan`` and ``inf``, which a float range lets through."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number")
    return value


def solver_options(func: F) -> F:
    """--solver, --time-limit, --gap and --threads, shared by the commands that solve."""
    for option in reversed(
        [
            click.option("--solver", help="Solver: highs (default), cbc, or any PuLP solver name."),
            click.option(
                "--time-limit",
                type=click.FloatRange(min=0, min_open=True),
                callback=_finite,
                help="Solver time limit [s].",
            ),
            click.option(
                "--gap",
                type=click.FloatRange(min=0, max=1, max_open=True),
                callback=_finite,
                help="Relative gap to stop at, e.g. 0.001.",
            ),
            click.option("--threads", type=click.IntRange(min=1), help="Solver threads."),
        ]
    ):
        func = option(func)
    return func


class _CliHandler(logging.StreamHandler):
    """The command line's handler on the root logger (added once per process)."""


def _setup_logging(quiet: bool, verbose: bool = False) -> None:
    """Warnings (or, verbose, everything) of the library on standard error."""
    handler = _CliHandler()
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handler.setFormatter(LogFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, _CliHandler) for h in root.handlers):
        root.addHandler(handler)


def _progress(quiet: bool):
    if quiet:
        return None
    return lambda message: _echo_err(f"… {message}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="optimizer")
def cli() -> None:
    """Facility-sharing optimiser for neighbouring municipalities (公共施設の広域共同利用).

    Decides which libraries, culture halls and elderly-care facilities each municipality
    keeps, closes, builds or shares, who uses which, what each pays, and which bilateral
    agreements (連携協約) that takes.

    Example:

        optimizer solve                      # the embedded sample

        optimizer validate my-area.xlsx --lang en
    """


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@lang_option
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@_handle_errors(_lang)
def template(path: Path, lang: str, force: bool) -> None:
    """Write a blank input workbook to fill in.

    Every sheet of the schema with Japanese and English headers, drop-down lists,
    an instructions sheet and two example rows per sheet.

    Example:

        optimizer template my-area.xlsx
    """

    if path.exists() and not force:
        raise OutputError(f"{path} exists; choose another name or pass --force")
    written = write_template(path, lang=lang)
    click.echo(str(written))


@cli.command(cls=_JsonCommand)
@click.argument("path", type=click.Path(exists=True, path_type=Path), required=False)
@lang_option
@json_option
@_handle_errors(_lang)
def validate(path: Path | None, lang: str, as_json: bool) -> dict | None:
    """Check an input workbook (or a folder of CSV tables) and say what it holds.

    Every problem is reported at once, naming sheet, row, column, the value found and
    what was expected. Exit code 0 when valid, 3 when the input has errors.

    Example:

        optimizer validate inputs/sample.xlsx

        optimizer validate opendata-folder/ --lang en

        optimizer validate my-area.xlsx --json   # one JSON object on standard output
    """

    problem, warnings = load_problem(path or default_sample())
    if as_json:
        return input_record(problem, warnings, lang)
    if warnings:
        _echo_err(format_issues(warnings, lang))
    click.echo(input_summary(problem, lang))
    return None


@cli.command(cls=_JsonCommand)
@click.argument("workbook", type=click.Path(exists=True, path_type=Path), required=False)
@solver_options
@click.option(
    "--processes", type=click.IntRange(min=1), help="Parallel processes for stand-alone solves."
)
@click.option(
    "--output",
    "output_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for run folders.",
)
@click.option(
    "--scenario",
    default="base",
    show_default=True,
    help="Scenario to apply (from --scenarios or the workbook's scenarios sheet).",
)
@scenario_options
@click.option(
    "--shapley",
    type=click.Choice(["auto", "exact", "sampled", "off"]),
    default="auto",
    show_default=True,
    help="Shapley values for comparison: auto = exact up to 6 municipalities, else left "
    "out; exact = every coalition (2^n solves; ~3 min for 9); sampled = random orders.",
)
@click.option(
    "--fail-when-not-optimal",
    is_flag=True,
    help="Exit 5 when the time limit stopped the solver before proving optimality.",
)
@click.option(
    "--alternatives",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also find the K next-best distinct plans (a sheet of report.xlsx, and alternatives.xlsx).",
)
@click.option(
    "--sensitivity",
    is_flag=True,
    help="Also solve with each assumption (demand, capacity, facility costs, travel cost, "
    "agreement cost) 20 % lower and higher, one at a time: the sheet 感度分析 of report.xlsx.",
)
@click.option(
    "--document-templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of your own Word templates of the documents (agreement_ja.docx, "
    "summary_ja.docx, consultation_ja.docx, ..._en.docx); each replaces the shipped one "
    "in the .docx (the .md keeps the shipped wording).",
)
@boundaries_option
@lang_option
@quiet_option
@json_option
@_handle_errors(_lang)
def solve(
    workbook: Path | None,
    solver: str | None,
    time_limit: float | None,
    gap: float | None,
    threads: int | None,
    processes: int | None,
    output_root: Path,
    scenario: str,
    scenario_file: Path | None,
    overrides: tuple[str, ...],
    shapley: str,
    fail_when_not_optimal: bool,
    alternatives: int,
    sensitivity: bool,
    document_templates: Path | None,
    boundaries: Path | None,
    lang: str,
    quiet: bool,
    as_json: bool,
) -> dict | None:
    """Compute the plan for WORKBOOK (the embedded sample when omitted) and write a run folder.

    Prints the decisions per type, where each municipality's residents are served, the
    agreements needed, total cost before and after, and the solver's status, objective,
    bound, gap and time. Writes report.xlsx, map.png, agreements/, solution.json,
    plan.geojson and manifest.json into a new folder under --output.

    Example:

        optimizer solve

        optimizer solve my-area.xlsx --time-limit 300 --gap 0.001 --lang en

        optimizer solve --set facility_types.hall.max_distance_km=15 --set growth.population_75plus=0.3

        optimizer solve --alternatives 3      # and the 3 next-best distinct plans

        optimizer solve --sensitivity         # and each assumption ±20 %

        optimizer solve --boundaries N03-20240101_13.geojson   # real boundaries on the map

        optimizer solve --json                # one JSON object on standard output
    """

    quiet = quiet or as_json
    _setup_logging(quiet)
    settings = RunSettings(
        output_root=output_root,
        scenario=scenario,
        language=lang,
        processes=processes,
        **_solver_settings(solver, time_limit, gap, threads),
        shapley=shapley,
        scenario_file=scenario_file,
        overrides=tuple(overrides),
        alternatives=alternatives or 0,
        sensitivity=sensitivity,
        document_templates=document_templates,
    )
    result = run(
        workbook or default_sample(), settings, progress=_progress(quiet), boundaries=boundaries
    )
    outcome = plan_outcome(result.solution, fail_when_not_optimal=fail_when_not_optimal)
    message = (
        None if outcome == "ok" else f"{headline(outcome, lang)}: {outcome_note(outcome, lang)}"
    )
    if as_json:
        return {**solve_record(result, outcome, scenario, lang), "message": message}
    click.echo(plan_summary(result.problem, result.solution, lang))
    if result.ranking:
        _print_alternatives(result.ranking)
    click.echo(f"\n{'出力先' if lang == 'ja' else 'Output folder'}: {result.folder}")
    if message:
        _echo_err(message)
        sys.exit(EXIT_CODES[outcome])
    return None


def _print_alternatives(ranking) -> None:
    """The ranking of the best plan and its alternatives, one line each."""

    table = alternatives_table(ranking)
    click.echo(
        "\n"
        + table[["rank", "objective", "extra_pct", "status", "changes"]].to_string(
            index=False, float_format=lambda v: f"{v:,.2f}"
        )
    )


@cli.command(cls=_JsonCommand)
@click.argument("workbook", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--scenario", "names", multiple=True, help="A scenario to compare (repeatable).")
@click.option("--all", "all_scenarios", is_flag=True, help="Every scenario of the workbook/file.")
@scenario_options
@solver_options
@click.option(
    "--output",
    "output_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for the comparison and the scenarios' run folders.",
)
@click.option(
    "--scheduler", help="Dask scheduler address (tcp://host:8786) instead of local processes."
)
@click.option(
    "--processes", type=click.IntRange(min=1), help="Local worker processes (default: all cores)."
)
@click.option(
    "--shapley",
    type=click.Choice(["auto", "exact", "sampled", "off"]),
    default="off",
    show_default=True,
    help="Shapley values in each scenario's report (off keeps comparisons quick).",
)
@boundaries_option
@lang_option
@quiet_option
@json_option
@_handle_errors(_lang)
def compare(
    workbook: Path | None,
    names: tuple[str, ...],
    all_scenarios: bool,
    scenario_file: Path | None,
    overrides: tuple[str, ...],
    solver: str | None,
    time_limit: float | None,
    gap: float | None,
    threads: int | None,
    output_root: Path,
    scheduler: str | None,
    processes: int | None,
    shapley: str,
    boundaries: Path | None,
    lang: str,
    quiet: bool,
    as_json: bool,
) -> dict | None:
    """Solve several scenarios side by side and write a comparison workbook.

    The base case is always included. Each scenario also gets its own run folder.

    Example:

        optimizer compare inputs/sample.xlsx --all

        optimizer compare my-area.xlsx --scenarios what-if.toml --scenario short-distance

        optimizer compare --all --json       # one JSON object on standard output
    """

    quiet = quiet or as_json
    _setup_logging(quiet)
    if boundaries:
        read_boundaries(boundaries)  # every defect at once, before any scenario runs
    workbook = workbook or default_sample()
    wanted = list(names)
    if all_scenarios:
        problem, _ = load(workbook)
        from_file = read_toml_scenarios(scenario_file) if scenario_file else {}
        wanted += [n for n in [*from_file, *scenario_names(problem)] if n not in wanted]
    scenarios = ["base", *[n for n in dict.fromkeys(wanted) if n != "base"]]
    runs = [
        (
            RunSettings(
                output_root=output_root,
                scenario=name,
                language=lang,
                processes=1,
                shapley=shapley,
                scenario_file=scenario_file,
                overrides=tuple(overrides),
                **_solver_settings(solver, time_limit, gap, threads),
            ),
            None,
        )
        for name in scenarios
    ]
    with executor_for(scheduler, processes or len(runs)) as executor:
        results = run_many(
            workbook, runs, executor, progress=_progress(quiet), boundaries=boundaries
        )
    tables = comparison_tables(results)
    folder = outputs.new_run_folder(output_root, "compare")
    path = write_comparison(folder / "comparison.xlsx", tables)
    failed = [f"{r.name}: {r.error}" for r in results if r.error]
    if as_json:
        return {
            "status": "failure" if failed else "ok",
            "message": "; ".join(failed) or None,
            "folder": str(folder),
            "comparison": str(path),
            "scenarios": [plan_record(r) for r in results],
        }
    click.echo(
        tables["scenarios"][["scenario", "status", "cost_after", "saving", "agreements"]].to_string(
            index=False, float_format=lambda v: f"{v:,.0f}"
        )
    )
    click.echo(f"\n{path}")
    for line in failed:
        _echo_err(line)
    if failed:
        sys.exit(EXIT_CODES["failure"])
    return None


@cli.command()
@click.argument("workbook", type=click.Path(exists=True, path_type=Path), required=False)
@click.option(
    "--axis",
    "axes",
    multiple=True,
    required=True,
    metavar="TARGET=V1,V2,...",
    help="A parameter to vary and its values (repeatable); with --random, two "
    "numbers are a range to sample.",
)
@click.option(
    "--random",
    "samples",
    type=int,
    help="Draw this many seeded random points instead of the full grid.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --random.")
@scenario_options
@solver_options
@click.option(
    "--scheduler", help="Dask scheduler address (tcp://host:8786) instead of local processes."
)
@click.option(
    "--processes", type=click.IntRange(min=1), help="Local worker processes (default: all cores)."
)
@click.option(
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the results table here (.xlsx or .csv).",
)
@lang_option
@quiet_option
@_handle_errors(_lang)
def sweep(
    workbook: Path | None,
    axes: tuple[str, ...],
    samples: int | None,
    seed: int,
    scenario_file: Path | None,
    overrides: tuple[str, ...],
    solver: str | None,
    time_limit: float | None,
    gap: float | None,
    threads: int | None,
    scheduler: str | None,
    processes: int | None,
    output_path: Path | None,
    lang: str,
    quiet: bool,
) -> None:
    """Solve a grid (or a seeded random sample) of parameter values and tabulate the plans.

    Runs through local processes by default, or a Dask cluster with --scheduler.

    Example:

        optimizer sweep --axis facility_types.library.max_distance_km=5,8,12 --axis parameters.agreement_fixed_cost=0,2000000

        optimizer sweep my-area.xlsx --axis growth.population_75plus=0,0.5 --random 20 --seed 1
    """

    _setup_logging(quiet)
    parsed = [parse_axis(a) for a in axes]
    points = random_points(parsed, samples, seed) if samples else grid_points(parsed)
    base = RunSettings(
        language=lang,
        scenario_file=scenario_file,
        overrides=tuple(overrides),
        **_solver_settings(solver, time_limit, gap, threads),
    )
    runs = sweep_settings(base, points)
    start = time.perf_counter()
    with executor_for(scheduler, processes or len(runs)) as executor:
        results = run_many(workbook or default_sample(), runs, executor, progress=_progress(quiet))
    seconds = time.perf_counter() - start
    table = sweep_table(results)
    if output_path:
        _write_table(output_path, table)
    click.echo(table.to_string(index=False))
    _echo_err(f"{len(runs)} runs in {seconds:.1f} s ({len(runs) / seconds * 60:.1f} per minute)")


def _write_table(path: Path, table) -> None:
    if path.suffix.lower() == ".csv":
        outputs.atomic_write_csv(path, table)  # UTF-8 with BOM, for Excel
    else:
        write_tables(path, {"sweep": table})


@cli.command("run-job", cls=_JsonCommand)
@click.argument("job", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@_handle_errors(_lang)
def run_job_command(job: Path, as_json: bool) -> dict | None:
    """Run a scheduled job file (non-interactive; for cron or a systemd timer).

    Exit codes: 0 ok, 5 not optimal within the time limit, 4 infeasible, 3 bad input,
    6 failed check, 8 another run holds the lock, 1 internal error. The log is appended
    to job.log in the job's output folder.

    Example:

        optimizer run-job council.toml

        optimizer run-job council.toml --json   # one JSON object on standard output
    """

    _setup_logging(quiet=True)
    report = run_job_report(job)
    if as_json:
        return job_record(report)
    sys.exit(report.exit_code)


def main() -> None:
    """Entry point of the ``optimizer`` command."""
    cli(prog_name="optimizer")


if __name__ == "__main__":
    main()
