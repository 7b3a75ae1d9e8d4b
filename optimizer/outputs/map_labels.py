"""Placing the map's names where they hide no marker and no other name.

A small greedy routine, deterministic by construction: the labels are placed one after
the other in the order given; each tries eight positions around its anchor (above,
right, below, left, then the diagonals) on rings further and further out, measures the
text's box with the renderer, and keeps the first box that overlaps no placed label, no
obstacle and stays inside the axes, or else the box with the least weighted overlap
(the first of equals). A label set off its first ring gets a thin leader to its anchor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Annotation, Text

__all__ = ["Label", "Box", "place_labels", "overlap", "text_box"]

Box = tuple[float, float, float, float]
"""A rectangle in display pixels: x0, y0, x1, y1."""

HAlign = Literal["left", "center", "right"]
VAlign = Literal["bottom", "center", "top"]
DIRECTIONS: tuple[tuple[int, int, HAlign, VAlign], ...] = (
    (0, 1, "center", "bottom"),
    (1, 0, "left", "center"),
    (0, -1, "center", "top"),
    (-1, 0, "right", "center"),
    (1, 1, "left", "bottom"),
    (-1, 1, "right", "bottom"),
    (1, -1, "left", "top"),
    (-1, -1, "right", "top"),
)
"""Unit direction (x, y) from the anchor and the text's alignment towards it."""
RINGS_PT = (2.0, 12.0, 24.0, 38.0)
"""Gap [pt] between the anchor's clearance circle and the label, ring by ring."""
LABEL_WEIGHT, OUTSIDE_WEIGHT = 10.0, 20.0
"""The cost of a px² shared with a placed label, and of one outside the axes."""
PAD_PX = 2.0
"""Margin kept around a label's text [px] (its white box)."""


@dataclass(frozen=True)
class Label:
    """A name to place: its text, its anchor (data coordinates) and the radius [pt]
    around the anchor it keeps clear (the circle it names)."""

    text: str
    xy: tuple[float, float]
    clearance_pt: float = 0.0


def overlap(a: Box, b: Box) -> float:
    """The area [px²] two boxes share."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def text_box(text: Annotation, renderer: RendererBase) -> Box:
    """The box [px] of an annotation's text with its margin (its leader left out)."""
    text.update_positions(renderer)
    extent = Text.get_window_extent(text, renderer)
    return (extent.x0 - PAD_PX, extent.y0 - PAD_PX, extent.x1 + PAD_PX, extent.y1 + PAD_PX)


def _shared(box: Box, boxes: np.ndarray) -> np.ndarray:
    """The area [px²] ``box`` shares with each row (x0, y0, x1, y1) of ``boxes``."""
    width = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    height = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def _cost(
    box: Box, placed: list[Box], obstacles: np.ndarray, weights: np.ndarray, frame: Box
) -> float:
    outside = (box[2] - box[0]) * (box[3] - box[1]) - overlap(box, frame)
    labels = sum(overlap(box, other) for other in placed)
    return float(
        LABEL_WEIGHT * labels + np.dot(weights, _shared(box, obstacles)) + OUTSIDE_WEIGHT * outside
    )


def place_labels(
    ax: Axes,
    labels: Sequence[Label],
    obstacles: Sequence[Box],
    renderer: RendererBase,
    weights: Sequence[float] | None = None,
    **text: Any,
) -> list[Annotation]:
    """Annotate ``ax`` with each label at the best of its candidate positions.

    ``obstacles`` are the boxes [px] of what a label should not hide (markers, lines),
    each with its weight (the cost of a px² hidden; 1 by default); ``text``
    holds the keyword arguments of :meth:`matplotlib.axes.Axes.annotate` for the text's
    look. The axes' limits and the figure's size must be final. Returns the annotations
    in the order of ``labels``.
    """
    extent = ax.get_window_extent(renderer)
    frame = (extent.x0, extent.y0, extent.x1, extent.y1)
    boxes = np.array(obstacles, dtype=float).reshape(-1, 4)
    weight = np.ones(len(boxes)) if weights is None else np.asarray(weights, dtype=float)
    placed: list[Box] = []
    drawn = []
    for label in labels:
        trial = ax.annotate(label.text, label.xy, xytext=(0, 0), textcoords="offset points", **text)
        best: tuple[float, int, tuple[float, float], HAlign, VAlign] | None = None
        for ring, gap in enumerate(RINGS_PT):
            distance = label.clearance_pt + gap
            for dx, dy, ha, va in DIRECTIONS:
                scale = distance / math.hypot(dx, dy)
                offset = (dx * scale, dy * scale)
                trial.xyann = offset
                trial.set_horizontalalignment(ha)
                trial.set_verticalalignment(va)
                cost = _cost(text_box(trial, renderer), placed, boxes, weight, frame)
                if best is None or cost < best[0]:
                    best = (cost, ring, offset, ha, va)
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        trial.remove()
        assert best is not None
        _, ring, offset, ha, va = best
        leader = (
            {"arrowstyle": "-", "color": "#78909c", "linewidth": 0.6, "shrinkA": 0,
             "shrinkB": label.clearance_pt}
            if ring > 0 else None
        )  # fmt: skip
        annotation = ax.annotate(
            label.text, label.xy, xytext=offset, textcoords="offset points", ha=ha, va=va,
            arrowprops=leader, **text,
        )  # fmt: skip
        placed.append(text_box(annotation, renderer))
        drawn.append(annotation)
    return drawn
