"""One test per validation rule: a small defective workbook, the issue it must raise
(sheet, row, column, value) and whether loading stops."""

from __future__ import annotations

import pandas as pd
import pytest
from defects import FIRST, assert_issue, base_tables, issues_of, set_cell, the, workbook

from optimizer.errors import InputError
from optimizer.schema import PARAMETERS
from optimizer.workbook.assemble import load_problem, problem_from_tables
from optimizer.workbook.cells import jis_check_digit, parse_year
from optimizer.workbook.messages import format_issues

PARAM_ROW = {p.name: FIRST + i for i, p in enumerate(PARAMETERS)}


def test_base_workbook_validates(tmp_path):
    problem, warnings = load_problem(workbook(tmp_path))
    assert all(w.severity == "warning" for w in warnings)
    assert list(problem.municipalities.index) == ["13201", "13202"]
    assert problem.facilities.index.name == "id"


def test_missing_required_sheet(tmp_path):
    tables = base_tables()
    path = workbook(tmp_path, tables)
    import openpyxl

    book = openpyxl.load_workbook(path)
    del book["facilities"]
    book.save(path)
    assert_issue(path, "missing_sheet", sheet="facilities", row=None, column=None)


def test_missing_required_column(tmp_path):
    tables = base_tables()
    tables["facilities"] = tables["facilities"].drop(columns="capacity")
    path = workbook(tmp_path, tables)
    import openpyxl

    book = openpyxl.load_workbook(path)
    ws = book["facilities"]
    headers = [c.value for c in ws[1]]
    ws.delete_cols(headers.index("capacity") + 1)
    book.save(path)
    assert_issue(path, "missing_column", sheet="facilities", row=1, column="capacity")


def test_unknown_column_is_a_warning_with_suggestion(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "floor_aera_m2", 5)
    found = assert_issue(
        path,
        "unknown_column",
        sheet="facilities",
        row=1,
        column="floor_aera_m2",
        severity="warning",
    )
    assert "floor_area_m2" in found.message("en")


def test_empty_required_cell(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST + 1, "name", None)
    assert_issue(path, "empty_required", sheet="facilities", row=FIRST + 1, column="name")


def test_text_in_number_column(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "capacity", "たくさん")
    assert_issue(
        path, "not_a_number", sheet="facilities", row=FIRST, column="capacity", value="たくさん"
    )


def test_negative_capacity(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "capacity", -5)
    found = assert_issue(
        path, "out_of_range", sheet="facilities", row=FIRST, column="capacity", value=-5
    )
    assert "between 0.001 and 1,000,000,000" in found.message("en")


def test_population_must_be_positive(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "municipalities", FIRST + 1, "population", 0)
    assert_issue(
        path, "out_of_range", sheet="municipalities", row=FIRST + 1, column="population", value=0
    )


def test_duplicate_municipality_code(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "municipalities", FIRST + 1, "code", "13201")
    found = assert_issue(
        path, "duplicate_key", sheet="municipalities", row=FIRST + 1, column="code", value="13201"
    )
    assert f"row {FIRST}" in found.message("en")


def test_duplicate_facility_id_across_facilities_and_candidates(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "candidates", FIRST, "id", "L-001")
    found = assert_issue(
        path, "duplicate_key", sheet="candidates", row=FIRST, column="id", value="L-001"
    )
    assert "facilities" in found.message("en")


def test_facility_hosted_by_unknown_municipality(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "municipality", "13999")
    assert_issue(
        path,
        "unknown_municipality",
        sheet="facilities",
        row=FIRST,
        column="municipality",
        value="13999",
    )


def test_facility_of_unknown_type(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "type", "libary")
    found = assert_issue(
        path, "unknown_type", sheet="facilities", row=FIRST, column="type", value="libary"
    )
    assert "library" in found.message("en")


def test_lat_lon_swapped(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "lat", 139.3237)
    set_cell(path, "facilities", FIRST, "lon", 35.6601)
    found = assert_issue(
        path, "latlon_swapped", sheet="facilities", row=FIRST, column="lat/lon", value="lat=139.324"
    )
    assert "swapped?" in found.message("en")


def test_point_outside_japan(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "municipalities", FIRST, "lat", 51.5)
    set_cell(path, "municipalities", FIRST, "lon", -0.12)
    assert_issue(
        path, "outside_japan", sheet="municipalities", row=FIRST, column="lat/lon", value="lat=51.5"
    )


