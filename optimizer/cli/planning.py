"""The ``solve`` command: one plan and its run folder."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from optimizer.cli.common import (
    JsonCommand,
    boundaries_option,
    default_sample,
    echo_err,
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
from optimizer.cli.language import command, option
from optimizer.config import EXIT_CODES, RunSettings
from optimizer.errors import headline
from optimizer.outputs.summary import plan_summary
from optimizer.results.ranking import alternatives_table
from optimizer.results.solution import plan_outcome
from optimizer.runs.pipeline import run
from optimizer.runs.records import (
    outcome_note,
    solve_record,
)


@command(
    cls=JsonCommand,
    ja="""WORKBOOK（省略時は同梱のサンプル）の計画を求め、実行フォルダに書き出します。

    施設類型ごとの方針、各市町村の住民がどこで利用するか、必要な連携協約、
    計画前後の総費用、ソルバーの状態・目的関数・下界・ギャップ・計算時間を表示します。
    --output の下の新しいフォルダに report.xlsx、map.png、agreements/、solution.json、
    plan.geojson、manifest.json を書き出します。

    例:

        optimizer solve

        optimizer solve my-area.xlsx --time-limit 300 --gap 0.001 --lang en

        optimizer solve --set facility_types.図書館.max_distance_km=5 --set growth.population_75plus=0.3

        optimizer solve --alternatives 3      # 次善の異なる計画 3 案も

        optimizer solve --sensitivity         # 各前提を ±20 % 変えた場合も

        optimizer solve --boundaries N03-20240101_13.geojson   # 地図に実際の境界

        optimizer solve --json                # 標準出力に JSON オブジェクトを 1 つ
    """,
)
@click.argument("workbook", type=click.Path(exists=True, path_type=Path), required=False)
@solver_options
@option(
    "--processes",
    type=click.IntRange(min=1),
    ja="単独の場合の費用を並列に解くプロセス数。",
    en="Parallel processes for stand-alone solves.",
)
@output_root_option(ja="実行フォルダを作るフォルダ。", en="Folder for run folders.")
@option(
    "--scenario",
    default="base",
    show_default=True,
    ja="適用するシナリオ（--scenarios またはワークブックの scenarios シートから）。",
    en="Scenario to apply (from --scenarios or the workbook's scenarios sheet).",
)
@scenario_options
@option(
    "--shapley",
    type=click.Choice(["auto", "exact", "sampled", "off"]),
    default="auto",
    show_default=True,
    ja="比較用のシャープレイ値: auto = 6 市町村までは厳密、それより多ければ省略。"
    "exact = すべての提携（2^n 回の求解。9 市町村で約 3 分）。sampled = 無作為な順序で推定。",
    en="Shapley values for comparison: auto = exact up to 6 municipalities, else left "
    "out; exact = every coalition (2^n solves; ~3 min for 9); sampled = random orders.",
)
@option(
    "--fail-when-not-optimal",
    is_flag=True,
    ja="時間制限で最適性を証明する前に止まった場合、終了コード 5 で終わります。",
    en="Exit 5 when the time limit stopped the solver before proving optimality.",
)
@option(
    "--alternatives",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    ja="次善の異なる計画を K 案まで求めます（report.xlsx のシートと alternatives.xlsx）。",
    en="Also find the K next-best distinct plans (a sheet of report.xlsx, and alternatives.xlsx).",
)
@option(
    "--sensitivity",
    is_flag=True,
    ja="各前提（需要、容量、施設の費用、移動費用、協約の費用）を一つずつ 20 % 上下させて"
    "解き直します: report.xlsx のシート「感度分析」。",
    en="Also solve with each assumption (demand, capacity, facility costs, travel cost, "
    "agreement cost) 20 % lower and higher, one at a time: the sheet 感度分析 of report.xlsx.",
)
@option(
    "--document-templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    ja="文書の Word テンプレートのフォルダ（agreement_ja.docx、summary_ja.docx、"
    "consultation_ja.docx、..._en.docx）。あるものが同梱のものに代わります（.docx のみ。"
    ".md は同梱の文面のまま）。",
    en="Folder of your own Word templates of the documents (agreement_ja.docx, "
    "summary_ja.docx, consultation_ja.docx, ..._en.docx); each replaces the shipped one "
    "in the .docx (the .md keeps the shipped wording).",
)
@boundaries_option
@lang_option
@quiet_option
@json_option
@handle_errors(lang_of)
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
    setup_logging(quiet, lang=lang)
    settings = RunSettings(
        output_root=output_root,
        scenario=scenario,
        language=lang,
        processes=processes,
        **solver_settings(solver, time_limit, gap, threads),
        shapley=shapley,
        scenario_file=scenario_file,
        overrides=tuple(overrides),
        alternatives=alternatives or 0,
        sensitivity=sensitivity,
        document_templates=document_templates,
    )
    result = run(
        workbook or default_sample(),
        settings,
        progress=progress_printer(quiet, lang),
        boundaries=boundaries,
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
        echo_err(message)
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
