"""Journeys of the people the app is for, in a real browser against a real ``streamlit run``.

A planner uploads a province's real commune boundaries and a fibre table and
downloads the communes that miss a target; a leader prints the map in a
meeting; two sessions at once never see each other's uploads or choices; a
file over the size limit is refused readably. Every journey opens its own
browser context (its own Streamlit session); every request to a host other
than this machine is aborted, and none may have been tried.

The app runs with ``VNCOVER_MAX_UPLOAD_MB=1`` below Streamlit's own limit of
3 MB, so the over-limit journey needs only a 2 MB file and the app, not the
browser, refuses it with a message.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator

import pandas as pd
import pytest

from application.settings import ENV_MAX_UPLOAD_MB
from layers.export import DATA_SHEET, header_to_column
from tests.app import live
from tests.app.fixture_data import (
    FIBRE_FILE,
    UPLOAD_CODES,
    UPLOAD_FILE,
    UPLOAD_HOUSEHOLDS_NO_FIBRE,
    UPLOAD_UNCOVERED,
    fibre_workbook,
    projected_boundaries_zip,
    province_boundaries_geojson,
    qgis_geopackage,
    write_data_dir,
)
from tests.app.live import WAIT_MS, Guard, Server
from tests.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

LIMIT_MB = 1
FIBRE_INDICATOR = "Tỷ lệ hộ có thể sử dụng cáp quang (%)"
NO_DATA = "Không có số liệu"
#: Tuyên Quang only (by code and name): Lâm Bình 80 %, Thượng Lâm (no row before) 75 %, one row unplaced.
#: Dated today, the file date of the default table: on the same date the table loaded last wins.
TODAY = dt.date.today().isoformat()
TUYEN_QUANG = (
    "Mã xã,Xã,Số hộ,Số hộ có cáp quang,Cáp quang đến xã,Ngày báo cáo\n"
    f"02266,Xã Lâm Bình,500,400,Có,{TODAY}\n"
    f"02269,Xã Thượng Lâm,400,300,Có,{TODAY}\n"
    f"99999,Xã Không Có,10,5,Có,{TODAY}\n"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The latest date the fixture's inputs state (the 4G raster's tag): the date in the file names.
AS_OF = "2026-06-30"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CHROMIUM.is_file():
        pytest.skip(f"Debian's Chromium not found at {CHROMIUM}")
    data_dir = write_data_dir(tmp_path_factory.mktemp("data"))
    options = ("--server.maxUploadSize", str(LIMIT_MB + 2))
    environ = {ENV_MAX_UPLOAD_MB: str(LIMIT_MB)}
    with live.start_server(
        data_dir, tmp_path_factory.mktemp("server"), options=options, environ=environ
    ) as running:
        yield running


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


@pytest.fixture
def session(browser, guard: Guard, server: Server) -> Iterator[object]:
    """One person's browser tab on the app (a new Streamlit session)."""
    context = live.open_context(browser, guard)
    try:
        yield live.new_page(context, guard, server.url)
    finally:
        context.close()


def _upload(page, nth: int, name: str, mime: str, content: bytes) -> None:
    page.locator("input[type=file]").nth(nth).set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}]
    )


def _add_table(page, nth: int, name: str, mime: str, content: bytes) -> None:
    """Upload a table, wait for what it would bring, and put it on the map."""
    from playwright.sync_api import expect

    _upload(page, nth, name, mime, content)
    button = page.get_by_role("button", name="Đưa bảng này lên bản đồ")
    expect(button).to_be_visible(timeout=WAIT_MS * 2)
    button.click()


def _legend_text(page) -> str:
    from playwright.sync_api import expect

    legend = live.frame(page).locator(".vn-legend")
    expect(legend).to_be_visible(timeout=WAIT_MS)
    return legend.inner_text()


