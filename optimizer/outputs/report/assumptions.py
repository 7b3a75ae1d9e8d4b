"""The assumption sheet (前提): what it takes to reproduce the result — the run, the input
file and its sha256, overrides, parameters, facility types and unit costs, software
versions and the method."""

from __future__ import annotations

from datetime import datetime

from xlsxwriter.worksheet import Worksheet

from optimizer.outputs.report.common import BOUND_FILL, SHEET_NAMES
from optimizer.outputs.xlsx_layout import (
    Book,
    Col,
    fit_width,
    is_missing,
    merge_wrapped,
    page_setup,
    put_value,
    write_note,
    write_section,
    write_table,
    write_title,
)
from optimizer.problem.data import ProblemData
from optimizer.results.outcome import SolveOutcome
from optimizer.schema import PARAMETERS

__all__ = ["write_assumptions"]

TYPE_ROWS = [
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
"""The rows of the facility-type table: column, Japanese label, unit."""


def write_assumptions(
    book: Book,
    ws: Worksheet,
    problem: ProblemData,
    run_info: dict,
    created: datetime | None,
    outcome: SolveOutcome | None = None,
) -> None:
    """What it takes to reproduce the result: run, overrides, parameters (changed ones
    marked), facility types and unit costs, software versions, method."""
    labels = [f"{label}（{key}）" for key, label, _ in TYPE_ROWS]
    labels += [label for label, _, _ in SOLVER_LABELS]
    book.set_width(ws, 0, 0, fit_width(labels, 30, 42))
    book.set_width(ws, 1, 1, 34)
    book.set_width(ws, 2, 3, 16)
    book.set_width(ws, 4, 4, 60)
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
        ("基準日 Date of the input", run_info.get("report_date") or "—"),
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
        Col("description", "説明", "Description", "wrap", 60),
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
    write_note(book, ws, row, "黄色：既定値から変更された値。")

    row = write_section(book, ws, row + 2, "施設類型と単価　Facility types and unit costs", 5)
    ft = problem.facility_types
    type_rows = TYPE_ROWS
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

    if outcome is not None:
        row = _write_solver(book, ws, row + 1, outcome, bool(run_info.get("show_timings")))
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
        merge_wrapped(book, ws, row, 0, row, 4, line)
        row += 1
    # More facility types than columns B–E: one more column each, printed too.
    extra = len(ft.index) - 4
    if extra > 0:
        book.set_width(ws, 5, 4 + extra, 16)
    page_setup(book, ws, SHEET_NAMES["assumptions"], row, 4 + max(extra, 0))


SOLVER_LABELS = [
    ("ソルバー Solver", "solver", "計画を計算したプログラム"),
    ("終了状態 Status", "status", "optimal＝最適であることを確認済み"),
    (
        "計画の費用（目的関数値） Objective",
        "objective",
        "計画の総費用（千円/年）。充足できない需要は高い単価で計上",
    ),
    (
        "これより安い計画はない額（下界） Bound",
        "bound",
        "どんな計画もこれより安くはならない額（千円/年）",
    ),
    (
        "最適との差の上限（ギャップ） Gap",
        "gap",
        "計画の費用が最適な計画を上回りうる割合の上限",
    ),
    ("計算時間 Time", "time", ""),
]
"""The solver's figures: label, key, what it means in plain words."""


def _write_solver(
    book: Book, ws: Worksheet, row: int, outcome: SolveOutcome, show_time: bool
) -> int:
    """The solver's figures, each with what it means in plain words; the next free row."""
    row = write_section(book, ws, row, "計算の確からしさ　Solver", 5)
    thousand = 1000.0
    values = {
        "solver": str(outcome.solver or ""),
        "status": str(outcome.status.value),
        "objective": _thousands(outcome.objective, thousand),
        "bound": _thousands(outcome.bound, thousand),
        "gap": "—" if outcome.gap is None else f"{outcome.gap:.4%}",
        "time": f"{outcome.seconds:.1f} 秒" if show_time else "実行記録（manifest.json）に記載",
    }
    lines = [(label, values[key], meaning) for label, key, meaning in SOLVER_LABELS]
    for label, value, meaning in lines:
        put_value(book, ws, row, 0, label, "text")
        put_value(book, ws, row, 1, value, "text")
        write_note(book, ws, row, meaning, col=2)
        row += 1
    return row


def _thousands(value: float | None, unit: float) -> str:
    if value is None or value != value:
        return "—"
    return f"{value / unit:,.0f} 千円/年"


def _override_parts(item: object) -> tuple[str, str]:
    """``"target=value"`` or ``(target, value)`` → (target, value)."""
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return str(item[0]), str(item[1])
    target, _, value = str(item).partition("=")
    return target.strip(), value.strip()


def _shown(value: object, unit: str = "") -> str:
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
