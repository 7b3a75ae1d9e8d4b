"""The Tama case (多摩地域, 30 municipalities) end to end: load, solve, check, and ask.

Usage::

    nice -n 10 python benchmarks/tama.py > tama.log 2>&1 &          # residents at city halls
    nice -n 10 python benchmarks/tama.py --zones --grid-km 1        # 2,188 small areas, 1 km grid
    nice -n 10 python benchmarks/tama.py --zones --zones-per-municipality 20
    nice -n 10 python benchmarks/tama.py --zones                    # every small area its own point
    python benchmarks/tama.py --community-rooms                     # every 公民館 / 集会施設 too

Loads ``../shared/data/real/case-tama`` through :func:`optimizer.sources.opendata.tama_problem`
(the validator included): libraries, culture halls and the four care services as four
types (特養, 地域密着型特養, 老健, 介護医療院; ``--one-care-type`` for the older single
``care`` type), residents at their city hall or, with ``--zones``, in the census small
areas (町丁・字), merged by ``--grid-km`` and ``--zones-per-municipality``. Solves with
the workbook's parameters (fairness on, agreement fixed cost 2 M yen/year) under a time
limit, with the renewal baseline (``solve_problem(compare=True)``), re-runs the
independent check, and prints:

* the model's size (zones, demand points, arcs, rows, columns), with and without the
  aggregation, and the aggregation's error bound (``problem.zones.displacement_km``);
* the figures: facilities per type, care operators and floors, filled defaults, seconds
  per stage, peak memory, status, objective, gap;
* the plan per type (kept / closed / built), the closures that happen only because of
  sharing (closed in the shared plan, kept in the municipality's stand-alone plan), the
  three-way comparison (renew every existing facility; each municipality alone;
  shared), floor area before and after (:func:`optimizer.results.service.floor_area`);
* residents within each type's maximum distance of an open facility, today and under
  the plan, measured at the 2,188 small areas in every run
  (:func:`optimizer.results.service.service_levels`);
* a planner's questions: is every zone served within the maximum distance, is a
  private care facility closed, does every 老人福祉圏域 keep its floor of each care
  service, which libraries close and how many residents live near them.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from benchutil import ROOT, fmt, peak_mib, stage_seconds, status_text, use_repository

use_repository()

from optimizer.errors import OptimizerError  # noqa: E402  (after use_repository)
from optimizer.outputs.workbooks import write_workbook  # noqa: E402
from optimizer.problem.geodesy import geodesic_km  # noqa: E402
from optimizer.problem.network import access_arcs, pair_distances  # noqa: E402
from optimizer.problem.rules import area_floors  # noqa: E402
from optimizer.problem.zones import complete_zones  # noqa: E402
from optimizer.results.accounting import flow_details, unserved_details  # noqa: E402
from optimizer.results.check import assert_valid  # noqa: E402
from optimizer.results.service import floor_area, service_levels  # noqa: E402
from optimizer.solving.model import build_model  # noqa: E402
from optimizer.solving.solve import SolverSettings, solve_problem  # noqa: E402
from optimizer.solving.standalone import renewal_baseline, standalone_solutions  # noqa: E402
from optimizer.sources.opendata import schema_sheets, tama_problem, tama_tables  # noqa: E402
from optimizer.sources.tama_residents import zone_index  # noqa: E402

__all__ = ["main", "plan_summary", "model_size", "aggregation_bound"]

CASE_DIR = ROOT.parent / "shared" / "data" / "real" / "case-tama"
OKU = 100_000_000.0  # 1 億円 [yen]
LIBRARY_CATCHMENT_KM = 1.0  # residents "near" a library: within 1 km in a straight line

log = logging.getLogger("benchmarks.tama")


def plan_summary(solution) -> pd.DataFrame:
    """Facilities per type and decision (keep / close / build / not_built)."""
    table = pd.crosstab(solution.facilities["type"], solution.facilities["decision"])
    return table.reindex(columns=["keep", "close", "build", "not_built"], fill_value=0)


def model_size(problem, arcs: pd.DataFrame | None = None) -> dict[str, float]:
    """Zones, demand points, arcs, rows and columns of the model (built, not solved;
    without the fairness rows, which the solve adds lazily, at most one per
    municipality), and the seconds the build took."""
    arcs = access_arcs(problem) if arcs is None else arcs
    start = time.perf_counter()
    model = build_model(problem, arcs)
    seconds = time.perf_counter() - start
    return {
        "zones": len(problem.zones),
        "points": len(problem.points),
        "arcs": len(arcs),
        "rows": len(model.prob.constraints()),
        "columns": model.prob.numVariables(),
        "build s": seconds,
    }


def aggregation_bound(problem) -> tuple[float, float]:
    """Population-weighted mean and max of the zones' ``displacement_km`` [km]."""
    zones = problem.zones
    weight = zones["population"].astype(float).clip(lower=0.0)
    shift = zones["displacement_km"].astype(float)
    mean = float((shift * weight).sum() / weight.sum()) if weight.sum() > 0 else 0.0
    return mean, float(shift.max())


