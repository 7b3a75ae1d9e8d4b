"""What the commands share: options, error handling, logging and progress.

One place (:func:`handle_errors`) turns the exception tree of :mod:`optimizer.errors`
into messages and exit codes (:data:`optimizer.config.EXIT_CODES`); no command shows a
traceback for anything the user can fix. The options' help, the messages, the warnings
and the progress lines are in the invocation's language (:mod:`optimizer.cli.language`).
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

from optimizer.cli.language import (
    LocalizedCommand,
    current_language,
    elapsed_text,
    option,
    say,
)
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
from optimizer.texts import Text

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


class JsonCommand(LocalizedCommand):
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
    """The command's language: its ``--lang``, else the invocation's."""
    return kwargs.get("lang") or current_language()


lang_option = option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default=current_language,
    ja="メッセージの言語（日本語 / English）。省略時は環境変数 OPTIMIZER_LANG、なければ ja。",
    en="Language of messages (日本語 / English); default: the environment variable "
    "OPTIMIZER_LANG, else ja.",
)
quiet_option = option(
    "--quiet", "-q", is_flag=True, ja="進行状況を表示しません。", en="No progress messages."
)
json_option = option(
    "--json",
    "as_json",
    is_flag=True,
    ja="標準出力に JSON オブジェクトを 1 つだけ出力します（状態、終了コード、実行フォルダ、"
    "数値、警告。エラーの場合も）。メッセージは標準エラー出力へ。",
    en="Print one JSON object on standard output (status, exit code, run folder, "
    "figures, warnings; errors too) and nothing else; messages go to standard error.",
)
boundaries_option = option(
    "--boundaries",
    type=click.Path(dir_okay=False, path_type=Path),
    ja="map.png に描く市町村境界の GeoJSON ファイル（国土数値情報 N03 のまま、または "
    "属性 code を持つポリゴン）。省略時は各市町村の区域の輪郭を描きます。",
    en="GeoJSON file of municipal boundaries for map.png (国土数値情報 N03 as is, or "
    "polygons with a property 'code'); without it the map outlines each municipality's zones.",
)


def scenario_options(func: F) -> F:
    """--scenarios FILE and --set key=value, shared by the commands that solve."""
    func = option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        ja="入力の値を上書きします。例: parameters.discount_rate=0.02、"
        "facility_types.図書館.max_distance_km=5（類型は id でも日本語名でも。繰り返し可。"
        "シナリオとワークブックより優先）。",
        en="Override an input, e.g. parameters.discount_rate=0.02 (repeatable; wins over "
        "the scenario and the workbook; a type by its id or its Japanese name).",
    )(func)
    return option(
        "--scenarios",
        "scenario_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        ja="名前付きシナリオの TOML ファイル（ワークブックの scenarios シートより先に探します）。",
        en="TOML file of named scenarios (searched before the workbook's scenarios sheet).",
    )(func)


def output_root_option(ja: str, en: str) -> Callable[[F], F]:
    """``--output FOLDER`` (default ``reports``): where a command makes its run folders."""
    return option(
        "--output",
        "output_root",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("reports"),
        show_default=True,
        ja=ja,
        en=en,
    )


def executor_options(func: F) -> F:
    """--scheduler and --processes, shared by the commands that solve many plans."""
    func = option(
        "--processes",
        type=click.IntRange(min=1),
        ja="ローカルのワーカープロセス数（既定: すべてのコア）。",
        en="Local worker processes (default: all cores).",
    )(func)
    return option(
        "--scheduler",
        ja="ローカルのプロセスの代わりに使う Dask スケジューラのアドレス（tcp://host:8786）。",
        en="Dask scheduler address (tcp://host:8786) instead of local processes.",
    )(func)


def solver_settings(
    solver: str | None, time_limit: float | None, gap: float | None, threads: int | None
) -> dict[str, Any]:
    return {"solver": solver, "time_limit_s": time_limit, "mip_gap": gap, "threads": threads}


def finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """Refuse ``nan`` and ``inf``, which a float range lets through."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(
            say(Text(f"{value} is not a finite number", f"{value} は有限の数ではありません"))
        )
    return value


def solver_options(func: F) -> F:
    """--solver, --time-limit, --gap and --threads, shared by the commands that solve."""
    for decorate in reversed(
        [
            option(
                "--solver",
                ja="ソルバー: highs（既定）、cbc、または PuLP の任意のソルバー名。",
                en="Solver: highs (default), cbc, or any PuLP solver name.",
            ),
            option(
                "--time-limit",
                type=click.FloatRange(min=0, min_open=True),
                callback=finite,
                ja="ソルバーの制限時間 [秒]。",
                en="Solver time limit [s].",
            ),
            option(
                "--gap",
                type=click.FloatRange(min=0, max=1, max_open=True),
                callback=finite,
                ja="求解を止める相対ギャップ。例: 0.001。",
                en="Relative gap to stop at, e.g. 0.001.",
            ),
            option(
                "--threads",
                type=click.IntRange(min=1),
                ja="ソルバーのスレッド数。",
                en="Solver threads.",
            ),
        ]
    ):
        func = decorate(func)
    return func


class CliHandler(logging.StreamHandler):
    """The command line's handler on the root logger (added once per process)."""


def setup_logging(quiet: bool, verbose: bool = False, lang: str | None = None) -> None:
    """Warnings (or, verbose, everything) of the library on standard error, in ``lang``
    (default: the invocation's language). The handler is added once per process; each
    command sets its level and language again."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, CliHandler)), None)
    if handler is None:
        handler = CliHandler()
        root.addHandler(handler)
    if handler.stream is not sys.stderr:  # a new standard error (an in-process run)
        try:
            handler.setStream(sys.stderr)
        except ValueError:  # the previous one is closed: nothing to flush
            handler.stream = sys.stderr
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handler.setFormatter(
        LogFormatter("%(levelname)s %(name)s: %(message)s", language=lang or current_language())
    )


def progress_printer(quiet: bool, lang: str | None = None) -> Callable[[str], None] | None:
    """The progress callback of the pipeline: each message on standard error in ``lang``
    (default: the invocation's language), after the time since this call; or none."""
    if quiet:
        return None
    lang = lang or current_language()
    start = time.perf_counter()

    def show(message: str) -> None:
        echo_err(f"… {elapsed_text(time.perf_counter() - start, lang)} {say(message, lang)}")

    return show
