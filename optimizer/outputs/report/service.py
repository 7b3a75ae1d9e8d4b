"""The service-level sheet (サービス水準): how far residents live from the nearest open
facility today and under the plan, who loses access, and the floor area kept.

Printed pages, from the top:

1. the floor area and number of the facilities the municipalities run, today and under
   the plan (the key figures of a 公共施設等総合管理計画), and the area's service level
   per type (live references to the type tables' area rows);
2. per type, a chart of the residents within each distance, today and under the plan;
3. per type, a page: residents within 1, 2 and 5 km and within the type's maximum
   distance per municipality, then the zones whose access gets materially worse.

Below the print area: the charts' data. Every figure comes from
:mod:`optimizer.results.service`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.charts import ALONE_COLOUR, Range, distance_chart
from optimizer.outputs.report.common import SHEET_NAMES
from optimizer.outputs.xlsx_layout import (
    FONT,
    HEADER_FILL,
    Book,
    Col,
    TableRange,
    is_missing,
    merge_wrapped,
    page_setup,
    put_formula,
    put_value,
    write_header,
    write_note,
    write_section,
    write_table,
    write_title,
)
from optimizer.problem.data import ProblemData
from optimizer.problem.names import type_name
from optimizer.results.service import (
    ALL_TYPES,
    BANDS,
    DISTANCE_BANDS_KM,
    GROWTH_KM,
    ServiceResults,
)

__all__ = ["SERVICE_SHEET", "BASIS_LABELS", "RULE_LABELS", "write_service"]

SERVICE_SHEET = SHEET_NAMES["service"]
"""The sheet's name."""

BASIS_LABELS = {
    "population": ("人口", "人口", "Population"),
    "population_75plus": ("75歳以上人口", "75歳以上", "Aged 75+"),
}
"""A type's demand basis: (Japanese name, short Japanese header, English header)."""

RULE_LABELS = {
    "beyond_limit": "上限距離を超える",
    "farther": f"{GROWTH_KM:g} km超遠くなる",
}
"""Why a zone is listed as losing access."""

WORSE_FILL = "#F8CBAD"
"""Fill of a figure worse under the plan than today."""

WIDTHS = [18.0, 11.0, *([10.0] * 12)]
"""Column widths of the sheet (A–N): every table shares this grid."""

_CHART_SIZE = (520, 300)  # px, two side by side
_CHART_ROWS = 17  # rows a chart takes, with a gap
_CHART_SECOND_COL = 7  # the second chart of a row starts here (column H)
_APPENDIX_TYPES = 4  # types side by side in the chart data (3 columns each)


@dataclass
class _Cells:
    """Formats made once per sheet: a centred "—" in a body or a total row."""

    dash: Format
    dash_total: Format


def _dash_formats(book: Book) -> _Cells:
    base = {"font_name": FONT, "font_size": 10, "align": "center", "valign": "vcenter"}
    return _Cells(
        dash=book.wb.add_format({**base, "border": 1, "border_color": "#D9D9D9"}),
        dash_total=book.wb.add_format(
            {**base, "bold": True, "top": 1, "bottom": 6, "bg_color": "#F2F2F2"}
        ),
    )


def _group_header(
    book: Book, ws: Worksheet, row: int, groups: Sequence[tuple[int, int, str]], width: int
) -> None:
    """A header row above a table's own: each (first column, last column, text) merged."""
    book.set_height(ws, row, 30)
    fmt = book.fmt("text", "header")
    for col in range(width):
        ws.write_blank(row, col, None, fmt)
    for first, last, text in groups:
        merge_wrapped(book, ws, row, first, row, last, text, "text", "header")


def _merge_down(
    book: Book, ws: Worksheet, row: int, cols: Sequence[Col], keys: Sequence[str]
) -> None:
    """Merge the group-header cell above each of ``keys`` with the column's own header."""
    for n, col in enumerate(cols):
        if col.key in keys:
            merge_wrapped(book, ws, row, n, row + 1, n, col.ja, col.kind, "header")


