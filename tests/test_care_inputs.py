"""The inputs of care as the care-insurance system runs it, and of headroom.

* ``facility_types.max_utilisation``: the largest share of a facility's capacity the
  plan may fill (blank → 0.9);
* ``facilities.operator``: municipal / private / prefecture (Japanese words too); a
  municipality cannot close what it does not own; candidates are always municipal;
* ``municipalities.care_area`` (老人福祉圏域) and the floors ``area_floor_share`` /
  ``area_floor_per_75plus`` of ``facility_types``.

Each feature: a workbook built from the template's tables that validates into the
expected ProblemData columns; each new error and warning built on purpose.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from defects import FIRST, assert_issue, base_tables, issues_of, set_cell, the, workbook

from optimizer.errors import ScenarioError
from optimizer.problem.rules import area_floors
from optimizer.schema import FACILITIES, FACILITY_TYPES, MUNICIPALITIES, OPERATORS
from optimizer.sources.sample import SAMPLE_WORKBOOK
from optimizer.workbook.assemble import load_problem, problem_from_tables
from optimizer.workbook.cells import CellError, parse_enum
from optimizer.workbook.scenarios import apply_overrides, parse_assignment

LIBRARY, CARE = FIRST, FIRST + 1
"""Rows of the template's two facility types (and of L-001 / C-001, 13201 / 13202)."""


def _set(frame: pd.DataFrame, key: str, match: object, **values: object) -> pd.DataFrame:
    frame = frame.copy()
    rows = frame[key] == match
    assert rows.any(), match
    for column, value in values.items():
        frame[column] = frame[column].astype(object)
        frame.loc[rows, column] = value
    return frame


def _tables(**changes: dict[str, tuple[str, object, dict]]) -> dict[str, pd.DataFrame]:
    """The template's tables; ``sheet=[(key column, key, {column: value}), ...]``."""
    tables = base_tables()
    for sheet, edits in changes.items():
        for key, match, values in edits:
            tables[sheet] = _set(tables[sheet], key, match, **values)
    return tables


def _both_languages(found, *words: str) -> None:
    for lang in ("ja", "en"):
        text = found.message(lang)
        for word in words:
            assert word in text, (lang, word, text)


# ---------------------------------------------------------------------------
# headroom: max_utilisation
# ---------------------------------------------------------------------------


def test_max_utilisation_is_a_float_column_with_its_default(tmp_path):
    tables = _tables(facility_types=[("type", "library", {"max_utilisation": None})])
    problem, _ = load_problem(workbook(tmp_path, tables))
    utilisation = problem.facility_types["max_utilisation"]
    assert utilisation.dtype == float
    assert utilisation.to_dict() == {"library": 0.9, "care": 0.95}  # blank → 0.9
    assert FACILITY_TYPES.column("max_utilisation").default == 0.9


