"""The Streamlit pages run on a small data folder: map, uncovered communes, data, meeting mode."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from application.app_data import CACHE_ENV
from application.increment import TableUpload
from application.session import Session
from application.settings import ENV_DATA_DIR
from application.uploads import content_digest, save_upload
from geo.importing.merge_boundaries import import_into
from geo.schema import BOUNDARIES_FILE
from tests.app.fixture_data import (
    APP,
    FIBRE_FILE,
    N_COMMUNES,
    N_VILLAGES,
    UNCOVERED,
    UNCOVERED_VILLAGES,
    UPLOAD_FILE,
    UPLOAD_HOUSEHOLDS_NO_FIBRE,
    UPLOAD_UNCOVERED,
    VILLAGES_NO_4G,
    fibre_workbook,
    province_boundaries_geojson,
    shown,
    write_data_dir,
)

PAGES = Path("pages_app")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data_dir(tmp_path_factory.mktemp("data"))


@pytest.fixture
def app(
    data_dir: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> AppTest:
    monkeypatch.setattr(sys, "argv", [str(APP)])
    monkeypatch.setenv(ENV_DATA_DIR, str(data_dir))
    monkeypatch.setenv(CACHE_ENV, str(data_dir.parent / "cache"))
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _add_table(at: AppTest, kind: str, path: Path, **choices: object) -> TableUpload:
    """What the Data page's button does with a checked table (AppTest cannot upload a file)."""
    content = path.read_bytes()
    saved = save_upload(Session(at.session_state).folder(), kind, path.name, content)
    upload = TableUpload(kind, saved, content_digest(content), **choices)  # type: ignore[arg-type]
    Session(at.session_state).add_table(upload)
    return upload


