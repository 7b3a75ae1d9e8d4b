"""The Tama case mapped onto the input tables."""

from __future__ import annotations

import pandas as pd
import pytest

from optimizer.problem.rules import area_floors
from optimizer.schema import SHEETS_BY_NAME
from optimizer.sources.opendata import (
    DEFAULTS,
    care_operators,
    classify_halls,
    tama_problem,
    tama_tables,
)
from optimizer.sources.tama_residents import CARE_TYPES, ZONE_SHEET_COLUMNS, read_zones
from optimizer.workbook.names import projection_column

CARE = list(CARE_TYPES["type"])


@pytest.fixture(scope="module")
def case_dir():
    from conftest import SHARED

    path = SHARED / "data" / "real" / "case-tama"
    if not path.is_dir():
        pytest.skip("the Tama case is not present")
    return path


@pytest.fixture(scope="module")
def tables(case_dir):
    return tama_tables(case_dir)


def test_thirty_municipalities(tables):
    m = tables["municipalities"]
    assert len(m) == 30 and m["code"].is_unique
    assert m["code"].str.fullmatch(r"\d{5}").all()
    assert m["population"].sum() == 4_295_687  # the README's 2020 preliminary total
    assert (m["population_75plus"] < m["population"]).all()


def test_selection_counts(tables):
    f = tables["facilities"]
    counts = f["type"].value_counts()
    assert counts["library"] == 146  # municipal libraries only (operator_code 3)
    assert counts[CARE].to_dict() == {
        "care_tokuyo": 236, "care_small": 16, "care_roken": 83, "care_iryoin": 17,
    }  # fmt: skip
    assert 60 <= counts["hall"] <= 120
    assert f["id"].is_unique


def test_hall_rule():
    rows = pd.DataFrame(
        {
            "name": [
                "オリンパスホール八王子",
                "府中の森芸術劇場",
                "押立文化センター",
                "東会館",
                "中原地区公会堂",
                "沢井市民センター体育館",
                "中央公民館",
            ],
            "subtype": ["集会施設"] * 6 + ["公民館"],
        }
    )
    assert classify_halls(rows).tolist() == [
        "large hall",
        "large hall",
        "culture centre",
        None,
        None,
        None,
        None,
    ]
    assert classify_halls(rows, include_community_rooms=True).tolist()[3:] == [
        "集会施設",
        "集会施設",
        "集会施設",
        "公民館",
    ]


def test_stated_care_capacity_is_kept(case_dir, tables):
    raw = pd.read_csv(case_dir / "facilities.csv", encoding="utf-8-sig")
    stated = raw.dropna(subset=["capacity"]).set_index("facility_id")["capacity"]
    f = tables["facilities"].set_index("id")
    assert (f.loc[stated.index, "capacity"] == stated).all()
    assert not f.loc[stated.index, "assumed"].str.contains("capacity").any()


def test_care_bed_defaults_are_the_case_medians(case_dir):
    raw = pd.read_csv(case_dir / "facilities.csv", encoding="utf-8-sig")
    care = raw[(raw["category"] == "elderly_care") & (raw["capacity"] > 0)]
    medians = care.groupby("subtype")["capacity"].median()
    for subtype, median in medians.items():
        assert DEFAULTS.loc[("care", subtype), "capacity"] == round(median)


def test_every_default_is_marked(tables):
    f = tables["facilities"]
    assert f["assumed"].str.contains("floor_area_m2").all()  # the case has no floor areas
    libraries = f[f["type"] == "library"]
    assert (libraries["assumed"].str.contains("year_built")).sum() == 110  # 36 known
    a = tables["assumptions"]
    filled = a[a["column"] == "capacity"].set_index("subtype")["filled"]
    assert filled["介護老人福祉施設"] == 32
    total = sum(f["assumed"].str.split(";").apply(len))
    facility_rows = a[~a["type"].isin(["zones", "municipalities"])]
    assert facility_rows["filled"].sum() == total
    assert set(facility_rows["type"]) == set(f["type"])


def test_columns_are_schema_columns(tables):
    for name in ("municipalities", "facility_types", "candidates", "parameters", "zones"):
        if name not in SHEETS_BY_NAME:
            continue  # the zones sheet is optional in older schemas
        outlook = {c for c in tables[name].columns if projection_column(c)}
        assert set(tables[name].columns) - outlook <= set(SHEETS_BY_NAME[name].column_index)
    extra = set(tables["facilities"].columns) - set(SHEETS_BY_NAME["facilities"].column_index)
    assert extra == {"subtype", "assumed"}


