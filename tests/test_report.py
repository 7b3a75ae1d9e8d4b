"""The Excel report read back with openpyxl and compared with the plan's tables."""

from __future__ import annotations

import functools
import io
import math
import zipfile
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from plan_fixture import make_allocation, make_problem, make_solution, run_info

from optimizer.outputs import report
from optimizer.outputs.maps import draw_map
from optimizer.outputs.report import OPTIONAL_SHEETS, SHEET_NAMES, safe_sheet_name, write_report
from optimizer.outputs.xlsx_layout import YEN_THOUSANDS
from optimizer.problem.data import FACILITY_COLUMNS, Rules, assemble_problem
from optimizer.results.outlays import plan_openings, yearly_outlays
from optimizer.sharing.allocation import allocate
from optimizer.solving.solve import SolverSettings, solve_problem
from optimizer.solving.standalone import coalition_cost
from optimizer.workbook.assemble import load_problem


@pytest.fixture(scope="module")
def plan():
    problem = make_problem()
    solution = make_solution(problem)
    return problem, solution, make_allocation(problem, solution)


@pytest.fixture(scope="module")
def books(plan, tmp_path_factory):
    """The report opened twice: cached values, and formulas."""
    path = tmp_path_factory.mktemp("report") / "report.xlsx"
    write_report(path, *plan, run_info=run_info())
    return (
        openpyxl.load_workbook(path, data_only=True),
        openpyxl.load_workbook(path, data_only=False),
    )


def _table(ws, header_ja: str, first_col: int = 1) -> tuple[int, dict[str, int]]:
    """Row of the header cell ``header_ja`` in column ``first_col`` and the header columns."""
    for row in ws.iter_rows(min_col=first_col, max_col=first_col):
        if row[0].value == header_ja:
            r = row[0].row
            cols = {ws.cell(r, c).value: c for c in range(1, ws.max_column + 1)}
            return r, {k: v for k, v in cols.items() if k}
    raise AssertionError(f"no table headed {header_ja!r} in {ws.title}")


def _rows_until_total(ws, header_row: int) -> list[int]:
    rows, r = [], header_row + 2
    while ws.cell(r, 1).value not in (None, "合計 Total"):
        rows.append(r)
        r += 1
    return rows


def test_sheets_are_present_in_reading_order(plan, books):
    values, _ = books
    problem, solution, _ = plan
    # 代替案 appears only when the run asked for alternatives (tests/test_alternatives.py);
    # the renewal chart's data only when the facilities have renewal costs.
    outlays = yearly_outlays(problem, plan_openings(problem, solution)).to_numpy().sum()
    assert outlays > 0
    assert values.sheetnames == [
        name
        for key, name in SHEET_NAMES.items()
        if key not in OPTIONAL_SHEETS or key == "renewal_data"
    ]


def test_municipality_sheet_matches_the_allocation(books, plan):
    problem, solution, allocation = plan
    values, formulas = books
    ws = values[SHEET_NAMES["municipalities"]]
    header, cols = _table(ws, "コード")
    rows = _rows_until_total(ws, header)
    assert [ws.cell(r, 1).value for r in rows] == list(problem.municipalities.index)
    costs = allocation.municipalities
    column = {
        "standalone_cost": "単独の場合\n（千円/年）",
        "own_facilities": "自らの施設\n（千円/年）",
        "payments_out": "他団体へ支払\n（千円/年）",
        "payments_in": "他団体から受取\n（千円/年）",
        "travel": "住民の移動費\n（千円/年）",
        "plan_cost": "計画の費用\n（千円/年）",
        "saving": "削減額\n（千円/年）",
    }
    for r in rows:
        code = ws.cell(r, 1).value
        for key, head in column.items():
            assert ws.cell(r, cols[head]).value == pytest.approx(costs.at[code, key], rel=1e-9)
        pct = ws.cell(r, cols["削減率"]).value
        assert pct == pytest.approx(costs.at[code, "saving_pct"] / 100, rel=1e-9)
    total_row = rows[-1] + 1
    assert ws.cell(total_row, 1).value == "合計 Total"
    for key, head in column.items():
        assert ws.cell(total_row, cols[head]).value == pytest.approx(costs[key].sum(), rel=1e-9)
    # Live formulas behind the totals and the derived columns.
    fws = formulas[SHEET_NAMES["municipalities"]]
    assert str(fws.cell(total_row, cols[column["standalone_cost"]]).value).startswith("=SUM(")
    assert str(fws.cell(rows[0], cols[column["plan_cost"]]).value).startswith("=")
    # Money is shown in thousand yen with △ for negatives.
    assert fws.cell(rows[0], cols[column["plan_cost"]]).number_format == YEN_THOUSANDS


