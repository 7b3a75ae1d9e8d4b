"""The commands that solve many: ``compare`` (scenarios) and ``sweep`` (a grid of parameters)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from optimizer.cli.common import (
    JsonCommand,
    boundaries_option,
    default_sample,
    echo_err,
    executor_options,
    handle_errors,
    json_option,
    lang_of,
    lang_option,
    output_root_option,
    progress_printer,
    quiet_option,
    scenario_options,
    setup_logging,
    solver_options,
    solver_settings,
)
from optimizer.cli.language import command, option, say
from optimizer.config import EXIT_CODES, RunSettings
from optimizer.outputs import files as outputs
from optimizer.outputs.boundaries import read_boundaries
from optimizer.outputs.tables import write_comparison, write_tables
from optimizer.runs.compare import comparison_tables, executor_for, run_many
from optimizer.runs.pipeline import load
from optimizer.runs.records import (
    plan_record,
)
from optimizer.runs.sweep import grid_points, parse_axis, random_points, sweep_settings, sweep_table
from optimizer.texts import Text
from optimizer.workbook.scenarios import read_toml_scenarios, scenario_names


@command(
    cls=JsonCommand,
    ja="""複数のシナリオを並べて解き、比較のワークブックを書き出します。

    基本ケース（base）は常に含みます。各シナリオの実行フォルダも作ります。

    例:

        optimizer compare inputs/sample.xlsx --all

        optimizer compare my-area.xlsx --scenarios what-if.toml --scenario short-distance

        optimizer compare --all --json       # 標準出力に JSON オブジェクトを 1 つ
    """,
)
@click.argument("workbook", type=click.Path(exists=True, path_type=Path), required=False)
@option(
    "--scenario",
    "names",
    multiple=True,
    ja="比較するシナリオ（繰り返し可）。",
    en="A scenario to compare (repeatable).",
)
@option(
    "--all",
    "all_scenarios",
    is_flag=True,
    ja="ワークブック・ファイルのすべてのシナリオ。",
    en="Every scenario of the workbook/file.",
)
@scenario_options
@solver_options
@output_root_option(
    ja="比較と各シナリオの実行フォルダを作るフォルダ。",
    en="Folder for the comparison and the scenarios' run folders.",
)
@executor_options
@option(
    "--shapley",
    type=click.Choice(["auto", "exact", "sampled", "off"]),
    default="off",
    show_default=True,
    ja="各シナリオの報告書のシャープレイ値（off なら比較が速い）。",
    en="Shapley values in each scenario's report (off keeps comparisons quick).",
)
@boundaries_option
@lang_option
@quiet_option
@json_option
@handle_errors(lang_of)
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
    setup_logging(quiet, lang=lang)
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
                **solver_settings(solver, time_limit, gap, threads),
            ),
            None,
        )
        for name in scenarios
    ]
    with executor_for(scheduler, processes or len(runs)) as executor:
        results = run_many(
            workbook, runs, executor, progress=progress_printer(quiet, lang), boundaries=boundaries
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
        echo_err(line)
    if failed:
        sys.exit(EXIT_CODES["failure"])
    return None


@command(
    ja="""パラメータの値の格子（または乱数の標本）ごとに解き、計画を表にします。

    既定ではローカルのプロセスで、--scheduler を付ければ Dask クラスタで実行します。

    例:

        optimizer sweep --axis facility_types.図書館.max_distance_km=5,8,12 --axis parameters.agreement_fixed_cost=0,2000000

        optimizer sweep my-area.xlsx --axis growth.population_75plus=0,0.5 --random 20 --seed 1
    """
)
@click.argument("workbook", type=click.Path(exists=True, path_type=Path), required=False)
@option(
    "--axis",
    "axes",
    multiple=True,
    required=True,
    metavar="TARGET=V1,V2,...",
    ja="変化させるパラメータとその値（繰り返し可）。--random では 2 つの数が標本の範囲。",
    en="A parameter to vary and its values (repeatable); with --random, two "
    "numbers are a range to sample.",
)
@option(
    "--random",
    "samples",
    type=int,
    ja="全格子の代わりに、この数だけ乱数で点を選びます（シード固定）。",
    en="Draw this many seeded random points instead of the full grid.",
)
@option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    ja="--random の乱数のシード。",
    en="Seed of --random.",
)
@scenario_options
@solver_options
@executor_options
@option(
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    ja="結果の表の書き出し先（.xlsx または .csv）。",
    en="Write the results table here (.xlsx or .csv).",
)
@lang_option
@quiet_option
@handle_errors(lang_of)
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

    setup_logging(quiet, lang=lang)
    parsed = [parse_axis(a) for a in axes]
    points = random_points(parsed, samples, seed) if samples else grid_points(parsed)
    base = RunSettings(
        language=lang,
        scenario_file=scenario_file,
        overrides=tuple(overrides),
        **solver_settings(solver, time_limit, gap, threads),
    )
    runs = sweep_settings(base, points)
    start = time.perf_counter()
    with executor_for(scheduler, processes or len(runs)) as executor:
        results = run_many(
            workbook or default_sample(), runs, executor, progress=progress_printer(quiet, lang)
        )
    seconds = time.perf_counter() - start
    table = sweep_table(results)
    if output_path:
        _write_table(output_path, table)
    click.echo(table.to_string(index=False))
    n, rate = len(runs), len(runs) / seconds * 60
    echo_err(
        say(
            Text(
                f"{n} runs in {seconds:.1f} s ({rate:.1f} per minute)",
                f"{n} 回の求解 {seconds:.1f} 秒（毎分 {rate:.1f} 回）",
            ),
            lang,
        )
    )


def _write_table(path: Path, table) -> None:
    if path.suffix.lower() == ".csv":
        outputs.atomic_write_csv(path, table)  # UTF-8 with BOM, for Excel
    else:
        write_tables(path, {"sweep": table})
