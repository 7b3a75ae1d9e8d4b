"""The map picture (``map.png``): municipalities, facilities and sharing flows, offline.

Drawn with matplotlib's Agg renderer on a local flat projection (kilometres east and
north of the area's centre, equirectangular about the mean latitude, good to well under
1 % across a metropolitan area), so no tile server or network is ever needed:

* municipalities: grey circles whose *area* is proportional to population, with their
  Japanese names (IPAexGothic from ``matplotlib-fontja``, which installs with the package);
* facilities: marker shape by type, colour by decision (kept, built, closed — a closed
  facility is an open marker with a red edge; candidate sites not built are left out);
* sharing flows: a slightly curved arrow from a municipality's centre to each facility
  of another municipality that its residents use (opposite directions bend to opposite
  sides, so two-way sharing stays readable), one colour per type, width by demand
  relative to the largest flow of the same type;
* a km grid, a 5/10/20 km scale bar, and a legend outside the plot.

Every user string is drawn as plain text (no mathtext), and the PNG carries no
software or date metadata, so the same plan always gives the same bytes.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed; must precede any pyplot import elsewhere

import matplotlib_fontja  # noqa: E402,F401  (registers IPAexGothic and selects it)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

from optimizer.outputs.files import atomic_path  # noqa: E402
from optimizer.outputs.safe_text import clip, one_line  # noqa: E402
from optimizer.problem.data import ProblemData  # noqa: E402
from optimizer.problem.geodesy import project_km  # noqa: E402
from optimizer.problem.names import type_name  # noqa: E402
from optimizer.results.solution import Solution  # noqa: E402

__all__ = ["draw_map", "MARKERS", "DECISION_STYLE"]

log = logging.getLogger(__name__)


MARKERS = {"library": "s", "hall": "^", "care": "o"}
"""Marker per facility type; user-defined types take the next of :data:`EXTRA_MARKERS`."""
EXTRA_MARKERS = ("D", "P", "v", "h", "X", "*", "<", ">")

TYPE_COLOURS = ("#1f77b4", "#9467bd", "#d62728", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
"""Line colour per type for sharing flows (in the order of ``facility_types``)."""

DECISION_STYLE = {
    "keep": {"label": "存続 kept", "face": "#2e7d32", "edge": "#1b5e20"},
    "build": {"label": "新設 built", "face": "#1565c0", "edge": "#0d47a1"},
    "close": {"label": "廃止 closed", "face": "none", "edge": "#c62828"},
}
"""Facility colour per decision; ``not_built`` candidate sites are not drawn."""

DPI = 150
TITLE_MAX_CHARS = 56
"""The longest heading drawn (a longer area name ends in …)."""
LABEL_MAX_CHARS = 40
"""The longest name drawn beside a circle or in the legend (a longer one ends in …)."""
FIGSIZE_IN = (11.0, 7.6)


def _plain(text: object) -> str:
    """User text for legends: ``$`` escaped so it is never read as mathtext; one line,
    at most :data:`LABEL_MAX_CHARS` characters."""
    return clip(one_line(text), LABEL_MAX_CHARS).replace("$", r"\$")


def _type_styles(problem: ProblemData) -> dict[str, tuple[str, str]]:
    """Type → (marker, line colour), stable in the order of ``facility_types``."""
    extra = iter(EXTRA_MARKERS * 4)
    styles = {}
    for n, k in enumerate(problem.types):
        marker = MARKERS.get(k) or next(extra)
        styles[k] = (marker, TYPE_COLOURS[n % len(TYPE_COLOURS)])
    return styles


def _scale_bar_km(span_km: float) -> float:
    """A round scale-bar length near a fifth of the map's width [km]."""
    for length in (1, 2, 5, 10, 20, 50, 100, 200):
        if length >= span_km / 5:
            return float(length)
    return 500.0


def _centre(problem: ProblemData) -> tuple[float, float]:
    """The area's mean coordinates (municipalities and facilities) [deg]."""
    muni, fac = problem.municipalities, problem.facilities
    return (
        float(pd.concat([muni["lat"], fac["lat"]]).mean()),
        float(pd.concat([muni["lon"], fac["lon"]]).mean()),
    )