def test_full_width_digits_accepted(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "capacity", "３００，０００")
    set_cell(path, "municipalities", FIRST, "population", " 579,605 ")
    set_cell(path, "facilities", FIRST, "annual_operating_cost", "１億".replace("億", "") + "5")
    issues, raised = issues_of(path)
    assert not raised
    problem, _ = load_problem(path)
    assert problem.facilities.loc["L-001", "capacity"] == 300_000
    assert problem.municipalities.loc["13201", "population"] == 579_605
    assert problem.facilities.loc["L-001", "annual_operating_cost"] == 15


def test_code_lost_leading_zero_repaired(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "municipalities", FIRST, "code", 1101)  # typed as a number
    set_cell(path, "facilities", FIRST, "municipality", "1101")
    set_cell(path, "candidates", FIRST, "municipality", 1101)
    set_cell(path, "travel", FIRST, "municipality", "01101")
    set_cell(path, "rules", FIRST + 1, "municipality", "01101")  # the rule of 13201
    set_cell(path, "zones", FIRST, "municipality", 1101)
    found = assert_issue(
        path,
        "code_repaired",
        sheet="municipalities",
        row=FIRST,
        column="code",
        value="1101",
        severity="warning",
    )
    assert "01101" in found.message("ja")
    problem, _ = load_problem(path)
    assert "01101" in problem.municipalities.index
    assert problem.facilities.loc["L-001", "municipality"] == "01101"
    assert problem.zones.loc["13201008003", "municipality"] == "01101"


def test_six_digit_code_with_bad_check_digit(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "municipalities", FIRST, "code", "132019")
    found = assert_issue(
        path, "bad_check_digit", sheet="municipalities", row=FIRST, column="code", value="132019"
    )
    assert "132012" in found.message("en")


def test_six_digit_code_matches_five_digit_references(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "municipalities", FIRST, "code", "132012")
    problem, _ = load_problem(path)
    assert problem.facilities.loc["L-001", "municipality"] == "132012"


def test_unknown_status_lists_allowed_values(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "status", "maybe")
    found = assert_issue(
        path, "bad_enum", sheet="facilities", row=FIRST, column="status", value="maybe"
    )
    assert "keep, close, free" in found.message("en")


