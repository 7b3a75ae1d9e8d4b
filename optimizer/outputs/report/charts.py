"""The chart sheet (グラフ): cost alone and under the plan per municipality, and the
annual facility cost per type with every existing facility renewed and under the plan;
and :func:`distance_chart`, the lines of residents by distance that the service sheet
draws per type."""

from __future__ import annotations

import math
from typing import Any

from xlsxwriter.chart import Chart
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.common import SHEET_NAMES
from optimizer.outputs.xlsx_layout import (
    FONT,
    HEADER_FILL,
    Book,
    Col,
    TableRange,
    fit_width,
    page_setup,
    set_widths,
    write_note,
    write_table,
    write_title,
)
from optimizer.problem.data import ProblemData
from optimizer.problem.names import type_name
from optimizer.results.solution import Solution

__all__ = ["write_charts", "distance_chart", "ALONE_COLOUR", "Range"]

ALONE_COLOUR = "#A6A6A6"
"""Bars of the cost without the plan (grey); the plan's bars are in the header blue."""

BY_TYPE_HEIGHT = 300
"""Height of the chart of the cost per type [px]."""
ROW_PIXELS = 18
"""Height of a row of the default height [px]: 13.5 pt."""

Range = list[str | int]
"""Cells of a chart series: [sheet, first row, first column, last row, last column]."""


def _column_range(sheet: str, table: TableRange, column: int) -> Range:
    """The data rows of one column of a table."""
    return [sheet, table.first, column, table.last, column]


def _add_bars(
    chart: Chart, categories: Range, series: list[tuple[str, str, Range]], gap: int
) -> None:
    """One series of bars per (name, colour, values)."""
    for name, colour, values in series:
        chart.add_series(
            {
                "name": name,
                "categories": categories,
                "values": values,
                "fill": {"color": colour},
                "gap": gap,
            }
        )


def _money_axis(font: dict[str, Any]) -> dict[str, Any]:
    """An axis in 千円/年 from 0 (bars compare lengths: an axis starting above 0 would
    make a small difference look large), with light gridlines."""
    return {
        "min": 0,
        "num_format": "#,##0,",
        "num_font": font,
        "name": "千円/年",
        "name_font": font,
        "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
    }


def _lay_out(
    chart: Chart,
    title: str,
    x_axis: dict[str, Any],
    y_axis: dict[str, Any],
    font: dict[str, Any],
    height: int,
    width: int = 760,
) -> None:
    """Title, axes, the legend below, and the size (the chart sheet's are one width)."""
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12 if width > 600 else 10}})
    chart.set_x_axis(x_axis)
    chart.set_y_axis(y_axis)
    chart.set_legend({"position": "bottom", "font": font})
    chart.set_size({"width": width, "height": height})


def distance_chart(
    book: Book,
    title: str,
    distances: Range,
    series: list[tuple[str, str, Range]],
    last_km: float,
    size: tuple[int, int] = (760, 280),
) -> Chart:
    """Lines of the cumulative share of residents within each distance [km].

    ``distances`` are the x values, ``series`` the (name, colour, shares) to draw, as
    straight lines on a numeric x axis from 0 to ``last_km`` (labelled every 1, 2, 5 ...
    km, at most about ten labels) and a y axis from 0 to 100 %; ``size`` is (width,
    height) in pixels.
    """
    font = {"name": FONT, "size": 9}
    chart = book.wb.add_chart({"type": "scatter", "subtype": "straight"})
    for name, colour, values in series:
        chart.add_series(
            {
                "name": name,
                "categories": distances,
                "values": values,
                "line": {"color": colour, "width": 2.25},
                "marker": {"type": "none"},
            }
        )
    label_km = next((km for km in (1, 2, 5, 10, 20, 50) if last_km / km <= 10), 100)
    gridlines = {"visible": True, "line": {"color": "#D9D9D9"}}
    _lay_out(
        chart,
        title,
        {
            "name": "最寄りの施設までの距離（km）",
            "name_font": font,
            "num_font": font,
            "min": 0,
            "max": last_km,
            "major_unit": label_km,
            "major_gridlines": gridlines,
        },
        {
            "name": "住民の割合",
            "name_font": font,
            "num_font": font,
            "num_format": "0%",
            "min": 0,
            "max": 1,
            "major_unit": 0.2,
            "major_gridlines": gridlines,
        },
        font,
        height=size[1],
        width=size[0],
    )
    return chart


