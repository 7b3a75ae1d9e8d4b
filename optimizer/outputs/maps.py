"""The map picture (``map.png``): municipalities, facilities and sharing flows, offline.

Drawn with matplotlib's Agg renderer on a local flat projection (kilometres east and
north of the area's centre, equirectangular about the mean latitude, good to well under
1 % across a metropolitan area), so no tile server or network is ever needed:

* municipal areas (:mod:`optimizer.outputs.map_areas`): the boundaries of an optional
  GeoJSON file (:mod:`optimizer.outputs.boundaries`, e.g. 国土数値情報 N03), lightly
  filled, with the boundaries of the file's other municipalities in the frame drawn
  faint; a municipality the file lacks (or every one, without a file) gets a dashed
  outline around its zones (their convex hull), which says where its residents live
  and is labelled as not a boundary;
* municipalities: grey circles whose *area* is proportional to population, with their
  Japanese names (IPAexGothic from ``matplotlib-fontja``, which installs with the
  package) placed where they hide no marker and no other name
  (:mod:`optimizer.outputs.map_labels`);
* residents: the demand points (area ∝ population) when the input has zones, and a red
  cross on every point left with unserved demand;
* facilities: marker shape by type, colour by decision (kept, built, closed — a closed
  facility is an open marker with a red edge; candidate sites not built are left out);
* sharing flows: a slightly curved arrow from a municipality's centre to each facility
  of another municipality that its residents use under an agreement or a 指定
  (opposite directions bend to opposite sides, so two-way sharing stays readable), one
  colour per type, width by demand relative to the largest flow of the same type;
  admissions to a private care home across the border, by need, are not sharing and
  are not drawn;
* a km grid, a 5/10/20 km scale bar, and a legend beside the plot.

The figure's height follows the area's shape (and the legend's length), and the plot
fills its box, so no band of the picture is left blank. Every user string is drawn as
plain text (no mathtext), and the PNG carries no software or date metadata, so the same
plan always gives the same bytes.
"""

from __future__ import annotations

import itertools
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
from matplotlib.backend_bases import RendererBase  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Patch  # noqa: E402

from optimizer.outputs.boundaries import Boundaries, read_boundaries  # noqa: E402
from optimizer.outputs.files import atomic_path  # noqa: E402
from optimizer.outputs.map_areas import (  # noqa: E402
    BOUNDARY_STYLE,
    OTHER_BOUNDARY_STYLE,
    OUTLINE_STYLE,
    boundary_paths,
    convex_hull,
    draw_boundaries,
    draw_outlines,
)
from optimizer.outputs.map_labels import Box, Label, place_labels  # noqa: E402
from optimizer.outputs.safe_text import clip, one_line  # noqa: E402
from optimizer.problem.data import ProblemData  # noqa: E402
from optimizer.problem.geodesy import project_km  # noqa: E402
from optimizer.problem.names import type_name  # noqa: E402
from optimizer.problem.rules import needs_agreement_to_use  # noqa: E402
from optimizer.results.solution import Solution  # noqa: E402

__all__ = ["draw_map", "map_figure", "convex_hull", "MARKERS", "DECISION_STYLE"]

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
CIRCLE_MAX_PT2 = 2400.0
"""Marker area [pt²] of the most populous municipality's circle."""

FIG_WIDTH_IN = 11.0
AXES_LEFT_IN, AXES_WIDTH_IN = 0.72, 7.3
"""The plot's left edge and width [in]; its height follows the area's shape."""
AXES_HEIGHT_IN = (4.6, 10.0)
"""The plot's least and greatest height [in] (a very wide or tall area fills the box
with more of its surroundings)."""
LEGEND_LEFT_IN = 8.3
MARGIN_TOP_IN, MARGIN_BOTTOM_IN = 0.5, 0.9
"""Room above the plot (the title) and below it (axis labels and the footnote) [in]."""
LEGEND_BOTTOM_IN = 0.45
"""Room under the legend [in]: the largest circle reaches below its row."""
FRAME_PAD = 0.08
"""Margin around everything drawn, as a share of the area's larger span."""


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


