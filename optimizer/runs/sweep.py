"""Parameter sweeps: points of a grid or a seeded random sample, one run each.

The runs go through :func:`optimizer.runs.compare.run_many` on any executor; each point
is the base settings plus its overrides, with no run folder and no Shapley values.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Sequence

import pandas as pd

from optimizer.config import RunSettings
from optimizer.errors import ScenarioError
from optimizer.runs.compare import ScenarioResult, comparison_tables

__all__ = ["parse_axis", "grid_points", "random_points", "sweep_settings", "sweep_table"]


def parse_axis(text: str) -> tuple[str, list[str]]:
    """``"parameters.agreement_fixed_cost=0,2000000"`` → (target, ["0", "2000000"])."""
    target, sep, values = text.partition("=")
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or not target.strip() or not items:
        raise ScenarioError(f"expected target=value1,value2,..., got {text!r}")
    return target.strip(), items


def grid_points(axes: Sequence[tuple[str, list[str]]]) -> list[dict[str, str]]:
    """Every combination of the axes' values (a full grid)."""
    targets = [t for t, _ in axes]
    return [
        dict(zip(targets, combo, strict=True))
        for combo in itertools.product(*(values for _, values in axes))
    ]


def random_points(
    axes: Sequence[tuple[str, list[str]]], n: int, seed: int = 0
) -> list[dict[str, str]]:
    """``n`` points drawn (seeded) from the axes.

    An axis given as two numbers ``low,high`` is sampled uniformly between them; an
    axis with other or more values is sampled from its values.
    """
    rng = random.Random(seed)
    points = []
    for _ in range(n):
        point = {}
        for target, values in axes:
            point[target] = _draw(rng, values)
        points.append(point)
    return points


def _draw(rng: random.Random, values: list[str]) -> str:
    if len(values) == 2:
        try:
            low, high = float(values[0]), float(values[1])
        except ValueError:
            return rng.choice(values)
        return f"{rng.uniform(low, high):.6g}"
    return rng.choice(values)


def sweep_settings(
    base: RunSettings, points: Sequence[dict[str, str]]
) -> list[tuple[RunSettings, dict]]:
    """One run per point: the base settings plus the point's overrides, no run folder."""
    runs = []
    for index, point in enumerate(points, start=1):
        overrides = base.overrides + tuple(f"{k}={v}" for k, v in point.items())
        settings = dataclasses.replace(
            base,
            scenario=base.scenario,
            overrides=overrides,
            write_outputs=False,
            documents=False,
            shapley="off",
            processes=1,
        )
        runs.append((settings, {"#": index, **point}))
    return runs


def sweep_table(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """One row per sweep point: the point's values and the plan's figures."""
    table = comparison_tables(results)["scenarios"]
    return table.drop(columns=["folder"], errors="ignore")
