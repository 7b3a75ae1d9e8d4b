"""The Tama case (多摩地域, 30 municipalities) end to end: load, solve, check.

Usage::

    nice -n 10 python benchmarks/tama.py --time-limit 300 > tama.log 2>&1 &
    python benchmarks/tama.py --community-rooms      # every 公民館 / 集会施設 too (~1,500 sites)

Loads ``../shared/data/real/case-tama`` through :func:`optimizer.sources.opendata.tama_problem`
(the validator included), solves it with the workbook's parameters (fairness on,
agreement fixed cost 2 M yen/year) under a time limit, re-runs the independent check,
and prints:

* the figures: municipalities, facilities per type, who runs the care facilities, the
  elderly-care planning areas (老人福祉圏域) and their care floors, the defaults that were
  filled, seconds per stage, peak memory, status, objective, gap;
* the plan: facilities kept / closed / built per type, the agreements, and the area's
  annual cost before (each municipality alone) and after (the plan), with the
  municipalities that save most.

Operators — the rule (:func:`optimizer.sources.opendata.care_operators`): a care facility
is private (社会福祉法人, 医療法人 …) unless its name contains 市立, 町立 or 村立; libraries
and halls are municipal. A private facility stays open whatever the plan and costs the
municipalities nothing. Each 老人福祉圏域 (``rofuku_keniki.csv``) keeps at least today's
care capacity (``area_floor_share`` 1.0); at most 90 % of a library's or hall's capacity
and 95 % of a care home's is planned (``max_utilisation``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import pandas as pd
from benchutil import ROOT, fmt, peak_mib, stage_seconds, status_text, use_repository

use_repository()

__all__ = ["main", "plan_summary"]

CASE_DIR = ROOT.parent / "shared" / "data" / "real" / "case-tama"
OKU = 100_000_000.0  # 1 億円 [yen]

log = logging.getLogger("benchmarks.tama")


def plan_summary(solution) -> pd.DataFrame:
    """Facilities per type and decision (keep / close / build / not_built)."""
    table = pd.crosstab(solution.facilities["type"], solution.facilities["decision"])
    return table.reindex(columns=["keep", "close", "build", "not_built"], fill_value=0)


def cost_table(solution) -> pd.DataFrame:
    """Per municipality: stand-alone cost, plan cost and saving [億円/year]."""
    costs = solution.municipal_costs[["standalone_cost", "plan_cost", "saving"]] / OKU
    return costs.sort_values("saving", ascending=False)


def _print_figures(problem, tables_info: pd.DataFrame, timings: dict, outcome) -> None:
    f = problem.facilities
    print(
        f"municipalities: {len(problem.municipalities)}; population "
        f"{int(problem.municipalities['population'].sum()):,}; 75+ "
        f"{int(problem.municipalities['population_75plus'].sum()):,}"
    )
    print(
        "facilities per type: " + ", ".join(f"{k} {v}" for k, v in f["type"].value_counts().items())
    )
    _print_care(problem)
    print("\nfilled defaults (type, subtype, column: filled of rows — rule):")
    for row in tables_info.itertuples():
        print(
            f"  {row.type:8s} {row.subtype:22s} {row.column:22s} {row.filled:4d} of {row.of:4d} — {row.rule}"
        )
    print("\nseconds: " + ", ".join(f"{k} {fmt(v, '.1f')}" for k, v in timings.items()))
    print(f"peak memory: {peak_mib():.0f} MiB")
    print(
        f"status {status_text(outcome.status)}; objective {outcome.objective / OKU:,.2f} 億円/year; "
        f"gap {fmt(None if outcome.gap is None else 100 * outcome.gap, '.3f')} %"
    )


def _print_care(problem) -> None:
    """Who runs the care facilities, and each planning area's care floor."""
    from optimizer.problem.rules import area_floors

    f = problem.facilities
    care = f[(f["type"] == "care") & ~f["is_candidate"]]
    operators = care["operator"].value_counts()
    print(
        f"care facilities: {operators.get('private', 0)} private, "
        f"{operators.get('municipal', 0)} municipal, {operators.get('prefecture', 0)} "
        "prefectural (rule: private unless the name contains 市立/町立/村立; a private "
        "facility stays open)"
    )
    u = problem.facility_types["max_utilisation"]
    print("max_utilisation: " + ", ".join(f"{k} {v:g}" for k, v in u.items()))
    floors = area_floors(problem)
    if len(floors):
        print("floors per 老人福祉圏域 (area, type, least capacity, municipalities):")
        for row in floors.itertuples():
            print(f"  {row.area:6s} {row.type:8s} {row.floor:8,.0f} ({len(row.members)})")


