"""The Streamlit page runs on a small data folder; switching indicator and province works."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.settings import ENV_DATA_DIR
from tests.app.fixture_data import APP, N_COMMUNES, write_data_dir


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(sys, "argv", [str(APP)])
    monkeypatch.setenv(ENV_DATA_DIR, str(write_data_dir(tmp_path / "data")))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table_rows(at: AppTest) -> int:
    return len(at.dataframe[0].value)


def test_runs_and_shows_the_notice_and_the_national_list(app: AppTest) -> None:
    assert app.title[0].value == "Bản đồ xã, phường, đặc khu Việt Nam (2025)"
    assert "gần đúng" in app.warning[0].value
    assert _table_rows(app) == N_COMMUNES


def test_switching_indicator(app: AppTest) -> None:
    assert app.radio(key="indicator").options == ["Diện tích chính thức", "Loại đơn vị", "Số xã cũ hợp thành"]
    for key in ("type", "merged", "area"):
        app.radio(key="indicator").set_value(key).run()
        assert not app.exception
        assert app.session_state["indicator"] == key


def test_switching_province_lists_its_communes(app: AppTest) -> None:
    app.selectbox(key="province").set_value("08").run()
    assert not app.exception
    assert _table_rows(app) == 2
    assert list(app.dataframe[0].value["Mã"]) == ["02266", "02269"]
    app.selectbox(key="province").set_value("").run()
    assert _table_rows(app) == N_COMMUNES


def test_province_choices_are_the_country_then_provinces_by_name(app: AppTest) -> None:
    assert app.selectbox(key="province").options == [
        "Toàn quốc (2 tỉnh/thành phố)",
        "Thành phố Hà Nội",
        "Tỉnh Tuyên Quang",
    ]


def test_session_state_holds_codes_not_objects(app: AppTest) -> None:
    app.selectbox(key="province").set_value("01").run()
    assert app.session_state["province"] == "01"
    assert app.session_state["indicator"] == "area"


def test_missing_data_folder_shows_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [str(APP), "--data-dir", str(tmp_path / "nowhere")])
    monkeypatch.delenv(ENV_DATA_DIR, raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "boundaries file not found" in at.error[0].value
    assert "--data-dir" in at.error[0].value
