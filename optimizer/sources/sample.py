"""The embedded sample area: CSV sources in ``inputs/sample/`` → ``inputs/sample.xlsx``.

The sample is ILLUSTRATIVE: nine real neighbouring municipalities of western Tama
(西多摩, Tokyo) with their real city-hall coordinates, 2020 census populations and 75+
counts, but invented facilities, costs and candidate sites (see ``inputs/README.md``).
The CSV files are the reviewable source; :func:`sample_tables` types them by the schema,
and ``python inputs/build_sample.py`` writes them as the workbook with
:func:`optimizer.outputs.workbooks.write_workbook`, byte for byte reproducibly.

``inputs/`` of the project is the sample's one source. A built wheel carries a copy of
the workbook as ``optimizer/sources/sample.xlsx`` (the build step in ``setup.py``), so
that ``optimizer solve`` without a workbook works after ``pip install`` too:
:func:`sample_workbook` takes the project's ``inputs/sample.xlsx`` when the package runs
from its clone (an editable install), else that packaged copy.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from optimizer.errors import InputError
from optimizer.workbook.assemble import clean_tables
from optimizer.workbook.messages import format_issues
from optimizer.workbook.reader import read_tables

__all__ = [
    "SAMPLE_DIR",
    "SAMPLE_CSV_DIR",
    "PACKAGED_SAMPLE",
    "SAMPLE_WORKBOOK",
    "sample_workbook",
    "sample_tables",
]

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "inputs"
"""``inputs/`` of the project's clone (absent in an installed wheel)."""
SAMPLE_CSV_DIR = SAMPLE_DIR / "sample"
SAMPLE_WORKBOOK = SAMPLE_DIR / "sample.xlsx"
"""The project's sample workbook, the one ``inputs/build_sample.py`` writes; what a run
reads is :func:`sample_workbook`."""
PACKAGED_SAMPLE = "sample.xlsx"
"""The workbook's name among this package's resources (``optimizer.sources``) in a
wheel; the build copies it from ``inputs/sample.xlsx``."""


def sample_workbook() -> Path:
    """The embedded sample workbook: the clone's ``inputs/sample.xlsx`` when there is one
    (beside ``pyproject.toml``), else the copy packaged with ``optimizer.sources``.

    When neither exists (a clone whose sample was never built), the clone's path is
    returned, and reading it fails as for any missing workbook.
    """
    clone = SAMPLE_DIR / "sample.xlsx"
    if clone.is_file() and (SAMPLE_DIR.parent / "pyproject.toml").is_file():
        return clone
    packaged = resources.files("optimizer.sources").joinpath(PACKAGED_SAMPLE)
    # An installed package is a folder of files, so the resource has a real path (a
    # zipped import, which no pip install makes, would have none).
    return packaged if isinstance(packaged, Path) and packaged.is_file() else clone


def sample_tables(csv_dir: str | Path = SAMPLE_CSV_DIR) -> dict[str, pd.DataFrame]:
    """The sample's tables from its CSV sources, typed by the schema.

    Codes stay text, numbers become numbers; a cell that cannot be typed stops with
    :class:`~optimizer.errors.InputError`.
    """
    tables, issues = clean_tables(read_tables(csv_dir))
    if any(item.is_error for item in issues):
        raise InputError(issues, format_issues(issues, "en"))
    return tables
