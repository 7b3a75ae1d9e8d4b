"""Reading a run folder back: ``load_run(folder)`` for notebooks that compare runs.

A completed run folder holds ``solution.json`` (the plan's tables keyed by the user's
ids) and ``manifest.json`` (status, gap, settings, inputs' sha256, timings, the output
files). :func:`load_run` turns them into the same tables a fresh
:class:`optimizer.results.solution.Solution` carries, so that two runs, or a run and a
new solve, can be compared with pandas::

    from optimizer import load_run

    before = load_run("reports/20260401-093005-base")
    after = load_run("reports/20260401-101512-ageing")
    before.figures["cost_after"] - after.figures["cost_after"]
    before.facilities["decision"].compare(after.facilities["decision"])

Numbers come back as ``solution.json`` states them (12 significant digits); ``null``
comes back as NaN in a numeric column.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.errors import OptimizerError
from optimizer.results.accounting import COST_PARTS

__all__ = ["RunRecord", "load_run", "plan_figures", "TABLE_COLUMNS"]

SOLUTION_NAME = "solution.json"
MANIFEST_NAME = "manifest.json"

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "facilities": (
        "id",
        "name",
        "type",
        "municipality",
        "is_candidate",
        "status",
        "decision",
        "open",
        "capacity",
        "served",
        "utilisation",
        "annual_cost",
    ),
    "flows": (
        "municipality",
        "facility",
        "type",
        "host",
        "share",
        "demand",
        "distance_km",
        "travel_cost",
        "unit_cost",
        "payment",
    ),
    "point_flows": ("point", "municipality", "facility", "share", "distance_km", "demand"),
    "agreements": ("a", "b"),
    "unserved": (
        "point",
        "municipality",
        "type",
        "demand",
        "share",
        "nearest_facility",
        "nearest_distance_km",
        "reason",
        "reason_text",
    ),
    "municipal_costs": ("code", "standalone_cost", *COST_PARTS, "plan_cost", "saving"),
}
"""The columns of each table of ``solution.json`` (used when a table is empty, where the
file holds no row to name them)."""

_TEXT_COLUMNS = {
    "id",
    "name",
    "type",
    "municipality",
    "status",
    "decision",
    "facility",
    "host",
    "point",
    "a",
    "b",
    "nearest_facility",
    "reason",
    "reason_text",
    "code",
}
_INDEX = {"facilities": "id", "municipal_costs": "code"}


@dataclass(frozen=True)
class RunRecord:
    """A run folder read back (:func:`load_run`).

    Attributes
    ----------
    folder
        The run folder.
    manifest
        ``manifest.json`` as a dict: scenario, overrides, input sha256, versions,
        settings, timings per stage [s], status, gap, warnings, the output files.
    outcome
        The solve's outcome from ``solution.json``: ``status``, ``objective``,
        ``bound``, ``gap``, ``solver``, ``message``.
    objective
        The plan's annual cost recomputed from its tables [yen/year].
    facilities, flows, point_flows, agreements, unserved, municipal_costs
        The tables of :class:`optimizer.results.solution.Solution`, with the same
        columns; ``facilities`` indexed by facility id, ``municipal_costs`` by code.
    """

    folder: Path
    manifest: dict
    outcome: dict
    objective: float
    facilities: pd.DataFrame
    flows: pd.DataFrame
    point_flows: pd.DataFrame
    agreements: pd.DataFrame
    unserved: pd.DataFrame
    municipal_costs: pd.DataFrame

    @property
    def status(self) -> str:
        """The solve's status (``optimal``, ``feasible``, ...)."""
        return str(self.outcome.get("status") or self.manifest.get("status") or "")

    @property
    def figures(self) -> dict[str, Any]:
        """The headline figures (:func:`plan_figures`) with the solve's status and gap."""
        return {
            "status": self.status,
            "gap": _number(self.outcome.get("gap")),
            **plan_figures(self.facilities, self.municipal_costs, self.agreements, self.unserved),
        }


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def plan_figures(
    facilities: pd.DataFrame,
    municipal_costs: pd.DataFrame,
    agreements: pd.DataFrame,
    unserved: pd.DataFrame,
) -> dict[str, Any]:
    """The headline figures of a plan from its tables.

    ``cost_before`` (every municipality alone: the sum of the stand-alone optima),
    ``cost_after`` (the plan: the sum of the municipalities' plan costs), ``saving``
    [yen/year] and ``saving_pct`` (None when the cost before is 0 or unknown);
    ``facilities`` (how many are kept, closed, built, not built), ``agreements``
    (how many pairs) and ``unserved_demand`` [capacity unit].
    """
    before = float(municipal_costs["standalone_cost"].sum()) if len(municipal_costs) else 0.0
    after = float(municipal_costs["plan_cost"].sum()) if len(municipal_costs) else 0.0
    saving = before - after
    decisions = facilities["decision"].astype(str) if len(facilities) else pd.Series(dtype=str)
    return {
        "cost_before": before,
        "cost_after": after,
        "saving": saving,
        "saving_pct": saving / before * 100 if before and math.isfinite(before) else None,
        "facilities": {
            d: int((decisions == d).sum()) for d in ("keep", "close", "build", "not_built")
        },
        "agreements": len(agreements),
        "unserved_demand": float(unserved["demand"].sum()) if len(unserved) else 0.0,
    }


