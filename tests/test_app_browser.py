"""The what-if page end to end in a real browser: ``optimizer app`` on a free port of
127.0.0.1, Debian's headless Chromium driven by Playwright (never a browser that
Playwright downloads), the sample loaded and checked, a slider moved, a solve, and the
cost on the page equal to ``optimizer solve --json`` for the command the page states.

Skips only where Chromium (``apt-get install chromium``) or Playwright is missing.
Screenshots go to ``$APP_SHOTS_DIR`` (else the test's temporary folder).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from optimizer.sources.sample import sample_workbook
from optimizer.workbook.assemble import load_problem

pytest.importorskip("streamlit", reason="the page needs Streamlit (pip install -e '.[app]')")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
)

# The page's map needs pydeck (with Streamlit): imported once the skips above passed.
from optimizer.app.deck import initial_view  # noqa: E402
from optimizer.app.views import input_layers, municipality_labels  # noqa: E402

CHROMIUM = next(
    (p for p in (shutil.which("chromium"), "/usr/bin/chromium") if p and Path(p).is_file()), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)

START_TIMEOUT_S = 90.0
"""The longest the server may take to answer its health check."""
SOLVE_TIMEOUT_S = 360.0
"""The longest the page's solves (the base case, then the change) may take."""
TIME_LIMIT_S = "90"
"""The solver's time limit set on the page (the sample is optimal well within it)."""
LIBRARY_KM = "12"
"""The what-if: the library's maximum distance from 10 km to 12 km (four steps of 0.5)."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    """Stop the command and the server it started (their own process group)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``optimizer app --headless`` on a free port; (its address, its output folder)."""
    port = _free_port()
    output = tmp_path / "reports"
    log = (tmp_path / "server.log").open("w", encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "optimizer",
        "app",
        "--headless",
        "--port",
        str(port),
        "--output",
        str(output),
    ]
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=tmp_path
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                text = (tmp_path / "server.log").read_text(encoding="utf-8")
                pytest.fail(f"the page did not start (exit {process.poll()}):\n{text[-3000:]}")
            time.sleep(0.5)
        yield url, output
    finally:
        _stop(process)
        log.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("APP_SHOTS_DIR") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _on_the_map(facility: str, box: dict) -> tuple[float, float]:
    """Where ``facility`` of the sample is drawn on the page's map before any plan
    (Web Mercator, 512 px to the world at zoom 0, around the map's first view)."""
    problem, _ = load_problem(sample_workbook())
    layers = input_layers(problem, {})
    view = initial_view([layers["facilities"], layers["zones"], municipality_labels(problem)])
    scale = 512 * 2**view.zoom

    def world(lon: float, lat: float) -> tuple[float, float]:
        phi = math.radians(lat)
        y = (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2
        return (lon + 180) / 360 * scale, y * scale

    row = problem.facilities.loc[facility]
    x, y = world(float(row["lon"]), float(row["lat"]))
    x0, y0 = world(view.longitude, view.latitude)
    return box["x"] + box["width"] / 2 + x - x0, box["y"] + box["height"] / 2 + y - y0


def _host(url: str) -> str:
    """The host a request goes to; ``data:`` and ``blob:`` URLs (the map's own style,
    the page's images) go nowhere."""
    parts = urlsplit(url)
    return parts.hostname or "" if parts.scheme in ("http", "https", "ws", "wss") else "(local)"


def _metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _solve_on_the_command_line(command: str, output: Path) -> subprocess.Popen:
    """The page's command (``optimizer solve ...``) with ``--json``, started now."""
    words = shlex.split(command)
    assert words[:2] == ["optimizer", "solve"], command
    return subprocess.Popen(
        [sys.executable, "-m", "optimizer", *words[1:], "--json", "--output", str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def test_the_page_solves_a_change_to_the_command_lines_cost(server, shots, tmp_path):
    url, output = server
    requested: set[str] = set()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1500}, locale="ja-JP")
            page.on("request", lambda request: requested.add(_host(request.url)))
            page.set_default_timeout(60_000)
            page.goto(url)

            # The sample, read and checked.
            page.get_by_role("button", name="計算する Solve").wait_for()
            assert page.get_by_text("入力チェック validation: 問題なし").is_visible()
            assert page.get_by_text("西多摩（例示） — sample.xlsx").is_visible()
            page.screenshot(path=shots / "1-loaded.png")

            # A facility clicked on the map and locked closed, then left to the plan again.
            page.get_by_role("tab", name="地図 map").click()
            chart = page.locator('[data-testid="stDeckGlJsonChart"]')
            chart.wait_for()
            page.wait_for_timeout(2500)  # the map draws on a canvas after it is attached
            x, y = _on_the_map("L-01", chart.locator("canvas").first.bounding_box())
            page.mouse.click(x, y)
            lock = page.get_by_role("button", name="廃止・新設しないに固定 lock closed")
            lock.wait_for(timeout=20_000)  # the buttons come with the selection, not the tooltip
            assert page.locator("strong", has_text="青梅市中央図書館").last.is_visible()
            lock.click()
            page.get_by_text("基本ケースからの変更 changes from the base case: 1 件").wait_for()
            page.screenshot(path=shots / "2-map-locked.png")
            page.get_by_role("button", name="固定しない leave to the plan").click()
            page.get_by_text("基本ケースからの変更 changes from the base case: 0 件").wait_for()
            page.get_by_role("tab", name="比較 compare").click()

            # A slider moved and the time limit typed: the page states the command.
            slider = (
                page.locator('[data-testid="stSlider"]')
                .filter(has_text="図書館 library")
                .first.get_by_role("slider")
            )
            slider.focus()
            for _ in range(4):
                slider.press("ArrowRight")
            page.get_by_text("基本ケースからの変更 changes from the base case: 1 件").wait_for()
            limit = (
                page.locator('[data-testid="stNumberInput"]')
                .filter(has_text="計算時間の上限")
                .locator("input")
            )
            limit.fill(TIME_LIMIT_S)
            limit.press("Enter")
            page.get_by_text("同じ計算をコマンドで").click()
            code = page.locator('[data-testid="stCode"]').filter(has_text="optimizer solve")
            expected = f"--set facility_types.library.max_distance_km={LIBRARY_KM}"
            code.filter(has_text=f"--time-limit {TIME_LIMIT_S}").wait_for()
            command = code.inner_text().strip()
            assert expected in command and f"--output {output}" in command
            page.screenshot(path=shots / "3-slider-moved.png")
            cli = _solve_on_the_command_line(
                command.replace(f" --output {output}", ""), tmp_path / "cli"
            )

            # Solve in the background, with its progress and a cancel button.
            page.get_by_role("button", name="計算する Solve").click()
            page.get_by_role("button", name="中止 Cancel").wait_for()
            page.get_by_text("計算中 solving").first.wait_for()
            page.screenshot(path=shots / "4-solving.png")
            page.locator('[data-testid="stMetric"]').filter(has_text="計画の費用").wait_for(
                timeout=SOLVE_TIMEOUT_S * 1000
            )
            page.get_by_role("button", name="中止 Cancel").wait_for(state="detached")
            shown = _metric(page, "計画の費用")
            page.screenshot(path=shots / "5-solved.png")

            page.get_by_role("tab", name="地図 map").click()
            page.locator('[data-testid="stDeckGlJsonChart"]').wait_for()
            page.wait_for_timeout(2500)  # the map draws on a canvas after it is attached
            page.screenshot(path=shots / "6-map.png")
            page.get_by_role("tab", name="ダウンロード downloads").click()
            assert page.get_by_role("button", name="報告書 report.xlsx").first.is_visible()
            page.screenshot(path=shots / "7-downloads.png")
        finally:
            browser.close()

    out, _ = cli.communicate(timeout=SOLVE_TIMEOUT_S)
    record = json.loads(out)
    assert record["status"] == "ok", record
    assert shown == f"{round(record['cost_after'] / 1000):,} 千円"
    # The page fetched nothing but from itself: no tiles, no fonts, no statistics.
    assert requested - {"(local)"} == {"127.0.0.1"}, requested
    assert len([f for f in output.glob("*") if (f / "manifest.json").is_file()]) == 2
