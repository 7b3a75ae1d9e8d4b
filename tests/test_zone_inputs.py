"""The ``zones`` sheet (区域: where residents live) and the service-level columns of
``facility_types`` (``coverage_km``, ``coverage_share``, ``community_based``).

Every rule built on purpose from the template's tables (13201 八王子市: 579,605 residents,
88,640 aged 75+; 13202 立川市: 187,089 and 26,017), each message checked for its sheet,
row, column and value; a workbook without zones behaves as before; the sample's zones
reach the problem.
"""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest
from defects import FIRST, assert_issue, base_tables, issues_of, set_cell, workbook

from optimizer.schema import FACILITY_TYPES, LAT, LON, SHEETS_BY_NAME, ZONES
from optimizer.sources.sample import SAMPLE_CSV_DIR, SAMPLE_WORKBOOK
from optimizer.workbook.assemble import load_problem, problem_from_tables
from optimizer.workbook.instructions import instruction_rows
from optimizer.workbook.scenarios import apply_overrides, parse_assignment

HACHIOJI, TACHIKAWA = "13201", "13202"
HACHIOJI_PEOPLE, HACHIOJI_75 = 579_605, 88_640
TACHIKAWA_PEOPLE = 187_089


def zone(
    zone_id: str,
    municipality: str,
    population: float,
    *,
    lat: float = 35.67,
    lon: float = 139.32,
    elderly: float | None = None,
    name: str = "",
) -> dict:
    """One row of the zones sheet."""
    return {
        "zone": zone_id,
        "municipality": municipality,
        "name": name,
        "lat": lat,
        "lon": lon,
        "population": population,
        "population_75plus": elderly,
    }


def with_zones(*rows: dict) -> dict[str, pd.DataFrame]:
    """The template's tables with the zones sheet holding ``rows`` (none: an empty sheet)."""
    tables = base_tables()
    tables["zones"] = pd.DataFrame(list(rows), columns=[c.name for c in ZONES.columns])
    return tables


def whole(**elderly: float | None) -> list[dict]:
    """Zones that hold every resident of both municipalities: two for 13201, one for
    13202 (near their city halls)."""
    return [
        zone("H-1", HACHIOJI, 300_000, elderly=elderly.get("h1"), lat=35.665, lon=139.316),
        zone("H-2", HACHIOJI, 279_605, elderly=elderly.get("h2"), lat=35.655, lon=139.34),
        zone("T-1", TACHIKAWA, TACHIKAWA_PEOPLE, elderly=elderly.get("t1"), lat=35.714),
    ]


def codes_of(issues, prefix: str = "zone") -> list[str]:
    return [item.code for item in issues if item.code.startswith(prefix)]


# ---------------------------------------------------------------------------
# the schema
# ---------------------------------------------------------------------------


def test_the_zones_sheet_is_declared_as_data():
    assert SHEETS_BY_NAME["zones"] is ZONES
    assert (ZONES.label_ja, ZONES.key, ZONES.required, ZONES.open_columns) == (
        "区域",
        "zone",
        False,
        True,
    )
    required = {c.name for c in ZONES.columns if c.required}
    assert required == {"zone", "municipality", "lat", "lon", "population"}
    assert ZONES.column("population").minimum == 0
    assert "spread" in ZONES.column("population_75plus").description
    for name, bounds in (("lat", LAT), ("lon", LON)):
        column = ZONES.column(name)
        assert (column.minimum, column.maximum) == (bounds["minimum"], bounds["maximum"])
    assert all(c.label_ja and c.description_ja for c in ZONES.columns)


def test_facility_types_gain_the_service_level_columns():
    km, share, community = (
        FACILITY_TYPES.column(n) for n in ("coverage_km", "coverage_share", "community_based")
    )
    assert (km.kind, km.required, km.minimum > 0) == ("float", False, True)
    assert (share.kind, share.minimum, share.maximum) == ("float", 0, 1)
    assert (community.kind, community.default) == ("bool", False)
    assert "地域密着型" in community.description and "指定" in community.description_ja


def test_the_instructions_mention_the_zones_sheet():
    text = "\n".join(str(cell) for row in instruction_rows("ja") for cell in row)
    assert "zones（区域）" in text and "町丁・字" in text


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


