"""Seeded synthetic metropolitan areas, in the input workbook's tables.

A synthetic area is a stand-in for a real group of municipalities, used by the scale
benchmark and by tests: the same seed always gives the same tables, and every table
uses the sheet and column names of :mod:`optimizer.schema`, so the area can be written
to a workbook, read back and validated like a planner's file.

How an area is drawn
--------------------
Layout
    A metro centre (Tokyo, Osaka or Nagoya station, chosen by the seed). Municipality
    centres at bearing θ ~ U(0, 2π) and radius r = R·u^1.3 with u ~ U(0, 1), which puts
    many small municipalities in a dense core and fewer, larger ones at the edge.
    R = 1.3·√(40 n / π) km: the disc gives about 68 km² per municipality, the core
    much less (the 30 Tama municipalities average about 39 km²).
Population
    Log-normal (median 60,000, σ = 0.9) times a core bonus 1 + 2·exp(−3r/R), clipped to
    3,000–1,500,000: heavy-tailed, large cities near the centre. The 75+ share is
    12 % in the core rising to 20 % at the edge (±1 % noise, clipped to 12–20 %), a
    plausible range for metropolitan municipalities (Tama: 12 %–27 %, median 15 %).
Facilities
    The count is split library 30 % / hall 25 % / care 45 %. When there are at least as
    many facilities of a type as municipalities, each municipality gets one; the rest
    are drawn with probability ∝ the type's basis population. Each stands near its
    host's centre (normal offset, σ = 0.3 × distance to the nearest other municipality).
Sizes and costs
    The full set each municipality built for itself (フルセットの行政): the facilities a
    municipality hosts together hold U(1.1, 1.9) × its own demand of the type (mean
    ``CAPACITY_MARGIN`` = 1.5), split among them by log-normal weights (σ 0.5). Floor
    area, operating cost and build year follow from the rates of the real case's
    defaults (:data:`optimizer.sources.opendata.RATES`):

    ======== ===================== ==================== ==================== ===========
    type     floor area            capacity             operating cost       built
    ======== ===================== ==================== ==================== ===========
    library  capacity ÷ 120, ≥150  visits/year          40,000 yen/m²/year   1960–2020
    hall     capacity ÷ 40, ≥300   visits/year          30,000 yen/m²/year   1960–2020
    care     45 m² per bed         beds                 4.0 M yen/bed/year   1975–2020
    ======== ===================== ==================== ==================== ===========

    Floor areas ±10 %, operating costs ±20 % (uniform). Build years peak in the
    1970s–80s for libraries and halls (the public-building boom: 1960 + 60·Beta(2, 3))
    and are spread evenly over 1975–2020 for care.
Candidates
    A few new sites (one per 50 facilities, at least two) in the most populous
    municipalities; one for any municipality that no facility of a type reaches within
    the type's ``max_distance_km`` (so every municipality can be served); and one for
    any municipality that hosts no facility of a type (so each could serve itself
    alone). A candidate holds the larger of a median facility and 1.2 × its host's own
    demand, is built at the MIC rebuild unit cost + 10 % and runs at 90 % of the
    operating rate.

Facility types are :data:`optimizer.sources.opendata.FACILITY_TYPES` (library 3 visits per
resident per year within 8 km, hall 1 visit within 12 km, care within 15 km), except
that care here stands for 特養-like residential care only: 0.02 beds per resident aged
75+, so that the area's places (× ``CAPACITY_MARGIN`` = 3 % of the 75+) sit inside the
validator's sanity band (特養 ≈ 1.5–2 % of the 65+, about 2.6–3.5 % of the 75+).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.problem.data import Parameters, ProblemData
from optimizer.sources.opendata import FACILITY_TYPES as REAL_CASE_TYPES
from optimizer.sources.opendata import (
    floor_area_for,
    operating_cost_for,
    problem_from_schema_tables,
)

__all__ = [
    "synthetic_tables",
    "synthetic_problem",
    "METRO_CENTRES",
    "TYPE_SHARES",
    "CAPACITY_MARGIN",
    "FACILITY_TYPES",
]

METRO_CENTRES: dict[str, tuple[float, float, str]] = {
    "tokyo": (35.6812, 139.7671, "13"),
    "osaka": (34.7025, 135.4959, "27"),
    "nagoya": (35.1709, 136.8815, "23"),
}
"""Metro centre [lat °, lon °] and prefecture code of the synthetic codes."""

TYPE_SHARES = {"library": 0.30, "hall": 0.25, "care": 0.45}
"""Share of the facility count per type."""

CAPACITY_MARGIN = 1.5
"""Total capacity of a type ÷ total demand of that type in a synthetic area."""

KM_PER_DEG_LAT = 111.0
AREA_PER_MUNICIPALITY_KM2 = 40.0
DETOUR_FACTOR = Parameters().detour_factor

SYNTHETIC_CARE_DEMAND = 0.02
"""Residential care beds per resident aged 75+ in a synthetic area."""

FACILITY_TYPES = REAL_CASE_TYPES.assign(
    demand_per_person=np.where(
        REAL_CASE_TYPES["type"] == "care",
        SYNTHETIC_CARE_DEMAND,
        REAL_CASE_TYPES["demand_per_person"],
    )
)
"""The facility types of a synthetic area."""

ID_PREFIX = {"library": "L", "hall": "H", "care": "C"}


def synthetic_tables(
    n_municipalities: int, n_facilities: int, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """Draw a synthetic metropolitan area as input tables.

    Parameters
    ----------
    n_municipalities
        Number of municipalities (1–8,999).
    n_facilities
        Number of existing facilities, all types together (at least 3).
    seed
        Seed of the random generator; the same seed gives the same tables.

    Returns
    -------
    dict
        ``municipalities``, ``facility_types``, ``facilities``, ``candidates`` and
        ``parameters`` (name / value rows), with the column names of
        :mod:`optimizer.schema`.
    """
    if not 1 <= n_municipalities <= 8999:
        raise ValueError("n_municipalities must be between 1 and 8,999")
    if n_facilities < 3:
        raise ValueError("n_facilities must be at least 3 (one of each type)")
    rng = np.random.default_rng(seed)
    centre_name = list(METRO_CENTRES)[seed % len(METRO_CENTRES)]
    municipalities = _draw_municipalities(rng, n_municipalities, METRO_CENTRES[centre_name])
    facilities = _draw_facilities(rng, municipalities, n_facilities)
    candidates = _draw_candidates(rng, municipalities, facilities, n_facilities)
    parameters = pd.DataFrame(
        {
            "name": ["area_name", "time_limit_s", "mip_gap"],
            "value": [f"Synthetic {centre_name} area, seed {seed}", "120", "0.001"],
            "note": ["", "", ""],
        }
    )
    return {
        "municipalities": municipalities,
        "facility_types": FACILITY_TYPES.copy(),
        "facilities": facilities,
        "candidates": candidates,
        "parameters": parameters,
    }


def synthetic_problem(n_municipalities: int, n_facilities: int, seed: int = 0) -> ProblemData:
    """A synthetic area as a :class:`ProblemData`, checked by the validator.

    The tables of :func:`synthetic_tables` go through
    :func:`optimizer.sources.opendata.problem_from_schema_tables` (the validator), so a
    generator that ever produced something a planner's workbook could
    not contain fails with ``InputError``.
    """
    tables = synthetic_tables(n_municipalities, n_facilities, seed)
    source = {"format": "synthetic", "seed": seed, "size": [n_municipalities, n_facilities]}
    return problem_from_schema_tables(tables, source)


# --------------------------------------------------------------------------- layout


def _draw_municipalities(
    rng: np.random.Generator, n: int, centre: tuple[float, float, str]
) -> pd.DataFrame:
    """Municipality centres, populations and 75+ counts (see the module docstring)."""
    lat0, lon0, pref = centre
    radius_km = np.sqrt(n * AREA_PER_MUNICIPALITY_KM2 / np.pi) * 1.3
    rel = rng.uniform(0.0, 1.0, n) ** 1.3
    bearing = rng.uniform(0.0, 2 * np.pi, n)
    lat, lon = _offset(
        lat0, lon0, rel * radius_km * np.cos(bearing), rel * radius_km * np.sin(bearing)
    )
    population = rng.lognormal(np.log(60_000), 0.9, n) * (1.0 + 2.0 * np.exp(-3.0 * rel))
    population = np.clip(np.round(population, -1), 3_000, 1_500_000).astype(int)
    share75 = np.clip(0.12 + 0.08 * rel + rng.normal(0.0, 0.01, n), 0.12, 0.20)
    digits = 3 if n <= 899 else 4
    codes = [f"{pref}{i + (101 if digits == 3 else 1):0{digits}d}" for i in range(n)]
    return pd.DataFrame(
        {
            "code": codes,
            "name": [f"架空市{i + 1:03d}" for i in range(n)],
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
            "population": population,
            "population_75plus": np.round(population * share75).astype(int),
        }
    )


def _offset(lat0, lon0, north_km, east_km) -> tuple[np.ndarray, np.ndarray]:
    """Points ``north_km`` / ``east_km`` away from (lat0, lon0) [°] (flat-earth, fine below 200 km)."""
    lat = np.asarray(lat0) + np.asarray(north_km) / KM_PER_DEG_LAT
    lon = np.asarray(lon0) + np.asarray(east_km) / (KM_PER_DEG_LAT * np.cos(np.radians(lat0)))
    return lat, lon


def _planar_km(lat_a, lon_a, lat_b, lon_b) -> np.ndarray:
    """Pairwise straight-line distances [km] between point sets a (rows) and b (columns).

    An equirectangular approximation: within a metro area (< 200 km) it differs from
    the geodesic by well under 1 %, which the coverage rule below absorbs with a 10 %
    margin.
    """
    lat_a, lon_a = np.asarray(lat_a)[:, None], np.asarray(lon_a)[:, None]
    lat_b, lon_b = np.asarray(lat_b)[None, :], np.asarray(lon_b)[None, :]
    mean_lat = np.radians((lat_a + lat_b) / 2)
    north = (lat_a - lat_b) * KM_PER_DEG_LAT
    east = (lon_a - lon_b) * KM_PER_DEG_LAT * np.cos(mean_lat)
    return np.hypot(north, east)


def _nearest_neighbour_km(municipalities: pd.DataFrame) -> np.ndarray:
    """Distance from each municipality centre to the nearest other one [km]."""
    lat, lon = municipalities["lat"].to_numpy(), municipalities["lon"].to_numpy()
    if len(lat) == 1:
        return np.array([5.0])
    dist = _planar_km(lat, lon, lat, lon)
    np.fill_diagonal(dist, np.inf)
    return dist.min(axis=1)


# --------------------------------------------------------------------------- facilities


def _facility_counts(n_facilities: int) -> dict[str, int]:
    """Split the facility count by :data:`TYPE_SHARES`, at least one of each type."""
    counts = {k: max(1, int(round(n_facilities * s))) for k, s in TYPE_SHARES.items()}
    counts["care"] = max(1, n_facilities - counts["library"] - counts["hall"])
    return counts


def _hosts(rng: np.random.Generator, weight: np.ndarray, count: int) -> np.ndarray:
    """Host index per facility: one per municipality if possible, the rest ∝ weight."""
    n = len(weight)
    first = (
        np.arange(n)
        if count >= n
        else rng.choice(n, size=count, replace=False, p=weight / weight.sum())
    )
    rest = rng.choice(n, size=count - len(first), p=weight / weight.sum())
    return np.sort(np.concatenate([first, rest]))


def _capacities(rng: np.random.Generator, hosts: np.ndarray, own_demand: np.ndarray) -> np.ndarray:
    """Capacity per facility [type unit].

    Each municipality's facilities together hold U(margin − 0.4, margin + 0.4) × its own
    demand (the full set it built for itself), split among them by log-normal weights.
    """
    factor = rng.uniform(CAPACITY_MARGIN - 0.4, CAPACITY_MARGIN + 0.4, len(own_demand))
    weight = rng.lognormal(0.0, 0.5, len(hosts))
    host_weight = np.bincount(hosts, weights=weight, minlength=len(own_demand))
    return own_demand[hosts] * factor[hosts] * weight / host_weight[hosts]


def _build_years(rng: np.random.Generator, kind: str, count: int) -> np.ndarray:
    """Build years: a 1970s–80s peak for libraries and halls, even spread for care."""
    if kind == "care":
        return rng.integers(1975, 2021, count)
    return (1960 + np.round(rng.beta(2.0, 3.0, count) * 60)).astype(int)


def _draw_facilities(
    rng: np.random.Generator, municipalities: pd.DataFrame, n_facilities: int
) -> pd.DataFrame:
    """Existing facilities of every type (see the module docstring)."""
    spread_km = 0.3 * _nearest_neighbour_km(municipalities)
    frames = []
    for kind, count in _facility_counts(n_facilities).items():
        ftype = FACILITY_TYPES.set_index("type").loc[kind]
        basis = municipalities[ftype["demand_basis"]].to_numpy(dtype=float)
        hosts = _hosts(rng, basis, count)
        capacity = _capacities(rng, hosts, basis * ftype["demand_per_person"])
        capacity = np.maximum(np.round(capacity, 0 if kind == "care" else -2), 1.0)
        area = floor_area_for(kind, capacity) * rng.uniform(0.9, 1.1, count)
        operating = operating_cost_for(kind, capacity, area) * rng.uniform(0.8, 1.2, count)
        lat, lon = _offset(
            municipalities["lat"].to_numpy()[hosts],
            municipalities["lon"].to_numpy()[hosts],
            rng.normal(0.0, spread_km[hosts]),
            rng.normal(0.0, spread_km[hosts]),
        )
        frames.append(
            pd.DataFrame(
                {
                    "id": [f"{ID_PREFIX[kind]}-{i + 1:05d}" for i in range(count)],
                    "name": [f"{ftype['name_ja']}{i + 1:05d}" for i in range(count)],
                    "type": kind,
                    "municipality": municipalities["code"].to_numpy()[hosts],
                    "lat": np.round(lat, 6),
                    "lon": np.round(lon, 6),
                    "capacity": capacity,
                    "floor_area_m2": np.round(area, 0),
                    "year_built": _build_years(rng, kind, count),
                    "annual_operating_cost": np.round(operating, -3),
                    "renewal_cost": np.nan,
                    "status": "free",
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _candidate_rows(
    kind: str, hosts: np.ndarray, municipalities: pd.DataFrame, facilities: pd.DataFrame, start: int
) -> pd.DataFrame:
    """New sites of ``kind`` at the centres of ``hosts``.

    Each is sized like a median facility of the type, or larger, to hold 1.2 × its
    host's own demand; it is built at the MIC rebuild unit cost + 10 % and runs at 90 %
    of the operating rate (a new, efficient building).
    """
    ftype = FACILITY_TYPES.set_index("type").loc[kind]
    median = float(facilities.loc[facilities["type"] == kind, "capacity"].median())
    own = municipalities[ftype["demand_basis"]].to_numpy(dtype=float)[hosts]
    capacity = np.maximum(median, np.ceil(1.2 * own * ftype["demand_per_person"]))
    area = np.round(floor_area_for(kind, capacity), 0)
    n = len(hosts)
    return pd.DataFrame(
        {
            "id": [f"N{ID_PREFIX[kind]}-{start + i + 1:04d}" for i in range(n)],
            "name": [f"新設候補{start + i + 1:04d}" for i in range(n)],
            "type": kind,
            "municipality": municipalities["code"].to_numpy()[hosts],
            "lat": municipalities["lat"].to_numpy()[hosts],
            "lon": municipalities["lon"].to_numpy()[hosts],
            "capacity": capacity,
            "floor_area_m2": area,
            "build_cost": np.round(area * ftype["rebuild_unit_cost"] * 1.1, -3),
            "annual_operating_cost": np.round(0.9 * operating_cost_for(kind, capacity, area), -3),
            "status": "free",
        }
    )


def _without_own(kind: str, municipalities: pd.DataFrame, facilities: pd.DataFrame) -> np.ndarray:
    """Municipalities that host no facility of ``kind`` (they could build their own)."""
    hosted = set(facilities.loc[facilities["type"] == kind, "municipality"])
    return np.flatnonzero(~municipalities["code"].isin(hosted).to_numpy())


def _uncovered_hosts(
    kind: str, municipalities: pd.DataFrame, facilities: pd.DataFrame
) -> np.ndarray:
    """Municipalities no facility of ``kind`` reaches within 90 % of its max distance."""
    same = facilities[facilities["type"] == kind]
    limit = FACILITY_TYPES.set_index("type").loc[kind, "max_distance_km"]
    dist = _planar_km(municipalities["lat"], municipalities["lon"], same["lat"], same["lon"])
    reach = DETOUR_FACTOR * dist.min(axis=1)
    return np.flatnonzero(reach > 0.9 * limit)


def _draw_candidates(
    rng: np.random.Generator,
    municipalities: pd.DataFrame,
    facilities: pd.DataFrame,
    n_facilities: int,
) -> pd.DataFrame:
    """A few growth sites, plus one per uncovered municipality and type."""
    n_growth = max(2, n_facilities // 50)
    biggest = np.argsort(-municipalities["population"].to_numpy(), kind="stable")
    kinds = rng.choice(list(TYPE_SHARES), size=n_growth, p=list(TYPE_SHARES.values()))
    frames, start = [], 0
    for kind in TYPE_SHARES:
        hosts = biggest[: int((kinds == kind).sum())]
        hosts = np.union1d(hosts, _uncovered_hosts(kind, municipalities, facilities))
        hosts = np.union1d(hosts, _without_own(kind, municipalities, facilities))
        if len(hosts):
            frames.append(_candidate_rows(kind, hosts, municipalities, facilities, start))
            start += len(hosts)
    return pd.concat(frames, ignore_index=True)
