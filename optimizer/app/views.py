"""What the page shows, as plain tables and text: no Streamlit, no model.

Every number comes from a run's own record (:class:`optimizer.runs.compare.ScenarioResult`
as ``optimizer solve --json`` reports it, :func:`optimizer.runs.load.load_run` for the
tables) or from the input; these functions only select, label and format.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.outputs.geojson import GEOJSON_NAME
from optimizer.problem.data import ProblemData
from optimizer.runs.compare import ScenarioResult
from optimizer.runs.load import RunRecord

__all__ = [
    "DECISION_LABELS",
    "STATUS_LABELS",
    "LOCK_LABELS",
    "OUTCOME_LABELS",
    "OPERATOR_LABELS",
    "thousand_yen",
    "plain",
    "type_label",
    "progress_step",
    "progress_of",
    "figures_table",
    "decision_differences",
    "agreement_table",
    "lock_table",
    "plan_layers",
    "input_layers",
    "municipality_labels",
]

DECISION_LABELS = {
    "keep": "存続 keep",
    "close": "廃止 close",
    "build": "新設 build",
    "not_built": "新設しない not built",
}
"""A plan's decision, as the page names it (Japanese, then the word of the outputs)."""
STATUS_LABELS = {
    "optimal": "最適解 optimal",
    "feasible": "実行可能解 feasible (not proven optimal)",
    "infeasible": "条件を満たす計画なし infeasible",
    "no_solution": "計画なし no plan",
    "error": "エラー error",
}
LOCK_LABELS = {
    "free": "計画に任せる free",
    "keep": "存続・新設に固定 keep",
    "close": "廃止・新設しないに固定 close",
}
"""A facility's status in the workbook or as locked on the page."""
OPERATOR_LABELS = {
    "municipal": "市町村 municipal",
    "private": "民間 private",
    "prefecture": "都道府県 prefecture",
}
OUTCOME_LABELS = {
    "ok": "完了 done",
    "infeasible": "充足できない需要あり infeasible",
    "not_optimal": "最適性未証明 not proven optimal",
    "bad_input": "入力の誤り bad input",
    "check_failed": "検証で不合格 check failed",
    "output": "出力の書き込みに失敗 output error",
    "failure": "内部エラー internal error",
    "cancelled": "中止 cancelled",
}

_PHASES = (
    ("read", 0.02, "入力の読み込み reading the input"),
    ("solve", 0.04, "求解の準備 preparing"),
    ("stand-alone costs", 0.05, "単独の場合の費用 stand-alone costs"),
    ("stand-alone ", 0.05, "単独の場合の費用 stand-alone costs"),
    ("a starting plan", 0.32, "初期解 a starting plan"),
    ("access arcs", 0.35, "利用できる施設の組合せ access arcs"),
    ("building and solving", 0.40, "モデルの構築と求解 building and solving the model"),
    ("polishing", 0.75, "計画の仕上げ polishing the plan"),
    ("interpreting", 0.80, "計画の検証 checking the plan"),
    ("the renewal baseline", 0.82, "全施設を更新する場合 the renewal baseline"),
    ("plan ", 0.85, "計画が決まりました the plan is found"),
    ("allocate", 0.87, "費用の按分 cost allocation"),
    ("terms", 0.89, "協約の条件 agreement terms"),
    ("documents", 0.90, "協約書の作成 writing the agreements"),
    ("map", 0.95, "地図 the map"),
    ("report", 0.97, "報告書 the report"),
    ("alternatives", 0.86, "次善の計画 alternatives"),
    ("sensitivity", 0.86, "感度分析 sensitivity"),
)
_STAND_ALONE = re.compile(r"stand-alone (\d+)/(\d+)")


_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~$])")
"""The characters Streamlit's Markdown (and its math) would read in a text."""


def plain(text: str) -> str:
    """``text`` (a name or a message from the input) shown as written in Markdown."""
    return _MARKDOWN.sub(r"\\\1", text)


def thousand_yen(yen: float | None) -> str:
    """Yen as the reports state money: ``3,738,320 千円`` (△ for a negative amount)."""
    if yen is None or not math.isfinite(float(yen)):
        return "—"
    value = round(float(yen) / 1000)
    text = f"{abs(value):,} 千円"
    return f"△{text}" if value < 0 else text


def type_label(problem: ProblemData, kind: str) -> str:
    """A facility type as ``図書館 library`` (its Japanese name, then its id)."""
    name = str(problem.facility_types.at[kind, "name_ja"] or "").strip()
    return f"{name} {kind}" if name and name != kind else kind


def progress_step(message: str) -> tuple[float | None, str | None]:
    """A progress message of the pipeline (in English) → (the share of a run done at
    that stage, what it does in both languages); ``(None, None)`` for a message that
    names no stage (the solver's reports while it runs, for instance)."""
    counted = _STAND_ALONE.search(message)
    if counted:
        done, total = int(counted.group(1)), max(1, int(counted.group(2)))
        return 0.05 + 0.27 * done / total, f"単独の場合の費用 stand-alone costs {done}/{total}"
    for prefix, share, label in _PHASES:
        if message.startswith(prefix):
            return share, label
    return None, None