Marks = list[tuple[np.ndarray, np.ndarray, np.ndarray]]
"""Markers a name should not hide: x, y [km] and marker area [pt²] of each."""
Flow = tuple[tuple[float, float], tuple[float, float], float]
"""A flow's arrow: from and to [km], line width [pt]."""
FLOW_BEND = 0.12
"""The bend of the flows' arcs (matplotlib's ``arc3`` ``rad``)."""
OBSTACLE_WEIGHTS = {"marker": 1.0, "resident": 0.5, "flow": 0.3}
"""The cost of hiding a px² of a facility marker, unserved cross or the scale bar, of a
residents' dot, and of a flow's line, when a name is placed."""


def _draw_flows(
    ax: Axes,
    problem: ProblemData,
    solution: Solution,
    mpos: pd.DataFrame,
    fpos: pd.DataFrame,
    styles: dict[str, tuple[str, str]],
) -> tuple[Sequence[Artist], list[Flow]]:
    """Lines for the sharing: flows from a municipality to another municipality's
    facility whose use needs an agreement (a facility it runs, or a 地域密着型 one).
    Residents entering a private 特養 across the border by need are no sharing between
    the municipalities, and are not drawn. Returns legend handles and the lines drawn."""
    flows = solution.flows
    if flows.empty:
        return [], []
    needed = pd.Series(needs_agreement_to_use(problem), index=problem.facilities.index.astype(str))
    agreed = needed.reindex(flows["facility"].astype(str)).fillna(False).to_numpy(bool)
    shared = flows[(flows["municipality"] != flows["host"]).to_numpy(bool) & agreed]
    handles = []
    lines: list[Flow] = []
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
                    start, end, connectionstyle=f"arc3,rad={FLOW_BEND}", arrowstyle="-|>",
                    mutation_scale=6 + 2 * width, color=colour, linewidth=width, alpha=0.6,
                    shrinkA=0, shrinkB=5, zorder=2,
                )
            )  # fmt: skip
            lines.append((start, end, width))
        handles.append(
            Line2D([], [], color=colour, linewidth=3, alpha=0.7,
                   label=_plain(f"{type_name(problem, k)}の相互利用"))
        )  # fmt: skip
    return handles, lines


def _flow_boxes(ax: Axes, lines: Sequence[Flow]) -> list[Box]:
    """Small pixel boxes along each flow's arc (matplotlib's ``arc3``: a quadratic
    Bézier curve whose control point is set off the chord's midpoint by ``rad`` times
    the chord, in display space), one every few pixels."""
    boxes: list[Box] = []
    px_per_pt = ax.figure.dpi / 72
    for start, end, width in lines:
        (x1, y1), (x2, y2) = ax.transData.transform([start, end])
        cx = (x1 + x2) / 2 + FLOW_BEND * (y2 - y1)
        cy = (y1 + y2) / 2 - FLOW_BEND * (x2 - x1)
        steps = max(int(math.hypot(x2 - x1, y2 - y1) / 6), 2)
        t = np.linspace(0, 1, steps + 1)[:, None]
        curve = (1 - t) ** 2 * [x1, y1] + 2 * (1 - t) * t * [cx, cy] + t**2 * [x2, y2]
        half = max(width * px_per_pt / 2, 2.0)
        boxes += [(x - half, y - half, x + half, y + half) for x, y in curve]
    return boxes


def _circle_sizes(problem: ProblemData) -> pd.Series:
    """Marker area [pt²] of each municipality's circle (∝ population)."""
    pop = problem.municipalities["population"].astype(float)
    largest = float(pop.max()) if len(pop) else 1.0
    return CIRCLE_MAX_PT2 * pop / (largest or 1.0)


