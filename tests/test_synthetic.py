"""Synthetic metropolitan areas: deterministic, schema-shaped, plausible, servable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.problem.data import ProblemData
from optimizer.schema import SHEETS_BY_NAME
from optimizer.sources.synthetic import CAPACITY_MARGIN, synthetic_problem, synthetic_tables


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return synthetic_tables(30, 500, seed=3)


def test_same_seed_same_tables():
    a, b = synthetic_tables(12, 80, seed=7), synthetic_tables(12, 80, seed=7)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_other_seed_other_tables():
    a, b = synthetic_tables(12, 80, seed=1), synthetic_tables(12, 80, seed=2)
    assert not a["municipalities"]["population"].equals(b["municipalities"]["population"])


def test_columns_are_schema_columns(tables):
    for name, frame in tables.items():
        known = set(SHEETS_BY_NAME[name].column_index)
        assert set(frame.columns) <= known, (name, set(frame.columns) - known)


def test_sizes_and_unique_keys(tables):
    assert len(tables["municipalities"]) == 30
    assert len(tables["facilities"]) == 500
    assert tables["municipalities"]["code"].is_unique
    ids = pd.concat([tables["facilities"]["id"], tables["candidates"]["id"]])
    assert ids.is_unique
    assert set(tables["facilities"]["municipality"]) <= set(tables["municipalities"]["code"])


def test_codes_are_jis_like_text(tables):
    codes = tables["municipalities"]["code"]
    assert codes.str.fullmatch(r"\d{5}").all()


def test_population_heavy_tailed_and_aged_share_in_band(tables):
    m = tables["municipalities"]
    share = m["population_75plus"] / m["population"]
    assert share.between(0.119, 0.201).all()
    assert m["population"].max() > 4 * m["population"].median()


def test_inside_japan(tables):
    for frame in (tables["municipalities"], tables["facilities"], tables["candidates"]):
        assert frame["lat"].between(20, 46).all() and frame["lon"].between(122, 154).all()


def test_facility_attributes_plausible(tables):
    f = tables["facilities"]
    assert set(f["type"]) == {"library", "hall", "care"}
    assert f["year_built"].between(1960, 2020).all()
    assert (f["capacity"] > 0).all() and (f["floor_area_m2"] > 0).all()
    assert (f["annual_operating_cost"] > 0).all()
    assert (tables["candidates"]["build_cost"] > 0).all()


def test_every_type_has_capacity_margin(tables):
    types = tables["facility_types"].set_index("type")
    m, f = tables["municipalities"], tables["facilities"]
    for kind, row in types.iterrows():
        demand = m[row["demand_basis"]].sum() * row["demand_per_person"]
        capacity = f.loc[f["type"] == kind, "capacity"].sum()
        assert capacity == pytest.approx(CAPACITY_MARGIN * demand, rel=0.1)


def test_every_municipality_can_serve_itself(tables):
    """The full set: own facilities and candidates hold at least the own demand."""
    types = tables["facility_types"].set_index("type")
    m = tables["municipalities"].set_index("code")
    sites = pd.concat([tables["facilities"], tables["candidates"]])
    own = sites.groupby(["municipality", "type"])["capacity"].sum()
    for kind, row in types.iterrows():
        demand = m[row["demand_basis"]] * row["demand_per_person"]
        held = own.xs(kind, level="type").reindex(m.index, fill_value=0.0)
        assert (held >= demand - 1.0).all(), kind


def _geodesic_km(lat1, lon1, lat2, lon2):
    """Haversine distance [km] (mean Earth radius), an independent yardstick."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dlat = p2 - p1
    dlon = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


@pytest.mark.parametrize("size", [(1, 3), (10, 12), (60, 1000)])
def test_every_municipality_reaches_every_type(size):
    tables = synthetic_tables(*size, seed=5)
    m = tables["municipalities"]
    sites = pd.concat([tables["facilities"], tables["candidates"]])
    detour = 1.3
    for _, row in tables["facility_types"].iterrows():
        same = sites[sites["type"] == row["type"]]
        dist = _geodesic_km(
            m["lat"].to_numpy(), m["lon"].to_numpy(), same["lat"].to_numpy(), same["lon"].to_numpy()
        )
        assert (detour * dist.min(axis=1) <= row["max_distance_km"]).all(), row["type"]


def test_problem_goes_through_the_shared_constructor():
    problem = synthetic_problem(10, 100, seed=0)
    assert isinstance(problem, ProblemData)
    assert len(problem.municipalities) == 10
    assert problem.facilities["is_candidate"].sum() >= 2
    assert (problem.facilities["annual_cost"] > 0).all()
    assert problem.demand.shape == (10, 3)


@pytest.mark.parametrize("bad", [(0, 10), (5, 2)])
def test_bad_sizes_are_refused(bad):
    with pytest.raises(ValueError):
        synthetic_tables(*bad)
