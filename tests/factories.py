"""Builders of tiny :class:`ProblemData` cases for tests.

Everything goes through :func:`optimizer.problem.data.assemble_problem`, so costs and demand
are derived exactly as for real inputs. Facilities get their annual cost straight from
``annual_cost`` (no floor area, no capital outlay) unless ``capital_cost`` is given, in
which case one rebuild of that amount falls due in the first years (the annual cost then
includes its annuity; read ``problem.facilities["annual_cost"]`` for the exact value).

Example::

    problem = tiny_problem(
        municipalities=[town("A", 35.0, 139.0, 100), town("B", 35.0, 139.1, 50)],
        facilities=[site("LA", "library", "A", capacity=200, annual_cost=10e6)],
        types=["library"],
        fairness=False,
    )
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from optimizer.problem.data import Parameters, ProblemData, Rules, assemble_problem

__all__ = [
    "town",
    "zone",
    "site",
    "candidate",
    "facility_types",
    "tiny_problem",
    "three_city_problem",
]

TYPE_DEFAULTS = {
    "name_ja": "",
    "demand_basis": "population",
    "demand_per_person": 1.0,
    "capacity_unit": "units",
    "max_distance_km": 50.0,
    "renovation_unit_cost": 0.0,
    "rebuild_unit_cost": 0.0,
    "life_years": 60,
    "renovation_year": 30,
    "user_travel_cost_per_km": 0.0,
    "routine_repair_per_m2": 0.0,
}


def town(
    code: str,
    lat: float = 35.0,
    lon: float = 139.0,
    population: float = 100.0,
    *,
    population_75plus: float = 0.0,
    may_share: bool = True,
    capital_budget: float = np.nan,
    name: str | None = None,
) -> dict:
    """One municipality row (as a dict) for :func:`tiny_problem`."""
    return {
        "code": str(code),
        "name": name or f"town {code}",
        "lat": lat,
        "lon": lon,
        "population": population,
        "population_75plus": population_75plus,
        "may_share": may_share,
        "capital_budget": capital_budget,
    }


def zone(
    id: str,
    municipality: str,
    lat: float,
    lon: float,
    population: float,
    population_75plus: float | None = None,
    name: str | None = None,
) -> dict:
    """One zone row (as a dict) for :func:`tiny_problem`'s ``zones``."""
    return {
        "zone": str(id),
        "municipality": str(municipality),
        "name": name or f"zone {id}",
        "lat": lat,
        "lon": lon,
        "population": population,
        "population_75plus": np.nan if population_75plus is None else population_75plus,
    }


def site(
    id: str,
    type: str,
    municipality: str,
    *,
    capacity: float = 1000.0,
    annual_cost: float = 1_000_000.0,
    status: str = "free",
    capital_cost: float | None = None,
    lat: float | None = None,
    lon: float | None = None,
    year_built: int | None = 2000,
    name: str | None = None,
) -> dict:
    """One existing facility row for :func:`tiny_problem`.

    ``lat``/``lon`` default to the host municipality's point. ``capital_cost`` [yen], when
    given, is a rebuild due now (the building is past its life), so that keeping the
    facility spends it within the horizon.
    """
    overdue = capital_cost is not None
    return {
        "id": str(id),
        "name": name or f"facility {id}",
        "type": type,
        "municipality": str(municipality),
        "lat": lat,
        "lon": lon,
        "capacity": float(capacity),
        "floor_area_m2": np.nan,
        "year_built": 1900 if overdue else year_built,
        "annual_operating_cost": float(annual_cost),
        "status": status,
        "is_candidate": False,
        "build_cost": np.nan,
        "renewal_cost": float(capital_cost) if overdue else np.nan,
    }


def candidate(
    id: str,
    type: str,
    municipality: str,
    *,
    capacity: float = 1000.0,
    build_cost: float = 0.0,
    annual_cost: float = 1_000_000.0,
    status: str = "free",
    lat: float | None = None,
    lon: float | None = None,
    name: str | None = None,
) -> dict:
    """One candidate site: ``annual_cost`` is its operating cost; ``build_cost`` [yen]."""
    row = site(
        id,
        type,
        municipality,
        capacity=capacity,
        annual_cost=annual_cost,
        status=status,
        lat=lat,
        lon=lon,
        name=name,
        year_built=None,
    )
    row.update(is_candidate=True, build_cost=float(build_cost))
    return row


