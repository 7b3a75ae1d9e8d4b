"""The report as a council member reads it: every page inside the print area, nothing
cut off, no △0, no command-line options, no empty columns, one table's header per sheet,
bars from 0.

:func:`layout_problems` reads a written workbook back (openpyxl) and lists, sheet by
sheet, every place where the printed page would not read right:

* text cut off: a label wider than its cell where the next cell is taken, a wrapped
  cell (a header, a merged note) with more lines than its row is tall, a line break in
  a cell that does not wrap;
* text past the print area: a note running beyond the last printed column, anything
  written to the right of it;
* a number wider than its column (Excel shows ``####``);
* a figure that reads △0 or △0.0 %: the Japanese minus sign on a value that rounds to
  zero in its displayed unit;
* a note that quotes a command-line option (``--sensitivity``);
* a column of a table that is empty in every row (with only its total), except the
  schedule's year columns (a timeline, where a year without works is blank);
* header rows repeated on every page (print titles) of a sheet that holds more than one
  table: the second table's continuation page would carry the first one's header;
* a bar or column chart whose value axis is not fixed to include 0.

Widths are estimated in Excel's character units (a full-width character about 1.7, a
digit 1, scaled by the font size), heights at 1.35 × the font size a line: what
LibreOffice renders with its substitute Japanese font, with a little to spare. The
report itself is laid out with a wider margin (:mod:`optimizer.outputs.xlsx_layout`).
"""

from __future__ import annotations

import functools
import io
import math
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet
from plan_fixture import make_problem, make_solution, run_info

from optimizer.outputs.report import SHEET_NAMES, allocation_notes, report_bytes
from optimizer.outputs.tables import write_comparison
from optimizer.outputs.xlsx_layout import YEN_THOUSANDS, zero_guard
from optimizer.problem.levers import LEVERS
from optimizer.results.ranking import Alternative
from optimizer.runs.sensitivity import plan_figures
from optimizer.sharing.allocation import allocate

LINE = 1.35
"""Row height of one line of text, per point of font size."""
DEFAULT_WIDTH = 8.43
HEADER_FILLS = ("1F4E78",)
CLI_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


WIDE = 1.7
"""Width of a full-width character in Excel's character units (a digit is one) at 10 pt."""
NARROW = 0.9
"""Width of a Latin letter or sign, on average."""


def text_width(text: str, size: float = 10.0, bold: bool = False) -> float:
    """Width of one line of ``text`` in Excel character units at ``size`` pt."""
    units = sum(
        WIDE if unicodedata.east_asian_width(ch) in "WF" else 1.0 if ch.isdigit() else NARROW
        for ch in text
    )
    return units * size / 10.0 * (1.05 if bold else 1.0)


def _lines(text: str, width: float, size: float, bold: bool) -> int:
    usable = max(width - 0.6, 1.0)
    return sum(
        max(1, math.ceil(text_width(part, size, bold) / usable)) for part in text.split("\n")
    )


def _widths(ws: Worksheet) -> dict[int, float]:
    out: dict[int, float] = {}
    for dim in ws.column_dimensions.values():
        if dim.width and dim.min and dim.max:
            for col in range(dim.min, dim.max + 1):
                out[col] = float(dim.width)
    return out


def _section(fmt: str, value: float) -> str:
    """The section of a number format that shows ``value`` (Excel's sign rules)."""
    parts = fmt.split(";")
    if value < 0 and len(parts) > 1:
        return parts[1]
    if value == 0 and len(parts) > 2:
        return parts[2]
    return parts[0]


