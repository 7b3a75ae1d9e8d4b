"""The sheet 更新費用推移 Renewal outlays: the 40-year renewal chart in native Excel charts.

A summary per plan (total over the horizon, annual average, the peak year, the saving
against renewing everything), one stacked column chart per plan (outlay per year by
type, its annual average as a line, all on one scale), and the yearly table. The charts'
series stand on the sheet 更新費用データ, one table of years by plan and type.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.renewal_chart import TYPE_COLOURS
from optimizer.outputs.report.charts import ROW_PIXELS, Range
from optimizer.outputs.report.common import SHEET_NAMES, yen_words
from optimizer.outputs.xlsx_layout import (
    FONT,
    Book,
    Col,
    finish_table_sheet,
    fit_width,
    page_setup,
    set_widths,
    write_note,
    write_section,
    write_table,
    write_title,
)
from optimizer.problem.data import ProblemData
from optimizer.problem.names import type_name
from optimizer.results.outlays import (
    PLANS,
    outlay_summary,
    plan_openings,
    plan_totals,
    yearly_outlays,
)
from optimizer.results.solution import Solution

__all__ = ["write_renewal", "write_renewal_data", "outlay_statement"]

TOTALS_HEIGHT = 300
"""Height of the chart of the three plans' totals [px]."""
PLAN_HEIGHT = 180
"""Height of each plan's chart by type [px]: three fit on one printed page."""
PLAN_COLOURS = ("#A6A6A6", "#ED7D31", "#1F4E78")
"""Lines of renewing everything (grey), each alone (orange) and the plan (the header blue)."""
PRINT_COLS = 6
"""Columns of the sheet (the summary table's)."""
AVERAGE_COLOUR = "#C00000"

NOTE = (
    "市町村の施設について、各計画で存続・新設する施設の大規模改修・建替え・新設の費用"
    "（割引前）を、総務省「公共施設等更新費用試算ソフト」の方法で年度ごとに積み上げたものです"
    "（30年目に大規模改修、60年目に建替え、積み残しは初めの年に平準化）。廃止する施設の費用は"
    "基準年度から計上していません。民間・都道府県の施設は含みません。"
)

NO_OUTLAYS = (
    "どの施設にも床面積（floor_area_m2）も更新費用（renewal_cost）もないため、更新費用の推移は"
    "計算できません。facilities シートに床面積と建築年を入力してください。"
)


def write_renewal_data(
    book: Book, ws: Worksheet, problem: ProblemData, outlays: pd.DataFrame
) -> dict[str, dict[str, Range]]:
    """The sheet 更新費用データ: the charts' series as one table, a block of years per
    plan (year, plan, each type, the total, the average). Returns plan → series name →
    its cell range, for the charts of :func:`write_renewal`."""
    title = SHEET_NAMES["renewal_data"]
    top = write_title(
        book,
        ws,
        "更新費用の推移のデータ　Renewal outlays by year and type",
        "金額は千円（割引前）。",
    )
    names = [type_name(problem, k) for k in problem.types]
    cols = [
        Col("year", "年度", "Year", "year", 8),
        Col("plan", "計画", "Plan", "text", fit_width((p[0] for p in PLANS.values()), 12, 16)),
        *[
            Col(f"type_{n}", name, kind, "money", fit_width([name], 11, 16))
            for n, (kind, name) in enumerate(zip(problem.types, names, strict=True))
        ],
        Col("total", "計", "Total", "money", 13),
        Col("average", "年平均", "Average", "money", 13),
    ]
    plans = list(dict.fromkeys(outlays.columns.get_level_values("plan")))
    records = []
    by_plan = plan_totals(outlays)
    for plan in plans:
        totals = by_plan[plan].to_numpy(float)
        for n, year in enumerate(outlays.index):
            row = {"year": int(year), "plan": PLANS[plan][0], "total": float(totals[n])}
            row |= {
                f"type_{m}": float(outlays.at[year, (plan, kind)])
                for m, kind in enumerate(problem.types)
            }
            records.append(row | {"average": float(totals.mean())})
    table = write_table(book, ws, top, cols, records, total_label=None)
    here = SHEET_NAMES["renewal_data"]
    years = len(outlays.index)
    ranges: dict[str, dict[str, Range]] = {}
    for p, plan in enumerate(plans):
        first, last = table.first + p * years, table.first + (p + 1) * years - 1
        at = {
            "年度": "year",
            **{name: f"type_{n}" for n, name in enumerate(names)},
            "計": "total",
            "年平均": "average",
        }
        ranges[plan] = {
            name: [here, first, table.columns[key], last, table.columns[key]]
            for name, key in at.items()
        }
    finish_table_sheet(book, ws, top, table, cols, title, NOTE, frozen_cols=2)
    return ranges


