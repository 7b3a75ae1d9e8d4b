"""What the map draws of the municipal areas: boundaries, or outlines of the zones.

With a boundary file (:mod:`optimizer.outputs.boundaries`) each municipality of the
input that the file holds gets its boundary, lightly filled, and the file's other
features that reach into the frame are drawn faint (neighbours, 所属未定地); a
municipality the file lacks, or every one without a file, gets a dashed outline around
its zones (their convex hull), which says where its residents live and is not a
boundary. Coordinates are the map's: kilometres east and north of the area's centre.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from optimizer.outputs.boundaries import Boundaries, Polygon
from optimizer.outputs.map_labels import Box
from optimizer.outputs.safe_text import one_line
from optimizer.problem.data import ProblemData
from optimizer.problem.geodesy import project_km

__all__ = [
    "BOUNDARY_STYLE",
    "OTHER_BOUNDARY_STYLE",
    "OUTLINE_STYLE",
    "convex_hull",
    "draw_outlines",
    "projected",
    "boundary_paths",
    "reaches",
    "draw_boundaries",
]

log = logging.getLogger(__name__)

BOUNDARY_STYLE: dict[str, Any] = {"facecolor": "#eef1f3", "edgecolor": "#546e7a", "linewidth": 1.0}
"""The boundary of a municipality of the input."""
OTHER_BOUNDARY_STYLE: dict[str, Any] = {
    "facecolor": "none",
    "edgecolor": "#cfd8dc",
    "linewidth": 0.6,
}
"""The boundary of a municipality of the file that is not in the input."""
OUTLINE_STYLE: dict[str, Any] = {"color": "#90a4ae", "linewidth": 0.8, "linestyle": "--"}
"""The dashed outline around a municipality's zones (not a boundary)."""


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


def draw_outlines(ax: Axes, problem: ProblemData, lat0: float, lon0: float, skip: set[str]) -> bool:
    """A dashed outline around the zones of each municipality not in ``skip`` (their
    convex hull): where its residents live, in place of a boundary the input does not
    give. Returns whether any was drawn."""
    zones = problem.zones
    if "own_point" in zones and zones["own_point"].astype(bool).all():
        return False
    x, y = project_km(zones["lat"], zones["lon"], lat0, lon0)
    drawn = False
    for code in problem.municipalities.index.astype(str):
        if code in skip:
            continue
        mine = (zones["municipality"].astype(str) == code).to_numpy()
        hull = convex_hull(np.column_stack([x[mine], y[mine]]))
        if len(hull) < 3:
            continue
        closed = np.vstack([hull, hull[:1]])
        ax.plot(closed[:, 0], closed[:, 1], zorder=0.5, gid="outline", **OUTLINE_STYLE)
        drawn = True
    return drawn


def projected(polygons: Sequence[Polygon], lat0: float, lon0: float) -> MplPath:
    """Polygons of (lon, lat) rings as one path [km]: each exterior counter-clockwise,
    each hole clockwise, so that holes stay unfilled."""
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for polygon in polygons:
        for n, ring in enumerate(polygon):
            x, y = project_km(ring[:, 1], ring[:, 0], lat0, lon0)
            points = np.column_stack([x, y])
            if len(points) > 1 and (points[0] == points[-1]).all():
                points = points[:-1]
            area = float(np.dot(points[:, 0], np.roll(points[:, 1], -1)))
            area -= float(np.dot(points[:, 1], np.roll(points[:, 0], -1)))
            if (area > 0) != (n == 0):
                points = points[::-1]
            vertices.append(np.vstack([points, points[:1]]))
            kinds = np.full(len(points) + 1, MplPath.LINETO, dtype=MplPath.code_type)
            kinds[0], kinds[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            codes.append(kinds)
    return MplPath(np.vstack(vertices), np.concatenate(codes))


def boundary_paths(
    problem: ProblemData, boundaries: Boundaries | None, lat0: float, lon0: float
) -> tuple[dict[str, MplPath], list[MplPath]]:
    """The boundary of each municipality the file has, and the file's other features."""
    if boundaries is None:
        return {}, []
    codes = [str(c) for c in problem.municipalities.index]
    mine, others = boundaries.of(codes)
    if not mine:
        log.warning(
            "no feature of %s has the code of a municipality of the input (%s): "
            "the map shows the zones' outlines instead",
            boundaries.source,
            ", ".join(codes),
        )
    else:
        names = problem.municipalities["name"]
        missing = [f"{one_line(names[c])} ({c})" for c in names.index if str(c) not in mine]
        if missing:
            log.warning(
                "%s has no boundary of %s: the map outlines their zones instead",
                boundaries.source,
                ", ".join(missing),
            )
    paths = {code: projected(polygons, lat0, lon0) for code, polygons in mine.items()}
    return paths, [projected([polygon], lat0, lon0) for polygon in others]


def reaches(path: MplPath, frame: Box) -> bool:
    """Whether the path's bounding box meets ``frame`` (x0, y0, x1, y1 [km])."""
    vertices = np.asarray(path.vertices)
    (x0, y0), (x1, y1) = vertices.min(axis=0), vertices.max(axis=0)
    return not (x1 < frame[0] or x0 > frame[2] or y1 < frame[1] or y0 > frame[3])


def draw_boundaries(
    ax: Axes, mine: dict[str, MplPath], others: Sequence[MplPath], frame: Box
) -> bool:
    """The input's municipalities' boundaries (a patch each), and faintly those of the
    file's other features that reach into ``frame`` (x0, y0, x1, y1 [km]; one
    collection); whether any other was drawn. Added as artists, since the frame is set
    already: ``add_patch`` would walk every vertex to widen the data limits."""
    for code in sorted(mine):
        ax.add_artist(PathPatch(mine[code], zorder=0.4, gid="boundary", **BOUNDARY_STYLE))
    shown = [path for path in others if reaches(path, frame)]
    if shown:
        style = OTHER_BOUNDARY_STYLE
        ax.add_artist(
            PathCollection(shown, facecolors=style["facecolor"], edgecolors=style["edgecolor"],
                           linewidths=style["linewidth"], zorder=0.3, gid="boundary-other",
                           transform=ax.transData)
        )  # fmt: skip
    return bool(shown)