def _print_sizes(sizes: dict[str, dict[str, float]], bound: tuple[float, float]) -> None:
    print("model size (built without the lazy fairness rows, ≤ 1 per municipality):")
    print(pd.DataFrame(sizes).T.to_string(float_format=lambda v: f"{v:,.1f}"))
    print(
        f"aggregation error bound (displacement × detour): population-weighted mean "
        f"{bound[0]:.3f} km, max {bound[1]:.2f} km"
    )


def _print_figures(problem, assumptions: pd.DataFrame, timings: dict, outcome) -> None:
    f = problem.facilities
    print(
        f"\nmunicipalities: {len(problem.municipalities)}; population "
        f"{int(problem.municipalities['population'].sum()):,}; 75+ "
        f"{int(problem.municipalities['population_75plus'].sum()):,}"
    )
    counts = pd.crosstab(f["type"], f["is_candidate"]).reindex(columns=[False, True], fill_value=0)
    print(
        "facilities per type (existing + candidate sites): "
        + ", ".join(f"{k} {row[False]} + {row[True]}" for k, row in counts.iterrows())
    )
    types = problem.facility_types
    print(
        "demand per person: "
        + ", ".join(f"{k} {v:.6g}" for k, v in types["demand_per_person"].items())
    )
    _print_care(problem)
    print("\nfilled defaults (type, subtype, column: filled of rows — rule):")
    for row in assumptions.itertuples():
        print(
            f"  {row.type:12s} {row.subtype:22s} {row.column:22s} {row.filled:4d} of {row.of:4d} — {row.rule}"
        )
    print("\nseconds: " + ", ".join(f"{k} {fmt(v, '.1f')}" for k, v in timings.items()))
    print(f"peak memory: {peak_mib():.0f} MiB")
    print(
        f"status {status_text(outcome.status)}; objective {outcome.objective / OKU:,.2f} 億円/year; "
        f"gap {fmt(None if outcome.gap is None else 100 * outcome.gap, '.3f')} %"
    )


def _care_types(problem) -> list[str]:
    return [str(k) for k in problem.types if str(k).startswith("care")]


def _print_care(problem) -> None:
    """Who runs the care facilities, and each planning area's care floor."""
    f = problem.facilities
    care = f[f["type"].isin(_care_types(problem)) & ~f["is_candidate"]]
    operators = care["operator"].value_counts()
    print(
        f"care facilities: {operators.get('private', 0)} private, "
        f"{operators.get('municipal', 0)} municipal, {operators.get('prefecture', 0)} "
        "prefectural (rule: private unless the name contains 市立/町立/村立; a private "
        "facility stays open)"
    )
    if "community_based" in problem.facility_types:
        community = problem.facility_types.index[
            problem.facility_types["community_based"].fillna(False).astype(bool)
        ]
        print(f"community-based (地域密着型) types: {', '.join(map(str, community)) or 'none'}")
    u = problem.facility_types["max_utilisation"]
    print("max_utilisation: " + ", ".join(f"{k} {v:g}" for k, v in u.items()))


