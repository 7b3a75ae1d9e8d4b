"""Scale benchmark: synthetic areas of growing size through every stage.

Usage::

    python benchmarks/scale.py                      # the five default sizes
    python benchmarks/scale.py --sizes 10/100 30/500 --seed 1
    nice -n 10 python benchmarks/scale.py --sizes 200/5000 > scale.log 2>&1 &

For each size ``municipalities/facilities`` a fresh Python process (so that memory
peaks do not carry over) times, in seconds:

``prepare``  draw the area (:func:`optimizer.sources.synthetic.synthetic_tables`), write it as an
             input workbook (``write_workbook``), read it back and validate it
             (``load_problem``);
``alone``    the stand-alone solves, one per municipality, for the fairness rule
             (``optimizer.solving.standalone.standalone_costs``, timed on its own and then
             handed to ``solve_problem``);
``build``    build the integer program (``SolveOutcome.build_seconds``);
``solve``    the solver itself (``SolveOutcome.seconds``);
``stage``    the whole ``solve_problem`` call: arcs, build, solve, reading the plan
             and the independent check;
``check``    the independent check once more, on its own;
``report``   cost allocation (Shapley off), agreement terms, map and report.xlsx.

It also prints the peak resident memory of the process and its children [MiB]
(``ru_maxrss``), the objective, solver status and gap, and whether the aims of
docs/architecture.md hold (performance aims): a 0.1 % gap within 2 minutes (stand-alone solves plus the solve
stage) and the build under 10 % of the solve.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchutil import fmt, peak_mib, stage_seconds, status_text, use_repository

use_repository()

__all__ = ["DEFAULT_SIZES", "measure", "main"]

DEFAULT_SIZES = ("10/100", "30/500", "60/1000", "100/2000", "200/5000")
GAP_TARGET = 0.001
TIME_TARGET_S = 120.0
BUILD_SHARE_TARGET = 0.10

log = logging.getLogger("benchmarks.scale")


def _report_seconds(problem, solution, folder: Path, processes: int) -> float | None:
    """Allocation (Shapley off), agreement terms, map (when installed) and report.xlsx.

    ``None`` when the allocation, terms or report module is not installed.
    """
    try:
        from optimizer.outputs.report import write_report
        from optimizer.sharing.allocation import allocate
        from optimizer.sharing.terms import agreement_terms
    except ImportError as exc:
        log.warning("report stage skipped: %s", exc)
        return None
    start = time.perf_counter()
    allocation = allocate(problem, solution, shapley="off", processes=processes)
    agreement_terms(problem, solution, allocation)
    map_png = _draw_map(folder / "map.png", problem, solution)
    run_info = {
        "scenario": "scale",
        "overrides": [],
        "input_name": "area.xlsx",
        "input_sha256": problem.source.get("sha256", ""),
        "versions": {},
        "settings": {},
    }
    write_report(folder / "report.xlsx", problem, solution, allocation, run_info=run_info,
                 map_png=map_png)  # fmt: skip
    return time.perf_counter() - start


def _draw_map(path: Path, problem, solution) -> Path | None:
    try:
        from optimizer.outputs.maps import draw_map
    except ImportError:
        log.warning("map skipped: optimizer.outputs.maps is not installed")
        return None
    return draw_map(path, problem, solution)


def _check_seconds(problem, solution) -> float:
    from optimizer.results.check import assert_valid

    start = time.perf_counter()
    assert_valid(problem, solution)
    return time.perf_counter() - start


def measure(
    n_municipalities: int,
    n_facilities: int,
    seed: int,
    time_limit_s: float,
    processes: int,
    fairness: bool = True,
) -> dict:
    """Run every stage once for one size, in this process; return the figures.

    A solve that ends without a plan is a row too (status ``no plan``, no objective).
    """
    from optimizer.errors import OptimizerError
    from optimizer.outputs.workbooks import write_workbook
    from optimizer.solving.solve import SolverSettings, solve_problem
    from optimizer.solving.standalone import standalone_costs
    from optimizer.sources.synthetic import synthetic_tables
    from optimizer.workbook.assemble import load_problem

    row: dict = {
        "size": f"{n_municipalities}/{n_facilities}",
        "seed": seed,
        "fairness": fairness,
        **dict.fromkeys(("alone", "build", "solve", "check", "report", "objective", "gap")),
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        tables = synthetic_tables(n_municipalities, n_facilities, seed)
        write_workbook(tables, folder / "area.xlsx")
        problem, _warnings = load_problem(folder / "area.xlsx")
        row["prepare"] = time.perf_counter() - start
        if not fairness:
            problem = problem.replace(parameters=problem.parameters.replace(fairness=False))

        settings = SolverSettings(solver="highs", time_limit_s=time_limit_s, mip_gap=GAP_TARGET)
        standalone = None
        if fairness:
            start = time.perf_counter()
            standalone = standalone_costs(problem, settings, processes=processes)
            row["alone"] = time.perf_counter() - start
        start = time.perf_counter()
        try:
            solution = solve_problem(problem, settings, standalone=standalone, processes=processes)
        except OptimizerError as exc:
            row["solve_stage"] = time.perf_counter() - start
            row["status"] = f"no plan: {exc}"[:120]
            row["peak_mib"] = peak_mib()
            return row
        row["solve_stage"] = time.perf_counter() - start
        outcome = solution.outcome
        row.update(stage_seconds(outcome))
        row["check"] = _check_seconds(problem, solution)
        row["report"] = _report_seconds(problem, solution, folder, processes)
    row.update(
        status=status_text(outcome.status),
        objective=float(outcome.objective),
        gap=float(outcome.gap),
        peak_mib=peak_mib(),
    )
    return row


def _aims(row: dict) -> str:
    """Which performance aims (docs/architecture.md) hold for this size."""
    notes = []
    if row["objective"] is None:
        return "no plan"
    gap_ok = row["gap"] is not None and row["gap"] <= GAP_TARGET + 1e-12
    notes.append(f"gap {'≤' if gap_ok else '>'} 0.1 %")
    total = (row["alone"] or 0.0) + row["solve_stage"]
    notes.append(f"alone + stage {'≤' if total <= TIME_TARGET_S else '>'} 2 min")
    if row["build"] is not None and row["solve"]:
        share = row["build"] / row["solve"]
        notes.append(f"build/solve {share:.0%}")
    return ", ".join(notes)


def format_table(rows: list[dict]) -> str:
    """The measured rows as Markdown."""
    head = (
        "| size | prepare s | alone s | build s | solve s | stage s | check s | report s | peak MiB "
        "| objective [yen/yr] | status | gap | aims |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|"
    )
    lines = [
        f"| {r['size']}{'' if r.get('fairness', True) else ' (fairness off)'} | {r['prepare']:.1f} | {fmt(r['alone'], '.1f')} | {fmt(r['build'], '.1f')} "
        f"| {fmt(r['solve'], '.1f')} | {r['solve_stage']:.1f} | {fmt(r['check'], '.2f')} | {fmt(r['report'], '.1f')} "
        f"| {r['peak_mib']:.0f} | {fmt(r['objective'], ',.0f')} | {r['status']} "
        f"| {fmt(None if r['gap'] is None else 100 * r['gap'], '.3f')} % | {_aims(r)} |"
        for r in rows
    ]
    return "\n".join([head, *lines])


def _parse_size(text: str) -> tuple[int, int]:
    try:
        municipalities, facilities = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"size {text!r} is not municipalities/facilities"
        ) from None
    return municipalities, facilities


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time every stage on synthetic areas of growing size.",
        epilog="Example: python benchmarks/scale.py --sizes 10/100 30/500 --seed 1",
    )
    parser.add_argument(
        "--sizes",
        nargs="+",
        type=_parse_size,
        default=[_parse_size(s) for s in DEFAULT_SIZES],
        help=f"municipalities/facilities (default: {' '.join(DEFAULT_SIZES)})",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic areas")
    parser.add_argument(
        "--time-limit", type=float, default=TIME_TARGET_S, help="solver seconds per size"
    )
    parser.add_argument(
        "--processes", type=int, default=2, help="worker processes for stand-alone solves"
    )
    parser.add_argument(
        "--no-fairness",
        action="store_true",
        help="solve without the fairness rule (no stand-alone solves)",
    )
    parser.add_argument(
        "--child-timeout",
        type=float,
        default=None,
        help="seconds after which a size is abandoned (default: 4 × time limit + 300)",
    )
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # child mode
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Measure each size in a child process and print the table (0 when all ran)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parse_args(argv)
    if args.one:
        ((n, f),) = args.sizes
        row = measure(n, f, args.seed, args.time_limit, args.processes, not args.no_fairness)
        print(json.dumps(row))
        return 0
    rows, failed = [], []
    for n, f in args.sizes:
        command = [
            sys.executable,
            __file__,
            "--one",
            "--sizes",
            f"{n}/{f}",
            "--seed",
            str(args.seed),
            "--time-limit",
            str(args.time_limit),
            "--processes",
            str(args.processes),
            *(["--no-fairness"] if args.no_fairness else []),
        ]
        timeout = args.child_timeout or 4 * args.time_limit + 300
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            failed.append(f"{n}/{f}")
            print(f"{n}/{f}: abandoned after {timeout:.0f} s", file=sys.stderr, flush=True)
            continue
        if done.returncode != 0:
            failed.append(f"{n}/{f}")
            print(f"{n}/{f} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(format_table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(format_table(rows))
    if failed:
        print("failed or abandoned: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