def _fibre_legend(page, place: str) -> str:
    """The fibre map's legend (with the count of communes per class) of the country or a province."""
    from playwright.sync_api import expect

    live.choose(page, "Chỉ số", FIBRE_INDICATOR)
    live.choose(page, "Tỉnh/thành phố", place)
    expect(live.frame(page).locator(".vn-legend")).to_contain_text(FIBRE_INDICATOR, timeout=WAIT_MS)
    expect(page.get_by_role("combobox", name="Tỉnh/thành phố")).to_have_value(place)
    expect(page.get_by_text(f"Danh sách đơn vị — {place}")).to_be_visible(timeout=WAIT_MS)
    # Without the "data as of" line: the latest date of the inputs changes with any table.
    return "\n".join(line for line in _legend_text(page).splitlines() if "ngày" not in line)


def _open_data_page(page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("link", name="Dữ liệu").click()
    expect(page.get_by_text("Dữ liệu đang dùng")).to_be_visible(timeout=WAIT_MS)


def _sources(page):
    return page.get_by_test_id("stTable").first


def test_planner_uploads_boundaries_and_fibre_and_downloads_the_uncovered_communes(session) -> None:
    from playwright.sync_api import expect

    page = session
    _open_data_page(page)
    _upload(page, 0, UPLOAD_FILE, "application/geo+json", province_boundaries_geojson())
    expect(page.get_by_text(f"Đã nạp {UPLOAD_FILE}: 3 xã/phường")).to_be_visible(
        timeout=WAIT_MS * 2
    )
    report = page.get_by_test_id("stTable").nth(1)
    expect(report).to_contain_text("Phường Giảng Võ")
    expect(report).to_contain_text("Đã ghép")
    expect(report).to_contain_text("code found; name agrees")
    expect(page.get_by_text("3 xã/phường của Thành phố Hà Nội lấy từ tệp tải lên")).to_be_visible()
    _add_table(page, 1, FIBRE_FILE, XLSX, fibre_workbook())
    expect(page.get_by_text(f"Đã nạp {FIBRE_FILE}: cập nhật 2 xã/phường")).to_be_visible(
        timeout=WAIT_MS * 2
    )
    expect(_sources(page)).to_contain_text(UPLOAD_FILE)
    expect(_sources(page)).to_contain_text(FIBRE_FILE)
    live.shot(page, "journey_planner_data")

    page.get_by_role("link", name="Xã chưa đạt chỉ tiêu").click()
    live.choose(page, "Tỉnh/thành phố", "Thành phố Hà Nội")
    expect(page.get_by_text("1 xã chưa đạt / 3 xã")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("3 xã/phường của Thành phố Hà Nội lấy từ tệp tải lên")).to_be_visible()
    expect(live.commune_paths(page).first).to_be_visible(timeout=WAIT_MS)
    live.shot(page, "journey_planner_uncovered")

    # The CSV for people: Vietnamese headers in row 1, the column names in row 2, ";" and ",".
    lines = live.download(page, "Tải CSV").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(";")[:3] == ["Hạng", "Mã xã", "Tên xã/phường/đặc khu"]
    rows = list(csv.DictReader(lines[1:], delimiter=";"))
    assert [r["commune_code"] for r in rows] == UPLOAD_UNCOVERED
    assert int(rows[0]["households_no_fibre"]) == UPLOAD_HOUSEHOLDS_NO_FIBRE
    assert rows[0]["source_fibre"] == FIBRE_FILE
    # Computed on the uploaded 2 km ward, not on the approximate 1° square (1,600 people):
    # the GeoJSON keeps every digit.
    document = json.loads(live.download(page, "Tải GeoJSON").read_text(encoding="utf-8"))
    assert 0 < document["features"][0]["properties"]["pop_total"] < 5
    sheet = pd.read_excel(
        live.download(page, "Tải Excel"), sheet_name=DATA_SHEET, dtype=str, engine="calamine"
    )
    sheet = sheet.rename(columns=header_to_column(list(rows[0])))  # the CSV's column names
    assert list(sheet["commune_code"]) == UPLOAD_UNCOVERED
    assert float(sheet["households_no_fibre"].iloc[0]) == UPLOAD_HOUSEHOLDS_NO_FIBRE
    assert set(UPLOAD_CODES) > set(sheet["commune_code"])


def test_a_province_fibre_table_changes_that_province_only(session) -> None:
    from playwright.sync_api import expect

    page = session
    country = "Toàn quốc (2 tỉnh/thành phố)"
    national = _fibre_legend(page, country)
    assert f"{NO_DATA} (1)" in national  # Thượng Lâm: no row in the default table
    ha_noi = _fibre_legend(page, "Thành phố Hà Nội")
    tuyen_quang = _fibre_legend(page, "Tỉnh Tuyên Quang")
    _open_data_page(page)
    _add_table(page, 1, "cap_quang_tuyen_quang.csv", "text/csv", TUYEN_QUANG.encode())
    expect(
        page.get_by_text(
            "Đã nạp cap_quang_tuyen_quang.csv: cập nhật 2 xã/phường (Tỉnh Tuyên Quang)"
        )
    ).to_be_visible(timeout=WAIT_MS * 2)
    page.get_by_text("Các dòng của cap_quang_tuyen_quang.csv không được tính").click()
    expect(page.get_by_text("Xã Không Có").first).to_be_attached(
        timeout=WAIT_MS
    )  # grid cells: canvas
    expect(_sources(page)).to_contain_text("DEMO_fibre.csv")
    expect(_sources(page)).to_contain_text("cap_quang_tuyen_quang.csv")
    live.shot(page, "journey_province_table_data")
    page.get_by_role("link", name="Bản đồ").click()
    assert NO_DATA not in _fibre_legend(page, country)  # Thượng Lâm now has a value
    assert _fibre_legend(page, "Thành phố Hà Nội") == ha_noi  # unchanged outside Tuyên Quang
    assert _fibre_legend(page, "Tỉnh Tuyên Quang") != tuyen_quang
    live.shot(page, "journey_province_table_map")


def test_a_corrected_table_is_read_again_and_the_register_is_a_choice(session) -> None:
    from playwright.sync_api import expect

    page = session
    live.sidebar(page).get_by_text("English").click()
    page.get_by_role("link", name="Data").click()
    expect(page.get_by_text("Data in use")).to_be_visible(timeout=WAIT_MS)
    broken = "Tỉnh,Xã,Số hộ,Số hộ có cáp quang\nTuyên Quang,Xã Thượng Lâm,4OO,3OO\n"
    fixed = "Tỉnh,Xã,Số hộ,Số hộ có cáp quang\nTuyên Quang,Xã Thượng Lâm,400,300\n"
    _upload(page, 1, "bang_xa.csv", "text/csv", broken.encode())
    expect(page.get_by_text("Could not load bang_xa.csv")).to_be_visible(timeout=WAIT_MS * 2)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    live.shot(page, "journey_table_refused_en")
    _upload(page, 1, "bang_xa.csv", "text/csv", fixed.encode())  # same name, same size
    expect(page.get_by_text("Could not load bang_xa.csv")).to_have_count(0, timeout=WAIT_MS * 2)
    expect(page.get_by_text("1 rows match both the 2025 and the former register")).to_be_visible(
        timeout=WAIT_MS
    )
    live.shot(page, "journey_register_choice_en")
    live.choose(page, "Register of the table's communes", "2025 register (after the reform)")
    expect(
        page.get_by_text("bang_xa.csv: 1 communes with values (Tỉnh Tuyên Quang)")
    ).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name="Put this table on the map").click()
    expect(
        page.get_by_text("Loaded bang_xa.csv: 1 communes updated (Tỉnh Tuyên Quang)")
    ).to_be_visible(timeout=WAIT_MS * 2)
    live.shot(page, "journey_table_loaded_en")


