"""The page's controls: where the workbook comes from, the scenario, the levers and the
facilities locked open or closed. Each returns the values chosen; none changes a
problem (:mod:`optimizer.app.levers` turns them into overrides)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import streamlit as st

from optimizer.app.levers import LOCK_STATES, Levers
from optimizer.app.state import save_upload
from optimizer.app.views import LOCK_LABELS, lock_table, type_label
from optimizer.problem.data import ProblemData
from optimizer.schema import DEMAND_BASES
from optimizer.sources.sample import sample_workbook
from optimizer.workbook.scenarios import scenario_names

__all__ = [
    "SOURCES",
    "language",
    "workbook_source",
    "scenario",
    "levers",
    "locks",
    "set_lock",
    "lock_editor",
    "reset_levers",
]

SOURCES = {
    "sample": "サンプル sample",
    "path": "ファイルのパス path",
    "upload": "アップロード upload",
}
"""Where the workbook comes from."""
GROWTH_LABELS = {
    "population": "人口の増減 population growth",
    "population_75plus": "75歳以上人口の増減 population 75+ growth",
}
_LOCKS = "locks"
_EDITOR_VERSION = "locks_editor_version"
_LEVER_VERSION = "levers_version"


def language(default: str) -> str:
    """The language of messages and of the run's documents (``ja`` or ``en``)."""
    options = ["ja", "en"]
    return st.sidebar.radio(
        "表示言語 language",
        options,
        index=options.index(default) if default in options else 0,
        format_func=lambda code: "日本語" if code == "ja" else "English",
        horizontal=True,
        key="lang",
        help="入力チェックのメッセージと、作成する報告書・協約書の言語 "
        "(messages, report and agreements)",
    )


def workbook_source(given: Path | None, output_root: Path) -> tuple[Path | None, bool]:
    """The workbook to use and whether it is the embedded sample; ``None`` while an
    upload is awaited. ``given``: the workbook named on the command line."""
    sidebar = st.sidebar
    sidebar.header("入力 Input workbook")
    keys = list(SOURCES)
    source = sidebar.radio(
        "ワークブック workbook",
        keys,
        index=keys.index("path" if given is not None else "sample"),
        format_func=SOURCES.__getitem__,
        key="source",
    )
    if source == "sample":
        sidebar.caption("西多摩の例示データ（9市町村） illustrative sample area")
        return sample_workbook(), True
    if source == "path":
        text = sidebar.text_input(
            "ファイルのパス path (.xlsx, CSVのフォルダ folder of CSV)",
            value=str(given) if given is not None else "",
            key="path",
        )
        text = text.strip().strip('"')
        return (Path(text).expanduser() if text else None), False
    uploaded = sidebar.file_uploader("ワークブック (.xlsx)", type=["xlsx"], key="upload")
    if uploaded is None:
        return None, False
    return save_upload(output_root, uploaded.name, uploaded.getvalue()), False


def scenario(problem: ProblemData) -> str:
    """The scenario of the workbook's ``scenarios`` sheet to start from (``base``: none)."""
    names = ["base", *scenario_names(problem)]
    return st.sidebar.selectbox(
        "シナリオ scenario",
        names,
        format_func=lambda name: "基本ケース base" if name == "base" else name,
        key="scenario",
        help="ワークブックの「シナリオ」シートから。スライダーはその値から始まります "
        "(the levers start from the scenario's values)",
    )


def _scoped(scope: str, name: str) -> str:
    version = st.session_state.get(_LEVER_VERSION, 0)
    return f"{scope}:{version}:{name}"