def test_the_template_zones_are_read():
    problem, warnings = problem_from_tables(base_tables())
    zones = problem.zones
    assert list(zones.index) == ["13201008003", "132020060"]
    assert list(zones["municipality"]) == [HACHIOJI, TACHIKAWA]
    assert list(zones["name"]) == ["元本郷町三丁目", "泉町"]
    assert not zones["own_point"].any() and zones["estimated_75plus"].all()
    # one zone each: it holds all of its municipality's demand and 75+ residents
    assert zones.loc["13201008003", "population_75plus"] == HACHIOJI_75
    assert list(problem.points.index) == list(zones.index)
    # the examples are two 町丁, not whole cities: their sums are flagged
    assert codes_of(warnings) == ["zone_population_mismatch"] * 2


def test_zones_are_read_under_japanese_names(tmp_path):
    path = workbook(tmp_path, with_zones(*whole()))
    book = openpyxl.load_workbook(path)
    sheet = book["zones"]
    sheet.title = "区域"
    for cell, column in zip(sheet[1], ZONES.columns, strict=False):
        cell.value = column.label_ja
    sheet.delete_rows(2)  # the header in Japanese only, data from row 2
    book.save(path)
    problem, warnings = load_problem(path)
    assert list(problem.zones.index) == ["H-1", "H-2", "T-1"]
    assert problem.zones.loc["H-2", "lon"] == 139.34
    assert codes_of(warnings) == []


def test_cells_are_coerced_and_checked(tmp_path):
    path = workbook(tmp_path, with_zones(*whole()))
    set_cell(path, "zones", FIRST, "population", "３００，０００")
    set_cell(path, "zones", FIRST + 1, "population_75plus", "４０，０００")
    problem, _ = load_problem(path)
    assert problem.zones.loc["H-1", "population"] == 300_000
    assert problem.zones.loc["H-2", "population_75plus"] == 40_000
    set_cell(path, "zones", FIRST + 2, "population", -5)
    assert_issue(
        path, "out_of_range", sheet="zones", row=FIRST + 2, column="population", value="-5"
    )
    set_cell(path, "zones", FIRST + 2, "population", 0)  # a zone may be empty
    set_cell(path, "zones", FIRST + 1, "lat", None)
    assert_issue(path, "empty_required", sheet="zones", row=FIRST + 1, column="lat")


def test_a_lost_leading_zero_is_repaired_in_zones_too():
    tables = with_zones(*whole())
    tables["zones"] = tables["zones"].astype(object)
    tables["zones"].loc[2, "municipality"] = 13202  # typed as a number: still a code
    problem, _ = problem_from_tables(tables)
    assert problem.zones.loc["T-1", "municipality"] == TACHIKAWA


# ---------------------------------------------------------------------------
# errors, row by row
# ---------------------------------------------------------------------------


def test_a_zone_of_an_unknown_municipality(tmp_path):
    path = workbook(tmp_path, with_zones(*whole()))
    set_cell(path, "zones", FIRST + 1, "municipality", "13299")
    found = assert_issue(
        path,
        "unknown_municipality",
        sheet="zones",
        row=FIRST + 1,
        column="municipality",
        value="13299",
    )
    assert "13201, 13202" in found.message("en")


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (10.0, 139.32, "outside_japan"),
        (35.67, 160.0, "outside_japan"),
        (139.3, 35.6, "latlon_swapped"),
    ],
)
def test_a_zone_point_outside_japan(tmp_path, lat, lon, code):
    path = workbook(tmp_path, with_zones(*whole()))
    set_cell(path, "zones", FIRST + 2, "lat", lat)
    set_cell(path, "zones", FIRST + 2, "lon", lon)
    assert_issue(
        path,
        code,
        sheet="zones",
        row=FIRST + 2,
        column="lat/lon",
        value=f"lat={lat:g}, lon={lon:g}",
    )