def test_the_crs_and_the_layer_are_chosen_on_the_page(session) -> None:
    from playwright.sync_api import expect

    page = session
    _open_data_page(page)
    _upload(page, 0, "ranh_gioi_utm.zip", "application/zip", projected_boundaries_zip())
    refused = page.get_by_text("Không nạp được ranh_gioi_utm.zip")
    expect(refused).to_be_visible(timeout=WAIT_MS * 2)
    expect(refused).to_contain_text("«Hệ toạ độ»")
    expect(refused).not_to_contain_text("--crs")
    expect(refused).not_to_contain_text(".prj")
    live.shot(page, "journey_crs_asked")
    crs = page.get_by_role("combobox", name="Hệ toạ độ")
    crs.click()
    page.keyboard.type("32648")  # the list is long: filter it as a person would
    page.get_by_role("option", name="WGS 84 / UTM 48N (EPSG:32648)", exact=True).click()
    expect(page.get_by_text("Đã nạp ranh_gioi_utm.zip: 2 xã/phường")).to_be_visible(
        timeout=WAIT_MS * 2
    )
    expect(page.get_by_text("Không nạp được ranh_gioi_utm.zip")).to_have_count(0)
    _upload(page, 0, "qgis.gpkg", "application/geopackage+sqlite3", qgis_geopackage())
    refused = page.get_by_text("Không nạp được qgis.gpkg")
    expect(refused).to_be_visible(timeout=WAIT_MS * 2)
    expect(refused).to_contain_text("['ranh_gioi_xa', 'ban_nhap']")
    expect(refused).to_contain_text("«Lớp dữ liệu»")
    page.get_by_role("combobox", name="Lớp dữ liệu").click()
    expect(page.get_by_role("option")).to_have_text(["Tự nhận biết", "ranh_gioi_xa", "ban_nhap"])
    page.get_by_role("option", name="ranh_gioi_xa", exact=True).click()
    expect(page.get_by_text("Đã nạp qgis.gpkg: 3 xã/phường")).to_be_visible(timeout=WAIT_MS * 2)
    live.shot(page, "journey_layer_chosen")


