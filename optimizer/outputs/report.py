"""The Excel cost report (``report.xlsx``): layout and formatting of precomputed tables.

Nothing here optimises or allocates: every figure comes from :class:`ProblemData`,
:class:`Solution` and :class:`Allocation`. The module only counts and tabulates (facilities
per type and decision, demand-weighted access distances) and writes.

Sheets, in reading order for someone who has not seen the model:

========================  ==================================================================
概要 Summary               the result in numbers and in plain words; solver figures
地図 Map                   ``map.png`` (when given)
グラフ Charts              cost before / after per municipality; annual cost per type
市町村別 Municipalities    population, stand-alone cost, cost under the plan by component,
                          saving; the allocation alternatives beside the stand-alone bound
施設別 Facilities          every facility: decision, capacity, use, users, cost, renewal year
協約 Agreements            each pair: facilities used each way, payments each way and net;
                          the payments facility by facility (quantity × unit cost)
前提 Assumptions           run, input file and sha256, overrides, parameters, facility types,
                          software versions, method
========================  ==================================================================

Conventions:

* money is stored in yen and shown in 千円 (thousand yen) through the number format
  :data:`YEN_THOUSANDS` (``#,##0,``); negatives are shown with △ in red, the Japanese
  accounting convention; unit costs per capacity unit are shown in yen;
* totals and derived columns (plan cost, saving, saving rate, net payments) are live
  formulas that also carry their computed value, so readers that do not recalculate
  (openpyxl, viewers, pandas) see the same numbers as Excel;
* every user-supplied string is written as a text cell (a municipality called
  ``=HYPERLINK(...)`` stays text) and escaped in print headers;
* the workbook font is :data:`FONT` (Japanese-capable); every sheet prints on A4
  landscape, one page wide, with its header rows repeated.

Reproducibility: the same inputs give the same bytes. The file's creation date is
``run_info["timestamp"]`` when given, else a fixed placeholder (1980-01-01, the date the
zip container uses too), and the solver's wall-clock time is printed only when
``run_info["show_timings"]`` is true (the run record ``manifest.json`` always has it).
"""

from __future__ import annotations

import io
import logging
import math
import re
import struct
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from optimizer.outputs.files import atomic_write_bytes
from optimizer.outputs.xlsx_layout import (
    FONT,
    HEADER_FILL,
    YEN_THOUSANDS,
    Book,
    Col,
    TableRange,
    is_missing,
    page_setup,
    put_formula,
    put_value,
    safe_sheet_name,
    set_widths,
    sheet_ref,
    wrapped_lines,
    write_section,
    write_table,
    write_title,
)
from optimizer.problem.data import ProblemData
from optimizer.results.accounting import COST_PARTS
from optimizer.results.ranking import (
    alternatives_table,
    changed_decisions,
    decision_differences,
)
from optimizer.results.solution import Solution
from optimizer.schema import PARAMETERS
from optimizer.sharing.allocation import Allocation

__all__ = [
    "write_report",
    "report_bytes",
    "safe_sheet_name",
    "type_summary",
    "result_statement",
    "allocation_notes",
    "SHEET_NAMES",
    "FONT",
    "YEN_THOUSANDS",
]

log = logging.getLogger(__name__)

SHEET_NAMES = {
    "summary": "概要 Summary",
    "map": "地図 Map",
    "charts": "グラフ Charts",
    "municipalities": "市町村別 Municipalities",
    "facilities": "施設別 Facilities",
    "agreements": "協約 Agreements",
    "alternatives": "代替案 Alternatives",
    "assumptions": "前提 Assumptions",
}
OPTIONAL_SHEETS = ("alternatives",)
"""Sheets written only when the run has their content (``--alternatives K``)."""

DECISIONS = {
    "keep": ("存続", "#E2EFDA"),
    "build": ("新設", "#DDEBF7"),
    "close": ("廃止", "#F2F2F2"),
    "not_built": ("新設しない", "#FFFFFF"),
}
"""Decision → (Japanese label, cell fill)."""

STATUS_JA = {
    "optimal": "最適解",
    "feasible": "実行可能解（最適性は未証明）",
    "time_limit": "時間制限で停止（実行可能解）",
    "not_solved": "未求解",
    "infeasible": "実行不能",
    "unbounded": "非有界",
    "error": "エラー",
}

METHODS = {
    "plan": ("本計画の負担", "This plan"),
    "formula": ("按分方式", "Formula split"),
    "usage": ("利用実績比例", "Usage-proportional"),
    "shapley": ("シャープレイ値", "Shapley value"),
}
"""Allocation method → (Japanese, English) column headers."""

SUMMARY_WIDTH = 34 + 16 + 8 * 11
"""Width [characters] of the summary's merged statement cells (columns A–J)."""
PLACEHOLDER_CREATED = datetime(1980, 1, 1)
BOUND_FILL = "#FFF2CC"
EXCEEDS_FILL = "#F8CBAD"


# =========================================================================== tabulation


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
            "name": _type_name(problem, k),
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


def _type_name(problem: ProblemData, k: str) -> str:
    name = problem.facility_types.loc[k].get("name_ja", "")
    return str(name) if isinstance(name, str) and name.strip() else str(k)


