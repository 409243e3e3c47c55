"""A planner's Cà Mau fibre table on the app's own national data, in a real browser.

The app runs on the embedded default (every commune of Vietnam, DEMO
coverage), as the README's first command starts it. A names-only fibre table
of five Cà Mau communes, as a province sends it, is put on the map from the
Data page: Cà Mau's fibre legend changes, every other province's stays as it
was, and the national count of communes without fibre data does not move.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import geopandas as gpd
import pytest

from tests.app import live
from tests.app.fixture_data import APP
from tests.app.live import WAIT_MS, Guard, Server
from tests.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

DATA_DIR = APP.parent / "data"
BOUNDARIES = DATA_DIR / "boundaries" / "vn_boundaries_approx.gpkg"
FIBRE_INDICATOR = "Tỷ lệ hộ có thể sử dụng cáp quang (%)"
CA_MAU = "Tỉnh Cà Mau"
OTHERS = ("Thành phố Hà Nội", "Thành phố Cần Thơ", "Tỉnh An Giang")
NO_DATA = re.compile(r"Không có số liệu \((\d[\d.]*)\)")


def _ca_mau_table() -> str:
    """Five Cà Mau communes by name with the province's name, none of their households on fibre."""
    communes = gpd.read_file(BOUNDARIES, layer="communes_2025", ignore_geometry=True)
    names = communes.loc[communes["province_name"] == CA_MAU, "commune_name"].head(5)
    assert len(names) == 5
    today = dt.date.today().isoformat()
    rows = [f"Cà Mau,{name},200,0,{today}" for name in names]
    return "\n".join(["Tỉnh,Xã,Số hộ,Số hộ có cáp quang,Ngày báo cáo", *rows]) + "\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CHROMIUM.is_file():
        pytest.skip(f"Debian's Chromium not found at {CHROMIUM}")
    with live.start_server(DATA_DIR, tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture(scope="module")
def page(server: Server) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    guard = Guard()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = live.open_context(chromium, guard)
            yield live.new_page(context, guard, server.url)
            assert guard.attempted == []
        finally:
            chromium.close()


def _legend(page, place: str) -> str:
    """The fibre legend of ``place`` (the country or a province), without its "as of" line."""
    from playwright.sync_api import expect

    live.choose(page, "Chỉ số", FIBRE_INDICATOR)
    live.choose(page, "Tỉnh/thành phố", place)
    expect(page.get_by_role("combobox", name="Tỉnh/thành phố")).to_have_value(place)
    expect(page.get_by_text(f"Danh sách đơn vị — {place}")).to_be_visible(timeout=WAIT_MS * 4)
    legend = live.frame(page).locator(".vn-legend")
    expect(legend).to_contain_text(FIBRE_INDICATOR, timeout=WAIT_MS * 4)
    return "\n".join(line for line in legend.inner_text().splitlines() if "ngày" not in line)


def _no_data(legend: str) -> int:
    found = NO_DATA.search(legend)
    return int(found.group(1).replace(".", "")) if found else 0


def test_a_ca_mau_fibre_table_changes_ca_mau_only_on_the_national_map(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_text("DỮ LIỆU MẪU (DEMO)").first).to_be_visible(timeout=WAIT_MS * 6)
    country = page.get_by_role("combobox", name="Tỉnh/thành phố").input_value()
    national = _legend(page, country)
    others = {place: _legend(page, place) for place in OTHERS}
    ca_mau = _legend(page, CA_MAU)

    page.get_by_role("link", name="Dữ liệu").click()
    expect(page.get_by_text("Dữ liệu đang dùng")).to_be_visible(timeout=WAIT_MS)
    page.locator("input[type=file]").nth(1).set_input_files(
        files=[
            {
                "name": "cap_quang_ca_mau.csv",
                "mimeType": "text/csv",
                "buffer": _ca_mau_table().encode(),
            }
        ]
    )
    page.get_by_role("button", name="Đưa bảng này lên bản đồ").click(timeout=WAIT_MS * 4)
    expect(
        page.get_by_text("Đã nạp cap_quang_ca_mau.csv: cập nhật 5 xã/phường (Tỉnh Cà Mau)")
    ).to_be_visible(timeout=WAIT_MS * 4)
    live.shot(page, "national_ca_mau_data")

    page.get_by_role("link", name="Bản đồ").click()
    after = _legend(page, country)
    assert _no_data(after) == _no_data(national)
    for place, legend in others.items():
        assert _legend(page, place) == legend, place
    changed = _legend(page, CA_MAU)
    assert changed != ca_mau
    live.shot(page, "national_ca_mau_map")
