"""``renewal.png``: the 40-year renewal chart, one panel per plan.

The figure every council member knows from the MIC renewal-cost software: capital outlay
per year, stacked by facility type, with the plan's annual average as a dashed line;
here once for "renew everything as it is", "each municipality alone" and "the shared
plan" (:mod:`optimizer.results.outlays`), on one scale so the panels compare at a glance.
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib_fontja  # noqa: E402,F401  (registers IPAexGothic and selects it)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from optimizer.outputs.files import atomic_path  # noqa: E402
from optimizer.problem.data import ProblemData  # noqa: E402
from optimizer.problem.names import type_name  # noqa: E402
from optimizer.results.outlays import PLANS, outlay_summary  # noqa: E402

__all__ = ["TYPE_COLOURS", "renewal_figure", "draw_renewal_chart"]

log = logging.getLogger(__name__)

TYPE_COLOURS = ("#4472C4", "#ED7D31", "#70AD47", "#FFC000", "#5B9BD5", "#A5A5A5", "#264478")
"""Bar colours of the types, in the types' order (the report's chart uses the same)."""

OKU = 1e8
"""Yen in one 億円, the chart's unit."""


def renewal_figure(problem: ProblemData, outlays: pd.DataFrame) -> Figure:
    """The chart of :func:`optimizer.results.outlays.yearly_outlays`' table as a figure."""
    plans = list(dict.fromkeys(outlays.columns.get_level_values("plan")))
    summary = outlay_summary(outlays)
    years = outlays.index.to_numpy(int)
    top = float(summary["peak"].max()) / OKU
    fig = Figure(figsize=(10.5, 2.6 * len(plans) + 0.9))
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(plans), 1, sharex=True, squeeze=False)[:, 0]
    for ax, plan in zip(axes, plans, strict=True):
        bottom = np.zeros(len(years))
        for n, kind in enumerate(problem.types):
            values = outlays[(plan, kind)].to_numpy(float) / OKU
            ax.bar(years, values, bottom=bottom, width=0.8, label=type_name(problem, kind),
                   color=TYPE_COLOURS[n % len(TYPE_COLOURS)], linewidth=0)  # fmt: skip
            bottom += values
        average = float(summary.at[plan, "average"]) / OKU
        ax.axhline(average, color="#C00000", linestyle="--", linewidth=1.2)
        ax.annotate(f"年平均 {average:,.1f}億円", (1.0, average), xycoords=("axes fraction", "data"),
                    xytext=(4, 0), textcoords="offset points", color="#C00000", fontsize=8,
                    va="center", ha="left", annotation_clip=False)  # fmt: skip
        name = PLANS[plan][0]
        total = float(summary.at[plan, "total"]) / OKU
        ax.set_title(f"{name}：{len(years)}年間で{total:,.0f}億円", fontsize=10, loc="left")
        ax.set_ylim(0, max(top * 1.08, 1e-9))
        ax.set_ylabel("億円", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(axis="y", color="#D9D9D9", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[-1].set_xlabel("年度", fontsize=8)
    axes[0].legend(loc="upper left", bbox_to_anchor=(0, 1.32), ncol=min(7, len(problem.types)),
                   fontsize=8, frameon=False)  # fmt: skip
    fig.text(
        0.01,
        0.005,
        "市町村の施設の改修・建替え・新設の費用（割引前）。総務省「公共施設等更新費用試算ソフト」"
        "の方法：30年目に大規模改修、60年目に建替え、積み残しは初めの年に平準化。"
        "廃止する施設の費用は基準年度から計上しない。",
        fontsize=6.5,
        color="#595959",
    )
    fig.subplots_adjust(left=0.07, right=0.88, top=1 - 0.75 / fig.get_figheight(),
                        bottom=0.55 / fig.get_figheight(), hspace=0.45)  # fmt: skip
    return fig


def draw_renewal_chart(path: Path | str, problem: ProblemData, outlays: pd.DataFrame) -> Path:
    """Write ``renewal.png`` atomically and return its path."""
    path = Path(path)
    fig = renewal_figure(problem, outlays)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=150, metadata={"Software": None}, facecolor="white")
    log.info("renewal chart written: %s", path)
    return path
