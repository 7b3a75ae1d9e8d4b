"""The population outlook: periods, projections read as growth or as values, the period's
largest year, demand per period; the IPSS outlook of the Tama case."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import site, tiny_problem, town

from optimizer.problem.outlook import (
    period_demand,
    period_outlook,
    period_point_demand,
    planning_periods,
    projection_years,
    yearly_outlook,
)
from optimizer.problem.parameters import Parameters
from optimizer.sources.ipss_outlook import outlook_columns
from optimizer.workbook.names import projection_column, projection_label

CASE = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "case-tama"


def _towns(**columns) -> pd.DataFrame:
    table = pd.DataFrame(
        {"population": [1_000.0, 500.0], "population_75plus": [200.0, 100.0]},
        index=pd.Index(["A", "B"], name="code"),
    )
    return table.assign(**columns)


def test_the_horizon_is_cut_into_periods_from_the_base_year():
    periods = planning_periods(Parameters(base_year=2026, horizon_years=40, period_years=5))
    assert [p.label for p in periods][:2] == ["2026–2030", "2031–2035"]
    assert len(periods) == 8 and periods[-1].label == "2061–2065"
    uneven = planning_periods(Parameters(base_year=2026, horizon_years=10, period_years=4))
    assert [p.label for p in uneven] == ["2026–2029", "2030–2033", "2034–2035"]
    assert [p.label for p in planning_periods(Parameters(horizon_years=1))] == ["2026"]


def test_projections_that_bracket_the_base_year_are_read_as_growth_of_todays_figure():
    towns = _towns(population_2020=[900.0, 400.0], population_2030=[1_100.0, 400.0])
    params = Parameters(base_year=2026, horizon_years=10)
    yearly = yearly_outlook(towns, "population", params)
    at_base = 900 + 0.6 * 200  # P(2026), interpolated
    assert yearly.at["A", 2026] == pytest.approx(1_000.0)  # today's figure kept
    assert yearly.at["A", 2030] == pytest.approx(1_000.0 * 1_100 / at_base)
    assert yearly.at["A", 2035] == pytest.approx(1_000.0 * 1_100 / at_base)  # last held
    assert yearly.loc["B"].to_numpy() == pytest.approx(np.full(10, 500.0))


def test_projections_after_the_base_year_are_values_and_blanks_fall_back_to_today():
    towns = _towns(population_2030=[1_200.0, np.nan])
    yearly = yearly_outlook(towns, "population", Parameters(base_year=2026, horizon_years=8))
    assert yearly.loc["A", [2026, 2028, 2030, 2033]].tolist() == pytest.approx(
        [1_000.0, 1_100.0, 1_200.0, 1_200.0]
    )
    assert yearly.loc["B"].to_numpy() == pytest.approx(np.full(8, 500.0))  # blank: held
    held = yearly_outlook(_towns(), "population", Parameters(horizon_years=3))
    assert held.to_numpy() == pytest.approx(np.array([[1_000.0] * 3, [500.0] * 3]))


def test_a_75plus_projection_is_not_read_as_one_of_the_whole_population():
    towns = _towns(population_2030=[1.0, 1.0], population_75plus_2030=[2.0, 2.0])
    assert projection_years(towns, "population") == {2030: "population_2030"}
    assert projection_years(towns, "population_75plus") == {2030: "population_75plus_2030"}


def test_a_period_holds_its_largest_year():
    # A shrinks from 1,000 (2026) to 600 (2036); its 75+ grows from 200 to 300
    towns = _towns(population_2036=[600.0, 500.0], population_75plus_2036=[300.0, 100.0])
    params = Parameters(base_year=2026, horizon_years=15, period_years=5)
    total = period_outlook(towns, "population", params)
    aged = period_outlook(towns, "population_75plus", params)
    assert total.loc["A"].tolist() == pytest.approx([1_000.0, 800.0, 600.0])  # 2026, 2031
    assert aged.loc["A"].tolist() == pytest.approx([240.0, 290.0, 300.0])  # 2030, 2035


def test_demand_per_period_grows_with_its_basis_population():
    towns = [
        {**town("A", population=1_000, population_75plus=200), "population_75plus_2036": 400},
        town("B", 35.01, population=500, population_75plus=100),
    ]
    sites = [site("C-A", "care", "A", capacity=100), site("L-A", "library", "A")]
    care = {"demand_basis": "population_75plus", "demand_per_person": 0.1}
    problem = tiny_problem(
        towns, sites, {"care": care, "library": {}}, horizon_years=15, period_years=5
    )
    demand = period_demand(problem)
    assert list(demand) == ["2026–2030", "2031–2035", "2036–2040"]
    today = problem.demand
    assert demand["2036–2040"].at["A", "care"] == pytest.approx(2 * today.at["A", "care"])
    assert demand["2036–2040"].at["A", "library"] == pytest.approx(today.at["A", "library"])
    assert demand["2036–2040"].loc["B"].tolist() == pytest.approx(today.loc["B"].tolist())
    points = period_point_demand(problem)["2036–2040"]
    assert points["care"].sum() == pytest.approx(demand["2036–2040"]["care"].sum())


def test_the_ipss_outlook_gives_75plus_as_65plus_times_todays_ratio():
    outlook = pd.DataFrame(
        {
            "code5": ["1", "1"],
            "year": [2020, 2050],
            "pop_total": [1_000, 800],
            "pop_65plus": [300, 400],
        }
    )
    columns = outlook_columns(outlook, pd.Series({"1": 0.5}))
    assert columns.loc["1"].to_dict() == {
        "population_2020": 1_000,
        "population_2050": 800,
        "population_75plus_2020": 150,
        "population_75plus_2050": 200,
    }


@pytest.mark.skipif(not CASE.exists(), reason="../shared (the Tama case) is not beside the clone")
def test_the_tama_case_carries_the_ipss_outlook():
    from optimizer.sources.opendata import tama_tables

    tables = tama_tables(CASE)
    towns = tables["municipalities"]
    assert len(towns) == 30
    assert towns["population_2050"].notna().all()
    aged = period_outlook(towns.set_index("code"), "population_75plus", Parameters())
    assert aged["2046–2050"].sum() > 1.15 * aged["2026–2030"].sum()  # 75+ grows ~20 %
    assert "population_75plus_YYYY" in set(tables["assumptions"]["column"])


@pytest.mark.parametrize("name", ["population_2030", "population_75plus_2050"])
def test_a_projection_label_written_to_a_workbook_reads_back_as_its_column(name):
    # a workbook's second header row holds these labels; with many projection columns an
    # unread label made the reader take that row for data
    assert projection_column(projection_label(name)) == name
