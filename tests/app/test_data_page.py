"""The Data page's tables: checked with page controls, added to what is loaded, known by their content."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from application.app_data import CACHE_ENV
from application.session import Session
from application.settings import ENV_DATA_DIR
from application.uploads import content_digest, save_upload
from geo import schema as s
from tests.app.fixture_data import APP, shown, write_data_dir

PAGES = Path("pages_app")
#: Tuyên Quang only, by code, dated after the default table: Lâm Bình 80 %, Thượng Lâm (no row before) 75 %.
TUYEN_QUANG = (
    "Mã xã,Xã,Số hộ,Số hộ có cáp quang,Cáp quang đến xã,Ngày báo cáo\n"
    "02266,Xã Lâm Bình,500,400,Có,2099-01-31\n"
    "02269,Xã Thượng Lâm,400,300,Có,2099-01-31\n"
    "99999,Xã Không Có,10,5,Có,2099-01-31\n"
)
#: Names only: Thượng Lâm of Tuyên Quang is a commune of both registers.
NAMES_ONLY = "Tỉnh,Xã,Số hộ,Số hộ có cáp quang\nTuyên Quang,Xã Thượng Lâm,400,300\n"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data_dir(tmp_path_factory.mktemp("data"))


@pytest.fixture
def app(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return _app(data_dir, monkeypatch, "vi")


def _app(data_dir: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> AppTest:
    monkeypatch.setattr(sys, "argv", [str(APP)])
    monkeypatch.setenv(ENV_DATA_DIR, str(data_dir))
    monkeypatch.setenv(CACHE_ENV, str(data_dir.parent / "cache"))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page(str(PAGES / "data.py")).run()
    if lang != "vi":  # the sidebar's switch, once on this page (the map page's labels would change)
        at.segmented_control(key="lang").set_value(lang).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _stage(at: AppTest, kind: str, name: str, content: bytes) -> str:
    """What the uploader does with a file (AppTest cannot upload one): saved by content, to be checked."""
    state = Session(at.session_state)
    state.set_pending(
        kind, save_upload(state.folder(), kind, name, content), content_digest(content)
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return content_digest(content)[:8]


def _texts(elements: object) -> str:
    return "\n".join(e.value.replace("\\", "") for e in elements)  # type: ignore[attr-defined]


def _fibre_by_commune(at: AppTest, lang: str = "vi") -> pd.Series:
    at.switch_page(str(PAGES / "map.py")).run()
    at.selectbox(key=f"indicator.{lang}").set_value(s.PCT_HOUSEHOLDS_FIBRE).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    return table.set_index(table.columns[0])[table.columns[-1]]


def test_a_province_table_changes_only_its_communes(app: AppTest) -> None:
    before = _fibre_by_commune(app)
    app.switch_page(str(PAGES / "data.py")).run()
    digest = _stage(app, "fibre", "cap_quang_tuyen_quang.csv", TUYEN_QUANG.encode())
    assert "3 dòng" not in _texts(app.info)
    assert "2 xã/phường có số liệu (Tỉnh Tuyên Quang)" in _texts(app.info)
    app.button(key=f"add_fibre_{digest}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert "cập nhật 2 xã/phường (Tỉnh Tuyên Quang)" in _texts(app.success)
    report = app.dataframe[-1].value
    assert list(report["Dòng trong tệp"]) == [4] and list(report["Kết quả"]) == ["Không ghép được"]
    sources = shown(app.table[0])
    assert {"DEMO_fibre.csv", "cap_quang_tuyen_quang.csv"} <= set(sources["Tệp"])
    after = _fibre_by_commune(app)
    assert after["02266"] == 80.0 and after["02269"] == 75.0 and np.isnan(before["02269"])
    assert after["00004"] == before["00004"] == 90.0 and after["00008"] == before["00008"]


def test_a_corrected_file_of_the_same_name_and_size_is_read_again(app: AppTest) -> None:
    broken = "Mã xã,Xã,Số hộ,Số hộ có cáp quang\n02266,Xã Lâm Bình,5OO,4O\n".encode()
    fixed = "Mã xã,Xã,Số hộ,Số hộ có cáp quang\n02266,Xã Lâm Bình,500,40\n".encode()
    assert len(broken) == len(fixed)
    _stage(app, "fibre", "bang.csv", broken)
    assert "Không nạp được bang.csv" in _texts(app.error)
    assert "/tmp" not in _texts(app.error) and "--" not in _texts(app.error)
    digest = _stage(app, "fibre", "bang.csv", fixed)
    assert "Không nạp được" not in _texts(app.error), _texts(app.warning)
    assert "1 xã/phường có số liệu" in _texts(app.info), _texts(app.warning)
    assert app.button(key=f"add_fibre_{digest}")


def test_a_fibre_and_a_team_table_of_the_same_name_are_both_kept(app: AppTest) -> None:
    fibre = "Mã xã,Xã,Số hộ,Số hộ có cáp quang,Ngày báo cáo\n02266,Xã Lâm Bình,400,300,2099-01-31\n".encode()
    teams = "Mã xã,Xã,Số thôn,Số thôn có tổ CNS,Ngày báo cáo\n02266,Xã Lâm Bình,8,6,2099-01-31\n".encode()
    for kind, content in (("fibre", fibre), ("teams", teams)):
        digest = _stage(app, kind, "bang.csv", content)
        app.button(key=f"add_{kind}_{digest}").click().run()
        assert not app.exception, [e.value for e in app.exception]
    sources = shown(app.table[0])
    rows = sources[sources["Tệp"] == "bang.csv"]
    assert sorted(rows["Loại"]) == ["Cáp quang", "Tổ công nghệ số"]
    assert set(rows["Nguồn nạp"]) == {"tải lên (phiên này)"}
    assert _texts(app.success).count("Đã nạp bang.csv: cập nhật 1 xã/phường") == 2


def test_a_names_only_table_of_both_registers_asks_which(app: AppTest) -> None:
    digest = _stage(app, "fibre", "ten_xa.csv", NAMES_ONLY.encode())
    assert "1 dòng khớp cả danh mục 2025 lẫn danh mục cũ" in _texts(app.warning)
    assert "«Danh mục xã của bảng»" in _texts(app.warning)
    assert all(b.key != f"add_fibre_{digest}" for b in app.button)
    app.selectbox(key=f"vintage_fibre_{digest}.vi").set_value("2025").run()
    assert not app.exception, [e.value for e in app.exception]
    assert "1 xã/phường có số liệu (Tỉnh Tuyên Quang)" in _texts(app.info)
    app.button(key=f"add_fibre_{digest}").click().run()
    assert "cập nhật 1 xã/phường (Tỉnh Tuyên Quang)" in _texts(app.success)


def _workbook() -> bytes:
    row = {"Mã xã": ["02266"], "Xã": ["Xã Lâm Bình"], "Số hộ": [500]}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({**row, "Số hộ có cáp quang": [5]}).to_excel(
            writer, sheet_name="Cũ", index=False
        )
        pd.DataFrame({**row, "Số hộ có cáp quang": [495]}).to_excel(
            writer, sheet_name="Báo cáo", index=False
        )
        writer.book["Cũ"].sheet_state = "hidden"
    return buffer.getvalue()


def test_the_sheet_is_a_choice_and_a_hidden_one_is_said_so(app: AppTest) -> None:
    digest = _stage(app, "fibre", "hai_trang.xlsx", _workbook())
    sheet = app.selectbox(key=f"sheet_fibre_{digest}.vi")
    assert sheet.options == [
        "Trang tính đầu tiên có bảng (không đọc trang ẩn)",
        "Báo cáo",
        "Cũ (ẩn)",
    ]
    assert "đang bị ẩn" not in _texts(app.warning)
    assert "Trang tính khác không đọc: Cũ (ẩn)." in _texts(app.caption)
    sheet.set_value("Cũ").run()
    assert "Trang tính «Cũ» đang bị ẩn" in _texts(app.warning)
    app.button(key=f"add_fibre_{digest}").click().run()
    assert _fibre_by_commune(app)["02266"] == 1.0  # 5 of 500: the hidden sheet, as chosen


def test_the_page_choices_hold_across_a_language_switch(app: AppTest) -> None:
    digest = _stage(app, "fibre", "hai_trang.xlsx", _workbook())
    app.selectbox(key=f"sheet_fibre_{digest}.vi").set_value("Cũ").run()
    app.selectbox(key=f"vintage_fibre_{digest}.vi").set_value(s.VINTAGE_2025).run()
    app.button_group(key="lang").set_value("en").run()
    assert not app.exception, [e.value for e in app.exception]
    sheet = app.selectbox(key=f"sheet_fibre_{digest}.en")
    assert (sheet.label, sheet.value) == ("Sheet", "Cũ")
    assert "Cũ (hidden)" in sheet.options
    vintage = app.selectbox(key=f"vintage_fibre_{digest}.en")
    assert vintage.label == "Register of the table's communes"
    assert vintage.value == s.VINTAGE_2025
    app.button(key=f"add_fibre_{digest}").click().run()
    assert _fibre_by_commune(app, "en")["02266"] == 1.0  # the hidden sheet, still as chosen


def test_an_unknown_column_is_assigned_on_the_page_and_remembered(app: AppTest) -> None:
    content = "Mã xã,Xã,Số hộ,Hộ dùng cáp\n02266,Xã Lâm Bình,500,250\n".encode()
    digest = _stage(app, "fibre", "la.csv", content)
    assert "«Các cột của bảng»" in _texts(app.error) and "--map-column" not in _texts(app.error)
    column = app.selectbox(key=f"map_fibre_{digest}_3.vi")
    assert column.label == "Hộ dùng cáp" and column.value == ""
    column.set_value(s.HOUSEHOLDS_FIBRE).run()
    assert not app.error or "Không nạp được" not in _texts(app.error)
    app.button(key=f"add_fibre_{digest}").click().run()
    assert _fibre_by_commune(app)["02266"] == 50.0
    app.switch_page(str(PAGES / "data.py")).run()
    again = _stage(
        app,
        "fibre",
        "la_2.csv",
        "Mã xã,Xã,Số hộ,Hộ dùng cáp\n02269,Xã Thượng Lâm,400,100\n".encode(),
    )
    assert app.selectbox(key=f"map_fibre_{again}_3.vi").value == s.HOUSEHOLDS_FIBRE
    assert "Không nạp được" not in _texts(app.error)


def test_the_page_speaks_english_with_its_report(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(data_dir, monkeypatch, "en")
    digest = _stage(app, "fibre", "cap_quang_tuyen_quang.csv", TUYEN_QUANG.encode())
    assert "2 communes with values (Tỉnh Tuyên Quang)" in _texts(app.info)
    app.button(key=f"add_fibre_{digest}").click().run()
    assert "2 communes updated (Tỉnh Tuyên Quang)" in _texts(app.success)
    report = app.dataframe[-1].value
    assert list(report.columns) == [
        "File",
        "Row in the file",
        "Commune (in the file)",
        "Outcome",
        "Reason",
    ]
    assert list(report["Reason"]) == ["no commune of this name in the register"]
