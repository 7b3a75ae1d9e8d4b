"""The municipality sheet (市町村別): each municipality's cost alone and under the plan,
by component, and its saving; and the allocation sheet (負担方式): the plan's total cost
split by other allocation methods beside the stand-alone bound, with the allocation's
notes. Each sheet holds one table, so that the header repeated on a printed page is
always the header of the table it continues."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.common import BOUND_FILL, SHEET_NAMES
from optimizer.outputs.xlsx_layout import (
    Book,
    Col,
    TableRange,
    finish_table_sheet,
    is_missing,
    page_setup,
    set_widths,
    write_note,
    write_table,
    write_title,
)
from optimizer.problem.data import ProblemData
from optimizer.results.accounting import COST_PARTS
from optimizer.sharing.allocation import Allocation

__all__ = ["NOTE_LABELS", "allocation_notes", "write_municipalities", "write_allocation"]

METHODS = {
    "plan": ("本計画の負担", "This plan"),
    "formula": ("按分方式", "Formula split"),
    "usage": ("利用実績比例", "Usage-proportional"),
    "shapley": ("シャープレイ値", "Shapley value"),
}
"""Allocation method → (Japanese, English) column headers."""

EXCEEDS_FILL = "#F8CBAD"
"""Fill of a share above the stand-alone cost."""


def _municipality_columns() -> list[Col]:
    """The columns of the cost table, plan cost, saving and saving rate as live formulas."""

    def plan(v: Mapping[str, float]) -> float:
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
    """One record per municipality: population and its costs alone and by component."""
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
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
_SENTENCE_JA = re.compile(r"(?<=。)")
_SENTENCE_EN = re.compile(r"(?<=[.!?])\s+")
ASK_ANALYST = (
    "必要な場合は分析担当者に計算を依頼してください。",
    "Ask the analyst for it if needed.",
)
"""What a note says instead of a command-line option: the report's reader does not run
the program."""


def _without_options(text: str, japanese: bool) -> str:
    """``text`` without its sentences that quote a command-line option (``--shapley
    exact``), and a request to the analyst in their place."""
    if not _OPTION.search(text):
        return text
    pattern = _SENTENCE_JA if japanese else _SENTENCE_EN
    kept = [s for s in pattern.split(text) if s.strip() and not _OPTION.search(s)]
    ask = ASK_ANALYST[0 if japanese else 1]
    return ("" if japanese else " ").join([*(s.strip() for s in kept), ask])


def allocation_notes(notes: dict, show_timings: bool = False) -> list[tuple[str, str, str]]:
    """The allocation's plain-language notes, labelled, in a fixed order:
    ``(label, Japanese, English)``, the Japanese empty where a note has none. A note is
    a key of :data:`NOTE_LABELS` or one with a Japanese text; other text values (such as
    ``shapley_method``) are data, not notes.

    Wall-clock durations such as ``(0.5 s)`` are removed unless ``show_timings``, so that
    the report does not change from one run to the next. A sentence that quotes a
    command-line option is replaced by a request to the analyst: the council member who
    reads the report does not run the program.
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
        text, ja = _without_options(text, False), _without_options(ja, True) if ja else ja
        out.append((NOTE_LABELS.get(key, key), ja, text))
    return out


def write_municipalities(
    book: Book, ws: Worksheet, problem: ProblemData, allocation: Allocation
) -> TableRange:
    """The cost table per municipality; returns where it landed (the summary and the
    charts refer to it)."""
    cols = _municipality_columns()
    top = write_title(
        book,
        ws,
        "市町村別の費用　Cost per municipality",
        "金額は年額・千円（△は負の値）。計画の費用＝自らの施設＋他団体へ支払－他団体から"
        "受取＋住民の移動費＋協約事務費＋自己調達（計画で充足できない需要を自ら賄う費用）。",
    )
    table = write_table(book, ws, top, cols, _municipality_records(problem, allocation))
    note = f"同じ計画の総費用を別の方式で分けた場合の負担は「{SHEET_NAMES['allocation']}」シート。"
    finish_table_sheet(book, ws, top, table, cols, SHEET_NAMES["municipalities"], note, 2)
    return table


def _shown_methods(allocation: Allocation) -> list[str]:
    """The allocation methods with a share for some municipality: a method left out of
    the run (the Shapley value beyond the default size) has no column, and its note
    says why."""
    alt = allocation.alternatives
    return [
        str(c)
        for c in alt.columns
        if not str(c).endswith("_exceeds_standalone")
        and not all(is_missing(v) for v in alt[c].tolist())
    ]


def write_allocation(
    book: Book,
    ws: Worksheet,
    problem: ProblemData,
    allocation: Allocation,
    show_timings: bool = False,
) -> None:
    """The plan's total cost split by each allocation method beside the stand-alone
    bound (a share above it marked), then the allocation's notes."""
    methods = _shown_methods(allocation)
    alt_cols = [
        Col("code", "コード", "Code", "code", 9),
        Col("name", "市町村名", "Municipality", "text", 14),
        Col("standalone_cost", "上限＝単独の場合\n（千円/年）", "Bound: stand-alone", "money", 14),
    ]
    alt_cols += [
        Col(m, f"{ja}\n（千円/年）", en, "money", 16, total=True)
        for m in methods
        for ja, en in [_method_labels(problem, m)]
    ]
    top = write_title(
        book,
        ws,
        "負担方式の比較　Allocation alternatives",
        "同じ計画の総費用を別の方式で分けた場合の各市町村の負担（年額・千円）。"
        "網掛け（赤）は単独の場合の費用（上限、黄色の列）を上回る負担です。",
    )
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
    alt_table = write_table(book, ws, top, alt_cols, records, fills=fills, header_height=58)
    set_widths(book, ws, alt_cols)
    ws.freeze_panes(top + 2, 2)
    row = alt_table.bottom + 2
    for label, ja, en in allocation_notes(allocation.notes, show_timings):
        write_note(book, ws, row, f"注（{label}）：{ja or en}")
        if ja:
            write_note(book, ws, row + 1, f"　　{en}")
            row += 1
        row += 1
    page_setup(book, ws, SHEET_NAMES["allocation"], row, len(alt_cols) - 1, (top, top + 1))
