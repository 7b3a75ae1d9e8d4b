"""Service levels of a plan (optimizer.results.service) and the report's service sheet.

The hand-made area: towns A and B on one parallel, 0.1° of longitude apart, each with a
library (within 5 km) and a care home (within 20 km, counted in residents aged 75+).
B's residents live in two zones: B1 at B's facilities, B2 between the towns. The plan
closes both of B's facilities, so B1 and B2 lose the library (beyond 5 km) and their
care home gets more than 1 km farther. Distances are geodesic (detour factor 1).
"""

from __future__ import annotations

import math
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from factories import candidate, site, tiny_problem, town
from plan_fixture import Outcome, make_allocation, make_problem, make_solution, run_info

from optimizer.outputs.report import SHEET_NAMES, write_report
from optimizer.outputs.report.service import SERVICE_SHEET
from optimizer.problem.data import resident_points
from optimizer.problem.geodesy import geodesic_km
from optimizer.problem.network import pair_distances
from optimizer.results import service
from optimizer.results.service import (
    ALL_TYPES,
    distance_distribution,
    floor_area,
    nearest_distances,
    service_levels,
    zones_losing_access,
)
from optimizer.results.solution import Solution, facility_table

LAT = 35.0
LON = {"A": 139.0, "B": 139.1, "B2": 139.06}
TYPES = {
    "library": {"max_distance_km": 5.0},
    "care": {"max_distance_km": 20.0, "demand_basis": "population_75plus"},
}


def _km(lon_a: float, lon_b: float) -> float:
    return float(geodesic_km(LAT, lon_a, LAT, lon_b))


def _zones() -> pd.DataFrame:
    rows = [
        ("A1", "A", "甲一丁目", LON["A"], 100.0, 20.0),
        ("B1", "B", "乙本町", LON["B"], 50.0, 10.0),
        ("B2", "B", "乙西町", LON["B2"], 30.0, 6.0),
    ]
    return pd.DataFrame(
        [
            {"zone": z, "municipality": m, "name": n, "lat": LAT, "lon": lon,
             "population": p, "population_75plus": e}
            for z, m, n, lon, p, e in rows
        ]
    ).set_index("zone")  # fmt: skip


def _area(travel=None, extra_sites=()) -> object:
    """The area of the module's text, with its zones."""
    sites = [
        site("LA", "library", "A", name="甲図書館"),
        site("LB", "library", "B", name="乙図書館"),
        site("CA", "care", "A", name="甲ホーム"),
        site("CB", "care", "B", name="乙ホーム"),
        *extra_sites,
    ]
    problem = tiny_problem(
        [town("A", LAT, LON["A"], 100, population_75plus=20),
         town("B", LAT, LON["B"], 80, population_75plus=16)],
        sites, TYPES, travel=travel, detour_factor=1.0,
    )  # fmt: skip
    zones, points, demand = resident_points(
        _zones(), problem.municipalities, problem.facility_types, problem.demand,
        problem.parameters,
    )  # fmt: skip
    return problem.replace(zones=zones, points=points, point_demand=demand)


def _plan(problem, open_ids) -> Solution:
    """A solution that opens ``open_ids`` (nobody's flows: the service figures need none)."""
    flows = pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("municipality", "facility", "type", "host")}
        | {c: pd.Series(dtype=float) for c in ("share", "demand", "distance_km")}
    )
    is_open = pd.Series(
        problem.facilities.index.isin(list(open_ids)), index=problem.facilities.index
    )
    return Solution(
        outcome=Outcome(0.0, 0.0, 0.0),
        facilities=facility_table(problem, is_open, flows),
        flows=flows,
        agreements=pd.DataFrame(columns=["a", "b"]),
        unserved=pd.DataFrame(columns=["point", "municipality", "type", "demand", "share"]),
        municipal_costs=pd.DataFrame(),
        objective=0.0,
    )


@pytest.fixture
def area():
    problem = _area()
    return problem, _plan(problem, ["LA", "CA"])


