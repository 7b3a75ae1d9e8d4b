"""Service levels of a plan: how far residents live from the nearest open facility,
today and under the plan, and the floor area the municipalities keep.

These are the key figures of a 公共施設等総合管理計画 and the answer to a council's first
question, "who loses access?". Two states are compared:

* **today** (*before*): every existing facility open (candidate sites not built);
* **the plan** (*after*): the facilities the solution keeps open or builds.

Distances are measured from each *zone* (not from the merged demand points the model
may use), to the nearest open facility of each type, with the access distance of the
model (:func:`optimizer.problem.network.pair_distances`): the ``travel`` sheet's road
distance where it names the zone's municipality and the facility, else the geodesic
distance × ``detour_factor``. The nearest facility may stand in another municipality:
these figures show where residents could go, whatever the agreements say.

The residents counted for a type are its demand basis (``population`` or
``population_75plus``, from ``facility_types.demand_basis``) as the zones give them.
Nothing here solves anything: pandas and numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.problem.network import pair_distances
from optimizer.results.solution import Solution

__all__ = [
    "DISTANCE_BANDS_KM",
    "BANDS",
    "GRID_STEP_KM",
    "GROWTH_KM",
    "ALL_TYPES",
    "Access",
    "ServiceResults",
    "existing_ids",
    "planned_ids",
    "nearest_distances",
    "access_before_after",
    "service_levels",
    "zones_losing_access",
    "distance_distribution",
    "floor_area",
    "service_results",
]

DISTANCE_BANDS_KM = (1.0, 2.0, 5.0)
"""The fixed distance bands of the service-level table [km]; the type's own maximum
distance is the last band (``limit``)."""
BANDS = ("1km", "2km", "5km", "limit")
"""Band keys of the service-level columns, in the order of :data:`DISTANCE_BANDS_KM`
then the type's maximum distance."""
GRID_STEP_KM = 0.25
"""Step of the cumulative distance distribution [km]."""
GROWTH_KM = 1.0
"""A zone whose access distance grows by more than this [km] is listed as losing access."""
ALL_TYPES = "(all)"
"""Index label of the all-types row of :func:`floor_area`."""

_BLOCK_CELLS = 400_000  # zone × facility distances computed at once


@dataclass(frozen=True)
class Access:
    """Nearest-facility distances of every zone and type, today and under the plan
    (two tables of :func:`nearest_distances`, rows in the same order)."""

    before: pd.DataFrame
    after: pd.DataFrame


@dataclass(frozen=True)
class ServiceResults:
    """Every service figure of a plan, computed from one :class:`Access`."""

    levels: pd.DataFrame
    losing: pd.DataFrame
    distribution: pd.DataFrame
    floor: pd.DataFrame
    access: Access | None = None


def existing_ids(problem: ProblemData) -> pd.Index:
    """The existing facilities (not candidate sites): what is open today."""
    facilities = problem.facilities
    return pd.Index(facilities.index[~facilities["is_candidate"].astype(bool)].astype(str))


def planned_ids(solution: Solution) -> pd.Index:
    """The facilities the plan keeps open or builds."""
    facilities = solution.facilities
    return pd.Index(facilities.index[facilities["open"].astype(bool)].astype(str))


def _zone_problem(problem: ProblemData) -> ProblemData:
    """The problem with its zones as demand points, so that
    :func:`~optimizer.problem.network.pair_distances` measures from each zone."""
    return problem.replace(points=problem.zones)


