"""The command line: thin commands over the library, one module per group of commands.

:mod:`optimizer.cli.common` holds what they share (options, error handling, logging);
:func:`main` is the ``optimizer`` entry point.
"""

from __future__ import annotations

import click

from optimizer import __version__
from optimizer.cli.common import exit_code
from optimizer.cli.inputs import template, validate
from optimizer.cli.jobs import run_job_command
from optimizer.cli.planning import solve
from optimizer.cli.scenarios import compare, sweep

__all__ = ["main", "cli", "exit_code"]


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


for command in (template, validate, solve, compare, sweep, run_job_command):
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``optimizer`` command."""
    cli(prog_name="optimizer")


if __name__ == "__main__":
    main()