def test_nearest_distances_measure_from_each_zone(area):
    problem, _ = area
    table = nearest_distances(problem, ["LA", "LB", "CA"])
    library = table[table["type"] == "library"].set_index("zone")
    assert library.at["A1", "facility"] == "LA" and library.at["A1", "distance_km"] == 0.0
    assert library.at["B1", "facility"] == "LB" and library.at["B1", "distance_km"] == 0.0
    assert library.at["B2", "facility"] == "LB"
    assert library.at["B2", "distance_km"] == pytest.approx(_km(LON["B2"], LON["B"]))
    care = table[table["type"] == "care"].set_index("zone")
    assert set(care["facility"]) == {"CA"}
    assert care.at["B1", "distance_km"] == pytest.approx(_km(LON["A"], LON["B"]))
    assert list(table.columns) == ["zone", "municipality", "type", "distance_km", "facility"]


def test_no_open_facility_of_a_type_is_infinitely_far(area):
    problem, _ = area
    table = nearest_distances(problem, ["LA"])
    care = table[table["type"] == "care"]
    assert np.isinf(care["distance_km"]).all() and care["facility"].isna().all()
    losing = zones_losing_access(problem, _plan(problem, ["LA"]))
    lost_care = losing[losing["type"] == "care"]
    assert set(lost_care["zone"]) == {"A1", "B1", "B2"}
    assert (lost_care["rule"] == "beyond_limit").all() and lost_care["facility"].isna().all()
    levels = service_levels(problem, _plan(problem, ["LA"]))
    care_levels = levels[levels["type"] == "care"].set_index("municipality")
    assert care_levels.at["B", "beyond_limit_after"] == pytest.approx(16.0)
    assert math.isnan(care_levels.at["B", "mean_km_after"])


def test_nearest_distances_agree_with_pair_distances_in_blocks(area, monkeypatch):
    """Blocks of a few cells give the same nearest facility as a plain loop."""
    problem, _ = area
    rng = np.random.default_rng(3)
    zones = pd.DataFrame(
        {
            "municipality": rng.choice(["A", "B"], 23),
            "name": [f"z{n}" for n in range(23)],
            "lat": LAT + rng.normal(0, 0.02, 23),
            "lon": 139.05 + rng.normal(0, 0.04, 23),
            "population": rng.integers(1, 500, 23).astype(float),
            "population_75plus": np.nan,
        },
        index=pd.Index([f"z{n}" for n in range(23)], name="zone"),
    )
    zones, points, demand = resident_points(
        zones, problem.municipalities, problem.facility_types, problem.demand, problem.parameters
    )
    problem = problem.replace(zones=zones, points=points, point_demand=demand)
    monkeypatch.setattr(service, "_BLOCK_CELLS", 3)
    table = nearest_distances(problem, ["LA", "LB", "CB"])
    view = problem.replace(points=problem.zones)
    for row in table.itertuples():
        ids = [j for j in ("LA", "LB", "CB") if problem.facilities.at[j, "type"] == row.type]
        km = pair_distances(view, [row.zone] * len(ids), ids)
        assert row.distance_km == pytest.approx(km.min(), abs=1e-12)
        assert row.facility == ids[int(np.argmin(km))]


def test_zone_near_a_closed_facility_loses_access(area):
    problem, solution = area
    losing = zones_losing_access(problem, solution)
    library = losing[losing["type"] == "library"].set_index("zone")
    # B1 (50 residents) sat at B's library, B2 (30) 3.6 km from it; LA is 9.1 and 5.5 km away.
    assert list(library.index) == ["B1", "B2"]
    assert (library["rule"] == "beyond_limit").all() and library["beyond_limit"].all()
    assert library.at["B1", "residents"] == 50.0 and library.at["B2", "name"] == "乙西町"
    assert library.at["B2", "before_km"] == pytest.approx(_km(LON["B2"], LON["B"]))
    assert library.at["B2", "after_km"] == pytest.approx(_km(LON["A"], LON["B2"]))
    assert library.at["B2", "facility"] == "LA"
    assert library.at["B2", "facility_name"] == "甲図書館"
    # The care homes allow 20 km: nobody goes beyond, but B's zones get > 1 km farther.
    care = losing[losing["type"] == "care"].set_index("zone")
    assert list(care.index) == ["B1", "B2"]  # the most residents first
    assert (care["rule"] == "farther").all() and not care["beyond_limit"].any()
    assert care.at["B1", "residents"] == 10.0  # aged 75+: the type's basis
    assert care.at["B2", "increase_km"] == pytest.approx(
        _km(LON["A"], LON["B2"]) - _km(LON["B2"], LON["B"])
    )
    assert "A1" not in set(losing["zone"])


