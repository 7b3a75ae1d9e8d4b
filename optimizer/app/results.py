"""The page's results: the headline figures, the current run beside the base case,
the map, the locks and the run folder's files to download."""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import streamlit as st

from optimizer.app import controls
from optimizer.app.deck import FACILITY_LAYER, legend_markdown, plan_deck
from optimizer.app.jobs import Finished
from optimizer.app.levers import Levers
from optimizer.app.state import run_record
from optimizer.app.views import (
    OUTCOME_LABELS,
    agreement_table,
    decision_differences,
    figures_table,
    input_layers,
    municipality_labels,
    plain,
    plan_layers,
    thousand_yen,
    type_label,
)
from optimizer.outputs.geojson import GEOJSON_NAME
from optimizer.problem.data import ProblemData

__all__ = ["headline", "comparison", "map_tab", "locks_tab", "downloads"]

COST_LABEL = "計画の費用 cost of the plan (/年)"
"""The label of the metric the page (and its tests) read the plan's cost from."""


def _delta(current: float, base: float | None) -> str | None:
    """The difference from the base case in 千円 (``None``: no base case, or none)."""
    if base is None or not math.isfinite(base) or not math.isfinite(current):
        return None
    difference = round((current - base) / 1000)
    return f"{difference:+,} 千円" if difference else None


_NO_CLEAN_PLAN = {
    "infeasible": "一部の需要は、この条件では充足できません（地図の赤い地区）。"
    "計画は書き出しました。 Some demand cannot be served under these rules "
    "(red zones on the map); the plan was written.",
    "not_optimal": "時間制限などで、最適性が証明される前に止まりました。計画は書き出しました。"
    "計算時間の上限を延ばしてください。 The solver stopped at a limit before proving the "
    "plan optimal; the plan was written. Try a longer time limit.",
}


def headline(current: Finished, base: Finished | None) -> None:
    """The plan's cost, saving, agreements and unserved demand; the difference from the
    base case below each, and what went wrong when the run ended without a plan."""
    if not current.has_plan or current.summary is None:
        st.error(
            f"{OUTCOME_LABELS.get(current.outcome, current.outcome)}: "
            f"{current.message or ''}".strip()
        )
        return
    if current.outcome != "ok":
        st.warning(
            f"{OUTCOME_LABELS.get(current.outcome, current.outcome)}: "
            + _NO_CLEAN_PLAN.get(current.outcome, "")
        )
    summary = current.summary
    other = base.summary if base is not None and base.has_plan and base is not current else None
    money = st.columns(3)
    money[0].metric(
        COST_LABEL,
        thousand_yen(summary.cost_after),
        delta=_delta(summary.cost_after, other.cost_after if other else None),
        delta_color="inverse",
        help="各市町村の計画での費用の合計 the municipalities' costs under the plan "
        "(optimizer solve --json: cost_after)",
        border=True,
    )
    money[1].metric(
        "単独の場合の費用 cost alone (/年)",
        thousand_yen(summary.cost_before),
        delta=_delta(summary.cost_before, other.cost_before if other else None),
        delta_color="inverse",
        help="各市町村が単独で最適化した場合の費用の合計 every municipality on its own "
        "(cost_before)",
        border=True,
    )
    money[2].metric(
        "削減額 saving (/年)",
        thousand_yen(summary.saving),
        delta=_delta(summary.saving, other.saving if other else None),
        help="単独の場合との差 cost alone − cost of the plan (saving)",
        border=True,
    )
    others = st.columns(3)
    saving_pct = summary.saving / summary.cost_before * 100 if summary.cost_before else math.nan
    agreements = len(summary.agreements)
    others[0].metric(
        "削減率 saving %",
        f"{saving_pct:.1f} %",
        border=True,
    )
    others[1].metric(
        "連携協約 agreements",
        f"{agreements} 件",
        delta=(
            f"{agreements - len(other.agreements):+d} 件"
            if other and agreements != len(other.agreements)
            else None
        ),
        delta_color="off",
        border=True,
    )
    others[2].metric(
        "充足できない需要 unserved demand",
        f"{summary.unserved_demand:,.1f}",
        help="サービスを受けられない需要（各類型の利用単位の合計） demand left unserved",
        border=True,
    )
    if other is not None:
        st.caption("矢印は基本ケースとの差 (arrows: difference from the base case)")


