"""The levers of a sensitivity analysis: one group of inputs scaled by one factor.

Each lever multiplies a group of inputs a council would question ("what if demand per
person is 20 % higher? what if building costs 20 % more?"), and the problem is
assembled again so that every derived figure (demand per point, annual costs, unit
costs, penalties) follows:

``demand``          every type's ``demand_per_person``
``capacity``        every facility's and candidate's ``capacity``
``unit_costs``      operating costs, routine repairs per m², renovation and rebuild unit
                    costs, build and renewal costs: everything a facility costs
``travel_cost``     every type's ``user_travel_cost_per_km``
``agreement_cost``  the parameter ``agreement_fixed_cost``
"""

from __future__ import annotations

import pandas as pd

from optimizer.problem.data import ProblemData, assemble_problem
from optimizer.problem.zones import input_zones

__all__ = ["LEVERS", "LEVER_NAMES_JA", "scaled_problem"]

LEVERS = ("demand", "capacity", "unit_costs", "travel_cost", "agreement_cost")
"""The levers, in the order a report lists them."""

LEVER_NAMES_JA = {
    "demand": "一人当たり需要",
    "capacity": "施設の容量",
    "unit_costs": "施設の費用（運営・改修・建替え・新設）",
    "travel_cost": "住民の移動費用",
    "agreement_cost": "協約の固定費",
}

_TYPE_COLUMNS = {
    "demand": ("demand_per_person",),
    "unit_costs": ("renovation_unit_cost", "rebuild_unit_cost", "routine_repair_per_m2"),
    "travel_cost": ("user_travel_cost_per_km",),
}
_FACILITY_COLUMNS = {
    "capacity": ("capacity",),
    "unit_costs": ("annual_operating_cost", "build_cost", "renewal_cost"),
}


def _times(table: pd.DataFrame, columns: tuple[str, ...], factor: float) -> pd.DataFrame:
    table = table.copy()
    for column in columns:
        if column in table:
            table[column] = pd.to_numeric(table[column]).astype(float) * factor
    return table


def scaled_problem(problem: ProblemData, lever: str, factor: float) -> ProblemData:
    """``problem`` with the inputs of ``lever`` (one of :data:`LEVERS`) × ``factor``."""
    if lever not in LEVERS:
        raise ValueError(f"unknown lever {lever!r}; one of {', '.join(LEVERS)}")
    types = _times(problem.facility_types, _TYPE_COLUMNS.get(lever, ()), factor)
    facilities = _times(problem.facilities, _FACILITY_COLUMNS.get(lever, ()), factor)
    parameters = problem.parameters
    if lever == "agreement_cost":
        parameters = parameters.replace(
            agreement_fixed_cost=parameters.agreement_fixed_cost * factor
        )
    source = {**problem.source, "lever": f"{lever} × {factor:g}"}
    return assemble_problem(
        problem.municipalities,
        types.drop(columns=["unserved_penalty", "self_provision_cost"], errors="ignore"),
        facilities,
        parameters=parameters,
        rules=problem.rules,
        travel=problem.travel,
        scenarios=problem.scenarios,
        source=source,
        zones=input_zones(problem.zones),
    )
