"""OR-Library capacitated warehouse instances through the core model."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load_orlib():
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location("orlib", BENCHMARKS / "orlib.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["orlib"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


orlib = _load_orlib()

SIZES = {  # (m warehouses, n customers, capacity) per OR-Library set
    **{f"cap{k}": (16, 50, 5000) for k in (41, 42, 43, 44)},
    "cap51": (16, 50, 10000),
    **{f"cap6{k}": (16, 50, 15000) for k in range(1, 5)},
    **{f"cap7{k}": (16, 50, 58268) for k in range(1, 5)},
    **{f"cap8{k}": (25, 50, 5000) for k in range(1, 5)},
    **{f"cap9{k}": (25, 50, 15000) for k in range(1, 5)},
    **{f"cap10{k}": (25, 50, 58268) for k in range(1, 5)},
    **{f"cap11{k}": (50, 50, 5000) for k in range(1, 5)},
    **{f"cap12{k}": (50, 50, 15000) for k in range(1, 5)},
    **{f"cap13{k}": (50, 50, 58268) for k in range(1, 5)},
}


@pytest.fixture
def cap_dir(shared_dir) -> Path:
    path = shared_dir / "benchmarks" / "orlib" / "cap"
    if not path.is_dir():
        pytest.skip("the OR-Library cap instances are not present")
    return path


def test_every_small_file_parses_with_the_right_counts(cap_dir):
    for name, (m, n, capacity) in SIZES.items():
        (instance,) = orlib.read_cap_file(cap_dir / f"{name}.txt")
        assert (instance.n_warehouses, instance.n_customers) == (m, n), name
        assert instance.cost.shape == (n, m)
        assert (instance.capacity == capacity).all(), name
        assert instance.demand.sum() == 58268, name  # the same total in every small set
        assert (instance.fixed_cost == 0).sum() == 1, name  # one free warehouse each


@pytest.mark.parametrize("stem", ["capa", "capb", "capc"])
def test_large_files_expand_to_their_capacity_variants(cap_dir, stem):
    instances = orlib.read_cap_file(cap_dir / f"{stem}.txt")
    assert [i.name for i in instances] == [f"{stem}_{c}" for c in orlib.CAPACITY_VARIANTS[stem]]
    for instance in instances:
        assert (instance.n_warehouses, instance.n_customers) == (100, 1000)
        assert instance.cost.shape == (1000, 100)


def test_truncated_file_is_refused(tmp_path):
    bad = tmp_path / "cap00.txt"
    bad.write_text("2 1\n10 5.\n10 0.\n3\n1.0\n")
    with pytest.raises(ValueError, match="expected 9"):
        orlib.read_cap_file(bad)


def test_every_published_optimum_is_known(cap_dir):
    optima = orlib.read_optimal_values(cap_dir.parent / "optimal_values.csv")
    assert set(SIZES) <= set(optima)
    assert optima["cap41"] == pytest.approx(1040444.375)


def test_mapping_reproduces_fixed_and_travel_costs(cap_dir):
    (instance,) = orlib.read_cap_file(cap_dir / "cap41.txt")
    problem = orlib.cap_problem(instance)
    facilities = problem.facilities
    assert np.allclose(facilities["annual_cost"], instance.fixed_cost)
    assert (facilities["is_candidate"]).all() and (facilities["capacity"] == 5000).all()
    travel = problem.travel.set_index(["municipality", "facility"])["distance_km"]
    demand = problem.demand["warehouse"]
    # distance × demand (× 1 yen/km per unit) gives back the whole-demand cost c_ij
    c = travel.loc[("10001", "W-0003")] * demand["10001"]
    assert c == pytest.approx(instance.cost[0, 2])
    assert demand[orlib.HOST_CODE] == 0.0
    assert problem.parameters.agreement_fixed_cost == 0 and not problem.parameters.fairness


@pytest.mark.parametrize("name", ["cap41", "cap71"])
def test_solves_to_the_published_optimum(cap_dir, name):
    pytest.importorskip("optimizer.solving.solve")
    (instance,) = orlib.read_cap_file(cap_dir / f"{name}.txt")
    optima = orlib.read_optimal_values(cap_dir.parent / "optimal_values.csv")
    row = orlib.solve_instance(instance, optima[name], time_limit_s=60)
    assert row.proven_optimal
    assert row.objective == pytest.approx(optima[name], rel=orlib.TOLERANCE)


@pytest.mark.parametrize("column", ["optimal_value", "optimum"])
def test_an_optima_file_may_name_its_value_column_either_way(tmp_path, column):
    path = tmp_path / "optima.csv"
    path.write_text(f"instance,{column},source\ncap41,1040444.375,x\ncap42,,blank\n")
    assert orlib.read_optimal_values(path) == {"cap41": pytest.approx(1040444.375)}


def test_an_optima_file_without_a_value_column_is_refused_and_a_missing_one_is_exit_2(tmp_path):
    path = tmp_path / "optima.csv"
    path.write_text("instance,value\ncap41,1\n")
    with pytest.raises(ValueError, match="'optimal_value', 'optimum'; it has instance, value"):
        orlib.read_optimal_values(path)
    assert orlib.main(["--optima", str(tmp_path / "none.csv"), str(path)]) == 2
    assert orlib.main(["--optima", str(path), str(path)]) == 2
