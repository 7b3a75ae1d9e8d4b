"""The embedded sample area: CSV sources in ``inputs/sample/`` → ``inputs/sample.xlsx``.

The sample is ILLUSTRATIVE: nine real neighbouring municipalities of western Tama
(西多摩, Tokyo) with their real city-hall coordinates, 2020 census populations and 75+
counts, but invented facilities, costs and candidate sites (see ``inputs/README.md``).
The CSV files are the reviewable source; the workbook is generated from them with
:func:`optimizer.workbook.reader.write_workbook`, byte for byte reproducibly.

Run ``python -m optimizer.sources.sample`` (or ``python inputs/build_sample.py``) to rebuild it.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from optimizer.errors import InputError
from optimizer.workbook.messages import format_issues
from optimizer.workbook.reader import read_tables, write_workbook
from optimizer.workbook.validate import clean_tables

__all__ = ["SAMPLE_DIR", "SAMPLE_CSV_DIR", "SAMPLE_WORKBOOK", "build_sample", "main"]

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "inputs"
SAMPLE_CSV_DIR = SAMPLE_DIR / "sample"
SAMPLE_WORKBOOK = SAMPLE_DIR / "sample.xlsx"

log = logging.getLogger(__name__)


def build_sample(
    csv_dir: str | Path = SAMPLE_CSV_DIR, out: str | Path = SAMPLE_WORKBOOK, lang: str = "ja"
) -> Path:
    """Write the sample workbook from its CSV sources.

    The CSV cells are typed by the schema (codes stay text, numbers become numbers)
    before writing; a cell that cannot be typed stops the build with
    :class:`~optimizer.errors.InputError`.
    """
    tables, issues = clean_tables(read_tables(csv_dir))
    errors = [item for item in issues if item.is_error]
    if errors:
        raise InputError(issues, format_issues(issues, "en"))
    path = write_workbook(tables, out, lang=lang)
    log.info("sample workbook written to %s", path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build inputs/sample.xlsx from inputs/sample/*.csv"
    )
    parser.add_argument("--csv-dir", default=str(SAMPLE_CSV_DIR))
    parser.add_argument("--out", default=str(SAMPLE_WORKBOOK))
    args = parser.parse_args(argv)
    try:
        path = build_sample(args.csv_dir, args.out)
    except InputError as error:
        parser.exit(2, format_issues(error.issues) + "\n")
    parser.exit(0, f"{path}\n")
    return 0


if __name__ == "__main__":
    main()
