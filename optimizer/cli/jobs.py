"""The ``run-job`` command: a scheduled job file, non-interactive."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from optimizer.cli.common import (
    JsonCommand,
    handle_errors,
    json_option,
    lang_of,
    setup_logging,
)
from optimizer.runs.jobs import run_job_report
from optimizer.runs.records import (
    job_record,
)


@click.command("run-job", cls=JsonCommand)
@click.argument("job", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@handle_errors(lang_of)
def run_job_command(job: Path, as_json: bool) -> dict | None:
    """Run a scheduled job file (non-interactive; for cron or a systemd timer).

    Exit codes: 0 ok, 5 not optimal within the time limit, 4 infeasible, 3 bad input,
    6 failed check, 8 another run holds the lock, 1 internal error. The log is appended
    to job.log in the job's output folder.

    Example:

        optimizer run-job council.toml

        optimizer run-job council.toml --json   # one JSON object on standard output
    """

    setup_logging(quiet=True)
    report = run_job_report(job)
    if as_json:
        return job_record(report)
    sys.exit(report.exit_code)
