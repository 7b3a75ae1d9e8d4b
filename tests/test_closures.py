"""The checklist of what closing a facility takes (sharing/closures.py)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from test_allocation import FACILITIES, hand_built_case

from optimizer.sharing.allocation import allocate
from optimizer.sharing.closures import CHECKLIST_COLUMNS, STEPS, closure_checklist
from optimizer.sharing.terms import agreement_terms, area_summary, closed_facilities

CLOSED = [
    ("L2", "甲市立東分館", "library", "01001", 60_000, 50_000_000),
    ("H2", "丙村民ホール", "hall", "01003", 300, 90_000_000),
]


def closing_case(year_built: dict[str, float] | None = None):
    """The hand-built plan with two more facilities, both closed: 甲市立東分館 (built
    1978) and 丙村民ホール (no year given)."""
    problem, solution = hand_built_case(facilities=[*FACILITIES, *CLOSED])
    years = {"L1": 1990.0, "H1": 2001.0, "C1": 1995.0, "C2": 1999.0, "L2": 1978.0}
    years.update(year_built or {})
    facilities = problem.facilities.assign(
        year_built=pd.Series(years).reindex(problem.facilities.index)
    )
    problem = dataclasses.replace(problem, facilities=facilities)
    table = solution.facilities.copy()
    for facility in ("L2", "H2"):
        table.loc[facility, ["decision", "open", "annual_cost"]] = ["close", False, 0.0]
    return problem, dataclasses.replace(solution, facilities=table)


def test_one_row_per_closed_facility_with_every_step():
    problem, solution = closing_case()
    table = closure_checklist(problem, solution)
    assert list(table.columns) == list(CHECKLIST_COLUMNS)
    assert list(table["facility"]) == ["L2", "H2"]  # by host code, then id
    first, second = table.iloc[0], table.iloc[1]
    assert (first["name"], first["host"], first["host_name"]) == ("甲市立東分館", "01001", "甲市")
    assert (first["type"], first["type_name"]) == ("library", "図書館")
    assert (first["year_built"], first["age_years"]) == (1978, 2026 - 1978)
    assert pd.isna(second["year_built"]) and pd.isna(second["age_years"])
    for step in STEPS:
        assert table[step].str.len().min() > 40, step  # every step says what to check
    # the facilities that serve the host's residents instead, most used first
    assert first["replacements"] == "甲市立中央図書館（甲市）"
    assert second["replacements"] == "乙町民文化ホール（乙町）"


def test_each_step_cites_its_rule():
    problem, solution = closing_case()
    row = closure_checklist(problem, solution).iloc[0]
    assert "第244条の2第1項" in row["ordinance"] and "廃止" in row["ordinance"]
    assert "改正" in row["ordinance"]  # one ordinance listing several facilities
    majority = row["special_majority"]
    assert "第244条の2第2項" in majority and "3分の2以上" in majority
    assert "場合に限り" in majority  # only where an ordinance designates it
    subsidy = row["subsidy_property"]
    assert "補助金等に係る予算の執行の適正化に関する法律第22条" in subsidy
    assert "処分制限期間" in subsidy and "1978年建築" in subsidy and "築48年" in subsidy
    assert "甲市立中央図書館" in row["residents_notice"] and "周知" in row["residents_notice"]
    unknown = closure_checklist(problem, solution).iloc[1]["subsidy_property"]
    assert "建築年が入力にない" in unknown


def test_english_checklist():
    problem, solution = closing_case()
    row = closure_checklist(problem, solution, "en").iloc[0]
    assert row["type_name"] == "library"
    assert "art. 244-2(1)" in row["ordinance"]
    assert "Only if an ordinance" in row["special_majority"]
    assert "art. 22" in row["subsidy_property"] and "Built in 1978" in row["subsidy_property"]
    with pytest.raises(ValueError, match="language"):
        closure_checklist(problem, solution, "fr")


def test_no_closure_gives_an_empty_table():
    problem, solution = hand_built_case()
    table = closure_checklist(problem, solution)
    assert table.empty and list(table.columns) == list(CHECKLIST_COLUMNS)


def test_the_area_summary_carries_the_closures():
    problem, solution = closing_case()
    allocation = allocate(problem, solution, shapley="off")
    terms = agreement_terms(problem, solution, allocation)
    summary = area_summary(problem, allocation, terms, solution)
    assert summary.closed == closed_facilities(problem, solution)
    assert [c.facility for c in summary.closed] == ["L2", "H2"]
    assert area_summary(problem, allocation, terms).closed == ()  # without the plan