def shown(value: float, fmt: str) -> str:
    """Roughly what Excel shows for ``value`` under the number format ``fmt``: enough to
    tell the sign, the digits and the width (colours and literal text kept)."""
    section = _section(fmt, value)
    body = re.sub(r"\[[^\]]*\]", "", section)
    literal = "".join(re.findall(r'"([^"]*)"', body))
    body = re.sub(r'"[^"]*"', "", body)
    magnitude = abs(value) if (value < 0 and len(fmt.split(";")) > 1) else value
    if body in ("", "General", "@"):
        return literal + (f"{magnitude:g}" if body != "@" else "")
    percent = "%" in body
    if percent:
        magnitude *= 100
    core = body.replace("%", "")
    scale = len(core) - len(core.rstrip(","))
    core = core.rstrip(",")
    magnitude /= 1000**scale
    decimals = len(core.split(".")[1]) if "." in core else 0
    grouped = "," in core
    text = f"{magnitude:,.{decimals}f}" if grouped else f"{magnitude:.{decimals}f}"
    return literal + text + ("%" if percent else "")


def _print_area(ws: Worksheet) -> tuple[int, int, int, int] | None:
    area = ws.print_area
    if not area:
        return None
    if isinstance(area, list | tuple):
        area = area[0]
    ref = str(area).split("!")[-1].replace("$", "")
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return min_col, min_row, max_col, max_row


def _merged(ws: Worksheet) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """Top-left cell → (min_col, min_row, max_col, max_row) of each merged range; the
    other cells of a range map to ``(0, 0, 0, 0)``."""
    out: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for rng in ws.merged_cells.ranges:
        for row in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                out[(row, col)] = (0, 0, 0, 0)
        out[(rng.min_row, rng.min_col)] = (rng.min_col, rng.min_row, rng.max_col, rng.max_row)
    return out


def _tables(ws: Worksheet, last_row: int) -> list[int]:
    """Rows that start a table: a header-coloured row whose next row is a header too."""
    starts = []
    row = 1
    while row <= last_row:
        cell = ws.cell(row, 1)
        fill = cell.fill.fgColor.rgb if cell.fill and cell.fill.fgColor else None
        if isinstance(fill, str) and fill.endswith(HEADER_FILLS) and cell.value is not None:
            starts.append(row)
            while row <= last_row and str(ws.cell(row, 1).fill.fgColor.rgb).endswith(
                HEADER_FILLS + ("DDEBF7",)
            ):
                row += 1
            continue
        row += 1
    return starts


def _sheet_problems(ws: Worksheet, values: Worksheet) -> Iterator[str]:
    area = _print_area(ws)
    widths = _widths(ws)
    default_height = float(ws.sheet_format.defaultRowHeight or 15)

    def width(col: int) -> float:
        return widths.get(col, DEFAULT_WIDTH)

    def height(row: int) -> float | None:
        """The row's height, ``None`` when the application sizes it to its content."""
        dim = ws.row_dimensions[row] if row in ws.row_dimensions else None
        return float(dim.height) if dim is not None and dim.height else None

    if area is None:
        yield f"{ws.title}: no print area"
        return
    first_col, _, last_col, last_row = area
    merged = _merged(ws)

    # A repeated header belongs to the sheet's only table.
    if ws.print_title_rows and len(_tables(ws, last_row)) > 1:
        yield (
            f"{ws.title}: header rows {ws.print_title_rows} repeat on every page of a sheet "
            f"holding {len(_tables(ws, last_row))} tables"
        )

    for row in ws.iter_rows(min_row=1, max_row=last_row):
        for cell in row:
            value = cell.value
            if (
                value is None
                or (cell.row, cell.column) in merged
                and merged[(cell.row, cell.column)] == (0, 0, 0, 0)
            ):
                continue
            where = f"{ws.title}!{cell.coordinate}"
            if cell.column > last_col:
                yield f"{where}: written right of the print area ({value!r:.40})"
                continue
            size = float(cell.font.sz or 10)
            bold = bool(cell.font.b)
            span = merged.get((cell.row, cell.column))
            if span:
                cell_width = sum(width(c) for c in range(span[0], span[2] + 1))
                # Merged cells are never sized to their content: the default height holds.
                cell_height: float | None = sum(
                    height(r) or default_height for r in range(span[1], span[3] + 1)
                )
                if span[2] > last_col:
                    yield f"{where}: merged past the print area"
            else:
                cell_width, cell_height = width(cell.column), height(cell.row)
            wrap = bool(cell.alignment and cell.alignment.wrap_text)
            if isinstance(value, str) and value.startswith("="):
                shown_value = values[cell.coordinate].value
                if isinstance(shown_value, int | float) and not isinstance(shown_value, bool):
                    yield from _number_problems(where, shown_value, cell, cell_width)
                continue
            if isinstance(value, bool):
                continue
            if isinstance(value, int | float):
                yield from _number_problems(where, value, cell, cell_width)
                continue
            text = str(value)
            if CLI_OPTION.search(text):
                yield f"{where}: quotes a command-line option: {text!r:.80}"
            if wrap:
                if cell_height is None:
                    continue
                needed = _lines(text, cell_width, size, bold) * LINE * size
                if needed > cell_height + 1:
                    yield (
                        f"{where}: {_lines(text, cell_width, size, bold)} lines in a row "
                        f"{cell_height:g} pt tall: {text!r:.60}"
                    )
                continue
            if "\n" in text:
                yield f"{where}: a line break in a cell that does not wrap: {text!r:.60}"
            needed = text_width(text, size, bold) + 0.5
            available = cell_width
            col = (span[2] if span else cell.column) + 1
            centred = cell.alignment and cell.alignment.horizontal in ("center", "right")
            while needed > available and not centred and col <= last_col:
                if ws.cell(cell.row, col).value is not None or (cell.row, col) in merged:
                    break
                available += width(col)
                col += 1
            if needed > available:
                reason = (
                    "runs past the print area"
                    if col > last_col and not centred
                    else f"is cut off ({get_column_letter(col)} is taken)"
                )
                yield f"{where}: {text!r:.60} {reason}"


