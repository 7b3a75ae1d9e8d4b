"""Names the outputs show for the codes of the input (shared by the report and the map)."""

from __future__ import annotations

from optimizer.problem.data import ProblemData

__all__ = ["type_name"]


def type_name(problem: ProblemData, k: str) -> str:
    """The Japanese name of facility type ``k`` (``name_ja``), or ``k`` when it has none."""
    name = problem.facility_types.loc[k].get("name_ja", "")
    return str(name) if isinstance(name, str) and name.strip() else str(k)
