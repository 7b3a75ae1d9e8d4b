"""The map picture: a valid, deterministic PNG drawn offline with a Japanese font."""

from __future__ import annotations

import itertools
import json
import math
import struct
import zlib
from pathlib import Path

import matplotlib
import matplotlib.colors
import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from plan_fixture import make_problem, make_solution

from optimizer.outputs.boundaries import read_boundaries
from optimizer.outputs.map_labels import Label, overlap, place_labels
from optimizer.outputs.maps import BOUNDARY_STYLE, convex_hull, draw_map, map_figure, marker_size
from optimizer.problem.geodesy import project_km
from optimizer.results.outcome import SolveOutcome, Status
from optimizer.results.solution import Solution
from optimizer.workbook.assemble import load_problem

SAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "sample.xlsx"


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


# --------------------------------------------------------------------------- the sample


def _hand_plan(problem):
    """A plan for the map only: every existing facility kept but every fourth closed,
    the first candidate site built; each municipality uses, per type, the nearest open
    facility of another municipality; the first zone of 檜原村 and of 奥多摩町 left with
    unserved demand."""
    fac = problem.facilities
    existing = ~fac["is_candidate"].astype(bool)
    decision = pd.Series(np.where(existing, "keep", "not_built"), index=fac.index)
    decision[existing & (np.arange(len(fac)) % 4 == 3)] = "close"
    decision[fac.index[~existing][0]] = "build"
    facilities = pd.DataFrame({"type": fac["type"], "decision": decision})
    open_ = fac[decision.isin(["keep", "build"])]
    muni = problem.municipalities
    rows = []
    for code in muni.index:
        for k in problem.types:
            others = open_[(open_["type"] == k) & (open_["municipality"] != code)]
            if others.empty:
                continue
            far = np.hypot(
                others["lat"] - muni.at[code, "lat"], others["lon"] - muni.at[code, "lon"]
            )
            j = far.idxmin()
            demand = float(muni.at[code, "population"]) / 1000
            rows.append((code, j, k, others.at[j, "municipality"], demand))
    flows = pd.DataFrame(rows, columns=["municipality", "facility", "type", "host", "demand"])
    points = problem.points
    left = [points.index[points["municipality"] == code][0] for code in ("13307", "13308")]
    unserved = pd.DataFrame({"point": left, "municipality": ["13307", "13308"],
                             "type": ["care", "care"], "demand": [1.0, 1.0]})  # fmt: skip
    empty = pd.DataFrame()
    return Solution(
        outcome=SolveOutcome(Status.OPTIMAL, 0.0, 0.0, 0.0, 0.0, "highs", "", 1, 1),
        facilities=facilities, flows=flows, agreements=pd.DataFrame(columns=["a", "b"]),
        unserved=unserved, municipal_costs=empty, objective=0.0,
    )  # fmt: skip


@pytest.fixture(scope="module")
def sample():
    if not SAMPLE.is_file():
        pytest.skip("inputs/sample.xlsx has not been built")
    problem, _ = load_problem(SAMPLE)
    return problem, _hand_plan(problem)


def _boxes(fig, renderer):
    """Pixel boxes of the municipalities' names."""
    ax = fig.axes[0]
    found = []
    for text in ax.texts:
        if text.get_gid() == "municipality-label":
            text.update_positions(renderer)
            e = Text.get_window_extent(text, renderer)  # the text, not its leader
            found.append((text.get_text(), (e.x0, e.y0, e.x1, e.y1)))
    return found


def _marker_boxes(fig, gid):
    ax = fig.axes[0]
    px_per_pt = fig.dpi / 72
    boxes = []
    for collection in ax.collections:
        if collection.get_gid() != gid:
            continue
        half = math.sqrt(float(collection.get_sizes()[0])) / 2 * px_per_pt
        for x, y in ax.transData.transform(collection.get_offsets()):
            boxes.append((x - half, y - half, x + half, y + half))
    return boxes


def test_names_hide_neither_each_other_nor_markers(sample):
    fig = map_figure(*sample)
    renderer = fig.canvas.get_renderer()
    labels = _boxes(fig, renderer)
    names = sample[0].municipalities["name"]
    assert sorted(text for text, _ in labels) == sorted(names)
    for (a, box_a), (b, box_b) in itertools.combinations(labels, 2):
        assert overlap(box_a, box_b) == 0, (a, b)
    markers = _marker_boxes(fig, "facility") + _marker_boxes(fig, "unserved")
    assert len(markers) > 40
    for text, box in labels:
        assert all(overlap(box, m) == 0 for m in markers), text
        e = fig.axes[0].get_window_extent(renderer)
        assert e.x0 <= box[0] and box[2] <= e.x1 and e.y0 <= box[1] and box[3] <= e.y1, text