def test_leader_prints_the_map_of_a_province_in_meeting_mode(session) -> None:
    from PIL import Image
    from playwright.sync_api import expect

    page = session
    live.sidebar(page).get_by_role("link", name="Chế độ họp (toàn màn hình)").click()
    title = page.locator("h1.vn-meeting")
    # The map page's sidebar has a picker of the same name: choose only once meeting mode is drawn.
    expect(title).to_be_visible(timeout=WAIT_MS)
    expect(live.sidebar(page)).to_be_hidden()
    live.choose(page, "Tỉnh/thành phố", "Tỉnh Tuyên Quang")
    expect(title).to_contain_text(
        "Tỷ lệ dân số được phủ sóng 4G (%) — Tỉnh Tuyên Quang", timeout=WAIT_MS
    )
    expect(page.get_by_text("Số liệu đến ngày 2026-06-30")).to_be_visible()
    expect(live.sidebar(page)).to_be_hidden()
    expect(live.frame(page).locator(".vn-legend")).to_contain_text(
        "Đạt chỉ tiêu (≥ 99 %)", timeout=WAIT_MS
    )
    expect(live.commune_paths(page)).to_have_count(2, timeout=WAIT_MS)
    live.shot(page, "journey_leader_meeting")

    pdf = live.download(page, "Tải PDF (A4 in)").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    png = Image.open(io.BytesIO(live.download(page, "Tải PNG (16:9 trình chiếu)").read_bytes()))
    assert png.format == "PNG" and png.size == (3999, 2250)  # 13.333 × 7.5 in at 300 dpi: 16:9
    if live.SHOTS is not None:
        png.save(live.SHOTS / "journey_leader_sheet.png")


