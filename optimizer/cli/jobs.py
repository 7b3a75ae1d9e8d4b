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
from optimizer.cli.language import command, current_language
from optimizer.runs.jobs import run_job_report
from optimizer.runs.records import (
    job_record,
)


@command(
    "run-job",
    cls=JsonCommand,
    ja="""予定されたジョブのファイルを対話なしで実行します（cron や systemd タイマー向け）。

    終了コード: 0 正常、5 制限時間内に最適でない、4 実行不能、3 入力の誤り、
    6 検算で不合格、8 別の実行がロック中、1 内部エラー。ログはジョブの出力フォルダの
    job.log に追記します（言語はジョブの language、なければ OPTIMIZER_LANG、なければ ja）。

    例:

        optimizer run-job council.toml

        optimizer run-job council.toml --json   # 標準出力に JSON オブジェクトを 1 つ
    """,
)
@click.argument("job", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@handle_errors(lang_of)
def run_job_command(job: Path, as_json: bool) -> dict | None:
    """Run a scheduled job file (non-interactive; for cron or a systemd timer).

    Exit codes: 0 ok, 5 not optimal within the time limit, 4 infeasible, 3 bad input,
    6 failed check, 8 another run holds the lock, 1 internal error. The log is appended
    to job.log in the job's output folder (in the job's language, else OPTIMIZER_LANG,
    else ja).

    Example:

        optimizer run-job council.toml

        optimizer run-job council.toml --json   # one JSON object on standard output
    """

    setup_logging(quiet=True)
    report = run_job_report(job, current_language())
    if as_json:
        return job_record(report)
    sys.exit(report.exit_code)
