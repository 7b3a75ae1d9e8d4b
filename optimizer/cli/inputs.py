"""The commands on inputs: ``template`` and ``validate``."""

from __future__ import annotations

from pathlib import Path

import click

from optimizer.cli.common import (
    JsonCommand,
    default_sample,
    echo_err,
    handle_errors,
    json_option,
    lang_of,
    lang_option,
)
from optimizer.cli.language import command, option
from optimizer.errors import OutputError
from optimizer.outputs.summary import input_summary
from optimizer.outputs.workbooks import write_template
from optimizer.runs.records import (
    input_record,
)
from optimizer.workbook.assemble import load_problem
from optimizer.workbook.messages import format_issues


@command(
    ja="""入力用の白紙のワークブックを書き出します。

    スキーマのすべてのシートを日本語と英語の見出し付きで、ドロップダウンリスト、
    説明のシート、各シート 2 行の記入例とともに書き出します。

    例:

        optimizer template my-area.xlsx
    """
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@lang_option
@option(
    "--force", is_flag=True, ja="PATH が既にあれば置き換えます。", en="Replace PATH if it exists."
)
@handle_errors(lang_of)
def template(path: Path, lang: str, force: bool) -> None:
    """Write a blank input workbook to fill in.

    Every sheet of the schema with Japanese and English headers, drop-down lists,
    an instructions sheet and two example rows per sheet.

    Example:

        optimizer template my-area.xlsx
    """

    if path.exists() and not force:
        raise OutputError(
            f"{path} exists; choose another name or pass --force",
            ja=f"{path} は既にあります。別の名前にするか --force を付けてください",
        )
    written = write_template(path, lang=lang)
    click.echo(str(written))


@command(
    cls=JsonCommand,
    ja="""入力のワークブック（または CSV の表のフォルダ）を検査し、内容を要約します。

    問題はすべて一度に、シート・行・列・見つかった値・期待される値を添えて報告します。
    正しければ終了コード 0、入力に誤りがあれば 3。

    例:

        optimizer validate inputs/sample.xlsx

        optimizer validate opendata-folder/ --lang en

        optimizer validate my-area.xlsx --json   # 標準出力に JSON オブジェクトを 1 つ
    """,
)
@click.argument("path", type=click.Path(exists=True, path_type=Path), required=False)
@lang_option
@json_option
@handle_errors(lang_of)
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
        echo_err(format_issues(warnings, lang))
    click.echo(input_summary(problem, lang))
    return None