def comparison(problem: ProblemData, current: Finished | None, base: Finished | None) -> None:
    """The current run beside the base case: figures, decisions that differ, agreements."""
    if base is None or not base.has_plan:
        st.info("基本ケースはまだ計算されていません (the base case is not solved yet)")
    both = [r for r in (base, current) if r is not None and r.has_plan]
    if not both:
        return
    same = current is not None and base is not None and current.key == base.key
    figures = figures_table(
        base.summary if base is not None and base.has_plan else None,
        current.summary if current is not None and current.has_plan and not same else None,
    )
    st.dataframe(figures, width="stretch", height=_rows_height(len(figures)))
    if same:
        st.caption("現在の設定は基本ケースと同じです (the current settings are the base case)")
        return
    if current is None or base is None or not (current.has_plan and base.has_plan):
        return
    st.markdown("#### 方針が変わる施設 decisions that differ")
    differs = decision_differences(
        problem, run_record(str(base.folder)), run_record(str(current.folder))
    )
    if differs.empty:
        st.write("なし none")
    else:
        st.dataframe(differs, hide_index=True, width="stretch", height=_rows_height(len(differs)))
    st.markdown("#### 連携協約 agreements")
    agreements = agreement_table(base.summary, current.summary)
    st.dataframe(
        agreements,
        hide_index=True,
        width="stretch",
        height=_rows_height(len(agreements)),
        column_config={
            "基本ケース base case": st.column_config.CheckboxColumn(),
            "現在の設定 current": st.column_config.CheckboxColumn(),
        },
    )


def _rows_height(rows: int, most: int = 720) -> int:
    """A table's height [px] that shows ``rows`` rows without scrolling (up to ``most``)."""
    return min(35 * (rows + 1) + 3, most)


def map_tab(
    problem: ProblemData,
    current: Finished | None,
    base: Finished | None,
    scope: str,
    chosen_locks: dict[str, str],
) -> None:
    """The interactive map of a run (or of the inputs before any), and the lock of the
    facility clicked on it."""
    runs: dict[str, Finished] = {
        name: run
        for name, run in (("current", current), ("base", base))
        if run is not None and run.has_plan
    }
    left, middle, right = st.columns([2, 3, 2])
    which = "input"
    if runs:
        which = left.radio(
            "表示する計画 plan shown",
            list(runs),
            format_func=lambda n: "現在の設定 current" if n == "current" else "基本ケース base",
            horizontal=True,
            key="map_run",
        )
    types = problem.types
    shown = middle.multiselect(
        "類型 types",
        types,
        default=types,
        format_func=lambda k: type_label(problem, k),
        key="map_types",
    )
    basemap = right.toggle(
        "背景地図 basemap",
        value=False,
        key="basemap",
        help="Carto の地図タイルを表示（インターネット接続が必要）"
        " (tiles from the internet; off: a plain map that works offline)",
    )
    if which == "input":
        layers = input_layers(problem, chosen_locks)
        decisions = ["existing", "candidate", "locked_keep", "locked_close"]
        st.caption("計画の前の入力（既存施設と新設候補地） inputs before any plan")
    else:
        run = runs[which]
        layers = plan_layers(problem, Path(str(run.folder)))
        decisions = ["keep", "close", "build", "not_built"]
    deck = plan_deck(
        layers, municipality_labels(problem), types, shown_types=shown, basemap=basemap
    )
    event = st.pydeck_chart(
        deck,
        on_select="rerun",
        selection_mode="single-object",
        key=f"map:{which}",
        height=560,
    )
    st.markdown(
        legend_markdown(decisions, types, {k: type_label(problem, k) for k in types}),
        unsafe_allow_html=True,
    )
    _clicked_facility(problem, event, scope, chosen_locks)


