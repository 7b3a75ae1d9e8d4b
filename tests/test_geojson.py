"""plan.geojson: facilities, flows and zones of a run, for GIS tools."""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLE
from factories import site, tiny_problem, town, zone
from small_area import write_small_area

from optimizer.config import RunSettings
from optimizer.outputs.geojson import GEOJSON_NAME, plan_features, plan_geojson_text
from optimizer.runs.pipeline import run
from optimizer.solving.solve import SolverSettings, solve_problem

KM_EAST = 1.0 / (111.320 * np.cos(np.radians(35.0)))
QUICK = {"shapley": "off", "documents": False, "processes": 1}


def _refuse_nan(token: str) -> float:
    raise AssertionError(f"{token} written in plan.geojson")


def read_geojson(path: Path) -> dict:
    """plan.geojson with the standard json module; NaN or Infinity fail the test."""
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse_nan)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """One run of the whole sample (its zones sheet gives several points a town)."""
    if not SAMPLE.is_file():
        pytest.skip("inputs/sample.xlsx has not been built")
    out = tmp_path_factory.mktemp("sample-run")
    return run(SAMPLE, RunSettings(output_root=out, **QUICK))


def by_kind(collection: dict) -> dict[str, list[dict]]:
    kinds: dict[str, list[dict]] = {}
    for feature in collection["features"]:
        kinds.setdefault(feature["properties"]["kind"], []).append(feature)
    return kinds


def test_a_run_writes_plan_geojson_with_a_feature_per_facility_flow_and_zone(sample_run):
    path = sample_run.folder / GEOJSON_NAME
    assert sample_run.outputs[GEOJSON_NAME] == path
    collection = read_geojson(path)
    assert collection["type"] == "FeatureCollection"
    kinds = by_kind(collection)
    solution, problem = sample_run.solution, sample_run.problem
    assert set(kinds) == {"facility", "flow", "zone"}
    assert len(kinds["facility"]) == len(solution.facilities)
    assert len(kinds["flow"]) == len(solution.point_flows)
    assert len(kinds["zone"]) == len(problem.points)
    assert len(problem.points) > len(problem.municipalities)  # the sample has zones
    geometry = Counter((f["properties"]["kind"], f["geometry"]["type"]) for f in kinds["flow"])
    assert geometry == {("flow", "LineString"): len(solution.point_flows)}
    assert {f["geometry"]["type"] for f in kinds["facility"] + kinds["zone"]} == {"Point"}


def test_positions_are_longitude_then_latitude(sample_run):
    collection = read_geojson(sample_run.folder / GEOJSON_NAME)
    facilities = sample_run.problem.facilities
    for feature in by_kind(collection)["facility"]:
        lon, lat = feature["geometry"]["coordinates"]
        row = facilities.loc[feature["properties"]["id"]]
        assert (lon, lat) == pytest.approx((row["lon"], row["lat"]), abs=1e-7)
        assert 122 < lon < 154 and 20 < lat < 46  # Japan, never swapped


def test_facility_properties_state_the_decision_and_the_use(sample_run):
    collection = read_geojson(sample_run.folder / GEOJSON_NAME)
    table = sample_run.solution.facilities
    names = sample_run.problem.municipalities["name"]
    for feature in by_kind(collection)["facility"]:
        p = feature["properties"]
        row = table.loc[p["id"]]
        assert p["decision"] == row["decision"]
        assert p["type"] == row["type"] and p["municipality"] == row["municipality"]
        assert p["municipality_name"] == names[row["municipality"]]
        assert p["use"] == pytest.approx(row["served"], rel=1e-9, abs=1e-6)
        assert p["utilisation"] == pytest.approx(row["utilisation"], rel=1e-9, abs=1e-12)
        assert p["capacity"] == pytest.approx(row["capacity"])
        assert p["operator"] in {"municipal", "private", "prefecture"}
    decisions = Counter(f["properties"]["decision"] for f in by_kind(collection)["facility"])
    assert decisions == Counter(table["decision"])


