"""Scenario comparison and parameter sweeps.

Each scenario (or sweep point) is one run of the pipeline in its own process; what
comes back is a small :class:`ScenarioResult`, so results travel cheaply between
processes or machines. Any :class:`concurrent.futures.Executor` runs them: a local
process pool by default, a Dask distributed cluster through
``distributed.Client(address).get_executor()``.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import random
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from optimizer.config import RunSettings, default_processes
from optimizer.errors import OptimizerError, ScenarioError

__all__ = [
    "ScenarioResult",
    "summarise",
    "run_scenario",
    "run_many",
    "comparison_tables",
    "write_comparison",
    "write_tables",
    "grid_points",
    "random_points",
    "parse_axis",
    "sweep_table",
    "executor_for",
]

log = logging.getLogger(__name__)

DECISIONS = ("keep", "close", "build")


@dataclass(frozen=True)
class ScenarioResult:
    """The figures of one solved scenario that a comparison needs.

    Money in yen/year; distances in km. ``error`` is set (and the figures empty) when
    the scenario could not be solved; ``point`` holds a sweep point's overrides.
    """

    name: str
    status: str = ""
    folder: str | None = None
    objective: float = float("nan")
    gap: float | None = None
    cost_before: float = float("nan")
    cost_after: float = float("nan")
    unserved_demand: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    agreements: tuple[str, ...] = ()
    worst_distance_km: dict[str, float] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)
    point: dict[str, object] = field(default_factory=dict)
    error: str | None = None

    @property
    def saving(self) -> float:
        return self.cost_before - self.cost_after


def summarise(name: str, result, point: dict | None = None) -> ScenarioResult:
    """Reduce a :class:`optimizer.runs.pipeline.RunResult` to a :class:`ScenarioResult`."""
    problem, solution = result.problem, result.solution
    fac = solution.facilities
    counts = {
        f"{k}.{d}": int(((fac["type"] == k) & (fac["decision"] == d)).sum())
        for k in problem.types
        for d in DECISIONS
    }
    flows = solution.flows
    worst = flows.groupby("type")["distance_km"].max() if len(flows) else pd.Series()
    names = problem.municipalities["name"]
    agreements = tuple(
        f"{names[a]}–{names[b]}"
        for a, b in zip(solution.agreements["a"], solution.agreements["b"], strict=True)
    )
    costs = solution.municipal_costs
    return ScenarioResult(
        name=name,
        status=solution.outcome.status.value,
        folder=str(result.folder) if result.folder else None,
        objective=float(solution.objective),
        gap=solution.outcome.gap,
        cost_before=float(costs["standalone_cost"].sum()),
        cost_after=float(costs["plan_cost"].sum()),
        unserved_demand=float(solution.unserved["demand"].sum()) if len(solution.unserved) else 0.0,
        counts=counts,
        agreements=agreements,
        worst_distance_km={k: float(worst.get(k, float("nan"))) for k in problem.types},
        decisions={str(j): str(d) for j, d in fac["decision"].items()},
        point=dict(point or {}),
    )


def run_scenario(
    workbook: Path, settings: RunSettings, point: dict | None = None
) -> ScenarioResult:
    """Run one scenario (top-level, so that process pools and Dask can pickle it).

    Errors the user can act on come back as a result with ``error`` set, so that one
    bad scenario does not stop a comparison or a sweep. A sweep point's number (its
    ``"#"`` entry) is added to the result's name.
    """
    from optimizer.runs.pipeline import run

    point = dict(point or {})
    name = f"{settings.scenario} #{point['#']}" if "#" in point else settings.scenario
    try:
        return summarise(name, run(workbook, settings), point)
    except OptimizerError as exc:
        return ScenarioResult(name=name, status="error", error=str(exc), point=point)


def run_many(
    workbook: Path,
    runs: Sequence[tuple[RunSettings, dict | None]],
    executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ScenarioResult]:
    """Run several scenarios through an executor; results in the order of ``runs``."""
    if executor is None:
        with executor_for(None, len(runs)) as pool:
            return run_many(workbook, runs, pool, progress)
    futures = {
        executor.submit(run_scenario, Path(workbook), settings, point): index
        for index, (settings, point) in enumerate(runs)
    }
    results: list[ScenarioResult | None] = [None] * len(runs)
    for done, future in enumerate(as_completed(futures), start=1):
        result = future.result()
        results[futures[future]] = result
        if progress:
            progress(f"{done}/{len(runs)} {result.name}: {result.status}")
    return [r for r in results if r is not None]


@contextmanager
def executor_for(
    scheduler: str | None, jobs: int, connect_timeout_s: float = 10.0
) -> Iterator[Executor]:
    """A process pool on this machine, or a Dask cluster's executor at ``scheduler``.

    Parameters
    ----------
    scheduler
        Address of a Dask scheduler (``tcp://host:8786``); ``None`` for local processes.
    jobs
        Runs to come: the local pool has ``min(jobs, cores)`` workers.
    connect_timeout_s
        How long to try to reach the scheduler [s].

    Raises
    ------
    OptimizerError
        ``distributed`` is not installed, or the scheduler cannot be reached.
    """
    if scheduler:
        try:
            from distributed import Client
        except ImportError as exc:
            raise OptimizerError(
                "--scheduler needs the 'distributed' package: pip install '.[distributed]'"
            ) from exc
        try:
            client = Client(scheduler, timeout=connect_timeout_s)
        except (OSError, TimeoutError) as exc:
            raise OptimizerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        with client:
            yield client.get_executor()
        return
    workers = max(1, min(jobs, default_processes()))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield pool


def comparison_tables(results: Sequence[ScenarioResult]) -> dict[str, pd.DataFrame]:
    """The comparison workbook's tables: one row per scenario, and what differs.

    ``scenarios``: status, costs, saving, counts per type and decision, agreements,
    worst access distance per type, gap. ``differences``: facilities whose decision
    is not the same in every scenario (one column per scenario). ``agreements``:
    each pair and the scenarios that have it.
    """
    rows = []
    for r in results:
        row = {
            "scenario": r.name,
            "status": r.status,
            "cost_before": r.cost_before,
            "cost_after": r.cost_after,
            "saving": r.saving,
            "saving_pct": (r.saving / r.cost_before * 100) if r.cost_before else float("nan"),
            "agreements": len(r.agreements),
            "unserved_demand": r.unserved_demand,
            "gap": r.gap,
            **{f"n_{key}": value for key, value in r.counts.items()},
            **{f"worst_km_{k}": v for k, v in r.worst_distance_km.items()},
            **{f"set {k}": v for k, v in r.point.items() if k != "#"},
            "folder": r.folder or "",
            "error": r.error or "",
        }
        rows.append(row)
    scenarios = pd.DataFrame(rows)
    solved = [r for r in results if r.error is None]
    decisions = pd.DataFrame({r.name: pd.Series(r.decisions) for r in solved})
    if len(decisions.columns) > 1:
        differs = decisions.nunique(axis=1, dropna=False) > 1
        differences = decisions[differs].rename_axis("facility").reset_index()
    else:
        differences = pd.DataFrame(columns=["facility", *decisions.columns])
    pairs = sorted({p for r in solved for p in r.agreements})
    agreements = pd.DataFrame(
        {"agreement": pairs, **{r.name: [p in r.agreements for p in pairs] for r in solved}}
    )
    return {"scenarios": scenarios, "differences": differences, "agreements": agreements}


MONEY_COLUMNS = ("cost_before", "cost_after", "saving")
"""Columns in yen, shown in 千円 (thousands of yen) in the workbooks."""


def write_tables(
    path: Path,
    tables: dict[str, pd.DataFrame],
    money_columns: Sequence[str] = MONEY_COLUMNS,
    chart: Callable | None = None,
) -> Path:
    """Write tables as sheets of one workbook, atomically, every string as text.

    Yen columns (``money_columns``) are shown in 千円. ``chart(book)``, when given, may
    add charts before the workbook is closed. The workbook's creation date is fixed, so
    the same tables give the same file.
    """
    import xlsxwriter

    from optimizer.outputs.files import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True})
        book.set_properties({"created": pd.Timestamp("2000-01-01").to_pydatetime()})
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True})
        money = book.add_format({"num_format": '#,##0,;[Red]"△"#,##0,'})
        for sheet_name, frame in tables.items():
            sheet = book.add_worksheet(sheet_name)
            for col, name in enumerate(frame.columns):
                sheet.write_string(0, col, str(name), header)
                width = max(10, min(40, len(str(name)) + 2))
                sheet.set_column(col, col, width, money if name in money_columns else None)
                for row, value in enumerate(frame[name].tolist(), start=1):
                    _write_cell(sheet, row, col, value)
            sheet.freeze_panes(1, 1)
        if chart is not None:
            chart(book)
        book.close()
    return path


def write_comparison(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write the comparison workbook (atomically), with a chart of cost per scenario."""
    return write_tables(path, tables, chart=lambda book: _cost_chart(book, tables["scenarios"]))


def _cost_chart(book, scenarios: pd.DataFrame) -> None:
    """Columns of the cost before and after per scenario, under the scenarios table."""
    n = len(scenarios)
    if not n:
        return
    chart = book.add_chart({"type": "column"})
    for label in ("cost_before", "cost_after"):
        col = list(scenarios.columns).index(label)
        chart.add_series(
            {
                "name": ["scenarios", 0, col],
                "categories": ["scenarios", 1, 0, n, 0],
                "values": ["scenarios", 1, col, n, col],
            }
        )
    chart.set_title({"name": "Annual cost per scenario (千円)"})
    chart.set_y_axis({"num_format": "#,##0,"})
    book.get_worksheet_by_name("scenarios").insert_chart(n + 3, 0, chart)


def _write_cell(sheet, row: int, col: int, value) -> None:
    """Numbers as numbers, everything else as text (never a formula)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, float(value))
    else:
        sheet.write_string(row, col, str(value))


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