def test_travel_sheet_distance_holds_for_every_zone_of_the_municipality():
    problem = _area(travel=[("B", "LA", 2.0)])
    losing = zones_losing_access(problem, _plan(problem, ["LA", "CA"]))
    library = losing[losing["type"] == "library"].set_index("zone")
    # 2 km by road from every zone of B: B1 is 2 km farther, B2 is nearer than before.
    assert list(library.index) == ["B1"]
    assert library.at["B1", "rule"] == "farther"
    assert library.at["B1", "after_km"] == pytest.approx(2.0)


def test_shares_before_and_after(area):
    problem, solution = area
    levels = service_levels(problem, solution)
    library = levels[levels["type"] == "library"].set_index("municipality")
    b = library.loc["B"]
    assert b["residents"] == 80.0 and b["name"] == "town B"
    assert b["within_1km_before"] == 50.0
    assert b["share_1km_before"] == pytest.approx(50 / 80)
    assert b["share_limit_before"] == pytest.approx(1.0)
    assert b["share_1km_after"] == 0.0 and b["share_limit_after"] == 0.0
    assert b["beyond_limit_before"] == 0.0 and b["beyond_limit_after"] == 80.0
    near, far = _km(LON["B2"], LON["B"]), _km(LON["A"], LON["B2"])
    assert b["mean_km_before"] == pytest.approx(30 * near / 80)
    assert b["mean_km_after"] == pytest.approx((50 * _km(LON["A"], LON["B"]) + 30 * far) / 80)
    a = library.loc["A"]
    assert a["share_1km_before"] == a["share_1km_after"] == 1.0
    care = levels[levels["type"] == "care"].set_index("municipality")
    assert care.at["B", "residents"] == 16.0
    assert care.at["B", "share_limit_after"] == pytest.approx(1.0)
    assert care.at["B", "share_5km_after"] == 0.0


def test_distance_distribution_runs_to_the_limit(area):
    problem, solution = area
    table = distance_distribution(problem, solution)
    library = table[table["type"] == "library"]
    assert library["distance_km"].tolist() == pytest.approx(list(np.arange(21) * 0.25))
    assert library["before"].is_monotonic_increasing and library["after"].is_monotonic_increasing
    assert library["before"].iloc[0] == pytest.approx(150 / 180)  # A1 and B1 at a library
    assert library["before"].iloc[-1] == pytest.approx(1.0)
    assert library["after"].iloc[-1] == pytest.approx(100 / 180)
    care = table[table["type"] == "care"]
    assert care["distance_km"].iloc[-1] == 20.0 and care["after"].iloc[-1] == pytest.approx(1.0)


def test_floor_area_counts_municipal_facilities_today_and_after():
    rows = [
        site("LA", "library", "A"),
        site("LB", "library", "B"),
        site("CA", "care", "A"),
        site("CB", "care", "B"),
        candidate("LN", "library", "B"),
    ]
    area = {"LA": 1000.0, "LB": 600.0, "CA": 5000.0, "CB": np.nan, "LN": 800.0}
    for row in rows:
        row["floor_area_m2"] = area[row["id"]]
        row["operator"] = "private" if row["id"] == "CA" else "municipal"
    problem = tiny_problem(
        [town("A", LAT, LON["A"], 100), town("B", LAT, LON["B"], 80)], rows, TYPES
    )
    floor = floor_area(problem, _plan(problem, ["LA", "LN", "CA", "CB"]))
    assert floor.at["library", "count_before"] == 2 and floor.at["library", "count_after"] == 2
    assert floor.at["library", "area_before_m2"] == 1600.0
    assert floor.at["library", "area_after_m2"] == 1800.0  # LB closed, LN built
    assert floor.at["library", "area_change"] == pytest.approx(1800 / 1600 - 1)
    # The private care home is not the municipalities'; CB's area is unknown.
    assert floor.at["care", "count_before"] == 1 and floor.at["care", "area_before_m2"] == 0.0
    assert floor.at["care", "unknown_before"] == 1 and floor.at["care", "unknown_after"] == 1
    assert math.isnan(floor.at["care", "area_change"])
    total = floor.loc[ALL_TYPES]
    assert total["count_before"] == 3 and total["count_after"] == 3
    assert total["area_before_m2"] == 1600.0 and total["area_after_m2"] == 1800.0
    assert list(floor.index) == ["library", "care", ALL_TYPES]