def test_a_zone_id_used_twice(tmp_path):
    path = workbook(tmp_path, with_zones(*whole()))
    set_cell(path, "zones", FIRST + 2, "zone", "H-1")
    found = assert_issue(
        path, "duplicate_key", sheet="zones", row=FIRST + 2, column="zone", value="H-1"
    )
    assert f"zones row {FIRST}" in found.message("en")


def test_a_zone_id_that_is_another_municipality_s_code(tmp_path):
    path = workbook(tmp_path, with_zones(*whole()))
    set_cell(path, "zones", FIRST, "zone", TACHIKAWA)  # a zone of 13201 named 13202
    found = assert_issue(
        path,
        "zone_is_municipality_code",
        sheet="zones",
        row=FIRST,
        column="zone",
        value=TACHIKAWA,
    )
    assert "立川市 (13202)" in found.message("en")
    assert "立川市（13202）" in found.message("ja")


def test_a_zone_may_bear_its_own_municipality_s_code(tmp_path):
    rows = whole()
    rows[2]["zone"] = TACHIKAWA
    problem, warnings = load_problem(workbook(tmp_path, with_zones(*rows)))
    assert problem.zones.loc[TACHIKAWA, "municipality"] == TACHIKAWA
    assert not problem.zones.loc[TACHIKAWA, "own_point"]
    assert codes_of(warnings) == []


def test_more_residents_aged_75_than_residents(tmp_path):
    path = workbook(tmp_path, with_zones(*whole(t1=10)))
    set_cell(path, "zones", FIRST + 2, "population", 5)
    found = assert_issue(
        path,
        "elderly_exceeds_population",
        sheet="zones",
        row=FIRST + 2,
        column="population_75plus",
        value="10",
    )
    assert "(5)" in found.message("en")


# ---------------------------------------------------------------------------
# warnings, per municipality
# ---------------------------------------------------------------------------


def test_zones_that_do_not_add_up_to_the_population(tmp_path):
    rows = whole()
    rows[1]["population"] = 279_605 + 20_000  # 13201's zones: 599,605, +3.5 %
    path = workbook(tmp_path, with_zones(*rows))
    found = assert_issue(
        path,
        "zone_population_mismatch",
        sheet="zones",
        row=FIRST,  # the first zone of 13201
        column="population",
        value="599,605",
        severity="warning",
    )
    for lang in ("en", "ja"):
        assert "579,605" in found.message(lang)  # both numbers
        assert "+3.5%" in found.message(lang)
    assert f"municipalities row {FIRST}" in found.message("en")
    issues, _ = issues_of(path)
    assert codes_of(issues) == ["zone_population_mismatch"]  # 13202 adds up


def test_zones_within_three_percent_are_quiet():
    rows = whole()
    rows[1]["population"] = 279_605 - 17_000  # −2.9 %
    _, warnings = problem_from_tables(with_zones(*rows))
    assert codes_of(warnings) == []


def test_a_blank_75plus_takes_the_rest_in_proportion_to_population():
    rows = whole(h1=40_000)
    rows.append(zone("H-3", HACHIOJI, 0))
    rows[1]["population"] = 279_605
    problem, warnings = problem_from_tables(with_zones(*rows))
    zones = problem.zones
    assert not zones.loc["H-1", "estimated_75plus"]
    assert zones.loc["H-1", "population_75plus"] == 40_000
    # H-2 is 13201's only blank zone with residents: it gets all of the remaining 48,640
    assert zones.loc["H-2", "estimated_75plus"]
    assert zones.loc["H-2", "population_75plus"] == pytest.approx(HACHIOJI_75 - 40_000)
    assert zones.loc["H-3", "population_75plus"] == 0
    assert zones.loc["T-1", "population_75plus"] == pytest.approx(26_017)
    care = problem.point_demand["care"]
    assert care["H-2"] / care["H-1"] == pytest.approx(48_640 / 40_000)
    assert codes_of(warnings) == []


