"""The ``app`` command: the what-if page (``optimizer/app/page.py``) in Streamlit.

The page is an optional extra (``pip install -e ".[app]"``): without Streamlit the
command says how to install it, in one line, and exits with code 2. The page runs as
``python -m streamlit run optimizer/app/page.py``, on 127.0.0.1 unless told otherwise,
with the workbook, the output folder and the language passed in its environment
(``OPTIMIZER_APP_*``, read by ``optimizer.app.page.AppConfig``), and without sending
usage statistics anywhere.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from optimizer.cli.common import echo_err, lang_option, output_root_option
from optimizer.cli.language import command, option
from optimizer.config import EXIT_CODES

PAGE = Path(__file__).resolve().parents[1] / "app" / "page.py"
"""The page's script (the command line does not import the page's package)."""
ENVIRONMENT = {
    "workbook": "OPTIMIZER_APP_WORKBOOK",
    "output": "OPTIMIZER_APP_OUTPUT",
    "lang": "OPTIMIZER_APP_LANG",
}
"""The variables through which the page learns the command's arguments."""


def streamlit_command(address: str, port: int, headless: bool, page: Path = PAGE) -> list[str]:
    """The ``streamlit run`` command line of the page."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(page),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true" if headless else "false",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
        "--theme.base",
        "light",
    ]


@command(
    "app",
    ja="""ブラウザで what-if 試算のページを開きます（WORKBOOK を省略すると同梱のサンプル）。

    最大距離、協約の事務費、需要の伸び、稼働率の上限、公平性、シナリオを変え、施設を存続・
    廃止に固定して、裏で計算し、基本ケースと地図で比べます。実行フォルダの report.xlsx、
    協約書、plan.geojson をダウンロードできます。追加のインストールが必要です:
    pip install -e ".[app]"

    例:

        optimizer app

        optimizer app my-area.xlsx --port 8600
    """,
)
@click.argument("workbook", type=click.Path(exists=True, path_type=Path), required=False)
@option(
    "--port",
    type=click.IntRange(min=1, max=65535),
    default=8501,
    show_default=True,
    ja="ページのポート番号。",
    en="Port of the page.",
)
@option(
    "--address",
    default="127.0.0.1",
    show_default=True,
    ja="待ち受けるアドレス。127.0.0.1 ならこのコンピュータの中だけで開きます"
    "（0.0.0.0 はネットワークに公開します）。",
    en="Address to listen on; 127.0.0.1 keeps the page on this computer "
    "(0.0.0.0 opens it to the network).",
)
@output_root_option(
    ja="ページが書き出す実行フォルダの置き場所。", en="Folder for the run folders the page writes."
)
@option("--headless", is_flag=True, ja="ブラウザを開きません。", en="Do not open a browser.")
@lang_option
def app(
    workbook: Path | None,
    port: int,
    address: str,
    output_root: Path,
    headless: bool,
    lang: str,
) -> None:
    """Open the what-if page in a browser (the embedded sample when no WORKBOOK).

    Change the maximum distances, the agreement cost, the demand growth, the headroom,
    fairness or a scenario, lock facilities open or closed, solve in the background and
    compare with the base case on a map; download the run folder's report.xlsx,
    agreements and plan.geojson. Needs the extra: pip install -e ".[app]".

    Example:

        optimizer app

        optimizer app my-area.xlsx --port 8600
    """

    if importlib.util.find_spec("streamlit") is None:
        echo_err(
            'optimizer app には Streamlit が必要です: pip install -e ".[app]" でインストールしてください'
            if lang == "ja"
            else 'optimizer app needs Streamlit: install it with pip install -e ".[app]"'
        )
        sys.exit(EXIT_CODES["usage"])
    environment = {
        **os.environ,
        ENVIRONMENT["workbook"]: str(workbook.resolve()) if workbook else "",
        ENVIRONMENT["output"]: str(output_root.resolve()),
        ENVIRONMENT["lang"]: lang,
    }
    host = "127.0.0.1" if address in ("0.0.0.0", "::") else address
    host = f"[{host}]" if ":" in host else host
    if lang == "ja":
        echo_err(f"ページ: http://{host}:{port}  （Ctrl-C で終了）")
    else:
        echo_err(f"page: http://{host}:{port}  (Ctrl-C stops it)")
    sys.exit(serve(streamlit_command(address, port, headless), environment))


def serve(command: list[str], environment: dict[str, str]) -> int:
    """Run the page's server until it stops; its exit code (130 after Ctrl-C).

    A termination of this command (SIGTERM, SIGHUP: a service manager, a closed
    terminal) is passed on to the server, so that it never outlives the command; Ctrl-C
    reaches both from the terminal, and the server is given time to stop.
    """
    server = subprocess.Popen(command, env=environment)

    def forward(number: int, frame: object) -> None:
        server.send_signal(number)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), forward)
    try:
        return server.wait()
    except KeyboardInterrupt:
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        return 130