def _number_problems(where: str, value: float, cell, cell_width: float) -> Iterator[str]:
    fmt = cell.number_format or "General"
    text = shown(float(value), fmt)
    if "△" in text and not re.search(r"[1-9]", text):
        yield f"{where}: {value!r} reads {text!r}"
    if text_width(text, float(cell.font.sz or 10), bool(cell.font.b)) + 1 > cell_width:
        yield f"{where}: {text!r} is wider than its column ({cell_width:g})"


def _empty_columns(ws: Worksheet, values: Worksheet) -> Iterator[str]:
    """A table column (under a two-row header) with no value in any of its rows."""
    area = _print_area(ws)
    if area is None:
        return
    last_row = area[3]
    for top in _tables(ws, last_row):
        first = top + 2
        end = first
        while end <= ws.max_row and ws.cell(end, 1).value not in (None, "合計 Total"):
            end += 1
        if end == first:
            continue
        for col in range(1, area[2] + 1):
            header = ws.cell(top, col).value
            if header is None:
                continue
            if ws.title == SHEET_NAMES["schedule"] and re.fullmatch(r"\d\d", str(header)):
                continue  # the schedule's year columns are a timeline: a year without works
            cells = [values.cell(r, col).value for r in range(first, end)]
            if all(v is None or v == "" for v in cells):
                yield f"{ws.title}: column {header!r} (row {top}) is empty in every row"