def test_unknown_demand_basis(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facility_types", FIRST, "demand_basis", "households")
    found = assert_issue(
        path,
        "bad_enum",
        sheet="facility_types",
        row=FIRST,
        column="demand_basis",
        value="households",
    )
    assert "population_75plus" in found.message("ja")


def test_bad_yes_no(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "municipalities", FIRST, "may_share", "たぶん")
    assert_issue(
        path, "bad_bool", sheet="municipalities", row=FIRST, column="may_share", value="たぶん"
    )


def test_japanese_yes_no_and_era_years_accepted(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "municipalities", FIRST, "may_share", "×")
    set_cell(path, "municipalities", FIRST + 1, "may_share", "はい")
    set_cell(path, "facilities", FIRST, "year_built", "昭和57年")
    set_cell(path, "facilities", FIRST + 1, "year_built", "H10")
    problem, _ = load_problem(path)
    assert list(problem.municipalities["may_share"]) == [False, True]
    assert list(problem.facilities["year_built"].iloc[:2]) == [1982, 1998]


@pytest.mark.parametrize("column", ["demand_basis", "demand_per_person"])
def test_type_without_demand_definition(tmp_path, column):
    path = workbook(tmp_path)
    set_cell(path, "facility_types", FIRST + 1, column, None)
    assert_issue(path, "empty_required", sheet="facility_types", row=FIRST + 1, column=column)


def test_type_with_no_facilities_is_a_warning(tmp_path):
    tables = base_tables()
    extra = tables["facility_types"].iloc[[0]].assign(type="hall", name_ja="ホール")
    tables["facility_types"] = pd.concat([tables["facility_types"], extra], ignore_index=True)
    path = workbook(tmp_path, tables)
    assert_issue(
        path,
        "type_without_facilities",
        sheet="facility_types",
        row=FIRST + 2,
        column="type",
        value="hall",
        severity="warning",
    )


def test_custom_type_without_unit_costs(tmp_path):
    tables = base_tables()
    extra = (
        tables["facility_types"]
        .iloc[[0]]
        .assign(type="pool", renovation_unit_cost=None, rebuild_unit_cost=None)
    )
    tables["facility_types"] = pd.concat([tables["facility_types"], extra], ignore_index=True)
    path = workbook(tmp_path, tables)
    assert_issue(
        path,
        "missing_unit_cost",
        sheet="facility_types",
        row=FIRST + 2,
        column="renovation_unit_cost",
    )


def test_mic_defaults_fill_blank_unit_costs(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facility_types", FIRST + 1, "rebuild_unit_cost", None)
    problem, _ = load_problem(path)
    assert problem.facility_types.loc["care", "rebuild_unit_cost"] == 360_000


def test_elderly_exceed_population(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "municipalities", FIRST + 1, "population_75plus", 200_000)
    assert_issue(
        path,
        "elderly_exceeds_population",
        sheet="municipalities",
        row=FIRST + 1,
        column="population_75plus",
        value="200000",
    )


def test_year_built_in_the_future(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "year_built", 2031)
    assert_issue(
        path, "year_in_future", sheet="facilities", row=FIRST, column="year_built", value=2031
    )


def test_year_built_before_1868(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "year_built", 1700)
    assert_issue(
        path, "out_of_range", sheet="facilities", row=FIRST, column="year_built", value=1700
    )


def test_unknown_parameter_suggests_the_closest(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "parameters", PARAM_ROW["discount_rate"], "name", "discount_rat")
    found = assert_issue(
        path,
        "unknown_parameter",
        sheet="parameters",
        row=PARAM_ROW["discount_rate"],
        column="name",
        value="discount_rat",
    )
    assert "discount_rate" in found.message("en")


def test_bad_parameter_value(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "parameters", PARAM_ROW["discount_rate"], "value", 2)
    assert_issue(
        path,
        "bad_parameter",
        sheet="parameters",
        row=PARAM_ROW["discount_rate"],
        column="value",
        value=2,
    )


def test_parameter_by_japanese_label_and_percent(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "parameters", PARAM_ROW["discount_rate"], "name", "割引率")
    set_cell(path, "parameters", PARAM_ROW["discount_rate"], "value", "３%")
    problem, _ = load_problem(path)
    assert problem.parameters.discount_rate == pytest.approx(0.03)


def test_weights_must_sum_to_one(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "parameters", PARAM_ROW["weight_usage"], "value", 0.5)
    assert_issue(
        path,
        "weights_not_one",
        sheet="parameters",
        row=PARAM_ROW["weight_equal"],
        column="value",
        value="1.05",
    )


def test_travel_unknown_facility_and_municipality(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "travel", FIRST, "facility", "X-999")
    set_cell(path, "travel", FIRST + 1, "municipality", "14100")
    assert_issue(
        path, "unknown_facility", sheet="travel", row=FIRST, column="facility", value="X-999"
    )
    assert_issue(
        path,
        "unknown_municipality",
        sheet="travel",
        row=FIRST + 1,
        column="municipality",
        value="14100",
    )


def test_travel_without_distance_or_minutes(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "travel", FIRST, "distance_km", None)
    assert_issue(path, "travel_without_distance", sheet="travel", row=FIRST, column="distance_km")


def test_travel_minutes_become_km(tmp_path):
    problem, _ = load_problem(workbook(tmp_path))
    # 20 minutes at the default 30 km/h
    assert problem.travel["distance_km"].tolist() == [3.5, 10.0]


def test_rules_unknown_municipality_type_and_kind(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "rules", FIRST, "other", "museum")  # keep_own names a type
    set_cell(path, "rules", FIRST + 1, "rule", "no_cooperation")  # names a partner
    set_cell(path, "rules", FIRST + 1, "other", "99999")
    assert_issue(
        path, "unknown_municipality", sheet="rules", row=FIRST + 1, column="other", value="99999"
    )
    assert_issue(path, "unknown_type", sheet="rules", row=FIRST, column="other", value="museum")
    set_cell(path, "rules", FIRST, "rule", "forbid")
    found = assert_issue(path, "bad_enum", sheet="rules", row=FIRST, column="rule", value="forbid")
    assert "no_cooperation" in found.message("en")


def test_rules_become_rules_object(tmp_path):
    path = workbook(tmp_path)
    problem, _ = load_problem(path)
    assert problem.rules.keep_own == frozenset({("13202", "care")})
    assert problem.rules.max_partners == {"13201": 2}
    set_cell(path, "rules", FIRST + 1, "rule", "no_cooperation")
    set_cell(path, "rules", FIRST + 1, "other", "13202")
    problem, _ = load_problem(path)
    assert problem.rules.banned_pairs == frozenset({("13201", "13202")})


def test_scenario_with_empty_target(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "scenarios", FIRST + 1, "target", "  ")
    assert_issue(path, "empty_required", sheet="scenarios", row=FIRST + 1, column="target")


def test_facility_without_floor_area_or_renewal_cost(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "floor_area_m2", None)
    found = assert_issue(
        path,
        "no_capital_cost",
        sheet="facilities",
        row=FIRST,
        column="floor_area_m2",
        severity="warning",
    )
    assert "L-001" in found.message("ja")


def test_unknown_year_built_assumes_an_age(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "year_built", None)
    found = assert_issue(
        path, "unknown_age", sheet="facilities", row=FIRST, column="year_built", severity="warning"
    )
    assert "50%" in found.message("en")


def test_sanity_bands(tmp_path):
    path = workbook(tmp_path)
    issues, raised = issues_of(path)
    assert not raised
    assert the(issues, "care_capacity_band").severity == "warning"
    assert the(issues, "library_area_band").severity == "warning"
    set_cell(path, "municipalities", FIRST, "population", 100_000)
    set_cell(path, "municipalities", FIRST + 1, "population", 100_000)
    set_cell(path, "facilities", FIRST + 1, "floor_area_m2", 900_000)
    issues, _ = issues_of(path)
    assert "m²" in the(issues, "public_area_band").message("en")


def test_all_issues_collected_at_once(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facilities", FIRST, "capacity", "abc")
    set_cell(path, "municipalities", FIRST, "population", -1)
    set_cell(path, "parameters", PARAM_ROW["mip_gap"], "value", "x")
    set_cell(path, "facilities", FIRST, "remarks", "memo")
    with pytest.raises(InputError) as caught:
        load_problem(path)
    codes = {i.code for i in caught.value.issues}
    assert {"not_a_number", "out_of_range", "bad_parameter"} <= codes
    text = format_issues(caught.value.issues, "en")
    assert text.splitlines()[0].startswith(f"{len(caught.value.issues)} problem(s)")
    first_warning = next(i for i, line in enumerate(text.splitlines()) if "warning:" in line)
    assert all("error:" not in line for line in text.splitlines()[first_warning:])


def test_plain_frames_numbered_from_row_two():
    tables = base_tables()
    tables["facilities"].loc[1, "capacity"] = -1
    with pytest.raises(InputError) as caught:
        problem_from_tables(tables)
    found = the(caught.value.issues, "out_of_range")
    assert (found.sheet, found.row, found.column) == ("facilities", 3, "capacity")


def test_plain_frames_with_named_index_and_numpy_values():
    tables = base_tables()
    tables["municipalities"] = tables["municipalities"].set_index("code")
    problem, _ = problem_from_tables(tables, source={"path": "generated"})
    assert problem.source["path"] == "generated"
    assert problem.municipalities["population"].dtype == "int64"


def test_check_digit_and_era_years():
    assert jis_check_digit("13201") == 2
    assert jis_check_digit("11100") == 7
    assert parse_year("令和元年") == 2019
    assert parse_year("R3") == 2021
    assert parse_year("昭和50") == 1975


def test_check_digit_against_real_codes(shared_dir):
    codes = pd.read_csv(
        shared_dir / "data/real/municipalities-localgovjp/localgovjp-utf8.csv",
        dtype=str,
        encoding="utf-8-sig",
    )["lgcode"].dropna()
    assert all(jis_check_digit(code[:5]) == int(code[5]) for code in codes)


def test_municipality_with_nothing_within_reach_is_a_warning(tmp_path):
    tables = base_tables()
    towns = tables["municipalities"]
    towns.loc[1, ["lat", "lon"]] = [35.95, 139.95]  # ~60 km from every facility
    path = workbook(tmp_path, tables)
    found = assert_issue(
        path,
        "nothing_within_reach",
        sheet="municipalities",
        row=FIRST + 1,
        column="code",
        value="13202",
        severity="warning",
    )
    assert "8 km" in found.message("en")
