"""The summary sheet (概要): the result in plain words and in numbers; solver figures.

:func:`type_summary` counts facilities and access distances per type and
:func:`result_statement` says the result in a few Japanese sentences; both are also
used on their own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from xlsxwriter.utility import quote_sheetname
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.common import SHEET_NAMES, status_value, yen_words
from optimizer.outputs.report.comparison import (
    sharing_statement,
    write_closures_block,
    write_comparison_block,
)
from optimizer.outputs.report.outlook import outlook_statement
from optimizer.outputs.report.renewal import outlay_statement
from optimizer.outputs.report.service import SERVICE_SHEET
from optimizer.outputs.xlsx_layout import (
    FONT,
    Book,
    Col,
    TableRange,
    merge_wrapped,
    page_setup,
    put_formula,
    put_value,
    sheet_ref,
    write_note,
    write_section,
    write_table,
    write_title,
)
from optimizer.problem.data import ProblemData
from optimizer.problem.names import type_name
from optimizer.results.closures import closure_alternatives
from optimizer.results.service import ALL_TYPES, GROWTH_KM, ServiceResults, service_results
from optimizer.results.solution import Solution
from optimizer.sharing.allocation import Allocation

__all__ = ["type_summary", "service_summary", "result_statement", "write_summary"]

SUMMARY_LAST_COL = 9
"""The summary prints columns A–J."""


def type_summary(problem: ProblemData, solution: Solution) -> pd.DataFrame:
    """Facilities and access per type, for the summary.

    Returns
    -------
    DataFrame indexed by type: ``name``, ``existing`` (count of existing facilities),
    ``kept``, ``closed``, ``built``, ``open_after`` (counts), ``mean_distance_km``
    (demand-weighted Σ demand·distance ÷ Σ demand over the plan's flows), ``worst_distance_km``
    (largest distance of any flow), ``limit_km`` (the type's maximum), ``unserved``
    [capacity unit].
    """
    fac = solution.facilities
    flows = solution.flows
    rows = {}
    for k, spec in problem.facility_types.iterrows():
        of_type = fac[fac["type"] == k]
        decisions = of_type["decision"].value_counts()
        f_k = flows[flows["type"] == k] if not flows.empty else flows
        weight = f_k["demand"].sum() if not f_k.empty else 0.0
        mean = (f_k["demand"] * f_k["distance_km"]).sum() / weight if weight > 0 else math.nan
        worst = f_k["distance_km"].max() if not f_k.empty else math.nan
        unserved = solution.unserved
        lost = unserved.loc[unserved["type"] == k, "demand"].sum() if not unserved.empty else 0.0
        rows[k] = {
            "name": type_name(problem, k),
            "existing": int((~of_type["is_candidate"].astype(bool)).sum()),
            "kept": int(decisions.get("keep", 0)),
            "closed": int(decisions.get("close", 0)),
            "built": int(decisions.get("build", 0)),
            "open_after": int(of_type["open"].astype(bool).sum()),
            "mean_distance_km": float(mean),
            "worst_distance_km": float(worst),
            "limit_km": float(spec["max_distance_km"]),
            "unserved": float(lost),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def service_summary(problem: ProblemData, service: ServiceResults) -> pd.DataFrame:
    """Floor area and lost access per type, for the summary.

    Returns
    -------
    DataFrame indexed by type: ``name``, ``area_before_m2``, ``area_after_m2`` (floor
    area of the municipalities' facilities today and under the plan), ``zones_losing``
    and ``residents_losing`` (the zones listed by
    :func:`optimizer.results.service.zones_losing_access` and the residents of the
    type's basis living there).
    """
    floor, losing = service.floor, service.losing
    rows = {}
    for k in problem.types:
        of_type = losing[losing["type"] == str(k)]
        rows[k] = {
            "name": type_name(problem, k),
            "area_before_m2": float(floor.at[str(k), "area_before_m2"]),
            "area_after_m2": float(floor.at[str(k), "area_after_m2"]),
            "zones_losing": len(of_type),
            "residents_losing": float(of_type["residents"].sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _write_service_block(
    book: Book, ws: Worksheet, row: int, problem: ProblemData, service: ServiceResults
) -> int:
    """Floor area before → after and the zones losing access per type, with a link to
    the service sheet; returns the next free row."""
    row = write_section(book, ws, row, "延床面積とアクセス　Floor area and access", 10)
    cols = [
        Col("name", "類型", "Type", "text"),
        Col("area_before_m2", "延床面積 現状\n（m²）", "Floor area today", "int", total=True),
        Col("area_after_m2", "延床面積 計画\n（m²）", "Floor area, plan", "int", total=True),
        Col(
            "area_change",
            "増減率",
            "Change",
            "pct",
            total="formula",
            formula="IF({area_before_m2}=0,0,{area_after_m2}/{area_before_m2}-1)",
            compute=lambda v: (
                v["area_after_m2"] / v["area_before_m2"] - 1 if v["area_before_m2"] else 0.0
            ),
        ),
        Col("zones_losing", "アクセスが\n悪化する地区", "Zones losing access", "int", total=True),
        Col("residents_losing", "その住民\n（人）", "Their residents", "int", total=True),
    ]
    table = service_summary(problem, service)
    where = write_table(book, ws, row, cols, table.to_dict("records"))
    # A type the municipalities ran none of today has no rate of change: a centred "—".
    base = {"font_name": FONT, "font_size": 10, "align": "center", "valign": "vcenter"}
    for n, before in enumerate(table["area_before_m2"]):
        if not before:
            dash = book.wb.add_format({**base, "border": 1, "border_color": "#D9D9D9"})
            ws.write_string(where.first + n, where.columns["area_change"], "—", dash)
    if where.total_row is not None and not float(service.floor.at[ALL_TYPES, "area_before_m2"]):
        dash = book.wb.add_format(
            {**base, "bold": True, "top": 1, "bottom": 6, "bg_color": "#F2F2F2"}
        )
        ws.write_string(where.total_row, where.columns["area_change"], "—", dash)
    row = where.bottom + 1
    write_note(
        book,
        ws,
        row,
        "延床面積は市町村が運営する施設の合計（現状＝既存の全施設、計画＝存続・新設する施設）。"
        "悪化する地区：最寄りの施設が上限距離を超える、または"
        f"{GROWTH_KM:g} km超遠くなる地区（住民は類型の対象人口）。",
    )
    ws.write_url(
        row + 1,
        0,
        f"internal:{quote_sheetname(SERVICE_SHEET)}!A1",
        book.fmt("text", "note"),
        string=f"→ 詳細は「{SERVICE_SHEET}」シート（市町村別の距離帯別人口、地区の一覧、距離の分布）",
    )
    return row + 3


def certainty_text(status: str, gap: float | None) -> str:
    """Whether a cheaper plan could exist, in plain words (the solver's figures are on
    the assumptions sheet)."""
    if status == "optimal":
        return "最適（同じ条件でこれより安い計画はありません）"
    if gap is None or not math.isfinite(gap):
        return "暫定（計算時間内に最適性を確認できませんでした）"
    return f"暫定（最適な計画との差は最大{gap:.2%}）"


def result_statement(
    problem: ProblemData, solution: Solution, allocation: Allocation, types: pd.DataFrame
) -> list[str]:
    """The result in a few plain Japanese sentences (one string each)."""
    costs = allocation.municipalities
    before, after = float(costs["standalone_cost"].sum()), float(costs["plan_cost"].sum())
    saving = before - after
    pct = saving / before if before else 0.0
    n = len(problem.municipalities)
    lines = [
        f"{n}市町村がそれぞれ単独で施設を維持すると年間{yen_words(before)}かかるところ、"
        f"この計画では年間{yen_words(after)}となり、年間{yen_words(saving)}"
        f"（{pct:.1%}）の削減になります。"
    ]
    parts = []
    for _, row in types.iterrows():
        bits = [f"{row['kept']}か所を存続"]
        if row["closed"]:
            bits.append(f"{row['closed']}か所を廃止")
        if row["built"]:
            bits.append(f"{row['built']}か所を新設")
        parts.append(f"{row['name']}は" + "・".join(bits))
    if parts:
        lines.append("施設は、" + "、".join(parts) + "します。")
    names = problem.municipalities["name"].astype(str)
    pairs = [
        f"{names[a]}–{names[b]}" for a, b in solution.agreements[["a", "b"]].itertuples(index=False)
    ]
    if pairs:
        lines.append(
            f"連携協約は{len(pairs)}件（{'、'.join(pairs)}）。協約を結ぶ市町村の住民は、"
            "相手方の施設を相手方の住民と同じ条件で利用し、利用量に応じた費用を施設の"
            "所在市町村に支払います。"
        )
    else:
        lines.append("連携協約は必要ありません（各市町村が自らの施設で住民に対応します）。")
    # The allocation's own test (a solver's tolerance is not an extra cost), so that the
    # sentence agrees with the marks on the allocation sheet.
    exceeds = allocation.alternatives.get("plan_exceeds_standalone")
    if exceeds is None:
        exceeds = costs["plan_cost"] > costs["standalone_cost"] + 0.5
    worse = exceeds.index[exceeds.astype(bool)]
    if len(worse) == 0:
        lines.append("どの市町村も、単独で施設を維持する場合より負担は増えません。")
    else:
        lines.append(
            "単独の場合より負担が増える市町村があります："
            + "、".join(names[c] for c in worse)
            + "（要確認）。"
        )
    if not solution.unserved.empty:
        lost = solution.unserved.groupby("type")["demand"].sum()
        lines.append(
            "利用距離・容量の制約から充足できない需要があります："
            + "、".join(f"{type_name(problem, k)} {v:,.0f}" for k, v in lost.items())
            + "（市町村別シートの「自己調達」を参照）。"
        )
    status = status_value(solution.outcome)
    if status != "optimal":
        gap = getattr(solution.outcome, "gap", None)
        gap_text = "" if gap is None else f"（ギャップ {gap:.2%}）"
        lines.append(f"ソルバーは最適性を証明していません{gap_text}。結果は暫定値です。")
    return lines


Fact = tuple[str, Any, str, str, str | None]
"""One line of figures: label, value, kind (number format), unit, and the live formula
that gives the value (``None``: the value itself is written)."""


def _write_facts(book: Book, ws: Worksheet, row: int, facts: Sequence[Fact]) -> int:
    """One labelled figure a row from ``row`` on (``—`` when missing); the next free row.
    A figure in words runs across the rest of the row."""
    for label, value, kind, unit, formula in facts:
        book.set_height(ws, row, 30)
        merge_wrapped(book, ws, row, 0, row, 0, label, "wrap", "label")
        if formula:
            put_formula(book, ws, row, 1, formula, value, kind, "key")
        elif value is None:
            ws.write_string(row, 1, "—", book.fmt("text", "key"))
        elif kind in ("text", "wrap"):
            merge_wrapped(book, ws, row, 1, row, SUMMARY_LAST_COL, str(value), "wrap", "key")
            row += 1
            continue
        else:
            put_value(book, ws, row, 1, value, kind, "key")
        write_note(book, ws, row, unit, col=2)
        row += 1
    return row


def write_summary(
    book: Book,
    ws: Worksheet,
    problem: ProblemData,
    solution: Solution,
    allocation: Allocation,
    run_info: dict,
    muni: TableRange,
    agreements: TableRange,
    service: ServiceResults | None = None,
    closures: pd.DataFrame | None = None,
) -> None:
    """The result in plain sentences, the annual cost (live formulas into the municipality
    sheet), facilities and access per type, floor area and lost access (``service``,
    computed here when not given), then the agreements and the solver's figures."""
    p = problem.parameters
    area = p.area_name or "（圏域名未設定）"
    scenario = str(run_info.get("scenario", "base"))
    types = type_summary(problem, solution)
    book.set_width(ws, 0, 0, 34)
    book.set_width(ws, 1, 1, 16)
    book.set_width(ws, 2, SUMMARY_LAST_COL, 11)
    top = write_title(
        book,
        ws,
        f"{area}　公共施設の広域連携計画　結果の概要",
        f"シナリオ：{scenario}　入力：{run_info.get('input_name', '')}"
        + (f"（{run_info['report_date']}時点）" if run_info.get("report_date") else ""),
    )
    # Plain-language statement, one merged, wrapped row per sentence.
    row = write_section(book, ws, top, "結果の要点　Result in brief", 10)
    sentences = result_statement(problem, solution, allocation, types)
    told = (
        sentences[:1]
        + sharing_statement(problem, solution)
        + outlay_statement(problem, solution)
        + outlook_statement(problem, solution)
    )
    for sentence in told + sentences[1:]:
        merge_wrapped(book, ws, row, 0, row, SUMMARY_LAST_COL, sentence)
        row += 1

    row = write_comparison_block(book, ws, row + 1, problem, solution)
    row = write_section(book, ws, row, "費用（年額）　Annual cost", 10)
    muni_sheet = SHEET_NAMES["municipalities"]
    before_cell = sheet_ref(muni_sheet, muni.total_cell("standalone_cost"))
    after_cell = sheet_ref(muni_sheet, muni.total_cell("plan_cost"))
    costs = allocation.municipalities
    before = float(costs["standalone_cost"].sum())
    after = float(
        costs[["own_facilities", "payments_out", "travel", "agreements", "unserved"]].sum().sum()
        - costs["payments_in"].sum()
    )
    r0 = row
    row = _write_facts(
        book,
        ws,
        row,
        [
            (
                "単独の場合の年間費用（全市町村の合計）\nEach municipality alone",
                before,
                "money",
                "千円/年",
                f"={before_cell}",
            ),
            ("計画の年間費用\nUnder the plan", after, "money", "千円/年", f"={after_cell}"),
            (
                "年間削減額\nAnnual saving",
                before - after,
                "money",
                "千円/年",
                f"=B{r0 + 1}-B{r0 + 2}",
            ),
            (
                "削減率\nSaving rate",
                (before - after) / before if before else 0.0,
                "pct",
                "",
                f"=IF(B{r0 + 1}=0,0,B{r0 + 3}/B{r0 + 1})",
            ),
        ],
    )

    row = write_section(book, ws, row + 1, "施設と利用距離　Facilities and access", 10)
    type_cols = [
        Col("name", "類型", "Type", "text"),
        Col("existing", "既存", "Existing", "int", total=True),
        Col("kept", "存続", "Kept", "int", total=True),
        Col("closed", "廃止", "Closed", "int", total=True),
        Col("built", "新設", "Built", "int", total=True),
        Col("open_after", "計画後", "After", "int", total=True),
        Col("mean_distance_km", "平均利用距離\n（km）", "Mean access [km]", "num"),
        Col("worst_distance_km", "最大利用距離\n（km）", "Worst access [km]", "num"),
        Col("limit_km", "上限距離\n（km）", "Limit [km]", "num"),
        Col("unserved", "未充足需要", "Unserved demand", "qty", total=True),
    ]
    type_table = write_table(book, ws, row, type_cols, types.to_dict("records"))
    row = type_table.bottom + 2
    service = service or service_results(problem, solution)
    row = _write_service_block(book, ws, row, problem, service)
    if closures is None:
        closures = closure_alternatives(problem, solution, service.access)
    row = write_closures_block(book, ws, row, problem, closures)

    n_agreements = len(solution.agreements)
    row = write_section(book, ws, row, "連携協約と計算の確からしさ　Agreements and certainty", 10)
    agreement_cells = (
        sheet_ref(
            SHEET_NAMES["agreements"],
            f"{agreements.cell('a_name', agreements.first)}"
            f":{agreements.cell('a_name', agreements.last)}",
        )
        if n_agreements
        else None
    )
    outcome = solution.outcome
    status = status_value(outcome)
    gap = getattr(outcome, "gap", None)
    facts: list[Fact] = [
        (
            "連携協約の数\nAgreements",
            n_agreements,
            "int",
            "件",
            f"=COUNTA({agreement_cells})" if agreement_cells else None,
        ),
        ("計画の確からしさ\nHow sure", certainty_text(status, gap), "text", "", None),
    ]
    row = _write_facts(book, ws, row, facts) + 1
    write_note(
        book,
        ws,
        row,
        "金額は千円単位（△は負の値）。費用は施設の更新・改修費の年価"
        "（割引率による年賦換算）と運営費、住民の移動費、協約の事務費の合計です。"
        f"計算の詳細は「{SHEET_NAMES['assumptions']}」シート。",
    )
    page_setup(book, ws, SHEET_NAMES["summary"], row, SUMMARY_LAST_COL)