def _chart_problems(data: bytes) -> Iterator[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart")):
            xml = archive.read(name).decode("utf-8")
            if "<c:barChart>" not in xml:
                continue
            val_axis = re.search(r"<c:valAx>.*?</c:valAx>", xml, re.S)
            if val_axis is None:
                yield f"{name}: a bar chart without a value axis"
                continue
            low = re.search(r'<c:min val="([^"]+)"', val_axis.group())
            high = re.search(r'<c:max val="([^"]+)"', val_axis.group())
            includes_zero = (low is not None and float(low.group(1)) <= 0) and (
                high is None or float(high.group(1)) >= 0
            )
            if not includes_zero:
                bounds = (low and low.group(1), high and high.group(1))
                yield f"{name}: the value axis is not fixed to include 0 {bounds}"


def layout_problems(path: Path | bytes) -> list[str]:
    """Every layout problem of the workbook at ``path`` (or its bytes), one line each."""
    data = path if isinstance(path, bytes) else Path(path).read_bytes()
    formulas = openpyxl.load_workbook(io.BytesIO(data))
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    problems: list[str] = []
    for ws in formulas.worksheets:
        problems += _sheet_problems(ws, values[ws.title])
        problems += _empty_columns(ws, values[ws.title])
    problems += _chart_problems(data)
    return problems


# --------------------------------------------------------------------------- the plans


def _awkward_plan():
    """The hand-made plan with what tripped the report up: a municipality whose saving
    is a solver's rounding below zero (−0.23 yen), a capacity unit longer than its column
    (``seats-use/year``), a long type name, and no Shapley value (left out for the size
    of the area, with the allocation's note naming the command-line option)."""
    problem = make_problem()
    types = problem.facility_types.copy()
    types.loc["hall", "capacity_unit"] = "seats-use/year"
    types.loc["care", "name_ja"] = "特別養護老人ホーム（介護老人福祉施設）"
    problem = problem.replace(facility_types=types)
    solution = make_solution(problem)
    costs = solution.municipal_costs
    costs.loc["13203", "standalone_cost"] = costs.loc["13203", "plan_cost"] - 0.23
    costs["saving"] = costs["standalone_cost"] - costs["plan_cost"]
    allocation = allocate(problem, solution, shapley="auto", exact_max_players=2, processes=1)
    return problem, solution, allocation


def _sensitivity_table(problem, solution) -> pd.DataFrame:
    """A sensitivity table of the plan's own figures, each lever moving the costs."""
    base = plan_figures(problem, solution)
    rows = [{"lever": "base", "factor": 1.0, **base}]
    for n, lever in enumerate(LEVERS):
        for factor in (0.8, 1.2):
            row = {"lever": lever, "factor": factor, **base}
            shift = (factor - 1.0) * (n + 1) * 1e7
            row["plan_cost"] = float(base["plan_cost"]) + shift
            row["saving"] = float(base["saving"]) - shift
            rows.append(row)
    return pd.DataFrame(rows)


def _alternative(problem, solution):
    """A second plan: one closure fewer, a little dearer."""
    facilities = solution.facilities.copy()
    facilities.loc["H2", ["decision", "open"]] = ["keep", True]
    costs = solution.municipal_costs.copy()
    costs.loc["13203", "plan_cost"] += 2.5e6
    outcome = solution.outcome
    return solution.__class__(
        **{
            **solution.__dict__,
            "facilities": facilities,
            "municipal_costs": costs,
            "objective": solution.objective + 2.5e6,
            "outcome": outcome.__class__(
                **{**outcome.__dict__, "objective": outcome.objective + 2.5e6}
            ),
        }
    )


@functools.cache
def _awkward_report() -> bytes:
    problem, solution, allocation = _awkward_plan()
    ranking = [Alternative(1, solution), Alternative(2, _alternative(problem, solution))]
    return report_bytes(
        problem,
        solution,
        allocation,
        run_info=run_info(),
        alternatives=ranking,
        sensitivity=_sensitivity_table(problem, solution),
    )


def _books(data: bytes):
    return (
        openpyxl.load_workbook(io.BytesIO(data)),
        openpyxl.load_workbook(io.BytesIO(data), data_only=True),
    )


# --------------------------------------------------------------------------- the tests


def test_every_sheet_reads_right():
    """Nothing cut off or past the print area, no △0, no option, no empty column, one
    table under repeated header rows, bars from 0: on every sheet of the report."""
    assert layout_problems(_awkward_report()) == []


def test_a_saving_of_zero_reads_0_not_a_negative_zero():
    formulas, values = _books(_awkward_report())
    ws, shown_ws = formulas[SHEET_NAMES["municipalities"]], values[SHEET_NAMES["municipalities"]]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "13203")
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "コード")
    cols = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    saving = ws.cell(row, cols["削減額\n（千円/年）"])
    rate = ws.cell(row, cols["削減率"])
    assert saving.number_format == YEN_THOUSANDS
    # The cached values, and the formulas (a spreadsheet recalculates): exactly 0.
    assert shown_ws.cell(row, saving.column).value == 0
    assert shown_ws.cell(row, rate.column).value == 0
    assert saving.value.startswith("=IF(ABS(") and rate.value.startswith("=IF(ABS(")
    assert shown(0.0, saving.number_format) == "0"
    assert shown(0.0, rate.number_format) == "0.0%"
    # Without the guard, the −0.23 yen would read △0 and △0.0 %.
    assert shown(-0.23, saving.number_format) == "△0"
    assert shown(-0.23 / 1.49e8, rate.number_format) == "△0.0%"
    # A true negative keeps its △.
    assert shown(-1_500.0, saving.number_format) == "△2"
    assert zero_guard("=E6-L6", "money") == "=IF(ABS(E6-L6)<500,0,E6-L6)"


