"""ProblemData: the validated, frozen inputs that every later stage sees.

Nothing after validation reads a workbook: the model, the checker, the allocation and
the reports all take a :class:`ProblemData`. Its tables are pandas DataFrames keyed by
the user's identifiers (municipality codes and facility ids, always text); treat them
as read-only (use :meth:`ProblemData.replace` to derive a changed copy).

Glossary (the words the code uses):

municipality *i*   a member of the area, keyed by its JIS code (text)
zone               a small area of one municipality where residents live (a census
                   町丁・字); without a ``zones`` sheet, the municipality's own point
demand point *p*   where the model places demand: a zone, or several zones of one
                   municipality merged (:mod:`optimizer.problem.zones`)
type *k*           a facility type (library, hall, care, or user-defined)
facility *j*       an existing building or a candidate site, keyed by its id
host *h(j)*        the municipality where facility *j* stands
demand D[i,k]      basis population of *i* × demand per person of *k* [capacity unit/year]
demand D[p,k]      D[i,k] × the point's share of *i*'s basis population
annual cost        equivalent annual cost of a facility over the horizon [yen/year]:
                   capital outlays (renewal, renovation, build) discounted and spread as
                   an annuity, plus operating cost and routine repairs
unit cost          annual cost ÷ capacity [yen per capacity unit]: what a user
                   municipality pays the host per unit of demand served
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from optimizer.problem.costs import (
    derive_facility_costs,
    self_provision_costs,
    unserved_penalties,
)
from optimizer.problem.parameters import Parameters, Rules
from optimizer.problem.zones import (
    aggregation_error,
    assign_points,
    complete_zones,
    demand_points,
    point_demand,
)

__all__ = [
    "Parameters",
    "Rules",
    "ProblemData",
    "FACILITY_COLUMNS",
    "demand_matrix",
    "fill_input_defaults",
    "resident_points",
    "assemble_problem",
]


FACILITY_COLUMNS = (
    "name",  # text
    "type",  # facility type id
    "municipality",  # host code
    "lat",
    "lon",  # [deg]
    "capacity",  # [capacity unit]
    "floor_area_m2",  # [m²], NaN if unknown
    "year_built",  # Int64, <NA> for candidates / unknown
    "annual_operating_cost",  # [yen/year] as input (0 where blank)
    "status",  # keep / close / free (keep for a facility the municipalities do not own)
    "operator",  # municipal / private / prefecture (candidates: municipal)
    "is_candidate",  # bool
    "build_cost",  # [yen], NaN for existing facilities
    "renewal_cost",  # [yen] one rebuild, NaN if unknown
    "capital_cost",  # [yen] undiscounted capital outlays over the horizon if open
    "annual_capital_cost",  # [yen/year] equivalent annual capital cost
    "annual_repair_cost",  # [yen/year] routine repairs (type's ¥/m²/year × floor area)
    "annual_cost",  # [yen/year] capital + operating + repairs
    "next_renewal_year",  # Int64, first year with a capital outlay, <NA> if none
)


@dataclass(frozen=True)
class ProblemData:
    """Everything the model needs, validated.

    Attributes
    ----------
    municipalities
        Index ``code`` (str). Columns ``name``, ``lat``, ``lon``, ``population``,
        ``population_75plus``, ``may_share`` (bool), ``capital_budget`` (float, NaN = none),
        ``care_area`` (text: the 老人福祉圏域, "" = in no area), plus any
        ``population_YYYY`` / ``population_75plus_YYYY`` projections.
    facility_types
        Index ``type`` (str). Columns ``name_ja``, ``demand_basis``, ``demand_per_person``,
        ``capacity_unit``, ``max_distance_km``, ``renovation_unit_cost``,
        ``rebuild_unit_cost``, ``life_years``, ``renovation_year``,
        ``user_travel_cost_per_km``, ``routine_repair_per_m2``, ``max_utilisation`` (the
        largest share of a facility's capacity the plan may fill, 0 < u ≤ 1; from a
        workbook always filled, blank = 0.9) (all filled), ``area_floor_share`` and
        ``area_floor_per_75plus`` (float, NaN = no floor; see
        :func:`optimizer.problem.rules.area_floors`), and the
        derived ``unserved_penalty`` P_k and ``self_provision_cost`` S_k [yen per unit per
        year] (see :func:`optimizer.problem.costs.unserved_penalties` and
        :func:`optimizer.problem.costs.self_provision_costs`).
    facilities
        Index ``id`` (str); existing facilities and candidates together, columns
        :data:`FACILITY_COLUMNS` (costs already derived by :mod:`optimizer.problem.costs`).
    demand
        Index municipality code, one column per type: D[i,k] [capacity unit].
    parameters
        :class:`Parameters`.
    rules
        :class:`Rules`.
    zones
        Index zone id (text). Columns ``municipality``, ``name``, ``lat``, ``lon``,
        ``population``, ``population_75plus`` (filled: see
        :func:`optimizer.problem.zones.complete_zones`), ``estimated_75plus`` (bool),
        ``point`` (its demand point) and ``displacement_km`` (the bound on its access
        distances' error from merging, 0 when it is its own point). One zone per
        municipality, keyed by its code, when the workbook has no ``zones`` sheet.
    points
        The demand points: index point id, columns of
        :func:`optimizer.problem.zones.demand_points`.
    point_demand
        Index point id, one column per type: D[p, k] [capacity unit]; sums to ``demand``
        per municipality.
    travel
        Overrides of the access distance: columns ``municipality``, ``facility``,
        ``distance_km`` (already converted from minutes where needed). May be empty.
    scenarios
        Rows of the ``scenarios`` sheet: ``scenario``, ``target``, ``value`` (text), ``note``.
    source
        Provenance: ``{"path": ..., "sha256": ..., "format": "xlsx" | "csv" | ...}``.
    """

    municipalities: pd.DataFrame
    facility_types: pd.DataFrame
    facilities: pd.DataFrame
    demand: pd.DataFrame
    parameters: Parameters = field(default_factory=Parameters)
    rules: Rules = field(default_factory=Rules)
    travel: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["municipality", "facility", "distance_km"])
    )
    scenarios: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["scenario", "target", "value", "note"])
    )
    source: dict = field(default_factory=dict)
    zones: pd.DataFrame = None  # type: ignore[assignment]  # filled by __post_init__
    points: pd.DataFrame = None  # type: ignore[assignment]
    point_demand: pd.DataFrame = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.zones is None or self.points is None or self.point_demand is None:
            zones, points, demand = resident_points(
                None, self.municipalities, self.facility_types, self.demand, self.parameters
            )
            object.__setattr__(self, "zones", zones)
            object.__setattr__(self, "points", points)
            object.__setattr__(self, "point_demand", demand)

    def replace(self, **changes: Any) -> ProblemData:
        """A copy with some attributes replaced (the original is left untouched)."""
        return dataclasses.replace(self, **changes)

    @property
    def codes(self) -> list[str]:
        return list(self.municipalities.index)

    @property
    def types(self) -> list[str]:
        return list(self.facility_types.index)


def demand_matrix(municipalities: pd.DataFrame, facility_types: pd.DataFrame) -> pd.DataFrame:
    """D[i,k] = basis population of *i* × demand per person of *k* [capacity unit].

    Index municipality code, one column per type.
    """
    columns = {
        k: municipalities[row["demand_basis"]].astype(float) * float(row["demand_per_person"])
        for k, row in facility_types.iterrows()
    }
    return pd.DataFrame(columns, index=municipalities.index, columns=list(facility_types.index))


def resident_points(
    zones: pd.DataFrame | None,
    municipalities: pd.DataFrame,
    facility_types: pd.DataFrame,
    demand: pd.DataFrame,
    parameters: Parameters,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(zones, demand points, D[p, k]) of the given zones (``None``: one per municipality),
    merged as the parameters ``zone_grid_km`` and ``zones_per_municipality`` say."""
    table = complete_zones(zones, municipalities)
    table = assign_points(table, parameters.zone_grid_km, parameters.zones_per_municipality)
    points = demand_points(table)
    table["displacement_km"] = aggregation_error(table, points, parameters.detour_factor)
    return table, points, point_demand(points, demand, facility_types)


def fill_input_defaults(
    municipalities: pd.DataFrame, facility_types: pd.DataFrame, facilities: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The tables with the optional input columns present and their blanks filled.

    ``care_area`` "" (in no planning area); ``area_floor_share`` and
    ``area_floor_per_75plus`` NaN (no floor); ``keep_own_from_population``,
    ``coverage_km`` and ``coverage_share`` NaN (no rule); ``community_based`` False;
    ``operator`` ``municipal``. Problems built
    in code (synthetic areas, tests, benchmarks) thus carry the same columns as one read
    from a workbook. ``max_utilisation`` is left as given: the workbook fills a blank
    with the schema's default (0.9), while a problem built in code without it may fill
    its facilities (:func:`optimizer.problem.rules.utilisation_limits`). The tables
    given are not changed.
    """
    municipalities = municipalities.copy()
    areas = municipalities.get("care_area", pd.Series("", index=municipalities.index))
    municipalities["care_area"] = [
        "" if pd.isna(area) else str(area).strip() for area in areas.to_numpy(dtype=object)
    ]
    facility_types = facility_types.copy()
    for column in (
        "area_floor_share",
        "area_floor_per_75plus",
        "keep_own_from_population",
        "coverage_km",
        "coverage_share",
    ):
        floor = facility_types.get(column, pd.Series(float("nan"), index=facility_types.index))
        facility_types[column] = pd.to_numeric(floor).astype(float)
    community = facility_types.get("community_based", pd.Series(False, index=facility_types.index))
    facility_types["community_based"] = [
        bool(v) if not pd.isna(v) else False for v in community.to_numpy(dtype=object)
    ]
    facilities = facilities.copy()
    operators = facilities.get("operator", pd.Series(None, index=facilities.index))
    facilities["operator"] = [
        "municipal" if pd.isna(o) or not str(o).strip() else str(o).strip()
        for o in operators.to_numpy(dtype=object)
    ]
    return municipalities, facility_types, facilities


def assemble_problem(
    municipalities: pd.DataFrame,
    facility_types: pd.DataFrame,
    facilities: pd.DataFrame,
    parameters: Parameters | None = None,
    rules: Rules | None = None,
    travel: pd.DataFrame | None = None,
    scenarios: pd.DataFrame | None = None,
    source: dict | None = None,
    zones: pd.DataFrame | None = None,
) -> ProblemData:
    """Build a :class:`ProblemData` from clean tables, deriving demand and costs.

    This is the one constructor every producer of problems uses (the validator, the
    scenario engine, the synthetic and open-data generators, the benchmarks), so that
    derived columns are always computed the same way. The tables must already be clean:
    ``facilities`` needs the input columns of :data:`FACILITY_COLUMNS` (the cost
    columns are (re)computed here); optional input columns left out or blank take
    their defaults (:func:`fill_input_defaults`). ``zones`` (columns
    :data:`optimizer.problem.zones.ZONE_COLUMNS`, index zone id) say where residents
    live; ``None`` puts each municipality's residents at its point.
    """
    parameters = parameters or Parameters()
    municipalities, facility_types, facilities = fill_input_defaults(
        municipalities, facility_types, facilities
    )
    facilities = derive_facility_costs(facilities, facility_types, parameters)
    facility_types = facility_types.assign(
        unserved_penalty=unserved_penalties(facilities, facility_types, parameters),
        self_provision_cost=self_provision_costs(facilities, facility_types),
    )
    demand = demand_matrix(municipalities, facility_types)
    zone_table, points, by_point = resident_points(
        zones, municipalities, facility_types, demand, parameters
    )
    kwargs = {}
    if travel is not None:
        kwargs["travel"] = travel
    if scenarios is not None:
        kwargs["scenarios"] = scenarios
    return ProblemData(
        municipalities=municipalities,
        facility_types=facility_types,
        facilities=facilities,
        demand=demand,
        parameters=parameters,
        rules=rules or Rules(),
        source=source or {},
        zones=zone_table,
        points=points,
        point_demand=by_point,
        **kwargs,
    )