def _positions(problem: ProblemData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Municipality and facility positions [km] about the area's mean coordinates."""
    muni, fac = problem.municipalities, problem.facilities
    lat0, lon0 = _centre(problem)
    mx, my = project_km(muni["lat"], muni["lon"], lat0, lon0)
    fx, fy = project_km(fac["lat"], fac["lon"], lat0, lon0)
    return (
        pd.DataFrame({"x": mx, "y": my}, index=muni.index),
        pd.DataFrame({"x": fx, "y": fy}, index=fac.index),
    )


def _draw_flows(
    ax: Axes,
    problem: ProblemData,
    solution: Solution,
    mpos: pd.DataFrame,
    fpos: pd.DataFrame,
    styles: dict[str, tuple[str, str]],
) -> Sequence[Artist]:
    """Lines for flows between a municipality and another municipality's facility."""
    flows = solution.flows
    if flows.empty:
        return []
    shared = flows[flows["municipality"] != flows["host"]]
    handles = []
    for k in problem.types:
        f_k = shared[shared["type"] == k].sort_values(["municipality", "facility"])
        if f_k.empty:
            continue
        colour = styles[k][1]
        largest = float(f_k["demand"].max()) or 1.0
        for row in f_k.itertuples():
            width = 0.8 + 4.2 * float(row.demand) / largest
            start = (mpos.at[row.municipality, "x"], mpos.at[row.municipality, "y"])
            end = (fpos.at[row.facility, "x"], fpos.at[row.facility, "y"])
            ax.add_patch(
                FancyArrowPatch(
                    start, end, connectionstyle="arc3,rad=0.12", arrowstyle="-|>",
                    mutation_scale=6 + 2 * width, color=colour, linewidth=width, alpha=0.6,
                    shrinkA=0, shrinkB=5, zorder=2,
                )
            )  # fmt: skip
        handles.append(
            Line2D([], [], color=colour, linewidth=3, alpha=0.7,
                   label=_plain(f"{type_name(problem, k)}の相互利用"))
        )  # fmt: skip
    return handles


def _draw_municipalities(ax: Axes, problem: ProblemData, mpos: pd.DataFrame) -> Sequence[Artist]:
    """Circles with area ∝ population, names beside them; returns legend handles."""
    pop = problem.municipalities["population"].astype(float)
    largest = float(pop.max()) if len(pop) else 1.0
    sizes = 2400.0 * pop / largest
    ax.scatter(mpos["x"], mpos["y"], s=sizes, color="#b0bec5", alpha=0.45,
               edgecolors="#78909c", linewidths=0.8, zorder=1)  # fmt: skip
    for code, row in mpos.iterrows():
        radius_pt = math.sqrt(sizes[code] / math.pi)
        ax.annotate(
            clip(one_line(problem.municipalities.at[code, "name"]), LABEL_MAX_CHARS),
            (row["x"], row["y"]),
            xytext=(0, radius_pt + 2), textcoords="offset points", ha="center", va="bottom",
            fontsize=9, color="#263238", zorder=6, parse_math=False,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )  # fmt: skip
    handles = []
    for value in _round_populations(largest):
        handles.append(
            ax.scatter([], [], s=2400.0 * value / largest, color="#b0bec5", alpha=0.45,
                       edgecolors="#78909c", label=f"人口 {value:,.0f}人")
        )  # fmt: skip
    return handles


def _draw_zones(
    ax: Axes, problem: ProblemData, solution: Solution, lat0: float, lon0: float
) -> Sequence[Artist]:
    """Where residents live (the demand points, area ∝ population) and the points left
    unserved (red crosses); nothing when residents sit at the municipalities' points."""
    points = problem.points
    zones = problem.zones
    if "own_point" in zones and zones["own_point"].astype(bool).all():
        return []
    x, y = project_km(points["lat"], points["lon"], lat0, lon0)
    pop = points["population"].astype(float).to_numpy()
    sizes = 6.0 + 220.0 * pop / max(float(pop.max()), 1.0)
    ax.scatter(x, y, s=sizes, color="#607d8b", alpha=0.45, linewidths=0, zorder=1.5)
    handles: list[Artist] = [
        Line2D([], [], linestyle="none", marker="o", markersize=4, color="#607d8b", alpha=0.5,
               label="住民の居住地（点の面積＝人口）")
    ]  # fmt: skip
    left = solution.unserved
    if "point" in left and not left.empty:
        where = points.index.get_indexer(left["point"].astype(str).unique())
        where = where[where >= 0]
        ax.scatter(x[where], y[where], marker="x", s=36, color="#c62828", linewidths=1.4,
                   zorder=6)  # fmt: skip
        handles.append(
            Line2D([], [], linestyle="none", marker="x", markersize=6, color="#c62828",
                   markeredgewidth=1.4, label="充足できない需要のある地区")
        )  # fmt: skip
    return handles


def convex_hull(points: np.ndarray) -> np.ndarray:
    """The convex hull of 2-D points, counter-clockwise (Andrew's monotone chain);
    fewer than three distinct points are returned as they are."""
    unique = np.unique(np.asarray(points, dtype=float), axis=0)
    if len(unique) < 3:
        return unique

    def half(ordered: np.ndarray) -> list[np.ndarray]:
        chain: list[np.ndarray] = []
        for p in ordered:
            while len(chain) >= 2:
                (ax_, ay), (bx, by) = chain[-2], chain[-1]
                if (bx - ax_) * (p[1] - ay) - (by - ay) * (p[0] - ax_) > 0:
                    break
                chain.pop()
            chain.append(p)
        return chain

    lower, upper = half(unique), half(unique[::-1])
    return np.array(lower[:-1] + upper[:-1])


def _draw_outlines(ax: Axes, problem: ProblemData, lat0: float, lon0: float) -> None:
    """A dashed outline around each municipality's zones (their convex hull): where its
    residents live, in place of a boundary the input does not give."""
    zones = problem.zones
    if "own_point" in zones and zones["own_point"].astype(bool).all():
        return
    x, y = project_km(zones["lat"], zones["lon"], lat0, lon0)
    for code in problem.municipalities.index.astype(str):
        mine = (zones["municipality"].astype(str) == code).to_numpy()
        hull = convex_hull(np.column_stack([x[mine], y[mine]]))
        if len(hull) < 3:
            continue
        closed = np.vstack([hull, hull[:1]])
        ax.plot(closed[:, 0], closed[:, 1], color="#90a4ae", linewidth=0.8, linestyle="--",
                zorder=0.5)  # fmt: skip


def _round_populations(largest: float) -> list[float]:
    """Two or three round population values for the size legend."""
    if largest <= 0:
        return []
    top = 10 ** math.floor(math.log10(largest))
    top = max(v * top for v in (1, 2, 5) if v * top <= largest)
    return [v for v in (top / 10, top / 2, top) if v >= 1]


def marker_size(n_facilities: int) -> float:
    """Marker area [pt²]: 70 up to 100 facilities, shrinking as 1/√n beyond (30 for the
    Tama case's 600), so that a dense area stays legible."""
    return float(np.clip(70.0 * math.sqrt(100.0 / max(n_facilities, 1)), 24.0, 70.0))


def _draw_facilities(
    ax: Axes,
    problem: ProblemData,
    solution: Solution,
    fpos: pd.DataFrame,
    styles: dict[str, tuple[str, str]],
) -> tuple[Sequence[Artist], Sequence[Artist]]:
    """Facility markers; returns legend handles for types and for decisions."""
    fac = solution.facilities
    shown = fac[fac["decision"].isin(list(DECISION_STYLE))]
    size = marker_size(len(shown))
    for k in problem.types:
        marker = styles[k][0]
        for decision, style in DECISION_STYLE.items():
            ids = shown.index[(shown["type"] == k) & (shown["decision"] == decision)]
            if len(ids) == 0:
                continue
            ax.scatter(
                fpos.loc[ids, "x"], fpos.loc[ids, "y"], marker=marker, s=size,
                facecolors=style["face"], edgecolors=style["edge"],
                linewidths=1.6 if decision == "close" else 0.8, zorder=5 if decision != "close" else 4,
            )  # fmt: skip
    type_handles = [
        Line2D([], [], linestyle="none", marker=styles[k][0], markersize=8, color="#424242",
               label=_plain(type_name(problem, k)))
        for k in problem.types
    ]  # fmt: skip
    decision_handles = [
        Line2D([], [], linestyle="none", marker="o", markersize=8, markerfacecolor=s["face"],
               markeredgecolor=s["edge"], markeredgewidth=1.4, label=s["label"])
        for s in DECISION_STYLE.values()
    ]  # fmt: skip
    return type_handles, decision_handles


def _draw_scale_bar(ax: Axes) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _scale_bar_km(x1 - x0)
    left = x0 + 0.04 * (x1 - x0)
    base = y0 + 0.05 * (y1 - y0)
    ax.plot([left, left + length], [base, base], color="black", linewidth=3, zorder=7,
            solid_capstyle="butt")  # fmt: skip
    ax.text(left + length / 2, base + 0.015 * (y1 - y0), f"{length:g} km", ha="center",
            va="bottom", fontsize=8, zorder=7)  # fmt: skip


def _frame(ax: Axes, mpos: pd.DataFrame, fpos: pd.DataFrame, zpos: pd.DataFrame) -> None:
    xs = pd.concat([mpos["x"], fpos["x"], zpos["x"]])
    ys = pd.concat([mpos["y"], fpos["y"], zpos["y"]])
    span = max(float(xs.max() - xs.min()), float(ys.max() - ys.min()), 2.0)
    pad = 0.12 * span
    ax.set_xlim(float(xs.min()) - pad, float(xs.max()) + pad)
    ax.set_ylim(float(ys.min()) - pad, float(ys.max()) + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.grid(True, color="#e0e0e0", linewidth=0.6, zorder=0)
    ax.set_xlabel("東西 [km]（中心からの距離）", fontsize=8)
    ax.set_ylabel("南北 [km]", fontsize=8)
    ax.tick_params(labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def draw_map(
    path: Path | str, problem: ProblemData, solution: Solution, *, title: str | None = None
) -> Path:
    """Draw the plan's map to ``path`` (PNG, written atomically) and return ``path``.

    Parameters
    ----------
    path
        Output file name (``.png``).
    problem, solution
        The inputs (positions, populations, types) and the plan (decisions, flows).
    title
        Heading; default ``<area name>：施設の方針と相互利用``.
    """
    path = Path(path)
    mpos, fpos = _positions(problem)
    styles = _type_styles(problem)
    fig = Figure(figsize=FIGSIZE_IN, dpi=DPI)
    ax = fig.add_axes((0.06, 0.08, 0.66, 0.84))
    centre = _centre(problem)
    zx, zy = project_km(problem.zones["lat"], problem.zones["lon"], *centre)
    _frame(ax, mpos, fpos, pd.DataFrame({"x": zx, "y": zy}))
    flow_handles = _draw_flows(ax, problem, solution, mpos, fpos, styles)
    _draw_outlines(ax, problem, *centre)
    zone_handles = _draw_zones(ax, problem, solution, *centre)
    size_handles = _draw_municipalities(ax, problem, mpos)
    type_handles, decision_handles = _draw_facilities(ax, problem, solution, fpos, styles)
    _draw_scale_bar(ax)
    area = problem.parameters.area_name or ""
    heading = title if title is not None else f"{area}：施設の方針と相互利用".lstrip("：")
    heading = clip(one_line(heading), TITLE_MAX_CHARS)
    ax.set_title(heading, fontsize=13, loc="left", parse_math=False)
    sections = [
        ("施設の類型 Type", type_handles),
        ("方針 Decision", decision_handles),
        ("他市町村の施設の利用（線の太さ＝利用量）", flow_handles),
        ("住民 Residents", zone_handles),
        ("市町村（円の面積＝人口）", size_handles),
    ]
    top = 0.92
    for heading_text, handles in sections:
        if not handles:
            continue
        legend = fig.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(0.745, top), frameon=False,
            fontsize=8, title=heading_text, title_fontsize=8.5, alignment="left",
            scatterpoints=1, labelspacing=3.0 if handles is size_handles else 0.5,
            handletextpad=2.6 if handles is size_handles else 0.8, borderpad=0.9,
        )  # fmt: skip
        lines = len(handles) * (3.4 if handles is size_handles else 1.0) + 1.6
        top -= 0.033 * lines
        legend.set_in_layout(False)
    fig.text(0.06, 0.015, "座標から作図（背景地図タイルは使用していません）。矢印は住民から利用先の施設へ。"
             "破線は各市町村の区域（住民の居住地）を囲む線で、行政界ではありません。",
             fontsize=6.5, color="#757575")  # fmt: skip
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    log.info("map written: %s", path)
    return path
