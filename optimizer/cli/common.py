"""What the commands share: options, error handling, logging and progress.

One place (:func:`handle_errors`) turns the exception tree of :mod:`optimizer.errors`
into messages and exit codes (:data:`optimizer.config.EXIT_CODES`); no command shows a
traceback for anything the user can fix.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from optimizer.config import EXIT_CODES
from optimizer.errors import OptimizerError, outcome_of
from optimizer.outputs.files import LogFormatter
from optimizer.runs.records import (
    LogCollector,
    command_record,
    failure,
    json_line,
)
from optimizer.sources.sample import sample_workbook

log = logging.getLogger("optimizer")

DEBUG = "OPTIMIZER_DEBUG"
"""The environment variable that shows a defect's traceback instead of one line."""

F = TypeVar("F", bound=Callable[..., Any])
"""A click command function, decorated with shared options."""


def default_sample() -> Path:
    """The embedded sample workbook: the clone's ``inputs/sample.xlsx``, else the wheel's copy."""
    return sample_workbook()


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def exit_code(error: OptimizerError) -> int:
    return EXIT_CODES[outcome_of(error)]


def handle_errors(language_of: Callable[[dict[str, Any]], str]) -> Callable[[F], F]:
    """Run a command; turn our errors into a message and an exit code (with ``--json``,
    into the JSON object of :func:`as_json_record` as well)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            lang = language_of(kwargs)
            if kwargs.get("as_json"):
                as_json_record(func, args, kwargs, lang)
            try:
                return func(*args, **kwargs)
            except (KeyboardInterrupt, Exception) as exc:
                outcome, message, _ = failure(exc, lang, debug=bool(os.environ.get(DEBUG)))
                echo_err(message)
                sys.exit(EXIT_CODES.get(outcome, 130))

        return wrapper  # type: ignore[return-value]

    return decorate


def as_json_record(
    func: Callable[..., Any], args: Any, kwargs: dict[str, Any], lang: str
) -> NoReturn:
    """Run a command that returns its record (:mod:`optimizer.runs.records`), print it
    as JSON, errors included, and exit with its code."""
    collector = LogCollector()
    logger = logging.getLogger("optimizer")
    logger.addHandler(collector)
    try:
        record = func(*args, **kwargs)
    except (KeyboardInterrupt, Exception) as exc:
        outcome, message, issues = failure(exc, lang, debug=bool(os.environ.get(DEBUG)))
        echo_err(message)
        record = {"status": outcome, "message": message, "issues": issues}
    finally:
        logger.removeHandler(collector)
    name = click.get_current_context().info_name or func.__name__
    printed = command_record(name, record, collector.messages)
    click.echo(json_line(printed))
    sys.exit(printed["exit_code"])


class JsonCommand(click.Command):
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


def lang_of(kwargs: dict[str, Any]) -> str:
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


def solver_settings(
    solver: str | None, time_limit: float | None, gap: float | None, threads: int | None
) -> dict[str, Any]:
    return {"solver": solver, "time_limit_s": time_limit, "mip_gap": gap, "threads": threads}


def finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
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
                callback=finite,
                help="Solver time limit [s].",
            ),
            click.option(
                "--gap",
                type=click.FloatRange(min=0, max=1, max_open=True),
                callback=finite,
                help="Relative gap to stop at, e.g. 0.001.",
            ),
            click.option("--threads", type=click.IntRange(min=1), help="Solver threads."),
        ]
    ):
        func = option(func)
    return func


class CliHandler(logging.StreamHandler):
    """The command line's handler on the root logger (added once per process)."""


def setup_logging(quiet: bool, verbose: bool = False) -> None:
    """Warnings (or, verbose, everything) of the library on standard error."""
    handler = CliHandler()
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handler.setFormatter(LogFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, CliHandler) for h in root.handlers):
        root.addHandler(handler)


def progress_printer(quiet: bool) -> Callable[[str], None] | None:
    """The progress callback of the pipeline: each message on standard error, or none."""
    if quiet:
        return None
    return lambda message: echo_err(f"… {message}")