def _yen_words(value: float) -> str:
    """Yen in words for sentences: 12.3億円 / 4,560万円, △ for negatives."""
    sign = "△" if value < 0 else ""
    value = abs(value)
    if value >= 1e8:
        return f"{sign}{value / 1e8:,.1f}億円"
    return f"{sign}{value / 1e4:,.0f}万円"


def _status_value(outcome: object) -> str:
    status = getattr(outcome, "status", "")
    return str(getattr(status, "value", status))


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
        f"{n}市町村がそれぞれ単独で施設を維持すると年間{_yen_words(before)}かかるところ、"
        f"この計画では年間{_yen_words(after)}となり、年間{_yen_words(saving)}"
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
    worse = costs.index[costs["plan_cost"] > costs["standalone_cost"] + 0.5]
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
            + "、".join(f"{_type_name(problem, k)} {v:,.0f}" for k, v in lost.items())
            + "（市町村別シートの「自己調達」を参照）。"
        )
    status = _status_value(solution.outcome)
    if status != "optimal":
        gap = getattr(solution.outcome, "gap", None)
        gap_text = "" if gap is None else f"（ギャップ {gap:.2%}）"
        lines.append(f"ソルバーは最適性を証明していません{gap_text}。結果は暫定値です。")
    return lines


# =========================================================================== sheets


def _municipality_columns() -> list[Col]:
    def plan(v):
        return (
            v["own_facilities"]
            + v["payments_out"]
            - v["payments_in"]
            + v["travel"]
            + v["agreements"]
            + v["unserved"]
        )

    return [
        Col("code", "コード", "Code", "code", 9),
        Col("name", "市町村名", "Municipality", "text", 14),
        # 12 wide: the allocation table below reuses these columns for money totals.
        Col("population", "人口", "Population", "int", 12, total=True),
        Col("population_75plus", "75歳以上", "Aged 75+", "int", 12, total=True),
        Col("standalone_cost", "単独の場合\n（千円/年）", "Stand-alone", "money", 12, total=True),
        Col("own_facilities", "自らの施設\n（千円/年）", "Own facilities", "money", 12, total=True),
        Col("payments_out", "他団体へ支払\n（千円/年）", "Payments out", "money", 12, total=True),
        Col("payments_in", "他団体から受取\n（千円/年）", "Payments in", "money", 12, total=True),
        Col("travel", "住民の移動費\n（千円/年）", "Residents' travel", "money", 12, total=True),
        Col("agreements", "協約事務費\n（千円/年）", "Agreement costs", "money", 11, total=True),
        Col("unserved", "自己調達\n（千円/年）", "Self-provision", "money", 10, total=True),
        Col(
            "plan_cost",
            "計画の費用\n（千円/年）",
            "Cost under the plan",
            "money",
            12,
            True,
            "{own_facilities}+{payments_out}-{payments_in}+{travel}+{agreements}+{unserved}",
            plan,
        ),
        Col(
            "saving",
            "削減額\n（千円/年）",
            "Saving",
            "money",
            12,
            True,
            "{standalone_cost}-{plan_cost}",
            lambda v: v["standalone_cost"] - plan(v),
        ),
        Col(
            "saving_pct",
            "削減率",
            "Saving %",
            "pct",
            8,
            "formula",
            "IF({standalone_cost}=0,0,{saving}/{standalone_cost})",
            lambda v: (
                (v["standalone_cost"] - plan(v)) / v["standalone_cost"]
                if v["standalone_cost"]
                else 0.0
            ),
        ),
    ]


def _municipality_records(problem: ProblemData, allocation: Allocation) -> list[dict]:
    muni = problem.municipalities
    costs = allocation.municipalities
    records = []
    for code in muni.index:
        record = {
            "code": code,
            "name": muni.at[code, "name"],
            "population": muni.at[code, "population"],
            "population_75plus": muni.at[code, "population_75plus"],
        }
        for key in ("standalone_cost", *COST_PARTS):
            value = costs.at[code, key] if key in costs.columns else 0.0
            record[key] = 0.0 if is_missing(value) else float(value)
        records.append(record)
    return records


def _method_labels(problem: ProblemData, method: str) -> tuple[str, str]:
    """Japanese and English header of an allocation method (the formula with its weights)."""
    ja, en = METHODS.get(method, (method, method))
    if method == "formula":
        p = problem.parameters
        weights = f"{p.weight_equal:.0%}・{p.weight_population:.0%}・{p.weight_usage:.0%}"
        ja = f"按分方式\n均等・人口・実績\n{weights}"
        en = "Formula split (equal, population, usage)"
    return ja, en


NOTE_LABELS = {
    "shapley": "シャープレイ値 Shapley",
    "core": "コア Core",
    "rule": "負担の原則 Rule",
    "usage_basis": "実績割の基準 Usage basis",
    "negative": "負の負担額 Negative shares",
}
_DURATION = re.compile(r"\s*[(（]\d+(?:\.\d+)?\s*s[)）]")


