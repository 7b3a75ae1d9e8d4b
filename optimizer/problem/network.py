"""Distances and the access arcs of the model.

An access arc (*p*, *j*) joins a demand point *p* (a zone, or merged zones, of
municipality *i*; without zones the municipality's own point) to a facility *j* that its
residents may be assigned to: the access distance d(p, j) is at most the
``max_distance_km`` of the facility's type. The model is built on arcs, never on a
dense point × facility matrix.

Access distance [km]:

    d(p, j) = travel[i, j]                       if the ``travel`` sheet gives the pair
                                                 (for every point of municipality i)
            = geodesic(p, j) × detour_factor     otherwise

where ``geodesic`` is the WGS84 ellipsoidal distance (:mod:`optimizer.problem.geodesy`).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from optimizer.problem.data import ProblemData
from optimizer.problem.geodesy import geodesic_km

__all__ = [
    "access_arcs",
    "pair_distances",
    "ARC_COLUMNS",
]

log = logging.getLogger(__name__)

ARC_COLUMNS = ["point", "municipality", "facility", "type", "host", "distance_km"]

_BLOCK_CELLS = 400_000  # point × facility cells computed at once


def _travel_lookup(problem: ProblemData) -> pd.Series:
    """Road distances of the ``travel`` sheet [km], indexed by (municipality, facility)."""
    travel = problem.travel
    if travel is None or len(travel) == 0:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_arrays([[], []]))
    rows = travel.dropna(subset=["distance_km"])
    rows = rows.drop_duplicates(subset=["municipality", "facility"], keep="last")
    return pd.Series(
        rows["distance_km"].to_numpy(dtype=float),
        index=pd.MultiIndex.from_arrays(
            [rows["municipality"].astype(str), rows["facility"].astype(str)]
        ),
    )


def pair_distances(problem: ProblemData, points: ArrayLike, facilities: ArrayLike) -> np.ndarray:
    """Access distance d(p, j) for each given (demand point, facility) pair [km].

    Element-wise over two equally long sequences of point ids and facility ids: the
    ``travel`` sheet's distance where it gives the point's municipality and the
    facility, else geodesic × detour factor. Without zones a point id is its
    municipality's code.
    """
    ids = pd.Index(np.asarray(points, dtype=object).astype(str))
    sites_ids = pd.Index(np.asarray(facilities, dtype=object).astype(str))
    where = problem.points.loc[ids]
    sites = problem.facilities.loc[sites_ids]
    distance = (
        geodesic_km(
            where["lat"].to_numpy(float),
            where["lon"].to_numpy(float),
            sites["lat"].to_numpy(float),
            sites["lon"].to_numpy(float),
        )
        * problem.parameters.detour_factor
    )
    travel = _travel_lookup(problem)
    if len(travel):
        pairs = pd.MultiIndex.from_arrays([where["municipality"].astype(str), sites_ids])
        given = travel.reindex(pairs).to_numpy(dtype=float)
        distance = np.where(np.isnan(given), distance, given)
    return np.asarray(distance, dtype=float)


def _type_arcs(
    problem: ProblemData, kind: str, max_km: float, travel: pd.Series
) -> list[pd.DataFrame]:
    """Arcs of one facility type, computed in blocks of facilities."""
    towns = problem.points
    sites = problem.facilities[problem.facilities["type"] == kind]
    if sites.empty or towns.empty:
        return []
    town_lat = towns["lat"].to_numpy(float)[:, None]
    town_lon = towns["lon"].to_numpy(float)[:, None]
    ids = towns.index.to_numpy(dtype=object).astype(str)
    codes = towns["municipality"].to_numpy(dtype=object).astype(str)
    travel_here = (
        travel[travel.index.get_level_values(1).isin(sites.index)] if len(travel) else travel
    )
    block = max(1, _BLOCK_CELLS // len(towns))
    pieces = []
    for start in range(0, len(sites), block):
        chunk = sites.iloc[start : start + block]
        km = (
            geodesic_km(
                town_lat,
                town_lon,
                chunk["lat"].to_numpy(float)[None, :],
                chunk["lon"].to_numpy(float)[None, :],
            )
            * problem.parameters.detour_factor
        )
        if len(travel_here):
            # A road distance given for a municipality holds for each of its points.
            given = pd.DataFrame(
                {
                    "municipality": travel_here.index.get_level_values(0),
                    "facility": travel_here.index.get_level_values(1),
                    "km": travel_here.to_numpy(dtype=float),
                }
            ).merge(pd.DataFrame({"municipality": codes, "row": np.arange(len(codes))}))
            cols = chunk.index.get_indexer(given["facility"])
            ok = cols >= 0
            km[given["row"].to_numpy()[ok], cols[ok]] = given["km"].to_numpy(float)[ok]
        i, j = np.nonzero(km <= max_km)
        if i.size == 0:
            continue
        pieces.append(
            pd.DataFrame(
                {
                    "point": ids[i],
                    "municipality": codes[i],
                    "facility": chunk.index.to_numpy(dtype=object).astype(str)[j],
                    "type": kind,
                    "host": chunk["municipality"].to_numpy(dtype=object).astype(str)[j],
                    "distance_km": km[i, j],
                }
            )
        )
    return pieces


def access_arcs(problem: ProblemData) -> pd.DataFrame:
    """Every (demand point, facility) pair within the type's maximum access distance.

    Returns
    -------
    pandas.DataFrame
        Columns ``point``, ``municipality`` (the point's), ``facility``, ``type``,
        ``host`` (the facility's municipality), ``distance_km`` [km]; ordered by type
        (as in ``facility_types``), then point, then facility (input order), with a
        fresh RangeIndex. Only pairs with d(p, j) ≤ ``max_distance_km`` of the type.
    """
    travel = _travel_lookup(problem)
    pieces: list[pd.DataFrame] = []
    for kind, max_km in problem.facility_types["max_distance_km"].items():
        pieces.extend(_type_arcs(problem, str(kind), float(max_km), travel))
    if not pieces:
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c == "distance_km" else object) for c in ARC_COLUMNS}
        )
    arcs = pd.concat(pieces, ignore_index=True)
    type_order = pd.Index(problem.facility_types.index.astype(str)).get_indexer(arcs["type"])
    town_order = pd.Index(problem.points.index.astype(str)).get_indexer(arcs["point"])
    site_order = pd.Index(problem.facilities.index.astype(str)).get_indexer(arcs["facility"])
    order = np.lexsort((site_order, town_order, type_order))
    arcs = arcs.iloc[order].reset_index(drop=True)
    log.debug("%d access arcs", len(arcs))
    return arcs[ARC_COLUMNS]