def _draw_municipalities(
    ax: Axes, problem: ProblemData, mpos: pd.DataFrame
) -> tuple[Sequence[Artist], list[Label]]:
    """Circles with area ∝ population; returns legend handles and the names to place,
    the most populous first."""
    sizes = _circle_sizes(problem)
    ax.scatter(mpos["x"], mpos["y"], s=sizes, color="#b0bec5", alpha=0.45,
               edgecolors="#78909c", linewidths=0.8, zorder=1)  # fmt: skip
    order = sorted(mpos.index, key=lambda code: (-float(sizes[code]), str(code)))
    labels = [
        Label(
            clip(one_line(problem.municipalities.at[code, "name"]), LABEL_MAX_CHARS),
            (float(mpos.at[code, "x"]), float(mpos.at[code, "y"])),
            clearance_pt=math.sqrt(float(sizes[code])) / 2,
        )
        for code in order
    ]
    largest = float(problem.municipalities["population"].astype(float).max() or 1.0)
    handles = [
        ax.scatter([], [], s=CIRCLE_MAX_PT2 * value / largest, color="#b0bec5", alpha=0.45,
                   edgecolors="#78909c", label=f"人口 {value:,.0f}人")
        for value in _round_populations(largest)
    ]  # fmt: skip
    return handles, labels


def _draw_zones(
    ax: Axes, problem: ProblemData, solution: Solution, lat0: float, lon0: float
) -> tuple[list[Artist], Marks, Marks]:
    """Where residents live (the demand points, area ∝ population; not drawn when
    residents sit at the municipalities' points) and the points left with unserved
    demand (red crosses); returns legend handles, the residents' dots and the crosses."""
    points = problem.points
    zones = problem.zones
    x, y = project_km(points["lat"], points["lon"], lat0, lon0)
    handles: list[Artist] = []
    residents: Marks = []
    crosses: Marks = []
    if not ("own_point" in zones and zones["own_point"].astype(bool).all()):
        pop = points["population"].astype(float).to_numpy()
        sizes = 6.0 + 220.0 * pop / max(float(pop.max()), 1.0)
        ax.scatter(x, y, s=sizes, color="#607d8b", alpha=0.45, linewidths=0, zorder=1.5)
        residents.append((x, y, sizes))
        handles.append(
            Line2D([], [], linestyle="none", marker="o", markersize=4, color="#607d8b",
                   alpha=0.5, label="住民の居住地（点の面積＝人口）")
        )  # fmt: skip
    left = solution.unserved
    if "point" in left and not left.empty:
        where = points.index.get_indexer(left["point"].astype(str).unique())
        where = np.sort(where[where >= 0])
        ax.scatter(x[where], y[where], marker="x", s=36, color="#c62828", linewidths=1.4,
                   zorder=6, gid="unserved")  # fmt: skip
        crosses.append((x[where], y[where], np.full(len(where), 36.0)))
        handles.append(
            Line2D([], [], linestyle="none", marker="x", markersize=6, color="#c62828",
                   markeredgewidth=1.4, label="充足できない需要のある地区")
        )  # fmt: skip
    return handles, residents, crosses


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
) -> tuple[Sequence[Artist], Sequence[Artist], Marks]:
    """Facility markers; returns legend handles for types and for decisions, and the
    marks drawn."""
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
                gid="facility",
            )  # fmt: skip
    where = fpos.loc[shown.index]
    marks: Marks = [
        (where["x"].to_numpy(float), where["y"].to_numpy(float), np.full(len(where), size))
    ]
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
    return type_handles, decision_handles, marks


def _area_handles(boundaries: Boundaries | None, mine: bool, outlines: bool, others: bool):
    """Legend handles for what the map draws of the municipal areas."""
    handles: list[Artist] = []
    if mine and boundaries is not None:
        handles.append(Patch(label=_plain(f"行政界（{boundaries.source}）"), **BOUNDARY_STYLE))
    if outlines:
        handles.append(Line2D([], [], label="居住地を囲む線（行政界ではない）", **OUTLINE_STYLE))
    if others:
        colour = OTHER_BOUNDARY_STYLE["edgecolor"]
        handles.append(
            Line2D([], [], color=colour, linewidth=1.0, label="入力にない市町村の行政界")
        )
    return handles