def allocation_notes(notes: dict, show_timings: bool = False) -> list[tuple[str, str, str]]:
    """The allocation's plain-language notes, labelled, in a fixed order:
    ``(label, Japanese, English)``, the Japanese empty where a note has none. A note is
    a key of :data:`NOTE_LABELS` or one with a Japanese text; other text values (such as
    ``shapley_method``) are data, not notes.

    Wall-clock durations such as ``(0.5 s)`` are removed unless ``show_timings``, so that
    the report does not change from one run to the next.
    """
    japanese = notes.get("ja", {})
    keys = [k for k in NOTE_LABELS if k in notes]
    keys += sorted(k for k in japanese if k not in NOTE_LABELS and k in notes)
    out = []
    for key in keys:
        text = notes[key]
        if not isinstance(text, str) or not text.strip() or key.endswith("_seconds"):
            continue
        ja = japanese.get(key, "")
        if not show_timings:
            text, ja = _DURATION.sub("", text), _DURATION.sub("", ja)
        out.append((NOTE_LABELS.get(key, key), ja, text))
    return out


def _write_municipalities(
    book: Book, ws, problem: ProblemData, allocation: Allocation, show_timings: bool = False
) -> TableRange:
    cols = _municipality_columns()
    top = write_title(
        book,
        ws,
        "市町村別の費用　Cost per municipality",
        "金額は年額・千円（△は負の値）。計画の費用＝自らの施設＋他団体へ支払－他団体から"
        "受取＋住民の移動費＋協約事務費＋自己調達（計画で充足できない需要を自ら賄う費用）。",
    )
    table = write_table(book, ws, top, cols, _municipality_records(problem, allocation))
    set_widths(ws, cols)
    ws.freeze_panes(top + 2, 2)

    row = table.total_row + 3
    methods = [
        c for c in allocation.alternatives.columns if not str(c).endswith("_exceeds_standalone")
    ]
    alt_cols = [
        Col("code", "コード", "Code", "code"),
        Col("name", "市町村名", "Municipality"),
        Col("standalone_cost", "上限＝単独の場合\n（千円/年）", "Bound: stand-alone", "money"),
    ]
    alt_cols += [
        Col(m, f"{ja}\n（千円/年）", en, "money", total=True)
        for m in methods
        for ja, en in [_method_labels(problem, m)]
    ]
    row = write_section(book, ws, row, "負担方式の比較　Allocation alternatives", len(cols))
    ws.write_string(
        row,
        0,
        "同じ計画の総費用を別の方式で分けた場合の各市町村の負担。"
        "網掛け（赤）は単独の場合の費用（上限、黄色の列）を上回る負担です。",
        book.fmt("text", "note"),
    )
    row += 1
    alt = allocation.alternatives
    names = problem.municipalities["name"]
    standalone = allocation.municipalities["standalone_cost"]
    records, fills = [], []
    for code in alt.index:
        record = {
            "code": code,
            "name": names.get(code, code),
            "standalone_cost": standalone.get(code),
        }
        fill = {"standalone_cost": BOUND_FILL}
        for m in methods:
            record[m] = alt.at[code, m]
            if bool(alt.get(f"{m}_exceeds_standalone", pd.Series(dtype=bool)).get(code, False)):
                fill[m] = EXCEEDS_FILL
        records.append(record)
        fills.append(fill)
    alt_table = write_table(book, ws, row, alt_cols, records, fills=fills, header_height=58)
    row = (alt_table.total_row or alt_table.last) + 2
    for label, ja, en in allocation_notes(allocation.notes, show_timings):
        ws.write_string(row, 0, f"注（{label}）：{ja or en}", book.fmt("text", "note"))
        if ja:
            ws.write_string(row + 1, 0, f"　　{en}", book.fmt("text", "note"))
            row += 1
        row += 1
    page_setup(book, ws, SHEET_NAMES["municipalities"], row, len(cols) - 1, (top, top + 1))
    return table


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


def _write_facilities(book: Book, ws, problem: ProblemData, solution: Solution) -> None:
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
    cols = [
        Col("id", "施設ID", "ID", "code", 9),
        Col("name", "施設名", "Facility", "wrap", 24),
        Col("type", "類型", "Type", "text", 16),
        Col("host", "所在市町村", "Host", "text", 11),
        Col("decision", "方針", "Decision", "text", 9),
        Col("capacity", "容量", "Capacity", "qty", 10),
        Col("unit", "単位", "Unit", "text", 9),
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
                "type": _type_name(problem, k),
                "host": names.get(row["municipality"], row["municipality"]),
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
        "更新・改修費の年価と運営費の合計（廃止・新設しない施設は0）。",
    )
    table = write_table(book, ws, top, cols, records, fills=fills)
    set_widths(ws, cols)
    ws.freeze_panes(top + 2, 2)
    if records:
        ws.autofilter(top + 1, 0, table.last, len(cols) - 1)
    page_setup(
        book,
        ws,
        SHEET_NAMES["facilities"],
        table.total_row or table.last,
        len(cols) - 1,
        (top, top + 1),
    )