def _change(before: float, after: float) -> float | None:
    """after ÷ before − 1, ``None`` when there was nothing before."""
    return after / before - 1.0 if before > 0 else None


# --- floor area ---------------------------------------------------------------------


def _floor_section(
    book: Book, ws: Worksheet, row: int, problem: ProblemData, floor: pd.DataFrame, cells: _Cells
) -> int:
    """The floor area and count of the municipalities' facilities, today and under the
    plan, per type with a live total; returns the next free row."""
    row = write_section(
        book, ws, row, "市町村が運営する施設の延床面積と施設数　Floor area of municipal facilities",
        len(WIDTHS),
    )  # fmt: skip
    unknown = bool(floor[["unknown_before", "unknown_after"]].to_numpy().sum())
    cols = [
        Col("type", "類型", "Type", "text"),
        Col("area_before_m2", "現状", "Today", "int", total=True),
        Col("area_after_m2", "計画", "Plan", "int", total=True),
        Col("area_change", "増減率", "Change", "pct"),
        Col("count_before", "現状", "Today", "int", total=True),
        Col("count_after", "計画", "Plan", "int", total=True),
        Col("count_change", "増減率", "Change", "pct"),
    ]
    groups = [(1, 3, "延床面積（m²）\nFloor area"), (4, 6, "施設数\nFacilities")]
    if unknown:
        cols += [
            Col("unknown_before", "現状", "Today", "int", total=True),
            Col("unknown_after", "計画", "Plan", "int", total=True),
        ]
        groups.append((7, 8, "うち面積不明\nArea unknown"))
    kinds = [k for k in floor.index if k != ALL_TYPES]
    records = [
        {**floor.loc[k].to_dict(), "type": type_name(problem, str(k)),
         "area_change": None, "count_change": None}
        for k in kinds
    ]  # fmt: skip
    _group_header(book, ws, row, groups, len(cols))
    table = write_table(book, ws, row + 1, cols, records)
    _merge_down(book, ws, row, cols, ["type"])
    # The changes: live formulas where there was something before, "—" where not.
    rows = [(table.first + n, floor.loc[k], "body") for n, k in enumerate(kinds)]
    if table.total_row is not None:
        rows.append((table.total_row, floor.loc[ALL_TYPES], "total"))
    for r, source, variant in rows:
        for what in ("area", "count"):
            before, after = (f"{what}_{when}{'_m2' if what == 'area' else ''}"
                             for when in ("before", "after"))  # fmt: skip
            col = table.columns[f"{what}_change"]
            value = _change(float(source[before]), float(source[after]))
            if value is None:
                ws.write_string(r, col, "—", cells.dash if variant == "body" else cells.dash_total)
                continue
            b, a = table.cell(before, r, False), table.cell(after, r, False)
            put_formula(book, ws, r, col, f"=IF({b}=0,0,{a}/{b}-1)", value, "pct", variant)
    note = (
        "運営主体が市町村の施設。現状＝既存の全施設、計画＝存続・新設する施設。"
        "「—」は現状に施設がない類型。"
    )
    if unknown:
        note += "延床面積が空欄の施設は施設数に数え、面積には含めていません（うち面積不明）。"
    write_note(book, ws, table.bottom + 1, note)
    return table.bottom + 3


# --- service levels per municipality ------------------------------------------------


def _band_groups(limit: float) -> list[tuple[int, int, str]]:
    """The group headers over the band columns (columns C–N)."""
    groups = [
        (2 + 2 * n, 3 + 2 * n, f"{km:g} km以内\nWithin {km:g} km")
        for n, km in enumerate(DISTANCE_BANDS_KM)
    ]
    limit_text = f"上限 {limit:g} km以内" if limit > 0 else "上限距離以内"
    return groups + [
        (8, 9, f"{limit_text}\nWithin the limit"),
        (10, 11, "上限を超える住民（人）\nBeyond the limit"),
        (12, 13, "平均距離（km）\nMean distance"),
    ]


