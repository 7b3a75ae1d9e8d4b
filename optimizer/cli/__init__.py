"""The command line: thin commands over the library, one module per group of commands.

:mod:`optimizer.cli.common` holds what they share (options, error handling, logging);
:func:`main` is the ``optimizer`` entry point.
"""

from __future__ import annotations

import click

from optimizer import __version__
from optimizer.cli.app import app
from optimizer.cli.common import exit_code
from optimizer.cli.geocode import geocode
from optimizer.cli.inputs import template, validate
from optimizer.cli.jobs import run_job_command
from optimizer.cli.language import LocalizedGroup, LocalizedOption
from optimizer.cli.planning import solve
from optimizer.cli.scenarios import compare, sweep
from optimizer.texts import Text

__all__ = ["main", "cli", "exit_code"]


@click.group(
    cls=LocalizedGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help_ja="""近隣の市町村による公共施設の広域共同利用の最適化（Facility-sharing optimiser）。

    各市町村が図書館・文化ホール・介護施設のどれを存続・廃止・新設・共同利用するか、
    住民がどこを利用するか、各市町村の負担額、そのために必要な連携協約を求めます。

    言語は --lang（ある場合）、なければ環境変数 OPTIMIZER_LANG（ja|en）、なければ日本語。

    例:

        optimizer solve                      # 同梱のサンプル

        optimizer validate my-area.xlsx --lang en
    """,
)
@click.version_option(
    __version__,
    prog_name="optimizer",
    cls=LocalizedOption,
    help=Text("Show the version and exit.", "バージョンを表示して終了します。"),
)
def cli() -> None:
    """Facility-sharing optimiser for neighbouring municipalities (公共施設の広域共同利用).

    Decides which libraries, culture halls and elderly-care facilities each municipality
    keeps, closes, builds or shares, who uses which, what each pays, and which bilateral
    agreements (連携協約) that takes.

    Language: --lang where a command has it, else the environment variable
    OPTIMIZER_LANG (ja|en), else Japanese.

    Example:

        optimizer solve                      # the embedded sample

        optimizer validate my-area.xlsx --lang en
    """


for command in (template, validate, geocode, solve, compare, sweep, run_job_command, app):
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``optimizer`` command."""
    cli(prog_name="optimizer")


if __name__ == "__main__":
    main()