def write_charts(
    book: Book, ws: Worksheet, problem: ProblemData, solution: Solution, muni: TableRange
) -> None:
    """Cost per municipality (from the municipality sheet's table), then a table and a
    chart of the annual facility cost per type."""
    top = write_title(book, ws, "グラフ　Charts", "金額は年額・千円。")
    muni_sheet = SHEET_NAMES["municipalities"]
    axis_font = {"name": FONT, "size": 9}

    chart = book.wb.add_chart({"type": "column"})
    _add_bars(
        chart,
        _column_range(muni_sheet, muni, muni.columns["name"]),
        [
            ("単独の場合", ALONE_COLOUR,
             _column_range(muni_sheet, muni, muni.columns["standalone_cost"])),
            ("計画", HEADER_FILL, _column_range(muni_sheet, muni, muni.columns["plan_cost"])),
        ],
        gap=80,
    )  # fmt: skip
    _lay_out(
        chart,
        "市町村別の年間費用：単独の場合と計画",
        {"num_font": axis_font},
        _money_axis(axis_font),
        axis_font,
        height=340,
    )
    ws.insert_chart(top, 0, chart)

    # Annual facility cost per type: every existing facility renewed vs the plan.
    fac = problem.facilities
    existing = fac[~fac["is_candidate"].astype(bool)]
    plan_cost = solution.facilities.groupby("type")["annual_cost"].sum()
    table_top = top + 21
    cols = [
        Col("type", "類型", "Type", "text",
            fit_width((type_name(problem, k) for k in problem.types), 16, 22)),
        Col("current", "現状の全施設を更新\n（千円/年）", "All existing renewed", "money", 14,
            total=True),
        Col("plan", "計画\n（千円/年）", "Plan", "money", 14, total=True),
    ]  # fmt: skip
    records = [
        {
            "type": type_name(problem, k),
            "current": float(existing.loc[existing["type"] == k, "annual_cost"].sum()),
            "plan": float(plan_cost.get(k, 0.0)),
        }
        for k in problem.types
    ]
    table = write_table(book, ws, table_top, cols, records)
    by_type = book.wb.add_chart({"type": "bar"})
    here = SHEET_NAMES["charts"]
    _add_bars(
        by_type,
        _column_range(here, table, 0),
        [
            ("現状の全施設を更新した場合", ALONE_COLOUR,
             _column_range(here, table, table.columns["current"])),
            ("計画", HEADER_FILL, _column_range(here, table, table.columns["plan"])),
        ],
        gap=60,
    )  # fmt: skip
    _lay_out(
        by_type,
        "類型別の施設の年間費用",
        _money_axis(axis_font),
        {"num_font": axis_font, "reverse": True, "crossing": "max"},
        axis_font,
        height=BY_TYPE_HEIGHT,
    )
    ws.insert_chart(table.bottom + 2, 0, by_type)
    set_widths(book, ws, cols)
    book.set_width(ws, 3, 12, 9)
    last = table.bottom + 2 + math.ceil(BY_TYPE_HEIGHT / ROW_PIXELS) + 1
    write_note(
        book,
        ws,
        last,
        "「現状の全施設を更新」は既存施設をすべて存続させた場合の参考値で、"
        "単独の場合の費用（各市町村の最適な単独計画）とは異なります。",
    )
    page_setup(book, ws, SHEET_NAMES["charts"], last, 11, one_page=True)
