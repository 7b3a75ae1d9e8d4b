"""A cut-down sample area for tests that run the whole pipeline several times.

The first municipalities of the embedded sample (western Tama) with their facilities
and the candidate sites they host, written as an input workbook through
:func:`optimizer.outputs.workbooks.write_workbook`. Rules and travel rows that name a dropped
municipality are dropped with it; the scenarios sheet is kept. Care homes get
:data:`CARE_BEDS_FACTOR` times their beds: without the dropped neighbours' beds, 青梅市
could not place all its care demand, and the tests want a plan that serves everyone.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from optimizer.outputs.workbooks import write_workbook
from optimizer.sources.sample import SAMPLE_CSV_DIR
from optimizer.workbook.assemble import clean_tables
from optimizer.workbook.reader import read_tables

__all__ = ["sample_tables", "write_small_area", "CARE_BEDS_FACTOR"]

CARE_BEDS_FACTOR = 1.3


def sample_tables() -> dict[str, pd.DataFrame]:
    """The sample's tables, typed by the schema."""
    tables, _ = clean_tables(read_tables(SAMPLE_CSV_DIR))
    return tables


def write_small_area(
    path: Path,
    n_municipalities: int = 4,
    parameters: dict[str, object] | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
) -> Path:
    """Write the first ``n_municipalities`` of the sample to ``path`` (.xlsx).

    ``parameters`` replaces values of the ``parameters`` sheet (by name).
    """
    tables = {name: frame.copy() for name, frame in (tables or sample_tables()).items()}
    codes = set(tables["municipalities"]["code"].astype(str).head(n_municipalities))
    tables["municipalities"] = tables["municipalities"].head(n_municipalities)
    for name in ("facilities", "candidates"):
        frame = tables[name]
        tables[name] = frame[frame["municipality"].astype(str).isin(codes)]
    care = tables["facilities"]["type"] == "care"
    tables["facilities"].loc[care, "capacity"] *= CARE_BEDS_FACTOR
    kept_facilities = set(tables["facilities"]["id"]) | set(tables["candidates"]["id"])
    # Residents at the city halls: the scenarios of these tests (a library reach of 8 km
    # instead of 10) are calibrated on that; zones are tested on the whole sample.
    tables.pop("zones", None)
    rules = tables["rules"]
    tables["rules"] = rules[rules["municipality"].astype(str).isin(codes)]
    travel = tables["travel"]
    tables["travel"] = travel[
        travel["municipality"].astype(str).isin(codes) & travel["facility"].isin(kept_facilities)
    ]
    params = tables["parameters"].set_index("name")
    for name, value in (parameters or {}).items():
        params.loc[name, "value"] = value
    tables["parameters"] = params.reset_index()
    return write_workbook(tables, path, lang="en", instructions=False)
