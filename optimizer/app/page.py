"""The what-if page for consultants: ``optimizer app [WORKBOOK]`` runs it with
``streamlit run`` (see docs/app.md).

A thin shell over the pipeline. The workbook is read and checked by
:func:`optimizer.workbook.assemble.load_problem` (its messages as ``optimizer validate``
prints them); the levers become ``--set`` overrides (:mod:`optimizer.app.levers`); a
run is :func:`optimizer.runs.pipeline.run` in a background process
(:mod:`optimizer.app.jobs`), which writes the same run folder as ``optimizer solve``;
the page shows what that folder holds. The command line passes its arguments in the
environment: :data:`ENV_WORKBOOK`, :data:`ENV_OUTPUT`, :data:`ENV_LANG`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from optimizer.app import controls, results
from optimizer.app.jobs import Finished, Request, SolveJob
from optimizer.app.levers import command_line, lever_overrides, lever_values, run_key, run_settings
from optimizer.app.state import (
    cached_run,
    file_stamp,
    read_workbook,
    remember,
    with_scenario,
)
from optimizer.app.views import OUTCOME_LABELS, plain, progress_of
from optimizer.config import RunSettings
from optimizer.errors import InputError, OptimizerError
from optimizer.outputs.summary import input_summary
from optimizer.runs.pipeline import prepare
from optimizer.workbook.messages import format_issues

__all__ = ["AppConfig", "main", "ENV_WORKBOOK", "ENV_OUTPUT", "ENV_LANG"]

# Streamlit writes any bare string of the page's script on the page ("magic"), so the
# constants here are described in comments.
ENV_WORKBOOK = (
    "OPTIMIZER_APP_WORKBOOK"  # the workbook named on the command line (unset: the sample)
)
ENV_OUTPUT = "OPTIMIZER_APP_OUTPUT"  # the folder under which each run gets its folder (reports)
ENV_LANG = "OPTIMIZER_APP_LANG"  # the language the page starts in (ja or en)

JOB = "job"
SHOWN = "shown_key"
NOTICE = "notice"


@dataclass(frozen=True)
class AppConfig:
    """What the command line chose: the workbook, the output folder, the language."""

    workbook: Path | None
    output_root: Path
    lang: str

    @classmethod
    def from_environment(cls) -> AppConfig:
        """The configuration from :data:`ENV_WORKBOOK`, :data:`ENV_OUTPUT`, :data:`ENV_LANG`."""
        workbook = os.environ.get(ENV_WORKBOOK, "").strip()
        lang = os.environ.get(ENV_LANG, "ja").strip()
        return cls(
            workbook=Path(workbook) if workbook else None,
            output_root=Path(os.environ.get(ENV_OUTPUT, "").strip() or "reports"),
            lang=lang if lang in ("ja", "en") else "ja",
        )


def _issues_markdown(issues: list, lang: str) -> str:
    """The issues as ``optimizer validate`` words them (:func:`format_issues`): its
    count line, then one bullet per issue."""
    head, *lines = format_issues(issues, lang).splitlines()
    return "\n".join([plain(head), "", *(f"- {plain(line.strip())}" for line in lines)])


def _validation(loaded_warnings: list, problem: object, lang: str) -> None:
    """The input's warnings as ``optimizer validate`` prints them, and what it read."""
    count = len(loaded_warnings)
    title = (
        f"入力チェック validation: 警告 {count} 件 warning(s)"
        if count
        else "入力チェック validation: 問題なし no problems"
    )
    with st.expander(title, expanded=bool(count)):
        if count:
            st.warning(_issues_markdown(loaded_warnings, lang))
        else:
            st.success("入力に問題は見つかりませんでした (no problems found in the input)")
        st.code(input_summary(problem, lang), language=None)  # type: ignore[arg-type]


def _requests(
    key: str, settings: RunSettings, base_key: str, base_settings: RunSettings
) -> list[Request]:
    """The runs a solve needs: the base case (for the comparison) unless made, then the
    current settings unless made or the same as the base case."""
    wanted = []
    if cached_run(base_key) is None:
        wanted.append(Request("base", base_key, base_settings))
    if key != base_key and cached_run(key) is None:
        wanted.append(Request("current", key, settings))
    return wanted


def _start(workbook: Path, requests: list[Request], key: str, lang: str) -> None:
    st.session_state[SHOWN] = key
    if requests:
        st.session_state[JOB] = SolveJob(workbook, requests, lang)


def _cancel() -> None:
    job = st.session_state.get(JOB)
    if job is not None:
        job.cancel()


@st.fragment(run_every=1.0)
def _progress() -> None:
    """The running job's progress, redrawn every second; the whole page once it ends."""
    job: SolveJob | None = st.session_state.get(JOB)
    if job is None:
        return
    for finished in job.poll():
        remember(finished)
        if finished.outcome not in ("ok", "infeasible", "not_optimal"):
            st.session_state[NOTICE] = finished
    if not job.running:
        job.close()
        st.session_state[JOB] = None
        st.rerun()
    request = job.requests[min(job.index, len(job.requests) - 1)]
    share, text = progress_of(job.messages)
    overall = (job.index + share) / len(job.requests)
    which = "基本ケース base case" if request.label == "base" else "現在の設定 current settings"
    state = "中止しています… cancelling" if job.cancelled else (text or "開始中 starting")
    st.progress(
        min(max(overall, 0.0), 1.0),
        text=f"計算中 solving {job.index + 1}/{len(job.requests)}: {which} — {state} "
        f"（{job.elapsed_s:.0f} 秒）",
    )
    st.button("中止 Cancel", on_click=_cancel, disabled=job.cancelled, key="cancel")