def _nearest(problem: ProblemData, id_sets: list[set[str]]) -> list[pd.DataFrame]:
    """:func:`nearest_distances` for several sets of open facilities, each distance
    computed once (for the union of the sets)."""
    facilities = problem.facilities
    ids = facilities.index.astype(str)
    members = [ids.isin(list(wanted)) for wanted in id_sets]
    kinds = facilities["type"].astype(str).to_numpy(dtype=object)
    zones = problem.zones
    zone_ids = zones.index.to_numpy(dtype=object).astype(str)
    towns = zones["municipality"].to_numpy(dtype=object).astype(str)
    view = _zone_problem(problem)
    pieces: list[list[pd.DataFrame]] = [[] for _ in id_sets]
    for kind in problem.types:
        of_type = kinds == str(kind)
        union = of_type & np.any(members, axis=0)
        sites = ids[union].to_numpy(dtype=object)
        # Which of the union's sites each set opens (a mask over the distance columns).
        masks = [member[union] for member in members]
        distance = np.full((len(id_sets), len(zone_ids)), np.inf)
        nearest = np.full((len(id_sets), len(zone_ids)), None, dtype=object)
        if len(sites) and len(zone_ids):
            block = max(1, _BLOCK_CELLS // len(sites))
            for start in range(0, len(zone_ids), block):
                rows = zone_ids[start : start + block]
                here = slice(start, start + len(rows))
                km = pair_distances(
                    view, np.repeat(rows, len(sites)), np.tile(sites, len(rows))
                ).reshape(len(rows), len(sites))
                for n, mask in enumerate(masks):
                    if not mask.any():
                        continue
                    masked = np.where(mask[None, :], km, np.inf)
                    best = np.argmin(masked, axis=1)
                    distance[n, here] = masked[np.arange(len(rows)), best]
                    nearest[n, here] = sites[best]
        for n in range(len(id_sets)):
            pieces[n].append(
                pd.DataFrame(
                    {
                        "zone": zone_ids,
                        "municipality": towns,
                        "type": str(kind),
                        "distance_km": distance[n],
                        "facility": nearest[n],
                    }
                )
            )
    return [
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["zone", "municipality", "type", "distance_km", "facility"])
        for parts in pieces
    ]


def nearest_distances(problem: ProblemData, open_ids: Iterable[str]) -> pd.DataFrame:
    """Per zone and type, the access distance to the nearest facility among ``open_ids``.

    Computed in blocks of zones over the facilities of each type (a few hundred
    thousand distances at a time).

    Returns
    -------
    pandas.DataFrame
        One row per (type, zone), types in ``facility_types`` order, zones in the zone
        table's order, fresh RangeIndex. Columns ``zone``, ``municipality``, ``type``,
        ``distance_km`` [km] (``inf`` when no facility of the type is open) and
        ``facility`` (the nearest one's id, ``None`` when there is none; the first in
        input order on a tie).
    """
    return _nearest(problem, [{str(j) for j in open_ids}])[0]


def access_before_after(problem: ProblemData, solution: Solution) -> Access:
    """Nearest distances today (every existing facility open) and under the plan."""
    today = set(existing_ids(problem))
    plan = set(planned_ids(solution))
    before, after = _nearest(problem, [today, plan])
    return Access(before=before, after=after)


def _with_residents(problem: ProblemData, access: Access) -> pd.DataFrame:
    """One row per (type, zone): residents of the type's basis, distance before and
    after, the limit, and the nearest facility after."""
    table = access.before[["zone", "municipality", "type"]].copy()
    basis = problem.facility_types["demand_basis"].astype(str)
    limit = problem.facility_types["max_distance_km"].astype(float)
    zones = problem.zones
    residents = np.zeros(len(table))
    kinds = table["type"].to_numpy(dtype=object)
    for kind in problem.types:
        mask = kinds == str(kind)
        column = zones[basis[kind]].astype(float).clip(lower=0.0).fillna(0.0)
        residents[mask] = column.reindex(table.loc[mask, "zone"]).to_numpy(float)
    table["residents"] = residents
    table["before_km"] = access.before["distance_km"].to_numpy(float)
    table["after_km"] = access.after["distance_km"].to_numpy(float)
    table["limit_km"] = limit.reindex(table["type"]).to_numpy(float)
    table["facility_after"] = access.after["facility"].to_numpy(dtype=object)
    return table


def _weighted_mean(distance: pd.Series, weight: pd.Series) -> float:
    """Σ weight·distance ÷ Σ weight over the finite distances (NaN when no weight)."""
    finite = np.isfinite(distance.to_numpy(float))
    w = weight.to_numpy(float)[finite]
    if w.sum() <= 0:
        return math.nan
    return float((w * distance.to_numpy(float)[finite]).sum() / w.sum())