def progress_of(messages: list[tuple[str, str]]) -> tuple[float, str]:
    """The share of a run done and what it does now, from its progress messages so far
    ((English, Japanese) pairs): the furthest stage named, and the last message (a
    stage's label, else the message itself in Japanese)."""
    share, label = 0.0, ""
    for english, japanese in messages:
        step, text = progress_step(english)
        if step is not None:
            share = max(share, step)
        label = text or japanese or english
    return share, label


def _share(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.1f} %"


def _figures(result: ScenarioResult) -> dict[str, str]:
    saving_pct = (
        result.saving / result.cost_before * 100
        if result.cost_before and math.isfinite(result.cost_before)
        else None
    )
    counts: dict[str, int] = {}
    for key, n in result.counts.items():
        decision = key.rsplit(".", 1)[-1]
        counts[decision] = counts.get(decision, 0) + n
    gap = "—" if result.gap is None else f"{result.gap * 100:.3f} %"
    return {
        "単独の場合の費用 cost alone (/年)": thousand_yen(result.cost_before),
        "計画の費用 cost of the plan (/年)": thousand_yen(result.cost_after),
        "削減額 saving (/年)": thousand_yen(result.saving),
        "削減率 saving %": _share(saving_pct),
        "存続 kept": str(counts.get("keep", 0)),
        "廃止 closed": str(counts.get("close", 0)),
        "新設 built": str(counts.get("build", 0)),
        "連携協約 agreements": str(len(result.agreements)),
        "充足できない需要 unserved demand": f"{result.unserved_demand:,.1f}",
        "解の状態 status": STATUS_LABELS.get(result.status, result.status),
        "ギャップ gap": gap,
    }


def figures_table(base: ScenarioResult | None, current: ScenarioResult | None) -> pd.DataFrame:
    """The headline figures of the base case and the current run side by side, with
    the difference of the money rows (current − base)."""
    columns: dict[str, dict[str, str]] = {}
    if base is not None:
        columns["基本ケース base case"] = _figures(base)
    if current is not None:
        columns["現在の設定 current"] = _figures(current)
    table = pd.DataFrame(columns)
    if base is not None and current is not None:
        differences = {
            "単独の場合の費用 cost alone (/年)": current.cost_before - base.cost_before,
            "計画の費用 cost of the plan (/年)": current.cost_after - base.cost_after,
            "削減額 saving (/年)": current.saving - base.saving,
        }
        table["差 difference"] = [
            (
                thousand_yen(differences[row])
                if row in differences
                else (
                    f"{len(current.agreements) - len(base.agreements):+d}"
                    if row == "連携協約 agreements"
                    else ""
                )
            )
            for row in table.index
        ]
    return table


def decision_differences(problem: ProblemData, base: RunRecord, current: RunRecord) -> pd.DataFrame:
    """The facilities whose decision differs between the base case and the current run."""
    names = problem.municipalities["name"]
    ids = base.facilities.index.union(current.facilities.index)
    rows = []
    for facility in ids:
        before = base.facilities["decision"].get(facility)
        after = current.facilities["decision"].get(facility)
        if before == after:
            continue
        row = current.facilities.loc[facility] if facility in current.facilities.index else None
        row = row if row is not None else base.facilities.loc[facility]
        rows.append(
            {
                "施設 facility": f"{row['name']} ({facility})",
                "類型 type": type_label(problem, str(row["type"])),
                "所在 host": names.get(str(row["municipality"]), str(row["municipality"])),
                "基本ケース base case": DECISION_LABELS.get(str(before), str(before)),
                "現在の設定 current": DECISION_LABELS.get(str(after), str(after)),
            }
        )
    columns = [
        "施設 facility",
        "類型 type",
        "所在 host",
        "基本ケース base case",
        "現在の設定 current",
    ]
    return pd.DataFrame(rows, columns=columns)


def agreement_table(base: ScenarioResult | None, current: ScenarioResult | None) -> pd.DataFrame:
    """Each agreement (a pair of municipalities) and whether each run signs it."""
    pairs = sorted({*(base.agreements if base else ()), *(current.agreements if current else ())})
    table = pd.DataFrame({"連携協約 agreement": pairs})
    if base is not None:
        table["基本ケース base case"] = [p in base.agreements for p in pairs]
    if current is not None:
        table["現在の設定 current"] = [p in current.agreements for p in pairs]
    return table