def test_candidates_make_every_municipality_self_sufficient(tables):
    m = tables["municipalities"].set_index("code")
    types = tables["facility_types"].set_index("type")
    sites = pd.concat([tables["facilities"], tables["candidates"]])
    own = sites.groupby(["municipality", "type"])["capacity"].sum()
    for kind, row in types.iterrows():
        demand = m[row["demand_basis"]] * row["demand_per_person"]
        held = own.xs(kind, level="type").reindex(m.index, fill_value=0.0)
        assert (held >= demand).all(), kind
    c = tables["candidates"]
    assert c["id"].is_unique and (c["build_cost"] > 0).all()
    assert set(c.columns) <= set(SHEETS_BY_NAME["candidates"].column_index)


def test_named_hall_is_kept(tables):
    assert "パルテノン多摩" in set(tables["facilities"]["name"])


def test_community_rooms_give_the_large_reading(case_dir):
    large = tama_tables(case_dir, include_community_rooms=True)["facilities"]
    assert (large["type"] == "hall").sum() == 995


def test_problem(case_dir):
    problem = tama_problem(case_dir)
    assert len(problem.municipalities) == 30
    owned = problem.facilities["operator"] == "municipal"
    assert (problem.facilities.loc[owned, "annual_cost"] > 0).all()
    assert problem.source["assumptions"]


def test_care_operators_follow_the_name_rule(tables):
    f = tables["facilities"]
    care = f[f["type"].isin(CARE)]
    municipal = care["name"].str.contains("市立|町立|村立")
    assert (care.loc[municipal, "operator"] == "municipal").all()
    assert (care.loc[~municipal, "operator"] == "private").all()
    assert care["operator"].value_counts().to_dict() == {"private": 350, "municipal": 2}
    assert (f.loc[~f["type"].isin(CARE), "operator"] == "municipal").all()
    rule = care_operators(
        pd.Series(["care", "care", "library"]),
        pd.Series(["府中市立特別養護老人ホームよつや苑", "特別養護老人ホームA", "図書館"]),
    )
    assert rule.tolist() == ["municipal", "private", "municipal"]


def test_care_areas_and_floors(case_dir, tables):
    areas = pd.read_csv(case_dir / "rofuku_keniki.csv", dtype={"code5": str})
    m = tables["municipalities"].set_index("code")
    assert m["care_area"].to_dict() == areas.set_index("code5")["keniki"].to_dict()
    assert m["care_area"].value_counts().to_dict() == {
        "西多摩": 8, "南多摩": 5, "北多摩西部": 6, "北多摩南部": 6, "北多摩北部": 5,
    }  # fmt: skip
    types = tables["facility_types"].set_index("type")
    assert types["max_utilisation"].to_dict() == {
        "library": 0.9, "hall": 0.9, **dict.fromkeys(CARE, 0.95),
    }  # fmt: skip
    assert (types.loc[CARE, "area_floor_share"] == 1.0).all()
    assert types[["area_floor_share"]].drop(index=CARE).isna().all().all()


def test_problem_carries_the_care_columns(case_dir):
    problem = tama_problem(case_dir)
    f = problem.facilities
    private = f[f["operator"] == "private"]
    assert len(private) == 350 and (private["status"] == "keep").all()
    assert (f.loc[f["is_candidate"], "operator"] == "municipal").all()
    floors = area_floors(problem).set_index("area")
    assert sorted(set(floors.index)) == sorted(
        ["西多摩", "南多摩", "北多摩西部", "北多摩南部", "北多摩北部"]
    )
    assert set(floors["type"]) == set(CARE)
    care = f[f["type"].isin(CARE) & ~f["is_candidate"]]
    assert floors["floor"].sum() == care["capacity"].sum()  # share 1.0: today's capacity
    west = problem.municipalities.index[problem.municipalities["care_area"] == "西多摩"]
    in_west = care[care["municipality"].isin(west)]
    for kind in CARE:  # one floor per 圏域 and care type, today's capacity of that type
        floor = floors[floors["type"] == kind].at["西多摩", "floor"]
        assert floor == in_west.loc[in_west["type"] == kind, "capacity"].sum()


def test_zones_are_the_small_areas_with_residents(case_dir, tables):
    raw = pd.read_csv(case_dir / "chome_pop2020.csv", encoding="utf-8-sig",
                      dtype={"key_code": str, "code5": str})  # fmt: skip
    zones = tables["zones"]
    assert list(zones.columns) == list(ZONE_SHEET_COLUMNS)
    assert len(raw) == 2238 and len(zones) == 2188  # the 50 areas without residents dropped
    assert zones["zone"].is_unique and (zones["population"] > 0).all()
    assert set(zones["municipality"]) == set(tables["municipalities"]["code"])
    assert zones["population_75plus"].isna().all()  # no age split below the municipality
    by_town = zones.groupby("municipality")["population"].sum()
    assert by_town.equals(raw.groupby("code5")["pop_2020"].sum().rename_axis("municipality")
                          .rename("population"))  # fmt: skip
    first = zones.set_index("zone").loc["132010010"]
    assert (first["municipality"], first["name"], first["population"]) == ("13201", "横山町", 3041)
    assert len(read_zones(case_dir, drop_empty=False)) == 2238
    rows = tables["assumptions"].set_index(["type", "column"])
    assert rows.loc[("zones", "population_75plus"), "filled"] == 2188
    assert rows.loc[("zones", "dropped"), "filled"] == 50