def service_levels(
    problem: ProblemData, solution: Solution, access: Access | None = None
) -> pd.DataFrame:
    """Residents within 1, 2 and 5 km and within the type's maximum distance of an open
    facility, per municipality and type, today and under the plan.

    Returns
    -------
    pandas.DataFrame
        One row per (type, municipality), types and municipalities in input order,
        fresh RangeIndex. Columns ``type``, ``municipality`` (code), ``name``,
        ``residents`` (the type's demand basis), ``limit_km``; for each band of
        :data:`BANDS` and ``when`` in ``before`` / ``after``: ``within_<band>_<when>``
        (residents) and ``share_<band>_<when>`` (of ``residents``; NaN when nobody
        lives there); ``beyond_limit_before`` / ``_after`` (residents farther than the
        maximum, or with no facility of the type at all); ``mean_km_before`` /
        ``_after`` (population-weighted mean distance [km], NaN when no facility of
        the type is open).
    """
    access = access or access_before_after(problem, solution)
    table = _with_residents(problem, access)
    names = problem.municipalities["name"].astype(str)
    rows = []
    groups = table.groupby(["type", "municipality"], sort=False)
    for kind in problem.types:
        for code in problem.municipalities.index.astype(str):
            key = (str(kind), code)
            part = groups.get_group(key) if key in groups.groups else table.iloc[:0]
            people = float(part["residents"].sum())
            limit = float(problem.facility_types.at[kind, "max_distance_km"])
            row: dict[str, object] = {
                "type": str(kind),
                "municipality": code,
                "name": names.get(code, code),
                "residents": people,
                "limit_km": limit,
            }
            for when in ("before", "after"):
                distance = part[f"{when}_km"].to_numpy(float)
                within = 0.0
                for band, km in zip(BANDS, (*DISTANCE_BANDS_KM, limit), strict=True):
                    within = float(part["residents"].to_numpy(float)[distance <= km].sum())
                    row[f"within_{band}_{when}"] = within
                    row[f"share_{band}_{when}"] = within / people if people > 0 else math.nan
                row[f"beyond_limit_{when}"] = people - within  # the last band is the limit
                row[f"mean_km_{when}"] = _weighted_mean(part[f"{when}_km"], part["residents"])
            rows.append(row)
    return pd.DataFrame(rows)


LOSING_COLUMNS = [
    "zone",
    "name",
    "municipality",
    "type",
    "residents",
    "before_km",
    "after_km",
    "increase_km",
    "facility",
    "facility_name",
    "beyond_limit",
    "farther",
    "rule",
]