def test_the_placement_moves_a_name_off_a_marker():
    fig = Figure(figsize=(4, 4), dpi=100)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    renderer = canvas.get_renderer()
    cx, cy = ax.transData.transform((5, 5))
    above = (cx - 40, cy, cx + 40, cy + 40)  # the spot right above the anchor is taken
    (first,) = place_labels(ax, [Label("甲市", (5, 5), 4.0)], [above], renderer, fontsize=9)
    e = first.get_window_extent(renderer)
    assert overlap((e.x0, e.y0, e.x1, e.y1), above) == 0
    # to the right would still reach into the box: the next candidate, below, is taken
    assert (first.get_horizontalalignment(), first.get_verticalalignment()) == ("center", "top")
    (second,) = place_labels(ax, [Label("乙町", (5, 5), 4.0)], [], renderer, fontsize=9)
    assert second.get_verticalalignment() == "bottom" and second.xyann[0] == 0


def test_the_map_fills_the_picture(sample, tmp_path):
    """No wide blank band: the plot fills its box (equal aspect, limits fitted to the
    box) and few rows of the picture are blank."""
    fig = map_figure(*sample)
    ax = fig.axes[0]
    ax.apply_aspect()
    box = ax.get_window_extent(fig.canvas.get_renderer())
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert (x1 - x0) / (y1 - y0) == pytest.approx(box.width / box.height, rel=0.01)
    assert box.height / fig.bbox.height > 0.75
    picture = matplotlib.image.imread(draw_map(tmp_path / "map.png", *sample))
    blank_rows = (picture[:, :, :3] > 0.99).all(axis=(1, 2)).mean()
    assert blank_rows < 0.15  # the margins around the title and the footnote


def test_unserved_points_are_marked_without_zones(plan):
    problem, solution = plan
    left = pd.DataFrame({"point": ["13203"], "municipality": ["13203"], "type": ["care"],
                         "demand": [5.0]})  # fmt: skip
    fig = map_figure(problem, solution.__class__(**{**solution.__dict__, "unserved": left}))
    ax = fig.axes[0]
    (crosses,) = [c for c in ax.collections if c.get_gid() == "unserved"]
    x, y = project_km([35.640], [139.420], *_area_centre(problem))
    assert np.asarray(crosses.get_offsets()) == pytest.approx(np.array([[x[0], y[0]]]))
    none = map_figure(problem, solution)
    assert not [c for c in none.axes[0].collections if c.get_gid() == "unserved"]


def _area_centre(problem):
    muni, fac = problem.municipalities, problem.facilities
    return (
        float(pd.concat([muni["lat"], fac["lat"]]).mean()),
        float(pd.concat([muni["lon"], fac["lon"]]).mean()),
    )


# --------------------------------------------------------------------------- boundaries

OKUTAMA = [[139.00, 35.77], [139.16, 35.77], [139.16, 35.85], [139.00, 35.85], [139.00, 35.77]]
OME = [[139.20, 35.76], [139.31, 35.76], [139.31, 35.84], [139.20, 35.84], [139.20, 35.76]]
HANNO = [[139.18, 35.85], [139.34, 35.85], [139.34, 35.92], [139.18, 35.92], [139.18, 35.85]]
HOKKAIDO = [[141.30, 43.0], [141.40, 43.0], [141.40, 43.1], [141.30, 43.0]]


def _geojson(tmp_path, features, name="areas.geojson"):
    document = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"N03_007": code},
             "geometry": {"type": "Polygon", "coordinates": [ring]}}
            for code, ring in features
        ],
    }  # fmt: skip
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _gids(fig, gid):
    """The artists with ``gid``; a collection counts once per path."""
    ax = fig.axes[0]
    found = []
    for artist in ax.get_children():
        if artist.get_gid() == gid:
            found += artist.get_paths() if hasattr(artist, "get_paths") else [artist]
    return found