def test_alternatives_mark_shares_above_the_standalone_bound(books, plan):
    problem, _, allocation = plan
    ws = books[0][SHEET_NAMES["allocation"]]
    second, _ = _table(ws, "コード", 1)
    cols = {ws.cell(second + 1, c).value: c for c in range(1, ws.max_column + 1)}
    alt = allocation.alternatives
    for n, code in enumerate(alt.index):
        r = second + 2 + n
        assert ws.cell(r, 1).value == code
        for method in ("plan", "usage", "shapley"):
            label = {"plan": "This plan", "usage": "Usage-proportional", "shapley": "Shapley value"}
            cell = ws.cell(r, cols[label[method]])
            assert cell.value == pytest.approx(alt.at[code, method], rel=1e-9)
            marked = cell.fill.fgColor.rgb.endswith("F8CBAD")
            assert marked == bool(alt.at[code, f"{method}_exceeds_standalone"])
        bound = ws.cell(r, cols["Bound: stand-alone"])
        assert bound.fill.fgColor.rgb.endswith("FFF2CC")


def test_summary_totals_equal_the_plan(books, plan):
    _, solution, allocation = plan
    values, formulas = books
    ws = values[SHEET_NAMES["summary"]]
    found = {}
    for row in ws.iter_rows(min_col=1, max_col=2):
        label = row[0].value
        if isinstance(label, str) and "\n" in label:
            found[label.split("\n")[1]] = (row[0].row, row[1].value)
    before = allocation.municipalities["standalone_cost"].sum()
    after = allocation.municipalities["plan_cost"].sum()
    assert found["Each municipality alone"][1] == pytest.approx(before, rel=1e-9)
    assert found["Under the plan"][1] == pytest.approx(after, rel=1e-9)
    assert found["Annual saving"][1] == pytest.approx(before - after, rel=1e-9)
    assert found["Saving rate"][1] == pytest.approx((before - after) / before, rel=1e-9)
    assert found["Agreements"][1] == len(solution.agreements)
    fws = formulas[SHEET_NAMES["summary"]]
    row = found["Under the plan"][0]
    assert fws.cell(row, 2).value.startswith("='市町村別 Municipalities'!")
    assert fws.cell(found["Agreements"][0], 2).value.startswith("=COUNTA(")
    # Facility counts per type.
    header, cols = _table(ws, "類型")
    counts = solution.facilities.groupby(["type", "decision"]).size()
    for r, k in zip(range(header + 2, header + 5), ["library", "hall", "care"], strict=True):
        assert ws.cell(r, cols["存続"]).value == counts.get((k, "keep"), 0)
        assert ws.cell(r, cols["廃止"]).value == counts.get((k, "close"), 0)
        assert ws.cell(r, cols["新設"]).value == counts.get((k, "build"), 0)
    # The plain-language statement names the saving.
    text = " ".join(str(c.value) for row in ws.iter_rows(max_col=1) for c in row if c.value)
    assert "削減" in text and "連携協約は2件" in text


def test_facility_sheet_matches_the_solution(books, plan):
    problem, solution, _ = plan
    ws = books[0][SHEET_NAMES["facilities"]]
    header, cols = _table(ws, "施設ID")
    rows = _rows_until_total(ws, header)
    fac = solution.facilities
    assert sorted(ws.cell(r, 1).value for r in rows) == sorted(fac.index)
    for r in rows:
        j = ws.cell(r, 1).value
        assert ws.cell(r, cols["容量"]).value == pytest.approx(fac.at[j, "capacity"])
        assert ws.cell(r, cols["利用量"]).value == pytest.approx(fac.at[j, "served"])
        assert ws.cell(r, cols["利用率"]).value == pytest.approx(fac.at[j, "utilisation"])
        assert ws.cell(r, cols["年間費用\n（千円/年）"]).value == pytest.approx(
            fac.at[j, "annual_cost"]
        )
        decision = {"keep": "存続", "close": "廃止", "build": "新設", "not_built": "新設しない"}
        assert ws.cell(r, cols["方針"]).value == decision[fac.at[j, "decision"]]
    total = ws.cell(rows[-1] + 1, cols["年間費用\n（千円/年）"]).value
    assert total == pytest.approx(solution.municipal_costs["own_facilities"].sum(), rel=1e-9)
    users = {
        ws.cell(r, 1).value: ws.cell(r, cols["利用市町村（利用量の割合）"]).value for r in rows
    }
    assert users["H1"] == "甲市 70%、乙町 23%、丙村 7%"