def _print_plan(solution, comparison: dict) -> None:
    print("\nplan (facilities per type and decision):")
    print(plan_summary(solution).to_string())
    agreements = solution.agreements
    print(f"\nagreements: {len(agreements)}")
    costs = comparison["costs"] / OKU
    totals = costs.sum()
    print(
        "\nthree-way comparison [億円/year, sum of the municipalities' own accounts]: "
        f"renew every existing facility {totals['renew_all']:,.2f}; each municipality alone "
        f"{totals['alone']:,.2f}; shared {totals['shared']:,.2f}"
    )
    print(
        f"  saving of shared against alone {totals['alone'] - totals['shared']:,.2f} "
        f"({(totals['alone'] - totals['shared']) / totals['alone']:.1%}); against renewing "
        f"everything {totals['renew_all'] - totals['shared']:,.2f} "
        f"({(totals['renew_all'] - totals['shared']) / totals['renew_all']:.1%})"
    )
    if "unserved" in comparison:
        left = comparison["unserved"]
        print("  demand left unserved [capacity unit]: " + "; ".join(
            f"{k} " + "/".join(f"{v:,.0f}" for v in row) for k, row in left.iterrows()
        ) + f" ({'/'.join(left.columns)})")  # fmt: skip
    saving = costs["alone"] - costs["shared"]
    print(
        f"  municipalities worse off than alone: {(saving < -1e-9).sum()} "
        f"(least saving {saving.min() * OKU:,.0f} yen/year, {saving.idxmin()})"
    )


def cost_by_type(problem, open_facilities: pd.Series, flows, unserved, agreements) -> pd.Series:
    """The area's annual cost of a plan per type [yen/year]: the open facilities' annual
    cost (0 for a private one), the residents' travel and the unserved demand at the
    self-provision cost S_k (payments between municipalities cancel), and the agreements."""
    f = problem.facilities
    is_open = open_facilities.reindex(f.index).fillna(False).astype(bool)
    own = f.loc[is_open, "annual_cost"].groupby(f.loc[is_open, "type"]).sum()
    travel = flow_details(problem, flows).groupby("type")["travel_cost"].sum()
    left = unserved_details(problem, unserved).groupby("type")["self_provision"].sum()
    kinds = [str(k) for k in problem.types]
    total = own.reindex(kinds, fill_value=0.0) + travel.reindex(kinds, fill_value=0.0)
    total = total + left.reindex(kinds, fill_value=0.0)
    agreement = len(agreements) * float(problem.parameters.agreement_fixed_cost)
    return pd.concat([total, pd.Series({"agreements": agreement})])


def _print_cost_by_type(problem, solution, alone, renew) -> None:
    shared_unserved = solution.unserved[["municipality", "type", "share", "point"]]
    table = pd.DataFrame(
        {
            "renew_all": cost_by_type(problem, ~problem.facilities["is_candidate"].astype(bool),
                                      renew.flows, renew.unserved, renew.agreements),
            "alone": cost_by_type(problem, alone.open_facilities, alone.flows, alone.unserved,
                                  alone.agreements),
            "shared": cost_by_type(problem, solution.facilities["open"], solution.flows,
                                   shared_unserved, solution.agreements),
        }
    )  # fmt: skip
    table.loc["total"] = table.sum()
    print("  per type [億円/year] (facilities + travel + unserved at S_k; agreements):")
    print((table / OKU).round(2).to_string())
    built = alone.open_facilities.reindex(problem.facilities.index).fillna(False).astype(bool)
    built &= problem.facilities["is_candidate"].astype(bool)
    sites = problem.facilities[built]
    print("  the stand-alone plans build: " + (", ".join(
        f"{k} {len(g)} sites / {g['capacity'].sum():,.0f} {problem.facility_types.at[k, 'capacity_unit']}"
        for k, g in sites.groupby("type")) or "nothing"))  # fmt: skip