def _print_plan(solution) -> None:
    print("\nplan (facilities per type and decision):")
    print(plan_summary(solution).to_string())
    agreements = solution.agreements
    print(f"\nagreements: {len(agreements)}")
    if len(agreements):
        print(
            "  "
            + ", ".join(f"{a}–{b}" for a, b in zip(agreements["a"], agreements["b"], strict=True))
        )
    costs = cost_table(solution)
    before, after = costs["standalone_cost"].sum(), costs["plan_cost"].sum()
    print(
        f"\narea cost before (each alone): {before:,.2f} 億円/year; after (plan): {after:,.2f} 億円/year; "
        f"saving {before - after:,.2f} 億円/year ({(before - after) / before:.1%})"
    )
    worst = costs["saving"].idxmin()
    print(
        f"municipalities worse off than alone: {(costs['saving'] < 0).sum()} "
        f"(least saving: {worst}, {costs.loc[worst, 'saving'] * OKU:,.0f} yen/year)"
    )
    print("\nlargest savings [億円/year]:")
    print(costs.head(8).round(2).to_string())


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run the Tama case end to end and print the figures and the plan.",
        epilog="Example: nice -n 10 python benchmarks/tama.py --time-limit 300",
    )
    parser.add_argument("--case", type=Path, default=CASE_DIR, help="the case-tama folder")
    parser.add_argument(
        "--time-limit", type=float, default=300.0, help="solver seconds (default 300)"
    )
    parser.add_argument("--gap", type=float, default=0.001, help="relative MIP gap (default 0.001)")
    parser.add_argument(
        "--processes", type=int, default=2, help="worker processes for stand-alone solves"
    )
    parser.add_argument("--community-rooms", action="store_true",
                        help="also keep every 公民館 and 集会施設 as a hall")  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """0 when the plan was found and passed the check, 1 otherwise, 2 without the case."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parse_args(argv)
    if not args.case.is_dir():
        print(f"the Tama case is not at {args.case}", file=sys.stderr)
        return 2
    from optimizer.errors import OptimizerError
    from optimizer.results.check import assert_valid
    from optimizer.solving.solve import SolverSettings, solve_problem
    from optimizer.sources.opendata import tama_problem, tama_tables

    timings: dict[str, float | None] = {}
    start = time.perf_counter()
    problem = tama_problem(args.case, include_community_rooms=args.community_rooms)
    timings["load"] = time.perf_counter() - start
    assumptions = tama_tables(args.case, include_community_rooms=args.community_rooms)[
        "assumptions"
    ]
    settings = SolverSettings(solver="highs", time_limit_s=args.time_limit, mip_gap=args.gap)
    start = time.perf_counter()
    try:
        solution = solve_problem(problem, settings, processes=args.processes)
    except OptimizerError as exc:
        print(f"no plan: {exc}", file=sys.stderr)
        return 1
    timings["solve stage"] = time.perf_counter() - start
    timings.update(stage_seconds(solution.outcome))
    start = time.perf_counter()
    try:
        assert_valid(problem, solution)
    except OptimizerError as exc:
        print(f"the plan failed the check: {exc}", file=sys.stderr)
        return 1
    timings["check"] = time.perf_counter() - start
    _print_figures(problem, assumptions, timings, solution.outcome)
    _print_plan(solution)
    return 0


if __name__ == "__main__":
    sys.exit(main())