def test_agreement_sheet_payments(books, plan):
    _, solution, allocation = plan
    values, formulas = books
    ws = values[SHEET_NAMES["agreements"]]
    header, cols = _table(ws, "市町村A")
    rows = _rows_until_total(ws, header)
    assert len(rows) == len(solution.agreements)
    flows = allocation.pair_flows
    for r, pair in zip(rows, flows.itertuples(), strict=True):
        assert ws.cell(r, cols["A→B 支払\n（千円/年）"]).value == pytest.approx(pair.a_to_b)
        assert ws.cell(r, cols["B→A 支払\n（千円/年）"]).value == pytest.approx(pair.b_to_a)
        assert ws.cell(r, cols["差引 A→B\n（千円/年）"]).value == pytest.approx(pair.net)
    assert "乙町特養" in ws.cell(rows[0], cols["AがBで利用する施設（確保量）"]).value
    ws = values[SHEET_NAMES["payments"]]
    detail, dcols = _table(ws, "支払団体")
    drows = _rows_until_total(ws, detail)
    amounts = [ws.cell(r, dcols["負担金\n（千円/年）"]).value for r in drows]
    assert sorted(amounts) == pytest.approx(sorted(allocation.payments["amount"]))
    total = ws.cell(drows[-1] + 1, dcols["負担金\n（千円/年）"]).value
    assert total == pytest.approx(allocation.payments["amount"].sum(), rel=1e-9)
    fws = formulas[SHEET_NAMES["payments"]]
    assert fws.cell(drows[0], dcols["負担金\n（千円/年）"]).value.startswith("=")


def test_assumptions_list_parameters_input_and_versions(books):
    ws = books[0][SHEET_NAMES["assumptions"]]
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "ab" * 32 in cells and "sample.xlsx" in cells
    assert "parameters.discount_rate" in cells and "0.03" in cells
    assert "discount_rate" in cells and "agreement_fixed_cost" in cells
    assert "pulp" in cells and "3.3.0" in cells
    assert "400,000 円/m²" in cells  # a unit cost of a facility type


def test_print_setup_and_font(books):
    _, formulas = books
    for ws in formulas.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.print_area
    ws = formulas[SHEET_NAMES["facilities"]]
    assert ws.print_title_rows and ws.freeze_panes == "C6"
    assert ws["A1"].font.name == report.FONT


def test_user_strings_stay_text(plan, tmp_path):
    """A municipality called =HYPERLINK(...) is written as text, never as a formula."""
    problem, solution, allocation = plan
    evil = '=HYPERLINK("http://example.invalid","x")'
    muni = problem.municipalities.copy()
    muni.loc["13203", "name"] = evil
    fac = problem.facilities.copy()
    fac.loc["L3", "name"] = "@SUM(1+1)"
    twisted = problem.replace(
        municipalities=muni,
        facilities=fac,
        parameters=problem.parameters.replace(area_name="A&B圏域 [x]"),
    )
    path = write_report(tmp_path / "r.xlsx", twisted, solution, allocation, run_info=run_info())
    book = openpyxl.load_workbook(path)
    found = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in (evil, "@SUM(1+1)"):
                    found.append(cell.data_type)
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    assert cell.data_type == "s"
    assert found and set(found) == {"s"}
    with zipfile.ZipFile(path) as z:
        sheets_xml = "".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/")
        )
    assert "HYPERLINK" not in sheets_xml  # only in the shared strings, as text
    header = book[SHEET_NAMES["summary"]].oddHeader.left.text
    assert "A&&B" in header or "A&B" in header


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("概要 Summary", [], "概要 Summary"),
        ("a/b\\c[d]:e*f?g", [], "a_b_c_d__e_f_g"),
        ("x" * 40, [], "x" * 31),
        ("'quoted'", [], "quoted"),
        ("History", [], "History_"),
        ("", [], "Sheet_"),
        ("Data", ["data"], "Data (2)"),
        ("y" * 31, ["y" * 31], "y" * 27 + " (2)"),
        ("tab\there", [], "tab_here"),
    ],
)
def test_safe_sheet_name(name, taken, expected):
    result = safe_sheet_name(name, taken)
    assert result == expected
    assert 1 <= len(result) <= 31
    assert not set(result) & set("[]:*?/\\")