def _print_built(problem, solution) -> None:
    f = solution.facilities
    built = f[f["decision"] == "build"]
    print(f"\nsites built ({len(built)}): type, host, capacity, served (utilisation)")
    for j, row in built.sort_values(["type", "municipality"]).iterrows():
        print(f"  {row['type']:12s} {row['municipality']} {problem.facilities.at[j, 'name']:28s} "
              f"{row['capacity']:11,.0f} {row['served']:11,.0f} ({row['utilisation']:.0%})")  # fmt: skip


def _print_sharing_closures(problem, comparison: dict) -> None:
    by_sharing = pd.Index(comparison["closed_by_sharing"], dtype=object)
    kinds = (
        problem.facilities.loc[by_sharing, "type"] if len(by_sharing) else pd.Series(dtype=object)
    )
    opened = comparison["open"]
    existing = ~problem.facilities["is_candidate"].astype(bool)
    closed = existing & ~opened["shared"].reindex(problem.facilities.index).astype(bool)
    print(
        f"\nclosures only because of sharing (closed in the shared plan, kept in the "
        f"stand-alone plan): {len(by_sharing)} of {int(closed.sum())} closures — "
        + ", ".join(f"{k} {v}" for k, v in kinds.value_counts().items())
    )
    alone_closed = existing & ~opened["alone"].reindex(problem.facilities.index).astype(bool)
    print(f"  closed in the stand-alone plans already: {int(alone_closed.sum())}")


def _print_floor_area(problem, solution) -> None:
    table = floor_area(problem, solution)
    print("\nfloor area the municipalities run (before → after):")
    for kind, row in table.iterrows():
        print(
            f"  {kind:12s} {int(row.count_before):4d} → {int(row.count_after):4d} facilities; "
            f"{row.area_before_m2:11,.0f} → {row.area_after_m2:11,.0f} m² ({row.area_change:+.1%})"
        )


def _zone_view(problem, zones: pd.DataFrame):
    """The problem with the case's 2,188 small areas as its zones (service figures only)."""
    table = complete_zones(zone_index(zones), problem.municipalities)
    table["point"] = table.index.astype(str)
    table["displacement_km"] = 0.0
    return problem.replace(zones=table, points=table)


def _print_service(view, solution) -> pd.DataFrame:
    levels = service_levels(view, solution)
    per_type = levels.groupby("type", sort=False)[
        ["residents", "within_limit_before", "within_limit_after"]
    ].sum()
    print("\nresidents within the type's max distance of an open facility (2,188 small areas):")
    for kind, row in per_type.iterrows():
        limit = float(view.facility_types.at[kind, "max_distance_km"])
        print(
            f"  {kind:12s} ≤ {limit:4.1f} km: before {row.within_limit_before:12,.0f} "
            f"({row.within_limit_before / row.residents:.2%}), after {row.within_limit_after:12,.0f} "
            f"({row.within_limit_after / row.residents:.2%}) of {row.residents:,.0f}"
        )
    return levels


def _flows_beyond_limit(problem, solution, view) -> pd.DataFrame:
    """Per type: small areas (and residents) that the model's demand points send to a
    facility beyond the type's maximum distance from the area itself (a point stands for
    merged areas, or for the whole municipality at its city hall)."""
    if problem.zones["own_point"].all():
        point_of = view.zones["municipality"].astype(str)
    else:
        point_of = problem.zones["point"].astype(str).reindex(view.zones.index)
    zones = pd.DataFrame({"zone": view.zones.index.astype(str), "point": point_of.to_numpy()})
    joined = solution.point_flows.merge(zones, on="point")
    if joined.empty:
        return pd.DataFrame()
    joined["zone_km"] = pair_distances(
        view, joined["zone"].astype(str), joined["facility"].astype(str)
    )
    joined["type"] = problem.facilities["type"].reindex(joined["facility"]).to_numpy()
    joined["limit"] = problem.facility_types["max_distance_km"].reindex(joined["type"]).to_numpy()
    beyond = joined[joined["zone_km"] > joined["limit"] + 1e-9]
    basis = problem.facility_types["demand_basis"]
    rows = []
    for kind, part in beyond.groupby("type", sort=False):
        areas = part["zone"].unique()
        people = view.zones.loc[areas, basis[kind]].sum()
        rows.append(
            {"type": kind, "areas": len(areas), "residents": people,
             "worst_km_over": float((part["zone_km"] - part["limit"]).max())}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["type", "areas", "residents", "worst_km_over"])


