"""The sheet 更新スケジュール Schedule: each municipal facility's works year by year.

A Gantt-like table, one row per facility of the municipalities (existing, and candidates
the plan builds), one narrow column per year of the horizon: 新 a new building, 改 a
large renovation, 建 a rebuild, by the MIC method (:func:`optimizer.problem.costs.renewal_schedule`);
a facility the plan closes is greyed from the base year. Private and prefectural
facilities are in no municipality's plan and are left out.
"""

from __future__ import annotations

import numpy as np
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.common import DECISIONS, SHEET_NAMES
from optimizer.outputs.xlsx_layout import (
    Book,
    Col,
    fit_width,
    page_setup,
    set_widths,
    write_note,
    write_table,
    write_title,
)
from optimizer.problem.costs import municipal, renewal_schedule
from optimizer.problem.data import ProblemData
from optimizer.problem.names import type_name
from optimizer.results.solution import Solution

__all__ = ["write_schedule", "WORKS"]

WORKS = {
    "build": ("新", "#9DC3E6"),
    "renovation": ("改", "#FFE699"),
    "rebuild": ("建", "#F4B183"),
}
"""Each work's mark and fill in the year columns."""
CLOSED_FILL = "#D9D9D9"
YEAR_WIDTH = 3.0

NOTE = (
    "新＝新設、改＝大規模改修、建＝建替え（総務省「公共施設等更新費用試算ソフト」の方法：30年目に"
    "大規模改修、60年目に建替え、積み残しは初めの年に平準化）。灰色は計画で廃止する施設で、"
    "計画は基準年度からの廃止を前提にしています。年度の列は西暦の下2桁です。"
)


def write_schedule(book: Book, ws: Worksheet, problem: ProblemData, solution: Solution) -> None:
    """One row per municipal facility the plan keeps, builds or closes, by type then host."""
    facilities = problem.facilities
    decisions = solution.facilities["decision"].reindex(facilities.index).astype(str)
    shown = municipal(facilities) & (decisions != "not_built").to_numpy()
    _, works = renewal_schedule(facilities, problem.facility_types, problem.parameters)
    years = [int(y) for y in works.columns]
    top = write_title(
        book,
        ws,
        f"施設ごとの更新スケジュール（{years[0]}〜{years[-1]}年度）　Schedule",
        "計画で存続・新設・廃止する市町村の施設の、年度ごとの新設・大規模改修・建替え。",
    )
    names = problem.municipalities["name"].astype(str)
    order = {k: n for n, k in enumerate(problem.types)}
    ids = sorted(
        facilities.index[shown],
        key=lambda j: (
            order.get(str(facilities.at[j, "type"]), 99),
            str(facilities.at[j, "municipality"]),
            str(j),
        ),
    )
    records, fills = [], []
    for fid in ids:
        row = facilities.loc[fid]
        decision = decisions[fid]
        closed = decision == "close"
        record = {
            "name": str(row.get("name", fid)),
            "type": type_name(problem, str(row["type"])),
            "host": names.get(str(row["municipality"]), str(row["municipality"])),
            "decision": DECISIONS.get(decision, (decision, None))[0],
            "area": row.get("floor_area_m2", np.nan),
        }
        fill = {"decision": DECISIONS.get(decision, ("", None))[1]}
        for year in years:
            work = works.at[fid, year]
            key = f"y{year}"
            record[key] = "" if closed else WORKS[work][0] if work else ""
            fill[key] = CLOSED_FILL if closed else WORKS[work][1] if work else None
        records.append(record)
        fills.append(fill)
    cols = [
        Col("name", "施設名", "Facility", "text", fit_width((r["name"] for r in records), 14, 26)),
        Col("type", "類型", "Type", "text", fit_width((r["type"] for r in records), 8, 16)),
        Col("host", "所在", "Host", "text", fit_width((r["host"] for r in records), 6, 12)),
        Col("decision", "方針", "Plan", "text", 8),
        Col("area", "延床面積\n（m²）", "Floor area", "int", 9),
        *[Col(f"y{y}", f"{y % 100:02d}", str(y), "text", YEAR_WIDTH) for y in years],
    ]
    table = write_table(
        book, ws, top, cols, records, total_label=None, fills=fills, header_height=30
    )
    ws.freeze_panes(top + 2, 5)
    write_note(book, ws, table.bottom + 1, NOTE)
    set_widths(book, ws, cols)
    page_setup(book, ws, SHEET_NAMES["schedule"], table.bottom + 1, len(cols) - 1, (top, top + 1))
