"""Hostile uploads in a real browser against a real ``streamlit run``, read as the product reads them.

The app runs with its reads isolated in a capped child process (the product's
default, which the rest of the suite turns off for speed), its sessions'
folders in a folder of the test's own, and a sweep every half second with a
one-second grace, so a closed tab's uploads can be seen to go.

- A spreadsheet bomb (one value at XFD1048576) is refused with a message that
  names the cap, and the same session then loads a good table.
- A file name and column headers made of Markdown, LaTeX, emoji shortcodes,
  HTML and a remote image are shown as the characters they are: nothing is
  bold, no formula is typeset, no image is fetched.
- A session's uploads are removed once its tab is closed.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from application.session_files import GRACE_ENV, ROOT_ENV, SWEEP_ENV
from geo.reading.isolate import ISOLATION_VARIABLE
from tests.app import live
from tests.app.fixture_data import write_data_dir
from tests.app.live import WAIT_MS, Guard, Server
from tests.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ADD = "Đưa bảng này lên bản đồ"
#: Tuyên Quang by code, dated after the default table.
GOOD = (
    "Mã xã,Xã,Số hộ,Số hộ có cáp quang,Ngày báo cáo\n"
    "02266,Xã Lâm Bình,500,400,2099-01-31\n"
    "02269,Xã Thượng Lâm,400,300,2099-01-31\n"
)
#: Bold, italics, an emoji shortcode, LaTeX, HTML and an image on a host this machine is not.
HOSTILE = "**dam**_nghieng_:x:$\\badmacro{x}$<b>html</b>![i](http://203.0.113.9/p.png)"
#: The same in a file name, without "/" or "\\" (only what follows the last one is kept).
HOSTILE_NAME = "**dam**_nghieng_:x:$x^{2}$<b>html<b>![i](p.png).csv"


def _far_cell_workbook() -> bytes:
    """A 5 KB workbook whose one far value makes its used range A1:XFD1048576 (17·10⁹ cells)."""
    book = openpyxl.Workbook()
    for row in (["Mã xã", "Số hộ", "Số hộ có cáp quang"], ["02266", 500, 400]):
        book.active.append(row)
    plain = io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    sheet = "xl/worksheets/sheet1.xml"
    files[sheet] = files[sheet].replace(b"</sheetData>", far)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def sessions_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sessions")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sessions_dir: Path) -> Iterator[Server]:
    if not CHROMIUM.is_file():
        pytest.skip(f"Debian's Chromium not found at {CHROMIUM}")
    data_dir = write_data_dir(tmp_path_factory.mktemp("data"))
    environ = {
        ISOLATION_VARIABLE: "1",
        ROOT_ENV: str(sessions_dir),
        GRACE_ENV: "1",
        SWEEP_ENV: "0.5",
    }
    with live.start_server(data_dir, tmp_path_factory.mktemp("server"), environ=environ) as up:
        yield up


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _data_page(browser, guard: Guard, server: Server):
    from playwright.sync_api import expect

    context = live.open_context(browser, guard)
    page = live.new_page(context, guard, server.url)
    page.get_by_role("link", name="Dữ liệu").click()
    expect(page.get_by_text("Dữ liệu đang dùng")).to_be_visible(timeout=WAIT_MS)
    return context, page


def _upload_fibre(page, name: str, mime: str, content: bytes) -> None:
    page.locator("input[type=file]").nth(1).set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}]
    )


def test_a_spreadsheet_bomb_is_refused_and_the_session_then_loads_a_good_table(
    browser, guard: Guard, server: Server
) -> None:
    from playwright.sync_api import expect

    context, page = _data_page(browser, guard, server)
    try:
        _upload_fibre(page, "bom_o_xa.xlsx", XLSX, _far_cell_workbook())
        refusal = page.get_by_text("A1:XFD1048576").first
        expect(refusal).to_be_visible(timeout=WAIT_MS * 2)
        assert "3,000,000" in refusal.inner_text() and "bom_o_xa.xlsx" in refusal.inner_text()
        expect(page.get_by_role("button", name=ADD)).to_have_count(0)
        live.shot(page, "hostile_bomb_refused")
        _upload_fibre(page, "cap_quang_tot.csv", "text/csv", GOOD.encode())
        page.get_by_role("button", name=ADD).click(timeout=WAIT_MS * 2)
        expect(
            page.get_by_text("Đã nạp cap_quang_tot.csv: cập nhật 2 xã/phường (Tỉnh Tuyên Quang)")
        ).to_be_visible(timeout=WAIT_MS * 2)
        expect(page.get_by_text("Traceback")).to_have_count(0)
        live.shot(page, "hostile_bomb_then_good")
    finally:
        context.close()


def test_names_from_a_file_are_shown_as_the_characters_they_are(
    browser, guard: Guard, server: Server
) -> None:
    from playwright.sync_api import expect

    context, page = _data_page(browser, guard, server)
    try:
        table = GOOD.replace("Ngày báo cáo", HOSTILE)  # an unknown header: a column's label
        name = HOSTILE_NAME
        _upload_fibre(page, name, "text/csv", table.encode())
        button = page.get_by_role("button", name=ADD)
        expect(button).to_be_visible(timeout=WAIT_MS * 2)
        body = page.get_by_test_id("stMain")
        expect(body).to_contain_text(name, timeout=WAIT_MS)  # the name as typed, in the preview
        button.click()
        expect(page.get_by_text("cập nhật 2 xã/phường")).to_be_visible(timeout=WAIT_MS * 2)
        live.shot(page, "hostile_names")
        text = body.inner_text()
        assert text.count("**dam**") >= 2 and ":x:" in text and "$x^{2}$" in text
        assert "<b>html<b>" in text
        styled = body.locator("strong, em, b").all_inner_texts()  # the page's own bold words only
        assert not any(w in x for x in styled for w in ("dam", "nghieng", "html")), styled
        for rendered in ("img", ".katex", "[data-testid=stIconEmoji]"):
            assert body.locator(rendered).count() == 0, rendered
        assert not any("203.0.113.9" in url for url in guard.attempted), guard.attempted
    finally:
        context.close()


def test_a_closed_tab_leaves_no_upload_behind(
    browser, guard: Guard, server: Server, sessions_dir: Path
) -> None:
    from playwright.sync_api import expect

    context, page = _data_page(browser, guard, server)
    before = {p.name for p in sessions_dir.iterdir()}
    _upload_fibre(page, "de_lai.csv", "text/csv", GOOD.encode())
    expect(page.get_by_role("button", name=ADD)).to_be_visible(timeout=WAIT_MS * 2)
    mine = [p for p in sessions_dir.iterdir() if p.name not in before]
    assert len(mine) == 1 and list(mine[0].rglob("de_lai.csv"))
    context.close()
    deadline = time.monotonic() + 20
    while mine[0].exists() and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not mine[0].exists()


def test_no_hostile_journey_reached_another_host(guard: Guard) -> None:
    assert guard.attempted == []