def test_zones_with_more_residents_aged_75_than_the_municipality(tmp_path):
    path = workbook(tmp_path, with_zones(*whole(h2=50_000, t1=1_000)))
    set_cell(path, "zones", FIRST, "population_75plus", 40_000)  # 90,000 > 88,640
    found = assert_issue(
        path,
        "zone_elderly_exceeds",
        sheet="zones",
        row=FIRST,
        column="population_75plus",
        value="90,000",
        severity="warning",
    )
    assert "88,640" in found.message("en") and "88,640" in found.message("ja")
    problem, _ = load_problem(path)
    assert problem.point_demand["care"].loc[["H-1", "H-2"]].sum() == pytest.approx(
        problem.demand.at[HACHIOJI, "care"]
    )


def test_a_municipality_without_zones_keeps_its_residents_at_its_point(tmp_path):
    path = workbook(tmp_path, with_zones(*whole()[:2]))
    found = assert_issue(
        path,
        "municipality_without_zones",
        sheet="municipalities",
        row=FIRST + 1,
        column="code",
        value=TACHIKAWA,
        severity="warning",
    )
    assert "lat 35.7139, lon 139.408" in found.message("en")
    problem, _ = load_problem(path)
    own = problem.zones.loc[TACHIKAWA]
    assert own["own_point"] and own["municipality"] == TACHIKAWA
    assert (own["lat"], own["population"]) == (35.7139, TACHIKAWA_PEOPLE)
    assert list(problem.points.index) == ["H-1", "H-2", TACHIKAWA]


# ---------------------------------------------------------------------------
# without zones: as before
# ---------------------------------------------------------------------------


def _as_before(problem) -> None:
    zones = problem.zones
    assert list(zones.index) == [HACHIOJI, TACHIKAWA]
    assert zones["own_point"].all()
    assert list(problem.points.index) == [HACHIOJI, TACHIKAWA]
    assert (
        problem.points[["lat", "lon"]].to_numpy()
        == problem.municipalities[["lat", "lon"]].to_numpy()
    ).all()
    pd.testing.assert_frame_equal(
        problem.point_demand.rename_axis(None), problem.demand.rename_axis(None)
    )


def test_a_workbook_without_the_zones_sheet_behaves_as_before(tmp_path):
    path = workbook(tmp_path, with_zones())
    book = openpyxl.load_workbook(path)
    del book["zones"]
    book.save(path)
    problem, warnings = load_problem(path)
    _as_before(problem)
    assert codes_of(warnings) == [] and "municipality_without_zones" not in {
        w.code for w in warnings
    }


def test_an_empty_zones_sheet_is_no_zones(tmp_path):
    path = workbook(tmp_path, with_zones())  # headers only, as the writer leaves it
    problem, warnings = load_problem(path)
    _as_before(problem)
    assert "municipality_without_zones" not in {w.code for w in warnings}
    assert not any(w.sheet == "zones" for w in warnings)


def test_tables_without_zones_behave_as_before():
    tables = base_tables()
    del tables["zones"]
    problem, _ = problem_from_tables(tables)
    _as_before(problem)


def test_scenarios_keep_the_zones(tmp_path):
    problem, _ = load_problem(workbook(tmp_path, with_zones(*whole(h1=40_000))))
    changed = apply_overrides(
        problem, [parse_assignment(f"municipalities.{HACHIOJI}.population=600000")]
    )
    assert list(changed.zones.index) == list(problem.zones.index)
    assert changed.zones.loc["H-1", "population_75plus"] == 40_000
    assert changed.point_demand["library"].loc[["H-1", "H-2"]].sum() == pytest.approx(600_000 * 3.0)


# ---------------------------------------------------------------------------
# service level and community-based types
# ---------------------------------------------------------------------------


def _types(**values: object) -> dict[str, pd.DataFrame]:
    tables = base_tables()
    types = tables["facility_types"].astype(object)
    for column, value in values.items():
        types.loc[types["type"] == "library", column] = value
    tables["facility_types"] = types
    return tables


def test_service_level_columns_read_with_their_defaults():
    problem, _ = problem_from_tables(base_tables())
    types = problem.facility_types
    assert types["coverage_km"].isna().all() and types["coverage_share"].isna().all()
    assert types["coverage_km"].dtype == float
    assert types["community_based"].tolist() == [False, False]
    problem, _ = problem_from_tables(
        _types(coverage_km=2, coverage_share="80%", community_based="はい")
    )
    library = problem.facility_types.loc["library"]
    assert (library["coverage_km"], library["coverage_share"]) == (2.0, pytest.approx(0.8))
    assert library["community_based"] is True or library["community_based"] == True  # noqa: E712
    assert not problem.facility_types.at["care", "community_based"]


