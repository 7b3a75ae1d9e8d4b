"""How messages and outputs name the codes of the input: types and municipalities."""

from __future__ import annotations

from optimizer.problem.data import ProblemData

__all__ = ["type_name", "municipality_label"]


def type_name(problem: ProblemData, kind: str) -> str:
    """The Japanese name of facility type ``kind`` (``name_ja``), or ``kind`` when it has none."""
    types = problem.facility_types
    if "name_ja" in types.columns and kind in types.index:
        name = types.at[kind, "name_ja"]
        if isinstance(name, str) and name.strip():
            return name
    return str(kind)


def municipality_label(problem: ProblemData, code: str, lang: str = "en") -> str:
    """A municipality by name and code: 立川市 (13202), or 立川市（13202） with ``lang="ja"``."""
    name = problem.municipalities["name"].get(code, code)
    return f"{name}（{code}）" if lang == "ja" else f"{name} ({code})"
