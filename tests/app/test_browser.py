"""What a person sees, with no internet: a real ``streamlit run`` driven by Debian's Chromium.

Every request to a host other than this machine is aborted and recorded;
the pages must work all the same, and must not have tried to reach anywhere
else. The tests run in order on one browser page, as a planner would: map,
switches, a click on a commune, the uncovered list and its download, the
data page with a bad upload, English, meeting mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from application.i18n import STRINGS
from tests.app import live
from tests.app.fixture_data import N_COMMUNES, write_data_dir
from tests.app.live import WAIT_MS, Server
from tests.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@dataclass
class Visit:
    page: object
    attempted: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CHROMIUM.is_file():
        pytest.skip(f"Debian's Chromium not found at {CHROMIUM}")
    data_dir = write_data_dir(tmp_path_factory.mktemp("data"))
    with live.start_server(data_dir, tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture(scope="module")
def visit(server: Server) -> Iterator[Visit]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            guard = live.Guard()
            page = live.new_page(live.open_context(browser, guard), guard, server.url)
            yield Visit(page=page, attempted=guard.attempted)
        finally:
            browser.close()


def _commune_paths(visit: Visit):
    return live.commune_paths(visit.page)


def _frame(visit: Visit):
    return live.frame(visit.page)


def _sidebar(visit: Visit):
    return live.sidebar(visit.page)


def _shot(visit: Visit, name: str) -> None:
    live.shot(visit.page, name)


def _choose(visit: Visit, label: str, option: str) -> None:
    live.choose(visit.page, label, option)


def test_map_draws_every_commune_with_the_legend(visit: Visit) -> None:
    from playwright.sync_api import expect

    expect(_commune_paths(visit)).to_have_count(N_COMMUNES, timeout=WAIT_MS)
    legend = _frame(visit).locator(".vn-legend")
    expect(legend).to_contain_text("Tỷ lệ dân số được phủ sóng 4G", timeout=WAIT_MS)
    expect(legend).to_contain_text("Đạt chỉ tiêu (≥ 99 %)")
    expect(legend).to_contain_text("Số liệu đến ngày")


def test_demo_and_approximate_notices_are_visible(visit: Visit) -> None:
    from playwright.sync_api import expect

    expect(visit.page.get_by_text("DỮ LIỆU MẪU (DEMO)")).to_be_visible(timeout=WAIT_MS)
    expect(visit.page.get_by_text("Ranh giới trên bản đồ là gần đúng")).to_be_visible(
        timeout=WAIT_MS
    )
    _shot(visit, "map_vi")


def test_tooltip_shows_names_as_text_not_html(visit: Visit) -> None:
    from playwright.sync_api import expect

    paths = _commune_paths(visit)
    expect(paths).to_have_count(N_COMMUNES, timeout=WAIT_MS)
    paths.nth(1).hover(force=True)
    tooltip = _frame(visit).locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text('Xã <b>Thử</b> & "nháy"', timeout=WAIT_MS)
    expect(tooltip.locator("b")).to_have_count(0)


def _click(visit: Visit, nth: int) -> None:
    """Press and release the mouse inside a commune (the map reports the click once its script is ready)."""
    box = _commune_paths(visit).nth(nth).bounding_box()
    assert box is not None
    visit.page.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 3)
    visit.page.mouse.down()
    visit.page.mouse.up()


def test_clicking_a_commune_opens_its_profile(visit: Visit) -> None:
    from playwright.sync_api import expect

    profile = visit.page.locator(".vn-profile")
    for _ in range(10):  # the component listens for clicks only once its script has run
        _click(visit, 2)
        try:
            expect(profile).to_contain_text("Xã Lâm Bình", timeout=2_000)
            break
        except AssertionError:
            continue
    expect(profile).to_contain_text("Xã Lâm Bình", timeout=WAIT_MS)
    expect(profile).to_contain_text("Thị trấn Lăng Can")
    expect(profile).to_contain_text("DEMO_fibre.csv")
    _shot(visit, "profile_vi")


def test_switching_indicator_level_and_scheme(visit: Visit) -> None:
    from playwright.sync_api import expect

    _choose(visit, "Chỉ số", "Tỷ lệ hộ có thể sử dụng cáp quang (%)")
    expect(_frame(visit).locator(".vn-legend")).to_contain_text(
        "Tỷ lệ hộ có thể sử dụng cáp quang", timeout=WAIT_MS
    )
    _sidebar(visit).get_by_text("Tỉnh/thành phố", exact=True).first.click()
    expect(_commune_paths(visit)).to_have_count(2, timeout=WAIT_MS)
    _sidebar(visit).get_by_text("Trước 7/2025 (3 cấp)").click()
    expect(visit.page.get_by_text("chỉ số được chuyển từ xã mới sang xã cũ")).to_be_visible(
        timeout=WAIT_MS
    )
    _sidebar(visit).get_by_text("Xã/phường", exact=True).click()
    expect(_commune_paths(visit)).to_have_count(N_COMMUNES, timeout=WAIT_MS)
    _sidebar(visit).get_by_text("Từ 1/7/2025 (2 cấp)").click()
    expect(_frame(visit).locator(".vn-legend")).to_contain_text(
        "Tỷ lệ hộ có thể sử dụng cáp quang", timeout=WAIT_MS
    )


def test_choosing_a_province_draws_only_its_communes(visit: Visit) -> None:
    from playwright.sync_api import expect

    _choose(visit, "Tỉnh/thành phố", "Tỉnh Tuyên Quang")
    expect(_commune_paths(visit)).to_have_count(2, timeout=WAIT_MS)
    _choose(visit, "Tỉnh/thành phố", "Toàn quốc (2 tỉnh/thành phố)")
    expect(_commune_paths(visit)).to_have_count(N_COMMUNES, timeout=WAIT_MS)


def test_uncovered_page_lists_and_downloads(visit: Visit) -> None:
    from playwright.sync_api import expect

    visit.page.get_by_role("link", name="Xã chưa đạt chỉ tiêu").click()
    expect(visit.page.get_by_text("3 xã chưa đạt / 4 xã")).to_be_visible(timeout=WAIT_MS)
    expect(_commune_paths(visit)).to_have_count(N_COMMUNES, timeout=WAIT_MS)
    _shot(visit, "uncovered_vi")
    # The buttons sit below the map and are drawn a moment after the count above it:
    # wait for the button (live.download), never count() it (which does not wait).
    import csv

    lines = live.download(visit.page, "Tải CSV").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Hạng;Mã xã;")  # headers in the page's language, then the names
    rows = list(csv.DictReader(lines[1:], delimiter=";"))
    assert [r["commune_code"] for r in rows] == ["02269", "02266", "00008"]
    assert [r["rank"] for r in rows] == ["1", "2", "3"]


def test_data_page_lists_inputs_and_rejects_a_bad_upload_readably(visit: Visit) -> None:
    from playwright.sync_api import expect

    visit.page.get_by_role("link", name="Dữ liệu").click()
    expect(visit.page.get_by_text("Dữ liệu đang dùng")).to_be_visible(timeout=WAIT_MS)
    uploader = visit.page.locator("input[type=file]").first
    uploader.set_input_files(
        files=[{"name": "bad.geojson", "mimeType": "application/json", "buffer": b"{not json"}]
    )
    expect(visit.page.get_by_text("Không nạp được bad.geojson")).to_be_visible(timeout=WAIT_MS)
    expect(visit.page.get_by_text("Traceback")).to_have_count(0)
    _shot(visit, "data_vi")


def test_english_switch(visit: Visit) -> None:
    from playwright.sync_api import expect

    _sidebar(visit).get_by_text("English", exact=True).click()
    expect(visit.page.get_by_text("Data in use")).to_be_visible(timeout=WAIT_MS)
    _shot(visit, "data_en")
    visit.page.get_by_role("link", name="Map").click()
    expect(_frame(visit).locator(".vn-legend")).to_contain_text("Target met", timeout=WAIT_MS)
    _shot(visit, "map_en")


def test_meeting_mode_shows_only_the_map_title_legend_and_date(visit: Visit) -> None:
    from playwright.sync_api import expect

    _sidebar(visit).get_by_role("link", name="Meeting mode (full screen)").click()
    expect(visit.page.locator("h1.vn-meeting")).to_be_visible(timeout=WAIT_MS)
    expect(visit.page.get_by_text("Data as of 2026")).to_be_visible()
    expect(_sidebar(visit)).to_be_hidden()
    expect(_frame(visit).locator(".vn-legend")).to_be_visible(timeout=WAIT_MS)
    _shot(visit, "meeting_en")


def test_meeting_mode_credits_the_project_and_names_places(visit: Visit) -> None:
    from playwright.sync_api import expect

    credit = _frame(visit).locator(".leaflet-control-attribution")
    expect(credit).to_contain_text("drawn with Leaflet", timeout=WAIT_MS)
    expect(credit.locator("svg")).to_have_count(0)
    expect(_frame(visit).locator(".vn-name").first).to_be_attached(timeout=WAIT_MS)
    expect(visit.page.get_by_role("combobox", name="Indicator")).to_be_visible()


def test_meeting_mode_next_province_language_and_exit(visit: Visit) -> None:
    from playwright.sync_api import expect

    page = visit.page
    province = page.get_by_role("combobox", name="Province")
    first = province.input_value()
    page.get_by_role("button", name="▶", exact=True).click()
    expect(province).not_to_have_value(first, timeout=WAIT_MS)
    chosen = province.input_value()
    expect(page.locator("h1.vn-meeting")).to_contain_text(chosen, timeout=WAIT_MS)
    expect(province).to_be_visible()
    expect(_frame(visit).locator(".vn-name span").first).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(500)  # the map's zoom to the province
    _shot(visit, "meeting_next_en")
    # The indicator is the one the map page showed last; after the switch, the same one.
    shown = page.get_by_role("combobox", name="Indicator").input_value()
    (same,) = [v["vi"] for k, v in STRINGS.items() if k.startswith("ind_") and v["en"] == shown]
    page.locator(".st-key-meeting_lang").get_by_text("Tiếng Việt", exact=True).click()
    expect(page.get_by_text("Số liệu đến ngày 2026")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("combobox", name="Chỉ số")).to_have_value(same)
    expect(page.get_by_role("combobox", name="Tỉnh/thành phố")).to_have_value(chosen)
    expect(page.locator("h1.vn-meeting")).to_contain_text(chosen)
    expect(_frame(visit).locator(".vn-name span").first).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(500)  # the map's zoom to the province
    _shot(visit, "meeting_vi")
    page.get_by_role("link", name="Thoát chế độ họp").click()
    expect(_sidebar(visit)).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("h1.vn-meeting")).to_have_count(0)


def test_no_request_left_the_machine(visit: Visit) -> None:
    visit.page.wait_for_timeout(300)
    assert visit.attempted == []


def test_server_did_not_look_up_its_public_address(visit: Visit, server: Server) -> None:
    log = server.log.read_text()
    assert "External URL" not in log and "Did not auto detect external IP" not in log