def test_each_table_repeats_its_own_header_the_payments_theirs_in_yen():
    formulas, _ = _books(_awkward_report())
    agreements = formulas[SHEET_NAMES["agreements"]]
    payments = formulas[SHEET_NAMES["payments"]]
    for ws in (agreements, payments):
        first = int(str(ws.print_title_rows).split(":")[0].strip("$"))
        assert ws.cell(first + 2, 1).value is not None  # the table's rows follow its header
        assert len(_tables(ws, ws.max_row)) == 1
    agreement_header = [c.value for c in agreements[_title_row(agreements)]]
    payment_header = [c.value for c in payments[_title_row(payments)]]
    assert "単価\n（円/単位）" in payment_header
    assert not any("円/単位" in str(h) for h in agreement_header)
    detail = next(r for r in range(1, payments.max_row + 1) if payments.cell(r, 1).value == "甲市")
    unit_cost = payments.cell(detail, payment_header.index("単価\n（円/単位）") + 1)
    assert unit_cost.number_format.startswith("#,##0;")  # yen, not #,##0, (千円)
    # Every sheet under repeated header rows holds that one table.
    for ws in formulas.worksheets:
        if ws.print_title_rows:
            assert len(_tables(ws, ws.max_row)) == 1, ws.title


def _title_row(ws) -> int:
    return int(str(ws.print_title_rows).split(":")[0].strip("$"))


