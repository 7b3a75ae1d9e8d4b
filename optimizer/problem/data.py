"""ProblemData: the validated, frozen inputs that every later stage sees.

Nothing after validation reads a workbook: the model, the checker, the allocation and
the reports all take a :class:`ProblemData`. Its tables are pandas DataFrames keyed by
the user's identifiers (municipality codes and facility ids, always text); treat them
as read-only (use :meth:`ProblemData.replace` to derive a changed copy).

Glossary (the words the code uses):

municipality *i*   a member of the area, keyed by its JIS code (text)
type *k*           a facility type (library, hall, care, or user-defined)
facility *j*       an existing building or a candidate site, keyed by its id
host *h(j)*        the municipality where facility *j* stands
demand D[i,k]      basis population of *i* × demand per person of *k* [capacity unit/year]
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

__all__ = [
    "Parameters",
    "Rules",
    "ProblemData",
    "FACILITY_COLUMNS",
    "demand_matrix",
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
    "status",  # keep / close / free
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
        plus any ``population_YYYY`` / ``population_75plus_YYYY`` projections.
    facility_types
        Index ``type`` (str). Columns ``name_ja``, ``demand_basis``, ``demand_per_person``,
        ``capacity_unit``, ``max_distance_km``, ``renovation_unit_cost``,
        ``rebuild_unit_cost``, ``life_years``, ``renovation_year``,
        ``user_travel_cost_per_km``, ``routine_repair_per_m2`` (all filled), and the
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


def assemble_problem(
    municipalities: pd.DataFrame,
    facility_types: pd.DataFrame,
    facilities: pd.DataFrame,
    parameters: Parameters | None = None,
    rules: Rules | None = None,
    travel: pd.DataFrame | None = None,
    scenarios: pd.DataFrame | None = None,
    source: dict | None = None,
) -> ProblemData:
    """Build a :class:`ProblemData` from clean tables, deriving demand and costs.

    This is the one constructor every producer of problems uses (the validator, the
    scenario engine, the synthetic and open-data generators, the benchmarks), so that
    derived columns are always computed the same way. The tables must already be clean:
    ``facilities`` needs the input columns of :data:`FACILITY_COLUMNS` (the cost
    columns are (re)computed here).
    """
    parameters = parameters or Parameters()
    facilities = derive_facility_costs(facilities, facility_types, parameters)
    facility_types = facility_types.assign(
        unserved_penalty=unserved_penalties(facilities, facility_types, parameters),
        self_provision_cost=self_provision_costs(facilities, facility_types),
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
        demand=demand_matrix(municipalities, facility_types),
        parameters=parameters,
        rules=rules or Rules(),
        source=source or {},
        **kwargs,
    )
