"""The facility sheet (施設別): every facility's decision, capacity, use, users, annual
cost and next renewal year."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.common import DECISIONS, SHEET_NAMES
from optimizer.outputs.xlsx_layout import (
    Book,
    Col,
    fit_width,
    page_setup,
    set_widths,
    write_table,
    write_title,
)
from optimizer.problem.data import ProblemData
from optimizer.problem.names import type_name
from optimizer.results.solution import Solution

__all__ = ["write_facilities", "OPERATOR_JA"]

OPERATOR_JA = {"municipal": "市町村", "private": "民間", "prefecture": "都道府県"}
"""The operator of a facility as the report names it."""


def _users_text(flows: pd.DataFrame, names: pd.Series) -> dict[str, str]:
    """Per facility: its users' names and shares of what it serves, largest first."""
    if flows.empty:
        return {}
    out = {}
    for fid, group in flows.groupby("facility", sort=True):
        by_muni = group.groupby("municipality")["demand"].sum()
        total = by_muni.sum()
        ordered = sorted(by_muni.items(), key=lambda kv: (-kv[1], kv[0]))
        out[fid] = (
            "、".join(f"{names.get(code, code)} {value / total:.0%}" for code, value in ordered)
            if total > 0
            else ""
        )
    return out


def write_facilities(book: Book, ws: Worksheet, problem: ProblemData, solution: Solution) -> None:
    """One row per facility, by type then host: decision (coloured), capacity, use, users,
    annual cost and next renewal year, with an autofilter."""
    fac = solution.facilities
    info = problem.facilities
    names = problem.municipalities["name"]
    users = _users_text(solution.flows, names)
    flows = solution.flows
    from_others = (
        flows[flows["municipality"] != flows["host"]].groupby("facility")["demand"].sum()
        if not flows.empty
        else pd.Series(dtype=float)
    )
    order = {k: n for n, k in enumerate(problem.types)}
    ids = sorted(
        fac.index,
        key=lambda j: (order.get(fac.at[j, "type"], 99), str(fac.at[j, "municipality"]), str(j)),
    )
    types = problem.facility_types
    type_names = [type_name(problem, k) for k in problem.types]
    units = types["capacity_unit"].tolist() if "capacity_unit" in types.columns else []
    hosts = [names.get(fac.at[j, "municipality"], "") for j in ids]
    cols = [
        Col("id", "施設ID", "ID", "code", fit_width(ids, 9, 12)),
        Col("name", "施設名", "Facility", "wrap", 24),
        Col("type", "類型", "Type", "text", fit_width(type_names, 10, 20)),
        Col("host", "所在市町村", "Host", "text", fit_width(hosts, 11, 14)),
        Col("operator", "運営主体", "Operator", "text", fit_width(OPERATOR_JA.values(), 8, 9)),
        Col(
            "decision",
            "方針",
            "Decision",
            "text",
            fit_width((d for d, _ in DECISIONS.values()), 9, 11),
        ),
        Col("capacity", "容量", "Capacity", "qty", 10),
        Col("unit", "単位", "Unit", "text", fit_width(units, 9, 16)),
        Col("served", "利用量", "Demand served", "qty", 10),
        Col("utilisation", "利用率", "Utilisation", "util", 7),
        Col("others", "うち他団体", "From others", "util", 8),
        Col("users", "利用市町村（利用量の割合）", "Users by municipality", "wrap", 30),
        Col("annual_cost", "年間費用\n（千円/年）", "Annual cost", "money", 12, total=True),
        Col("renewal", "次の更新年度", "Next renewal", "year", 9),
    ]
    records, fills = [], []
    for j in ids:
        row = fac.loc[j]
        decision = str(row["decision"])
        label, fill = DECISIONS.get(decision, (decision, None))
        served = float(row["served"])
        k = row["type"]
        records.append(
            {
                "id": j,
                "name": info.at[j, "name"] if j in info.index else "",
                "type": type_name(problem, k),
                "host": names.get(row["municipality"], row["municipality"]),
                "operator": OPERATOR_JA.get(str(info.at[j, "operator"]), "")
                if "operator" in info.columns and j in info.index
                else "",
                "decision": label,
                "capacity": row["capacity"],
                "unit": problem.facility_types.at[k, "capacity_unit"]
                if k in problem.facility_types.index
                else "",
                "served": served,
                "utilisation": row["utilisation"],
                "others": float(from_others.get(j, 0.0)) / served if served > 0 else None,
                "users": users.get(j, ""),
                "annual_cost": row["annual_cost"],
                "renewal": info.at[j, "next_renewal_year"]
                if bool(row["open"]) and j in info.index
                else None,
            }
        )
        fills.append({"decision": fill} if fill else {})
    top = write_title(
        book,
        ws,
        "施設別の方針と利用　Facilities",
        "方針：存続・廃止・新設・新設しない（候補地）。利用率＝利用量÷容量。年間費用は"
        "更新・改修費の年価と運営費の合計（廃止・新設しない施設、民間・都道府県が運営する施設は"
        "市町村の負担でないため0）。",
    )
    table = write_table(book, ws, top, cols, records, fills=fills)
    set_widths(book, ws, cols)
    ws.freeze_panes(top + 2, 2)
    if records:
        ws.autofilter(top + 1, 0, table.last, len(cols) - 1)
    page_setup(
        book,
        ws,
        SHEET_NAMES["facilities"],
        table.bottom,
        len(cols) - 1,
        (top, top + 1),
    )
