"""Scenario comparison: runs of the pipeline side by side, on any executor.

Each scenario (or sweep point) is one run of the pipeline in its own process; what
comes back is a small :class:`ScenarioResult`, so results travel cheaply between
processes or machines. Any :class:`concurrent.futures.Executor` runs them: a local
process pool by default, a Dask distributed cluster through
``distributed.Client(address).get_executor()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from optimizer.config import RunSettings, default_processes
from optimizer.errors import OptimizerError
from optimizer.results.outcome import Status
from optimizer.runs.pipeline import RunResult, run
from optimizer.texts import Text

__all__ = [
    "ScenarioResult",
    "summarise",
    "run_scenario",
    "run_many",
    "comparison_tables",
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


def summarise(name: str, result: RunResult, point: dict | None = None) -> ScenarioResult:
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
    workbook: Path,
    settings: RunSettings,
    point: dict | None = None,
    boundaries: Path | None = None,
) -> ScenarioResult:
    """Run one scenario (top-level, so that process pools and Dask can pickle it).

    Errors the user can act on come back as a result with ``error`` set, so that one
    bad scenario does not stop a comparison or a sweep. A sweep point's number (its
    ``"#"`` entry) is added to the result's name. ``boundaries`` is the GeoJSON file of
    municipal boundaries for the run's map (see :func:`optimizer.runs.pipeline.run`).
    """
    point = dict(point or {})
    name = f"{settings.scenario} #{point['#']}" if "#" in point else settings.scenario
    try:
        return summarise(name, run(workbook, settings, boundaries=boundaries), point)
    except OptimizerError as exc:
        return ScenarioResult(name=name, status="error", error=str(exc), point=point)


def run_many(
    workbook: Path,
    runs: Sequence[tuple[RunSettings, dict | None]],
    executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
    boundaries: Path | None = None,
) -> list[ScenarioResult]:
    """Run several scenarios through an executor; results in the order of ``runs``
    (``boundaries``: the GeoJSON file of municipal boundaries for their maps)."""
    if executor is None:
        with executor_for(None, len(runs)) as pool:
            return run_many(workbook, runs, pool, progress, boundaries)
    futures = {
        executor.submit(run_scenario, Path(workbook), settings, point, boundaries): index
        for index, (settings, point) in enumerate(runs)
    }
    results: list[ScenarioResult | None] = [None] * len(runs)
    for done, future in enumerate(as_completed(futures), start=1):
        result = future.result()
        results[futures[future]] = result
        if progress:
            known = result.status in {s.value for s in Status}
            ja = Status(result.status).text("ja") if known else "エラー"
            progress(
                Text(
                    f"{done}/{len(runs)} {result.name}: {result.status}",
                    f"{done}/{len(runs)} {result.name}: {ja}",
                )
            )
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
            from distributed import Client  # optional extra, loaded only for a cluster
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
