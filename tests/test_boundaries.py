"""The boundary file of the map: GeoJSON read, matched by code, defects named."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from optimizer.cli import cli
from optimizer.errors import FileFormatError, InputError
from optimizer.outputs.boundaries import MAX_ISSUES, code_key, read_boundaries
from optimizer.runs.jobs import read_job
from optimizer.workbook.messages import format_issues

SQUARE = [[139.20, 35.70], [139.30, 35.70], [139.30, 35.80], [139.20, 35.80], [139.20, 35.70]]
HOLE = [[139.24, 35.74], [139.26, 35.74], [139.26, 35.76], [139.24, 35.76], [139.24, 35.74]]
ISLET = [[139.40, 35.60], [139.42, 35.60], [139.42, 35.62], [139.40, 35.60]]
SAPPORO = [[141.3, 43.0], [141.4, 43.0], [141.4, 43.1], [141.3, 43.0]]
FAR_EAST = [[139.2, 35.7], [239.3, 35.7], [139.3, 35.8], [139.2, 35.7]]


def feature(properties, geometry):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def polygon(*rings):
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def write(tmp_path, document, name="areas.geojson"):
    path = tmp_path / name
    if isinstance(document, bytes):
        path.write_bytes(document)
    elif isinstance(document, str):
        path.write_text(document, encoding="utf-8")
    else:
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_n03_features_are_read_and_matched_by_code(tmp_path):
    document = collection(
        feature({"N03_004": "甲市", "N03_007": "13201"}, polygon(SQUARE, HOLE)),
        feature(
            {"N03_004": "乙町", "N03_007": "13202"},
            {"type": "MultiPolygon", "coordinates": [[SQUARE], [ISLET]]},
        ),
        feature({"N03_004": "所属未定地", "N03_007": None}, polygon(ISLET)),
        feature({"N03_007": "11209"}, polygon(SQUARE)),
    )
    boundaries = read_boundaries(write(tmp_path, document))
    assert boundaries.source == "areas.geojson" and boundaries.n03
    assert [f.code for f in boundaries.features] == ["13201", "13202", None, "11209"]
    first = boundaries.features[0].polygons
    assert len(first) == 1 and len(first[0]) == 2  # an exterior and its hole
    assert first[0][0].tolist() == SQUARE
    assert len(boundaries.features[1].polygons) == 2
    # a 6-digit code of the input (with its check digit) matches the 5-digit feature
    mine, others = boundaries.of(["132012", "13202", "13203"])
    assert mine.keys() == {"132012", "13202"}
    assert len(mine["13202"]) == 2 and len(others) == 2
    assert "国土数値情報" in boundaries.credit
    assert len(boundaries.sha256) == 64


def test_a_code_property_and_numeric_codes(tmp_path):
    document = collection(
        feature({"code": 1101}, polygon(SAPPORO)),
        feature({"code": "A-1"}, polygon(SQUARE)),
    )
    boundaries = read_boundaries(write(tmp_path, document, "mine.json"))
    assert [f.code for f in boundaries.features] == ["01101", "A-1"]
    assert not boundaries.n03 and boundaries.credit == "行政界: mine.json"
    assert boundaries.of(["01101", "A-1"])[0].keys() == {"01101", "A-1"}
    assert code_key("131016") == "13101" and code_key("13101") == "13101"


BAD_FEATURES = {
    "no code property": (
        feature({"N03_004": "甲市"}, polygon(SQUARE)),
        "missing_column", "feature 2 properties", "N03_004",
    ),
    "an N03 code that is not 5 digits": (
        feature({"N03_007": "1320"}, polygon(SQUARE)),
        "unusual_code", "feature 2 properties.N03_007", "1320",
    ),
    "a blank code": (
        feature({"code": " "}, polygon(SQUARE)),
        "empty_required", "feature 2 properties.code", "",
    ),
    "outside Japan": (
        feature({"code": "13202"}, polygon(FAR_EAST)),
        "outside_japan", "feature 2 geometry.coordinates", "lon=239.3, lat=35.7",
    ),
    "lat/lon swapped": (
        feature({"code": "13202"}, polygon([[lat, lon] for lon, lat in SQUARE])),
        "latlon_swapped", "feature 2 geometry.coordinates", "lon=35.7, lat=139.2",
    ),
    "a line": (
        feature({"code": "13202"}, {"type": "LineString", "coordinates": SQUARE}),
        "bad_enum", "feature 2 geometry.type", "LineString",
    ),
    "no geometry": (
        feature({"code": "13202"}, None),
        "bad_enum", "feature 2 geometry.type", "null",
    ),
    "a ring of three positions": (
        feature({"code": "13202"}, polygon(SQUARE[:3])),
        "not_a_number", "feature 2 geometry.coordinates", "3 position",
    ),
    "a position that is text": (
        feature({"code": "13202"}, polygon([[139.2, "35.7"], *SQUARE[1:]])),
        "not_a_number", "feature 2 geometry.coordinates", "'35.7'",
    ),
    "not a feature": (
        {"type": "Polygon", "coordinates": [SQUARE]},
        "bad_enum", "feature 2 type", "Polygon",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_FEATURES))
def test_a_bad_feature_is_named_with_its_number_and_value(tmp_path, case):
    bad, code, column, value = BAD_FEATURES[case]
    good = feature({"code": "13201"}, polygon(SQUARE))
    path = write(tmp_path, collection(good, bad))
    with pytest.raises(InputError) as caught:
        read_boundaries(path)
    (found,) = caught.value.issues
    assert (found.code, found.sheet, found.column) == (code, "areas.geojson", column)
    for lang in ("en", "ja"):
        text = found.message(lang)
        assert "areas.geojson" in text and "feature 2" in text and value in text
    assert "areas.geojson" in str(caught.value)


BAD_FILES = {
    "not JSON": ('{"type": "FeatureCollection", "features": [', "unreadable", "line 1"),
    "NaN": ('{"type": "FeatureCollection", "features": [NaN]}', "unreadable", "NaN"),
    "Shift_JIS": (
        json.dumps(collection(feature({"N03_004": "甲市", "N03_007": "13201"}, polygon(SQUARE))),
                   ensure_ascii=False).encode("shift_jis"),
        "bad_encoding", "byte",
    ),
    "a single feature": (feature({"code": "13201"}, polygon(SQUARE)), "unsupported_format",
                         "Feature"),
    "a list": ([], "unsupported_format", "list"),
    "no features": (collection(), "unsupported_format", "0 features"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_file_that_is_not_a_geojson_of_polygons(tmp_path, case):
    document, code, value = BAD_FILES[case]
    with pytest.raises(FileFormatError) as caught:
        read_boundaries(write(tmp_path, document))
    (found,) = caught.value.issues
    assert (found.code, found.sheet) == (code, "areas.geojson")
    assert value in found.message("en")


def test_a_missing_file_and_a_folder(tmp_path):
    with pytest.raises(FileFormatError) as caught:
        read_boundaries(tmp_path / "none.geojson")
    assert caught.value.issues[0].code == "file_not_found"
    with pytest.raises(FileFormatError) as caught:
        read_boundaries(tmp_path)
    assert caught.value.issues[0].code == "unreadable"


def test_many_defects_are_listed_up_to_a_limit_in_file_order(tmp_path):
    swapped = feature({"code": "13202"}, polygon([[lat, lon] for lon, lat in SQUARE]))
    path = write(tmp_path, collection(*[swapped] * (MAX_ISSUES + 5)))
    with pytest.raises(InputError) as caught:
        read_boundaries(path)
    issues = caught.value.issues
    assert len(issues) == MAX_ISSUES
    assert "and 5 more defective features" in issues[-1].expected
    lines = format_issues(issues, "en").splitlines()[1:]
    numbers = [int(line.split("'feature")[1].split()[0]) for line in lines]
    assert numbers == list(range(1, MAX_ISSUES + 1))


def test_solve_refuses_a_bad_boundary_file_before_solving(tmp_path):
    path = write(tmp_path, collection(feature({"N03_004": "青梅市"}, polygon(SQUARE))))
    result = CliRunner().invoke(
        cli,
        ["solve", "--boundaries", str(path), "--output", str(tmp_path / "out"), "-q",
         "--lang", "en"],
    )  # fmt: skip
    assert result.exit_code == 3
    assert "areas.geojson" in result.output and "feature 1 properties" in result.output
    assert not (tmp_path / "out").exists()


def test_compare_refuses_a_bad_boundary_file_before_any_scenario(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["compare", "--boundaries", str(tmp_path / "none.geojson"), "--output",
         str(tmp_path / "out"), "-q"],
    )  # fmt: skip
    assert result.exit_code == 3
    assert "none.geojson" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["solve", "compare"])
def test_the_option_is_documented(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert "--boundaries" in result.output and "GeoJSON" in result.output


def test_a_job_file_names_its_boundary_file_relative_to_itself(tmp_path):
    job = tmp_path / "jobs" / "council.toml"
    job.parent.mkdir()
    job.write_text(
        'input = "../in.xlsx"\noutput = "../out"\nboundaries = "../n03.geojson"\n',
        encoding="utf-8",
    )
    assert read_job(job).boundaries == tmp_path / "jobs" / ".." / "n03.geojson"
    job.write_text('input = "a.xlsx"\noutput = "out"\n', encoding="utf-8")
    assert read_job(job).boundaries is None
