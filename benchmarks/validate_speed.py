"""Time of load_problem (read + validate + assemble) on the sample and on a large area.

The large area (200 municipalities, 5,000 facilities, 100 candidates) is generated
here with a fixed seed and written with :func:`optimizer.outputs.workbooks.write_workbook`, so
the timing covers the same path a planner's workbook takes.

Run: ``python benchmarks/validate_speed.py [--municipalities 200 --facilities 5000]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.outputs.workbooks import write_workbook  # noqa: E402
from optimizer.sources.sample import SAMPLE_WORKBOOK  # noqa: E402
from optimizer.workbook.assemble import load_problem  # noqa: E402
from optimizer.workbook.template import parameter_rows  # noqa: E402

TYPES = pd.DataFrame(
    {
        "type": ["library", "hall", "care"],
        "name_ja": ["図書館", "文化ホール", "特別養護老人ホーム"],
        "demand_basis": ["population", "population", "population_75plus"],
        "demand_per_person": [3.5, 0.01, 0.03],
        "capacity_unit": ["visits/year", "seats", "beds"],
        "max_distance_km": [10.0, 15.0, 20.0],
    }
)


def synthetic_area(
    n_municipalities: int, n_facilities: int, n_candidates: int, seed: int = 7
) -> dict[str, pd.DataFrame]:
    """A random area around Tokyo with the given numbers of rows."""
    rng = np.random.default_rng(seed)
    codes = [f"{20000 + i:05d}" for i in range(n_municipalities)]
    population = rng.integers(3_000, 300_000, n_municipalities)
    municipalities = pd.DataFrame(
        {
            "code": codes,
            "name": [f"市{i:03d}" for i in range(n_municipalities)],
            "lat": 35.0 + rng.random(n_municipalities) * 1.5,
            "lon": 139.0 + rng.random(n_municipalities) * 1.5,
            "population": population,
            "population_75plus": (population * rng.uniform(0.12, 0.2, n_municipalities)).astype(
                int
            ),
            "may_share": True,
        }
    )

    def sites(n: int, prefix: str) -> pd.DataFrame:
        host = rng.integers(0, n_municipalities, n)
        kind = rng.choice(TYPES["type"], n, p=[0.3, 0.2, 0.5])
        capacity = np.where(kind == "library", 200_000, np.where(kind == "hall", 800, 100))
        return pd.DataFrame(
            {
                "id": [f"{prefix}{i:05d}" for i in range(n)],
                "name": [f"施設{i}" for i in range(n)],
                "type": kind,
                "municipality": [codes[h] for h in host],
                "lat": municipalities["lat"].to_numpy()[host] + rng.normal(0, 0.01, n),
                "lon": municipalities["lon"].to_numpy()[host] + rng.normal(0, 0.01, n),
                "capacity": capacity,
                "floor_area_m2": rng.integers(300, 6_000, n),
                "annual_operating_cost": rng.integers(30, 400, n) * 1_000_000,
            }
        )

    facilities = sites(n_facilities, "F").assign(
        year_built=rng.integers(1965, 2020, n_facilities), status="free"
    )
    candidates = sites(n_candidates, "N").assign(
        build_cost=rng.integers(10, 30, n_candidates) * 100_000_000, status="free"
    )
    return {
        "municipalities": municipalities,
        "facility_types": TYPES,
        "facilities": facilities,
        "candidates": candidates,
        "parameters": parameter_rows("en"),
    }


def timed_load(path: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        load_problem(path)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=200)
    parser.add_argument("--facilities", type=int, default=5000)
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"sample ({SAMPLE_WORKBOOK.name}): load_problem {timed_load(SAMPLE_WORKBOOK, args.repeat):.3f} s"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.xlsx"
        start = time.perf_counter()
        write_workbook(synthetic_area(args.municipalities, args.facilities, args.candidates), path)
        written = time.perf_counter() - start
        size = path.stat().st_size / 2**20
        seconds = timed_load(path, args.repeat)
    print(
        f"{args.municipalities} municipalities / {args.facilities} facilities / "
        f"{args.candidates} candidates: write_workbook {written:.2f} s ({size:.1f} MiB), "
        f"load_problem {seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