def _write_alternatives(book: Book, ws, problem: ProblemData, ranking: Sequence) -> None:
    """The best plan and its alternatives: their costs, then the decisions that differ."""
    table = alternatives_table(ranking)
    fac_names = problem.facilities["name"]
    names = problem.municipalities["name"]
    best = ranking[0].solution
    cols = [
        Col("label", "案", "Plan", "text", 14),
        Col("objective", "年間費用\n（千円/年）", "Annual cost", "money", 14),
        Col("extra_cost", "本計画との差\n（千円/年）", "Extra over this plan", "money", 14),
        Col("extra_pct", "差の割合", "Extra [%]", "ratio3", 9),
        Col("kept", "存続", "Kept", "int", 7),
        Col("closed", "廃止", "Closed", "int", 7),
        Col("built", "新設", "Built", "int", 7),
        Col("agreements", "協約数", "Agreements", "int", 8),
        Col("status", "求解状態", "Status", "wrap", 12),
        Col("changes", "本計画からの変更", "Changes from this plan", "wrap", 46),
    ]
    records = []
    for alternative, row in zip(ranking, table.itertuples(), strict=True):
        decisions = alternative.solution.facilities["decision"]
        ja, en = _plan_names(row.rank - 1)
        records.append(
            {
                "label": f"{ja} {en}" if row.rank == 1 else ja,
                "objective": row.objective,
                "extra_cost": row.extra_cost,
                "extra_pct": row.extra_pct / 100,
                "kept": int((decisions == "keep").sum()),
                "closed": int((decisions == "close").sum()),
                "built": int((decisions == "build").sum()),
                "agreements": row.agreements,
                "status": STATUS_JA.get(
                    status := _status_value(alternative.solution.outcome), status
                ),
                "changes": "、".join(
                    f"{fac_names.get(j, j)}（{_decision_label(was)}→{_decision_label(now)}）"
                    for j, was, now in changed_decisions(best, alternative.solution)
                )
                or None,
            }
        )
    top = write_title(
        book,
        ws,
        "代替案の比較　The best plan and its alternatives",
        "各代替案は、それまでの案と少なくとも1施設の存続・廃止・新設が異なる案のうち最も費用の"
        "低い案です。どの案も同じ制約（公平性を含む）を満たし、独立に検算済みです。",
    )
    plans = write_table(book, ws, top, cols, records, total_label=None)
    ws.write_string(
        plans.last + 1,
        0,
        "差が△の案は、本計画の証明済みギャップ（最適値から"
        f"{ranking[0].solution.outcome.gap:.3%}以内）の範囲で本計画より安い案です。",
        book.fmt("text", "note"),
    )
    row = plans.last + 3
    row = write_section(book, ws, row, "方針が異なる施設　Facilities decided differently", 6)
    differences = decision_differences(ranking)
    plan_cols = [c for c in differences.columns if c != "facility"]
    diff_cols = [
        Col("facility", "施設", "Facility", "wrap", 24),
        Col("host", "所在市町村", "Host", "text", 12),
        *(Col(c, *_plan_names(n), "text", 12) for n, c in enumerate(plan_cols)),
    ]
    info = problem.facilities
    diff_records, fills = [], []
    for r in differences.to_dict("records"):
        j = r["facility"]
        host = info.at[j, "municipality"] if j in info.index else ""
        diff_records.append(
            {
                "facility": fac_names.get(j, j),
                "host": names.get(host, host),
                **{c: _decision_label(r[c]) for c in plan_cols},
            }
        )
        fills.append({c: DECISIONS.get(r[c], ("", None))[1] for c in plan_cols})
    last = write_table(book, ws, row, diff_cols, diff_records, total_label=None, fills=fills).last
    set_widths(ws, _widest(cols, diff_cols))
    ws.freeze_panes(top + 2, 1)
    page_setup(book, ws, SHEET_NAMES["alternatives"], last, len(cols) - 1, (top, top + 1))


def _plan_names(n: int) -> tuple[str, str]:
    """Japanese and English names of plan ``n`` of a ranking (0: the report's own plan)."""
    return ("本計画", "This plan") if n == 0 else (f"代替案 {n}", f"Alternative {n}")


def _widest(*tables: Sequence[Col]) -> list[Col]:
    """Per column position, the column of the widest table there (two tables, one sheet)."""
    count = max(len(cols) for cols in tables)
    return [
        max((cols[i] for cols in tables if i < len(cols)), key=lambda c: c.width)
        for i in range(count)
    ]


def _decision_label(decision: str) -> str:
    return DECISIONS.get(str(decision), (str(decision), None))[0]


def _facilities_used(payments: pd.DataFrame, payer: str, host: str, names: dict) -> str:
    rows = payments[(payments["payer"] == payer) & (payments["host"] == host)]
    return "、".join(
        f"{names.get(r.facility, r.facility)} {r.demand:,.0f} {r.capacity_unit}".rstrip()
        for r in rows.sort_values("facility").itertuples()
    )