def _notice(lang: str) -> None:
    finished: Finished | None = st.session_state.pop(NOTICE, None)
    if finished is None:
        return
    label = OUTCOME_LABELS.get(finished.outcome, finished.outcome)
    if finished.outcome == "cancelled":
        st.info(f"{label}: 計算を中止しました (the solve was cancelled)")
    else:
        st.error(f"{label}: {finished.message or ''}")


def main() -> None:
    """The page, drawn anew on every interaction."""
    st.set_page_config(
        page_title="施設の共同利用 what-if", layout="wide", initial_sidebar_state="expanded"
    )
    config = AppConfig.from_environment()
    lang = controls.language(config.lang)
    workbook, is_sample = controls.workbook_source(config.workbook, config.output_root)
    st.title("公共施設の共同利用 what-if 試算")
    if workbook is None:
        st.info("ワークブックを選んでください (choose a workbook: a path or an upload)")
        return
    stamp = file_stamp(workbook)
    loaded = read_workbook(str(workbook), stamp)
    if loaded.problem is None:
        error = loaded.error
        if isinstance(error, InputError):
            text = _issues_markdown(error.issues, lang)
        else:
            text = plain(error.text(lang)) if error is not None else ""
        st.error(f"入力を読み込めません cannot read {plain(workbook.name)}\n\n{text}")
        return
    problem = loaded.problem
    area = problem.parameters.area_name or ""
    st.caption(plain(f"{area} — {workbook.name}") + ("（サンプル sample）" if is_sample else ""))
    _validation(loaded.warnings, problem, lang)

    scenario = controls.scenario(problem)
    try:
        start_problem = with_scenario(str(workbook), stamp, scenario)
    except OptimizerError as exc:
        st.error(exc.text(lang))
        return
    start = lever_values(start_problem)
    sha = str(problem.source.get("sha256", ""))
    scope = f"{sha[:16]}:{scenario}"
    chosen, time_limit = controls.levers(start_problem, start, scope)
    chosen_locks = controls.locks(scope, start)
    chosen = dataclasses.replace(chosen, locks=chosen_locks)
    overrides = lever_overrides(start, chosen)
    settings = run_settings(config.output_root, scenario, overrides, lang, time_limit)
    base_settings = run_settings(config.output_root, "base", (), lang, time_limit)
    key, base_key = run_key(sha, settings), run_key(sha, base_settings)

    job: SolveJob | None = st.session_state.get(JOB)
    running = job is not None
    left, right = st.columns([1, 3], vertical_alignment="center")
    solve = left.button(
        "計算する Solve", type="primary", disabled=running, key="solve", width="stretch"
    )
    changes = len(overrides) + (scenario != "base")
    right.caption(
        f"基本ケースからの変更 changes from the base case: {changes} 件"
        + (f"（シナリオ {scenario}）" if scenario != "base" else "")
    )
    with st.expander("同じ計算をコマンドで the same run on the command line"):
        st.code(command_line(None if is_sample else workbook, settings), language="bash")
    if solve:
        try:  # the overrides refused before a process starts, with the pipeline's words
            prepare(workbook, settings)
        except OptimizerError as exc:
            st.error(exc.text(lang))
        else:
            _start(workbook, _requests(key, settings, base_key, base_settings), key, lang)
            st.rerun()
    if st.session_state.get(JOB) is not None:
        _progress()
    _notice(lang)

    base = cached_run(base_key)
    current = cached_run(key)
    stale = False
    if current is None and st.session_state.get(SHOWN):
        current = cached_run(st.session_state[SHOWN])
        stale = current is not None
    if stale:
        st.info(
            "条件が変わりました。表示中の結果は前の条件のものです。「計算する」で更新します "
            "(the results shown are for earlier settings: press Solve)"
        )
    if current is not None:
        results.headline(current, base)
    elif base is None and st.session_state.get(JOB) is None:
        st.info(
            "左の条件を変えて「計算する」を押すと、基本ケース（ワークブックのまま）と今の条件の"
            "計画を計算し、並べて比較します。 Change the levers on the left and press Solve: "
            "the base case (the workbook as it is) and the current settings are solved and "
            "compared."
        )

    compare, where, lock, files = st.tabs(
        [
            "比較 compare",
            "地図 map",
            "施設の固定 lock facilities",
            "ダウンロード downloads",
        ]
    )
    with compare:
        results.comparison(problem, current, base)
    with where:
        results.map_tab(problem, current, base, scope, chosen_locks)
    with lock:
        results.locks_tab(problem, start, scope, chosen_locks, current)
    with files:
        results.downloads(current, "現在の設定 current")
        if base is not None and (current is None or base.key != current.key):
            results.downloads(base, "基本ケース base case")


if __name__ == "__main__":
    main()