def _axes(chart: Any, title: str, top_value: float, size: tuple[int, int]) -> None:
    """Title, a year axis labelled every 5 years, a 百万円 axis from 0 to ``top_value``
    (the same on every chart of the sheet), the legend below, the size in pixels."""
    font = {"name": FONT, "size": 9}
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 11}})
    chart.set_x_axis({"num_font": font, "interval_unit": 5, "interval_tick": 1})
    chart.set_y_axis(
        {
            "min": 0,
            "max": top_value,
            "num_format": "#,##0,,",
            "num_font": font,
            "name": "百万円",
            "name_font": font,
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    chart.set_legend({"position": "bottom", "font": font})
    chart.set_size({"width": size[0], "height": size[1]})


def _totals_chart(
    book: Book, ranges: dict[str, dict[str, Range]], top_value: float, size: tuple[int, int]
) -> Any:
    """One line per plan (its outlay per year) and its average as a dashed line."""
    chart = book.wb.add_chart({"type": "line"})
    for plan, colour in zip(ranges, PLAN_COLOURS, strict=False):
        series = ranges[plan]
        for key, dash, width in (("計", "solid", 2.0), ("年平均", "dash", 1.25)):
            name = PLANS[plan][0] + ("" if key == "計" else "（年平均）")
            chart.add_series(
                {
                    "name": name,
                    "categories": series["年度"],
                    "values": series[key],
                    "line": {"color": colour, "dash_type": dash, "width": width},
                    "marker": {"type": "none"},
                }
            )
    _axes(chart, "年度別の更新費用：3つの計画", top_value, size)
    return chart


def _plan_chart(
    book: Book, title: str, series: dict[str, Range], top_value: float, size: tuple[int, int]
) -> Any:
    """Stacked columns per type with the average as a line, the axis from 0 to ``top_value``."""
    chart = book.wb.add_chart({"type": "column", "subtype": "stacked"})
    years = series["年度"]
    kinds = [k for k in series if k not in ("年度", "計", "年平均")]
    for n, name in enumerate(kinds):
        chart.add_series(
            {
                "name": name,
                "categories": years,
                "values": series[name],
                "fill": {"color": TYPE_COLOURS[n % len(TYPE_COLOURS)]},
                "gap": 40,
            }
        )
    line = book.wb.add_chart({"type": "line"})
    line.add_series(
        {
            "name": "年平均",
            "categories": years,
            "values": series["年平均"],
            "line": {"color": AVERAGE_COLOUR, "dash_type": "dash", "width": 1.5},
            "marker": {"type": "none"},
        }
    )
    chart.combine(line)
    _axes(chart, title, top_value, size)
    return chart


def _nice_top(value: float) -> float:
    """An axis maximum a little above ``value``: 1, 2 or 5 × a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value * 1.05))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value * 1.05)


def write_renewal(
    book: Book,
    ws: Worksheet,
    problem: ProblemData,
    outlays: pd.DataFrame,
    ranges: dict[str, dict[str, Range]],
) -> None:
    """The sheet: the summary per plan, the chart of the plans' totals and one chart per
    plan by type (their series in ``ranges``, from :func:`write_renewal_data`), the
    yearly totals."""
    years = outlays.index.to_numpy(int)
    top = write_title(
        book,
        ws,
        f"更新費用の推移（{years[0]}〜{years[-1]}年度）　Renewal outlays",
        "金額は千円（割引前）。市町村の施設の改修・建替え・新設の費用。",
    )
    summary = outlay_summary(outlays)
    plans = list(summary.index)
    if not summary["total"].max() > 0:
        write_note(book, ws, top, NO_OUTLAYS)
        page_setup(book, ws, SHEET_NAMES["renewal"], top, PRINT_COLS - 1)
        return
    cols = [
        Col("plan", "計画", "Plan", "text", 22),
        Col("total", f"{len(years)}年間の総額\n（千円）", "Total", "money", 16),
        Col("average", "年平均\n（千円）", "Average per year", "money", 14),
        Col("peak_year", "最大の年度", "Peak year", "year", 10),
        Col("peak", "その年度の額\n（千円）", "Peak outlay", "money", 14),
        Col("saving", "全施設更新に\n対する削減率", "Saving vs renew", "pct", 12),
    ]
    records = [
        {
            "plan": PLANS[p][0],
            "total": float(summary.at[p, "total"]),
            "average": float(summary.at[p, "average"]),
            "peak_year": int(summary.at[p, "peak_year"]),
            "peak": float(summary.at[p, "peak"]),
            "saving": None if p == "renew_all" else float(summary.at[p, "saving"]),
        }
        for p in plans
    ]
    table = write_table(book, ws, top, cols, records, total_label=None)
    row = table.bottom + 2
    top_value = _nice_top(float(summary["peak"].max()))
    width = sum(int(c.width * 7 + 5) for c in cols)
    ws.insert_chart(row, 0, _totals_chart(book, ranges, top_value, (width, TOTALS_HEIGHT)))
    row += math.ceil(TOTALS_HEIGHT / ROW_PIXELS) + 1
    breaks = [row]
    row = write_section(book, ws, row, "類型別の更新費用　Outlay by type", PRINT_COLS)
    for plan in plans:
        title = f"{PLANS[plan][0]}（年平均 {summary.at[plan, 'average'] / 1e8:,.1f}億円）"
        chart = _plan_chart(book, title, ranges[plan], top_value, (width, PLAN_HEIGHT))
        ws.insert_chart(row, 0, chart)
        row += math.ceil(PLAN_HEIGHT / ROW_PIXELS) + 1
    breaks.append(row)
    ws.set_h_pagebreaks(breaks)
    row = write_section(book, ws, row, "年度別の総額（千円）　Outlay per year", PRINT_COLS)
    totals = plan_totals(outlays)
    year_cols = [Col("year", "年度", "Year", "year", 10)] + [
        Col(p, PLANS[p][0], PLANS[p][1], "money", 16, total=True) for p in plans
    ]
    yearly = [{"year": int(y), **{p: float(totals.at[y, p]) for p in plans}} for y in totals.index]
    last_table = write_table(book, ws, row, year_cols, yearly)
    write_note(book, ws, last_table.bottom + 1, NOTE)
    set_widths(book, ws, cols)
    page_setup(book, ws, SHEET_NAMES["renewal"], last_table.bottom + 1, PRINT_COLS - 1)


def outlay_statement(problem: ProblemData, solution: Solution) -> list[str]:
    """The 40-year outlays in one sentence for the summary: each plan's total and annual
    average, and what the plan saves against renewing everything and against each alone."""
    summary = outlay_summary(yearly_outlays(problem, plan_openings(problem, solution)))
    if not summary["total"].max() > 0:
        return []  # no floor areas or renewal costs: nothing to tell
    years = problem.parameters.horizon_years
    parts = [
        f"{PLANS[p][0]}{'では' if p != 'renew_all' else 'すると'}{yen_words(summary.at[p, 'total'])}"
        f"（年平均{yen_words(summary.at[p, 'average'])}）"
        for p in summary.index
    ]
    line = f"{years}年間の更新費用（改修・建替え・新設、割引前）は、" + "、".join(parts) + "です。"
    shared = float(summary.at["shared", "total"])
    for key, label in (("renew_all", "全施設の更新"), ("alone", "各市町村単独")):
        if key in summary.index and summary.at[key, "total"] > 0:
            change = 1.0 - shared / float(summary.at[key, "total"])
            word = "少なく" if change >= 0 else "多く"
            line += f"計画は{label}より{abs(change):.1%}{word}なります。"
    return [line.replace("なります。計画は", "なり、")]