def levers(problem: ProblemData, start: Levers, scope: str) -> tuple[Levers, float | None]:
    """The levers' values as set in the sidebar (starting from ``start``) and the
    solver's time limit [s] (``None``: the workbook's). ``scope`` keeps each workbook's
    and scenario's settings apart."""
    sidebar = st.sidebar
    sidebar.header("条件 Levers")
    distance: dict[str, float] = {}
    headroom: dict[str, float] = {}
    with sidebar.expander("最大距離 maximum distance (km)", expanded=True):
        for kind in problem.types:
            value = float(start.max_distance_km[kind])
            distance[kind] = st.slider(
                type_label(problem, kind),
                min_value=1.0,
                max_value=float(max(60.0, 2 * value)),
                value=value,
                step=0.5,
                format="%.1f km",
                key=_scoped(scope, f"distance.{kind}"),
                help="住民がこの類型の施設を利用できる最大距離 "
                f"(facility_types.{kind}.max_distance_km)",
            )
    with sidebar.expander("稼働率の上限 headroom (%)"):
        for kind in problem.types:
            value = round(float(start.max_utilisation[kind]) * 100, 1)
            share = st.slider(
                type_label(problem, kind),
                min_value=50.0,
                max_value=100.0,
                value=value,
                step=1.0,
                format="%.0f %%",
                key=_scoped(scope, f"headroom.{kind}"),
                help="存続する施設の容量のうち計画で使う割合の上限（残りは将来の増加への余裕）"
                f" (facility_types.{kind}.max_utilisation)",
            )
            headroom[kind] = (
                float(start.max_utilisation[kind]) if share == value else round(share / 100, 4)
            )
    cost = sidebar.number_input(
        "協約1件の年間事務費 agreement cost (千円/年)",
        min_value=0.0,
        value=float(start.agreement_cost) / 1000,
        step=100.0,
        format="%.0f",
        key=_scoped(scope, "agreement_cost"),
        help="連携協約1件あたりの年間の事務費、両者で折半 "
        "(parameters.agreement_fixed_cost, 円/年 in the workbook)",
    )
    growth: dict[str, float] = {}
    with sidebar.expander("需要の伸び demand growth (%)"):
        for basis in DEMAND_BASES:
            percent = st.slider(
                GROWTH_LABELS.get(basis, basis),
                min_value=-50,
                max_value=100,
                value=0,
                step=1,
                format="%+d %%",
                key=_scoped(scope, f"growth.{basis}"),
                help=f"全市町村の{basis}を一律に増減 (growth.{basis})",
            )
            growth[basis] = percent / 100
    fairness = sidebar.toggle(
        "公平性 fairness（どの市町村も単独より負担が増えない）",
        value=bool(start.fairness),
        key=_scoped(scope, "fairness"),
        help="no municipality pays more than on its own (parameters.fairness)",
    )
    workbook_limit = float(problem.parameters.time_limit_s)
    limit = sidebar.number_input(
        "計算時間の上限 time limit (秒 s)",
        min_value=1.0,
        max_value=86400.0,
        value=workbook_limit,
        step=10.0,
        format="%.0f",
        key=_scoped(scope, "time_limit"),
        help="ソルバーの計算時間の上限 (--time-limit); 初期値はワークブックの time_limit_s",
    )
    sidebar.button("条件を元に戻す reset levers", on_click=reset_levers, args=(scope,))
    chosen = dataclasses.replace(
        start,
        max_distance_km=distance,
        max_utilisation=headroom,
        agreement_cost=(
            float(start.agreement_cost)
            if cost == float(start.agreement_cost) / 1000
            else round(float(cost) * 1000)
        ),
        growth=growth,
        fairness=bool(fairness),
    )
    return chosen, (None if limit == workbook_limit else float(limit))


# --------------------------------------------------------------------------- locks


def locks(scope: str, start: Levers) -> dict[str, str]:
    """The facilities' statuses chosen for ``scope`` (the workbook's until changed)."""
    every = st.session_state.setdefault(_LOCKS, {})
    return every.setdefault(scope, dict(start.locks))


def set_lock(scope: str, facility: str, status: str) -> None:
    """Lock one facility (``keep``, ``close``) or leave it to the plan (``free``)."""
    if status not in LOCK_STATES:
        raise ValueError(status)
    st.session_state.setdefault(_LOCKS, {}).setdefault(scope, {})[facility] = status
    st.session_state[_EDITOR_VERSION] = st.session_state.get(_EDITOR_VERSION, 0) + 1


def reset_levers(scope: str) -> None:
    """Every lever and lock of ``scope`` back to the workbook's values."""
    st.session_state[_LEVER_VERSION] = st.session_state.get(_LEVER_VERSION, 0) + 1
    st.session_state.setdefault(_LOCKS, {}).pop(scope, None)
    st.session_state[_EDITOR_VERSION] = st.session_state.get(_EDITOR_VERSION, 0) + 1


_BY_LABEL = {label: state for state, label in LOCK_LABELS.items()}


def _edited(scope: str, key: str, ids: list[str]) -> None:
    """The editor's changes (``edited_rows``) into the scope's locks."""
    edits = st.session_state.get(key, {}).get("edited_rows", {})
    chosen = st.session_state.setdefault(_LOCKS, {}).setdefault(scope, {})
    for row, columns in edits.items():
        label = columns.get("固定 lock")
        if label in _BY_LABEL and 0 <= int(row) < len(ids):
            chosen[ids[int(row)]] = _BY_LABEL[label]


def lock_editor(
    problem: ProblemData, scope: str, chosen: dict[str, str], decisions: dict[str, str] | None
) -> None:
    """The table of facilities with a lock per row (計画に任せる / 存続 / 廃止)."""
    table = lock_table(problem, chosen, decisions)
    table["固定 lock"] = [LOCK_LABELS.get(s, s) for s in table["固定 lock"]]
    key = f"lock_editor:{scope}:{st.session_state.get(_EDITOR_VERSION, 0)}"
    disabled = [c for c in table.columns if c != "固定 lock"]
    st.data_editor(
        table,
        key=key,
        hide_index=True,
        disabled=disabled,
        width="stretch",
        height=min(35 * (len(table) + 1) + 3, 640),
        column_config={
            "固定 lock": st.column_config.SelectboxColumn(
                "固定 lock",
                options=list(LOCK_LABELS.values()),
                required=True,
                width="medium",
                help="存続（新設候補は新設）/ 廃止（新設しない）に固定するか、計画に任せるか",
            )
        },
        on_change=_edited,
        args=(scope, key, list(table["id"])),
    )


def changed_locks(start: Levers, chosen: dict[str, str]) -> pd.DataFrame:
    """The facilities whose lock differs from the workbook's status."""
    rows = [
        {"id": j, "入力 workbook": LOCK_LABELS.get(s, s), "固定 lock": LOCK_LABELS.get(c, c)}
        for j, c in chosen.items()
        if (s := start.locks.get(j, "")) != c
    ]
    return pd.DataFrame(rows, columns=["id", "入力 workbook", "固定 lock"])
