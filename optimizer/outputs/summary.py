"""Plain-text summaries for the terminal (what ``validate`` read, what ``solve`` decided).

Only formatting: every number comes from ProblemData or Solution. In Japanese, a type is
named by its ``name_ja`` (:func:`optimizer.problem.names.type_name`) and the solver's
status in words.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.problem.names import type_name
from optimizer.results.solution import Solution

__all__ = ["input_summary", "plan_summary"]

_WORDS = {
    "ja": {
        "area": "圏域",
        "municipalities": "市町村",
        "facilities": "既存施設",
        "candidates": "新設候補",
        "type": "類型",
        "demand": "需要",
        "capacity": "容量",
        "by_host": "所在市町村別の施設数",
        "kept": "存続",
        "closed": "廃止",
        "built": "新設",
        "decisions": "施設の方針",
        "served": "住民の利用先",
        "neighbour": "他市町村の施設の割合",
        "agreements": "連携協約",
        "none": "なし",
        "before": "単独の場合の年間費用合計",
        "after": "計画の年間費用合計",
        "saving": "削減額",
        "status": "解の状態",
        "objective": "目的関数",
        "bound": "下界",
        "gap": "ギャップ",
        "time": "計算時間",
        "unserved": "充足できない需要",
        "yen": "円/年",
        "seconds": "秒",
        "folder": "出力先",
    },
    "en": {
        "area": "Area",
        "municipalities": "municipalities",
        "facilities": "existing facilities",
        "candidates": "candidate sites",
        "type": "type",
        "demand": "demand",
        "capacity": "capacity",
        "by_host": "Facilities by host municipality",
        "kept": "kept",
        "closed": "closed",
        "built": "built",
        "decisions": "Facility decisions",
        "served": "Where residents are served",
        "neighbour": "share served by a neighbour",
        "agreements": "Agreements",
        "none": "none",
        "before": "Total annual cost, each municipality alone",
        "after": "Total annual cost under the plan",
        "saving": "saving",
        "status": "Solver status",
        "objective": "objective",
        "bound": "bound",
        "gap": "gap",
        "time": "time",
        "unserved": "Unserved demand",
        "yen": "yen/year",
        "seconds": "s",
        "folder": "Output folder",
    },
}


def _w(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["ja"])


def _yen(value: float) -> str:
    return f"{value:,.0f}"


def _type(problem: ProblemData, kind: str, lang: str) -> str:
    """A type as the summary names it: its Japanese name in Japanese, else its id."""
    return type_name(problem, kind) if lang == "ja" else str(kind)


def _columns(text: str) -> int:
    """Terminal columns ``text`` takes (a kanji takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _padded(text: str, columns: int) -> str:
    """``text`` and spaces to ``columns`` terminal columns."""
    return text + " " * max(0, columns - _columns(text))


def input_summary(problem: ProblemData, lang: str = "ja") -> str:
    """What was read: municipalities, facilities by type and host, demand and capacity."""
    w = _w(lang)
    fac = problem.facilities
    existing, candidates = fac[~fac["is_candidate"]], fac[fac["is_candidate"]]
    area = problem.parameters.area_name or "-"
    lines = [
        f"{w['area']}: {area} — {len(problem.municipalities)} {w['municipalities']}, "
        f"{len(existing)} {w['facilities']}, {len(candidates)} {w['candidates']}",
        "",
    ]
    for k, row in problem.facility_types.iterrows():
        unit = row.get("capacity_unit") or ""
        cap = existing.loc[existing["type"] == k, "capacity"].sum()
        lines.append(
            f"  {_type(problem, str(k), lang)}: {w['demand']} {problem.demand[k].sum():,.0f} / "
            f"{w['capacity']} {cap:,.0f} {unit}"
        )
    lines += ["", f"{w['by_host']}:"]
    counts = pd.crosstab(existing["municipality"], existing["type"]).reindex(
        index=problem.municipalities.index, columns=problem.types, fill_value=0
    )
    names = problem.municipalities["name"]
    for code, row in counts.iterrows():
        cells = ", ".join(f"{_type(problem, str(k), lang)} {int(n)}" for k, n in row.items())
        lines.append(f"  {code} {names[code]}: {cells}")
    return "\n".join(lines)


def plan_summary(problem: ProblemData, solution: Solution, lang: str = "ja") -> str:
    """What the plan decided, who is served where, the agreements, costs and solver figures."""
    w = _w(lang)
    names = problem.municipalities["name"]
    fac = solution.facilities
    lines = [f"{w['decisions']}:"]
    labels = {k: _type(problem, k, lang) for k in problem.types}
    column = max([10, *(_columns(label) for label in labels.values())])
    for k in problem.types:
        of_type = fac[fac["type"] == k]
        counts = of_type["decision"].value_counts()
        lines.append(
            f"  {_padded(labels[k], column)} {w['kept']} {counts.get('keep', 0)}, {w['closed']} "
            f"{counts.get('close', 0)}, {w['built']} {counts.get('build', 0)}"
        )
    lines += ["", f"{w['served']} ({w['neighbour']}):"]
    flows = solution.flows
    for code in problem.municipalities.index:
        own = flows[flows["municipality"] == code]
        parts = []
        for k in problem.types:
            f_k = own[own["type"] == k]
            label = _type(problem, k, lang)
            if f_k.empty:
                parts.append(f"{label} -")
                continue
            hosts = f_k.groupby("host")["share"].sum().sort_values(ascending=False)
            neighbour = hosts.drop(code, errors="ignore").sum()
            where = "+".join(names.get(h, h) for h in hosts.index)
            parts.append(f"{label} {where} ({neighbour:.0%})")
        lines.append(f"  {names[code]}: " + "; ".join(parts))
    lines += ["", f"{w['agreements']}:"]
    if solution.agreements.empty:
        lines.append(f"  {w['none']}")
    for _, pair in solution.agreements.iterrows():
        lines.append(f"  {names[pair['a']]} — {names[pair['b']]}")
    if not solution.unserved.empty:
        lines += ["", f"{w['unserved']}:"]
        points = problem.points
        for _, row in solution.unserved.iterrows():
            where = names[row["municipality"]]
            point = str(row.get("point", row["municipality"]))
            if point != row["municipality"] and point in points.index:
                where += f" {points.at[point, 'name']}"
            kind = _type(problem, str(row["type"]), lang)
            lines.append(f"  {where} {kind}: {row['demand']:,.1f} ({row.get('reason', '')})")
    costs = solution.municipal_costs
    before, after = costs["standalone_cost"].sum(), costs["plan_cost"].sum()
    saving = before - after
    pct = saving / before if before else 0.0
    o = solution.outcome
    gap = "-" if o.gap is None else f"{o.gap:.4%}"
    bound = "-" if o.bound is None else _yen(o.bound)
    lines += [
        "",
        f"{w['before']}: {_yen(before)} {w['yen']}",
        f"{w['after']}: {_yen(after)} {w['yen']} ({w['saving']} {_yen(saving)}, {pct:.1%})",
        f"{w['status']}: {o.status.text(lang)} — {w['objective']} {_yen(o.objective)}, "
        f"{w['bound']} {bound}, {w['gap']} {gap}, {w['time']} {o.seconds:.1f} {w['seconds']}",
    ]
    return "\n".join(lines)
