"""Pipeline speed on the embedded sample: the time of each stage of ``optimizer solve``.

Usage::

    python benchmarks/pipeline_speed.py                       # inputs/sample.xlsx, defaults
    python benchmarks/pipeline_speed.py --shapley exact       # every coalition solved
    python benchmarks/pipeline_speed.py --workbook other.xlsx --processes 1

Runs :func:`optimizer.runs.pipeline.run` once with :class:`optimizer.config.RunSettings`
(outputs written to a temporary folder, discarded afterwards) and prints
``RunResult.timings`` [s] stage by stage, the solver's own build and solve seconds, the
plan's status, objective and gap, how the Shapley value was computed, and whether the
whole run stayed within the 10-second aim (docs/architecture.md, performance aims).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from benchutil import ROOT, fmt, status_text, use_repository

use_repository()

__all__ = ["TIME_TARGET_S", "measure", "main"]

TIME_TARGET_S = 10.0
"""Performance aim (docs/architecture.md): the whole pipeline on the sample area within this many seconds."""

log = logging.getLogger("benchmarks.pipeline_speed")


def measure(workbook: Path, shapley: str, processes: int | None) -> dict:
    """Run the pipeline once; its stage timings [s] and the plan's outcome."""
    from optimizer.config import RunSettings
    from optimizer.runs.pipeline import run

    with tempfile.TemporaryDirectory(prefix="pipeline-speed-") as folder:
        settings = RunSettings(output_root=Path(folder), shapley=shapley, processes=processes)
        start = time.perf_counter()
        result = run(workbook, settings)
        total = time.perf_counter() - start
    outcome = result.solution.outcome
    notes = result.allocation.notes if result.allocation is not None else {}
    return {
        "timings": dict(result.timings),
        "total": total,
        "status": status_text(outcome.status),
        "objective": float(outcome.objective),
        "gap": float(outcome.gap),
        "build": float(outcome.build_seconds),
        "solve": float(outcome.seconds),
        "shapley": notes.get("shapley", ""),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbook", type=Path, default=ROOT / "inputs" / "sample.xlsx")
    parser.add_argument("--shapley", default="auto", choices=("auto", "exact", "sampled", "off"))
    parser.add_argument("--processes", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # the run log lowers the package's level
        handler.setLevel(logging.WARNING)

    found = measure(args.workbook, args.shapley, args.processes)
    print(f"workbook {args.workbook.name}, shapley {args.shapley}")
    for stage, seconds in found["timings"].items():
        print(f"  {stage:<10} {fmt(seconds, '8.2f')} s")
    print(f"  {'total':<10} {fmt(found['total'], '8.2f')} s")
    print(
        f"joint model: build {found['build']:.2f} s, solve {found['solve']:.2f} s, "
        f"{found['status']}, objective {found['objective']:,.0f} yen/year, "
        f"gap {found['gap']:.4%}"
    )
    if found["shapley"]:
        print(found["shapley"])
    met = found["total"] <= TIME_TARGET_S
    print(f"aim: whole pipeline ≤ {TIME_TARGET_S:g} s: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