def _print_questions(problem, solution, view, levels: pd.DataFrame, tables: dict) -> None:
    print("\n— a planner's questions —")
    unserved = solution.unserved
    print(
        "1. unserved demand (model): "
        + ("none" if unserved.empty else ", ".join(
            f"{k} {v:,.1f}" for k, v in unserved.groupby("type")["demand"].sum().items()))
    )  # fmt: skip
    if not unserved.empty:
        why = unserved.groupby(["municipality", "type", "reason"])["demand"].sum()
        for (code, kind, reason), amount in why.items():
            print(f"     {code} {kind:12s} {amount:10,.1f} — {reason}")
    beyond = levels.groupby("type", sort=False)[["beyond_limit_before", "beyond_limit_after"]].sum()
    print("   residents farther than the max distance from any open facility (before → after): "
          + ", ".join(f"{k} {r.beyond_limit_before:,.0f} → {r.beyond_limit_after:,.0f}"
                      for k, r in beyond.iterrows()))  # fmt: skip
    far = _flows_beyond_limit(problem, solution, view)
    print("   small areas the plan sends beyond the max distance (area → its facility), "
          "because the model saw them at their demand point: "
          + ("none" if far.empty else ""))  # fmt: skip
    for row in far.itertuples():
        print(f"     {row.type:12s} {row.areas:4d} areas, {row.residents:10,.0f} residents, "
              f"at most {row.worst_km_over:.2f} km over")  # fmt: skip
    f = solution.facilities
    operator = problem.facilities["operator"].reindex(f.index)
    private_closed = f[(f["decision"] == "close") & (operator == "private")]
    print(f"2. private facilities closed: {len(private_closed)} (must be 0)")
    _print_floors(problem, solution)
    _print_libraries(problem, solution, view, tables)


def _print_floors(problem, solution) -> None:
    floors = area_floors(problem)
    f = solution.facilities
    area_of = problem.municipalities["care_area"]
    open_sites = f[f["open"].astype(bool)]
    held = open_sites.groupby([open_sites["municipality"].map(area_of), "type"])["capacity"].sum()
    today = f[~f["is_candidate"].astype(bool)]
    before = today.groupby([today["municipality"].map(area_of), "type"])["capacity"].sum()
    print("3. care capacity per 老人福祉圏域 and type: today → plan (floor)")
    short = 0
    for row in floors.itertuples():
        have = float(held.get((row.area, row.type), 0.0))
        short += have < row.floor - 1e-6
        print(f"     {row.area:6s} {row.type:12s} {before.get((row.area, row.type), 0.0):7,.0f} → "
              f"{have:7,.0f} (≥ {row.floor:,.0f}){'  SHORT' if have < row.floor - 1e-6 else ''}")  # fmt: skip
    print(f"   below the floor: {short}")


