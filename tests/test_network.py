"""Distances and access arcs."""

from __future__ import annotations

import numpy as np
import pytest
from factories import site, tiny_problem, town
from geopy.distance import geodesic

from optimizer.problem.geodesy import geodesic_km
from optimizer.problem.network import access_arcs, pair_distances

JAPAN_POINTS = [
    (35.6812, 139.7671, 35.6580, 139.7016),  # Tokyo station – Shibuya, a few km
    (35.6667, 139.3158, 35.7139, 139.4078),  # Hachioji – Tachikawa
    (43.0621, 141.3544, 26.2124, 127.6809),  # Sapporo – Naha, ~2,240 km
    (34.6937, 135.5023, 35.1815, 136.9066),  # Osaka – Nagoya
    (35.0, 139.0, 35.0, 139.0),  # the same point
    (33.5904, 130.4017, 33.5904, 130.4018),  # ~9 m apart
]


@pytest.mark.parametrize("lat1, lon1, lat2, lon2", JAPAN_POINTS)
def test_geodesic_matches_geopy_to_a_millimetre(lat1, lon1, lat2, lon2):
    expected = geodesic((lat1, lon1), (lat2, lon2)).km
    assert geodesic_km(lat1, lon1, lat2, lon2) == pytest.approx(expected, abs=1e-6)


def test_geodesic_broadcasts_a_matrix():
    rng = np.random.default_rng(3)
    lat = rng.uniform(31, 44, size=(7, 1))
    lon = rng.uniform(129, 145, size=(7, 1))
    flat = rng.uniform(31, 44, size=(1, 5))
    flon = rng.uniform(129, 145, size=(1, 5))
    km = geodesic_km(lat, lon, flat, flon)
    assert km.shape == (7, 5)
    expected = [
        [geodesic((a, b), (c, d)).km for c, d in zip(flat[0], flon[0], strict=True)]
        for a, b in zip(lat[:, 0], lon[:, 0], strict=True)
    ]
    np.testing.assert_allclose(km, expected, rtol=1e-9)


def _line_problem(**overrides):
    # Towns on a parallel, about 9.1 km per 0.1 degree of longitude at 35°N.
    towns = [town("A", 35.0, 139.0), town("B", 35.0, 139.1), town("C", 35.0, 139.3)]
    sites = [site("L-A", "library", "A"), site("L-C", "library", "C")]
    return tiny_problem(towns, sites, {"library": {"max_distance_km": 15.0}}, **overrides)


def test_arcs_keep_only_pairs_within_the_maximum_distance():
    arcs = access_arcs(_line_problem(detour_factor=1.3))
    assert list(arcs.columns) == [
        "point",
        "municipality",
        "facility",
        "type",
        "host",
        "distance_km",
    ]
    pairs = set(zip(arcs["municipality"], arcs["facility"], strict=True))
    # A–L-A 0 km, B–L-A 9.1 × 1.3 = 11.9 km, C–L-C 0 km; B–L-C 18.3 × 1.3 km is too far.
    assert pairs == {("A", "L-A"), ("B", "L-A"), ("C", "L-C")}
    row = arcs[(arcs["municipality"] == "B") & (arcs["facility"] == "L-A")].iloc[0]
    expected = geodesic((35.0, 139.1), (35.0, 139.0)).km * 1.3
    assert row["distance_km"] == pytest.approx(expected, rel=1e-9)
    assert row["host"] == "A" and row["type"] == "library"


def test_travel_rows_override_the_geodesic_estimate_both_ways():
    problem = _line_problem(travel=[("B", "L-A", 30.0), ("B", "L-C", 14.0)])
    arcs = access_arcs(problem)
    pairs = set(zip(arcs["municipality"], arcs["facility"], strict=True))
    assert ("B", "L-A") not in pairs  # the road is longer than allowed
    assert ("B", "L-C") in pairs  # the road is short enough
    assert (
        arcs.loc[arcs["facility"].eq("L-C") & arcs["municipality"].eq("B"), "distance_km"].item()
        == 14.0
    )
    np.testing.assert_allclose(pair_distances(problem, ["B", "A"], ["L-A", "L-A"]), [30.0, 0.0])


def test_no_arcs_gives_an_empty_table_with_the_columns():
    problem = _line_problem(travel=[(c, f, 99.0) for c in "ABC" for f in ("L-A", "L-C")])
    arcs = access_arcs(problem)
    assert arcs.empty and list(arcs.columns) == [
        "point",
        "municipality",
        "facility",
        "type",
        "host",
        "distance_km",
    ]
