"""Care as the care-insurance system runs it: who owns a facility, and the planning areas.

``close_not_owned`` (error)
    A facility whose ``operator`` is private or prefecture set to ``close``: a
    municipality cannot close what it does not own. (One left ``free`` stays open
    without a message: :func:`optimizer.problem.costs.derive_facility_costs`.)
``unknown_column`` (warning)
    An ``operator`` column on the candidates sheet: candidates are always municipal
    (sites the municipalities would build), so the column is ignored there.
``floor_without_area`` (warning)
    A type sets ``area_floor_share`` or ``area_floor_per_75plus`` while no municipality
    names its ``care_area``: the floor has no effect.
``no_care_area`` (warning)
    A municipality with a blank ``care_area`` while others name theirs and some type
    sets an area floor: no floor applies to it.
``area_floor_unreachable`` (error)
    A planning area whose floor for a type exceeds the capacity of every facility and
    candidate of the type in the area not set to close: no plan can meet it.

The floors themselves are computed by :func:`optimizer.problem.rules.area_floors`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.problem.rules import area_floors
from optimizer.schema import FACILITIES
from optimizer.workbook.messages import WARNING, Issue, issue
from optimizer.workbook.names import column_for_header
from optimizer.workbook.raw import excel_rows

__all__ = [
    "OPERATOR_WORDS",
    "check_operators",
    "candidate_operator_issue",
    "check_area_floors",
]

OPERATOR_WORDS = {
    "private": ("a private operator", "民間"),
    "prefecture": ("the prefecture", "都道府県"),
}
"""How messages name an owner other than the municipality (English, Japanese)."""

FLOOR_COLUMNS = ("area_floor_share", "area_floor_per_75plus")


def check_operators(existing: pd.DataFrame) -> list[Issue]:
    """``close_not_owned``: a private or prefectural facility set to close."""
    foreign = existing["operator"].isin(list(OPERATOR_WORDS))
    closed = existing[foreign & (existing["status"] == "close")]
    found = []
    for row, record in excel_rows(closed):
        owner, owner_ja = OPERATOR_WORDS[str(record["operator"])]
        who = f"{record['id']} ({record['name']})"
        who_ja = f"{record['id']}（{record['name']}）"
        found.append(
            issue(
                "facilities",
                row,
                "status",
                record["status"],
                "close_not_owned",
                f"keep or free for {who}: it is run by {owner} (operator "
                f"{record['operator']}), and a municipality cannot close a facility it does "
                "not own (set the status to keep or free, or the operator to municipal if a "
                "municipality owns it)",
                f"{who_ja}の方針は keep または free：運営主体が{owner_ja}"
                f"（{record['operator']}）で、市町村は自ら所有しない施設を廃止できません"
                "（方針を keep か free にするか、市町村の所有なら運営主体を municipal に）",
            )
        )
    return found


def candidate_operator_issue(header: str, letter: str, header_row: int) -> Issue | None:
    """``unknown_column`` (warning) worded for an operator column on the candidates sheet;
    None for any other header."""
    if column_for_header(FACILITIES, header) != "operator":
        return None
    return issue(
        "candidates",
        header_row,
        header,
        f"{letter}: {header}",
        "unknown_column",
        "no operator column: a candidate is a site the municipalities would build and own, "
        "always municipal (the column is ignored)",
        "運営主体の列は不要：候補地は市町村が整備・所有する施設で、常に municipal です"
        "（この列は無視します）",
        severity=WARNING,
    )


def _floor_given(types: pd.DataFrame) -> list[tuple[str, str, float]]:
    """(type, column, value) of every floor set on the facility_types sheet."""
    return [
        (str(kind), column, float(value))
        for kind, spec in types.iterrows()
        for column in FLOOR_COLUMNS
        if not np.isnan(value := float(spec[column]))
    ]


def _without_area(
    problem: ProblemData,
    given: list[tuple[str, str, float]],
    municipality_rows: Mapping[str, int],
    type_rows: Mapping[str, int],
) -> list[Issue]:
    """``floor_without_area`` when no municipality names its area, else ``no_care_area``
    for each municipality that leaves it blank."""
    areas = problem.municipalities["care_area"].astype(str)
    names_ja = problem.facility_types["name_ja"].astype(str)
    if (areas == "").all():
        return [
            issue(
                "facility_types",
                type_rows.get(kind),
                column,
                f"{value:g}",
                "floor_without_area",
                f"a care_area on the municipalities sheet: the {kind} floor applies per "
                "elderly-care planning area (老人福祉圏域), and no municipality names one, so "
                "it has no effect",
                f"市町村シートの老人福祉圏域（care_area）：{names_ja.get(kind, kind)}の下限は"
                "圏域ごとに適用され"
                "ますが、圏域を記入した市町村がないため効果がありません",
                severity=WARNING,
            )
            for kind, column, value in given
        ]
    kinds = ", ".join(dict.fromkeys(kind for kind, _, _ in given))
    kinds_ja = "・".join(dict.fromkeys(names_ja.get(kind, kind) for kind, _, _ in given))
    found = []
    for code in areas.index[areas == ""]:
        name = problem.municipalities.at[code, "name"]
        found.append(
            issue(
                "municipalities",
                municipality_rows.get(str(code)),
                "care_area",
                None,
                "no_care_area",
                f"the elderly-care planning area of {name} ({code}): the others name theirs, "
                f"and the area floor of {kinds} does not apply to a municipality in no area",
                f"{name}（{code}）の老人福祉圏域：他の市町村は記入済みで、圏域のない市町村には"
                f"{kinds_ja}の圏域下限が適用されません",
                severity=WARNING,
            )
        )
    return found


def _unreachable(problem: ProblemData, type_rows: Mapping[str, int]) -> list[Issue]:
    floors = area_floors(problem)
    if floors.empty:
        return []
    sites = problem.facilities
    open_ = sites[sites["status"].astype(str) != "close"]
    types = problem.facility_types
    found = []
    for record in floors.itertuples(index=False):
        kind, area, members = str(record.type), str(record.area), list(record.members)
        here = open_[
            (open_["type"].astype(str) == kind) & open_["municipality"].astype(str).isin(members)
        ]
        available = float(here["capacity"].sum())
        floor = float(record.floor)
        if floor <= available * (1 + 1e-9) + 1e-9:
            continue
        spec = types.loc[kind]
        today = float(here.loc[~here["is_candidate"].astype(bool), "capacity"].sum())
        elderly = float(problem.municipalities.loc[members, "population_75plus"].sum())
        share, per_75 = float(spec["area_floor_share"]), float(spec["area_floor_per_75plus"])
        by_share = not np.isnan(share) and share * today >= floor * (1 - 1e-9)
        column = "area_floor_share" if by_share else "area_floor_per_75plus"
        if by_share:
            how, how_ja = f"{share:g} × today's {today:,.0f}", f"現状 {today:,.0f} の {share:g} 倍"
        else:
            how = f"{per_75:g} × {elderly:,.0f} residents aged 75+"
            how_ja = f"75歳以上人口 {elderly:,.0f} 人 × {per_75:g}"
        unit = str(spec["capacity_unit"] or "")
        name_ja = str(spec["name_ja"] or kind)
        found.append(
            issue(
                "facility_types",
                type_rows.get(kind),
                column,
                f"{share if by_share else per_75:g}",
                "area_floor_unreachable",
                f"a {kind} floor the planning area {area} can meet: it must keep "
                f"{floor:,.0f} {unit} ({how}), but its {kind} facilities and candidates not "
                f"set to close hold only {available:,.0f} (add a candidate in {area}, set "
                "fewer facilities to close, or lower the floor)",
                f"老人福祉圏域「{area}」が満たせる{name_ja}の下限：{floor:,.0f} {unit}"
                f"（{how_ja}）が必要ですが、圏域内の廃止指定でない施設・候補地の容量は "
                f"{available:,.0f} だけです（圏域内に候補地を加えるか、廃止指定を減らすか、"
                "下限を下げてください）",
            )
        )
    return found


def check_area_floors(
    problem: ProblemData,
    municipality_rows: Mapping[str, int],
    type_rows: Mapping[str, int],
) -> list[Issue]:
    """``floor_without_area`` / ``no_care_area`` (warnings) and
    ``area_floor_unreachable`` (error); see the module's list."""
    given = _floor_given(problem.facility_types)
    if not given:
        return []
    return [
        *_without_area(problem, given, municipality_rows, type_rows),
        *_unreachable(problem, type_rows),
    ]