def _print_libraries(problem, solution, view, tables: dict) -> None:
    f = solution.facilities
    libraries = problem.facilities[problem.facilities["type"] == "library"]
    existing = libraries[~libraries["is_candidate"].astype(bool)]
    subtype = tables["facilities"].set_index("id")["subtype"].reindex(existing.index)
    zones = view.zones
    near = np.array([
        zones.loc[
            geodesic_km(zones["lat"].to_numpy(float), zones["lon"].to_numpy(float), lat, lon)
            <= LIBRARY_CATCHMENT_KM, "population"].sum()
        for lat, lon in zip(existing["lat"], existing["lon"], strict=True)
    ])  # fmt: skip
    decision = f["decision"].reindex(existing.index)
    table = pd.DataFrame(
        {"name": existing["name"], "municipality": existing["municipality"], "subtype": subtype,
         "near": near, "decision": decision}
    )  # fmt: skip
    open_ids = f.index[f["open"].astype(bool) & (f["type"] == "library")]
    if len(open_ids):
        km = np.array([_nearest_km(problem, j, open_ids) for j in existing.index])
        table["nearest_open_km"] = km
    print(
        f"4. libraries: residents within {LIBRARY_CATCHMENT_KM:g} km (straight line), by decision:"
    )
    summary = table.groupby(["subtype", "decision"])["near"].agg(["size", "median", "sum"])
    print(summary.round(0).to_string())
    closed = table[table["decision"] == "close"].sort_values("near", ascending=False)
    print(f"   closed libraries, most residents nearby first ({len(closed)}):")
    for j, row in closed.head(15).iterrows():
        print(f"     {j:22s} {row['name']:24s} {row.municipality} {row.subtype:7s} "
              f"{row.near:8,.0f} residents ≤ {LIBRARY_CATCHMENT_KM:g} km; nearest open "
              f"library {row.get('nearest_open_km', float('nan')):.1f} km")  # fmt: skip
    kept_branch = table[(table["subtype"] == "branch") & (table["decision"] == "keep")]
    closed_branch = table[(table["subtype"] == "branch") & (table["decision"] == "close")]
    if len(kept_branch) and len(closed_branch):
        top = table[table["subtype"] == "branch"].sort_values("near", ascending=False).head(20)
        print(f"   of the 20 branches with most residents nearby, {int((top['decision'] == 'keep').sum())} "
              f"are kept")  # fmt: skip


def _nearest_km(problem, facility: str, open_ids: pd.Index) -> float:
    """Road-distance estimate from a facility to the nearest other open one of its type."""
    others = [j for j in open_ids if j != facility]
    if not others:
        return float("nan")
    site = problem.facilities.loc[facility]
    sites = problem.facilities.loc[others]
    km = geodesic_km(
        np.full(len(others), float(site["lat"])),
        np.full(len(others), float(site["lon"])),
        sites["lat"].to_numpy(float),
        sites["lon"].to_numpy(float),
    )
    return float(np.min(km) * problem.parameters.detour_factor)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run the Tama case end to end and print the figures and the plan.",
        epilog="Example: nice -n 10 python benchmarks/tama.py --zones --grid-km 1",
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
    parser.add_argument("--one-care-type", action="store_true",
                        help="the four care services as one 'care' type (the older reading)")  # fmt: skip
    parser.add_argument("--zones", action="store_true",
                        help="residents in the census small areas instead of at the city hall")  # fmt: skip
    parser.add_argument("--zones-per-municipality", type=int, default=None, metavar="K",
                        help="merge each municipality's small areas into at most K points")  # fmt: skip
    parser.add_argument("--grid-km", type=float, default=None, metavar="G",
                        help="merge the small areas of a municipality in one G km square")  # fmt: skip
    parser.add_argument("--care-km", type=float, default=None, metavar="KM",
                        help="max distance of the wide-area care types (特養, 老健, 介護医療院; "
                        "default: the case's 15 km)")  # fmt: skip
    parser.add_argument("--verbose", action="store_true", help="log the solver's stages")
    parser.add_argument("--no-full-size", action="store_true",
                        help="do not build the unmerged model just to count its size")  # fmt: skip
    parser.add_argument("--workbook", type=Path, default=None, metavar="PATH",
                        help="write the case, with these options, as an input workbook "
                        "(for `optimizer solve PATH`: the report, map and agreements) "
                        "and stop")  # fmt: skip
    return parser.parse_args(argv)