def _band_columns(first: Col, residents: tuple[str, str]) -> list[Col]:
    """The columns of a service table: ``first``, residents, then the bands."""
    cols = [first, Col("residents", residents[0], residents[1], "int", total=True)]
    for band in BANDS:
        cols += [
            Col(f"share_{band}_before", "現状", "Today", "pct"),
            Col(f"share_{band}_after", "計画", "Plan", "pct"),
        ]
    return cols + [
        Col("beyond_limit_before", "現状", "Today", "int", total=True),
        Col("beyond_limit_after", "計画", "Plan", "int", total=True),
        Col("mean_km_before", "現状", "Today", "num"),
        Col("mean_km_after", "計画", "Plan", "num"),
    ]


def _worse_fills(record: Mapping[str, Any]) -> dict[str, str | None]:
    """Fill the plan's figures that are worse than today's."""
    fills: dict[str, str | None] = {}
    for band in BANDS:
        if record[f"share_{band}_after"] < record[f"share_{band}_before"] - 5e-4:
            fills[f"share_{band}_after"] = WORSE_FILL
    if record["beyond_limit_after"] > record["beyond_limit_before"] + 0.5:
        fills["beyond_limit_after"] = WORSE_FILL
    before, after = record["mean_km_before"], record["mean_km_after"]
    if not is_missing(after) and (is_missing(before) or after > before + 0.05):
        fills["mean_km_after"] = WORSE_FILL
    return fills


def _area_figures(part: pd.DataFrame) -> dict[str, float]:
    """The area's figures of a type from its rows per municipality: sums, shares of the
    area's residents, and mean distances weighted by residents (NaN where undefined)."""
    people = float(part["residents"].sum())
    out = {"residents": people}
    for when in ("before", "after"):
        for band in BANDS:
            within = float(part[f"within_{band}_{when}"].sum())
            out[f"share_{band}_{when}"] = within / people if people > 0 else math.nan
        out[f"beyond_limit_{when}"] = float(part[f"beyond_limit_{when}"].sum())
        means = part[f"mean_km_{when}"].to_numpy(float)
        weights = part["residents"].to_numpy(float)
        used = weights > 0
        finite = bool(used.any()) and all(math.isfinite(m) for m in means[used])
        out[f"mean_km_{when}"] = (
            float((means[used] * weights[used]).sum() / weights[used].sum()) if finite else math.nan
        )
    return out


def _area_row(
    book: Book, ws: Worksheet, table: TableRange, cols: list[Col], part: pd.DataFrame
) -> dict[str, float]:
    """The area's row under a type's table: sums, and shares and mean distances weighted
    by the residents (SUMPRODUCT), as live formulas with their values; returns them."""
    row = table.last + 1
    table.total_row = row
    span = {
        c.key: f"{xl_rowcol_to_cell(table.first, n)}:{xl_rowcol_to_cell(table.last, n)}"
        for n, c in enumerate(cols)
    }
    figures = _area_figures(part)
    people = span["residents"]
    ws.write_string(row, 0, "圏域計 Area", book.fmt("text", "total"))
    for n, col in enumerate(cols[1:], start=1):
        value = figures[col.key]
        if math.isnan(value):
            ws.write_blank(row, n, None, book.fmt(col.kind, "total"))
            continue
        if col.total:
            formula = f"=SUM({span[col.key]})"
        else:
            formula = f"=SUMPRODUCT({people},{span[col.key]})/SUM({people})"
        put_formula(book, ws, row, n, formula, value, col.kind, "total")
    return figures


def _levels_table(
    book: Book, ws: Worksheet, row: int, problem: ProblemData, kind: str, part: pd.DataFrame
) -> tuple[int, int | None]:
    """A type's residents by distance band per municipality; returns the next free row
    and the row of the area's figures (``None`` when the table is empty)."""
    spec = problem.facility_types.loc[kind]
    basis = BASIS_LABELS.get(str(spec["demand_basis"]), (str(spec["demand_basis"]),) * 3)
    first = Col("name", "市町村", "Municipality", "text")
    cols = _band_columns(first, (f"対象人口\n（{basis[1]}）", basis[2]))
    records = part.to_dict("records")
    _group_header(book, ws, row, _band_groups(float(spec["max_distance_km"])), len(cols))
    table = write_table(
        book, ws, row + 1, cols, records, total_label=None,
        fills=[_worse_fills(r) for r in records],
    )  # fmt: skip
    _merge_down(book, ws, row, cols, ["name", "residents"])
    if not records:
        return table.bottom + 1, None
    _area_row(book, ws, table, cols, part)
    return table.bottom + 1, table.total_row