def _write_agreements(
    book: Book, ws, problem: ProblemData, solution: Solution, allocation: Allocation
) -> TableRange:
    """One row per agreement pair, then the payments facility by facility."""
    names = problem.municipalities["name"]
    fac_names = problem.facilities["name"].to_dict()
    payments = allocation.payments
    pair_flows = allocation.pair_flows
    by_pair = pair_flows.set_index(["a", "b"]) if not pair_flows.empty else None
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
        found = by_pair is not None and (a, b) in by_pair.index
        records.append(
            {
                "a_name": names.get(a, a),
                "b_name": names.get(b, b),
                "a_uses": _facilities_used(payments, a, b, fac_names),
                "b_uses": _facilities_used(payments, b, a, fac_names),
                "a_to_b": float(by_pair.at[(a, b), "a_to_b"]) if found else 0.0,
                "b_to_a": float(by_pair.at[(a, b), "b_to_a"]) if found else 0.0,
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
    ws.freeze_panes(top + 2, 0)

    row = (pairs.total_row or pairs.last) + 3
    row = write_section(book, ws, row, "施設ごとの負担金　Payments facility by facility", len(cols))
    amount = "{demand}*{unit_cost}"
    detail_cols = [
        Col("payer", "支払団体", "Payer", "text", 12),
        Col("host", "受取団体", "Host", "text", 12),
        Col("facility", "施設", "Facility", "text", 34),
        Col("type", "類型", "Type", "text", 34),
        Col("demand", "確保量", "Reserved", "qty", 12),
        Col("unit", "単位", "Unit", "text", 12),
        Col("unit_cost", "単価（円/単位）", "Unit cost [yen]", "yen", 12),
        Col("amount", "負担金\n（千円/年）", "Payment", "money", 12, True, amount,
            lambda v: v["demand"] * v["unit_cost"]),
    ]  # fmt: skip
    ordered = payments.sort_values(["payer", "host", "facility"]) if len(payments) else payments
    detail = [
        {
            "payer": names.get(r.payer, r.payer),
            "host": names.get(r.host, r.host),
            "facility": fac_names.get(r.facility, r.facility),
            "type": _type_name(problem, r.type),
            "demand": float(r.demand),
            "unit": r.capacity_unit,
            "unit_cost": float(r.unit_cost),
        }
        for r in ordered.itertuples()
    ]
    detail_table = write_table(
        book, ws, row, detail_cols, detail, empty_text="他団体への支払はありません。"
    )
    set_widths(ws, detail_cols)
    end = detail_table.total_row or detail_table.last
    page_setup(book, ws, SHEET_NAMES["agreements"], end, len(detail_cols) - 1, (top, top + 1))
    return pairs


def _write_summary(
    book: Book,
    ws,
    problem: ProblemData,
    solution: Solution,
    allocation: Allocation,
    run_info: dict,
    muni: TableRange,
    agreements: TableRange,
) -> None:
    p = problem.parameters
    area = p.area_name or "（圏域名未設定）"
    scenario = str(run_info.get("scenario", "base"))
    types = type_summary(problem, solution)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 9, 11)
    top = write_title(
        book,
        ws,
        f"{area}　公共施設の広域連携計画　結果の概要",
        f"シナリオ：{scenario}　入力：{run_info.get('input_name', '')}",
    )
    # Plain-language statement, one merged, wrapped row per sentence.
    row = write_section(book, ws, top, "結果の要点　Result in brief", 10)
    for sentence in result_statement(problem, solution, allocation, types):
        ws.merge_range(row, 0, row, 9, "", book.fmt("wrap"))
        ws.write_string(row, 0, sentence, book.fmt("wrap"))
        ws.set_row(row, 14 * wrapped_lines(sentence, SUMMARY_WIDTH) + 6)
        row += 1

    row = write_section(book, ws, row + 1, "費用（年額）　Annual cost", 10)
    muni_sheet = SHEET_NAMES["municipalities"]
    before_cell = sheet_ref(muni_sheet, muni.cell("standalone_cost", muni.total_row))
    after_cell = sheet_ref(muni_sheet, muni.cell("plan_cost", muni.total_row))
    costs = allocation.municipalities
    before = float(costs["standalone_cost"].sum())
    after = float(
        costs[["own_facilities", "payments_out", "travel", "agreements", "unserved"]].sum().sum()
        - costs["payments_in"].sum()
    )
    r0 = row
    lines = [
        (
            "単独の場合の年間費用（全市町村の合計）\nEach municipality alone",
            f"={before_cell}",
            before,
            "money",
            "千円/年",
        ),
        ("計画の年間費用\nUnder the plan", f"={after_cell}", after, "money", "千円/年"),
        ("年間削減額\nAnnual saving", f"=B{r0 + 1}-B{r0 + 2}", before - after, "money", "千円/年"),
        (
            "削減率\nSaving rate",
            f"=IF(B{r0 + 1}=0,0,B{r0 + 3}/B{r0 + 1})",
            (before - after) / before if before else 0.0,
            "pct",
            "",
        ),
    ]
    for label, formula, value, kind, unit in lines:
        ws.set_row(row, 30)
        ws.write_string(row, 0, label, book.fmt("wrap", "label"))
        put_formula(book, ws, row, 1, formula, value, kind, "key")
        ws.write_string(row, 2, unit, book.fmt("text", "note"))
        row += 1

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
    ws.set_row(row, 30)
    type_table = write_table(book, ws, row, type_cols, types.to_dict("records"))
    row = (type_table.total_row or type_table.last) + 2

    n_agreements = len(solution.agreements)
    row = write_section(book, ws, row, "連携協約と計算　Agreements and solver", 10)
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
    status = _status_value(outcome)
    gap = getattr(outcome, "gap", None)
    bound = getattr(outcome, "bound", None)
    seconds = getattr(outcome, "seconds", None)
    show_time = bool(run_info.get("show_timings"))
    facts = [
        (
            "連携協約の数\nAgreements",
            n_agreements,
            "int",
            "件",
            f"=COUNTA({agreement_cells})" if agreement_cells else None,
        ),
        ("ソルバー\nSolver", str(getattr(outcome, "solver", "") or ""), "text", "", None),
        ("終了状態\nStatus", f"{STATUS_JA.get(status, status)}（{status}）", "text", "", None),
        (
            "目的関数値\nObjective",
            float(getattr(outcome, "objective", solution.objective)),
            "money",
            "千円/年",
            None,
        ),
        ("下界\nBest bound", bound, "money", "千円/年", None),
        ("最適性ギャップ\nGap", gap, "ratio", "", None),
        (
            "計算時間\nSolver time",
            seconds if show_time else "実行記録（manifest.json）に記載",
            "num" if show_time else "text",
            "秒" if show_time else "",
            None,
        ),
    ]
    for label, value, kind, unit, formula in facts:
        ws.set_row(row, 30)
        ws.write_string(row, 0, label, book.fmt("wrap", "label"))
        if formula:
            put_formula(book, ws, row, 1, formula, value, kind, "key")
        elif value is None:
            ws.write_string(row, 1, "—", book.fmt("text", "key"))
        else:
            put_value(book, ws, row, 1, value, kind, "key")
        ws.write_string(row, 2, unit, book.fmt("text", "note"))
        row += 1
    row += 1
    ws.write_string(
        row,
        0,
        "金額は千円単位（△は負の値）。費用は施設の更新・改修費の年価"
        "（割引率による年賦換算）と運営費、住民の移動費、協約の事務費の合計です。",
        book.fmt("text", "note"),
    )
    page_setup(book, ws, SHEET_NAMES["summary"], row, 9, one_page=True)


def _write_charts(
    book: Book, ws, problem: ProblemData, solution: Solution, muni: TableRange
) -> None:
    top = write_title(book, ws, "グラフ　Charts", "金額は年額・千円。")
    muni_sheet = SHEET_NAMES["municipalities"]
    axis_font = {"name": FONT, "size": 9}

    def _range(key: str) -> list:
        c = muni.columns[key]
        return [muni_sheet, muni.first, c, muni.last, c]

    chart = book.wb.add_chart({"type": "column"})
    for key, name, colour in (
        ("standalone_cost", "単独の場合", "#A6A6A6"),
        ("plan_cost", "計画", HEADER_FILL),
    ):
        chart.add_series(
            {
                "name": name,
                "categories": _range("name"),
                "values": _range(key),
                "fill": {"color": colour},
                "gap": 80,
            }
        )
    chart.set_title(
        {"name": "市町村別の年間費用：単独の場合と計画", "name_font": {"name": FONT, "size": 12}}
    )
    chart.set_x_axis({"num_font": axis_font})
    chart.set_y_axis(
        {
            "num_format": "#,##0,",
            "num_font": axis_font,
            "name": "千円/年",
            "name_font": axis_font,
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    chart.set_legend({"position": "bottom", "font": axis_font})
    chart.set_size({"width": 760, "height": 340})
    ws.insert_chart(top, 0, chart)

    # Annual facility cost per type: every existing facility renewed vs the plan.
    fac = problem.facilities
    existing = fac[~fac["is_candidate"].astype(bool)]
    plan_cost = solution.facilities.groupby("type")["annual_cost"].sum()
    table_top = top + 21
    cols = [
        Col("type", "類型", "Type", "text", 16),
        Col(
            "current",
            "現状の全施設を更新\n（千円/年）",
            "All existing renewed",
            "money",
            14,
            total=True,
        ),
        Col("plan", "計画\n（千円/年）", "Plan", "money", 14, total=True),
    ]
    records = [
        {
            "type": _type_name(problem, k),
            "current": float(existing.loc[existing["type"] == k, "annual_cost"].sum()),
            "plan": float(plan_cost.get(k, 0.0)),
        }
        for k in problem.types
    ]
    table = write_table(book, ws, table_top, cols, records)
    by_type = book.wb.add_chart({"type": "bar"})
    here = SHEET_NAMES["charts"]
    for key, name, colour in (
        ("current", "現状の全施設を更新した場合", "#A6A6A6"),
        ("plan", "計画", HEADER_FILL),
    ):
        c = table.columns[key]
        by_type.add_series(
            {
                "name": name,
                "categories": [here, table.first, 0, table.last, 0],
                "values": [here, table.first, c, table.last, c],
                "fill": {"color": colour},
                "gap": 60,
            }
        )
    by_type.set_title({"name": "類型別の施設の年間費用", "name_font": {"name": FONT, "size": 12}})
    by_type.set_x_axis(
        {
            "num_format": "#,##0,",
            "num_font": axis_font,
            "name": "千円/年",
            "name_font": axis_font,
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    by_type.set_y_axis({"num_font": axis_font, "reverse": True, "crossing": "max"})
    by_type.set_legend({"position": "bottom", "font": axis_font})
    by_type.set_size({"width": 760, "height": 300})
    ws.insert_chart(table.total_row + 2, 0, by_type)
    for i, col in enumerate(cols):
        ws.set_column(i, i, col.width)
    ws.set_column(3, 12, 9)
    last = table.total_row + 2 + 16
    ws.write_string(
        last,
        0,
        "「現状の全施設を更新」は既存施設をすべて存続させた場合の参考値で、"
        "単独の場合の費用（各市町村の最適な単独計画）とは異なります。",
        book.fmt("text", "note"),
    )
    page_setup(book, ws, SHEET_NAMES["charts"], last, 11, one_page=True)


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height [px] from a PNG header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def _write_map(book: Book, ws, map_png: Path | None, area: str) -> None:
    top = write_title(
        book,
        ws,
        f"地図　{area}",
        "市町村（円の面積は人口）、施設（形は類型、色は方針）、"
        "他市町村の施設の利用（線の太さは利用量）。",
    )
    if map_png is None or not Path(map_png).is_file():
        ws.write_string(top, 0, "地図はこの実行では作成されていません。", book.fmt("text", "muted"))
        page_setup(book, ws, SHEET_NAMES["map"], top, 8)
        return
    data = Path(map_png).read_bytes()
    width, height = _png_size(data)
    scale = min(1.0, 1000 / width)
    ws.insert_image(
        top,
        0,
        "map.png",
        {"image_data": io.BytesIO(data), "x_scale": scale, "y_scale": scale, "object_position": 3},
    )
    rows = int(height * scale / 24) + 2
    page_setup(book, ws, SHEET_NAMES["map"], top + rows, 15)


def _write_assumptions(
    book: Book, ws, problem: ProblemData, run_info: dict, created: datetime | None
) -> None:
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 3, 16)
    ws.set_column(4, 4, 60)
    top = write_title(
        book,
        ws,
        "前提条件　Assumptions",
        "この結果を再現するための条件：入力、上書き、パラメータ、単価、ソフトウェア。",
    )
    row = write_section(book, ws, top, "実行　Run", 5)
    run_rows = [
        ("シナリオ Scenario", run_info.get("scenario", "base")),
        ("入力ファイル Input file", run_info.get("input_name", "")),
        ("入力のSHA-256 Input sha256", run_info.get("input_sha256", "")),
        (
            "作成日時 Created",
            created.isoformat(sep=" ") if created else "実行記録（manifest.json）に記載",
        ),
        ("圏域 Area", problem.parameters.area_name),
    ]
    if run_info.get("previous_input_sha256"):
        changed = "はい changed" if run_info.get("input_changed") else "いいえ unchanged"
        run_rows += [
            ("前回の入力SHA-256 Previous sha256", run_info["previous_input_sha256"]),
            ("前回からの入力の変更 Input changed", changed),
        ]
    for label, value in run_rows:
        ws.write_string(row, 0, label, book.fmt("text", "label"))
        put_value(book, ws, row, 1, str(value), "text")
        row += 1
    settings = run_info.get("settings") or {}
    for key in sorted(settings):
        ws.write_string(row, 0, f"実行時の指定 {key}", book.fmt("text", "label"))
        value = settings[key]
        put_value(book, ws, row, 1, "（入力のまま）" if value is None else str(value), "text")
        row += 1

    row = write_section(book, ws, row + 1, "シナリオによる上書き　Scenario overrides applied", 5)
    overrides = list(run_info.get("overrides") or [])
    if not overrides:
        ws.write_string(row, 0, "上書きなし（入力のとおり）", book.fmt("text", "muted"))
        row += 1
    for item in overrides:
        target, value = _override_parts(item)
        put_value(book, ws, row, 0, str(target), "text")
        put_value(book, ws, row, 1, str(value), "text")
        row += 1

    row = write_section(book, ws, row + 1, "パラメータ　Parameters", 5)
    param_cols = [
        Col("name", "項目", "Name", "code"),
        Col("label", "名称", "Label"),
        Col("value", "値", "Value"),
        Col("default", "既定値", "Default"),
        Col("description", "説明", "Description"),
    ]
    records, fills = [], []
    for spec in PARAMETERS:
        value = getattr(problem.parameters, spec.name, None)
        records.append(
            {
                "name": spec.name,
                "label": spec.label_ja,
                "value": _shown(value, spec.unit),
                "default": _shown(spec.default, spec.unit),
                "description": spec.description_ja or spec.description,
            }
        )
        fills.append({"value": BOUND_FILL} if value != spec.default else {})
    table = write_table(book, ws, row, param_cols, records, total_label=None, fills=fills)
    row = table.last + 1
    ws.write_string(row, 0, "黄色：既定値から変更された値。", book.fmt("text", "note"))

    row = write_section(book, ws, row + 2, "施設類型と単価　Facility types and unit costs", 5)
    ft = problem.facility_types
    type_rows = [
        ("name_ja", "類型名", ""),
        ("demand_basis", "需要の基準人口", ""),
        ("demand_per_person", "一人当たり需要", ""),
        ("capacity_unit", "容量の単位", ""),
        ("max_distance_km", "最大利用距離", "km"),
        ("renovation_unit_cost", "大規模改修単価", "円/m²"),
        ("rebuild_unit_cost", "建替え単価", "円/m²"),
        ("life_years", "耐用年数", "年"),
        ("renovation_year", "大規模改修年", "年"),
        ("user_travel_cost_per_km", "利用者移動費用", "円/km"),
        ("routine_repair_per_m2", "経常修繕費", "円/m²/年"),
    ]
    ws.write_string(row, 0, "項目 Item", book.fmt("text", "header"))
    for c, k in enumerate(ft.index, start=1):
        ws.write_string(row, c, str(k), book.fmt("text", "header"))
    row += 1
    for key, label, unit in type_rows:
        if key not in ft.columns:
            continue
        ws.write_string(row, 0, f"{label}（{key}）", book.fmt("text", "label"))
        for c, k in enumerate(ft.index, start=1):
            value = ft.at[k, key]
            text = _shown(value, unit)
            put_value(book, ws, row, c, text, "text")
        row += 1

    row = write_section(book, ws, row + 1, "ソフトウェア　Software", 5)
    for name, version in sorted((run_info.get("versions") or {}).items()):
        put_value(book, ws, row, 0, str(name), "text")
        put_value(book, ws, row, 1, str(version), "text")
        row += 1

    row = write_section(book, ws, row + 1, "算定方法　Method", 5)
    for line in (
        "施設の更新費用は総務省「公共施設等更新費用試算ソフト」の方法（大規模改修30年・2年、"
        "建替え60年・3年、積み残しは10年で平準化）で試算し、割引率で年価に換算しています。",
        "年間費用＝更新・改修・新設費の年価＋運営費。利用する市町村は施設の所在市町村に、"
        "単価（年間費用÷容量）×利用量を支払います。",
        "各市町村の単独の場合の費用は、同じモデルをその市町村だけで解いた最適値です。",
    ):
        ws.merge_range(row, 0, row, 4, "", book.fmt("wrap"))
        ws.write_string(row, 0, line, book.fmt("wrap"))
        ws.set_row(row, 32)
        row += 1
    page_setup(book, ws, SHEET_NAMES["assumptions"], row, 4)


def _override_parts(item) -> tuple[str, str]:
    """``"target=value"`` or ``(target, value)`` → (target, value)."""
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return str(item[0]), str(item[1])
    target, _, value = str(item).partition("=")
    return target.strip(), value.strip()


def _shown(value, unit: str = "") -> str:
    """A parameter value as text with its unit ("—" when empty)."""
    if is_missing(value) or value == "":
        return "—"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, float):
        text = f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:g}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


# =========================================================================== public


def _created(run_info: dict) -> datetime | None:
    stamp = run_info.get("timestamp")
    if stamp is None:
        return None
    if isinstance(stamp, str):
        stamp = datetime.fromisoformat(stamp)
    return stamp.replace(microsecond=0, tzinfo=None)


def report_bytes(
    problem: ProblemData,
    solution: Solution,
    allocation: Allocation,
    *,
    run_info: dict,
    map_png: Path | None = None,
    alternatives: Sequence = (),
) -> bytes:
    """The report workbook as bytes (see :func:`write_report`)."""
    created = _created(run_info)
    area = problem.parameters.area_name or "圏域"
    scenario = str(run_info.get("scenario", "base"))
    stream = io.BytesIO()
    book = Book(stream, f"{area} 広域連携計画（{scenario}）", created or PLACEHOLDER_CREATED)
    taken: list[str] = []
    sheets = {}
    wanted = {"alternatives": len(alternatives) > 1}
    for key, name in SHEET_NAMES.items():
        if key in OPTIONAL_SHEETS and not wanted[key]:
            continue
        sheets[key] = book.wb.add_worksheet(safe_sheet_name(name, taken))
        taken.append(sheets[key].name)
        sheets[key].hide_gridlines(2)
    agreements = _write_agreements(book, sheets["agreements"], problem, solution, allocation)
    show_timings = bool(run_info.get("show_timings"))
    muni = _write_municipalities(book, sheets["municipalities"], problem, allocation, show_timings)
    _write_summary(
        book, sheets["summary"], problem, solution, allocation, run_info, muni, agreements
    )
    _write_map(book, sheets["map"], map_png, area)
    _write_charts(book, sheets["charts"], problem, solution, muni)
    _write_facilities(book, sheets["facilities"], problem, solution)
    if "alternatives" in sheets:
        _write_alternatives(book, sheets["alternatives"], problem, alternatives)
    _write_assumptions(book, sheets["assumptions"], problem, run_info, created)
    sheets["summary"].activate()
    book.wb.close()
    return stream.getvalue()


def write_report(
    path: Path | str,
    problem: ProblemData,
    solution: Solution,
    allocation: Allocation,
    *,
    run_info: dict,
    map_png: Path | None = None,
    alternatives: Sequence = (),
) -> Path:
    """Write ``report.xlsx`` atomically and return its path.

    Parameters
    ----------
    path
        Final file name; the workbook is built in memory and renamed into place whole.
    problem, solution, allocation
        The checked plan and its cost allocation; every figure comes from these.
    run_info
        What the report states about the run: ``scenario``, ``overrides`` (``"k=v"``
        strings or ``(target, value)`` pairs), ``input_name``, ``input_sha256``,
        ``versions`` (name → version), ``settings`` (run-time solver settings, ``None`` =
        the workbook's value); optional ``timestamp`` (datetime or ISO text, the
        creation date shown and stored) and ``show_timings`` (print the solver's time).
        Leave the optional keys out for a report that depends on inputs and settings
        only (byte-identical across runs).
    map_png
        ``map.png`` to embed on the map sheet (``None``: a note says there is none).
    alternatives
        The ranking of :func:`optimizer.solving.alternatives.find_alternatives` (best plan
        first); with two plans or more, the sheet 代替案 compares them.
    """
    data = report_bytes(
        problem, solution, allocation, run_info=run_info, map_png=map_png, alternatives=alternatives
    )
    path = atomic_write_bytes(path, data)
    log.info("report written: %s (%d bytes)", path, len(data))
    return path
