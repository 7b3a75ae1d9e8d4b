"""The map picture: a valid, deterministic PNG drawn offline with a Japanese font."""

from __future__ import annotations

import struct
import zlib

import matplotlib
import numpy as np
import pytest
from matplotlib import font_manager
from plan_fixture import make_problem, make_solution

from optimizer.outputs.maps import convex_hull, draw_map, marker_size
from optimizer.problem.geodesy import project_km


@pytest.fixture(scope="module")
def plan():
    problem = make_problem()
    return problem, make_solution(problem)


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of every PNG chunk, checking each CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        payload = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + payload) == crc
        chunks.append((kind, payload))
        pos += 12 + length
    return chunks


def test_map_is_a_valid_png_of_sensible_size(plan, tmp_path):
    path = draw_map(tmp_path / "map.png", *plan)
    data = path.read_bytes()
    chunks = _chunks(data)
    kinds = [k for k, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert 1200 <= width <= 3000 and 800 <= height <= 2500
    assert 30_000 < len(data) < 3_000_000
    # No software or date metadata, and nothing else left in the folder.
    assert b"tEXt" not in kinds and b"tIME" not in kinds
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]


def test_map_is_deterministic(plan, tmp_path):
    first = draw_map(tmp_path / "a.png", *plan).read_bytes()
    second = draw_map(tmp_path / "b.png", *plan).read_bytes()
    assert first == second


def test_japanese_font_comes_from_the_package():
    family = matplotlib.rcParams["font.family"]
    path = font_manager.findfont(font_manager.FontProperties(family=family))
    assert path.endswith("ipaexg.ttf")


def test_odd_names_and_extra_types_are_drawn(plan, tmp_path):
    problem, solution = plan
    muni = problem.municipalities.copy()
    muni.loc["13201", "name"] = "$x^2$ 市 _hidden"
    types = problem.facility_types.copy()
    types.loc["hall", "name_ja"] = "_会館"
    fac = solution.facilities.copy()
    fac["type"] = fac["type"].replace({"hall": "gym"})
    changed = problem.replace(
        municipalities=muni,
        facility_types=types.rename(index={"hall": "gym"}),
        facilities=problem.facilities.assign(
            type=problem.facilities["type"].replace({"hall": "gym"})
        ),
    )
    flows = solution.flows.assign(type=solution.flows["type"].replace({"hall": "gym"}))
    changed_solution = solution.__class__(
        **{**solution.__dict__, "facilities": fac, "flows": flows}
    )
    path = draw_map(tmp_path / "odd.png", changed, changed_solution, title="題名 $5")
    assert path.stat().st_size > 30_000


def test_map_without_flows(plan, tmp_path):
    problem, solution = plan
    alone = solution.__class__(**{**solution.__dict__, "flows": solution.flows.iloc[0:0]})
    assert draw_map(tmp_path / "alone.png", problem, alone).stat().st_size > 10_000


def test_projection_in_km():
    x, y = project_km([35.0, 36.0], [139.0, 139.0], 35.0, 139.0)
    assert y[1] == pytest.approx(110.574)
    x, _ = project_km([35.0], [140.0], 35.0, 139.0)
    assert x[0] == pytest.approx(111.320 * np.cos(np.radians(35.0)))


def test_markers_shrink_in_dense_areas():
    assert marker_size(53) == marker_size(100) == 70.0
    assert marker_size(600) == pytest.approx(70.0 * (100 / 600) ** 0.5)
    assert marker_size(100_000) == 24.0


def test_the_convex_hull_outlines_the_points_it_is_given():
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2], [1, 1], [1, 0.5]])
    hull = convex_hull(square)
    assert {tuple(p) for p in hull} == {(0, 0), (2, 0), (2, 2), (0, 2)}
    assert len(convex_hull(np.array([[0, 0], [1, 1]]))) == 2