def _area_table(
    book: Book,
    ws: Worksheet,
    row: int,
    problem: ProblemData,
    service: ServiceResults,
    area_rows: dict[str, int | None],
) -> int:
    """The area's service level, a row per type, each cell a live reference to the area
    row of the type's own table; returns the next free row."""
    first = Col("type", "類型", "Type", "text")
    cols = _band_columns(first, ("対象人口", "Residents"))
    _group_header(book, ws, row, _band_groups(0.0), len(cols))
    write_header(book, ws, row + 1, cols)
    _merge_down(book, ws, row, cols, ["type", "residents"])
    levels = service.levels
    r = row + 3
    for kind in (str(k) for k in problem.types):
        figures = _area_figures(levels[levels["type"] == kind])
        fills = _worse_fills(figures)
        put_value(book, ws, r, 0, type_name(problem, kind), "wrap")
        source = area_rows.get(kind)
        for n, col in enumerate(cols[1:], start=1):
            value, fill = figures[col.key], fills.get(col.key)
            if source is None or math.isnan(value):
                ws.write_blank(r, n, None, book.fmt(col.kind, fill=fill))
            else:
                cell = f"={xl_rowcol_to_cell(source, n)}"
                put_formula(book, ws, r, n, cell, value, col.kind, fill=fill)
        r += 1
    basis = "、".join(
        f"{type_name(problem, str(k))} {BASIS_LABELS.get(str(b), (str(b),))[0]}"
        for k, b in problem.facility_types["demand_basis"].items()
    )
    write_note(book, ws, r, f"対象人口：{basis}。上限距離は類型ごと（前提シート参照）。")
    losing = service.losing
    parts = []
    for kind in (str(k) for k in problem.types):
        of_type = losing[losing["type"] == kind]
        parts.append(
            f"{type_name(problem, kind)} {len(of_type):,}地区（{of_type['residents'].sum():,.0f}人）"
        )
    write_note(
        book,
        ws,
        r + 1,
        "アクセスが悪化する地区（上限距離を超える、または"
        f"{GROWTH_KM:g} km超遠くなる地区）：" + "、".join(parts) + "。一覧は類型ごとの表の下。",
    )
    return r + 3


# --- zones losing access --------------------------------------------------------------


