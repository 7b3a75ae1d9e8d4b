"""The Excel cost report (``report.xlsx``): layout and formatting of precomputed tables.

Nothing here optimises or allocates: every figure comes from :class:`ProblemData`,
:class:`Solution` and :class:`Allocation`. The package only counts and tabulates (facilities
per type and decision, demand-weighted access distances) and writes.

Sheets, in reading order for someone who has not seen the model, one module each:

* 概要 Summary (``summary``): the result in numbers and in plain words; solver figures;
* 地図 Map (``map_sheet``): ``map.png`` (when given);
* グラフ Charts (``charts``): cost before / after per municipality; annual cost per type;
* 更新費用推移 Renewal (``renewal``): the 40-year renewal chart: capital outlay per year
  and type for renewing everything, each municipality alone and the plan, with averages;
  更新費用データ Renewal data: its figures by year, plan and type (when there are any);
* 人口見通し Outlook (``outlook``): the population per period and, per period and type,
  the demand against the plan's capacity (and today's), with any shortfall;
* 更新スケジュール Schedule (``schedule``): each municipal facility's new building,
  renovation and rebuild years, one column a year, closures greyed;
* 市町村別 Municipalities (``municipalities``): population, stand-alone cost, cost under
  the plan by component, saving;
* 負担方式 Allocation (``municipalities``): the allocation alternatives beside the
  stand-alone bound, with the allocation's notes;
* 施設別 Facilities (``facilities``): every facility: decision, capacity, use, users,
  cost, renewal year;
* サービス水準 Service levels (``service``): floor area of the municipalities' facilities
  today and under the plan; per type the residents within 1, 2, 5 km and the type's
  maximum distance per municipality, a chart of residents by distance, and the zones
  losing access;
* 廃止施設 Closures and 廃止手続 Closure steps (``comparison``): every closure with its
  nearest alternative and the residents it served; the legal steps of each closure;
* 協約 Agreements and 負担金 Payments (``agreements``): each pair: facilities used each
  way, payments each way and net; the payments facility by facility (quantity × unit
  cost in yen);
* 代替案 Alternatives (``alternatives``): the best plan and its next-best alternatives
  (only with ``--alternatives K``);
* 前提 Assumptions (``assumptions``): run, input file and sha256, overrides, parameters,
  facility types, software versions, method.

What the sheets share (sheet names, decision and status labels) is in ``common``; the
layout helpers (formats, tables with live totals, print set-up) in
:mod:`optimizer.outputs.xlsx_layout`.

Conventions:

* money is stored in yen and shown in 千円 (thousand yen) through the number format
  :data:`YEN_THOUSANDS` (``#,##0,``); negatives are shown with △ in red, the Japanese
  accounting convention; unit costs per capacity unit are shown in yen;
* totals and derived columns (plan cost, saving, saving rate, net payments) are live
  formulas that also carry their computed value, so readers that do not recalculate
  (openpyxl, viewers, pandas) see the same numbers as Excel;
* every user-supplied string is written as a text cell (a municipality called
  ``=HYPERLINK(...)`` stays text) and escaped in print headers;
* the workbook font is :data:`FONT` (Japanese-capable); every sheet prints on A4
  landscape, one page wide; a sheet whose table may run over several pages holds that
  one table, its header rows repeated on every page (a sheet with a second table
  repeats none); notes are wrapped within the print area;
* a value that rounds to zero in its displayed unit reads 0, never △0; a column that is
  empty in every row (a method the run left out) is not shown.

Reproducibility: the same inputs give the same bytes. The file's creation date is
``run_info["timestamp"]`` when given, else a fixed placeholder (1980-01-01, the date the
zip container uses too), and the solver's wall-clock time is printed only when
``run_info["show_timings"]`` is true (the run record ``manifest.json`` always has it).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.files import atomic_write_bytes
from optimizer.outputs.report.agreements import write_agreements, write_payments
from optimizer.outputs.report.alternatives import write_alternatives
from optimizer.outputs.report.assumptions import write_assumptions
from optimizer.outputs.report.charts import write_charts
from optimizer.outputs.report.common import OPTIONAL_SHEETS, SHEET_NAMES
from optimizer.outputs.report.comparison import write_closure_steps, write_closures
from optimizer.outputs.report.facilities import write_facilities
from optimizer.outputs.report.map_sheet import write_map
from optimizer.outputs.report.municipalities import (
    allocation_notes,
    write_allocation,
    write_municipalities,
)
from optimizer.outputs.report.outlook import write_outlook
from optimizer.outputs.report.renewal import write_renewal, write_renewal_data
from optimizer.outputs.report.schedule import write_schedule
from optimizer.outputs.report.sensitivity import write_sensitivity
from optimizer.outputs.report.service import write_service
from optimizer.outputs.report.summary import result_statement, type_summary, write_summary
from optimizer.outputs.xlsx_layout import FONT, YEN_THOUSANDS, Book, safe_sheet_name
from optimizer.problem.data import ProblemData
from optimizer.results.closures import closure_alternatives
from optimizer.results.outlays import plan_openings, yearly_outlays
from optimizer.results.ranking import Alternative
from optimizer.results.service import service_results
from optimizer.results.solution import Solution
from optimizer.sharing.allocation import Allocation
from optimizer.sharing.closures import closure_checklist

__all__ = [
    "write_report",
    "report_bytes",
    "safe_sheet_name",
    "type_summary",
    "result_statement",
    "allocation_notes",
    "SHEET_NAMES",
    "OPTIONAL_SHEETS",
    "FONT",
    "YEN_THOUSANDS",
]

log = logging.getLogger(__name__)

PLACEHOLDER_CREATED = datetime(1980, 1, 1)
"""The creation date stored when the run gives none (the zip container's own epoch)."""


def _created(run_info: dict) -> datetime | None:
    """The creation date to store: ``run_info["timestamp"]`` to the second, or ``None``."""
    stamp = run_info.get("timestamp")
    if stamp is None:
        return None
    if isinstance(stamp, str):
        stamp = datetime.fromisoformat(stamp)
    return stamp.replace(microsecond=0, tzinfo=None)


def _add_sheets(book: Book, wanted: dict[str, bool]) -> dict[str, Worksheet]:
    """The sheets in reading order (optional ones only when ``wanted``), without gridlines."""
    taken: list[str] = []
    sheets = {}
    for key, name in SHEET_NAMES.items():
        if key in OPTIONAL_SHEETS and not wanted[key]:
            continue
        sheets[key] = book.wb.add_worksheet(safe_sheet_name(name, taken))
        taken.append(sheets[key].name)
        sheets[key].hide_gridlines(2)
    return sheets


def report_bytes(
    problem: ProblemData,
    solution: Solution,
    allocation: Allocation,
    *,
    run_info: dict,
    map_png: Path | None = None,
    alternatives: Sequence[Alternative] = (),
    sensitivity: pd.DataFrame | None = None,
) -> bytes:
    """The report workbook as bytes (see :func:`write_report`).

    The sheets are filled in the order their references need (the summary and the charts
    point into the agreement and municipality tables); that order is also the order in
    which strings and formats enter the file, so it is part of the report's bytes.
    """
    created = _created(run_info)
    area = problem.parameters.area_name or "圏域"
    scenario = str(run_info.get("scenario", "base"))
    stream = io.BytesIO()
    book = Book(stream, f"{area} 広域連携計画（{scenario}）", created or PLACEHOLDER_CREATED)
    outlays = yearly_outlays(problem, plan_openings(problem, solution))
    sheets = _add_sheets(
        book,
        wanted={
            "alternatives": len(alternatives) > 1,
            "sensitivity": sensitivity is not None,
            "renewal_data": outlays.to_numpy().sum() > 0,
        },
    )
    pairs = write_agreements(book, sheets["agreements"], problem, solution, allocation)
    write_payments(book, sheets["payments"], problem, allocation)
    show_timings = bool(run_info.get("show_timings"))
    muni = write_municipalities(book, sheets["municipalities"], problem, allocation)
    write_allocation(book, sheets["allocation"], problem, allocation, show_timings)
    service = service_results(problem, solution)
    closures = closure_alternatives(problem, solution, service.access)
    write_summary(
        book,
        sheets["summary"],
        problem,
        solution,
        allocation,
        run_info,
        muni,
        pairs,
        service,
        closures,
    )
    write_map(book, sheets["map"], map_png, area)
    write_charts(book, sheets["charts"], problem, solution, muni)
    ranges = (
        write_renewal_data(book, sheets["renewal_data"], problem, outlays)
        if "renewal_data" in sheets
        else {}
    )
    write_renewal(book, sheets["renewal"], problem, outlays, ranges)
    write_outlook(book, sheets["outlook"], problem, solution)
    write_schedule(book, sheets["schedule"], problem, solution)
    write_facilities(book, sheets["facilities"], problem, solution)
    write_service(book, sheets["service"], problem, service)
    write_closures(book, sheets["closures"], problem, closures)
    write_closure_steps(book, sheets["closure_steps"], closure_checklist(problem, solution))
    if "alternatives" in sheets:
        write_alternatives(book, sheets["alternatives"], problem, alternatives)
    if sensitivity is not None:
        write_sensitivity(book, sheets["sensitivity"], problem, sensitivity)
    write_assumptions(book, sheets["assumptions"], problem, run_info, created, solution.outcome)
    sheets["summary"].activate()
    book.wb.close()
    return stream.getvalue()


def write_report(
    path: Path | str,
    problem: ProblemData,
    solution: Solution,
    allocation: Allocation,
    *,
    run_info: dict,
    map_png: Path | None = None,
    alternatives: Sequence[Alternative] = (),
    sensitivity: pd.DataFrame | None = None,
) -> Path:
    """Write ``report.xlsx`` atomically and return its path.

    Parameters
    ----------
    path
        Final file name; the workbook is built in memory and renamed into place whole.
    problem, solution, allocation
        The checked plan and its cost allocation; every figure comes from these.
    run_info
        What the report states about the run: ``scenario``, ``overrides`` (``"k=v"``
        strings or ``(target, value)`` pairs), ``input_name``, ``input_sha256``,
        ``versions`` (name → version), ``settings`` (run-time solver settings, ``None`` =
        the workbook's value); optional ``timestamp`` (datetime or ISO text, the
        creation date shown and stored) and ``show_timings`` (print the solver's time).
        Leave the optional keys out for a report that depends on inputs and settings
        only (byte-identical across runs).
    map_png
        ``map.png`` to embed on the map sheet (``None``: a note says there is none).
    alternatives
        The ranking of :func:`optimizer.solving.alternatives.find_alternatives` (best plan
        first); with two plans or more, the sheet 代替案 compares them.
    sensitivity
        The table of :func:`optimizer.runs.sensitivity.sensitivity`; given, the sheet
        感度分析 shows it with a tornado chart.
    """
    data = report_bytes(
        problem,
        solution,
        allocation,
        run_info=run_info,
        map_png=map_png,
        alternatives=alternatives,
        sensitivity=sensitivity,
    )
    path = atomic_write_bytes(path, data)
    log.info("report written: %s (%d bytes)", path, len(data))
    return path
