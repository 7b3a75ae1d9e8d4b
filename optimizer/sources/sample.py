"""The embedded sample area: CSV sources in ``inputs/sample/`` → ``inputs/sample.xlsx``.

The sample is ILLUSTRATIVE: nine real neighbouring municipalities of western Tama
(西多摩, Tokyo) with their real city-hall coordinates, 2020 census populations and 75+
counts, but invented facilities, costs and candidate sites (see ``inputs/README.md``).
The CSV files are the reviewable source; :func:`sample_tables` types them by the schema,
and ``python inputs/build_sample.py`` writes them as the workbook with
:func:`optimizer.outputs.workbooks.write_workbook`, byte for byte reproducibly.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from optimizer.errors import InputError
from optimizer.workbook.assemble import clean_tables
from optimizer.workbook.messages import format_issues
from optimizer.workbook.reader import read_tables

__all__ = ["SAMPLE_DIR", "SAMPLE_CSV_DIR", "SAMPLE_WORKBOOK", "sample_tables"]

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "inputs"
SAMPLE_CSV_DIR = SAMPLE_DIR / "sample"
SAMPLE_WORKBOOK = SAMPLE_DIR / "sample.xlsx"


def sample_tables(csv_dir: str | Path = SAMPLE_CSV_DIR) -> dict[str, pd.DataFrame]:
    """The sample's tables from its CSV sources, typed by the schema.

    Codes stay text, numbers become numbers; a cell that cannot be typed stops with
    :class:`~optimizer.errors.InputError`.
    """
    tables, issues = clean_tables(read_tables(csv_dir))
    if any(item.is_error for item in issues):
        raise InputError(issues, format_issues(issues, "en"))
    return tables