def facility_types(types: Iterable[str] | Mapping[str, Mapping] = ("library",)) -> pd.DataFrame:
    """The ``facility_types`` table: names with defaults, or ``{type: {column: value}}``."""
    spec = types if isinstance(types, Mapping) else {t: {} for t in types}
    rows = {str(k): {**TYPE_DEFAULTS, **dict(v)} for k, v in spec.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "type"
    return table


def _travel_table(travel) -> pd.DataFrame | None:
    if travel is None or isinstance(travel, pd.DataFrame):
        return travel
    return pd.DataFrame(list(travel), columns=["municipality", "facility", "distance_km"])


def tiny_problem(
    municipalities: Iterable[dict],
    facilities: Iterable[dict],
    types: Iterable[str] | Mapping[str, Mapping] = ("library",),
    *,
    rules: Rules | None = None,
    travel=None,
    zones: Iterable[dict] | None = None,
    **param_overrides,
) -> ProblemData:
    """A small :class:`ProblemData` from rows made by :func:`town`, :func:`site`, ...

    Parameters
    ----------
    municipalities, facilities
        Rows from :func:`town` and :func:`site` / :func:`candidate`.
    types
        Type names (defaults: demand 1 per resident, 50 km, no travel cost) or a mapping
        ``{type: {column: value}}`` overriding :data:`TYPE_DEFAULTS`.
    rules
        Policy rules.
    travel
        Road distances: a DataFrame or tuples ``(municipality, facility, distance_km)``.
    zones
        Rows from :func:`zone` (``None``: each town's residents at its point).
    **param_overrides
        Fields of :class:`optimizer.problem.data.Parameters` (e.g. ``fairness=False``).
        Defaults here differ from the workbook's in two places: ``discount_rate=0``
        and ``agreement_fixed_cost=0`` unless given, so annual costs are easy to read.
    """
    towns = pd.DataFrame(list(municipalities)).set_index("code")
    towns["may_share"] = towns["may_share"].astype(bool)
    towns["capital_budget"] = towns["capital_budget"].astype(float)
    sites = pd.DataFrame(list(facilities)).set_index("id")
    for axis in ("lat", "lon"):
        hosts = towns.loc[sites["municipality"], axis].to_numpy()
        sites[axis] = sites[axis].astype(float).fillna(pd.Series(hosts, index=sites.index))
    sites["year_built"] = pd.array(sites["year_built"], dtype="Int64")
    sites["is_candidate"] = sites["is_candidate"].astype(bool)
    params = {"discount_rate": 0.0, "agreement_fixed_cost": 0.0, **param_overrides}
    return assemble_problem(
        towns,
        facility_types(types),
        sites,
        Parameters(**params),
        rules=rules,
        travel=_travel_table(travel),
        zones=None if zones is None else pd.DataFrame(list(zones)).set_index("zone"),
    )


THREE_CITY_PARTNERS = {"care": ("A", "B"), "library": ("A", "C"), "hall": ("B", "C")}
"""For each type, the pair of towns that may share a facility of that type."""


def three_city_problem(**param_overrides) -> ProblemData:
    """The design's horizontal pattern, built to have one optimum.

    Towns A, B, C (100 residents each, demand 1 per resident) each own one care home,
    one library and one hall of capacity 200, at 10 M yen/year each, except the three
    facilities of the pattern, at 9 M: A's care home, C's library, B's hall. Road
    distances (the ``travel`` table) are 2 km inside a town, 8 km between the two towns
    of :data:`THREE_CITY_PARTNERS` for that type, 40 km otherwise; every type allows
    10 km. So for each type only one pair can share, and sharing the cheaper of the
    two facilities is strictly best. The unique optimum: A keeps the care home that A and
    B use, C keeps the library that A and C use, B keeps the hall that B and C use;
    each town also keeps its own facility of the type it does not share (A's hall, B's
    library, C's care home); agreements A–B, A–C, B–C.
    """
    towns = [town("A", 35.00, 139.00), town("B", 35.00, 139.10), town("C", 35.08, 139.05)]
    cheap = {("care", "A"), ("library", "C"), ("hall", "B")}
    sites, travel = [], []
    for kind, partners in THREE_CITY_PARTNERS.items():
        for host in "ABC":
            fid = f"{kind[0].upper()}-{host}"
            cost = 9e6 if (kind, host) in cheap else 10e6
            sites.append(site(fid, kind, host, capacity=200.0, annual_cost=cost))
            for user in "ABC":
                shared = user != host and {user, host} == set(partners)
                km = 2.0 if user == host else (8.0 if shared else 40.0)
                travel.append((user, fid, km))
    types = {
        k: {"max_distance_km": 10.0, "user_travel_cost_per_km": 100.0} for k in THREE_CITY_PARTNERS
    }
    return tiny_problem(towns, sites, types, travel=travel, **param_overrides)