def test_care_demand_is_calibrated_on_todays_beds(tables):
    f = tables["facilities"]
    m = tables["municipalities"]
    types = tables["facility_types"].set_index("type")
    elderly = m["population_75plus"].sum()
    for kind in CARE:
        beds = f.loc[f["type"] == kind, "capacity"].sum()
        rate = types.at[kind, "demand_per_person"]
        assert types.at[kind, "demand_basis"] == "population_75plus"
        # today's beds at the planned occupancy (max_utilisation) meet today's demand
        assert rate * elderly == pytest.approx(0.95 * beds, rel=1e-5)
    assert types.at["care_tokuyo", "demand_per_person"] == pytest.approx(0.034546, abs=1e-6)
    assert types.at["care_small", "name_ja"] == "地域密着型特養"
    if "community_based" in types:
        assert types["community_based"].to_dict() == {
            "library": False, "hall": False, "care_tokuyo": False, "care_small": True,
            "care_roken": False, "care_iryoin": False,
        }  # fmt: skip
    candidates = tables["candidates"]
    assert set(candidates["type"]) <= set(types.index)
    beds = candidates[candidates["type"].isin(CARE)]
    assert (beds["floor_area_m2"] == beds["capacity"] * 45).all()  # built at the care rates


def test_one_care_type_is_the_older_reading(case_dir):
    old = tama_tables(case_dir, split_care=False)
    assert (old["facilities"]["type"] == "care").sum() == 352
    types = old["facility_types"].set_index("type")
    assert types.at["care", "demand_per_person"] == 0.035
    assert types.at["care", "area_floor_share"] == 1.0


def test_aggregation_parameters_reach_the_sheet(case_dir):
    params = tama_tables(case_dir, zone_grid_km=1.0, zones_per_municipality=20)["parameters"]
    values = params.set_index("name")["value"]
    assert values["zone_grid_km"] == "1" and values["zones_per_municipality"] == "20"
    assert "zone_grid_km" not in set(tama_tables(case_dir)["parameters"]["name"])


def test_problem_on_the_small_areas(case_dir):
    problem = tama_problem(case_dir, zones=True)
    zones = problem.zones
    assert len(zones) == 2188 and len(problem.points) == 2188
    assert not zones["own_point"].any() and zones["estimated_75plus"].all()
    elderly = zones.groupby("municipality")["population_75plus"].sum()
    expected = problem.municipalities["population_75plus"].astype(float)
    assert elderly.reindex(expected.index).to_numpy() == pytest.approx(expected.to_numpy())
    assert zones["displacement_km"].max() < 1e-9  # every area is its own point
    demand = problem.point_demand.groupby(problem.points["municipality"]).sum()
    assert demand.reindex(problem.demand.index).to_numpy() == pytest.approx(
        problem.demand.to_numpy()
    )
    merged = tama_problem(case_dir, zones=True, zones_per_municipality=5)
    assert len(merged.points) <= 5 * 30 and len(merged.zones) == 2188
    assert (merged.zones["displacement_km"] > 0).any()
    assert tama_problem(case_dir).zones["own_point"].all()  # city halls by default


def test_no_candidate_is_smaller_than_an_ordinary_facility_of_its_type(tables):
    existing = tables["facilities"].groupby("type")["capacity"].quantile(0.25)
    candidates = tables["candidates"]
    smallest = candidates.groupby("type")["capacity"].min()
    for kind, capacity in smallest.items():
        assert capacity >= existing[kind], kind
    # the shortfall of a care type is often a few beds; the site is a home of ordinary size
    care = candidates[candidates["type"].str.startswith("care")]
    assert (care["capacity"] >= 10).all()


def test_central_libraries_are_kept_and_branches_are_free(tables):
    libraries = tables["facilities"][tables["facilities"]["type"] == "library"]
    central = libraries["subtype"] == "central"
    assert central.sum() == 23
    assert (libraries.loc[central, "status"] == "keep").all()
    assert (libraries.loc[~central, "status"] == "free").all()
    others = tables["facilities"][tables["facilities"]["type"] != "library"]
    assert (others["status"] == "free").all()


def test_libraries_carry_the_case_service_level_and_the_problem_keeps_it(case_dir, tables):
    from optimizer.problem.rules import coverage_targets

    types = tables["facility_types"].set_index("type")
    assert types.at["library", "coverage_km"] == 2.0
    assert types.at["library", "coverage_share"] == 0.8
    assert types.drop(index="library")["coverage_km"].isna().all()
    targets = coverage_targets(tama_problem(case_dir))
    assert set(targets["type"]) == {"library"}
    assert len(targets) == 30  # every municipality has residents, so a library target