def _draw_scale_bar(ax: Axes) -> list[Artist]:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _scale_bar_km(x1 - x0)
    left = x0 + 0.04 * (x1 - x0)
    base = y0 + 0.05 * (y1 - y0)
    (bar,) = ax.plot([left, left + length], [base, base], color="black", linewidth=3,
                     zorder=7, solid_capstyle="butt")  # fmt: skip
    text = ax.text(left + length / 2, base + 0.015 * (y1 - y0), f"{length:g} km", ha="center",
                   va="bottom", fontsize=8, zorder=7)  # fmt: skip
    return [bar, text]


def _extent(xs: np.ndarray, ys: np.ndarray) -> Box:
    """Everything drawn with a margin: x0, y0, x1, y1 [km]."""
    span = max(float(xs.max() - xs.min()), float(ys.max() - ys.min()), 2.0)
    pad = FRAME_PAD * span
    return (float(xs.min()) - pad, float(ys.min()) - pad, float(xs.max()) + pad,
            float(ys.max()) + pad)  # fmt: skip


def _fit(extent: Box, width_in: float, height_in: float) -> Box:
    """``extent`` widened in one direction to the shape of a box of the given size,
    so that an equal-aspect plot fills the box."""
    x0, y0, x1, y1 = extent
    width, height = x1 - x0, y1 - y0
    if height / width < height_in / width_in:
        grow = (width * height_in / width_in - height) / 2
        return x0, y0 - grow, x1, y1 + grow
    grow = (height * width_in / height_in - width) / 2
    return x0 - grow, y0, x1 + grow, y1


