"""``plan.geojson``: the plan as a GeoJSON FeatureCollection for GIS tools (QGIS, ArcGIS,
GeoPandas, web maps).

RFC 7946: positions in longitude, latitude order, WGS84 (JGD2011 agrees with it within a
few centimetres, far below the precision of the inputs). Every feature has the property
``kind``, one of:

``facility``
    A Point at the facility (existing or candidate site): ``id``, ``name``, ``type``,
    ``municipality`` (the host's code) and ``municipality_name``, ``operator``,
    ``decision`` (keep / close / build / not_built), ``capacity``, ``use`` (the demand
    it serves) [capacity unit], ``utilisation`` (use ÷ capacity, 0 when closed) and
    ``annual_cost`` [yen/year] (0 when closed).
``flow``
    A LineString from a demand point to the facility serving (part of) its demand:
    ``point``, ``municipality`` (the user's code) and ``municipality_name``,
    ``facility``, ``host`` (the host's code) and ``host_name``, ``type``, ``demand``
    (what the flow carries) [capacity unit], ``share`` (of the point's demand for the
    type), ``distance_km`` and ``cross_border`` (the user is not the host).
``zone``
    A Point at a demand point (a zone, zones merged, or a municipality's own point
    when the input has no zones): ``id``, ``name``, ``municipality`` and
    ``municipality_name``, ``population``, ``population_75plus``, ``zones`` (how many
    input zones it holds), and ``unserved_<type>`` for each facility type (the demand
    left unserved there [capacity unit], 0 when all is served).

Features come in that order (facilities in input order, flows in the plan's order,
demand points in the model's order); numbers are JSON numbers (floats to 12 significant
digits, positions to 7 decimals, about 1 cm), a missing value is ``null`` (never NaN);
one feature per line. The same plan therefore gives the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.outputs.files import atomic_write_text, json_safe
from optimizer.problem.data import ProblemData
from optimizer.results.solution import Solution

__all__ = ["GEOJSON_NAME", "plan_features", "plan_geojson_text", "write_plan_geojson"]

GEOJSON_NAME = "plan.geojson"
POSITION_DECIMALS = 7
"""Decimals of a longitude or latitude: 1e-7° is about 1 cm."""


def _position(lon: float, lat: float) -> list[float | None]:
    return [_coordinate(lon), _coordinate(lat)]


def _coordinate(value: float) -> float | None:
    value = float(value)
    return round(value, POSITION_DECIMALS) if np.isfinite(value) else None


def _feature(geometry: dict | None, properties: dict) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _point(lon: float, lat: float) -> dict | None:
    position = _position(lon, lat)
    return {"type": "Point", "coordinates": position} if None not in position else None


def _names(problem: ProblemData) -> pd.Series:
    names = problem.municipalities["name"].astype(str)
    names.index = problem.municipalities.index.astype(str)
    return names


def _facility_features(problem: ProblemData, solution: Solution) -> list[dict]:
    table = solution.facilities
    source = problem.facilities.copy()
    source.index = source.index.astype(str)
    source = source.reindex(table.index)
    names = _names(problem)
    operators = source["operator"] if "operator" in source else pd.Series("", index=source.index)
    features = []
    for fid, row, lon, lat, operator in zip(
        table.index,
        table.itertuples(index=False),
        source["lon"].to_numpy(float),
        source["lat"].to_numpy(float),
        operators.to_numpy(dtype=object),
        strict=True,
    ):
        features.append(
            _feature(
                _point(lon, lat),
                {
                    "kind": "facility",
                    "id": str(fid),
                    "name": row.name,
                    "type": row.type,
                    "municipality": row.municipality,
                    "municipality_name": names.get(row.municipality),
                    "operator": operator,
                    "decision": row.decision,
                    "capacity": row.capacity,
                    "use": row.served,
                    "utilisation": row.utilisation,
                    "annual_cost": row.annual_cost,
                },
            )
        )
    return features


def _flow_features(problem: ProblemData, solution: Solution) -> list[dict]:
    flows = solution.point_flows
    if flows is None or flows.empty:
        return []
    points = problem.points.copy()
    points.index = points.index.astype(str)
    facilities = problem.facilities.copy()
    facilities.index = facilities.index.astype(str)
    names = _names(problem)
    point_ids = flows["point"].astype(str).to_numpy(dtype=object)
    facility_ids = flows["facility"].astype(str).to_numpy(dtype=object)
    at = points.reindex(point_ids)
    to = facilities.reindex(facility_ids)
    features = []
    for n in range(len(flows)):
        user = str(flows["municipality"].iat[n])
        host = str(to["municipality"].iat[n])
        start = _position(at["lon"].iat[n], at["lat"].iat[n])
        end = _position(to["lon"].iat[n], to["lat"].iat[n])
        geometry = (
            {"type": "LineString", "coordinates": [start, end]}
            if None not in start and None not in end
            else None
        )
        features.append(
            _feature(
                geometry,
                {
                    "kind": "flow",
                    "point": point_ids[n],
                    "municipality": user,
                    "municipality_name": names.get(user),
                    "facility": facility_ids[n],
                    "host": host,
                    "host_name": names.get(host),
                    "type": str(to["type"].iat[n]),
                    "demand": flows["demand"].iat[n],
                    "share": flows["share"].iat[n],
                    "distance_km": flows["distance_km"].iat[n],
                    "cross_border": user != host,
                },
            )
        )
    return features


def _zone_features(problem: ProblemData, solution: Solution) -> list[dict]:
    points = problem.points
    names = _names(problem)
    unserved = solution.unserved
    if unserved.empty:
        left = pd.DataFrame(0.0, index=points.index.astype(str), columns=problem.types)
    else:
        left = (
            unserved.assign(point=unserved["point"].astype(str), type=unserved["type"].astype(str))
            .pivot_table(index="point", columns="type", values="demand", aggfunc="sum")
            .reindex(index=points.index.astype(str), columns=problem.types)
            .fillna(0.0)
        )
    features = []
    for pid, row in zip(points.index.astype(str), points.itertuples(index=False), strict=True):
        code = str(row.municipality)
        properties = {
            "kind": "zone",
            "id": pid,
            "name": row.name,
            "municipality": code,
            "municipality_name": names.get(code),
            "population": row.population,
            "population_75plus": row.population_75plus,
            "zones": row.zones,
        }
        for kind in problem.types:
            properties[f"unserved_{kind}"] = left.at[pid, kind]
        features.append(_feature(_point(row.lon, row.lat), properties))
    return features


def plan_features(problem: ProblemData, solution: Solution) -> dict:
    """The plan as a GeoJSON FeatureCollection (a plain dict; see the module's docstring)."""
    features = [
        *_facility_features(problem, solution),
        *_flow_features(problem, solution),
        *_zone_features(problem, solution),
    ]
    return {"type": "FeatureCollection", "features": features}


def _dumps(value: object) -> str:
    return json.dumps(json_safe(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def plan_geojson_text(problem: ProblemData, solution: Solution) -> str:
    """The text of ``plan.geojson``: one feature per line, keys in a fixed order."""
    collection = plan_features(problem, solution)
    lines = ",\n".join(_dumps(feature) for feature in collection["features"])
    body = f"\n{lines}\n" if lines else ""
    return f'{{"type":"FeatureCollection","features":[{body}]}}\n'


def write_plan_geojson(path: Path | str, problem: ProblemData, solution: Solution) -> Path:
    """Write ``plan.geojson`` (:func:`plan_geojson_text`) atomically; return its path."""
    return atomic_write_text(path, plan_geojson_text(problem, solution))