def test_two_sessions_see_only_their_own_uploads_and_choices(
    browser, guard: Guard, server: Server
) -> None:
    from playwright.sync_api import expect

    contexts = [live.open_context(browser, guard) for _ in range(2)]
    try:
        first, second = (live.new_page(c, guard, server.url) for c in contexts)
        _open_data_page(first)
        _add_table(first, 1, FIBRE_FILE, XLSX, fibre_workbook())
        expect(first.get_by_text(f"Đã nạp {FIBRE_FILE}")).to_be_visible(timeout=WAIT_MS * 2)
        first.get_by_role("link", name="Bản đồ").click()
        live.choose(first, "Tỉnh/thành phố", "Thành phố Hà Nội")
        live.choose(second, "Tỉnh/thành phố", "Tỉnh Tuyên Quang")
        for page, place in ((first, "Thành phố Hà Nội"), (second, "Tỉnh Tuyên Quang")):
            expect(page.get_by_role("combobox", name="Tỉnh/thành phố")).to_have_value(
                place, timeout=WAIT_MS
            )
            expect(page.get_by_text(f"Danh sách đơn vị — {place}")).to_be_visible(timeout=WAIT_MS)
        # Each session's uncovered list starts from its own province and its own fibre table.
        for page, count in ((first, "1 xã chưa đạt / 2 xã"), (second, "2 xã chưa đạt / 2 xã")):
            page.get_by_role("link", name="Xã chưa đạt chỉ tiêu").click()
            expect(page.get_by_text(count)).to_be_visible(timeout=WAIT_MS)
        for page in (first, second):
            _open_data_page(page)
        expect(_sources(first)).to_contain_text(FIBRE_FILE)
        expect(_sources(first)).to_contain_text("DEMO_fibre.csv")  # added to, not replaced
        expect(_sources(second)).to_contain_text("DEMO_fibre.csv")
        expect(_sources(second)).not_to_contain_text(FIBRE_FILE)
        live.shot(first, "journey_session1_data")
        live.shot(second, "journey_session2_data")
    finally:
        for context in contexts:
            context.close()


def test_an_upload_over_the_limit_is_refused_readably(session) -> None:
    from playwright.sync_api import expect

    page = session
    _open_data_page(page)
    expect(page.get_by_text(f"tối đa {LIMIT_MB} MB mỗi tệp")).to_be_visible()
    _upload(
        page,
        1,
        "cap_quang_lon.csv",
        "text/csv",
        b"Tinh,Xa,So ho\n" + b"Ha Noi,Ba Dinh,1\n" * 130_000,
    )
    expect(
        page.get_by_text(f"Tệp cap_quang_lon.csv quá lớn (2.2 MB); giới hạn là {LIMIT_MB} MB.")
    ).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    expect(_sources(page)).to_contain_text("DEMO_fibre.csv")
    expect(_sources(page)).not_to_contain_text("cap_quang_lon.csv")
    live.shot(page, "journey_too_big")


def _holds(page, *, lang: str) -> None:
    """The map page shows Tuyên Quang's fibre map in natural breaks, in ``lang``'s labels."""
    from playwright.sync_api import expect

    indicator, province, mode = {
        "vi": ("Chỉ số", "Tỉnh/thành phố", "Ngắt tự nhiên (Jenks)"),
        "en": ("Indicator", "Province", "Natural breaks (Jenks)"),
    }[lang]
    fibre = FIBRE_INDICATOR if lang == "vi" else "Share of households able to get fibre (%)"
    expect(page.get_by_role("combobox", name=indicator)).to_have_value(fibre, timeout=WAIT_MS)
    expect(page.get_by_role("combobox", name=province)).to_have_value("Tỉnh Tuyên Quang")
    expect(live.sidebar(page).get_by_role("radio", name=mode)).to_be_checked()
    expect(live.commune_paths(page)).to_have_count(2, timeout=WAIT_MS)


