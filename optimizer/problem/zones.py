"""Where residents live: zones, and the demand points the model serves.

A *zone* is a small area of one municipality with its residents (a census 町丁・字, a
school district, a grid cell) and a point. The model serves *demand points*: each zone
on its own, or, for large areas, the zones of a municipality merged into fewer points
(:func:`assign_points`). Without a ``zones`` sheet each municipality is one zone at its
own point, and the model is the one of a point per municipality.

Demand of a point p of municipality i for type k::

    D[p, k] = D[i, k] × b[p] / b[i]

with b the type's demand basis (population or population aged 75+) summed over the
point's zones, b[i] over all the municipality's zones. The municipality's totals thus
stay those of the ``municipalities`` sheet (the accounts, payments and fairness are
per municipality), and the zones say only where its residents live. A zone whose 75+
count is blank gets its municipality's remaining 75+ residents in proportion to its
population (an assumption the report states).

Merging moves each resident at most the distance from the zone's point to its demand
point, so every access distance the model sees is off by at most that displacement
(× the detour factor), by the triangle inequality: the aggregation's error bound,
reported per zone as ``displacement_km``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.problem.geodesy import geodesic_km, project_km

__all__ = [
    "ZONE_COLUMNS",
    "municipal_zones",
    "complete_zones",
    "assign_points",
    "demand_points",
    "point_demand",
    "aggregation_error",
    "input_zones",
]

ZONE_COLUMNS = ("municipality", "name", "lat", "lon", "population", "population_75plus")
"""The columns of a zone table (index: zone id, text)."""

_KMEANS_ROUNDS = 50


def municipal_zones(municipalities: pd.DataFrame) -> pd.DataFrame:
    """One zone per municipality at its own point, keyed by its code."""
    zones = pd.DataFrame(
        {
            "municipality": municipalities.index.astype(str),
            "name": municipalities["name"].astype(str).to_numpy(dtype=object),
            "lat": municipalities["lat"].to_numpy(float),
            "lon": municipalities["lon"].to_numpy(float),
            "population": municipalities["population"].to_numpy(float),
            "population_75plus": municipalities["population_75plus"].to_numpy(float),
        },
        index=pd.Index(municipalities.index.astype(str), name="zone"),
    )
    return zones


def complete_zones(zones: pd.DataFrame | None, municipalities: pd.DataFrame) -> pd.DataFrame:
    """The zone table of every municipality, blanks filled.

    A municipality with no zone gets one at its own point (id: its code). A blank
    ``population_75plus`` is the municipality's 75+ count not given on its other zones,
    spread over its blank zones in proportion to their population; column
    ``estimated_75plus`` marks those zones, ``own_point`` the zones made here. The table
    given is not changed.
    """
    given = municipal_zones(municipalities.iloc[:0]) if zones is None else zones.copy()
    given = given.reindex(columns=list(ZONE_COLUMNS))
    given.index = pd.Index(given.index.astype(str), name="zone")
    given["municipality"] = given["municipality"].astype(str)
    codes = municipalities.index.astype(str)
    missing = [c for c in codes if c not in set(given["municipality"])]
    extra = municipal_zones(municipalities.loc[missing]) if missing else None
    given["own_point"] = False
    if extra is not None:
        extra["own_point"] = True
    table = pd.concat([given, extra]) if extra is not None else given
    table["own_point"] = table["own_point"].astype(bool)
    table = table[table["municipality"].isin(set(codes))]
    for column in ("lat", "lon", "population", "population_75plus"):
        table[column] = pd.to_numeric(table[column]).astype(float)
    table["name"] = table["name"].fillna("").astype(str)

    blank = table["population_75plus"].isna().to_numpy()
    table["estimated_75plus"] = blank
    if blank.any():
        elderly = municipalities["population_75plus"].astype(float)
        elderly.index = codes
        town = table["municipality"]
        known = table["population_75plus"].fillna(0.0).groupby(town).sum()
        remaining = (elderly - known.reindex(codes).fillna(0.0)).clip(lower=0.0)
        people = table["population"].where(blank, 0.0)
        weight = people.groupby(town).transform("sum")
        count = pd.Series(blank, index=table.index).groupby(town).transform("sum")
        share = np.where(weight > 0, people / weight.where(weight > 0, 1.0), 1.0 / count.clip(1))
        estimate = remaining.reindex(town).to_numpy(float) * share
        table.loc[blank, "population_75plus"] = estimate[blank]
    # Zones in the municipalities' order, then input order: the model's order.
    order = pd.Index(codes).get_indexer(table["municipality"])
    return table.iloc[np.argsort(order, kind="stable")]


def input_zones(zones: pd.DataFrame) -> pd.DataFrame | None:
    """The zones as the user gave them (``None`` if none): the inverse of
    :func:`complete_zones`, for rebuilding a problem from a changed copy of its tables."""
    given = zones[~zones["own_point"].to_numpy(bool)]
    if given.empty:
        return None
    table = given[list(ZONE_COLUMNS)].copy()
    table.loc[given["estimated_75plus"].to_numpy(bool), "population_75plus"] = np.nan
    return table


def _grid_cells(zones: pd.DataFrame, grid_km: float) -> np.ndarray:
    """The grid cell of each zone, as one label per (municipality, column, row)."""
    lat0, lon0 = float(zones["lat"].mean()), float(zones["lon"].mean())
    x, y = project_km(zones["lat"], zones["lon"], lat0, lon0)
    cx = np.floor(x / grid_km).astype(np.int64)
    cy = np.floor(y / grid_km).astype(np.int64)
    return np.array(
        [f"{m}|{a}|{b}" for m, a, b in zip(zones["municipality"], cx, cy, strict=True)],
        dtype=object,
    )


def _weighted_kmeans(x: np.ndarray, y: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
    """Cluster labels of points (x, y) into at most ``k`` groups, weighted k-means.

    Deterministic: the first centre is the heaviest point, each next one the point
    farthest (weight × squared distance) from the centres so far; then Lloyd's
    rounds with weighted means until no label changes (at most 50 rounds).
    """
    n = x.size
    if n <= k:
        return np.arange(n)
    w = np.where(weight > 0, weight, 1e-9)
    points = np.column_stack([x, y])
    centres = [int(np.argmax(w))]
    nearest = ((points - points[centres[0]]) ** 2).sum(axis=1)
    while len(centres) < k:
        pick = int(np.argmax(w * nearest))
        if nearest[pick] <= 0:
            break
        centres.append(pick)
        nearest = np.minimum(nearest, ((points - points[pick]) ** 2).sum(axis=1))
    centre_xy = points[centres]
    labels = np.full(n, -1)
    for _ in range(_KMEANS_ROUNDS):
        d2 = ((points[:, None, :] - centre_xy[None, :, :]) ** 2).sum(axis=2)
        new = np.argmin(d2, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        for c in range(len(centre_xy)):
            members = labels == c
            if members.any():
                centre_xy[c] = np.average(points[members], axis=0, weights=w[members])
    _, labels = np.unique(labels, return_inverse=True)
    return labels


def _merge_per_municipality(zones: pd.DataFrame, groups: np.ndarray, k: int) -> np.ndarray:
    """Merge each municipality's groups into at most ``k``, by weighted k-means."""
    lat0, lon0 = float(zones["lat"].mean()), float(zones["lon"].mean())
    frame = pd.DataFrame(
        {
            "group": groups,
            "municipality": zones["municipality"].to_numpy(dtype=object),
            "lat": zones["lat"].to_numpy(float),
            "lon": zones["lon"].to_numpy(float),
            "people": zones["population"].to_numpy(float),
        }
    )
    merged = groups.astype(object).copy()
    for code, part in frame.groupby("municipality", sort=False):
        sums = part.groupby("group", sort=False).agg(
            people=("people", "sum"), lat=("lat", "mean"), lon=("lon", "mean")
        )
        weights = part["people"].clip(lower=1e-9)
        for name, column in (("lat", "lat"), ("lon", "lon")):
            weighted = (part[column] * weights).groupby(part["group"], sort=False).sum()
            sums[name] = weighted / weights.groupby(part["group"], sort=False).sum()
        x, y = project_km(sums["lat"], sums["lon"], lat0, lon0)
        labels = _weighted_kmeans(x, y, sums["people"].to_numpy(float), k)
        relabel = dict(zip(sums.index, (f"{code}|k{n}" for n in labels), strict=True))
        merged[part.index.to_numpy()] = [relabel[g] for g in part["group"]]
    return merged