def _clicked_facility(
    problem: ProblemData, event: object, scope: str, chosen_locks: dict[str, str]
) -> None:
    selection = getattr(event, "selection", None) or {}
    objects = (selection.get("objects") or {}).get(FACILITY_LAYER) or []
    if not objects:
        st.caption(
            "地図上の施設をクリックすると、存続・廃止に固定できます (click a facility to lock it)"
        )
        return
    facility = str(objects[0].get("id"))
    if facility not in problem.facilities.index:
        return
    row = problem.facilities.loc[facility]
    status = chosen_locks.get(facility, str(row["status"]))
    st.markdown(
        f"**{plain(str(row['name']))}** ({plain(facility)}) — "
        f"{plain(type_label(problem, str(row['type'])))}"
    )
    columns = st.columns(3)
    for column, (state, label) in zip(
        columns,
        (
            ("keep", "存続・新設に固定 lock open"),
            ("close", "廃止・新設しないに固定 lock closed"),
            ("free", "固定しない leave to the plan"),
        ),
        strict=True,
    ):
        column.button(
            label,
            key=f"lock:{facility}:{state}",
            disabled=status == state,
            on_click=controls.set_lock,
            args=(scope, facility, state),
            width="stretch",
        )


def locks_tab(
    problem: ProblemData,
    start: Levers,
    scope: str,
    chosen_locks: dict[str, str],
    current: Finished | None,
) -> None:
    """The table of facilities to lock open or closed (with the current plan's decisions)."""
    st.caption(
        "「固定 lock」の列で、施設を存続（新設候補は新設）または廃止（新設しない）に固定します。"
        "民間・県の施設は廃止できません。 Lock a facility open or closed; "
        "a private or prefectural one cannot be closed."
    )
    decisions = current.summary.decisions if current is not None and current.summary else None
    controls.lock_editor(problem, scope, chosen_locks, decisions)
    changed = controls.changed_locks(start, chosen_locks)
    if len(changed):
        st.write(f"入力から変えた施設 changed: {len(changed)}")
        st.dataframe(changed, hide_index=True)


def _agreements_zip(folder: Path) -> bytes:
    """The run's ``agreements/`` folder as a zip archive, made in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((folder / "agreements").glob("*")):
            if path.is_file():
                archive.write(path, f"agreements/{path.name}")
    return buffer.getvalue()


def downloads(run: Finished | None, label: str) -> None:
    """Buttons for the run folder's report.xlsx, agreements (zip), plan.geojson, map.png."""
    if run is None or not run.has_plan or run.folder is None:
        st.info(f"{label}: まだ計算されていません (not solved yet)")
        return
    folder = Path(run.folder)
    st.markdown(f"**{label}** — {plain(str(folder))}")
    name = folder.name
    columns = st.columns(4)
    files = (
        (
            "report.xlsx",
            "報告書 report.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (GEOJSON_NAME, f"GIS {GEOJSON_NAME}", "application/geo+json"),
        ("map.png", "地図 map.png", "image/png"),
    )
    for column, (file_name, text, mime) in zip(columns, files, strict=False):
        path = folder / file_name
        if path.is_file():
            column.download_button(
                text,
                data=path.read_bytes(),
                file_name=f"{name}-{file_name}",
                mime=mime,
                key=f"download:{run.key}:{file_name}",
                width="stretch",
            )
    if (folder / "agreements").is_dir():
        columns[3].download_button(
            "協約書 agreements (.zip)",
            data=_agreements_zip(folder),
            file_name=f"{name}-agreements.zip",
            mime="application/zip",
            key=f"download:{run.key}:agreements",
            width="stretch",
        )
