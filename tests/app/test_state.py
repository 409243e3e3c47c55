"""Choices that follow the person: across a language switch, from page to page; search and its selection.

The fixture's 2025 units: Hà Nội (01) with Phường Ba Đình (00004) and a hostile name
(00008); Tuyên Quang (08) with Xã Lâm Bình (02266) and Xã Thượng Lâm (02269).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from application.app_data import CACHE_ENV
from application.settings import ENV_DATA_DIR
from geo import schema as s
from tests.app.fixture_data import APP, write_data_dir

PAGES = Path("pages_app")
TARGET = "fibre_households"  # a target with a threshold in the fixture's config


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data_dir(tmp_path_factory.mktemp("data"))


@pytest.fixture
def app(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(sys, "argv", [str(APP)])
    monkeypatch.setenv(ENV_DATA_DIR, str(data_dir))
    monkeypatch.setenv(CACHE_ENV, str(data_dir.parent / "cache"))
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _switch(at: AppTest, lang: str) -> None:
    at.segmented_control(key="lang").set_value(lang).run()
    _ok(at)


def _go(at: AppTest, page: str) -> None:
    at.switch_page(str(PAGES / page)).run()
    _ok(at)


def _html(at: AppTest) -> str:
    return "".join(e.proto.body for e in at.get("html"))


def test_a_language_switch_keeps_every_choice_of_the_map_page(app: AppTest) -> None:
    app.radio(key="level.vi").set_value("province").run()
    app.selectbox(key="indicator.vi").set_value(s.N_UNCOVERED).run()
    app.radio(key="class_mode.vi").set_value("natural").run()
    app.selectbox(key="province.vi").set_value("08").run()
    _switch(app, "en")
    level, column = app.radio(key="level.en"), app.selectbox(key="indicator.en")
    mode, province = app.radio(key="class_mode.en"), app.selectbox(key="province.en")
    assert (level.value, column.value, mode.value, province.value) == (
        "province",
        s.N_UNCOVERED,
        "natural",
        "08",
    )
    assert app.radio(key="scheme.en").value == s.VINTAGE_2025
    # Labels and options in English: the widgets are drawn anew, not left in Vietnamese.
    assert (level.label, column.label, province.label) == ("Level", "Indicator", "Province")
    assert level.options == ["Commune", "Former district", "Province"]
    assert "Communes missing a target" in column.options
    assert province.options[0] == "Whole country (2 provinces)"
    assert not [w for w in app.radio if w.key.endswith(".vi")]
    _switch(app, "vi")
    assert app.radio(key="level.vi").value == "province"
    assert app.selectbox(key="province.vi").value == "08"
    assert app.radio(key="level.vi").options[2] == "Tỉnh/thành phố"


def test_a_language_switch_keeps_the_scheme_and_its_province(app: AppTest) -> None:
    app.radio(key="scheme.vi").set_value(s.VINTAGE_LEGACY).run()
    app.selectbox(key="province_legacy.vi").set_value("08").run()
    _switch(app, "en")
    assert app.radio(key="scheme.en").value == s.VINTAGE_LEGACY
    assert app.radio(key="scheme.en").options == [
        "From 1 July 2025 (2 tiers)",
        "Before July 2025 (3 tiers)",
    ]
    assert app.selectbox(key="province_legacy.en").value == "08"


def test_a_language_switch_keeps_the_targets_and_the_village_reasons(app: AppTest) -> None:
    _go(app, "uncovered.py")
    app.checkbox(key="on_villages_team.vi").uncheck().run()
    app.number_input(key=f"pct_{TARGET}.vi").set_value(50.0).run()
    app.checkbox(key="village_no_team.vi").uncheck().run()
    app.selectbox(key="unc_province.vi").set_value("08").run()
    before = app.subheader[0].value
    _switch(app, "en")
    assert app.checkbox(key="on_villages_team.en").value is False
    assert (
        app.checkbox(key="on_villages_team.en").label != app.checkbox(key=f"on_{TARGET}.en").label
    )
    assert app.number_input(key=f"pct_{TARGET}.en").value == 50.0
    assert app.checkbox(key="village_no_team.en").value is False
    assert app.selectbox(key="unc_province.en").value == "08"
    # The same communes are counted, in English.
    assert before.split(" ")[0] == app.subheader[0].value.split(" ")[0]


def test_the_province_chosen_on_one_page_holds_on_the_others(app: AppTest) -> None:
    app.selectbox(key="province.vi").set_value("08").run()
    _go(app, "uncovered.py")
    assert app.selectbox(key="unc_province.vi").value == "08"
    app.selectbox(key="unc_province.vi").set_value("01").run()
    _go(app, "meeting.py")
    assert app.selectbox(key="meeting_province.vi").value == "01"
    _go(app, "map.py")
    assert app.selectbox(key="province.vi").value == "01"


def test_the_targets_hold_after_a_visit_to_the_map(app: AppTest) -> None:
    _go(app, "uncovered.py")
    app.checkbox(key=f"on_{TARGET}.vi").uncheck().run()
    count = app.subheader[0].value
    _go(app, "map.py")
    app.selectbox(key="indicator.vi").set_value(s.PCT_HOUSEHOLDS_FIBRE).run()
    _go(app, "uncovered.py")
    assert app.checkbox(key=f"on_{TARGET}.vi").value is False
    assert app.subheader[0].value == count


def test_the_meeting_page_shows_the_indicator_chosen_on_the_map(app: AppTest) -> None:
    app.selectbox(key="indicator.vi").set_value(s.PCT_HOUSEHOLDS_FIBRE).run()
    _go(app, "meeting.py")
    assert "Tỷ lệ hộ có thể sử dụng cáp quang (%)" in _html(app)


@pytest.mark.parametrize(
    "query", ["lâm binh", "lam bình", "LAM BINH", "xa lam binh", "Xã Lâm Bình", "thi tran lam binh"]
)
def test_search_finds_a_commune_however_it_is_typed(app: AppTest, query: str) -> None:
    app.text_input(key="search.vi").set_value(query).run()
    assert app.session_state["selected"] == "02266"
    assert "Xã Lâm Bình" in _html(app)


def test_search_of_a_province_goes_to_the_province(app: AppTest) -> None:
    app.text_input(key="search.vi").set_value("tinh tuyen quang").run()
    assert app.selectbox(key="province.vi").value == "08"
    assert app.selectbox(key="search_pick.vi").options[0] == "Tỉnh Tuyên Quang"
    assert "vn-profile" not in _html(app)


def test_search_for_a_commune_of_another_province_goes_there(app: AppTest) -> None:
    app.selectbox(key="province.vi").set_value("01").run()
    app.radio(key="level.vi").set_value("province").run()
    app.text_input(key="search.vi").set_value("thuong lam").run()
    assert app.selectbox(key="province.vi").value == "08"
    assert app.radio(key="level.vi").value == "commune"
    assert "Xã Thượng Lâm" in _html(app)


def test_search_without_a_match_names_the_nearest(app: AppTest) -> None:
    app.text_input(key="search.vi").set_value("lam binhh").run()
    caption = " ".join(c.value for c in app.caption).replace("\\", "")  # Markdown escapes off
    assert "Không tìm thấy “lam binhh”. Tên gần nhất: Xã Lâm Bình — Tỉnh Tuyên Quang" in caption
    assert "selected" not in app.session_state


def test_another_search_result_can_be_chosen(app: AppTest) -> None:
    app.text_input(key="search.vi").set_value("lam").run()
    picks = app.selectbox(key="search_pick.vi")
    assert picks.options == ["Xã Lâm Bình — Tỉnh Tuyên Quang", "Xã Thượng Lâm — Tỉnh Tuyên Quang"]
    picks.set_value("commune/02269").run()
    assert app.session_state["selected"] == "02269"


def test_clearing_the_search_closes_its_profile(app: AppTest) -> None:
    app.text_input(key="search.vi").set_value("lam binh").run()
    assert "vn-profile" in _html(app)
    app.text_input(key="search.vi").set_value("").run()
    assert "vn-profile" not in _html(app) and "selected" not in app.session_state


def test_the_profile_closes_with_its_button(app: AppTest) -> None:
    app.text_input(key="search.vi").set_value("lam binh").run()
    app.button(key="profile_close").click().run()
    assert "vn-profile" not in _html(app)
    assert app.text_input(key="search.vi").value == "lam binh"  # the search stays


@pytest.mark.parametrize(("widget", "value"), [("province.vi", "01"), ("level.vi", "province")])
def test_a_profile_that_no_longer_applies_is_closed(app: AppTest, widget: str, value: str) -> None:
    app.text_input(key="search.vi").set_value("lam binh").run()
    assert "vn-profile" in _html(app)
    if widget.startswith("level"):
        app.radio(key=widget).set_value(value).run()
    else:
        app.selectbox(key=widget).set_value(value).run()
    assert "vn-profile" not in _html(app) and "selected" not in app.session_state


def test_the_search_holds_across_pages_and_languages(app: AppTest) -> None:
    app.text_input(key="search.vi").set_value("lam binh").run()
    _go(app, "uncovered.py")
    _go(app, "map.py")
    _switch(app, "en")
    assert app.text_input(key="search.en").value == "lam binh"
    assert app.text_input(key="search.en").label.startswith("Find a commune or a province")
    assert "vn-profile" in _html(app)
