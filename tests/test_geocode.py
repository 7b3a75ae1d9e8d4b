"""``optimizer geocode``: blank coordinates found from addresses, against a local
Nominatim-compatible server (no outside network): points filled, their source stated,
the input untouched, a rerun answered from the cache, requests a second apart, the
rows left without a point listed, an offline server said in one line."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import Font

from optimizer.cli import cli
from optimizer.sources.geocoder import CACHE_FORMAT, parse_server
from optimizer.workbook.assemble import load_problem

OME = "東京都青梅市東青梅1-11-1"
FUSSA = "東京都福生市本町5"
NOWHERE = "東京都どこにもない町9-9-9"
FORBIDDEN = "東京都拒否市1"
PLACES = {OME: (35.788, 139.2758), FUSSA: (35.7387, 139.3267)}


class FakeNominatim:
    """A Nominatim ``/search`` on 127.0.0.1: answers the places it knows (``[]`` for
    any other query) and notes when each request came and what it asked."""

    def __init__(self) -> None:
        self.places: dict[str, tuple[float, float]] = dict(PLACES)
        self.requests: list[tuple[float, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query).get("q", [""])[0]
                fake.requests.append((time.monotonic(), query))
                if parts.path != "/search":
                    self.send_error(404)
                    return
                if query == FORBIDDEN:
                    self.send_error(403)
                    return
                found = fake.places.get(query)
                answer = (
                    []
                    if found is None
                    else [
                        {
                            "place_id": 1,
                            "lat": str(found[0]),
                            "lon": str(found[1]),
                            "display_name": f"{query}, 日本",
                            "class": "building",
                        }
                    ]
                )
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.domain = self.url.removeprefix("http://")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def nominatim() -> Iterator[FakeNominatim]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")
        patch.setenv("no_proxy", "127.0.0.1,localhost")
        fake = FakeNominatim()
        yield fake
        fake.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_area(path: Path) -> Path:
    """A small workbook: facilities under Japanese names (one header row, no
    coord_source column), zones with English names and a label row, and a notes sheet."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "メモ"
    notes["A1"] = "担当: 企画課"
    notes["A1"].font = Font(bold=True)
    notes["B2"] = "=1+1"
    facilities = book.create_sheet("施設")
    facilities.append(
        ["施設ID", "施設名", "施設類型", "所在市町村コード", "緯度", "経度", "所在地"]
    )
    facilities.append(["F-1", "中央図書館", "library", "13205", None, None, OME])
    facilities.append(["F-2", "市民会館", "hall", "13218", None, None, FUSSA])
    facilities.append(["F-3", "分館", "library", "13205", None, 139.3, NOWHERE])
    facilities.append(["F-4", "集会所", "hall", "13205", None, None, None])
    facilities.append(["F-5", "東分館", "library", "13205", 35.7, 139.3, OME])
    facilities.append(
        ["F-6", "青梅分室", "library", "13205", None, None, " 東京都青梅市東青梅１－１１－１ "]
    )
    zones = book.create_sheet("zones")
    zones.append(["zone", "municipality", "name", "lat", "lon", "population", "address"])
    zones.append(["区域ID", "市町村コード", "区域名", "緯度", "経度", "人口", "住所"])
    zones.append(["Z-1", "13218", "本町", None, None, 1200, FUSSA])
    zones.append(["Z-2", "13205", "東青梅", 35.79, 139.27, 900, None])
    book.save(path)
    return path


def invoke(*args: object) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def sheet_values(path: Path, title: str) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)[title]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def column(ws, header_row: int, name: str) -> dict[object, object]:
    """Key (first column) → the value in the column headed ``name``."""
    headers = [c.value for c in ws[header_row]]
    at = headers.index(name)
    return {
        row[0].value: row[at].value
        for row in ws.iter_rows(min_row=header_row + 1)
        if row[0].value is not None
    }


