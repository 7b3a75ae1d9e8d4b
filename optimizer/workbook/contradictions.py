"""Hard rules that the tables themselves contradict, found before any solve.

Each check names who (the municipality or type), what (the rule) and why (the
facilities, statuses or limits that make it impossible), in Japanese and English:

``type_all_closed`` (error)
    Every facility and candidate of a type with demand is set to close: its demand can
    never be served.
``rule_cannot_hold`` (error)
    A ``keep_own`` rule for a municipality whose own facilities of the type are all set
    to close, with no candidate of the type that may be built; or ``required_saving``
    (with ``fairness``) for a municipality that may sign no agreement at all
    (``may_share`` no, or a partner limit of 0): it cannot save against its stand-alone
    cost without a partner. The solve would report no feasible plan.
``rule_cannot_hold`` (warning)
    A ``keep_own`` rule for a municipality that hosts no facility or candidate of the
    type at all. Equally impossible, but a warning: the blank template's own example
    rows hold such a rule, and the template must validate.
``rule_not_applied`` (warning)
    ``keep_own_each_type`` where a municipality with demand for a type hosts no facility
    of it that may stay open: the rule does not apply to it
    (:func:`optimizer.problem.rules.keep_own_targets`).
``no_partner_allowed`` (warning)
    A municipality that may sign no agreement and hosts nothing of a type it needs: its
    demand of that type stays unserved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.problem.names import municipality_label, type_name
from optimizer.problem.rules import partner_limits
from optimizer.workbook.messages import WARNING, Issue, issue
from optimizer.workbook.reach import listed

__all__ = ["SheetRows", "check_contradictions"]


@dataclass
class SheetRows:
    """Where things are in the workbook, so that each issue can name its row.

    Attributes
    ----------
    municipalities
        Code → row of the municipalities sheet.
    types
        Type → row of the facility_types sheet.
    rules
        (rule, code, type or None) → row of the rules sheet.
    parameters
        Parameter name → row of the parameters sheet.
    """

    municipalities: Mapping[str, int] = field(default_factory=dict)
    types: Mapping[str, int] = field(default_factory=dict)
    rules: Mapping[tuple[str, str, str | None], int] = field(default_factory=dict)
    parameters: Mapping[str, int] = field(default_factory=dict)


def _sites(problem: ProblemData) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """Every facility and candidate (municipality, type, status as text), and the
    (municipality, type) pairs that host one not fixed to close."""
    sites = problem.facilities[["municipality", "type", "status"]].astype(str)
    open_ = sites[sites["status"] != "close"]
    return sites, set(zip(open_["municipality"], open_["type"], strict=True))


def _all_closed(problem: ProblemData, rows: SheetRows) -> list[Issue]:
    sites, _ = _sites(problem)
    found = []
    for kind in problem.types:
        of_kind = sites[sites["type"] == kind]
        demand = float(problem.demand[kind].sum())
        if of_kind.empty or demand <= 0 or (of_kind["status"] != "close").any():
            continue
        ids = [str(i) for i in of_kind.index]
        unit = str(problem.facility_types.at[kind, "capacity_unit"] or "")
        found.append(
            issue(
                "facility_types",
                rows.types.get(kind),
                "type",
                kind,
                "type_all_closed",
                f"at least one {kind} facility or candidate that may open: all {len(ids)} "
                f"({listed(ids)}) are set to close, so the area's {kind} demand of "
                f"{demand:,.0f} {unit} can never be served (set one to free or keep)",
                f"{type_name(problem, kind)}の施設・候補地のうち少なくとも1つは廃止以外に："
                f"{len(ids)} か所（{listed(ids, 'ja')}）がすべて廃止指定で、圏域の需要 "
                f"{demand:,.0f} {unit} を満たせません（いずれかを free か keep に）",
            )
        )
    return found


def _keep_own(problem: ProblemData, rows: SheetRows) -> list[Issue]:
    sites, usable = _sites(problem)
    found = []
    for code, kind in sorted(problem.rules.keep_own):
        code, kind = str(code), str(kind)
        if (code, kind) in usable:
            continue
        row = rows.rules.get(("keep_own", code, kind), rows.rules.get(("keep_own", code, None)))
        own = sites[(sites["municipality"] == code) & (sites["type"] == kind)]
        who, who_ja = municipality_label(problem, code), municipality_label(problem, code, "ja")
        kind_ja = type_name(problem, kind)
        if own.empty:
            found.append(
                issue(
                    "rules",
                    row,
                    "other",
                    f"keep_own {code} {kind}",
                    "rule_cannot_hold",
                    f"a {kind} facility or candidate hosted by {who}: it hosts none, so it "
                    f"cannot keep one of its own and the solve will find no plan (add a "
                    f"candidate in {code} or drop the rule)",
                    f"{who_ja}が自ら持つ{kind_ja}の施設または候補地：1つもないため、どの計画でも"
                    f"条件を満たせず、計算は解なしになります（候補地を加えるか、条件を削除）",
                    severity=WARNING,
                )
            )
            continue
        ids = [str(i) for i in own.index]
        found.append(
            issue(
                "rules",
                row,
                "other",
                f"keep_own {code} {kind}",
                "rule_cannot_hold",
                f"an own {kind} facility of {who} that may stay open: its {len(ids)} "
                f"({listed(ids)}) are all set to close and it hosts no {kind} candidate that "
                "may be built (set one to free or keep, add a candidate, or drop the rule)",
                f"{who_ja}が残せる自らの{kind_ja}：{len(ids)} か所（{listed(ids, 'ja')}）がすべて"
                "廃止指定で、整備できる候補地もありません（方針を free か keep にするか、"
                "候補地を加えるか、条件を削除）",
            )
        )
    return found


def _keep_own_each_type(problem: ProblemData, rows: SheetRows) -> list[Issue]:
    if not problem.parameters.keep_own_each_type:
        return []
    _, usable = _sites(problem)
    covered = usable | {(str(m), str(k)) for m, k in problem.rules.keep_own}
    found = []
    for kind in problem.types:
        demand = problem.demand[kind]
        without = [
            str(code)
            for code in problem.codes
            if demand[code] > 0 and (str(code), kind) not in covered
        ]
        if not without:
            continue
        who = listed([municipality_label(problem, code) for code in without])
        who_ja = listed([municipality_label(problem, code, "ja") for code in without], "ja")
        found.append(
            issue(
                "parameters",
                rows.parameters.get("keep_own_each_type"),
                "value",
                f"keep_own_each_type: {kind}",
                "rule_not_applied",
                f"an own {kind} facility that may stay open in every municipality: {who} "
                f"host(s) none, so the rule does not apply there (their {kind} demand is "
                "served by partners or left unserved)",
                f"全市町村に残せる自らの{type_name(problem, kind)}：{who_ja}には1つもないため、"
                "この条件は適用されません（需要は連携先で賄うか、未充足になります）",
                severity=WARNING,
            )
        )
    return found


def _alone(problem: ProblemData, rows: SheetRows) -> dict[str, tuple[str, int | None, str, str]]:
    """Municipalities that may sign no agreement: code → (sheet, row, why, why in ja)."""
    alone: dict[str, tuple[str, int | None, str, str]] = {}
    limits = partner_limits(problem)
    ruled = {str(code) for code in problem.rules.max_partners}
    for code, limit in limits.items():
        if limit != 0:
            continue
        code = str(code)
        if code in ruled:
            where = ("rules", rows.rules.get(("max_partners", code, None)))
            alone[code] = (*where, "its max_partners rule is 0", "max_partners の条件が 0 ")
        else:
            where = ("parameters", rows.parameters.get("max_partners"))
            alone[code] = (
                *where,
                "the parameter max_partners is 0",
                "パラメータ max_partners が 0 ",
            )
    for code, shares in problem.municipalities["may_share"].astype(bool).items():
        if not shares:
            row = rows.municipalities.get(str(code))
            alone[str(code)] = ("municipalities", row, "may_share is no", "連携可否が「いいえ」")
    return alone


def _no_partner(problem: ProblemData, rows: SheetRows) -> list[Issue]:
    alone = _alone(problem, rows)
    if not alone:
        return []
    found = []
    params = problem.parameters
    if params.fairness and params.required_saving > 0:
        saving = f"{params.required_saving:.0%}"
        said = set()
        for code, (sheet, row, why, why_ja) in alone.items():
            if (sheet, row) in said:  # the parameter max_partners: once for everybody
                continue
            said.add((sheet, row))
            everybody = sheet == "parameters"
            who = "every municipality" if everybody else municipality_label(problem, code)
            who_ja = "すべての市町村" if everybody else municipality_label(problem, code, "ja")
            code = "max_partners = 0" if everybody else code
            found.append(
                issue(
                    sheet,
                    row,
                    "may_share" if sheet == "municipalities" else "value",
                    code,
                    "rule_cannot_hold",
                    f"a possible partner for {who}: required_saving asks every municipality "
                    f"to save {saving} against its stand-alone cost, which only sharing can "
                    f"do, but {why} (lower required_saving, turn fairness off, or allow "
                    "agreements)",
                    f"{who_ja}の連携先：required_saving はすべての市町村に単独の場合より {saving} "
                    f"の削減を求め、それは共同利用でしかできませんが、{why_ja}です"
                    "（required_saving を下げるか、fairness を外すか、協約を認めてください）",
                )
            )
    _, usable = _sites(problem)
    for code, (_, _, why, why_ja) in alone.items():
        needed = [
            str(kind)
            for kind, amount in problem.demand.loc[code].items()
            if amount > 0 and (code, str(kind)) not in usable
        ]
        if not needed:
            continue
        who, who_ja = municipality_label(problem, code), municipality_label(problem, code, "ja")
        found.append(
            issue(
                "municipalities",
                rows.municipalities.get(code),
                "code",
                code,
                "no_partner_allowed",
                f"a partner for {who}, which hosts no {' or '.join(needed)} facility that may "
                f"open, but {why}: its {', '.join(needed)} demand stays unserved",
                f"{who_ja}の連携先（{'・'.join(type_name(problem, k) for k in needed)}の施設が"
                f"ありません）。{why_ja}のため、その需要は充足できません",
                severity=WARNING,
            )
        )
    return found


def check_contradictions(problem: ProblemData, rows: SheetRows) -> list[Issue]:
    """Every hard rule the tables contradict (see the module's list)."""
    return [
        *_all_closed(problem, rows),
        *_keep_own(problem, rows),
        *_keep_own_each_type(problem, rows),
        *_no_partner(problem, rows),
    ]