def test_max_utilisation_reads_a_percentage(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facility_types", CARE, "max_utilisation", "９５％")
    problem, _ = load_problem(path)
    assert problem.facility_types.at["care", "max_utilisation"] == pytest.approx(0.95)


@pytest.mark.parametrize("value", [0, 1.2, -0.5, 90])
def test_max_utilisation_outside_its_range_is_refused(tmp_path, value):
    path = workbook(tmp_path)
    set_cell(path, "facility_types", LIBRARY, "max_utilisation", value)
    found = assert_issue(
        path, "out_of_range", sheet="facility_types", row=LIBRARY, column="max_utilisation"
    )
    _both_languages(found, "max_utilisation")


def test_a_low_max_utilisation_is_unusual(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facility_types", LIBRARY, "max_utilisation", 0.3)
    assert_issue(
        path,
        "unusual_value",
        sheet="facility_types",
        row=LIBRARY,
        column="max_utilisation",
        value="0.3",
        severity="warning",
    )


def test_demand_beyond_reach_counts_the_usable_capacity_only(tmp_path):
    # 13202's care demand 781 beds; C-001 100 + N-002 120 = 220 beds, 95 % usable = 209
    issues, raised = issues_of(workbook(tmp_path))
    assert not raised
    found = [i for i in issues if i.code == "demand_beyond_reach" and i.value == "13202"]
    assert found
    _both_languages(found[0], "209", "220", "95%")


# ---------------------------------------------------------------------------
# operators
# ---------------------------------------------------------------------------


def test_operator_column_in_problem_data(tmp_path):
    tables = _tables(
        facilities=[
            ("id", "C-001", {"operator": "private", "status": "free"}),
            ("id", "L-001", {"operator": None}),
        ]
    )
    problem, _ = load_problem(workbook(tmp_path, tables))
    facilities = problem.facilities
    assert facilities["operator"].to_dict() == {
        "L-001": "municipal",  # blank → municipal
        "C-001": "private",
        "N-001": "municipal",  # candidates are always municipal
        "N-002": "municipal",
    }
    assert set(facilities["operator"]) <= set(OPERATORS)
    assert facilities.at["C-001", "status"] == "keep"  # free read as keep: not theirs to close
    assert facilities.at["L-001", "status"] == "free"
    assert FACILITIES.column("operator").default == "municipal"
    names = [c.name for c in FACILITIES.columns]
    # operator and, after it, the geocoder's columns were added last: earlier columns
    # keep their letters
    assert names[names.index("operator") :] == ["operator", "address", "coord_source"]


def test_prefectural_facility_set_to_keep_stays_keep(tmp_path):
    tables = _tables(facilities=[("id", "C-001", {"operator": "prefecture", "status": "keep"})])
    problem, _ = load_problem(workbook(tmp_path, tables))
    assert problem.facilities.at["C-001", "operator"] == "prefecture"
    assert problem.facilities.at["C-001", "status"] == "keep"


JAPANESE_OPERATORS = {
    "市町村": "municipal",
    "市立": "municipal",
    "町立": "municipal",
    "村立": "municipal",
    "指定管理": "municipal",
    "民間": "private",
    "社会福祉法人": "private",
    "医療法人": "private",
    "法人": "private",
    "株式会社": "private",
    "都": "prefecture",
    "県": "prefecture",
    "都道府県": "prefecture",
    "都立": "prefecture",
    "県立": "prefecture",
    "Private": "private",
    " MUNICIPAL ": "municipal",
}


@pytest.mark.parametrize(("word", "operator"), JAPANESE_OPERATORS.items())
def test_operator_words(word, operator):
    assert parse_enum(word, OPERATORS) == operator


def test_japanese_operator_words_in_a_workbook(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "operator", "市立")
    set_cell(path, "facilities", FIRST + 1, "operator", "社会福祉法人")
    problem, _ = load_problem(path)
    assert problem.facilities.at["L-001", "operator"] == "municipal"
    assert problem.facilities.at["C-001", "operator"] == "private"


def test_unknown_operator_is_refused(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "operator", "国")
    found = assert_issue(
        path, "bad_enum", sheet="facilities", row=FIRST, column="operator", value="国"
    )
    _both_languages(found, "municipal", "private", "prefecture")
    with pytest.raises(CellError):
        parse_enum("国", OPERATORS)


@pytest.mark.parametrize("operator", ["private", "prefecture"])
def test_closing_a_facility_the_municipalities_do_not_own_is_an_error(tmp_path, operator):
    tables = _tables(facilities=[("id", "C-001", {"operator": operator, "status": "close"})])
    found = assert_issue(
        workbook(tmp_path, tables),
        "close_not_owned",
        sheet="facilities",
        row=FIRST + 1,
        column="status",
        value="close",
    )
    owner_ja = "民間" if operator == "private" else "都道府県"
    owner_en = "a private operator" if operator == "private" else "the prefecture"
    assert found.message("ja").startswith("エラー: シート「facilities」 4行目 列「status」")
    assert "市町村が所有しない施設は廃止できません" in found.message("ja")
    assert "a municipality cannot close a facility it does not own" in found.message("en")
    _both_languages(found, "C-001", "特別養護老人ホームみどり", operator)
    assert owner_ja in found.message("ja") and owner_en in found.message("en")
    assert "keep" in found.message("ja") and "free" in found.message("en")


def test_closing_a_municipal_facility_is_fine(tmp_path):
    tables = _tables(facilities=[("id", "L-001", {"operator": "municipal", "status": "close"})])
    problem, _ = load_problem(workbook(tmp_path, tables))
    assert problem.facilities.at["L-001", "status"] == "close"


def test_an_operator_column_on_candidates_is_ignored_with_a_warning(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "candidates", FIRST, "運営主体", "private")
    found = assert_issue(
        path, "unknown_column", sheet="candidates", row=1, column="運営主体", severity="warning"
    )
    _both_languages(found, "municipal")
    assert "always municipal" in found.message("en")
    assert "常に municipal" in found.message("ja")
    problem, _ = load_problem(path)
    assert (problem.facilities.loc[["N-001", "N-002"], "operator"] == "municipal").all()


def test_a_scenario_cannot_close_a_private_facility(tmp_path):
    tables = _tables(facilities=[("id", "C-001", {"operator": "private", "status": "keep"})])
    problem, _ = load_problem(workbook(tmp_path, tables))
    with pytest.raises(ScenarioError, match="cannot close a facility it does not own"):
        apply_overrides(problem, [parse_assignment("facilities.C-001.status=close")])
    freed = apply_overrides(problem, [parse_assignment("facilities.C-001.status=free")])
    assert freed.facilities.at["C-001", "status"] == "keep"
    closed = apply_overrides(problem, [parse_assignment("facilities.L-001.status=廃止")])
    assert closed.facilities.at["L-001", "status"] == "close"


# ---------------------------------------------------------------------------
# elderly-care planning areas and their floors
# ---------------------------------------------------------------------------


def test_care_area_and_floors_in_problem_data(tmp_path):
    tables = _tables(
        municipalities=[("code", "13201", {"care_area": None})],
        facility_types=[("type", "care", {"area_floor_per_75plus": 0.005})],
    )
    problem, warnings = load_problem(workbook(tmp_path, tables))
    areas = problem.municipalities["care_area"]
    assert areas.to_dict() == {"13201": "", "13202": "北多摩西部"}
    types = problem.facility_types
    for column in ("area_floor_share", "area_floor_per_75plus"):
        assert types[column].dtype == float
    assert math.isnan(types.at["library", "area_floor_share"])
    assert math.isnan(types.at["library", "area_floor_per_75plus"])
    assert types.at["care", "area_floor_share"] == 1.0
    assert types.at["care", "area_floor_per_75plus"] == 0.005
    # 北多摩西部: the larger of 1.0 × today's 100 beds and 0.005 × 26,017 = 130
    assert area_floors(problem)[["area", "floor"]].values.tolist() == [["北多摩西部", 130.085]]
    # 13201 left blank while 13202 names its area: a warning for it
    found = the(warnings, "no_care_area")
    assert (found.sheet, found.row, found.column) == ("municipalities", FIRST, "care_area")
    _both_languages(found, "八王子市", "13201")
    assert "care" in found.message("en") and "特別養護老人ホーム" in found.message("ja")
    assert MUNICIPALITIES.column("care_area").default == ""


def test_template_areas_and_floor():
    problem, _ = problem_from_tables(base_tables())
    assert problem.municipalities["care_area"].tolist() == ["南多摩", "北多摩西部"]
    floors = area_floors(problem)
    assert floors[["area", "type", "floor"]].values.tolist() == [["北多摩西部", "care", 100.0]]


def test_a_floor_without_any_care_area_has_no_effect(tmp_path):
    tables = _tables(
        municipalities=[
            ("code", "13201", {"care_area": None}),
            ("code", "13202", {"care_area": None}),
        ]
    )
    found = assert_issue(
        workbook(tmp_path, tables),
        "floor_without_area",
        sheet="facility_types",
        row=CARE,
        column="area_floor_share",
        value="1",
        severity="warning",
    )
    assert "圏域の下限がありますが、老人福祉圏域を記入した市町村がありません" in found.message("ja")
    assert "an area floor, but no municipality names its care area" in found.message("en")
    _both_languages(found, "care_area")


def test_no_warning_without_a_floor(tmp_path):
    tables = _tables(
        municipalities=[("code", "13201", {"care_area": None})],
        facility_types=[("type", "care", {"area_floor_share": None})],
    )
    issues, raised = issues_of(workbook(tmp_path, tables))
    assert not raised
    assert not {"no_care_area", "floor_without_area"} & {i.code for i in issues}


def test_a_share_floor_the_area_cannot_reach_is_an_error(tmp_path):
    # 北多摩西部 (13202): today C-001's 100 beds; with candidate N-002 at most 220
    tables = _tables(facility_types=[("type", "care", {"area_floor_share": 3})])
    found = assert_issue(
        workbook(tmp_path, tables),
        "area_floor_unreachable",
        sheet="facility_types",
        row=CARE,
        column="area_floor_share",
        value="3",
    )
    assert "圏域の容量の下限に、圏域内の施設・候補地の容量が届きません" in found.message("ja")
    assert "an area floor above the capacity" in found.message("en")
    _both_languages(found, "北多摩西部", "300", "220", "100")
    assert "care" in found.message("en") and "特別養護老人ホーム" in found.message("ja")


def test_a_floor_per_75plus_the_area_cannot_reach_is_an_error(tmp_path):
    # 南多摩 (13201, 88,640 aged 75+) hosts no care facility or candidate at all;
    # 北多摩西部 needs 0.008 × 26,017 = 208 of its 220
    tables = _tables(facility_types=[("type", "care", {"area_floor_per_75plus": 0.008})])
    found = assert_issue(
        workbook(tmp_path, tables),
        "area_floor_unreachable",
        sheet="facility_types",
        row=CARE,
        column="area_floor_per_75plus",
        value="0.008",
    )
    _both_languages(found, "南多摩", "709", "88,640")
    assert "hold only 0" in found.message("en")
    issues, _ = issues_of(workbook(tmp_path, tables, "again.xlsx"))
    assert [i.code for i in issues].count("area_floor_unreachable") == 1


def test_closed_facilities_count_neither_today_nor_as_available(tmp_path):
    # C-001 set to close: 北多摩西部 has no capacity today (floor 0) → no error
    tables = _tables(facilities=[("id", "C-001", {"status": "close"})])
    problem, _ = load_problem(workbook(tmp_path, tables))
    assert area_floors(problem).empty
    # and a floor per 75+ resident must then be met by the candidate N-002 alone (120 beds)
    tables = _tables(
        facilities=[("id", "C-001", {"status": "close"})],
        facility_types=[
            ("type", "care", {"area_floor_share": None, "area_floor_per_75plus": 0.005})
        ],
    )
    found = assert_issue(
        workbook(tmp_path, tables),
        "area_floor_unreachable",
        sheet="facility_types",
        row=CARE,
        column="area_floor_per_75plus",
        value="0.005",
    )
    _both_languages(found, "北多摩西部", "130", "120")  # 0.005 × 26,017 = 130 > 120


@pytest.mark.parametrize(
    ("column", "value"),
    [("area_floor_share", -1), ("area_floor_share", 11), ("area_floor_per_75plus", -0.1)],
)
def test_floors_outside_their_range_are_refused(tmp_path, column, value):
    path = workbook(tmp_path)
    set_cell(path, "facility_types", CARE, column, value)
    assert_issue(path, "out_of_range", sheet="facility_types", row=CARE, column=column)


def test_a_scenario_may_drop_a_floor(tmp_path):
    problem, _ = load_problem(workbook(tmp_path))
    changed = apply_overrides(
        problem,
        [
            parse_assignment("facility_types.care.area_floor_share="),
            parse_assignment("facility_types.care.max_utilisation=0.85"),
        ],
    )
    assert math.isnan(changed.facility_types.at["care", "area_floor_share"])
    assert changed.facility_types.at["care", "max_utilisation"] == 0.85
    with pytest.raises(ScenarioError):
        apply_overrides(problem, [parse_assignment("facility_types.care.max_utilisation=1.5")])


# ---------------------------------------------------------------------------
# the sample
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    problem, warnings = load_problem(SAMPLE_WORKBOOK)
    assert warnings == []
    return problem


def test_sample_operators(sample):
    f = sample.facilities
    existing = f[~f["is_candidate"]]
    care = existing[existing["type"] == "care"]
    owned_name = care["name"].str.contains("市立|町立|村立")
    assert (care.loc[~owned_name, "operator"] == "private").all()
    assert (care.loc[owned_name, "operator"] == "municipal").all()
    assert (care["operator"] == "private").sum() == 26
    assert (care["status"] == "keep").all()  # private: the plan cannot close them
    others = existing[existing["type"] != "care"]
    assert (others["operator"] == "municipal").all()
    assert (f.loc[f["is_candidate"], "operator"] == "municipal").all()


def test_sample_care_areas_and_floors(sample):
    areas = sample.municipalities["care_area"]
    # 昭島市 belongs to 北多摩西部 (rofuku_keniki.csv of the Tama case), the others to 西多摩
    assert areas["13207"] == "北多摩西部"
    assert (areas.drop("13207") == "西多摩").all() and len(areas) == 9
    types = sample.facility_types
    assert types["max_utilisation"].to_dict() == {"library": 0.95, "hall": 0.95, "care": 0.95}
    assert types.at["care", "area_floor_share"] == 1.0
    assert (
        types[["area_floor_share", "area_floor_per_75plus"]].drop(index="care").isna().all().all()
    )
    assert types["area_floor_per_75plus"].isna().all()
    floors = area_floors(sample).set_index("area")
    care = sample.facilities[
        (sample.facilities["type"] == "care") & ~sample.facilities["is_candidate"]
    ]
    assert (
        floors.at["北多摩西部", "floor"]
        == care.loc[care["municipality"] == "13207", "capacity"].sum()
    )
    assert floors["floor"].sum() == care["capacity"].sum()