# --- the report --------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_plan(tmp_path_factory):
    problem = make_problem()
    solution = make_solution(problem)
    path = tmp_path_factory.mktemp("service") / "report.xlsx"
    write_report(path, problem, solution, make_allocation(problem, solution), run_info=run_info())
    return problem, solution, path


def _cells(ws) -> list:
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


def _find(ws, value) -> tuple[int, int]:
    for row in ws.iter_rows():
        for c in row:
            if c.value == value:
                return c.row, c.column
    raise AssertionError(f"{value!r} not on {ws.title}")


def test_report_has_the_service_sheet_after_the_facilities(report_plan):
    _, _, path = report_plan
    names = openpyxl.load_workbook(path).sheetnames
    assert names.index(SERVICE_SHEET) == names.index(SHEET_NAMES["facilities"]) + 1


def test_service_sheet_floor_area_and_zones_losing_access(report_plan):
    problem, solution, path = report_plan
    values = openpyxl.load_workbook(path, data_only=True)[SERVICE_SHEET]
    formulas = openpyxl.load_workbook(path)[SERVICE_SHEET]
    floor = floor_area(problem, solution)
    # The floor-area table: a row per type, then the total as live sums.
    r, c = _find(values, "合計 Total")
    assert values.cell(r, c + 1).value == pytest.approx(floor.at[ALL_TYPES, "area_before_m2"])
    assert values.cell(r, c + 2).value == pytest.approx(floor.at[ALL_TYPES, "area_after_m2"])
    assert str(formulas.cell(r, c + 1).value).startswith("=SUM(")
    assert values.cell(r, c + 3).value == pytest.approx(floor.at[ALL_TYPES, "area_change"])
    # 乙町 loses its own library: the nearest one left, 丙村図書室, is 8.9 km away.
    losing = zones_losing_access(problem, solution)
    lost = losing[losing["type"] == "library"]
    assert list(lost["zone"]) == ["13202"] and lost["rule"].iloc[0] == "farther"
    r, c = _find(values, "丙村図書室（L3）")
    assert values.cell(r, 1).value == "乙町"  # no zones sheet: a zone is its municipality
    assert values.cell(r, c - 2).value == "1 km超遠くなる"
    assert values.cell(r, 2).value == pytest.approx(40_000)
    # The area's shares are live, residents-weighted formulas.
    r, _ = _find(values, "圏域計 Area")
    assert str(formulas.cell(r, 3).value).startswith("=SUMPRODUCT(")
    levels = service_levels(problem, solution)
    lib = levels[levels["type"] == "library"]
    share = lib["within_limit_after"].sum() / lib["residents"].sum()
    assert values.cell(r, 10).value == pytest.approx(share)
    assert formulas.print_area and formulas.page_setup.orientation == "landscape"


def test_service_sheet_draws_a_distance_chart_per_type(report_plan):
    problem, _, path = report_plan
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/charts/")]
    lines = [x for x in charts if "<c:scatterChart>" in x and "サービス水準" in x]
    assert len(lines) == len(problem.types)
    for kind in ("図書館", "文化ホール", "特別養護老人ホーム"):
        assert any(kind in x for x in lines)


def test_summary_points_to_the_service_sheet(report_plan):
    problem, solution, path = report_plan
    ws = openpyxl.load_workbook(path, data_only=True)[SHEET_NAMES["summary"]]
    cells = _cells(ws)
    assert "延床面積とアクセス　Floor area and access" in cells
    assert any(isinstance(v, str) and SERVICE_SHEET in v for v in cells)
    floor = floor_area(problem, solution)
    r, c = _find(ws, "延床面積 現状\n（m²）")
    totals = [ws.cell(row, 1).value for row in range(r + 2, r + 8)].index("合計 Total") + r + 2
    assert ws.cell(totals, c).value == pytest.approx(floor.at[ALL_TYPES, "area_before_m2"])
    assert ws.cell(totals, c + 1).value == pytest.approx(floor.at[ALL_TYPES, "area_after_m2"])
    losing = zones_losing_access(problem, solution)
    assert ws.cell(totals, c + 3).value == len(losing)
