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
    assert counts["care"] == 352
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
    assert a["filled"].sum() == total


def test_columns_are_schema_columns(tables):
    for name in ("municipalities", "facility_types", "candidates", "parameters"):
        assert set(tables[name].columns) <= set(SHEETS_BY_NAME[name].column_index)
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
    care = f[f["type"] == "care"]
    municipal = care["name"].str.contains("市立|町立|村立")
    assert (care.loc[municipal, "operator"] == "municipal").all()
    assert (care.loc[~municipal, "operator"] == "private").all()
    assert care["operator"].value_counts().to_dict() == {"private": 350, "municipal": 2}
    assert (f.loc[f["type"] != "care", "operator"] == "municipal").all()
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
    assert types["max_utilisation"].to_dict() == {"library": 0.9, "hall": 0.9, "care": 0.95}
    assert types.at["care", "area_floor_share"] == 1.0
    assert types[["area_floor_share"]].drop(index="care").isna().all().all()


def test_problem_carries_the_care_columns(case_dir):
    problem = tama_problem(case_dir)
    f = problem.facilities
    private = f[f["operator"] == "private"]
    assert len(private) == 350 and (private["status"] == "keep").all()
    assert (f.loc[f["is_candidate"], "operator"] == "municipal").all()
    floors = area_floors(problem).set_index("area")
    assert sorted(floors.index) == sorted(
        ["西多摩", "南多摩", "北多摩西部", "北多摩南部", "北多摩北部"]
    )
    assert set(floors["type"]) == {"care"}
    care = f[(f["type"] == "care") & ~f["is_candidate"]]
    assert floors["floor"].sum() == care["capacity"].sum()  # share 1.0: today's capacity
    west = problem.municipalities.index[problem.municipalities["care_area"] == "西多摩"]
    assert (
        floors.at["西多摩", "floor"] == care.loc[care["municipality"].isin(west), "capacity"].sum()
    )