def assign_points(
    zones: pd.DataFrame, grid_km: float | None = None, per_municipality: int | None = None
) -> pd.DataFrame:
    """The zone table with column ``point``: the demand point each zone belongs to.

    Without aggregation every zone is its own point (point id = zone id). ``grid_km``
    merges the zones of a municipality in one square cell of that size; then
    ``per_municipality`` merges each municipality's points into at most that many by
    population-weighted k-means. A merged point's id is ``<code>-<n>`` (n from 1, in
    the order of each point's first zone).
    """
    zones = zones.copy()
    if not grid_km and not per_municipality:
        zones["point"] = zones.index.astype(str)
        return zones
    groups = np.array([f"{z}" for z in zones.index], dtype=object)
    if grid_km:
        groups = _grid_cells(zones, float(grid_km))
    if per_municipality:
        groups = _merge_per_municipality(zones, groups, int(per_municipality))
    names: dict[str, str] = {}
    counters: dict[str, int] = {}
    for group, code in zip(groups, zones["municipality"], strict=True):
        if group not in names:
            counters[code] = counters.get(code, 0) + 1
            names[group] = f"{code}-{counters[code]}"
    zones["point"] = [names[g] for g in groups]
    return zones


def demand_points(zones: pd.DataFrame) -> pd.DataFrame:
    """The demand points of a zone table with ``point`` (:func:`assign_points`).

    Index point id. Columns ``municipality``, ``name`` (its most populous zone's),
    ``lat``, ``lon`` (the population-weighted centre of its zones; their plain mean if
    nobody lives there), ``population``, ``population_75plus`` (sums) and ``zones``
    (how many).
    """
    people = zones["population"].astype(float)
    weight = people.where(people > 0, 0.0)
    grouped = zones.assign(
        w=weight,
        wlat=zones["lat"] * weight,
        wlon=zones["lon"] * weight,
        n=1,
    ).groupby("point", sort=False)
    sums = grouped[["w", "wlat", "wlon", "population", "population_75plus", "n"]].sum()
    means = grouped[["lat", "lon"]].mean()
    heaviest = zones.loc[people.groupby(zones["point"], sort=False).idxmax()]
    has_people = sums["w"] > 0
    points = pd.DataFrame(
        {
            "municipality": grouped["municipality"].first(),
            "name": heaviest["name"].to_numpy(dtype=object),
            "lat": np.where(
                has_people, sums["wlat"] / sums["w"].where(has_people, 1), means["lat"]
            ),
            "lon": np.where(
                has_people, sums["wlon"] / sums["w"].where(has_people, 1), means["lon"]
            ),
            "population": sums["population"],
            "population_75plus": sums["population_75plus"],
            "zones": sums["n"].astype(int),
        }
    )
    points.index = pd.Index(points.index.astype(str), name="point")
    return points


