"""The MIC renewal-cost method and the annualisation of capital costs."""

import numpy as np
import pandas as pd
import pytest

from optimizer.problem.costs import annuity_factor, derive_facility_costs, outlay_schedule
from optimizer.problem.data import Parameters

TYPES = pd.DataFrame(
    {
        "renovation_unit_cost": [250_000.0],
        "rebuild_unit_cost": [400_000.0],
        "life_years": [60],
        "renovation_year": [30],
        "routine_repair_per_m2": [1_000.0],
    },
    index=pd.Index(["library"], name="type"),
)


def facilities(**columns) -> pd.DataFrame:
    base = {
        "type": "library",
        "floor_area_m2": 2_000.0,
        "year_built": 1990,
        "renewal_cost": np.nan,
        "is_candidate": False,
        "build_cost": np.nan,
        "annual_operating_cost": 0.0,
    }
    base.update(columns)
    frame = pd.DataFrame([base], index=["L1"])
    frame["year_built"] = pd.array(frame["year_built"], dtype="Int64")
    return frame


def outlays(frame: pd.DataFrame, **params) -> dict[int, float]:
    row = outlay_schedule(frame, TYPES, Parameters(**params)).iloc[0]
    return {int(year): value for year, value in row.items() if value > 0}


def test_design_worked_example():
    """2,000 m² library built 1990, base 2026: 5.0億 over 2026-35, 8.0億 over 2050-52."""
    got = outlays(facilities())
    renovation = {y: v for y, v in got.items() if y <= 2035}
    rebuild = {y: v for y, v in got.items() if y >= 2050}
    assert sorted(renovation) == list(range(2026, 2036))
    assert sum(renovation.values()) == pytest.approx(5.0e8)
    assert sorted(rebuild) == [2050, 2051, 2052]
    assert sum(rebuild.values()) == pytest.approx(8.0e8)
    assert set(got) == set(renovation) | set(rebuild)


def test_young_building_renovates_on_schedule():
    got = outlays(facilities(year_built=2010))
    assert sorted(got) == [2040, 2041]
    assert sum(got.values()) == pytest.approx(5.0e8)


def test_building_aged_51_to_60_skips_renovation():
    got = outlays(facilities(year_built=1970))  # aged 56: rebuild in 2030
    assert sorted(got) == [2030, 2031, 2032, 2060, 2061]  # rebuild, then its renovation
    assert sum(v for y, v in got.items() if y < 2040) == pytest.approx(8.0e8)


def test_building_past_its_life_has_overdue_rebuild_levelled():
    got = outlays(facilities(year_built=1950))
    assert sum(v for y, v in got.items() if y <= 2035) == pytest.approx(8.0e8)
    assert sorted(y for y in got if y > 2035) == [2056, 2057]  # renovation of the new one


def test_renewal_cost_overrides_the_floor_area_estimate():
    got = outlays(facilities(year_built=1970, renewal_cost=3.0e8))
    assert sum(v for y, v in got.items() if y < 2040) == pytest.approx(3.0e8)


def test_candidate_is_built_over_the_first_years():
    frame = facilities(is_candidate=True, build_cost=9.0e8, year_built=pd.NA)
    got = outlays(frame)
    assert sorted(y for y in got if y < 2030) == [2026, 2027, 2028]
    assert sum(v for y, v in got.items() if y < 2030) == pytest.approx(9.0e8)


def test_annual_cost_is_the_equivalent_annuity_plus_operating_and_repairs():
    frame = facilities(annual_operating_cost=1.0e7)
    params = Parameters(discount_rate=0.0)
    derived = derive_facility_costs(frame, TYPES, params).iloc[0]
    assert derived["capital_cost"] == pytest.approx(13.0e8)
    assert derived["annual_capital_cost"] == pytest.approx(13.0e8 / 40)
    assert derived["annual_repair_cost"] == pytest.approx(2.0e6)
    assert derived["annual_cost"] == pytest.approx(13.0e8 / 40 + 1.0e7 + 2.0e6)
    assert derived["next_renewal_year"] == 2026


def test_deriving_twice_gives_the_same_costs():
    params = Parameters()
    once = derive_facility_costs(facilities(annual_operating_cost=5.0e6), TYPES, params)
    twice = derive_facility_costs(once, TYPES, params)
    pd.testing.assert_frame_equal(once, twice)


def test_discounting_lowers_the_annual_capital_cost_of_late_outlays():
    frame = facilities(year_built=2000)  # renovation 2030, rebuild 2060
    flat = derive_facility_costs(frame, TYPES, Parameters(discount_rate=0.0)).iloc[0]
    discounted = derive_facility_costs(frame, TYPES, Parameters(discount_rate=0.04)).iloc[0]
    assert discounted["annual_capital_cost"] < flat["annual_capital_cost"]


def test_annuity_factor():
    assert annuity_factor(0.0, 40) == pytest.approx(40.0)
    assert annuity_factor(0.04, 1) == pytest.approx(1.0)
    assert annuity_factor(0.04, 2) == pytest.approx(1 + 1 / 1.04)
