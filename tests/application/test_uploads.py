"""Uploads saved by content, checked before use, and explained with the page's controls, never flags or server paths."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from application.app_data import CACHE_ENV
from application.increment import TableUpload
from application.uploads import (
    check_table,
    content_digest,
    crs_choices,
    crs_options,
    escape_markdown,
    headers_key,
    page_message,
    reason_text,
    save_upload,
    table_report,
)
from geo import schema as s
from geo.errors import CRSError, InputError
from geo.reading.crs_inference import crs_fix
from geo.schema import BOUNDARIES_FILE
from tests.app.fixture_data import write_data_dir

FLAG = re.compile(r"--[a-z]")
NAMES_ONLY = "Tỉnh,Xã,Số hộ,Số hộ có cáp quang\nTuyên Quang,Xã Thượng Lâm,400,300\n"


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="module")
def boundaries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_data_dir(tmp_path_factory.mktemp("uploads"), coverage=False)
    return folder / "boundaries" / BOUNDARIES_FILE


def _upload(folder: Path, name: str, content: bytes, **choices: object) -> TableUpload:
    path = save_upload(folder, s.FIBRE, name, content)
    return TableUpload(s.FIBRE, path, content_digest(content), **choices)  # type: ignore[arg-type]


def test_uploads_are_saved_by_content_and_kind(tmp_path: Path) -> None:
    fibre = save_upload(tmp_path, "fibre", "bang.csv", b"a,b\n1,2\n")
    teams = save_upload(tmp_path, "teams", "bang.csv", b"a,b\n1,2\n")
    corrected = save_upload(tmp_path, "fibre", "bang.csv", b"a,b\n1,3\n")  # same name and size
    assert len({fibre, teams, corrected}) == 3
    assert fibre.name == teams.name == corrected.name == "bang.csv"
    assert fibre.read_bytes() == b"a,b\n1,2\n" and corrected.read_bytes() == b"a,b\n1,3\n"
    assert save_upload(tmp_path, "fibre", "bang.csv", b"a,b\n1,2\n") == fibre
    assert save_upload(tmp_path, "fibre", "../../etc/x.csv", b"z").parent.parent.parent == tmp_path
    assert save_upload(tmp_path, "fibre", "..", b"z").name == "upload"


@pytest.mark.parametrize(
    "message",
    [
        "{path} has no sheet 'X'; its sheets are ['A']; pass one of them (--sheet)",
        "{path}: hidden sheets ['cũ'] not read (hidden sheets are often old copies); name one to read it (--sheet)",
        "{path} was given as a fibre table but has no fibre column (one of ['households_fibre']); "
        "columns recognised {{}}, not recognised ['Dân số']; if one of them is a fibre column, map it: "
        "--map-column 'HEADER=households_fibre' (python -m geo fields lists the fields)",
        "{path}: 3 rows match both the 2025 and the legacy register; say which with --tables-vintage 2025|legacy",
        "{path} holds several layers with features ['a', 'b']; pass the one to import with --layer NAME",
        "cannot tell the file's coordinate system from its coordinates (12 features); "
        + crs_fix("ESRI Shapefile")
        + " (e.g. --crs EPSG:9209 for VN-2000 TM-3 105°30′)",
        "the file declares WGS 84 but the features lie 400 km from their communes; "
        + crs_fix("GPKG"),
        "fit two coordinate systems; pass --crs EPSG:9209 or --crs EPSG:3405 (a GeoJSON file has no .prj)",
        "{path}: no header row names a commune; add a column 'Xã', or map one: --map-column 'HEADER=commune_name'",
    ],
)
def test_page_messages_name_controls_and_the_file_never_flags_or_paths(
    tmp_path: Path, message: str
) -> None:
    path = tmp_path / "fibre" / "0123abcd" / "bảng của tôi.xlsx"
    for lang in ("vi", "en"):
        shown = page_message(
            InputError(message.format(path=path)),
            name="bảng của tôi.xlsx",
            folder=tmp_path,
            lang=lang,
        )
        assert not FLAG.search(shown), shown
        assert str(tmp_path) not in shown and "python -m geo" not in shown
        assert "add the shapefile's .prj" not in shown
        assert ("bảng của tôi.xlsx" in shown.split(":", 1)[1]) == ("{path}" in message)


def test_a_sheet_message_names_the_sheet_box_in_each_language(tmp_path: Path) -> None:
    error = InputError(f"{tmp_path}/x.xlsx has no sheet 'X'; pass one of them (--sheet)")
    assert "«Trang tính»" in page_message(error, name="x.xlsx", folder=tmp_path, lang="vi")
    assert "«Sheet»" in page_message(error, name="x.xlsx", folder=tmp_path, lang="en")


def test_crs_offered_are_those_the_error_names_first() -> None:
    error = CRSError("two systems: pass --crs EPSG:9209 or --crs EPSG:3405; (e.g. --crs EPSG:9209)")
    assert crs_choices(error) == ["EPSG:9209", "EPSG:3405"]
    options = crs_options(crs_choices(error))
    assert list(options)[:2] == ["EPSG:9209", "EPSG:3405"]
    assert options["EPSG:9209"] == "VN-2000 / TM-3 105°30′ (EPSG:9209)"
    assert "EPSG:4326" in options and len(options) == len(set(options))


def test_a_names_only_table_of_both_registers_is_a_choice(tmp_path: Path, boundaries: Path) -> None:
    upload = _upload(tmp_path, "ten_xa.csv", NAMES_ONLY.encode())
    check = check_table(upload, boundaries, None, folder=tmp_path, lang="vi")
    assert check.part is None and check.error is None
    assert check.ambiguous == {"2025": 1, "legacy": 1}
    assert ("Số hộ có cáp quang", s.HOUSEHOLDS_FIBRE) in check.columns
    chosen = _upload(tmp_path, "ten_xa.csv", NAMES_ONLY.encode(), vintage="2025")
    part = check_table(chosen, boundaries, None, folder=tmp_path, lang="vi").part
    assert part is not None and list(part.values.index) == ["02269"]
    assert part.values.loc["02269", s.HOUSEHOLDS_FIBRE] == 300


def test_a_table_without_a_fibre_column_lists_its_columns_to_reassign(
    tmp_path: Path, boundaries: Path
) -> None:
    content = "Tỉnh,Xã,Dân số,Hộ dùng cáp\nTuyên Quang,Xã Lâm Bình,900,40\n".encode()
    check = check_table(
        _upload(tmp_path, "dan_so.csv", content), boundaries, None, folder=tmp_path, lang="en"
    )
    assert check.part is None and "«Columns of the table»" in str(check.error)
    assert "dan_so.csv" in str(check.error) and str(tmp_path) not in str(check.error)
    assert dict(check.columns)["Hộ dùng cáp"] is None
    assert "not recognised: «Dân số», «Hộ dùng cáp»" in str(check.error)
    assert "Households able to subscribe to fibre broadband" in str(check.error)
    mapped = _upload(
        tmp_path, "dan_so.csv", content, mapping=(("Hộ dùng cáp", s.HOUSEHOLDS_FIBRE),)
    )
    part = check_table(mapped, boundaries, None, folder=tmp_path, lang="en").part
    assert part is not None and part.values.loc["02266", s.HOUSEHOLDS_FIBRE] == 40


def _workbook(sheets: dict[str, pd.DataFrame], hidden: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
        if hidden:
            writer.book[hidden].sheet_state = "hidden"
    return buffer.getvalue()


def test_a_hidden_stale_sheet_is_read_only_when_chosen(tmp_path: Path, boundaries: Path) -> None:
    row = {"Tỉnh": ["Tuyên Quang"], "Xã": ["Xã Lâm Bình"], "Số hộ": [500]}
    stale = pd.DataFrame({**row, "Số hộ có cáp quang": [5]})
    current = pd.DataFrame({**row, "Số hộ có cáp quang": [495]})
    content = _workbook({"Cũ": stale, "Báo cáo": current}, hidden="Cũ")
    check = check_table(
        _upload(tmp_path, "hai_trang.xlsx", content), boundaries, None, folder=tmp_path, lang="vi"
    )
    assert [(x.name, x.visible) for x in check.sheets] == [("Cũ", False), ("Báo cáo", True)]
    assert check.part is not None and check.part.values.loc["02266", s.HOUSEHOLDS_FIBRE] == 495
    chosen = _upload(tmp_path, "hai_trang.xlsx", content, sheet="Cũ")
    part = check_table(chosen, boundaries, None, folder=tmp_path, lang="vi").part
    assert part is not None and part.values.loc["02266", s.HOUSEHOLDS_FIBRE] == 5


def test_the_report_is_in_the_page_language_with_source_rows() -> None:
    report = pd.DataFrame(
        {
            "province_name": ["Tuyên Quang", "Tổng"],
            "commune_name": ["Xã Không Có", None],
            "source_row": [4, 7],
            "outcome": ["unmatched", "removed"],
            "reason": ["no commune of this name in the register", "totals row: removed"],
            "table": ["x.csv", "x.csv"],
        }
    )
    vi = table_report(report, lang="vi")
    assert list(vi.columns) == [
        "Tệp",
        "Dòng trong tệp",
        "Tỉnh (trong tệp)",
        "Xã (trong tệp)",
        "Kết quả",
        "Lý do",
    ]
    assert list(vi["Dòng trong tệp"]) == [4, 7]
    assert list(vi["Kết quả"]) == ["Không ghép được", "Bỏ (dòng tổng/tiêu đề)"]
    assert vi["Lý do"].iloc[0] == "không có xã nào tên này trong danh mục"
    assert table_report(report, lang="en")["Reason"].iloc[1] == "totals row: removed"
    assert reason_text("'Số hộ' = 'abc' is not a number (a count…)", "vi").startswith(
        "«Số hộ» = «abc»"
    )
    assert reason_text("something new", "vi") == "something new"


def test_a_mapping_is_remembered_by_the_set_of_headers() -> None:
    assert headers_key(["Xã", "Số hộ"]) == headers_key(["số hộ", "XÃ"])
    assert headers_key(["Xã", "Số hộ"]) != headers_key(["Xã", "Số hộ có cáp quang"])


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("cap_quang.csv: 3 xã", "cap\\_quang.csv\\: 3 xã"),
        ('Xã <b>Thử</b> & "nháy"', 'Xã \\<b\\>Thử\\</b\\> & "nháy"'),
        ("$x$ :smile: [l](u) *a*", "\\$x\\$ \\:smile\\: \\[l\\](u) \\*a\\*"),
        ("1. first\n- second\n# third", "1\\. first\n\\- second\n\\# third"),
    ],
)
def test_file_texts_are_escaped_for_markdown(text: str, shown: str) -> None:
    assert escape_markdown(text) == shown
