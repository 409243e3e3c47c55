"""What a person sees, with no internet: a real ``streamlit run`` driven by Debian's Chromium.

Every request to a host other than this machine is aborted and recorded;
the page must draw the map, the legend and the notice all the same, and
must not have tried to reach anywhere else.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from geo.settings import ENV_DATA_DIR
from tests.app.fixture_data import APP, N_COMMUNES, write_data_dir

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
WAIT_MS = 30_000


@dataclass
class Server:
    url: str
    log: Path


@dataclass
class Visit:
    page: object
    attempted: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer within {timeout} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CHROMIUM.is_file():
        pytest.skip(f"Debian's Chromium not found at {CHROMIUM}")
    data_dir = write_data_dir(tmp_path_factory.mktemp("data"))
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    env = {k: v for k, v in os.environ.items() if k != ENV_DATA_DIR}
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--", "--data-dir", str(data_dir),
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=APP.parent, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_healthy(url, proc, log)
        yield Server(url=url, log=log)
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def visit(server: Server) -> Iterator[Visit]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
            result = Visit(page=None)

            def guard(route, request) -> None:  # noqa: ANN001 (Playwright's types)
                if urlparse(request.url).hostname in LOCAL_HOSTS:
                    route.continue_()
                else:
                    result.attempted.append(request.url)
                    route.abort()

            context.route("**/*", guard)
            page = context.new_page()
            page.on("websocket", lambda ws: _record_remote(ws.url, result.attempted))
            page.goto(server.url)
            result.page = page
            yield result
        finally:
            browser.close()


def _record_remote(url: str, attempted: list[str]) -> None:
    if urlparse(url).hostname not in LOCAL_HOSTS:
        attempted.append(url)


def _commune_paths(visit: Visit):  # noqa: ANN202 (a Playwright Locator)
    return visit.page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive")


def test_map_draws_every_commune(visit: Visit) -> None:
    from playwright.sync_api import expect

    expect(_commune_paths(visit)).to_have_count(N_COMMUNES, timeout=WAIT_MS)


def test_legend_is_visible(visit: Visit) -> None:
    from playwright.sync_api import expect

    legend = visit.page.frame_locator(MAP_FRAME).locator(".vn-legend")
    expect(legend).to_be_visible(timeout=WAIT_MS)
    expect(legend).to_contain_text("Diện tích chính thức")
    expect(legend).to_contain_text("Không có số liệu")


def test_approximate_boundaries_notice_is_visible(visit: Visit) -> None:
    from playwright.sync_api import expect

    expect(visit.page.get_by_text("Ranh giới trên bản đồ là gần đúng")).to_be_visible(timeout=WAIT_MS)


def test_tooltip_shows_names_as_text_not_html(visit: Visit) -> None:
    from playwright.sync_api import expect

    paths = _commune_paths(visit)
    expect(paths).to_have_count(N_COMMUNES, timeout=WAIT_MS)
    paths.nth(1).hover(force=True)
    tooltip = visit.page.frame_locator(MAP_FRAME).locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text('Xã <b>Thử</b> & "nháy"', timeout=WAIT_MS)
    expect(tooltip.locator("b")).to_have_count(0)


def test_screenshot(visit: Visit, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    expect(_commune_paths(visit)).to_have_count(N_COMMUNES, timeout=WAIT_MS)
    shot = tmp_path / "app.png"
    visit.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_choosing_a_province_draws_only_its_communes(visit: Visit) -> None:
    from playwright.sync_api import expect

    expect(_commune_paths(visit)).to_have_count(N_COMMUNES, timeout=WAIT_MS)
    visit.page.get_by_role("combobox", name="Tỉnh/thành phố").click()
    visit.page.get_by_role("option", name="Tỉnh Tuyên Quang").click()
    expect(_commune_paths(visit)).to_have_count(2, timeout=WAIT_MS)


def test_no_request_left_the_machine(visit: Visit) -> None:
    from playwright.sync_api import expect

    expect(_commune_paths(visit)).not_to_have_count(0, timeout=WAIT_MS)
    visit.page.wait_for_timeout(500)
    assert visit.attempted == []


def test_server_did_not_look_up_its_public_address(visit: Visit, server: Server) -> None:
    log = server.log.read_text()
    assert "External URL" not in log and "Did not auto detect external IP" not in log