def _legend_texts(fig):
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_boundaries_replace_the_outlines_of_their_municipalities(sample, tmp_path):
    problem, solution = sample
    path = _geojson(tmp_path, [("13308", OKUTAMA), ("13205", OME), ("11209", HANNO)])
    plain = map_figure(problem, solution)
    fig = map_figure(problem, solution, boundaries=path)
    assert not _gids(plain, "boundary") and not _gids(plain, "boundary-other")
    drawn = _gids(fig, "boundary")
    assert len(drawn) == 2
    assert len(_gids(fig, "outline")) == len(_gids(plain, "outline")) - 2
    assert len(_gids(fig, "boundary-other")) == 1
    # the boundary of 奥多摩町 is where its coordinates project to (drawn sorted by code)
    okutama = drawn[1].get_path().vertices
    x, y = project_km([r[1] for r in OKUTAMA[:4]], [r[0] for r in OKUTAMA[:4]],
                      *_area_centre(problem))  # fmt: skip
    assert sorted(map(tuple, np.round(okutama[:4], 6))) == sorted(
        zip(np.round(x, 6), np.round(y, 6), strict=True)
    )
    texts = _legend_texts(fig)
    assert "行政界（areas.geojson）" in texts and "入力にない市町村の行政界" in texts
    assert "行政界（areas.geojson）" not in _legend_texts(plain)
    footnote = fig.texts[-1].get_text()
    assert "国土数値情報（行政区域データ）" in footnote
    # the frame holds the whole of each municipality's boundary
    (left, _), (_, top) = fig.axes[0].get_xlim(), fig.axes[0].get_ylim()
    assert left <= x.min() and top >= y.max()


def test_the_boundary_shows_in_the_picture(sample, tmp_path):
    """The pixels along 奥多摩町's western edge take the boundary's colour, and do not
    without the boundary file."""
    problem, solution = sample
    path = _geojson(tmp_path, [("13308", OKUTAMA)])
    lats = np.linspace(35.775, 35.845, 15)
    x, y = project_km(lats, np.full(len(lats), 139.0), *_area_centre(problem))
    edge = np.array(matplotlib.colors.to_rgb(BOUNDARY_STYLE["edgecolor"]))

    def edge_coloured(boundaries, name):
        """Whether each point of the western edge has the edge's colour within 2 px."""
        fig = map_figure(problem, solution, boundaries=boundaries)
        points = fig.axes[0].transData.transform(np.column_stack([x, y]))
        png = draw_map(tmp_path / name, problem, solution, boundaries=boundaries)
        picture = matplotlib.image.imread(png)[:, :, :3]
        found = []
        for px, py in points:
            row, col = int(round(picture.shape[0] - py)), int(round(px))
            patch = picture[max(row - 2, 0) : row + 3, max(col - 2, 0) : col + 3].reshape(-1, 3)
            found.append(bool((np.abs(patch - edge).max(axis=1) < 0.08).any()))
        return found

    assert all(edge_coloured(path, "with.png"))
    assert sum(edge_coloured(None, "without.png")) <= 2


def test_features_far_away_or_of_other_codes_only(sample, tmp_path):
    problem, solution = sample
    path = _geojson(tmp_path, [("01101", HOKKAIDO)])
    fig = map_figure(problem, solution, boundaries=path)
    assert not _gids(fig, "boundary") and not _gids(fig, "boundary-other")
    texts = _legend_texts(fig)
    assert "入力にない市町村の行政界" not in texts and "行政界（areas.geojson）" not in texts
    assert len(_gids(fig, "outline")) == len(_gids(map_figure(problem, solution), "outline"))


def test_the_map_with_boundaries_is_deterministic(sample, tmp_path):
    path = _geojson(tmp_path, [("13308", OKUTAMA), ("13205", OME), ("11209", HANNO)])
    first = draw_map(tmp_path / "a.png", *sample, boundaries=path).read_bytes()
    second = draw_map(tmp_path / "b.png", *sample, boundaries=read_boundaries(path)).read_bytes()
    assert first == second


def test_admission_to_a_private_care_home_across_the_border_is_not_drawn_as_sharing():
    from factories import site, tiny_problem, town

    from optimizer.outputs.maps import map_figure
    from optimizer.solving.solve import SolverSettings, solve_problem

    towns = [
        town("A", population=100, population_75plus=100),
        town("B", 35.01, population=100, population_75plus=40),
    ]
    types = {"care": {"demand_basis": "population_75plus", "demand_per_person": 0.5}}
    private = {**site("C-P", "care", "A", capacity=100, annual_cost=50e6), "operator": "private"}
    problem = tiny_problem(towns, [private], types, agreement_fixed_cost=1e6)
    solution = solve_problem(problem, SolverSettings(mip_gap=0.0), processes=1)
    assert set(solution.flows["municipality"]) == {"A", "B"}  # B's residents are admitted
    figure = map_figure(problem, solution)
    arrows = [p for ax in figure.axes for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert arrows == []
    # the same flow to a municipal home is sharing, and is drawn
    municipal = {**private, "operator": "municipal"}
    problem = tiny_problem(towns, [municipal], types, agreement_fixed_cost=1e6, fairness=False)
    solution = solve_problem(problem, SolverSettings(mip_gap=0.0), processes=1)
    assert set(solution.flows["municipality"]) == {"A", "B"}
    figure = map_figure(problem, solution)
    arrows = [p for ax in figure.axes for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 1