def test_flows_carry_the_demand_the_facilities_serve_and_name_border_crossings(sample_run):
    collection = read_geojson(sample_run.folder / GEOJSON_NAME)
    flows = by_kind(collection)["flow"]
    served: Counter[str] = Counter()
    for feature in flows:
        p = feature["properties"]
        served[p["facility"]] += p["demand"]
        assert p["cross_border"] == (p["municipality"] != p["host"])
        start, end = feature["geometry"]["coordinates"]
        point = sample_run.problem.points.loc[p["point"]]
        assert start == pytest.approx([point["lon"], point["lat"]], abs=1e-7)
    facilities = sample_run.solution.facilities
    for fid, amount in served.items():
        assert amount == pytest.approx(facilities.at[fid, "served"], rel=1e-9)
    assert any(f["properties"]["cross_border"] for f in flows)  # the sample shares


def test_the_manifest_lists_plan_geojson_with_its_hash(sample_run):
    manifest = json.loads((sample_run.folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"]: entry for entry in manifest["outputs"]}
    assert GEOJSON_NAME in listed
    assert listed[GEOJSON_NAME]["bytes"] == (sample_run.folder / GEOJSON_NAME).stat().st_size


def test_the_file_is_what_the_plan_gives(sample_run):
    text = plan_geojson_text(sample_run.problem, sample_run.solution)
    assert (sample_run.folder / GEOJSON_NAME).read_text(encoding="utf-8") == text


def test_a_rerun_writes_the_same_bytes(tmp_path):
    workbook = write_small_area(tmp_path / "area.xlsx")
    settings = RunSettings(output_root=tmp_path / "out", **QUICK)
    first = run(workbook, settings).folder
    second = run(workbook, settings).folder
    assert first != second
    assert (first / GEOJSON_NAME).read_bytes() == (second / GEOJSON_NAME).read_bytes()


def _unserved_case():
    """Town A: a library at its hall serving 10 km; 100 of its residents live 30 km east."""
    towns = [town("A", 35.0, 139.0, 1_000)]
    sites = [site("L", "library", "A", capacity=5_000, annual_cost=1e6)]
    zones = [
        zone("near", "A", 35.0, 139.0, 900),
        zone("far", "A", 35.0, 139.0 + 30 * KM_EAST, 100, name="奥の集落"),
    ]
    types = {"library": {"max_distance_km": 10.0}}
    problem = tiny_problem(towns, sites, types, zones=zones, fairness=False, detour_factor=1.0)
    return problem, solve_problem(problem, SolverSettings(mip_gap=0.0, time_limit_s=60))


def test_zones_state_their_population_and_the_demand_left_unserved():
    problem, solution = _unserved_case()
    zones = {
        f["properties"]["id"]: f["properties"]
        for f in by_kind(plan_features(problem, solution))["zone"]
    }
    assert set(zones) == {"near", "far"}
    assert zones["far"]["name"] == "奥の集落"
    assert zones["far"]["population"] == pytest.approx(100)
    assert zones["far"]["unserved_library"] == pytest.approx(100.0)
    assert zones["near"]["unserved_library"] == 0.0


def test_a_missing_number_is_null_never_nan():
    problem, solution = _unserved_case()
    facilities = solution.facilities.copy()
    facilities["utilisation"] = math.nan
    broken = dataclasses.replace(solution, facilities=facilities)
    text = plan_geojson_text(problem, broken)
    assert "NaN" not in text
    (facility,) = by_kind(json.loads(text))["facility"]
    assert facility["properties"]["utilisation"] is None


def test_gdal_reads_the_file(sample_run):
    pyogrio = pytest.importorskip("pyogrio")
    path = sample_run.folder / GEOJSON_NAME
    info = pyogrio.read_info(path)
    assert info["features"] == len(read_geojson(path)["features"])
    assert "EPSG:4326" in str(info["crs"]) or "WGS 84" in str(info["crs"])
    _, _, _, fields = pyogrio.raw.read(path, columns=["kind"])
    counts = Counter(fields[0].tolist())
    assert counts == {
        "facility": len(sample_run.solution.facilities),
        "flow": len(sample_run.solution.point_flows),
        "zone": len(sample_run.problem.points),
    }