def lock_table(
    problem: ProblemData, locks: dict[str, str], decisions: dict[str, str] | None = None
) -> pd.DataFrame:
    """The facilities to lock: id, name, type, host, operator, the status the workbook
    gives, the lock chosen (``free``/``keep``/``close``) and the last plan's decision."""
    fac = problem.facilities
    names = problem.municipalities["name"]
    table = pd.DataFrame(
        {
            "id": fac.index.astype(str),
            "名称 name": fac["name"].astype(str).to_numpy(),
            "類型 type": [type_label(problem, str(k)) for k in fac["type"]],
            "所在 host": [names.get(str(c), str(c)) for c in fac["municipality"]],
            "区分 kind": [
                "新設候補 candidate" if c else "既存 existing" for c in fac["is_candidate"]
            ],
            "運営 operator": [OPERATOR_LABELS.get(str(o), str(o)) for o in fac["operator"]],
            "固定 lock": [locks.get(str(j), str(s)) for j, s in fac["status"].items()],
        }
    )
    if decisions is not None:
        table["計画 plan"] = [
            DECISION_LABELS.get(decisions.get(str(j), ""), "") for j in fac.index.astype(str)
        ]
    return table


# --------------------------------------------------------------------------- the map


def _read_geojson(folder: Path) -> list[dict[str, Any]]:
    document = json.loads((Path(folder) / GEOJSON_NAME).read_text(encoding="utf-8"))
    return list(document.get("features", []))


def plan_layers(problem: ProblemData, folder: Path) -> dict[str, pd.DataFrame]:
    """The map's tables of a run from its ``plan.geojson``: ``facilities`` (by
    decision), ``flows`` (demand point → facility) and ``zones`` (with the demand left
    unserved). Positions as ``lon``, ``lat`` (and ``to_lon``, ``to_lat`` for flows)."""
    features = _read_geojson(folder)
    facilities, flows, zones = [], [], []
    for feature in features:
        props = dict(feature.get("properties") or {})
        coords = (feature.get("geometry") or {}).get("coordinates") or []
        kind = props.get("kind")
        if kind == "facility" and len(coords) >= 2:
            facilities.append(
                {
                    **props,
                    "lon": coords[0],
                    "lat": coords[1],
                    "type_label": type_label(problem, str(props.get("type"))),
                    "label": DECISION_LABELS.get(str(props.get("decision")), ""),
                    "use_text": _utilisation_text(props.get("utilisation")),
                }
            )
        elif kind == "flow" and len(coords) >= 2:
            (lon, lat), (to_lon, to_lat) = coords[0][:2], coords[-1][:2]
            flows.append({**props, "lon": lon, "lat": lat, "to_lon": to_lon, "to_lat": to_lat})
        elif kind == "zone" and len(coords) >= 2:
            unserved = sum(float(v or 0.0) for k, v in props.items() if k.startswith("unserved_"))
            zones.append({**props, "lon": coords[0], "lat": coords[1], "unserved": unserved})
    return {
        "facilities": pd.DataFrame(facilities),
        "flows": pd.DataFrame(flows),
        "zones": pd.DataFrame(zones),
    }


def _utilisation_text(value: object) -> str:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"
    return f"{number * 100:.0f} %" if math.isfinite(number) else "—"


_INPUT_MARK = {"keep": "locked_keep", "close": "locked_close"}
"""How the map marks a facility the workbook or the page locks, before any plan."""


def input_layers(problem: ProblemData, locks: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The map's tables before any plan: every facility and candidate site with its
    status (the workbook's, or as locked: ``decision`` is ``existing``, ``candidate``,
    ``locked_keep`` or ``locked_close``), and the zones where residents live."""
    fac = problem.facilities
    names = problem.municipalities["name"]
    status = [locks.get(str(j), str(s)) for j, s in fac["status"].items()]
    facilities = pd.DataFrame(
        {
            "id": fac.index.astype(str),
            "name": fac["name"].astype(str).to_numpy(),
            "type": fac["type"].astype(str).to_numpy(),
            "type_label": [type_label(problem, str(k)) for k in fac["type"]],
            "municipality_name": [names.get(str(c), str(c)) for c in fac["municipality"]],
            "decision": [
                _INPUT_MARK.get(s) or ("candidate" if c else "existing")
                for s, c in zip(status, fac["is_candidate"], strict=True)
            ],
            "label": [LOCK_LABELS.get(s, s) for s in status],
            "use_text": "—",
            "lon": fac["lon"].astype(float).to_numpy(),
            "lat": fac["lat"].astype(float).to_numpy(),
        }
    )
    zones = problem.zones
    zone_table = pd.DataFrame(
        {
            "id": zones.index.astype(str),
            "name": zones["name"].astype(str).to_numpy(),
            "municipality_name": [names.get(str(c), str(c)) for c in zones["municipality"]],
            "population": zones["population"].astype(float).to_numpy(),
            "unserved": 0.0,
            "lon": zones["lon"].astype(float).to_numpy(),
            "lat": zones["lat"].astype(float).to_numpy(),
        }
    )
    return {"facilities": facilities, "flows": pd.DataFrame(), "zones": zone_table}


def municipality_labels(problem: ProblemData) -> pd.DataFrame:
    """Each municipality's name at its point (its city hall), for the map's labels."""
    table = problem.municipalities
    return pd.DataFrame(
        {
            "name": table["name"].astype(str).to_numpy(),
            "lon": table["lon"].astype(float).to_numpy(),
            "lat": table["lat"].astype(float).to_numpy(),
        }
    )