@pytest.fixture(scope="module")
def first_run(nominatim, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("geocode")
    area = build_area(folder / "area.xlsx")
    before = area.read_bytes()
    cache = folder / "cache" / "geo.json"
    asked = len(nominatim.requests)
    code, record = invoke(
        "geocode",
        area,
        "-o",
        folder / "placed.xlsx",
        "--server",
        nominatim.url,
        "--cache",
        cache,
        "--json",
        "--lang",
        "en",
    )
    return {
        "folder": folder,
        "area": area,
        "before": before,
        "cache": cache,
        "code": code,
        "record": record,
        "requests": nominatim.requests[asked:],
    }


def test_blank_points_are_filled_with_their_source(first_run, nominatim):
    record = first_run["record"]
    assert record["command"] == "geocode"
    book = openpyxl.load_workbook(first_run["folder"] / "placed.xlsx")
    facilities = book["施設"]
    lat, lon = column(facilities, 1, "緯度"), column(facilities, 1, "経度")
    source = column(facilities, 1, "coord_source")
    assert (lat["F-1"], lon["F-1"]) == PLACES[OME]
    assert (lat["F-6"], lon["F-6"]) == PLACES[OME]  # full-width spelling, same address
    assert (lat["F-2"], lon["F-2"]) == PLACES[FUSSA]
    assert (lat["F-5"], lon["F-5"]) == (35.7, 139.3)
    assert lat["F-3"] is None and lon["F-3"] == 139.3
    geocoded = f"geocoded:{nominatim.domain}"
    assert source == {
        "F-1": geocoded,
        "F-2": geocoded,
        "F-3": "not found",
        "F-4": "no address",
        "F-5": "given",
        "F-6": geocoded,
    }
    zones = book["zones"]
    assert [c.value for c in zones[2]][-1] == "座標の出典"  # the label row gets its label
    assert column(zones, 1, "coord_source") == {
        "区域ID": "座標の出典",
        "Z-1": geocoded,
        "Z-2": "given",
    }
    assert (column(zones, 1, "lat")["Z-1"], column(zones, 1, "lon")["Z-1"]) == PLACES[FUSSA]
    assert record["coord_sources"] == {
        "given": 2,
        "geocoded": 4,
        "cache": 0,
        "not found": 1,
        "no address": 1,
    }
    assert record["sheets"] == ["facilities", "zones"]


def test_the_input_is_untouched_and_the_other_sheets_kept(first_run):
    assert first_run["area"].read_bytes() == first_run["before"]
    placed = first_run["folder"] / "placed.xlsx"
    assert sheet_values(placed, "メモ") == sheet_values(first_run["area"], "メモ")
    notes = openpyxl.load_workbook(placed)["メモ"]
    assert notes["B2"].value == "=1+1" and notes["A1"].font.bold
    old, new = sheet_values(first_run["area"], "施設"), sheet_values(placed, "施設")
    assert {k: v for k, v in new.items() if k[0] not in "EFH"} == {
        k: v for k, v in old.items() if k[0] not in "EF"
    }


def test_each_address_is_asked_once_a_second_apart(first_run):
    asked = [query for _, query in first_run["requests"]]
    assert sorted(asked) == sorted([OME, FUSSA, NOWHERE])
    assert first_run["record"]["requests"] == 3
    times = [when for when, _ in first_run["requests"]]
    assert all(later - earlier >= 1.0 for earlier, later in zip(times, times[1:], strict=False))


def test_rows_left_without_a_point_are_listed_with_exit_code_3(first_run):
    assert first_run["code"] == 3
    record = first_run["record"]
    assert record["status"] == "bad_input" and record["exit_code"] == 3
    assert record["unplaced"] == [
        {"sheet": "facilities", "row": 4, "id": "F-3", "address": NOWHERE, "reason": "not found"},
        {"sheet": "facilities", "row": 5, "id": "F-4", "address": "", "reason": "no address"},
    ]
    assert "2 row(s) left without a point" in record["message"]


def test_a_rerun_asks_the_server_nothing(first_run, nominatim):
    cache = json.loads(first_run["cache"].read_text(encoding="utf-8"))
    assert cache["format"] == CACHE_FORMAT
    assert cache["servers"][nominatim.url][NOWHERE] is None
    asked = len(nominatim.requests)
    again = first_run["folder"] / "again.xlsx"
    code, record = invoke(
        "geocode", first_run["area"], "-o", again, "--server", nominatim.url,
        "--cache", first_run["cache"], "--json",
    )  # fmt: skip
    assert len(nominatim.requests) == asked and record["requests"] == 0
    assert code == 3 and len(record["unplaced"]) == 2
    source = column(openpyxl.load_workbook(again)["施設"], 1, "coord_source")
    assert source["F-1"] == source["F-2"] == "cache"
    assert source["F-3"] == "not found"
    code, record = invoke(
        "geocode", first_run["area"], "-o", again, "--force", "--server", nominatim.url,
        "--cache", first_run["cache"], "--retry-not-found", "--json",
    )  # fmt: skip
    assert [q for _, q in nominatim.requests[asked:]] == [NOWHERE]
    assert record["requests"] == 1


@pytest.mark.parametrize(
    "lang, words", [("ja", "サーバー"), ("en", "cannot reach the geocoding server")]
)
def test_an_unreachable_server_is_one_line(tmp_path, lang, words):
    area = build_area(tmp_path / "area.xlsx")
    out = tmp_path / "placed.xlsx"
    server = f"http://127.0.0.1:{closed_port()}"
    result = CliRunner().invoke(
        cli,
        ["geocode", str(area), "-o", str(out), "--server", server, "--cache",
         str(tmp_path / "geo.json"), "--lang", lang, "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 9
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and server in lines[0]
    assert "Traceback" not in result.output
    assert lines[0].startswith(
        "外部のサービスに接続できません" if lang == "ja" else "a web service"
    )
    assert not out.exists()


def test_an_unreachable_server_in_json(tmp_path):
    area = build_area(tmp_path / "area.xlsx")
    server = f"http://127.0.0.1:{closed_port()}"
    code, record = invoke(
        "geocode", area, "--server", server, "--cache", tmp_path / "geo.json", "--json",
    )  # fmt: skip
    assert code == 9 and record["status"] == "unreachable" and record["exit_code"] == 9
    assert not (tmp_path / "area-geocoded.xlsx").exists()


def test_a_server_that_never_answers_is_unreachable(tmp_path):
    area = build_area(tmp_path / "area.xlsx")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        server = f"http://127.0.0.1:{silent.getsockname()[1]}"
        code, record = invoke(
            "geocode", area, "--server", server, "--timeout", "0.5",
            "--cache", tmp_path / "geo.json", "--json", "--lang", "en",
        )  # fmt: skip
    assert code == 9 and "cannot reach the geocoding server" in record["message"]


def test_a_server_that_refuses_says_why(nominatim, tmp_path):
    area = tmp_path / "area.xlsx"
    book = openpyxl.load_workbook(build_area(area))
    book["施設"]["G2"] = FORBIDDEN
    book.save(area)
    code, record = invoke(
        "geocode", area, "--server", nominatim.url, "--cache", tmp_path / "geo.json",
        "--json", "--lang", "en",
    )  # fmt: skip
    assert code == 9 and record["status"] == "unreachable"
    assert "refused the request" in record["message"] and "403" in record["message"]
    assert not (tmp_path / "geo.json").exists()  # asked first: nothing to cache


def test_the_input_is_never_the_output(tmp_path):
    area = build_area(tmp_path / "area.xlsx")
    before = area.read_bytes()
    for target in (area, tmp_path / "." / "area.xlsx"):
        result = CliRunner().invoke(cli, ["geocode", str(area), "-o", str(target), "--force"])
        assert result.exit_code == 7, result.output
    taken = tmp_path / "taken.xlsx"
    taken.write_bytes(b"keep me")
    result = CliRunner().invoke(cli, ["geocode", str(area), "-o", str(taken), "--lang", "en"])
    assert result.exit_code == 7 and "--force" in result.stderr
    assert area.read_bytes() == before and taken.read_bytes() == b"keep me"


@pytest.mark.parametrize(
    "text, scheme, domain",
    [
        ("nominatim.openstreetmap.org", "https", "nominatim.openstreetmap.org"),
        ("http://127.0.0.1:8080/", "http", "127.0.0.1:8080"),
        ("https://geo.example.jp/nominatim", "https", "geo.example.jp/nominatim"),
    ],
)
def test_server_addresses(text, scheme, domain):
    server = parse_server(text)
    assert (server.scheme, server.domain) == (scheme, domain)


def test_a_server_that_is_not_http_is_a_usage_error(tmp_path):
    area = build_area(tmp_path / "area.xlsx")
    result = CliRunner().invoke(cli, ["geocode", str(area), "--server", "ftp://x"])
    assert result.exit_code == 2


def test_the_geocoded_sample_validates(sample_workbook, nominatim, tmp_path):
    """Two facilities of the sample placed from addresses: the new workbook is a valid
    input, the same problem as the sample."""
    area = tmp_path / "sample.xlsx"
    shutil.copyfile(sample_workbook, area)
    book = openpyxl.load_workbook(area)
    ws = book["facilities"]
    headers = [c.value for c in ws[1]]
    if "address" not in headers:
        ws.cell(row=1, column=len(headers) + 1, value="address")
        ws.cell(row=2, column=len(headers) + 1, value="所在地")
        headers.append("address")
    lat, lon, address = (headers.index(n) + 1 for n in ("lat", "lon", "address"))
    for row, text in ((3, "東京都青梅市某所1"), (4, "東京都青梅市某所2")):
        nominatim.places[text] = (ws.cell(row, lat).value, ws.cell(row, lon).value)
        ws.cell(row, lat).value = ws.cell(row, lon).value = None
        ws.cell(row, address).value = text
    book.save(area)
    out = tmp_path / "placed.xlsx"
    result = CliRunner().invoke(
        cli, ["geocode", str(area), "-o", str(out), "--server", nominatim.url,
              "--cache", str(tmp_path / "geo.json"), "--lang", "en"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "new workbook" in result.stdout and "2 request(s)" in result.stdout
    problem, warnings = load_problem(out)
    expected, _ = load_problem(sample_workbook)
    assert warnings == []
    assert problem.facilities[["lat", "lon"]].equals(expected.facilities[["lat", "lon"]])
