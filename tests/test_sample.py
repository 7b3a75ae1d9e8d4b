"""The embedded sample: committed workbook = what the script builds; it validates;
every municipality can reach a facility of every type."""

from __future__ import annotations

import openpyxl
from geopy.distance import geodesic

from optimizer.outputs.workbooks import write_workbook
from optimizer.problem.network import access_arcs
from optimizer.sources.sample import SAMPLE_CSV_DIR, SAMPLE_WORKBOOK, sample_tables
from optimizer.workbook.assemble import load_problem


def cells(path):
    book = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book}


def build_sample(csv_dir, out):
    """What ``python inputs/build_sample.py`` does."""
    return write_workbook(sample_tables(csv_dir), out, lang="ja")


def test_committed_sample_equals_the_build(tmp_path):
    built = build_sample(SAMPLE_CSV_DIR, tmp_path / "sample.xlsx")
    assert cells(built) == cells(SAMPLE_WORKBOOK)


def test_build_is_byte_for_byte_reproducible(tmp_path):
    first = build_sample(SAMPLE_CSV_DIR, tmp_path / "a.xlsx").read_bytes()
    second = build_sample(SAMPLE_CSV_DIR, tmp_path / "b.xlsx").read_bytes()
    assert first == second


def test_sample_validates_without_errors_or_warnings():
    problem, warnings = load_problem(SAMPLE_WORKBOOK)
    assert warnings == []
    assert "例示" in problem.parameters.area_name
    assert 8 <= len(problem.municipalities) <= 10
    existing = problem.facilities[~problem.facilities["is_candidate"]]
    assert 40 <= len(existing) <= 70
    assert 4 <= problem.facilities["is_candidate"].sum() <= 8
    assert set(problem.facilities["type"]) == {"library", "hall", "care"}
    assert (existing["year_built"] <= 1985).sum() >= 10
    assert (problem.municipalities["population"] < 30_000).sum() >= 2


def test_every_municipality_can_be_served():
    problem, _ = load_problem(SAMPLE_WORKBOOK)
    detour = problem.parameters.detour_factor
    override = {(r.municipality, r.facility): r.distance_km for r in problem.travel.itertuples()}
    for code, town in problem.municipalities.iterrows():
        for kind, spec in problem.facility_types.iterrows():
            sites = problem.facilities[problem.facilities["type"] == kind]
            distances = [
                override.get(
                    (code, fid), geodesic((town.lat, town.lon), (site.lat, site.lon)).km * detour
                )
                for fid, site in sites.iterrows()
            ]
            assert min(distances) <= spec["max_distance_km"], (code, kind)


def test_sample_capacity_covers_demand():
    problem, _ = load_problem(SAMPLE_WORKBOOK)
    existing = problem.facilities[~problem.facilities["is_candidate"]]
    capacity = existing.groupby("type")["capacity"].sum()
    demand = problem.demand.sum().reindex(capacity.index)
    assert (capacity >= demand).all()


def test_every_zone_can_be_served():
    """Where residents live (the zones sheet), each demand point reaches a facility or
    candidate of every type within its maximum distance."""
    problem, _ = load_problem(SAMPLE_WORKBOOK)
    assert len(problem.points) == len(problem.zones) > len(problem.municipalities)
    reached = set(zip(access_arcs(problem)["point"], access_arcs(problem)["type"], strict=True))
    for point in problem.points.index:
        for kind in problem.types:
            assert (point, kind) in reached, (point, kind)
