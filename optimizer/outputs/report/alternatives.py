"""The alternatives sheet (代替案): the best plan and its next-best alternatives, their
costs, and the facilities they decide differently (written with ``--alternatives K``)."""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.common import DECISIONS, SHEET_NAMES, STATUS_JA, status_value
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
from optimizer.problem.data import ProblemData
from optimizer.results.ranking import (
    Alternative,
    alternatives_table,
    changed_decisions,
    decision_differences,
)

__all__ = ["write_alternatives"]


def write_alternatives(
    book: Book, ws: Worksheet, problem: ProblemData, ranking: Sequence[Alternative]
) -> None:
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
                    status := status_value(alternative.solution.outcome), status
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
    write_note(
        book,
        ws,
        plans.last + 1,
        "差が△の案は、本計画の証明済みギャップ（最適値から"
        f"{ranking[0].solution.outcome.gap:.3%}以内）の範囲で本計画より安い案です。",
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
    set_widths(book, ws, _widest(cols, diff_cols))
    ws.freeze_panes(top + 2, 1)
    # Two tables on one sheet: no header rows repeated (they would be the first table's
    # over the second); both are short, one row per plan and per facility changed.
    page_setup(book, ws, SHEET_NAMES["alternatives"], last, len(cols) - 1)


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
    """The Japanese word for a decision (the decision itself when unknown)."""
    return DECISIONS.get(str(decision), (str(decision), None))[0]
