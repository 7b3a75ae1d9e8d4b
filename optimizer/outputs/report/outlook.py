"""The sheet 人口見通し Outlook: the population outlook per period and whether the plan's
capacity still holds each period's demand (:mod:`optimizer.results.outlook_check`)."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.common import SHEET_NAMES
from optimizer.outputs.xlsx_layout import (
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
from optimizer.problem.names import type_name
from optimizer.problem.outlook import period_outlook, projection_years
from optimizer.results.outlook_check import WHOLE_AREA, outlook_capacity, outlook_shortfalls
from optimizer.results.solution import Solution

__all__ = ["write_outlook", "outlook_statement", "has_outlook"]

NOTE = (
    "人口の見通しは、市町村シートの将来人口（population_YYYY、population_75plus_YYYY）を基準年度の"
    "人口に対する伸び率として用い、間の年は直線で補間しています。各期の値はその期で最も大きい年の"
    "値です。容量は計画で存続・新設する施設（民間・都道府県の施設を含む）の定員×稼働率上限で、"
    "距離による利用の可否は考慮していません。"
)
NO_OUTLOOK = (
    "市町村シートに将来人口（population_YYYY、population_75plus_YYYY）がないため、"
    "現在の人口が計画期間を通じて続くものとしています。"
)


def has_outlook(problem: ProblemData) -> bool:
    """Whether the municipalities carry any projection column."""
    towns = problem.municipalities
    return bool(
        projection_years(towns, "population") or projection_years(towns, "population_75plus")
    )


def _unit(problem: ProblemData, kind: str) -> str:
    types = problem.facility_types
    unit = types.at[kind, "capacity_unit"] if "capacity_unit" in types else ""
    return str(unit) if isinstance(unit, str) else ""


def outlook_statement(problem: ProblemData, solution: Solution) -> list[str]:
    """One sentence for the summary: the largest shortfall of each type over the periods,
    or that the plan's capacity holds throughout (nothing without an outlook)."""
    if not has_outlook(problem):
        return []
    table = outlook_capacity(problem, solution)
    short = outlook_shortfalls(table)
    aged = period_outlook(problem.municipalities, "population_75plus", problem.parameters).sum()
    first, peak = float(aged.iloc[0]), float(aged.max())
    head = (
        f"人口見通しでは、75歳以上人口は{aged.idxmax()}年に{peak / first:.2f}倍（{aged.index[0]}年比）"
        "となります。"
        if first > 0
        else ""
    )
    if short.empty:
        return [head + "計画の容量は、計画期間のすべての期で需要を満たします。"]
    parts = []
    for kind, rows in short.groupby("type", sort=False):
        whole = rows[rows["area"] == WHOLE_AREA]
        rows = whole if not whole.empty else rows
        worst = rows.loc[rows["shortfall"].idxmax()]
        where = "圏域全体で" if not whole.empty else f"{worst['area']}で"
        parts.append(
            f"{type_name(problem, str(kind))}は{where}{rows['period'].iloc[0]}年から、最大"
            f"{worst['shortfall']:,.0f}{_unit(problem, str(kind))}（{worst['period']}年）"
        )
    return [
        head
        + "計画の容量は今の需要に合わせたもので、"
        + "、".join(parts)
        + "が不足します。該当する期の前に、増床・新設や見直しの時期を検討してください。"
    ]


def write_outlook(book: Book, ws: Worksheet, problem: ProblemData, solution: Solution) -> None:
    """The population per period, then the capacity check per period, area and type."""
    top = write_title(
        book,
        ws,
        "人口見通しと計画の容量　Population outlook and capacity",
        "各期の需要と、計画で存続・新設する施設の容量。",
    )
    if not has_outlook(problem):
        write_note(book, ws, top, NO_OUTLOOK)
    row = write_section(book, ws, top + 1, "人口の見通し（圏域全体）　Population", 8)
    params = problem.parameters
    total = period_outlook(problem.municipalities, "population", params).sum()
    aged = period_outlook(problem.municipalities, "population_75plus", params).sum()
    people_cols = [
        Col("period", "期", "Period", "text", 14),
        Col("population", "人口", "Population", "int", 14),
        Col("aged", "75歳以上人口", "Aged 75+", "int", 14),
        Col("aged_growth", "75歳以上\n（第1期比）", "75+ vs first", "util", 14),
    ]
    people = [
        {
            "period": label,
            "population": float(total[label]),
            "aged": float(aged[label]),
            "aged_growth": float(aged[label] / aged.iloc[0]) if aged.iloc[0] > 0 else None,
        }
        for label in total.index
    ]
    first = write_table(book, ws, row, people_cols, people, total_label=None)
    row = write_section(
        book, ws, first.bottom + 2, "期ごとの需要と計画の容量　Demand and capacity", 8
    )
    table = outlook_capacity(problem, solution)
    names = [type_name(problem, k) for k in problem.types]
    cols = [
        Col("period", "期", "Period", "text", 14),
        Col("area", "区域", "Area", "text", fit_width(table["area"], 10, 16)),
        Col("type", "類型", "Type", "text", fit_width(names, 12, 22)),
        Col(
            "unit",
            "単位",
            "Unit",
            "text",
            fit_width((_unit(problem, k) for k in problem.types), 6, 14),
        ),
        Col("demand", "需要", "Demand", "int", 14),
        Col("capacity", "計画の容量", "Plan capacity", "int", 14),
        Col("today", "現在の容量", "Capacity today", "int", 14),
        Col("shortfall", "不足", "Shortfall", "int", 12),
    ]
    records = [
        {
            **r,
            "type": type_name(problem, str(r["type"])),
            "unit": _unit(problem, str(r["type"])),
            "shortfall": r["shortfall"] if r["shortfall"] > 0.5 else 0.0,
        }
        for r in table.to_dict("records")
    ]
    fills = [{"shortfall": "#FCE4D6"} if r["shortfall"] else {} for r in records]
    second = write_table(book, ws, row, cols, records, total_label=None, fills=fills)
    write_note(book, ws, second.bottom + 1, NOTE)
    set_widths(book, ws, cols)
    page_setup(book, ws, SHEET_NAMES["outlook"], second.bottom + 1, len(cols) - 1)