def test_choices_hold_across_a_language_switch_and_the_pages(session) -> None:
    """A planner picks a province, an indicator, classes and targets, reads them in English, moves on."""
    from playwright.sync_api import expect

    page = session
    live.choose(page, "Chỉ số", FIBRE_INDICATOR)
    live.choose(page, "Tỉnh/thành phố", "Tỉnh Tuyên Quang")
    live.sidebar(page).get_by_text("Ngắt tự nhiên (Jenks)").click()
    _holds(page, lang="vi")
    live.sidebar(page).get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Digital infrastructure map")).to_be_visible(
        timeout=WAIT_MS
    )
    _holds(page, lang="en")
    live.shot(page, "state_map_en")
    page.get_by_role("link", name="Uncovered communes").click()
    expect(page.get_by_role("combobox", name="Province")).to_have_value(
        "Tỉnh Tuyên Quang", timeout=WAIT_MS
    )
    teams = live.sidebar(page).get_by_role("checkbox", name="Villages with a team")
    live.sidebar(page).get_by_text("Villages with a team").click()  # the label takes the click
    expect(teams).not_to_be_checked(timeout=WAIT_MS)
    live.shot(page, "state_uncovered_en")
    page.get_by_role("link", name="Map").click()
    _holds(page, lang="en")
    live.sidebar(page).get_by_text("Tiếng Việt", exact=True).click()
    _holds(page, lang="vi")
    live.shot(page, "state_map_vi")
    page.get_by_role("link", name="Xã chưa đạt chỉ tiêu").click()
    expect(page.get_by_role("combobox", name="Tỉnh/thành phố")).to_have_value(
        "Tỉnh Tuyên Quang", timeout=WAIT_MS
    )
    teams = live.sidebar(page).get_by_role("checkbox", name="Thôn có tổ công nghệ số cộng đồng")
    expect(teams).not_to_be_checked()
    live.shot(page, "state_uncovered_vi")


def test_a_searched_commune_shows_its_profile_until_closed(session) -> None:
    """Typed half accented with a type word, found; a province goes to the province; closed."""
    from playwright.sync_api import expect

    page = session
    search = page.get_by_role("textbox", name="Tìm xã/phường hoặc tỉnh/thành phố")
    search.fill("xa lâm binh")
    search.press("Enter")
    profile = page.locator(".vn-profile")
    expect(profile).to_contain_text("Xã Lâm Bình", timeout=WAIT_MS)
    live.shot(page, "search_profile_vi")
    page.get_by_role("button", name="Đóng hồ sơ").click()
    expect(profile).to_have_count(0, timeout=WAIT_MS)
    search.fill("tinh tuyen quang")
    search.press("Enter")
    expect(page.get_by_role("combobox", name="Tỉnh/thành phố")).to_have_value(
        "Tỉnh Tuyên Quang", timeout=WAIT_MS
    )
    expect(live.commune_paths(page)).to_have_count(2, timeout=WAIT_MS)
    search.fill("lam binhh")
    search.press("Enter")
    expect(page.get_by_text("Tên gần nhất: Xã Lâm Bình — Tỉnh Tuyên Quang")).to_be_visible(
        timeout=WAIT_MS
    )
    live.shot(page, "search_nearest_vi")


RED = "#d7191c"


def _uncovered_agree(page, *, n: int, total: int, stem: str, lang: str = "vi") -> None:
    """Heading, table rows, red communes on the map, legend, Excel and CSV rows all say ``n``."""
    from playwright.sync_api import expect

    vi = lang == "vi"
    heading = f"{n} xã chưa đạt / {total} xã" if vi else f"{n} of {total} communes miss a target"
    expect(page.get_by_text(heading, exact=True)).to_be_visible(timeout=WAIT_MS)
    paths = live.commune_paths(page)
    expect(paths).to_have_count(total, timeout=WAIT_MS)
    expect(live.frame(page).locator(f'path.leaflet-interactive[fill="{RED}"]')).to_have_count(
        n, timeout=WAIT_MS
    )
    missed = "Chưa đạt" if vi else "Misses a target"
    legend = _legend_text(page)
    found = re.search(rf"{missed} \((\d+)\)", legend)
    assert (int(found.group(1)) if found else 0) == n, legend
    if n == 0:
        expect(page.get_by_test_id("stDataFrame")).to_have_count(1)  # the villages' table only
        return
    table = page.get_by_test_id("stDataFrame").first.locator("[aria-rowcount]").first
    expect(table).to_have_attribute("aria-rowcount", str(n + 1), timeout=WAIT_MS)  # + header
    name, path = live.download_named(page, "Tải Excel" if vi else "Download Excel")
    assert name == f"{stem}.xlsx"
    sheet = pd.read_excel(path, sheet_name=0, dtype=str, engine="calamine")
    assert len(sheet) == n and sheet.columns[1] == ("Mã xã" if vi else "Commune code")
    name, path = live.download_named(page, "Tải CSV" if vi else "Download CSV")
    assert name == f"{stem}.csv"
    lines = [line for line in path.read_text(encoding="utf-8-sig").splitlines() if line]
    assert len(lines) == n + 2 and lines[1].startswith("rank" + (";" if vi else ","))