def _style_axes(ax: Axes) -> None:
    ax.grid(True, color="#e0e0e0", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel("東西 [km]（中心からの距離）", fontsize=8)
    ax.set_ylabel("南北 [km]", fontsize=8)
    ax.tick_params(labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _circle_spacing(handles: Sequence[Artist]) -> float:
    """The legend's spacing of rows of circles [font sizes], so that neighbours keep
    4 pt apart (a row is about a font size, 8 pt, tall)."""
    radii = [math.sqrt(float(h.get_sizes()[0])) / 2 for h in handles]  # type: ignore[attr-defined]
    return max([2.0, *((a + b + 4.0 - 8.0) / 8.0 for a, b in itertools.pairwise(radii))])


def _legends(fig: Figure, sections: Sequence[tuple[str, Sequence[Artist], bool]]) -> list[Legend]:
    """One legend per non-empty section (title, handles, whether it holds circles)."""
    legends = []
    for heading, handles, circles in sections:
        if not handles:
            continue
        legend = fig.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(LEGEND_LEFT_IN, 0.0),
            bbox_transform=fig.dpi_scale_trans, frameon=False, fontsize=8, title=heading,
            title_fontsize=8.5, alignment="left", scatterpoints=1,
            labelspacing=_circle_spacing(handles) if circles else 0.5,
            handletextpad=2.6 if circles else 0.8,
            borderpad=0.6,
        )  # fmt: skip
        legend.set_in_layout(False)
        legends.append(legend)
    return legends


LEGEND_GAP_IN = 0.06


def _stack_height(legends: Sequence[Legend], renderer: RendererBase) -> float:
    """The height [in] of the legends stacked one under the other."""
    heights = [legend.get_window_extent(renderer).height / DPI for legend in legends]
    return sum(heights) + LEGEND_GAP_IN * max(len(heights) - 1, 0)


def _stack_legends(
    fig: Figure, legends: Sequence[Legend], renderer: RendererBase, top: float
) -> None:
    """Place the legends one under the other from ``top`` [in from the bottom]."""
    for legend in legends:
        legend.set_bbox_to_anchor((LEGEND_LEFT_IN, top), transform=fig.dpi_scale_trans)
        top -= legend.get_window_extent(renderer).height / DPI + LEGEND_GAP_IN


def _marks_boxes(ax: Axes, marks: Marks) -> list[Box]:
    """Pixel boxes of the marks (each marker's square of side √area)."""
    boxes: list[Box] = []
    px_per_pt = ax.figure.dpi / 72
    for x, y, sizes in marks:
        if len(x) == 0:
            continue
        centres = ax.transData.transform(np.column_stack([x, y]))
        for (cx, cy), size in zip(centres, sizes, strict=True):
            half = math.sqrt(float(size)) / 2 * px_per_pt
            boxes.append((cx - half, cy - half, cx + half, cy + half))
    return boxes


def _window_box(artist: Artist, renderer: RendererBase) -> Box:
    extent = artist.get_window_extent(renderer)
    return (extent.x0, extent.y0, extent.x1, extent.y1)


def _as_boundaries(boundaries: Boundaries | Path | str | None) -> Boundaries | None:
    if boundaries is None or isinstance(boundaries, Boundaries):
        return boundaries
    return read_boundaries(boundaries)


def map_figure(
    problem: ProblemData,
    solution: Solution,
    *,
    title: str | None = None,
    boundaries: Boundaries | Path | str | None = None,
) -> Figure:
    """The plan's map as a matplotlib figure (Agg canvas), ready to save.

    Artists carry a ``gid`` for whoever inspects the figure: ``boundary`` (the
    input's municipalities' boundaries), ``boundary-other``, ``outline`` (the dashed
    outline of a municipality's zones), ``facility``, ``unserved`` and
    ``municipality-label``.
    """
    boundaries = _as_boundaries(boundaries)
    mpos, fpos = _positions(problem)
    styles = _type_styles(problem)
    lat0, lon0 = _centre(problem)
    fig = Figure(figsize=(FIG_WIDTH_IN, 7.0), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.6, 0.8))
    _style_axes(ax)

    mine, others = boundary_paths(problem, boundaries, lat0, lon0)
    zx, zy = project_km(problem.zones["lat"], problem.zones["lon"], lat0, lon0)
    xs = [mpos["x"].to_numpy(float), fpos["x"].to_numpy(float), zx]
    ys = [mpos["y"].to_numpy(float), fpos["y"].to_numpy(float), zy]
    for path in mine.values():
        vertices = np.asarray(path.vertices)
        xs.append(vertices[:, 0])
        ys.append(vertices[:, 1])
    extent = _extent(np.concatenate(xs), np.concatenate(ys))

    flow_handles, flow_lines = _draw_flows(ax, problem, solution, mpos, fpos, styles)
    outlines = draw_outlines(ax, problem, lat0, lon0, skip=set(mine))
    zone_handles, resident_marks, unserved_marks = _draw_zones(ax, problem, solution, lat0, lon0)
    size_handles, labels = _draw_municipalities(ax, problem, mpos)
    type_handles, decision_handles, facility_marks = _draw_facilities(
        ax, problem, solution, fpos, styles
    )

    # The plot's height follows the area's shape, the figure's the plot and the legend;
    # the legend makes room for the faint boundaries of the file's other municipalities
    # and drops their line when none of them reaches into the final frame.
    x0, y0, x1, y1 = extent
    height_in = float(np.clip(AXES_WIDTH_IN * (y1 - y0) / (x1 - x0), *AXES_HEIGHT_IN))

    def sections(faint: bool) -> list[tuple[str, Sequence[Artist], bool]]:
        return [
            ("施設の類型 Type", type_handles, False),
            ("方針 Decision", decision_handles, False),
            ("他市町村の施設の利用（線の太さ＝利用量）", flow_handles, False),
            ("住民 Residents", zone_handles, False),
            ("区域 Areas", _area_handles(boundaries, bool(mine), outlines, faint), False),
            ("市町村（円の面積＝人口）", size_handles, True),
        ]

    legends = _legends(fig, sections(bool(others)))
    renderer = canvas.get_renderer()
    legend_in = _stack_height(legends, renderer)
    fig_height = max(
        height_in + MARGIN_TOP_IN + MARGIN_BOTTOM_IN, legend_in + MARGIN_TOP_IN + LEGEND_BOTTOM_IN
    )
    fig_height = math.ceil(fig_height * DPI) / DPI  # a whole number of pixels
    height_in = fig_height - MARGIN_TOP_IN - MARGIN_BOTTOM_IN
    fig.set_size_inches(FIG_WIDTH_IN, fig_height)
    ax.set_position(
        (AXES_LEFT_IN / FIG_WIDTH_IN, MARGIN_BOTTOM_IN / fig_height,
         AXES_WIDTH_IN / FIG_WIDTH_IN, height_in / fig_height)
    )  # fmt: skip
    frame = _fit(extent, AXES_WIDTH_IN, height_in)
    ax.set_xlim(frame[0], frame[2])
    ax.set_ylim(frame[1], frame[3])
    ax.set_aspect("equal", adjustable="box")
    faint = draw_boundaries(ax, mine, others, frame)
    if bool(others) and not faint:
        for legend in legends:
            legend.remove()
        legends = _legends(fig, sections(False))
    renderer = canvas.get_renderer()
    _stack_legends(fig, legends, renderer, top=fig_height - MARGIN_TOP_IN + 0.1)

    area = problem.parameters.area_name or ""
    heading = title if title is not None else f"{area}：施設の方針と相互利用".lstrip("：")
    ax.set_title(clip(one_line(heading), TITLE_MAX_CHARS), fontsize=13, loc="left",
                 parse_math=False)  # fmt: skip
    notes = [
        "座標から作図（背景地図タイルは使用していません）。矢印は住民から利用先の施設へ"
        "（協約・指定による利用のみ。民間の介護施設への入所は描いていません）。"
    ]
    if outlines:
        notes.append("破線は市町村の区域（住民の居住地）を囲む線で、行政界ではありません。")
    if mine and boundaries is not None:
        notes.append(clip(one_line(boundaries.credit), 120))
    fig.text(AXES_LEFT_IN, 0.1, "\n".join(notes), transform=fig.dpi_scale_trans, fontsize=6.5,
             color="#757575", va="bottom", parse_math=False)  # fmt: skip

    scale_bar = _draw_scale_bar(ax)
    ax.apply_aspect()
    renderer = canvas.get_renderer()
    weighted = [
        (OBSTACLE_WEIGHTS["marker"], _marks_boxes(ax, facility_marks + unserved_marks)),
        (OBSTACLE_WEIGHTS["resident"], _marks_boxes(ax, resident_marks)),
        (OBSTACLE_WEIGHTS["flow"], _flow_boxes(ax, flow_lines)),
        (OBSTACLE_WEIGHTS["marker"], [_window_box(artist, renderer) for artist in scale_bar]),
    ]
    for annotation in place_labels(
        ax, labels, [box for _, boxes in weighted for box in boxes], renderer,
        weights=[weight for weight, boxes in weighted for _ in boxes],
        fontsize=9, color="#263238", zorder=6, parse_math=False,
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
    ):  # fmt: skip
        annotation.set_gid("municipality-label")
    return fig


def draw_map(
    path: Path | str,
    problem: ProblemData,
    solution: Solution,
    *,
    title: str | None = None,
    boundaries: Boundaries | Path | str | None = None,
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
    boundaries
        Municipal boundaries (:func:`optimizer.outputs.boundaries.read_boundaries`, or
        the GeoJSON file's path): drawn in place of the zones' outlines for each
        municipality they hold. ``None``: outlines only.
    """
    path = Path(path)
    fig = map_figure(problem, solution, title=title, boundaries=boundaries)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    log.info("map written: %s", path)
    return path