def test_same_inputs_give_identical_bytes(plan):
    problem, solution, allocation = plan
    first = report.report_bytes(problem, solution, allocation, run_info=run_info())
    # A second solve of the same plan takes a different time: the report does not change.
    again = make_solution(problem, seconds=7.5)
    second = report.report_bytes(problem, again, allocation, run_info=run_info())
    assert first == second
    stamped = run_info(timestamp=datetime(2026, 4, 1, 9, 0), show_timings=True)
    third = report.report_bytes(problem, solution, allocation, run_info=stamped)
    fourth = report.report_bytes(problem, solution, allocation, run_info=stamped)
    assert third == fourth != first
    props = openpyxl.load_workbook(io.BytesIO(third)).properties
    assert props.created == datetime(2026, 4, 1, 9, 0)


def test_no_agreements_and_no_flows(plan, tmp_path):
    """A plan where every municipality stays alone still gives a readable report."""
    problem, solution, allocation = plan
    alone = solution.__class__(
        **{
            **solution.__dict__,
            "agreements": solution.agreements.iloc[0:0],
            "flows": solution.flows.iloc[0:0],
        }
    )
    empty = allocation.__class__(
        **{
            **allocation.__dict__,
            "payments": allocation.payments.iloc[0:0],
            "pair_flows": pd.DataFrame(columns=["a", "b", "a_to_b", "b_to_a", "net"]),
        }
    )
    path = write_report(tmp_path / "r.xlsx", problem, alone, empty, run_info=run_info())
    ws = openpyxl.load_workbook(path, data_only=True)[SHEET_NAMES["agreements"]]
    cells = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "連携協約はありません。" in cells
    summary = openpyxl.load_workbook(path, data_only=True)[SHEET_NAMES["summary"]]
    texts = [c.value for row in summary.iter_rows(max_col=1) for c in row if c.value]
    assert any("連携協約は必要ありません" in str(t) for t in texts)
    distances = report.type_summary(problem, alone)["mean_distance_km"]
    assert all(math.isnan(d) for d in distances)


def test_map_is_embedded_when_given(plan, tmp_path):
    problem, solution, allocation = plan
    png = draw_map(tmp_path / "map.png", problem, solution)
    path = write_report(
        tmp_path / "r.xlsx", problem, solution, allocation, run_info=run_info(), map_png=png
    )
    with zipfile.ZipFile(path) as z:
        media = [n for n in z.namelist() if n.startswith("xl/media/")]
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert media == ["xl/media/image1.png"]
    # Two on the chart sheet, one per type on the service sheet, and on the renewal
    # sheet the totals and one per plan (when the facilities have renewal costs).
    opened = plan_openings(problem, solution)
    renewal = 1 + opened.shape[1] if yearly_outlays(problem, opened).to_numpy().sum() > 0 else 0
    assert len(charts) == 2 + len(problem.types) + renewal


def test_interrupted_report_leaves_no_file(plan, tmp_path, monkeypatch):
    problem, solution, allocation = plan

    def crash(*args, **kwargs):
        raise RuntimeError("killed while writing the facilities sheet")

    monkeypatch.setattr(report, "write_facilities", crash)
    with pytest.raises(RuntimeError):
        write_report(tmp_path / "report.xlsx", problem, solution, allocation, run_info=run_info())
    assert list(tmp_path.iterdir()) == []