def _shot_top(page, heading: str, name: str) -> None:
    """A screenshot of the heading, the map and its legend (the page scrolled back to the top)."""
    page.get_by_role("heading").first.scroll_into_view_if_needed()
    page.get_by_text(heading, exact=True).scroll_into_view_if_needed()
    live.shot(page, name)


def _target(page, label: str) -> None:
    """Tick or untick the target called ``label`` in the sidebar."""
    live.sidebar(page).get_by_text(label, exact=True).click()


def test_the_uncovered_page_counts_the_same_communes_everywhere(session) -> None:
    from playwright.sync_api import expect

    page = session
    page.get_by_role("link", name="Xã chưa đạt chỉ tiêu").click()
    country = f"xa_chua_dat_toan-quoc_{AS_OF}"
    _uncovered_agree(page, n=3, total=4, stem=country)
    _shot_top(page, "3 xã chưa đạt / 4 xã", "uncovered_all_targets_vi")
    _target(page, "Hộ có thể sử dụng cáp quang")
    _uncovered_agree(page, n=2, total=4, stem=country)
    _target(page, "Hộ có thể sử dụng cáp quang")
    _uncovered_agree(page, n=3, total=4, stem=country)
    threshold = live.sidebar(page).get_by_label("Ngưỡng (%)").first
    threshold.fill("50")
    threshold.press("Enter")
    _uncovered_agree(page, n=2, total=4, stem=country)  # 00008's fibre 50 % meets 50 %
    live.choose(page, "Tỉnh/thành phố", "Thành phố Hà Nội")
    _uncovered_agree(page, n=0, total=2, stem="")
    live.choose(page, "Tỉnh/thành phố", "Tỉnh Tuyên Quang")
    _uncovered_agree(page, n=2, total=2, stem=f"xa_chua_dat_tuyen-quang_{AS_OF}")
    _target(page, "Cáp quang đến xã")
    _target(page, "Phủ sóng 4G theo dân số")
    # Thượng Lâm has no fibre or team row: nothing left to check, so it is not listed.
    _uncovered_agree(page, n=1, total=2, stem=f"xa_chua_dat_tuyen-quang_{AS_OF}")
    _shot_top(page, "1 xã chưa đạt / 2 xã", "uncovered_two_targets_tuyen_quang_vi")
    live.sidebar(page).get_by_text("English", exact=True).click()
    expect(page.get_by_text("Communes that miss a target", exact=True)).to_be_visible(
        timeout=WAIT_MS
    )
    # The choices hold across the switch; the files get English headers, the same name.
    _uncovered_agree(page, n=1, total=2, stem=f"xa_chua_dat_tuyen-quang_{AS_OF}", lang="en")
    _shot_top(page, "1 of 2 communes miss a target", "uncovered_two_targets_tuyen_quang_en")


def test_no_journey_tried_to_leave_the_machine(guard: Guard, server: Server) -> None:
    assert guard.attempted == []
    assert "External URL" not in server.log.read_text()