def aggregation_error(zones: pd.DataFrame, points: pd.DataFrame, detour_factor: float) -> pd.Series:
    """Per zone, the bound on the error of any access distance from its demand point [km].

    The road distance from the zone's point to its demand point (geodesic × detour
    factor): by the triangle inequality no distance from the zone to a facility differs
    from the demand point's by more. 0 for a zone that is its own point.
    """
    where = points.loc[zones["point"].astype(str)]
    km = geodesic_km(
        zones["lat"].to_numpy(float),
        zones["lon"].to_numpy(float),
        where["lat"].to_numpy(float),
        where["lon"].to_numpy(float),
    )
    return pd.Series(np.asarray(km, dtype=float) * detour_factor, index=zones.index)


def point_demand(
    points: pd.DataFrame, municipal_demand: pd.DataFrame, facility_types: pd.DataFrame
) -> pd.DataFrame:
    """D[p, k] = D[i, k] × b[p] / b[i] (see the module's text) [capacity unit].

    Index point id, one column per type. A municipality whose zones hold no one of a
    type's basis spreads that demand evenly over its points.
    """
    town = points["municipality"].astype(str)
    columns = {}
    for kind, row in facility_types.iterrows():
        basis = points[str(row["demand_basis"])].astype(float).clip(lower=0.0)
        total = basis.groupby(town).transform("sum")
        count = basis.groupby(town).transform("size")
        share = np.where(total > 0, basis / total.where(total > 0, 1.0), 1.0 / count)
        towns = municipal_demand[kind].reindex(town).fillna(0.0).to_numpy(float)
        columns[kind] = towns * share
    return pd.DataFrame(columns, index=points.index, columns=list(facility_types.index))