def _sample_sub_area(workbook, n: int = 4):
    """The first ``n`` municipalities of the sample with their facilities (solves in < 1 s)."""
    problem, _ = load_problem(workbook)
    codes = list(problem.municipalities.index[:n])
    fac = problem.facilities[problem.facilities["municipality"].isin(codes)]
    inputs = [
        c
        for c in FACILITY_COLUMNS
        if c not in ("capital_cost", "annual_capital_cost", "annual_cost", "next_renewal_year")
    ]
    return assemble_problem(
        problem.municipalities.loc[codes], problem.facility_types, fac[inputs],
        problem.parameters, Rules(), source=problem.source,
    )  # fmt: skip


def test_end_to_end_on_the_sample(sample_workbook, tmp_path):
    """sample → solve → allocate → map → report, read back and compared with the plan."""
    problem = _sample_sub_area(sample_workbook)
    settings = SolverSettings(time_limit_s=20)
    solution = solve_problem(problem, settings, processes=1)
    cost = functools.partial(coalition_cost, problem)
    allocation = allocate(problem, solution, shapley="exact", processes=1, coalition_cost=cost)
    png = draw_map(tmp_path / "map.png", problem, solution)
    info = run_info(input_sha256=problem.source.get("sha256", ""))
    path = write_report(
        tmp_path / "report.xlsx", problem, solution, allocation, run_info=info, map_png=png
    )
    book = openpyxl.load_workbook(path, data_only=True)

    ws = book[SHEET_NAMES["municipalities"]]
    header, cols = _table(ws, "コード")
    rows = _rows_until_total(ws, header)
    costs = allocation.municipalities
    for r in rows:
        code = ws.cell(r, 1).value
        got = ws.cell(r, cols["計画の費用\n（千円/年）"]).value
        assert got == pytest.approx(costs.at[code, "plan_cost"], rel=1e-9, abs=1e-3)
        got = ws.cell(r, cols["単独の場合\n（千円/年）"]).value
        assert got == pytest.approx(costs.at[code, "standalone_cost"], rel=1e-9)
    total = ws.cell(rows[-1] + 1, cols["計画の費用\n（千円/年）"]).value
    assert total == pytest.approx(costs["plan_cost"].sum(), rel=1e-9)

    ws = book[SHEET_NAMES["facilities"]]
    header, cols = _table(ws, "施設ID")
    fac = solution.facilities
    for r in _rows_until_total(ws, header):
        j = ws.cell(r, 1).value
        assert ws.cell(r, cols["利用率"]).value == pytest.approx(fac.at[j, "utilisation"])
        assert ws.cell(r, cols["年間費用\n（千円/年）"]).value == pytest.approx(
            fac.at[j, "annual_cost"]
        )

    ws = book[SHEET_NAMES["payments"]]
    if len(allocation.payments):
        detail, dcols = _table(ws, "支払団体")
        drows = _rows_until_total(ws, detail)
        paid = ws.cell(drows[-1] + 1, dcols["負担金\n（千円/年）"]).value
        assert paid == pytest.approx(allocation.payments["amount"].sum(), rel=1e-9)

    # Same inputs and settings: the same agreements and the same bytes.
    again = solve_problem(problem, settings, processes=1)
    assert again.agreements.equals(solution.agreements)
    second = report.report_bytes(
        problem, again, allocate(problem, again, shapley="exact", processes=1, coalition_cost=cost),
        run_info=info, map_png=draw_map(tmp_path / "map2.png", problem, again),
    )  # fmt: skip
    assert second == path.read_bytes()


def test_allocation_notes_are_text_only_and_free_of_durations():
    notes = {
        "shapley_seconds": 0.53,
        "shapley": "Shapley value exact, from all 16 coalition costs (0.5 s).",
        "core": "The core is not empty.",
        "least_core_allocation": {"13205": 1.0},
        "zeta": "other",
        "shapley_method": "exact",
        "ja": {"shapley": "シャープレイ値は厳密に計算しました（0.5 s）。", "zeta": "その他"},
    }
    assert report.allocation_notes(notes) == [
        (
            "シャープレイ値 Shapley",
            "シャープレイ値は厳密に計算しました。",
            "Shapley value exact, from all 16 coalition costs.",
        ),
        ("コア Core", "", "The core is not empty."),
        ("zeta", "その他", "other"),
    ]
    assert "(0.5 s)" in report.allocation_notes(notes, show_timings=True)[0][2]
