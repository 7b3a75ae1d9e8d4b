"""The Tama case mapped onto the input tables."""

from __future__ import annotations

import pandas as pd
import pytest

from optimizer.schema import SHEETS_BY_NAME
from optimizer.sources.opendata import DEFAULTS, classify_halls, tama_problem, tama_tables


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
    assert (problem.facilities["annual_cost"] > 0).all()
    assert problem.source["assumptions"]