def _losing_table(
    book: Book, ws: Worksheet, row: int, problem: ProblemData, losing: pd.DataFrame
) -> int:
    """The zones of one type whose access gets materially worse; returns the next row.

    The rule and the nearest facility are merged over two and four columns. Without a
    zones sheet a zone is its municipality, and the municipality column is left out;
    without any such zone a line says so instead of a table.
    """
    if losing.empty:
        ws.write_string(
            row,
            0,
            f"（該当なし：上限距離を超える地区も、{GROWTH_KM:g} km超遠くなる地区もありません）",
            book.fmt("text", "muted"),
        )
        return row + 1
    names = problem.municipalities["name"]
    by_town = bool(problem.zones["own_point"].astype(bool).all())
    cols = [
        Col("zone", "市町村" if by_town else "地区", "Municipality" if by_town else "Zone",
            "wrap", WIDTHS[0]),
        *([] if by_town else [Col("municipality", "市町村", "Municipality", "text", WIDTHS[1])]),
        Col("residents", "対象人口", "Residents", "int", total=True),
        Col("before_km", "現状の距離\n（km）", "Today [km]", "num"),
        Col("after_km", "計画の距離\n（km）", "Plan [km]", "num"),
        Col("increase_km", "増加\n（km）", "Increase [km]", "num"),
        Col("rule", "該当する基準", "Rule met", "wrap", 20),
        Col("_rule", "", "", "wrap"),
        Col("facility", "計画後の最寄りの施設", "Nearest open facility (plan)", "wrap", 40),
        *(Col(f"_facility{n}", "", "", "wrap") for n in range(3)),
    ]  # fmt: skip
    records = []
    for r in losing.to_dict("records"):
        rules = [RULE_LABELS["beyond_limit"]] if r["beyond_limit"] else []
        rules += [RULE_LABELS["farther"]] if r["farther"] else []
        gone = r["facility"] is None
        records.append(
            {
                "zone": r["name"] or r["zone"],
                "municipality": names.get(r["municipality"], r["municipality"]),
                "residents": r["residents"],
                "before_km": r["before_km"],
                "after_km": "なし" if gone else r["after_km"],
                "increase_km": None if gone else r["increase_km"],
                "rule": "・".join(rules),
                "facility": "（この類型の施設が残りません）"
                if gone
                else f"{r['facility_name']}（{r['facility']}）",
            }
        )
    table = write_table(book, ws, row, cols, records)
    spans = [(table.columns["rule"], 2), (table.columns["facility"], 4)]
    for first, count in spans:
        key = cols[first].key
        for r, variant in ((row, "header"), (row + 1, "header_en")):
            text = cols[first].ja if variant == "header" else cols[first].en
            merge_wrapped(book, ws, r, first, r, first + count - 1, text, "wrap", variant)
        for n, record in enumerate(records):
            r = table.first + n
            merge_wrapped(book, ws, r, first, r, first + count - 1, str(record[key]))
        if table.total_row is not None:
            ws.merge_range(
                table.total_row, first, table.total_row, first + count - 1, "",
                book.fmt("wrap", "total"),
            )  # fmt: skip
    return table.bottom + 1


# --- chart data and charts ----------------------------------------------------------


def _appendix(
    book: Book, ws: Worksheet, row: int, problem: ProblemData, distribution: pd.DataFrame
) -> tuple[int, dict[str, tuple[int, int, int]]]:
    """The charts' data: per type, distance and the share within it today and under the
    plan, up to four types side by side. Returns the next free row and, per type, where
    its data landed (first row, last row, column of the distances)."""
    row = write_section(
        book, ws, row, "グラフのデータ：距離別の住民の累積割合　Chart data", len(WIDTHS)
    )
    where: dict[str, tuple[int, int, int]] = {}
    kinds = [str(k) for k in problem.types]
    heads = [
        Col("distance_km", "距離（km）", "Distance [km]", "general"),
        Col("before", "現状", "Today", "pct"),
        Col("after", "計画", "Plan", "pct"),
    ]
    for start in range(0, len(kinds), _APPENDIX_TYPES):
        chunk = kinds[start : start + _APPENDIX_TYPES]
        groups = [(3 * n, 3 * n + 2, type_name(problem, k)) for n, k in enumerate(chunk)]
        _group_header(book, ws, row, groups, 3 * len(chunk))
        longest = 0
        for n, kind in enumerate(chunk):
            write_header(book, ws, row + 1, heads, first_col=3 * n)
            part = distribution[distribution["type"] == kind]
            for i, rec in enumerate(part.to_dict("records")):
                for m, col in enumerate(heads):
                    put_value(book, ws, row + 3 + i, 3 * n + m, rec[col.key], col.kind)
            where[kind] = (row + 3, row + 2 + len(part), 3 * n)
            longest = max(longest, len(part))
        row += 3 + longest + 1
    return row, where


