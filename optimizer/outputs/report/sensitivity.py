"""The sensitivity sheet (感度分析): the plan again with each lever −20 % and +20 %, one at
a time, as a table and as a tornado chart of the annual saving.

The table comes from :func:`optimizer.runs.sensitivity.sensitivity` (one row for the
base plan, then one per lever and factor).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.charts import ALONE_COLOUR
from optimizer.outputs.report.common import SHEET_NAMES
from optimizer.outputs.xlsx_layout import (
    FONT,
    HEADER_FILL,
    Book,
    Col,
    fit_width,
    page_setup,
    set_widths,
    write_note,
    write_section,
    write_table,
    write_title,
)
from optimizer.problem.data import ProblemData
from optimizer.problem.levers import LEVER_NAMES_JA
from optimizer.problem.names import type_name

__all__ = ["write_sensitivity", "tornado_rows"]


def _label(lever: str, factor: float) -> str:
    if lever == "base":
        return "基本ケース"
    return f"{LEVER_NAMES_JA.get(lever, lever)} {factor - 1:+.0%}"


def tornado_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Per lever, the change of the annual saving against the base at the low and the
    high factor [yen/year], widest swing first (the order of a tornado chart)."""
    base = float(table.loc[table["lever"] == "base", "saving"].iloc[0])
    rows = []
    for lever, group in table[table["lever"] != "base"].groupby("lever", sort=False):
        low = group.sort_values("factor").iloc[0]
        high = group.sort_values("factor").iloc[-1]
        rows.append(
            {
                "lever": LEVER_NAMES_JA.get(str(lever), str(lever)),
                "low": float(low["saving"]) - base,
                "high": float(high["saving"]) - base,
                "low_factor": float(low["factor"]),
                "high_factor": float(high["factor"]),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    swing = (frame["high"] - frame["low"]).abs().fillna(0.0)
    return frame.assign(swing=swing).sort_values("swing").drop(columns="swing")


def _axis_reach(values: np.ndarray) -> float:
    """The end of a value axis symmetric about 0 that holds ``values`` [yen]: the largest
    magnitude rounded up to 1, 2, 4, 5, 6 or 8 times a power of ten (1,000 yen at least),
    so that half of it, the axis' step, is a round number too."""
    magnitudes = np.abs(values[np.isfinite(values)])
    largest = max(1000.0, float(magnitudes.max()) if magnitudes.size else 0.0)
    power = 10 ** math.floor(math.log10(largest))
    return next(step * power for step in (1, 2, 4, 5, 6, 8, 10) if step * power >= largest)


def write_sensitivity(book: Book, ws: Worksheet, problem: ProblemData, table: pd.DataFrame) -> None:
    """The variants' figures and the tornado chart of the saving."""
    top = write_title(
        book,
        ws,
        "感度分析　Sensitivity",
        "前提を一つずつ±20%変えて計画を計算し直した結果です。結論がどの前提に左右されるかを示します。",
    )
    records = []
    for row in table.to_dict("records"):
        record = dict(row)
        record["case"] = _label(str(row["lever"]), float(row["factor"]))
        for key in ("plan_cost", "standalone_cost", "saving", "saving_share"):
            value = record.get(key)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                record[key] = None
        records.append(record)
    cols = [
        Col("case", "ケース", "Case", "text", fit_width((r["case"] for r in records), 24, 40)),
        Col("status", "状態", "Status", "text", 10),
        Col("standalone_cost", "単独の場合\n（千円/年）", "Alone", "money", 14),
        Col("plan_cost", "計画\n（千円/年）", "Plan", "money", 14),
        Col("saving", "削減額\n（千円/年）", "Saving", "money", 14),
        Col("saving_share", "削減率", "Saving rate", "pct", 9),
        Col("agreements", "協約数", "Agreements", "int", 8),
    ]
    for kind in problem.types:
        name = type_name(problem, kind)
        width = fit_width([name], 9, 12)
        cols.append(Col(f"closed_{kind}", f"廃止\n{name}", f"Closed {kind}", "int", width))
        cols.append(Col(f"built_{kind}", f"新設\n{name}", f"Built {kind}", "int", width))
    cols.append(Col("unserved", "充足できない\n需要", "Unserved", "qty", 11))
    set_widths(book, ws, cols)
    where = write_table(book, ws, top, cols, records, total_label=None)
    row = where.bottom + 1
    write_note(
        book,
        ws,
        row,
        "各ケースは一つの前提だけを変え、その他は基本ケースと同じです（需要＝一人当たり需要、"
        "容量＝全施設の容量、施設の費用＝運営費・修繕・改修・建替え・新設費、移動費用＝"
        "利用者の移動費用、協約の固定費）。単独の場合の費用も同じ前提で計算し直しています。",
    )
    row += 2
    tornado = tornado_rows(table)
    if not tornado.empty:
        row = _write_tornado(book, ws, row, tornado)
    # Two tables on one sheet: no header rows repeated (they would be the cases' over the
    # tornado's data); the cases are few, one per lever and factor.
    page_setup(book, ws, SHEET_NAMES["sensitivity"], row, len(cols) - 1)


def _write_tornado(book: Book, ws: Worksheet, row: int, tornado: pd.DataFrame) -> int:
    """The tornado chart's data (below) and the chart; returns the next free row."""
    row = write_section(book, ws, row, "削減額の変化（基本ケースとの差）　Change of the saving", 8)
    data_top = row
    cols = [
        Col("lever", "前提", "Lever", "text"),
        Col("low", "−20%のとき\n（千円/年）", "At −20 %", "money"),
        Col("high", "+20%のとき\n（千円/年）", "At +20 %", "money"),
    ]
    where = write_table(book, ws, data_top, cols, tornado.to_dict("records"), total_label=None)
    sheet = SHEET_NAMES["sensitivity"]
    chart = book.wb.add_chart({"type": "bar"})
    font = {"name": FONT, "size": 9}
    for column, name, colour in (
        (1, "前提を−20%", ALONE_COLOUR),
        (2, "前提を+20%", HEADER_FILL),
    ):
        chart.add_series(
            {
                "name": name,
                "categories": [sheet, where.first, 0, where.last, 0],
                "values": [sheet, where.first, column, where.last, column],
                "fill": {"color": colour},
                "overlap": 100,
                "gap": 40,
            }
        )
    chart.set_title({"name": "削減額の変化（千円/年）", "name_font": {**font, "size": 11}})
    # The changes run both ways from the base case: an axis symmetric about 0, so that a
    # bar's length compares with every other.
    reach = _axis_reach(tornado[["low", "high"]].to_numpy(dtype=float))
    chart.set_x_axis(
        {
            "min": -reach,
            "max": reach,
            "major_unit": reach / 2,
            "num_format": "#,##0,",
            "num_font": font,
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    chart.set_y_axis({"num_font": font, "label_position": "low"})
    chart.set_legend({"position": "bottom", "font": font})
    chart.set_size({"width": 760, "height": 60 + 42 * len(tornado)})
    anchor = where.bottom + 2
    ws.insert_chart(anchor, 0, chart)
    return anchor + int((60 + 42 * len(tornado)) / 20) + 2