def zones_losing_access(
    problem: ProblemData, solution: Solution, access: Access | None = None
) -> pd.DataFrame:
    """The zones whose access to a type gets materially worse under the plan.

    A zone is listed for a type when someone of the type's basis lives there and

    * its nearest open facility was within the type's ``max_distance_km`` today and is
      beyond it under the plan (or none is left): ``beyond_limit``; or
    * its distance grows by more than :data:`GROWTH_KM`: ``farther``.

    Returns
    -------
    pandas.DataFrame
        Columns ``zone``, ``name`` (the zone's), ``municipality`` (code), ``type``,
        ``residents``, ``before_km``, ``after_km`` (``inf`` when no facility of the type
        is left), ``increase_km``, ``facility`` and ``facility_name`` (the nearest open
        facility under the plan; ``None`` when none), the flags ``beyond_limit`` and
        ``farther``, and ``rule`` (``"beyond_limit"`` when that rule is met, else
        ``"farther"``). Ordered by type, rule (beyond the limit first), residents
        (most first), zone id.
    """
    access = access or access_before_after(problem, solution)
    table = _with_residents(problem, access)
    before, after = table["before_km"].to_numpy(float), table["after_km"].to_numpy(float)
    limit = table["limit_km"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        increase = np.where(np.isfinite(before), after - before, np.nan)
    beyond = (before <= limit) & ~(after <= limit)
    farther = np.nan_to_num(increase, nan=0.0) > GROWTH_KM
    keep = (beyond | farther) & (table["residents"].to_numpy(float) > 0)
    out = table.loc[keep].copy()
    out["increase_km"] = increase[keep]
    out["beyond_limit"] = beyond[keep]
    out["farther"] = farther[keep]
    out["rule"] = np.where(beyond[keep], "beyond_limit", "farther")
    out["name"] = problem.zones["name"].reindex(out["zone"]).to_numpy(dtype=object)
    out["facility"] = out["facility_after"]
    names = problem.facilities["name"]
    out["facility_name"] = [
        None if j is None else names.get(j, j) for j in out["facility"].to_numpy(dtype=object)
    ]
    type_order = pd.Index([str(k) for k in problem.types]).get_indexer(out["type"])
    order = np.lexsort(
        (
            out["zone"].to_numpy(dtype=object).astype(str),
            -out["residents"].to_numpy(float),
            (out["rule"] != "beyond_limit").to_numpy(int),
            type_order,
        )
    )
    return out.iloc[order].reset_index(drop=True)[LOSING_COLUMNS]


def _grid(limit_km: float) -> np.ndarray:
    """0, 0.25, 0.5, ... up to ``limit_km`` (the limit itself added when off the grid)."""
    steps = int(math.floor(limit_km / GRID_STEP_KM + 1e-9))
    grid = np.arange(steps + 1) * GRID_STEP_KM
    if limit_km - grid[-1] > 1e-9:
        grid = np.append(grid, limit_km)
    return grid


def distance_distribution(
    problem: ProblemData, solution: Solution, access: Access | None = None
) -> pd.DataFrame:
    """Per type, the share of the area's residents within d km of an open facility,
    today and under the plan, for d on a grid of :data:`GRID_STEP_KM` up to the type's
    maximum distance.

    Returns
    -------
    pandas.DataFrame
        Columns ``type``, ``distance_km``, ``before``, ``after`` (shares, 0..1; NaN when
        nobody of the type's basis lives in the area). Types in input order, distances
        ascending; fresh RangeIndex.
    """
    access = access or access_before_after(problem, solution)
    table = _with_residents(problem, access)
    pieces = []
    for kind in problem.types:
        part = table[table["type"] == str(kind)]
        grid = _grid(float(problem.facility_types.at[kind, "max_distance_km"]))
        people = part["residents"].to_numpy(float)
        total = people.sum()
        shares = {}
        for when in ("before", "after"):
            distance = part[f"{when}_km"].to_numpy(float)
            within = (distance[:, None] <= grid[None, :] + 1e-12) * people[:, None]
            shares[when] = within.sum(axis=0) / total if total > 0 else np.full(grid.size, np.nan)
        pieces.append(
            pd.DataFrame(
                {"type": str(kind), "distance_km": grid, "before": shares["before"],
                 "after": shares["after"]}
            )
        )  # fmt: skip
    if not pieces:
        return pd.DataFrame(columns=["type", "distance_km", "before", "after"])
    return pd.concat(pieces, ignore_index=True)


def floor_area(problem: ProblemData, solution: Solution) -> pd.DataFrame:
    """Floor area and count of the facilities the municipalities run, today and under
    the plan, per type and in total.

    Today: every existing facility with ``operator`` ``municipal``; under the plan: the
    open ones (kept or built) with that operator. A blank floor area counts as unknown:
    the facility is counted, its area is not.

    Returns
    -------
    pandas.DataFrame
        Index type (input order), then :data:`ALL_TYPES`. Columns ``count_before``,
        ``count_after``, ``count_change`` (after ÷ before − 1, NaN when none before),
        ``area_before_m2``, ``area_after_m2``, ``area_change`` (likewise),
        ``unknown_before``, ``unknown_after`` (facilities without a floor area).
    """
    facilities = problem.facilities
    operators = facilities.get("operator", pd.Series("municipal", index=facilities.index))
    municipal = operators.astype(str).to_numpy(dtype=object) == "municipal"
    ids = facilities.index.astype(str)
    states = {
        "before": ids.isin(list(existing_ids(problem))),
        "after": ids.isin(list(planned_ids(solution))),
    }
    area = facilities["floor_area_m2"].astype(float).to_numpy()
    kinds = facilities["type"].astype(str).to_numpy(dtype=object)
    rows = {}
    labels = [str(k) for k in problem.types]
    for label in [*labels, ALL_TYPES]:
        of_type = np.ones(len(kinds), bool) if label == ALL_TYPES else kinds == label
        row: dict[str, float] = {}
        for when, present in states.items():
            chosen = of_type & municipal & present
            row[f"count_{when}"] = int(chosen.sum())
            row[f"area_{when}_m2"] = float(np.nansum(area[chosen]))
            row[f"unknown_{when}"] = int(np.isnan(area[chosen]).sum())
        for what in ("count", "area"):
            suffix = "_m2" if what == "area" else ""
            before, after = row[f"{what}_before{suffix}"], row[f"{what}_after{suffix}"]
            row[f"{what}_change"] = after / before - 1.0 if before > 0 else math.nan
        rows[label] = row
    columns = [
        "count_before",
        "count_after",
        "count_change",
        "area_before_m2",
        "area_after_m2",
        "area_change",
        "unknown_before",
        "unknown_after",
    ]
    table = pd.DataFrame.from_dict(rows, orient="index")[columns]
    table.index.name = "type"
    return table


def service_results(problem: ProblemData, solution: Solution) -> ServiceResults:
    """Every service figure of the plan, the distances computed once."""
    access = access_before_after(problem, solution)
    return ServiceResults(
        levels=service_levels(problem, solution, access),
        losing=zones_losing_access(problem, solution, access),
        distribution=distance_distribution(problem, solution, access),
        floor=floor_area(problem, solution),
        access=access,
    )
