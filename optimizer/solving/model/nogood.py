"""No-good cuts: exclude given plans, so that the next solve finds a different one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pulp

from optimizer.solving.model.expressions import add_rows
from optimizer.solving.model.index import ModelIndex
from optimizer.solving.model.variables import ModelVariables
from optimizer.solving.pulp_compat import affine

__all__ = ["define_excluded_plans"]


def define_excluded_plans(
    prob: pulp.LpProblem,
    index: ModelIndex,
    var: ModelVariables,
    exclude_plans: Sequence[frozenset[str]] = (),
) -> int:
    """One no-good cut per excluded plan, over the free open/build binaries.

    A plan *p* is the set of facility ids it opens (keeps or builds). Over the
    facilities whose status is ``free`` (``F``), any other plan differs from *p* in at
    least one decision:

    .. math:: \\sum_{j \\in F \\cap p} (1 - open_j) + \\sum_{j \\in F \\setminus p} open_j \\ge 1
              \\quad \\forall p \\in Excluded

    written as :math:`\\sum_{j \\in F \\setminus p} open_j - \\sum_{j \\in F \\cap p} open_j
    \\ge 1 - |F \\cap p|`. Facilities fixed to keep or close cannot differ and are left
    out. Returns the number of rows added.
    """
    if not exclude_plans:
        return 0
    free = np.flatnonzero(index.status == "free")
    ids = np.asarray(index.facility_ids, dtype=object)[free]
    expressions, rhs = [], []
    for plan in exclude_plans:
        in_plan = np.isin(ids, list(plan))
        signs = np.where(in_plan, -1.0, 1.0)
        expressions.append(affine(zip(var.open_[free], signs.tolist(), strict=True)))
        rhs.append(1.0 - float(in_plan.sum()))
    return add_rows(
        prob, "excluded_plan", range(len(expressions)), expressions, pulp.LpConstraintGE, rhs
    )
