"""The three plans a council compares, and the closures with what replaces them.

:func:`comparison_table` sets side by side "renew every existing facility", "each
municipality alone" and "the shared plan" (annual cost, facilities, floor area and the
demand each leaves unserved, so that no plan looks cheaper for serving fewer residents);
:func:`write_comparison_block` and :func:`write_closures_block` put them on the
summary page, :func:`write_closures` the full list of closures on its own sheet, and
:func:`write_closure_steps` the legal steps of each closure on another (one table a
sheet, so that a printed page never carries the other table's header).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from xlsxwriter.utility import quote_sheetname
from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.common import SHEET_NAMES, yen_words
from optimizer.outputs.xlsx_layout import (
    Book,
    Col,
    page_setup,
    set_widths,
    write_note,
    write_section,
    write_table,
    write_title,
)
from optimizer.problem.costs import municipal
from optimizer.problem.data import ProblemData
from optimizer.problem.names import type_name
from optimizer.results.solution import Solution

__all__ = [
    "PLAN_NAMES",
    "comparison_table",
    "sharing_statement",
    "write_comparison_block",
    "write_closures_block",
    "write_closures",
    "write_closure_steps",
    "CLOSURES_ON_SUMMARY",
]

PLAN_NAMES = {
    "renew_all": "全施設を更新（現状維持）",
    "alone": "各市町村が単独で見直し",
    "shared": "共同利用（本計画）",
}
PLAN_NAMES_EN = {
    "renew_all": "Renew every facility",
    "alone": "Each municipality alone",
    "shared": "Shared plan",
}
CLOSURES_ON_SUMMARY = 10
"""Closures listed on the summary page (most residents first); the rest on their sheet."""


def comparison_table(problem: ProblemData, solution: Solution) -> pd.DataFrame | None:
    """One row per plan (``renew_all``, ``alone``, ``shared``), ``None`` without the
    comparison: ``plan`` (Japanese name), ``cost`` [yen/year], ``facilities`` (the
    municipalities' facilities open), ``floor_area_m2`` (theirs, known areas only) and
    ``unserved_<type>`` [capacity unit] per type."""
    comparison = solution.extras.get("comparison")
    if not comparison:
        return None
    facilities = problem.facilities
    owned = pd.Series(municipal(facilities), index=facilities.index.astype(str))
    area = facilities["floor_area_m2"].astype(float).fillna(0.0)
    area.index = facilities.index.astype(str)
    opened = comparison["open"].astype(bool)
    rows = []
    for key in PLAN_NAMES:
        is_open = opened[key].reindex(owned.index).fillna(False).to_numpy(bool) & owned.to_numpy()
        row = {
            "key": key,
            "plan": PLAN_NAMES[key],
            "cost": float(comparison["costs"][key].sum()),
            "facilities": int(is_open.sum()),
            "floor_area_m2": float(area.to_numpy()[is_open].sum()),
        }
        for kind in problem.types:
            row[f"unserved_{kind}"] = float(comparison["unserved"].at[kind, key])
        rows.append(row)
    table = pd.DataFrame(rows)
    renew = table.at[0, "cost"]
    table["versus_renew"] = table["cost"] - renew
    return table


def sharing_statement(problem: ProblemData, solution: Solution) -> list[str]:
    """The comparison in plain sentences: what each step saves, and whether a plan serves
    fewer residents than another (so that its lower cost is not read as a saving)."""
    table = comparison_table(problem, solution)
    if table is None:
        return []
    costs = table.set_index("key")["cost"]
    from_review = costs["renew_all"] - costs["alone"]
    from_sharing = costs["alone"] - costs["shared"]
    lines = [
        f"全施設を今のまま更新すると年間{yen_words(costs['renew_all'])}、各市町村が単独で見直すと"
        f"{yen_words(costs['alone'])}、共同利用では{yen_words(costs['shared'])}です。"
        f"単独の見直しとの差{yen_words(from_sharing)}が、共同利用による効果です。"
    ]
    if from_review >= 0:
        lines[0] += f"（単独の見直し自体の効果は{yen_words(from_review)}）"
    else:
        lines[0] += (
            f"単独で見直すと現状維持より{yen_words(-from_review)}多くかかるのは、現状維持では"
            "充足できない需要を新設などで賄うためです。"
        )
    unserved = [c for c in table.columns if c.startswith("unserved_")]
    short = table.set_index("key")[unserved]
    worse = [
        PLAN_NAMES[key]
        for key in ("renew_all", "alone")
        if (short.loc[key] > short.loc["shared"] + 1e-6).any()
    ]
    if worse:
        lines.append(
            "、".join(worse) + "は、容量や距離の制約から本計画より多くの需要を充足できません"
            "（その分は自ら確保する費用で計上しています）。"
        )
    closed = comparison_closed(solution)
    if closed is not None and closed[0]:
        total, by_sharing = closed
        if by_sharing == total:
            lines.append(
                f"本計画で廃止する{total}施設は、いずれも共同利用によるものです"
                "（各市町村が単独で見直す場合は存続します）。"
            )
        else:
            lines.append(
                f"本計画で廃止する{total}施設のうち、共同利用によるものは{by_sharing}施設です"
                f"（残る{total - by_sharing}施設は各市町村が単独で見直しても廃止されます）。"
            )
    return lines


def comparison_closed(solution: Solution) -> tuple[int, int] | None:
    """(closures in the shared plan, of which only because of sharing), or ``None``."""
    comparison = solution.extras.get("comparison")
    if not comparison:
        return None
    closed = solution.facilities.index[solution.facilities["decision"] == "close"].astype(str)
    by_sharing = set(comparison["closed_by_sharing"])
    return len(closed), sum(1 for fid in closed if fid in by_sharing)


def write_comparison_block(
    book: Book, ws: Worksheet, row: int, problem: ProblemData, solution: Solution
) -> int:
    """The three plans side by side on the summary page; returns the next free row."""
    table = comparison_table(problem, solution)
    if table is None:
        return row
    row = write_section(book, ws, row, "三つの案の比較　Three plans compared", 10)
    cols = [
        Col("plan", "案", "Plan", "text"),
        Col("cost", "年間費用\n（千円/年）", "Annual cost", "money"),
        Col("versus_renew", "現状維持との差\n（千円/年）", "vs renewing all", "money"),
        Col("facilities", "市町村の施設数", "Facilities", "int"),
        Col("floor_area_m2", "延床面積\n（m²）", "Floor area", "int"),
    ]
    for kind in problem.types:
        unit = str(problem.facility_types.at[kind, "capacity_unit"])
        cols.append(Col(f"unserved_{kind}", f"未充足\n{type_name(problem, kind)}", unit, "qty"))
    where = write_table(
        book, ws, row, cols, table.to_dict("records"), total_label=None, header_height=44
    )
    row = where.bottom + 1
    write_note(
        book,
        ws,
        row,
        "各案とも各市町村の会計で計上（充足できない需要は自ら確保する費用で計上）。"
        "延床面積は市町村が運営する施設の合計（面積不明の施設を除く）。",
    )
    return row + 2


def _closure_records(problem: ProblemData, closures: pd.DataFrame) -> list[dict]:
    names = problem.municipalities["name"].astype(str)
    records = []
    for row in closures.itertuples(index=False):
        alternative = (
            f"{row.alternative_name}（{names.get(str(row.alternative_municipality), '')}）"
            if row.alternative
            else "（同じ類型の施設なし）"
        )
        by_sharing = row.by_sharing
        records.append(
            {
                "name": f"{row.name}（{names.get(str(row.municipality), '')}）",
                "type": type_name(problem, row.type),
                "alternative": alternative,
                "alternative_km": None if math.isnan(row.alternative_km) else row.alternative_km,
                "residents": row.residents,
                "mean_km_before": _finite(row.mean_km_before),
                "mean_km_after": _finite(row.mean_km_after),
                "why": "—"
                if isinstance(by_sharing, float) and np.isnan(by_sharing)
                else ("共同利用" if by_sharing else "単独でも廃止"),
            }
        )
    return records


def _finite(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


CLOSURE_COLS = [
    Col("name", "廃止する施設", "Facility closed", "wrap", 30),
    Col("type", "類型", "Type", "text", 10),
    Col("alternative", "最寄りの代替施設", "Nearest open alternative", "wrap", 30),
    Col("alternative_km", "距離\n（km）", "km", "num", 8),
    Col("residents", "最寄りだった\n住民（人）", "Residents affected", "int", 12),
    Col("mean_km_before", "その平均距離\n現状（km）", "Their distance today", "num", 12),
    Col("mean_km_after", "計画後\n（km）", "After", "num", 9),
    Col("why", "理由", "Why", "text", 12),
]


SUMMARY_CLOSURE_COLS = [
    Col("name", "廃止する施設", "Facility closed", "wrap", 34),
    Col("alternative", "最寄りの代替施設", "Nearest alternative", "wrap", 16),
    Col("type", "類型", "Type", "text", 11),
    Col("alternative_km", "距離\n（km）", "km", "num", 11),
    Col("residents", "最寄りだった\n住民（人）", "Residents", "int", 11),
    Col("mean_km_before", "その平均距離\n現状（km）", "Today", "num", 11),
    Col("mean_km_after", "計画後\n（km）", "After", "num", 11),
    Col("why", "理由", "Why", "text", 11),
]
"""The closure columns on the summary page, fitted to its column widths (34, 16, 11 …)."""


def write_closures_block(
    book: Book, ws: Worksheet, row: int, problem: ProblemData, closures: pd.DataFrame
) -> int:
    """The closures with most residents affected, with a link to the full list."""
    row = write_section(book, ws, row, "廃止する施設と代替施設　Closures and alternatives", 10)
    shown = closures.head(CLOSURES_ON_SUMMARY)
    where = write_table(
        book,
        ws,
        row,
        SUMMARY_CLOSURE_COLS,
        _closure_records(problem, shown),
        total_label=None,
        empty_text="（廃止する施設はありません）",
    )
    row = where.bottom + 1
    sheet = SHEET_NAMES["closures"]
    more = len(closures) - len(shown)
    steps = SHEET_NAMES["closure_steps"]
    text = (
        f"→ 全{len(closures)}施設の一覧は「{sheet}」シート"
        + (f"（ほか{more}施設）" if more > 0 else "")
        + f"、廃止の手続は「{steps}」シート"
    )
    ws.write_url(row, 0, f"internal:{quote_sheetname(sheet)}!A1", book.fmt("text", "note"), text)
    return row + 2


CHECKLIST_COLS = [
    Col("name", "施設名", "Facility", "wrap", 26),
    Col("host_name", "設置団体", "Host", "text", 11),
    Col("replacements", "代わりに利用する施設", "Used instead", "wrap", 44),
    Col("year_built", "建築年", "Built", "text", 8),
    Col("age_years", "築年数", "Age", "int", 8),
    Col("ordinance", "①条例", "Ordinance", "text", 10),
    Col("special_majority", "②特別多数", "Majority", "text", 11),
    Col("subsidy_property", "③補助金", "Subsidy", "text", 10),
    Col("residents_notice", "④周知", "Notice", "text", 10),
]
"""The columns of the closure checklist: a box per step."""

CLOSURE_STEPS = {
    "ordinance": "①条例：施設の設置条例を廃止する（一つの条例で複数の施設を定めているときは、"
    "その施設を削る改正）。施行日は住民が代わりの施設を利用できる日以後とする（地方自治法第244条の2第1項）。",
    "special_majority": "②特別多数：条例で特に重要な公の施設と定めている場合に限り、廃止には出席議員の"
    "3分の2以上の同意を要する（同法第244条の2第2項）。定めがなければ通常の議決による。",
    "subsidy_property": "③補助金：国・都の補助金で整備した建物を処分制限期間内に取り壊し・転用・譲渡する"
    "ときは、交付した省庁の承認を要する（補助金適正化法第22条）。整備時の補助と期間を確認する。",
    "residents_notice": "④周知：廃止の時期、代わりの施設と利用方法・使用料、経過措置を相当期間前から"
    "周知し、継続して利用している人には個別に移行先を調整する。",
}
"""The four steps of a closure, stated once under the checklist (details per facility in
the area summary document)."""


def write_closures(book: Book, ws: Worksheet, problem: ProblemData, closures: pd.DataFrame) -> None:
    """The closures sheet: every facility the plan closes, where its users go, the
    residents for whom it was the nearest, and why it closes."""
    top = write_title(
        book,
        ws,
        "廃止する施設　Closures",
        "廃止する施設ごとに、最寄りの代替施設と、その施設が最寄りだった住民を示します。",
    )
    set_widths(book, ws, CLOSURE_COLS)
    where = write_table(
        book,
        ws,
        top,
        CLOSURE_COLS,
        _closure_records(problem, closures),
        total_label=None,
        empty_text="（廃止する施設はありません）",
    )
    row = where.bottom + 1
    write_note(
        book,
        ws,
        row,
        "住民：その施設が現状で最寄りだった地区の住民（類型の対象人口）。距離は道路距離の"
        "推計（直線距離×迂回係数）。理由：「共同利用」は各市町村が単独なら存続させる施設。"
        f"廃止の手続は「{SHEET_NAMES['closure_steps']}」シート。",
    )
    page_setup(book, ws, SHEET_NAMES["closures"], row, len(CLOSURE_COLS) - 1, (top, top + 1))


def write_closure_steps(book: Book, ws: Worksheet, checklist: pd.DataFrame | None = None) -> None:
    """The legal steps of each closure (``checklist``,
    :func:`optimizer.sharing.closures.closure_checklist`): a box per step and facility,
    then what each step takes."""
    top = write_title(
        book,
        ws,
        "廃止の手続（チェックリスト）　What each closure takes",
        "廃止する施設ごとの手続。確認したら□に印を付けます。各手続の内容は表の下。",
    )
    set_widths(book, ws, CHECKLIST_COLS)
    records = []
    if checklist is not None and len(checklist):
        boxes = checklist.assign(
            year_built=checklist["year_built"].map(lambda y: "不明" if pd.isna(y) else str(y)),
            **{step: "□" for step in CLOSURE_STEPS},
        )
        records = boxes.to_dict("records")
    where = write_table(
        book,
        ws,
        top,
        CHECKLIST_COLS,
        records,
        total_label=None,
        empty_text="（廃止する施設はありません）",
    )
    row = where.bottom + 1
    if records:
        for text in CLOSURE_STEPS.values():
            write_note(book, ws, row, text)
            row += 1
    last_col = len(CHECKLIST_COLS) - 1
    page_setup(book, ws, SHEET_NAMES["closure_steps"], row, last_col, (top, top + 1))
