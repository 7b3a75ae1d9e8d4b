"""The ``geocode`` command: blank coordinates found from addresses, into a new workbook."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from optimizer.cli.common import (
    JsonCommand,
    echo_err,
    finite,
    handle_errors,
    json_option,
    lang_of,
    lang_option,
    progress_printer,
    quiet_option,
    setup_logging,
)
from optimizer.cli.language import command, option
from optimizer.config import EXIT_CODES
from optimizer.runs.geocode import (
    geocode_record,
    geocode_summary,
    geocode_workbook,
    unplaced_lines,
)
from optimizer.sources.geocoder import DEFAULT_SERVER, DEFAULT_TIMEOUT_S, parse_server


def _server(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Refuse a server address that is not http(s)://host or host:port."""
    try:
        parse_server(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _user_agent(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("name the application (Nominatim refuses an empty user agent)")
    return value


@command(
    "geocode",
    cls=JsonCommand,
    ja="""施設・候補地・区域の空欄の緯度・経度を、住所から求めます。

    facilities・candidates・zones シートで lat か lon が空欄の行に、address 列の住所から
    Nominatim サーバーが求めた地点を入れます（問い合わせは 1 秒に 1 回まで。答えはすべて
    キャッシュに残し、2 回目は問い合わせません）。入力はそのままに、新しいワークブックを
    書き出します。ほかのシートとセルは元のまま、列 coord_source に given、
    geocoded:<サーバー>、cache、not found、no address のいずれかを記します。終了コードは、
    すべての行に地点があれば 0、地点のない行が残れば 3（一覧を表示。新しいワークブックには
    求まった地点が入ります）、サーバーにつながらない（オフライン）か拒否されたときは 9。

    例:

        optimizer geocode my-area.xlsx                 # → my-area-geocoded.xlsx

        optimizer geocode my-area.xlsx -o placed.xlsx --lang en

        optimizer geocode my-area.xlsx --server http://127.0.0.1:8080 --cache geo.json

        optimizer geocode my-area.xlsx --json          # 標準出力に JSON オブジェクトを 1 つ
    """,
)
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    ja="新しいワークブック（既定: WORKBOOK と同じ場所に、名前に -geocoded.xlsx を付けたもの）。"
    "入力には書きません。",
    en="The new workbook (default: WORKBOOK's name with -geocoded.xlsx, beside it); "
    "never the input.",
)
@option(
    "--force",
    is_flag=True,
    ja="--output が既にあれば置き換えます。",
    en="Replace --output if it exists.",
)
@option(
    "--server",
    default=DEFAULT_SERVER,
    show_default=True,
    callback=_server,
    ja="Nominatim 互換のサーバー: https://host[/path] または host:port（https）。"
    "手元のサーバーなら http://127.0.0.1:8080 など。",
    en="Nominatim-compatible server: https://host[/path] or host:port (https), e.g. "
    "http://127.0.0.1:8080 for a local one.",
)
@option(
    "--user-agent",
    callback=_user_agent,
    ja="サーバーに伝える User-Agent（既定: facility-sharing-optimizer/<版>）。Nominatim の"
    "利用規約は、アプリケーション名を示すよう求めています。",
    en="User-Agent the server sees (default: facility-sharing-optimizer/<version>); "
    "Nominatim's usage policy asks that it names the application.",
)
@option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False, path_type=Path),
    ja="受け取った答えを残す JSON ファイル。同じ住所は二度と問い合わせません（既定: "
    "ユーザーのキャッシュフォルダの geocode.json。例 ~/.cache/facility-sharing-optimizer/）。",
    en="JSON file of the answers already received, asked never again (default: "
    "geocode.json in the user's cache folder, e.g. ~/.cache/facility-sharing-optimizer/).",
)
@option(
    "--retry-not-found",
    is_flag=True,
    ja="キャッシュで見つからなかった住所を、もう一度問い合わせます。",
    en="Ask again for addresses the cache holds as not found.",
)
@option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    callback=finite,
    ja="1 回の問い合わせを待つ秒数。超えるとサーバーにつながらないものとします。",
    en="Seconds one request may take before the server counts as unreachable.",
)
@lang_option
@quiet_option
@json_option
@handle_errors(lang_of)
def geocode(
    workbook: Path,
    output: Path | None,
    force: bool,
    server: str,
    user_agent: str | None,
    cache_path: Path | None,
    retry_not_found: bool,
    timeout_s: float,
    lang: str,
    quiet: bool,
    as_json: bool,
) -> dict | None:
    """Find the blank lat/lon of facilities, candidates and zones from their addresses.

    Rows of the facilities, candidates and zones sheets whose lat or lon is blank get
    the point a Nominatim server finds for their `address` column (at most one request
    per second; every answer is cached, so a second run asks nothing again). Writes a
    NEW workbook, every other sheet and cell as it was, with a column coord_source:
    given, geocoded:<server>, cache, not found or no address. Exit code 0 when every
    row has a point; 3 when some are left without one (listed; the new workbook holds
    the points found); 9 when the server cannot be reached (offline) or refuses.

    Example:

        optimizer geocode my-area.xlsx                 # → my-area-geocoded.xlsx

        optimizer geocode my-area.xlsx -o placed.xlsx --lang en

        optimizer geocode my-area.xlsx --server http://127.0.0.1:8080 --cache geo.json

        optimizer geocode my-area.xlsx --json          # one JSON object on standard output
    """

    quiet = quiet or as_json
    setup_logging(quiet, lang=lang)
    report = geocode_workbook(
        workbook,
        output,
        server=server,
        user_agent=user_agent,
        cache_path=cache_path,
        force=force,
        retry_not_found=retry_not_found,
        timeout_s=timeout_s,
        progress=progress_printer(quiet, lang),
    )
    if as_json:
        return geocode_record(report, lang)
    click.echo(geocode_summary(report, lang))
    if report.unplaced:
        echo_err(unplaced_lines(report, lang))
        sys.exit(EXIT_CODES[report.outcome])
    return None