def _stage(at: AppTest, kind: str, name: str, content: bytes) -> str:
    """What the Data page's uploader does with a file (AppTest cannot upload one): saved, to be checked."""
    state = Session(at.session_state)
    state.set_pending(
        kind, save_upload(state.folder(), kind, name, content), content_digest(content)
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return content_digest(content)[:8]


def _html(at: AppTest) -> str:
    return "".join(e.proto.body for e in at.get("html"))


def _rows(at: AppTest, index: int = 0) -> int:
    return len(at.dataframe[index].value)


def test_map_page_shows_title_demo_banner_and_notice(app: AppTest) -> None:
    assert app.title[0].value == "Bản đồ hạ tầng số"
    assert "DEMO" in app.error[0].value
    assert "gần đúng" in app.warning[0].value


def test_indicators_offered_are_those_of_the_layer(app: AppTest) -> None:
    options = app.selectbox(key="indicator.vi").options
    assert options[0] == "Tỷ lệ dân số được phủ sóng 4G (%)"
    assert "Chưa đạt chỉ tiêu" in options
    app.radio(key="level.vi").set_value("province").run()
    assert "Số xã chưa đạt chỉ tiêu" in app.selectbox(key="indicator.vi").options


@pytest.mark.parametrize(
    ("scheme", "level"),
    [
        ("2025", "commune"),
        ("2025", "district"),
        ("2025", "province"),
        ("legacy", "commune"),
        ("legacy", "district"),
        ("legacy", "province"),
    ],
)
def test_every_scheme_and_level_draws(app: AppTest, scheme: str, level: str) -> None:
    app.radio(key="scheme.vi").set_value(scheme).run()
    app.radio(key="level.vi").set_value(level).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["scheme"] == scheme and app.session_state["level"] == level


def test_legacy_scheme_says_indicators_are_converted(app: AppTest) -> None:
    app.radio(key="scheme.vi").set_value("legacy").run()
    assert any("chuyển từ xã mới" in i.value for i in app.info)


def test_switching_indicator_and_class_mode(app: AppTest) -> None:
    for column in app.selectbox(key="indicator.vi").options[:0] or [
        "pct_households_fibre",
        "uncovered",
        "teams",
    ]:
        app.selectbox(key="indicator.vi").set_value(column).run()
        assert not app.exception
        assert app.session_state["indicator"] == column
    for mode in ("quantiles", "natural"):
        app.radio(key="class_mode.vi").set_value(mode).run()
        assert not app.exception and app.session_state["class_mode"] == mode


def test_the_map_page_offers_its_print_sheets(app: AppTest) -> None:
    app.selectbox(key="province.vi").set_value("08").run()
    labels = [b.label for b in app.get("download_button")]
    assert "Tải PDF (A4 in)" in labels and "Tải PNG (16:9 trình chiếu)" in labels


def test_province_lists_its_units(app: AppTest) -> None:
    assert _rows(app) == N_COMMUNES
    app.selectbox(key="province.vi").set_value("08").run()
    assert _rows(app) == 2
    assert app.session_state["province"] == "08"


def test_search_without_diacritics_selects_the_commune_and_shows_its_profile(app: AppTest) -> None:
    app.text_input(key="search.vi").set_value("lam binh").run()
    assert app.session_state["selected"] == "02266"
    page = _html(app)
    # Its legacy communes come from the real crosswalk.
    assert (
        "Xã Lâm Bình" in page
        and "Thị trấn Lăng Can (02266)" in page
        and "Xã Phúc Yên (02233)" in page
    )


def test_profile_escapes_a_hostile_name(app: AppTest) -> None:
    app.text_input(key="search.vi").set_value("nháy").run()
    assert app.session_state["selected"] == "00008"
    page = _html(app)
    assert "&lt;b&gt;Thử&lt;/b&gt;" in page and "<b>Thử</b>" not in page


def test_a_selection_belongs_to_its_scheme(app: AppTest) -> None:
    app.text_input(key="search.vi").set_value("lam binh").run()
    assert "Xã Lâm Bình" in _html(app)
    app.radio(key="scheme.vi").set_value("legacy").run()
    assert "vn-profile" not in _html(app)  # 02266 is another commune in the legacy scheme
    app.text_input(key="search.vi").set_value("phuc yen").run()
    assert app.session_state["selected"] == "02233"
    assert "Xã Lâm Bình (02266)" in _html(app)  # its 2025 commune


def test_uploads_belong_to_one_session(app: AppTest, data_dir: Path, tmp_path: Path) -> None:
    table = tmp_path / "fibre_upload.csv"
    table.write_text(
        "Tỉnh,Xã,Số hộ,Số hộ có cáp quang\nHà Nội,Phường Ba Đình,100,10\n", encoding="utf-8"
    )
    _add_table(app, "fibre", table)
    app.switch_page(str(PAGES / "data.py")).run()
    assert not app.exception, [e.value for e in app.exception]
    assert "fibre_upload.csv" in list(shown(app.table[0])["Tệp"])
    assert "DEMO_fibre.csv" in list(shown(app.table[0])["Tệp"])  # added to, not replaced
    other = AppTest.from_file(str(APP), default_timeout=90)
    other.switch_page(str(PAGES / "data.py")).run()
    assert "fibre_upload.csv" not in list(shown(other.table[0])["Tệp"])
    assert "DEMO_fibre.csv" in list(shown(other.table[0])["Tệp"])


def test_english_switch_changes_the_whole_page(app: AppTest) -> None:
    app.session_state["lang"] = "en"
    app.run()
    assert app.title[0].value == "Digital infrastructure map"
    assert (
        app.selectbox(key="indicator.en").options[0] == "Share of the population covered by 4G (%)"
    )


def test_uncovered_page_ranks_by_uncovered_population(app: AppTest) -> None:
    app.switch_page(str(PAGES / "uncovered.py")).run()
    assert not app.exception, [e.value for e in app.exception]
    table = app.dataframe[0].value
    assert list(table["Mã xã"]) == UNCOVERED
    assert "cáp quang 50,0% hộ < 80%" in list(table["Lý do"])
    people = table["Dân số chưa có 4G"].dropna()
    shares = table["Tỷ lệ hộ có thể sử dụng cáp quang (%)"].dropna()
    assert (people == people.round(0)).all() and (shares == shares.round(1)).all()


def test_uncovered_page_follows_the_chosen_targets_and_province(app: AppTest) -> None:
    app.switch_page(str(PAGES / "uncovered.py")).run()
    app.checkbox(key="on_fibre_households.vi").uncheck().run()
    assert list(app.dataframe[0].value["Mã xã"]) == ["02269", "02266"]
    app.selectbox(key="unc_province.vi").set_value("01").run()
    assert any("Không có xã nào" in s.value for s in app.success)


def _map_script(at: AppTest) -> str:
    """The script of the map that st_folium draws (the only custom component of the page)."""
    (component,) = [e for e in at.main if type(e).__name__ == "UnknownElement"]
    return json.loads(component.proto.json_args)["script"]


def _drawn_values(script: str) -> list[str]:
    """The value (class label) of every unit the map draws, from its first GeoJSON layer."""
    start = script.index('{"features"')
    document, _ = json.JSONDecoder().raw_decode(script, start)
    return [f["properties"]["v"] for f in document["features"]]


def _legend_counts(script: str) -> dict[str, int]:
    """Class label → count, as the map's legend shows them."""
    literal = re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', script)
    assert literal is not None
    legend = json.loads(literal.group(1))
    return {k: int(n) for k, n in re.findall(r"</span>([^<]+?) <span[^>]*>\((\d+)\)", legend)}


#: Widget changes on the uncovered page (key → value) and the communes that then miss a target.
UNCOVERED_CHANGES = [
    ({}, UNCOVERED),
    ({"on_fibre_households.vi": False}, ["02269", "02266"]),
    ({"pct_fibre_households.vi": 50.0}, ["02269", "02266"]),
    (
        {"on_fibre_households.vi": False, "on_fibre_to_commune.vi": False, "on_pop_4g.vi": False},
        ["02266"],
    ),
    ({"unc_province.vi": "01"}, ["00008"]),
    ({"unc_province.vi": "01", "on_fibre_households.vi": False}, []),
]


@pytest.mark.parametrize(("changes", "codes"), UNCOVERED_CHANGES)
def test_uncovered_heading_table_map_and_legend_count_the_same_communes(
    app: AppTest, changes: dict[str, object], codes: list[str]
) -> None:
    app.switch_page(str(PAGES / "uncovered.py")).run()
    for key, value in changes.items():
        if key.startswith("on_"):
            app.checkbox(key=key).set_value(value).run()
        elif key.startswith("pct_"):
            app.number_input(key=key).set_value(value).run()
        else:
            app.selectbox(key=key).set_value(value).run()
    assert not app.exception, [e.value for e in app.exception]
    total = 2 if "unc_province.vi" in changes else N_COMMUNES
    assert f"{len(codes)} xã chưa đạt / {total} xã" in [h.value for h in app.subheader]
    if codes:
        assert list(app.dataframe[0].value["Mã xã"]) == codes
    else:
        assert any("Không có xã nào" in s.value for s in app.success)
    script = _map_script(app)
    drawn = _drawn_values(script)
    assert len(drawn) == total and drawn.count("Chưa đạt") == len(codes)
    assert _legend_counts(script).get("Chưa đạt", 0) == len(codes)


def test_uncovered_page_lists_the_villages_of_the_team_table(app: AppTest) -> None:
    app.switch_page(str(PAGES / "uncovered.py")).run()
    assert not app.exception, [e.value for e in app.exception]
    assert "Thôn/tổ dân phố chưa đạt" in [h.value for h in app.header]
    assert f"{len(UNCOVERED_VILLAGES)} thôn/tổ dân phố chưa đạt / {N_VILLAGES} thôn có số liệu" in [
        h.value for h in app.subheader
    ]
    villages = app.dataframe[1].value
    assert (
        list(villages["Thôn/tổ dân phố"]) == UNCOVERED_VILLAGES
    )  # Ngọc Hà TDP 8 (4G unknown) is not listed
    assert list(villages["Lý do"])[-1] == "chưa có tổ công nghệ số cộng đồng; chưa có sóng 4G"
    labels = [b.label for b in app.get("download_button")]
    assert (
        "Tải CSV" in labels and "Tải danh sách thôn (CSV)" in labels
    )  # communes and villages, told apart


def test_village_list_follows_the_reasons_and_the_province(app: AppTest) -> None:
    app.switch_page(str(PAGES / "uncovered.py")).run()
    app.checkbox(key="village_no_team.vi").uncheck().run()
    assert list(app.dataframe[1].value["Thôn/tổ dân phố"]) == VILLAGES_NO_4G
    app.selectbox(key="unc_province.vi").set_value("08").run()
    assert "3 thôn/tổ dân phố chưa đạt / 12 thôn có số liệu" in [h.value for h in app.subheader]
    app.session_state["lang"] = "en"
    app.run()
    assert "Villages not covered" in [
        h.value for h in app.header
    ] and "3 of 12 villages with data are not covered" in [h.value for h in app.subheader]


def test_a_commune_team_table_takes_its_communes_villages_off_the_list(
    app: AppTest, tmp_path: Path
) -> None:
    table = tmp_path / "teams_upload.csv"
    table.write_text(
        "Tỉnh,Xã,Số thôn,Số thôn có tổ CNS,Ngày báo cáo\nHà Nội,Phường Ba Đình,10,5,2099-01-01\n",
        encoding="utf-8",
    )
    _add_table(app, "teams", table)
    app.switch_page(str(PAGES / "uncovered.py")).run()
    assert not app.exception, [e.value for e in app.exception]
    villages = app.dataframe[1].value
    # Ba Đình's values now come from a commune table: its villages (TDP 10) are no longer listed;
    # Lâm Bình's villages of the default team table still are.
    assert "Tổ dân phố 10" not in list(villages.iloc[:, 0]) + list(villages.iloc[:, 1])
    assert "Thôn 7" in " ".join(map(str, villages.to_numpy().ravel()))


def test_data_page_lists_inputs_with_dates_and_demo_flags(app: AppTest) -> None:
    app.switch_page(str(PAGES / "data.py")).run()
    assert not app.exception, [e.value for e in app.exception]
    table = shown(app.table[0])
    assert "DEMO_rsrp_4g.tif" in list(table["Tệp"])
    assert list(table.loc[table["Tệp"] == "DEMO_rsrp_4g.tif", "Ngày số liệu"]) == ["2026-06-30"]
    assert set(table["Dữ liệu mẫu"]) == {"Có", "Không"}


def test_meeting_mode_has_the_title_an_indicator_and_a_province_picker(app: AppTest) -> None:
    app.switch_page(str(PAGES / "meeting.py")).run()
    assert not app.exception, [e.value for e in app.exception]
    assert "Số liệu đến ngày 2026" in _html(app)
    assert [s.key for s in app.selectbox] == ["meeting_indicator.vi", "meeting_province.vi"]
    app.selectbox(key="meeting_province.vi").set_value("08").run()
    assert not app.exception
    app.selectbox(key="meeting_indicator.vi").set_value("pct_households_fibre").run()
    assert "Tỷ lệ hộ có thể sử dụng cáp quang (%) — " in _html(app)


def test_meeting_mode_walks_the_provinces_round_the_end(app: AppTest) -> None:
    app.switch_page(str(PAGES / "meeting.py")).run()
    picker = app.selectbox(key="meeting_province.vi")
    order = list(picker.options)
    assert picker.value == ""
    app.button(key="meeting_next").click().run()
    assert app.selectbox(key="meeting_province.vi").index == 1
    app.button(key="meeting_previous").click().run()
    app.button(key="meeting_previous").click().run()
    assert app.selectbox(key="meeting_province.vi").index == len(order) - 1
    assert not app.exception


def test_meeting_mode_switches_language_itself(app: AppTest) -> None:
    app.switch_page(str(PAGES / "meeting.py")).run()
    app.selectbox(key="meeting_province.vi").set_value("08").run()
    app.selectbox(key="meeting_indicator.vi").set_value("pct_households_fibre").run()
    app.button_group(key="meeting_lang").set_value("en").run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["lang"] == "en"
    assert "Data as of 2026" in _html(app)
    indicator = app.selectbox(key="meeting_indicator.en")
    assert indicator.label == "Indicator" and indicator.value == "pct_households_fibre"
    assert app.selectbox(key="meeting_province.en").value == "08"


def test_missing_data_folder_shows_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [str(APP), "--data-dir", str(tmp_path / "nowhere")])
    monkeypatch.delenv(ENV_DATA_DIR, raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "boundaries file not found" in at.error[0].value
    assert "--data-dir" in at.error[0].value


def _upload_boundaries(at: AppTest, data_dir: Path, folder: Path) -> None:
    """What the Data page does with an uploaded boundary file (AppTest cannot upload a file)."""
    from application.session import session_values

    source = folder / UPLOAD_FILE
    source.write_bytes(province_boundaries_geojson())
    imported = import_into(source, data_dir / "boundaries" / BOUNDARIES_FILE, folder)
    at.session_state["session_dir"] = str(folder)
    for key, value in session_values(imported, name=UPLOAD_FILE, token=f"{UPLOAD_FILE}:1").items():
        at.session_state[key] = value


def test_uploaded_boundaries_are_the_sessions_and_the_notice_says_where(
    app: AppTest, data_dir: Path, tmp_path: Path
) -> None:
    _upload_boundaries(app, data_dir, tmp_path)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    notice = app.warning[0].value.replace("\\", "")  # the file name escaped
    assert "3 xã/phường của Thành phố Hà Nội lấy từ tệp tải lên ranh_gioi_ha_noi.geojson" in notice
    assert "2 xã/phường còn lại là ranh giới gần đúng" in notice
    assert _rows(app) == N_COMMUNES + 1  # Giảng Võ came with the upload
    other = AppTest.from_file(str(APP), default_timeout=90).run()
    assert (
        "Ranh giới trên bản đồ là gần đúng" in other.warning[0].value and _rows(other) == N_COMMUNES
    )


def test_legacy_units_say_the_upload_is_in_the_other_scheme(
    app: AppTest, data_dir: Path, tmp_path: Path
) -> None:
    _upload_boundaries(app, data_dir, tmp_path)
    app.run()
    app.radio(key="scheme.vi").set_value("legacy").run()
    assert "Ranh giới trên bản đồ là gần đúng" in app.warning[0].value
    assert "ranh_gioi_ha_noi.geojson) là đơn vị “Từ 1/7/2025 (2 cấp)”" in app.warning[
        0
    ].value.replace("\\", "")


def test_uncovered_communes_are_computed_on_the_uploads(
    app: AppTest, data_dir: Path, tmp_path: Path
) -> None:
    _upload_boundaries(app, data_dir, tmp_path)
    fibre = tmp_path / FIBRE_FILE
    fibre.write_bytes(fibre_workbook())
    _add_table(app, "fibre", fibre)
    app.switch_page(str(PAGES / "uncovered.py")).run()
    app.selectbox(key="unc_province.vi").set_value("01").run()
    assert not app.exception, [e.value for e in app.exception]
    table = app.dataframe[0].value
    assert list(table["Mã xã"]) == UPLOAD_UNCOVERED
    assert list(table["Hộ chưa có cáp quang"]) == [UPLOAD_HOUSEHOLDS_NO_FIBRE]
    assert app.subheader[0].value == "1 xã chưa đạt / 3 xã"


def test_data_page_shows_the_import_report_as_a_readable_table(
    app: AppTest, data_dir: Path, tmp_path: Path
) -> None:
    _upload_boundaries(app, data_dir, tmp_path)
    app.switch_page(str(PAGES / "data.py")).run()
    assert not app.exception, [e.value for e in app.exception]
    # Escaped Markdown: the file name is shown as it is.
    assert "Đã nạp ranh_gioi_ha_noi.geojson: 3 xã/phường" in app.success[0].value.replace("\\", "")
    report = shown(app.table[1])
    assert list(report["Tên trong tệp"]) == ["Phường Ba Đình", "Phường Ngọc Hà", "Phường Giảng Võ"]
    assert set(report["Kết quả"]) == {"Đã ghép"} and list(report["Mã xã (danh mục)"]) == [
        "00004",
        "00008",
        "00025",
    ]
    sources = shown(app.table[0])
    row = sources[sources["Loại"] == "Ranh giới hành chính"].iloc[0]
    assert row["Tệp"] == UPLOAD_FILE and row["Nguồn nạp"] == "tải lên (phiên này)"


def test_discarding_uploads_restores_the_embedded_boundaries(
    app: AppTest, data_dir: Path, tmp_path: Path
) -> None:
    _upload_boundaries(app, data_dir, tmp_path)
    app.switch_page(str(PAGES / "data.py")).run()
    app.button(key="reset_uploads").click().run()
    assert "boundaries" not in app.session_state
    assert "Ranh giới trên bản đồ là gần đúng" in app.warning[0].value


def test_upload_limit_is_streamlits(app: AppTest) -> None:
    app.switch_page(str(PAGES / "data.py")).run()
    assert any("tối đa 50 MB mỗi tệp" in i.value for i in app.info)


def test_meeting_mode_offers_a_pdf_and_a_png_sheet(app: AppTest) -> None:
    app.switch_page(str(PAGES / "meeting.py")).run()
    assert [b.label for b in app.get("download_button")] == [
        "Tải PDF (A4 in)",
        "Tải PNG (16:9 trình chiếu)",
    ]