def test_notes_stay_inside_the_print_area_and_quote_no_option():
    formulas, _ = _books(_awkward_report())
    texts = [
        (ws.title, c.value)
        for ws in formulas.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert not [t for t in texts if CLI_OPTION.search(t[1])]
    allocation = formulas[SHEET_NAMES["allocation"]]
    notes = [v for title, v in texts if title == allocation.title and v.startswith("注")]
    shapley = next(n for n in notes if "シャープレイ" in n)
    assert "分析担当者" in shapley  # what to ask for, instead of an option
    last_col = _print_area(allocation)[2]
    for rng in allocation.merged_cells.ranges:
        assert rng.max_col <= last_col
    problems = [p for p in layout_problems(_awkward_report()) if "print area" in p]
    assert problems == []


def test_a_note_asks_the_analyst_where_it_quoted_an_option():
    notes = {
        "shapley": "Shapley value not computed by default for 9 municipalities: it takes 501 "
        "coalition solves. Ask for it with --shapley exact, or --shapley sampled.",
        "rule": "The plan's payment rule applies.",
        "ja": {
            "shapley": "9市町村のシャープレイ値は既定では計算しません。厳密には501通りの連合の"
            "求解が必要です。--shapley exact（厳密）または --shapley sampled で計算できます。",
            "rule": "計画の負担の原則によります。",
        },
    }
    (_, ja, en), (_, rule_ja, rule_en) = allocation_notes(notes)
    assert ja == (
        "9市町村のシャープレイ値は既定では計算しません。厳密には501通りの連合の求解が必要です。"
        "必要な場合は分析担当者に計算を依頼してください。"
    )
    assert en == (
        "Shapley value not computed by default for 9 municipalities: it takes 501 coalition "
        "solves. Ask the analyst for it if needed."
    )
    assert (rule_ja, rule_en) == (
        "計画の負担の原則によります。",
        "The plan's payment rule applies.",
    )


def test_labels_are_not_cut_off():
    formulas, _ = _books(_awkward_report())
    facilities = formulas[SHEET_NAMES["facilities"]]
    unit = next(c for row in facilities.iter_rows() for c in row if c.value == "seats-use/year")
    assert _widths(facilities)[unit.column] >= text_width("seats-use/year") + 1
    assumptions = formulas[SHEET_NAMES["assumptions"]]
    label = next(
        c
        for row in assumptions.iter_rows()
        for c in row
        if c.value == "一人当たり需要（demand_per_person）"
    )
    assert _widths(assumptions)[label.column] >= text_width(label.value, bold=True) + 0.5
    assert not [p for p in layout_problems(_awkward_report()) if "cut off" in p or "lines" in p]


def test_bar_charts_start_at_zero_and_the_tornado_is_symmetric():
    data = _awkward_report()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        bars = [
            archive.read(n).decode()
            for n in sorted(archive.namelist())
            if n.startswith("xl/charts/chart") and "<c:barChart>" in archive.read(n).decode()
        ]
    # cost per municipality, cost per type, the tornado, and the renewal sheet's
    # columns per plan
    assert len(bars) >= 3
    both_ways = 0
    for xml in bars:
        axis = re.search(r"<c:valAx>.*?</c:valAx>", xml, re.S).group()
        low = float(re.search(r'<c:min val="([^"]+)"', axis).group(1))
        high = re.search(r'<c:max val="([^"]+)"', axis)
        if low != 0:
            assert high is not None and low == -float(high.group(1)) < 0  # both ways from 0
            both_ways += 1
    assert both_ways == 1  # the tornado
    assert not [p for p in layout_problems(data) if "axis" in p]


def test_the_comparison_chart_starts_at_zero(tmp_path):
    scenarios = pd.DataFrame(
        {
            "scenario": ["base", "near"],
            "cost_before": [6.10e8, 6.20e8],
            "cost_after": [5.90e8, 5.95e8],
            "saving": [2.0e7, -0.2],
        }
    )
    path = write_comparison(tmp_path / "comparison.xlsx", {"scenarios": scenarios})
    data = path.read_bytes()
    assert list(_chart_problems(data)) == []
    values = openpyxl.load_workbook(path, data_only=True)["scenarios"]
    assert values["D3"].value == 0  # −0.2 yen is no saving, not △0
    assert values["D3"].number_format == YEN_THOUSANDS


def test_a_method_left_out_has_no_column_and_no_total():
    formulas, values = _books(_awkward_report())
    ws = values[SHEET_NAMES["allocation"]]
    headers = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any(h.startswith("シャープレイ値\n") for h in headers)
    assert any(h.startswith("利用実績比例") for h in headers)
    assert not [p for p in layout_problems(_awkward_report()) if "empty in every row" in p]


def test_a_method_computed_keeps_its_column(tmp_path):
    problem, solution, _ = _awkward_plan()
    allocation = allocate(
        problem, solution, shapley="exact", processes=1, coalition_cost=_toy_cost(solution)
    )
    data = report_bytes(problem, solution, allocation, run_info=run_info())
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)[SHEET_NAMES["allocation"]]
    headers = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(h.startswith("シャープレイ値\n") for h in headers)


def _toy_cost(solution):
    """c(S): the stand-alone costs of S less a tenth for each partner beyond the first."""
    alone = solution.municipal_costs["standalone_cost"].to_dict()
    return functools.partial(_coalition, tuple(sorted(alone.items())))


def _coalition(alone: tuple, coalition: frozenset) -> float:
    costs = dict(alone)
    return sum(costs[c] for c in coalition) * (1 - 0.1 * (len(coalition) - 1))


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) and poppler (pdftotext) render the report",
)
def test_the_rendered_pages_show_no_negative_zero_and_no_option(tmp_path):
    """The report as LibreOffice prints it (it recalculates every formula on opening)."""
    source = tmp_path / "report.xlsx"
    source.write_bytes(_awkward_report())
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    assert "負担金 Payments" in text and "seats-use/year" in text
    assert not re.search(r"△0(?![\d,.])|△0\.0+%", text)
    assert not CLI_OPTION.search(text)
