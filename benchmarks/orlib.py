"""OR-Library capacitated warehouse location through the facility-sharing model.

Usage::

    python benchmarks/orlib.py ../shared/benchmarks/orlib/cap/cap4*.txt
    python benchmarks/orlib.py --time-limit 600 ../shared/benchmarks/orlib/cap/capa.txt

Each instance (Beasley 1988; format in ``../shared/benchmarks/orlib/SOURCES.md``) is
mapped onto the SAME core model the product solves, through
:func:`optimizer.problem.data.assemble_problem`:

=========================== ==============================================================
OR-Library                  facility-sharing model
=========================== ==============================================================
customer j, demand d_j      municipality ``1jjjj`` with population d_j (75+: 0)
warehouse i                 candidate facility ``W-iiii`` of the one type ``warehouse``,
                            hosted by an extra municipality ``99999`` of population 0
capacity s_i                the candidate's capacity (total demand when uncapacitated)
fixed cost f_i              the candidate's build cost, with horizon_years = 1,
                            discount_rate = 0 and rebuild_spread_years = 1, so that its
                            annual cost is exactly f_i (checked when the problem is made)
cost c_ij (whole demand)    travel row distance_km = c_ij / d_j with demand_per_person = 1
                            and user_travel_cost_per_km = 1: travel cost = c_ij · x_ij
split demand (x_ij ∈ [0,1]) use[i,j] ∈ [0,1] (the model's shares are continuous)
=========================== ==============================================================

and agreement_fixed_cost = 0 (so the model needs no agreement binaries), fairness off,
no policy rules, max_distance_km above every c_ij / d_j, mip_gap = 0. The model's
objective is then exactly Σ f_i y_i + Σ c_ij x_ij, the objective of ``capopt``.

For each instance the script prints the objective found, the published optimum
(``optimal_values.csv`` beside the instance folder), their difference, the solver
status and gap, and build / solve / total seconds. It exits with status 1 when an
instance solved to proven optimality misses its published optimum by more than
``TOLERANCE`` (relative).
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from benchutil import fmt, stage_seconds, status_text, use_repository

use_repository()

from optimizer.problem.data import Parameters, ProblemData, assemble_problem  # noqa: E402

__all__ = [
    "CapInstance",
    "CAPACITY_VARIANTS",
    "TOLERANCE",
    "read_cap_file",
    "read_optimal_values",
    "cap_problem",
    "solve_instance",
    "main",
]

log = logging.getLogger("benchmarks.orlib")

CAPACITY_VARIANTS: dict[str, tuple[int, ...]] = {
    "capa": (8000, 10000, 12000, 14000),
    "capb": (5000, 6000, 7000, 8000),
    "capc": (5000, 5750, 6500, 7250),
}
"""Capacities that replace the word ``capacity`` in capa/b/c (Beasley 1988, Table 1)."""

TOLERANCE = 1e-6
"""Largest relative difference from the published optimum that counts as a match."""

HOST_CODE = "99999"
LOCATION = (35.0, 135.0)  # every point at the same place: distances come from the travel table


@dataclass(frozen=True)
class CapInstance:
    """One capacitated warehouse location problem.

    Attributes
    ----------
    name
        ``cap41`` …, or ``capa_8000`` for a capacity variant of capa/b/c.
    capacity
        s_i per warehouse, shape (m,); ``inf`` when the file has no capacity.
    fixed_cost
        f_i per warehouse, shape (m,).
    demand
        d_j per customer, shape (n,).
    cost
        c_ij, the cost of serving customer j's whole demand from warehouse i, shape (n, m).
    """

    name: str
    capacity: np.ndarray
    fixed_cost: np.ndarray
    demand: np.ndarray
    cost: np.ndarray

    @property
    def n_warehouses(self) -> int:
        return len(self.fixed_cost)

    @property
    def n_customers(self) -> int:
        return len(self.demand)


def read_cap_file(path: Path) -> list[CapInstance]:
    """Read one OR-Library ``cap`` file as a token stream.

    Returns one instance, or, for capa/b/c (whose capacity is the word ``capacity``),
    one instance per value of :data:`CAPACITY_VARIANTS`, named ``capa_8000`` etc.

    Raises
    ------
    ValueError
        When the file does not hold exactly the numbers its header announces.
    """
    path = Path(path)
    tokens = path.read_text().split()
    m, n = int(tokens[0]), int(tokens[1])
    expected = 2 + 2 * m + n * (1 + m)
    if len(tokens) != expected:
        raise ValueError(
            f"{path.name}: {len(tokens)} numbers, expected {expected} for m={m}, n={n}"
        )
    pairs = np.array(tokens[2 : 2 + 2 * m], dtype=object).reshape(m, 2)
    fixed_cost = pairs[:, 1].astype(float)
    body = np.array(tokens[2 + 2 * m :], dtype=float).reshape(n, 1 + m)
    demand, cost = body[:, 0], body[:, 1:]
    name = path.stem
    if all(c == "capacity" for c in pairs[:, 0]):
        if name not in CAPACITY_VARIANTS:
            raise ValueError(
                f"{path.name}: capacities are the word 'capacity' but no values are known"
            )
        return [
            CapInstance(f"{name}_{s}", np.full(m, float(s)), fixed_cost, demand, cost)
            for s in CAPACITY_VARIANTS[name]
        ]
    return [CapInstance(name, pairs[:, 0].astype(float), fixed_cost, demand, cost)]


OPTIMUM_COLUMNS = ("optimal_value", "optimum")
"""The column of an optima file that holds the value: either name is read."""


def read_optimal_values(path: Path) -> dict[str, float]:
    """``instance → optimal value`` from an optima CSV (missing file: empty).

    The file has a column ``instance`` and the value in ``optimal_value`` or ``optimum``
    (:data:`OPTIMUM_COLUMNS`); a row with the value blank is skipped. A file with neither
    column is refused with a message naming the columns it has.
    """
    if not Path(path).is_file():
        return {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        value = next((c for c in OPTIMUM_COLUMNS if c in columns), None)
        if "instance" not in columns or value is None:
            raise ValueError(
                f"{path}: an optima file needs the columns 'instance' and one of "
                f"{', '.join(repr(c) for c in OPTIMUM_COLUMNS)}; it has {', '.join(columns)}"
            )
        return {
            row["instance"].strip(): float(row[value])
            for row in reader
            if (row.get(value) or "").strip()
        }


def _customer_codes(n: int) -> list[str]:
    return [f"1{j + 1:04d}" for j in range(n)]


def _municipalities(instance: CapInstance) -> pd.DataFrame:
    codes = _customer_codes(instance.n_customers) + [HOST_CODE]
    population = np.append(instance.demand, 0.0)
    return pd.DataFrame(
        {
            "name": [f"customer {j + 1}" for j in range(instance.n_customers)] + ["warehouse host"],
            "lat": LOCATION[0],
            "lon": LOCATION[1],
            "population": population,
            "population_75plus": 0.0,
            "may_share": True,
            "capital_budget": np.nan,
        },
        index=pd.Index(codes, name="code"),
    )


def _facility_types(max_distance_km: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name_ja": ["倉庫"],
            "demand_basis": ["population"],
            "demand_per_person": [1.0],
            "capacity_unit": ["units"],
            "max_distance_km": [max_distance_km],
            "renovation_unit_cost": [0.0],
            "rebuild_unit_cost": [0.0],
            "life_years": [60],
            "renovation_year": [30],
            "user_travel_cost_per_km": [1.0],
            "routine_repair_per_m2": [0.0],
        },
        index=pd.Index(["warehouse"], name="type"),
    )


def _warehouse_ids(m: int) -> list[str]:
    return [f"W-{i + 1:04d}" for i in range(m)]


def _facilities(instance: CapInstance, uncapacitated: bool) -> pd.DataFrame:
    m = instance.n_warehouses
    capacity = np.full(m, instance.demand.sum()) if uncapacitated else instance.capacity
    return pd.DataFrame(
        {
            "name": [f"warehouse {i + 1}" for i in range(m)],
            "type": "warehouse",
            "municipality": HOST_CODE,
            "lat": LOCATION[0],
            "lon": LOCATION[1],
            "capacity": capacity,
            "floor_area_m2": np.nan,
            "year_built": pd.array([pd.NA] * m, dtype="Int64"),
            "annual_operating_cost": 0.0,
            "status": "free",
            "is_candidate": True,
            "build_cost": instance.fixed_cost,
            "renewal_cost": np.nan,
        },
        index=pd.Index(_warehouse_ids(m), name="id"),
    )


def _travel(instance: CapInstance) -> pd.DataFrame:
    """One row per (customer, warehouse): distance_km = c_ij / d_j."""
    n, m = instance.cost.shape
    per_unit = instance.cost / instance.demand[:, None]
    return pd.DataFrame(
        {
            "municipality": np.repeat(_customer_codes(n), m),
            "facility": np.tile(_warehouse_ids(m), n),
            "distance_km": per_unit.ravel(),
        }
    )


def cap_problem(
    instance: CapInstance,
    *,
    uncapacitated: bool = False,
    time_limit_s: float = 600.0,
    solver: str = "highs",
) -> ProblemData:
    """The instance as a :class:`ProblemData` of the facility-sharing model.

    See the module docstring for the mapping. ``uncapacitated`` sets every capacity to
    the total demand (OR-Library's uncapacitated reading of the same file).

    Raises
    ------
    ValueError
        If the derived annual cost of a warehouse differs from its fixed cost (the
        cost method would then not reproduce the benchmark's objective).
    """
    per_unit = instance.cost / instance.demand[:, None]
    parameters = Parameters(
        area_name=f"OR-Library {instance.name}",
        horizon_years=1,
        discount_rate=0.0,
        rebuild_spread_years=1,
        agreement_fixed_cost=0.0,
        fairness=False,
        keep_own_each_type=False,
        min_self_sufficiency=0.0,
        max_partners=None,
        unserved_penalty=float(
            100.0 * (per_unit.max() + instance.fixed_cost.max() / instance.demand.min())
        ),
        mip_gap=0.0,
        time_limit_s=time_limit_s,
        solver=solver,
    )
    problem = assemble_problem(
        _municipalities(instance),
        _facility_types(max_distance_km=float(per_unit.max()) * 1.01 + 1.0),
        _facilities(instance, uncapacitated),
        parameters,
        travel=_travel(instance),
        source={"format": "orlib-cap", "instance": instance.name},
    )
    annual = problem.facilities["annual_cost"].to_numpy()
    if not np.allclose(annual, instance.fixed_cost, rtol=1e-12, atol=1e-9):
        worst = float(np.max(np.abs(annual - instance.fixed_cost)))
        raise ValueError(
            f"{instance.name}: annual cost differs from the fixed cost by up to {worst}"
        )
    return problem


@dataclass(frozen=True)
class BenchmarkRow:
    """One line of the benchmark table."""

    instance: str
    objective: float
    optimum: float | None
    status: str
    gap: float | None
    proven_optimal: bool
    build_s: float | None
    solve_s: float | None
    total_s: float

    @property
    def difference(self) -> float | None:
        return None if self.optimum is None else self.objective - self.optimum

    @property
    def relative_difference(self) -> float | None:
        return (
            None if self.optimum is None else abs(self.objective - self.optimum) / abs(self.optimum)
        )

    @property
    def missed(self) -> bool:
        """Solved to proven optimality yet off the published optimum."""
        rel = self.relative_difference
        return self.proven_optimal and rel is not None and rel > TOLERANCE


def solve_instance(
    instance: CapInstance,
    optimum: float | None,
    *,
    time_limit_s: float,
    solver: str = "highs",
    uncapacitated: bool = False,
) -> BenchmarkRow:
    """Map, solve and time one instance; see :func:`cap_problem`."""
    from optimizer.solving.solve import SolverSettings, solve_problem

    start = time.perf_counter()
    problem = cap_problem(
        instance, uncapacitated=uncapacitated, time_limit_s=time_limit_s, solver=solver
    )
    settings = SolverSettings(solver=solver, time_limit_s=time_limit_s, mip_gap=0.0, msg=False)
    solution = solve_problem(problem, settings)
    total = time.perf_counter() - start
    outcome = solution.outcome
    split = stage_seconds(outcome)
    return BenchmarkRow(
        instance=instance.name,
        objective=float(outcome.objective),
        optimum=optimum,
        status=status_text(outcome.status),
        gap=_optional_float(getattr(outcome, "gap", None)),
        proven_optimal=_proven_optimal(outcome),
        build_s=split["build"],
        solve_s=split["solve"],
        total_s=total,
    )


def _optional_float(value) -> float | None:
    return None if value is None else float(value)


def _proven_optimal(outcome) -> bool:
    """Optimal and not stopped by the time limit (the solver's gap is then within mip_gap = 0)."""
    return status_text(outcome.status).lower() == "optimal" and not getattr(
        outcome, "time_limit_reached", False
    )


def format_table(rows: list[BenchmarkRow]) -> str:
    """The benchmark table as Markdown."""
    head = (
        "| instance | objective | published optimum | difference | status | gap | build s | solve s | total s |\n"
        "|---|---:|---:|---:|---|---:|---:|---:|---:|"
    )
    lines = [
        f"| {r.instance} | {r.objective:,.3f} | {fmt(r.optimum, ',.3f')} | {fmt(r.difference, '+.3f')} "
        f"| {r.status} | {fmt(r.gap, '.2e')} | {fmt(r.build_s, '.2f')} | {fmt(r.solve_s, '.2f')} "
        f"| {r.total_s:.2f} |"
        for r in rows
    ]
    return "\n".join([head, *lines])


def _instances_to_run(instances: list[CapInstance], uncapacitated: bool) -> list[CapInstance]:
    """The problems to solve: without capacities, capa/b/c's four variants are one problem."""
    if uncapacitated and len(instances) > 1:
        stem = instances[0].name.split("_")[0]
        return [replace(instances[0], name=f"{stem}_uncap")]
    return instances


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Solve OR-Library capacitated warehouse instances with the facility-sharing model.",
        epilog="Example: python benchmarks/orlib.py ../shared/benchmarks/orlib/cap/cap41.txt",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="cap*.txt files")
    parser.add_argument(
        "--time-limit", type=float, default=600.0, help="seconds per instance (default 600)"
    )
    parser.add_argument("--solver", default="highs", help="PuLP solver name (default highs)")
    parser.add_argument("--uncapacitated", action="store_true", help="ignore capacities (uncapopt)")
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default=None,
        help="solve only these instances, comma-separated, e.g. capa_8000,capb_5000",
    )
    parser.add_argument(
        "--optima",
        type=Path,
        default=None,
        help="CSV of known optima: 'instance' and 'optimal_value' or 'optimum' "
        "(default: optimal_values.csv beside the cap folder)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every proven optimum matches, 1 otherwise, 2 on bad input."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parse_args(argv)
    if args.optima is not None and not args.optima.is_file():
        print(f"no optima file {args.optima}", file=sys.stderr)
        return 2
    rows: list[BenchmarkRow] = []
    for path in args.paths:
        try:
            optima = read_optimal_values(
                args.optima or Path(path).resolve().parent.parent / "optimal_values.csv"
            )
            instances = read_cap_file(path)
        except (OSError, ValueError) as exc:
            print(f"cannot read {path}: {exc}", file=sys.stderr)
            return 2
        for instance in _instances_to_run(instances, args.uncapacitated):
            if args.only and instance.name not in args.only:
                continue
            row = solve_instance(
                instance,
                optima.get(instance.name),
                time_limit_s=args.time_limit,
                solver=args.solver,
                uncapacitated=args.uncapacitated,
            )
            rows.append(row)
            print(format_table([row]).splitlines()[-1], flush=True)
    print()
    print(format_table(rows))
    missed = [r.instance for r in rows if r.missed]
    unproven = [r.instance for r in rows if not r.proven_optimal]
    print(
        f"\n{len(rows)} instance(s); {len(missed)} missed the published optimum; "
        f"{len(unproven)} not proven optimal within the time limit."
    )
    if missed:
        print("missed: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
