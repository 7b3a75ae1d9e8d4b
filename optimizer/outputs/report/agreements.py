"""The agreement sheet (協約): one row per agreement pair with the facilities used each
way and the payments each way and net; and the payment sheet (負担金): the payments
facility by facility, quantity × unit cost in yen. Two sheets, so that a printed page
of payments never carries the agreements' header (money in 千円) over unit costs in yen."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.common import SHEET_NAMES
from optimizer.outputs.xlsx_layout import (
    Book,
    Col,
    TableRange,
    display_width,
    finish_table_sheet,
    page_setup,
    set_widths,
    write_table,
    write_title,
)
from optimizer.problem.data import ProblemData
from optimizer.problem.names import type_name
from optimizer.results.solution import Solution
from optimizer.sharing.allocation import Allocation

__all__ = ["write_agreements", "write_payments"]


def _facilities_used(payments: pd.DataFrame, payer: str, host: str, names: dict) -> str:
    """The facilities ``payer`` uses at ``host`` with the quantity reserved, by facility id."""
    rows = payments[(payments["payer"] == payer) & (payments["host"] == host)]
    return "、".join(
        f"{names.get(r.facility, r.facility)} {r.demand:,.0f} {r.capacity_unit}".rstrip()
        for r in rows.sort_values("facility").itertuples()
    )


def write_agreements(
    book: Book, ws: Worksheet, problem: ProblemData, solution: Solution, allocation: Allocation
) -> TableRange:
    """One row per agreement pair; returns where the table landed (the summary counts
    its rows)."""
    names = problem.municipalities["name"]
    fac_names = problem.facilities["name"].to_dict()
    payments = allocation.payments
    pair_flows = allocation.pair_flows
    paid = {
        (r.a, r.b): (float(r.a_to_b), float(r.b_to_a)) for r in pair_flows.itertuples(index=False)
    }
    net = "{a_to_b}-{b_to_a}"
    cols = [
        Col("a_name", "市町村A", "Municipality A", "text", 12),
        Col("b_name", "市町村B", "Municipality B", "text", 12),
        Col("a_uses", "AがBで利用する施設（確保量）", "B's facilities for A (reserved)", "wrap", 34),
        Col("b_uses", "BがAで利用する施設（確保量）", "A's facilities for B (reserved)", "wrap", 34),
        Col("a_to_b", "A→B 支払\n（千円/年）", "Paid by A to B", "money", 12, total=True),
        Col("b_to_a", "B→A 支払\n（千円/年）", "Paid by B to A", "money", 12, total=True),
        Col("net", "差引 A→B\n（千円/年）", "Net A to B", "money", 12, True, net,
            lambda v: v["a_to_b"] - v["b_to_a"]),
    ]  # fmt: skip
    records = []
    for a, b in solution.agreements[["a", "b"]].itertuples(index=False):
        a_to_b, b_to_a = paid.get((a, b), (0.0, 0.0))
        records.append(
            {
                "a_name": names.get(a, a),
                "b_name": names.get(b, b),
                "a_uses": _facilities_used(payments, a, b, fac_names),
                "b_uses": _facilities_used(payments, b, a, fac_names),
                "a_to_b": a_to_b,
                "b_to_a": b_to_a,
            }
        )
    top = write_title(
        book,
        ws,
        "連携協約と負担金　Agreements and payments",
        "協約1件につき1行。利用する側が、単価（施設の年間費用÷容量）×確保量を施設の所在市町村に"
        "支払います。差引が△のときはBからAへの支払の方が多いことを示します。",
    )
    pairs = write_table(book, ws, top, cols, records, empty_text="連携協約はありません。")
    note = f"施設ごとの確保量・単価・負担金は「{SHEET_NAMES['payments']}」シート。"
    finish_table_sheet(book, ws, top, pairs, cols, SHEET_NAMES["agreements"], note)
    return pairs


def write_payments(book: Book, ws: Worksheet, problem: ProblemData, allocation: Allocation) -> None:
    """The payments facility by facility: who pays whom, for which facility, the
    quantity reserved, the unit cost [yen] and the payment [千円/年], with the total."""
    names = problem.municipalities["name"]
    fac_names = problem.facilities["name"].to_dict()
    payments = allocation.payments
    units = [str(u) for u in payments["capacity_unit"]] if len(payments) else []
    unit_width = max([9.0, *(display_width(u) + 2.0 for u in units)])
    amount = "{demand}*{unit_cost}"
    detail_cols = [
        Col("payer", "支払団体", "Payer", "text", 12),
        Col("host", "受取団体", "Host", "text", 12),
        Col("facility", "施設", "Facility", "wrap", 34),
        Col("type", "類型", "Type", "wrap", 20),
        Col("demand", "確保量", "Reserved", "qty", 12),
        Col("unit", "単位", "Unit", "text", unit_width),
        Col("unit_cost", "単価\n（円/単位）", "Unit cost [yen]", "yen", 13),
        Col("amount", "負担金\n（千円/年）", "Payment", "money", 13, True, amount,
            lambda v: v["demand"] * v["unit_cost"]),
    ]  # fmt: skip
    ordered = payments.sort_values(["payer", "host", "facility"]) if len(payments) else payments
    detail = [
        {
            "payer": names.get(r.payer, r.payer),
            "host": names.get(r.host, r.host),
            "facility": fac_names.get(r.facility, r.facility),
            "type": type_name(problem, r.type),
            "demand": float(r.demand),
            "unit": r.capacity_unit,
            "unit_cost": float(r.unit_cost),
        }
        for r in ordered.itertuples()
    ]
    top = write_title(
        book,
        ws,
        "施設ごとの負担金　Payments facility by facility",
        "負担金＝確保量×単価。単価は施設の年間費用÷容量で、円単位（1単位当たり）。"
        "負担金は年額・千円。",
    )
    detail_table = write_table(
        book, ws, top, detail_cols, detail, empty_text="他団体への支払はありません。"
    )
    set_widths(book, ws, detail_cols)
    ws.freeze_panes(top + 2, 0)
    page_setup(
        book, ws, SHEET_NAMES["payments"], detail_table.bottom, len(detail_cols) - 1, (top, top + 1)
    )