def _insert_charts(
    book: Book,
    ws: Worksheet,
    top: int,
    problem: ProblemData,
    where: dict[str, tuple[int, int, int]],
) -> None:
    """A chart per type, two side by side, from row ``top`` on."""
    for n, kind in enumerate(str(k) for k in problem.types):
        first, last, col = where[kind]
        limit = float(problem.facility_types.at[kind, "max_distance_km"])
        column: list[Range] = [[SERVICE_SHEET, first, c, last, c] for c in range(col, col + 3)]
        chart = distance_chart(
            book,
            f"{type_name(problem, kind)}（上限 {limit:g} km）",
            column[0],
            [("現状（既存の全施設）", ALONE_COLOUR, column[1]), ("計画", HEADER_FILL, column[2])],
            limit,
            _CHART_SIZE,
        )
        row = top + (n // 2) * _CHART_ROWS
        ws.insert_chart(row, 0 if n % 2 == 0 else _CHART_SECOND_COL, chart, {"x_offset": 2})


def write_service(book: Book, ws: Worksheet, problem: ProblemData, service: ServiceResults) -> None:
    """The floor area and the area's service level; the charts; per type the service
    levels per municipality and the zones losing access; below the print area the
    charts' data. Each part after the first starts a new printed page."""
    p = problem.parameters
    cells = _dash_formats(book)
    top = write_title(
        book,
        ws,
        "サービス水準と延床面積　Service levels and floor area",
        "距離は住民（地区）から最寄りの開いている施設まで（他市町村の施設を含む）："
        f"「移動距離」シートの道路距離、なければ直線距離×迂回係数 {p.detour_factor:g}。"
        "現状＝既存の全施設が開いている場合、計画＝存続・新設する施設。",
    )
    row = _floor_section(book, ws, top, problem, service.floor, cells)
    row = write_section(
        book, ws, row, "圏域全体のサービス水準　Area-wide service levels", len(WIDTHS)
    )
    area_top = row
    # The area table refers to the type tables' area rows: reserve its rows, fill it last.
    row += 3 + len(problem.types) + 3
    breaks = [row]
    row = write_section(
        book,
        ws,
        row,
        "最寄りの施設までの距離別の住民の累積割合　Residents by distance",
        len(WIDTHS),
    )
    write_note(
        book,
        ws,
        row,
        "横軸の距離以内に開いている施設がある住民の割合（灰色：現状、青：計画）。"
        "線が右下に動くほど遠くなった住民が多い。",
    )
    charts_top = row + 1
    row = charts_top + _CHART_ROWS * math.ceil(len(problem.types) / 2)
    levels, losing = service.levels, service.losing
    area_rows: dict[str, int | None] = {}
    for kind in (str(k) for k in problem.types):
        breaks.append(row)
        spec = problem.facility_types.loc[kind]
        basis = BASIS_LABELS.get(str(spec["demand_basis"]), (str(spec["demand_basis"]),) * 3)
        row = write_section(book, ws, row, f"{type_name(problem, kind)}　{kind}", len(WIDTHS))
        write_note(
            book,
            ws,
            row,
            f"対象人口＝{basis[0]}。上限距離 {float(spec['max_distance_km']):g} km。"
            "割合は対象人口に占める住民の割合。網掛け（赤）は現状より悪化した値。",
        )
        row, area_rows[kind] = _levels_table(
            book, ws, row + 1, problem, kind, levels[levels["type"] == kind]
        )
        of_type = losing[losing["type"] == kind]
        row = write_section(
            book, ws, row + 1, "アクセスが悪化する地区　Zones losing access", len(WIDTHS)
        )
        write_note(
            book,
            ws,
            row,
            "現状は上限距離以内で計画では超える地区、または最寄りの施設までの距離が"
            f" {GROWTH_KM:g} km を超えて増える地区：{len(of_type):,}地区、"
            f"{of_type['residents'].sum():,.0f}人。",
        )
        row = _losing_table(book, ws, row + 1, problem, of_type)
    _area_table(book, ws, area_top, problem, service, area_rows)
    printed = row
    write_note(book, ws, row + 1, "グラフのデータは印刷範囲の外（この下）にあります。")
    _, where = _appendix(book, ws, row + 3, problem, service.distribution)
    _insert_charts(book, ws, charts_top, problem, where)
    for n, width in enumerate(WIDTHS):
        book.set_width(ws, n, n, width)
    # Fit to one page wide (and as many tall as needed): the manual breaks still apply.
    page_setup(book, ws, SERVICE_SHEET, printed, len(WIDTHS) - 1)
    ws.set_h_pagebreaks(breaks)
