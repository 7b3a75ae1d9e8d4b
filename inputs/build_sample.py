"""Rebuild inputs/sample.xlsx from inputs/sample/*.csv: ``python inputs/build_sample.py``."""

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.errors import InputError  # noqa: E402
from optimizer.outputs.workbooks import write_workbook  # noqa: E402
from optimizer.sources.sample import SAMPLE_CSV_DIR, SAMPLE_WORKBOOK, sample_tables  # noqa: E402
from optimizer.workbook.messages import format_issues  # noqa: E402

log = logging.getLogger("optimizer.sources.sample")


def build_sample(
    csv_dir: str | Path = SAMPLE_CSV_DIR, out: str | Path = SAMPLE_WORKBOOK, lang: str = "ja"
) -> Path:
    """Write the sample workbook from its CSV sources (raises InputError on a bad cell)."""
    path = write_workbook(sample_tables(csv_dir), out, lang=lang)
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
    main(sys.argv[1:])