@pytest.mark.parametrize(
    ("given", "blank"), [("coverage_km", "coverage_share"), ("coverage_share", "coverage_km")]
)
def test_a_coverage_rule_needs_both_columns(tmp_path, given, blank):
    path = workbook(tmp_path)
    set_cell(path, "facility_types", FIRST, given, 0.5)
    found = assert_issue(path, "rule_incomplete", sheet="facility_types", row=FIRST, column=blank)
    assert "library" in found.message("en") and "0.5" in found.message("en")


@pytest.mark.parametrize(("column", "value"), [("coverage_km", 0), ("coverage_share", 1.5)])
def test_coverage_values_out_of_range(tmp_path, column, value):
    path = workbook(tmp_path)
    set_cell(path, "facility_types", FIRST, "coverage_km", 2)
    set_cell(path, "facility_types", FIRST, "coverage_share", 0.8)
    set_cell(path, "facility_types", FIRST, column, value)
    assert_issue(
        path, "out_of_range", sheet="facility_types", row=FIRST, column=column, value=str(value)
    )


def test_a_coverage_share_beyond_reach_is_a_warning(tmp_path):
    path = workbook(tmp_path)
    set_cell(path, "facility_types", FIRST, "coverage_km", 4)
    set_cell(path, "facility_types", FIRST, "coverage_share", 0.9)
    found = assert_issue(
        path,
        "coverage_out_of_reach",
        sheet="facility_types",
        row=FIRST,
        column="coverage_share",
        value="0.9",
        severity="warning",
    )
    # 13201 reaches L-001 at 3.5 km (its travel row); 泉町 (13202) no library within 4 km
    assert "立川市 (13202) 0%" in found.message("en")
    assert "八王子市" not in found.message("en")
    assert "立川市（13202）0%" in found.message("ja")


def test_a_scenario_may_set_or_blank_the_coverage(tmp_path):
    problem, _ = load_problem(workbook(tmp_path))
    changed = apply_overrides(
        problem,
        [
            parse_assignment("facility_types.library.coverage_km=3"),
            parse_assignment("facility_types.library.coverage_share=0.7"),
        ],
    )
    assert changed.facility_types.at["library", "coverage_km"] == 3.0
    blank = apply_overrides(changed, [parse_assignment("facility_types.library.coverage_km=")])
    assert math.isnan(blank.facility_types.at["library", "coverage_km"])


# ---------------------------------------------------------------------------
# the sample
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    problem, warnings = load_problem(SAMPLE_WORKBOOK)
    assert warnings == []
    return problem


def test_the_sample_zones_are_read(sample):
    sheet = pd.read_csv(SAMPLE_CSV_DIR / "zones.csv", dtype={"zone": str, "municipality": str})
    zones = sample.zones
    assert list(zones.index) == list(sheet["zone"])
    assert list(zones["municipality"]) == list(sheet["municipality"])
    assert (zones["population"].to_numpy() == sheet["population"].to_numpy()).all()
    assert not zones["own_point"].any()
    assert zones["estimated_75plus"].all()  # the census gives no age split
    assert list(sample.points.index) == list(sheet["zone"])  # no merging in the sample
    counts = zones.groupby("municipality").size()
    assert counts.between(3, 5).all() and set(counts.index) == set(sample.codes)


def test_the_sample_zones_hold_each_municipality_s_residents(sample):
    sums = sample.zones.groupby("municipality")[["population", "population_75plus"]].sum()
    towns = sample.municipalities
    gap = (sums["population"] / towns["population"] - 1).abs()
    assert (gap <= 0.01).all()
    assert sums["population_75plus"].to_numpy() == pytest.approx(
        towns["population_75plus"].to_numpy(float)
    )
    by_town = sample.point_demand.groupby(sample.points["municipality"]).sum()
    pd.testing.assert_frame_equal(
        by_town.rename_axis(None), sample.demand.rename_axis(None), check_names=False
    )
