"""The objective: total annual cost of the plan [yen/year]."""

from __future__ import annotations

import numpy as np
import pulp

from optimizer.solving.model.expressions import bounded_coefficients
from optimizer.solving.model.index import ModelIndex, arc_travel_costs, per_demand
from optimizer.solving.model.variables import ModelVariables
from optimizer.solving.pulp_compat import affine

__all__ = ["define_objective", "OBJECTIVE_UNIT_YEN"]

OBJECTIVE_UNIT_YEN = 1e6
"""The objective is stated to the solver in millions of yen per year.

In yen its coefficients span 4e3 .. 7e10 (travel of a few residents .. the penalty for
a town's whole care demand): HiGHS then fails to solve the root LP of a 50-municipality
area at all (its bound stays at the trivial 2e9 yen for 120 s, gap 98 %), while in
millions of yen (4e-3 .. 7e4) it solves it in seconds. Outcomes are converted back to yen
by :func:`optimizer.solving.solver.run_solver` (``objective_unit``).
"""


def define_objective(prob: pulp.LpProblem, index: ModelIndex, var: ModelVariables) -> None:
    """Minimise the area's total annual cost.

    .. math::

        \\min \\sum_j F_j\\, open_j + \\sum_{(i,j)} t_k D_{ik} d_{ij}\\, use_{ij}
              + G \\sum_{a<b} agree_{ab} + \\sum_{i,k} P_k D_{ik}\\, unserved_{ik}

    F_j annual cost [yen/year], t_k travel cost [yen/unit/km], d_ij access distance [km],
    G agreement fixed cost [yen/year], P unserved penalty [yen/unit]. Every variable is
    listed (with its coefficient, possibly 0) so that PuLP registers it. Coefficients are
    divided by :data:`OBJECTIVE_UNIT_YEN`: the solver sees [million yen/year].
    """
    params = index.problem.parameters
    travel = arc_travel_costs(index)
    variables = np.concatenate([var.open_, var.use, var.agree, var.unserved])
    coefficients = np.concatenate(
        [
            index.annual_cost,
            travel,
            np.full(len(var.agree), float(params.agreement_fixed_cost)),
            per_demand(index, "unserved_penalty"),
        ]
    )
    scaled = bounded_coefficients(
        coefficients / OBJECTIVE_UNIT_YEN,
        lambda n: _term(index, len(var.agree), n),
        "annual cost [million yen]",
        "年間費用（百万円）",
        small="zero",
    ).tolist()
    prob.setObjective(affine(zip(variables, scaled, strict=True)))


def _term(index: ModelIndex, agreements: int, n: int) -> tuple[str, str]:
    """What the objective's n-th coefficient stands for, in the user's ids (en, ja)."""
    facilities, arcs = len(index.facility_ids), index.arcs
    if n < facilities:
        j = index.facility_ids[n]
        return f"facility {j}", f"施設{j}"
    n -= facilities
    if n < len(arcs):
        row = arcs.iloc[n]
        i, j = row["municipality"], row["facility"]
        return f"travel {i} → {j}", f"{i}から{j}への移動"
    n -= len(arcs)
    if n < agreements:
        return "an agreement", "協約"
    demand = index.demands.iloc[n - agreements]
    code, kind = index.codes[int(demand["i"])], index.types[int(demand["k"])]
    return (
        f"unserved demand of {code} for {kind} (priced from the dearest annual cost per "
        f"capacity unit among the {kind} facilities)",
        f"{code}の{kind}の未充足需要（{kind}施設の容量当たり年間費用の最高値から算定）",
    )