def _write_case_workbook(args: argparse.Namespace) -> int:
    """The case as an input workbook: the sheets :func:`tama_problem` validates."""
    tables = tama_tables(
        args.case,
        include_community_rooms=args.community_rooms,
        split_care=not args.one_care_type,
        zone_grid_km=args.grid_km,
        zones_per_municipality=args.zones_per_municipality,
    )
    sheets = schema_sheets(tables, zones=args.zones)
    if args.care_km is not None:
        types = sheets["facility_types"].copy()
        community = types.get("community_based", pd.Series(False, index=types.index))
        wide = types["type"].str.startswith("care") & ~community.fillna(False).astype(bool)
        types.loc[wide, "max_distance_km"] = args.care_km
        sheets["facility_types"] = types
    sheets["parameters"] = sheets["parameters"].copy()
    limits = {"time_limit_s": f"{args.time_limit:g}", "mip_gap": f"{args.gap:g}"}
    for name, value in limits.items():
        sheets["parameters"].loc[sheets["parameters"]["name"] == name, "value"] = value
    path = write_workbook(sheets, args.workbook)
    print(f"wrote {path}: {', '.join(f'{k} {len(v)} rows' for k, v in sheets.items())}")
    return 0


def _load(args: argparse.Namespace, **overrides):
    options = {
        "include_community_rooms": args.community_rooms,
        "split_care": not args.one_care_type,
        "zones": args.zones,
        "zone_grid_km": args.grid_km,
        "zones_per_municipality": args.zones_per_municipality,
    }
    options.update(overrides)
    problem = tama_problem(args.case, **options)
    if args.care_km is None:
        return problem
    types = problem.facility_types.copy()
    community = types.get("community_based", pd.Series(False, index=types.index))
    wide = types.index.str.startswith("care") & ~community.fillna(False).astype(bool)
    types.loc[wide, "max_distance_km"] = args.care_km
    return problem.replace(facility_types=types)


def main(argv: list[str] | None = None) -> int:
    """0 when the plan was found and passed the check, 1 otherwise, 2 without the case."""
    args = _parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.case.is_dir():
        print(f"the Tama case is not at {args.case}", file=sys.stderr)
        return 2
    if args.workbook is not None:
        return _write_case_workbook(args)
    timings: dict[str, float | None] = {}
    start = time.perf_counter()
    problem = _load(args)
    timings["load"] = time.perf_counter() - start
    tables = tama_tables(
        args.case, include_community_rooms=args.community_rooms, split_care=not args.one_care_type
    )
    arcs = access_arcs(problem)
    sizes = {"this run": model_size(problem, arcs)}
    merged = args.zones and (args.grid_km or args.zones_per_municipality)
    if merged and not args.no_full_size:
        sizes["unmerged zones"] = model_size(
            _load(args, zone_grid_km=None, zones_per_municipality=None)
        )
    if args.zones:
        sizes["city halls"] = model_size(_load(args, zones=False))
    _print_sizes(sizes, aggregation_bound(problem))
    settings = SolverSettings(solver="highs", time_limit_s=args.time_limit, mip_gap=args.gap)
    start = time.perf_counter()
    try:
        solution = solve_problem(problem, settings, processes=args.processes, compare=True)
        timings["solve stage"] = time.perf_counter() - start
        timings.update(stage_seconds(solution.outcome))
        # The two baselines' plans again (deterministic: one thread each), for the
        # per-type split of the three-way comparison.
        start = time.perf_counter()
        _, alone = standalone_solutions(problem, settings, processes=args.processes)
        _, renew = renewal_baseline(problem, settings, processes=args.processes)
        timings["baselines again"] = time.perf_counter() - start
    except OptimizerError as exc:
        print(f"no plan: {exc}", file=sys.stderr)
        return 1
    start = time.perf_counter()
    try:
        assert_valid(problem, solution)
    except OptimizerError as exc:
        print(f"the plan failed the check: {exc}", file=sys.stderr)
        return 1
    timings["check"] = time.perf_counter() - start
    _print_figures(problem, tables["assumptions"], timings, solution.outcome)
    comparison = solution.extras["comparison"]
    _print_plan(solution, comparison)
    _print_cost_by_type(problem, solution, alone, renew)
    _print_built(problem, solution)
    _print_sharing_closures(problem, comparison)
    _print_floor_area(problem, solution)
    view = _zone_view(problem, tables["zones"])
    levels = _print_service(view, solution)
    _print_questions(problem, solution, view, levels, tables)
    return 0


if __name__ == "__main__":
    sys.exit(main())