def _read_json(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise OptimizerError(
            f"{path.parent} is not a completed run folder: {path.name} is missing",
            ja=f"{path.parent} は完了した実行フォルダではありません（{path.name} がありません）",
        ) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OptimizerError(
            f"cannot read {path}: {exc}", ja=f"{path} を読み込めません（{exc}）"
        ) from exc
    if not isinstance(document, dict):
        raise OptimizerError(
            f"cannot read {path}: not a JSON object",
            ja=f"{path} を読み込めません（形式が違います）",
        )
    return document


def _table(name: str, records: object) -> pd.DataFrame:
    """A table of ``solution.json`` as a DataFrame: its columns (in the documented order
    when it is empty), ids as text, numbers as floats with NaN for ``null``."""
    rows = records if isinstance(records, list) else []
    known = TABLE_COLUMNS.get(name, ())
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=list(known))
    frame = frame[[c for c in known if c in frame] + [c for c in frame if c not in known]]
    for column in frame.columns:
        values = frame[column]
        if column in _TEXT_COLUMNS:
            continue
        present = values.dropna()
        if values.isna().all() or all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in present
        ):
            frame[column] = pd.to_numeric(values, errors="coerce").astype(float)
        elif all(isinstance(v, bool) for v in present):
            frame[column] = values.astype(bool)
    index = _INDEX.get(name)
    if index and index in frame.columns:
        frame = frame.set_index(index)
        frame.index = frame.index.astype(str)
    return frame


def load_run(folder: Path | str) -> RunRecord:
    """Read a completed run folder back into tables (:class:`RunRecord`).

    Raises
    ------
    OptimizerError
        The folder has no ``solution.json`` or no ``manifest.json`` (not a completed
        run), or one of them is not readable JSON.
    """
    folder = Path(folder)
    manifest = _read_json(folder / MANIFEST_NAME)
    document = _read_json(folder / SOLUTION_NAME)
    tables = {name: _table(name, document.get(name)) for name in TABLE_COLUMNS}
    objective = _number(document.get("objective"))
    return RunRecord(
        folder=folder,
        manifest=manifest,
        outcome=dict(document.get("outcome") or {}),
        objective=objective if objective is not None else math.nan,
        facilities=tables["facilities"],
        flows=tables["flows"],
        point_flows=tables["point_flows"],
        agreements=tables["agreements"],
        unserved=tables["unserved"],
        municipal_costs=tables["municipal_costs"],
    )
