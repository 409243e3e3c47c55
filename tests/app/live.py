"""A real ``streamlit run`` on a fixture data folder, and Chromium pages that may reach only this machine.

Shared by the browser tests (``test_browser.py``, ``test_journeys.py``):
:func:`start_server` runs the app, :func:`open_context` opens a browser
context (one Streamlit session) whose requests to any other host are aborted
and recorded in :attr:`Guard.attempted`, and a few helpers act as a person would.
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from application.app_data import CACHE_ENV
from application.settings import ENV_DATA_DIR
from tests.app.fixture_data import APP

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
WAIT_MS = 30_000
SHOTS = Path(os.environ["VNCOVER_SHOTS"]) if os.environ.get("VNCOVER_SHOTS") else None


@dataclass
class Server:
    url: str
    log: Path


@dataclass
class Guard:
    """Requests a browser context tried to send off this machine."""

    attempted: list[str] = field(default_factory=list)

    def route(self, route, request) -> None:
        if urlparse(request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.attempted.append(request.url)
            route.abort()

    def websocket(self, ws) -> None:
        if urlparse(ws.url).hostname not in LOCAL_HOSTS:
            self.attempted.append(ws.url)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(
    url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60.0
) -> None:
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


@contextmanager
def start_server(
    data_dir: Path,
    workdir: Path,
    *,
    options: tuple[str, ...] = (),
    environ: dict[str, str] | None = None,
) -> Iterator[Server]:
    """``streamlit run app.py`` on ``data_dir`` (cache and log in ``workdir``), stopped on exit.

    ``options`` are more ``--section.option value`` pairs for Streamlit; ``environ`` more variables.
    """
    port = free_port()
    log = workdir / "streamlit.log"
    env = {k: v for k, v in os.environ.items() if k != ENV_DATA_DIR}
    env[CACHE_ENV] = str(workdir / "cache")
    env.update(environ or {})
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        *options,
        "--",
        "--data-dir",
        str(data_dir),
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=APP.parent, stdout=out, stderr=subprocess.STDOUT, env=env
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_healthy(url, proc, log)
        yield Server(url=url, log=log)
    finally:
        _stop(proc)


def open_context(browser, guard: Guard):
    """A new browser context (a new Streamlit session) whose off-machine requests ``guard`` aborts."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, service_workers="block", accept_downloads=True
    )
    context.route("**/*", guard.route)
    return context


def new_page(context, guard: Guard, url: str):
    page = context.new_page()
    page.on("websocket", guard.websocket)
    page.goto(url)
    return page


def frame(page):
    return page.frame_locator(MAP_FRAME).first


def commune_paths(page):
    return frame(page).locator("path.leaflet-interactive")


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def download(page, label: str) -> Path:
    """Click the download button called ``label`` once it is there; the downloaded file.

    ``get_by_role(...).count()`` does not wait: buttons drawn below the map
    appear a moment after the text above it, so wait for the button first.
    """
    return download_named(page, label)[1]


def wait_idle(page) -> None:
    """Wait until the script has finished its run (Streamlit marks its root ``notRunning``).

    Until then a button may be the previous run's, whose deferred download is already gone.
    """
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=WAIT_MS * 2
    )


def download_named(page, label: str) -> tuple[str, Path]:
    """Like :func:`download`: the file name the browser was given, and the downloaded file.

    A click that lands just as a rerun starts (the map reports its first view back, which
    reruns the page) asks for the previous run's file, which is gone: nothing comes, and a
    person clicks again. So does this, up to three times.
    """
    from playwright.sync_api import Error, expect

    for timeout in (WAIT_MS, WAIT_MS * 2, WAIT_MS * 3):
        wait_idle(page)
        button = page.get_by_role("button", name=label, exact=True)
        expect(button).to_be_visible(timeout=WAIT_MS)
        try:
            with page.expect_download(timeout=timeout) as event:
                button.click()
        except Error:
            continue
        return event.value.suggested_filename, Path(event.value.path())
    raise AssertionError(f"three clicks on {label!r} downloaded nothing")
