"""Fibre and team tables: headers, merged cells, totals rows, matching, roll-up."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo import schema as s
from geo.errors import InputError, MatchError
from geo.indicators.counts import match_table
from geo.reading.tables import REMOVED, field_of, parse_bool, parse_count, read_table


def write_xlsx(path: Path, rows: list[list[object]], merges: list[str]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


@pytest.fixture
def legacy_fibre_xlsx(tmp_path: Path) -> Path:
    """Legacy Tuyên Quang fibre table: two header rows with merged cells, numbering row, totals row."""
    rows = [
        ["STT", "Đơn vị hành chính", None, None, "Số hộ (hộ)", "Cáp quang", None],
        [None, "Tỉnh", "Huyện", "Xã", None, "Số hộ", "Đến xã"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
        [1, "Tuyên Quang", "Thành phố Tuyên Quang", "Phường Phan Thiết", "1.200", 1000, "Có"],
        [2, None, None, "Phường Minh Xuân", 800, 800, "Có"],
        [3, None, "TP Tuyên Quang", "Xã Không Tồn Tại", 50, 0, "Không"],
        [4, None, "Huyện Na Hang", "Thị trấn Na Hang", 2000, None, None],
        ["Tổng cộng", None, None, None, 4050, 1800, None],
    ]
    merges = ["A1:A2", "B1:D1", "E1:E2", "F1:G1", "B4:B7"]
    return write_xlsx(tmp_path / "fibre.xlsx", rows, merges)


def test_merged_headers_map_to_fields(legacy_fibre_xlsx: Path) -> None:
    table = read_table(legacy_fibre_xlsx)
    assert set(table.columns) == {
        s.PROVINCE_NAME,
        s.DISTRICT_NAME,
        s.COMMUNE_NAME,
        s.HOUSEHOLDS,
        s.HOUSEHOLDS_FIBRE,
        s.FIBRE_TO_COMMUNE,
    }
    assert table.columns[s.HOUSEHOLDS_FIBRE] == "Cáp quang / Số hộ"
    assert table.level == "commune"


def test_totals_and_numbering_rows_are_removed_and_reported(legacy_fibre_xlsx: Path) -> None:
    table = read_table(legacy_fibre_xlsx)
    assert len(table.rows) == 4
    assert sorted(table.removed["reason"].str.split(":").str[0]) == [
        "column-numbering row",
        "totals row",
    ]
    assert table.rows[s.HOUSEHOLDS].tolist() == [1200.0, 800.0, 50.0, 2000.0]
    assert table.rows[s.PROVINCE_NAME].tolist() == ["Tuyên Quang"] * 4  # merged down


def test_legacy_table_matches_by_name_and_district(legacy_fibre_xlsx: Path) -> None:
    matched = match_table(read_table(legacy_fibre_xlsx))
    assert matched.vintage == s.VINTAGE_LEGACY
    assert matched.communes.index.tolist() == ["02200", "02203", "02221"]  # 02221: Thị trấn Na Hang
    assert matched.communes.loc["02200", s.HOUSEHOLDS_FIBRE] == 1000.0
    assert bool(matched.communes.loc["02203", s.FIBRE_TO_COMMUNE])
    assert pd.isna(matched.communes.loc["02221", s.HOUSEHOLDS_FIBRE])  # missing stays missing


def test_unmatched_rows_are_reported_not_dropped(legacy_fibre_xlsx: Path) -> None:
    report = match_table(read_table(legacy_fibre_xlsx)).report
    unmatched = report[report["outcome"] != REMOVED]
    assert unmatched[s.COMMUNE_NAME].tolist() == ["Xã Không Tồn Tại"]
    assert unmatched["source_row"].tolist() == [6]
    assert (report["outcome"] == REMOVED).sum() == 2


def test_csv_with_english_headers_and_codes(tmp_path: Path) -> None:
    path = tmp_path / "fibre.csv"
    path.write_text(
        "commune_code,households,households_fibre,fibre_to_commune\n2215,900,700,yes\n00700,100,0,no\n99999,5,5,yes\n",
        encoding="utf-8",
    )
    matched = match_table(read_table(path), vintage="2025")
    assert matched.communes.index.tolist() == ["00700", "02215"]  # 2215 zero-padded
    assert matched.communes.loc["00700", s.HOUSEHOLDS] == 100.0
    assert not matched.communes.loc["00700", s.FIBRE_TO_COMMUNE]
    assert "99999" in matched.report["source_code"].tolist()


def test_village_team_table_rolls_up_per_commune(tmp_path: Path) -> None:
    rows = [
        ["Tỉnh", "Xã", "Thôn", "Số tổ CNSCĐ", "Số thành viên"],
        ["Tuyên Quang", "Phường Minh Xuân", "Tổ 1", 1, 5],
        [None, None, "Tổ 2", 0, 0],
        [None, None, "Tổ 3", 2, 9],
        [None, "Xã Ngọc Đường", "Thôn Bản Tùy", 1, 4],
        [None, None, "Thôn Tả Ván", None, None],
        ["Tổng", None, None, 4, 18],
    ]
    path = write_xlsx(tmp_path / "teams.xlsx", rows, ["A2:A6", "B2:B4", "B5:B6"])
    table = read_table(path)
    assert table.level == "village"
    matched = match_table(table, vintage="2025")
    minh_xuan, ngoc_duong = matched.communes.loc["02215"], matched.communes.loc["00700"]
    assert (
        minh_xuan[s.VILLAGES],
        minh_xuan[s.VILLAGES_WITH_TEAM],
        minh_xuan[s.TEAMS],
        minh_xuan[s.TEAM_MEMBERS],
    ) == (3, 2, 3, 14)
    assert (ngoc_duong[s.VILLAGES], ngoc_duong[s.VILLAGES_WITH_TEAM], ngoc_duong[s.TEAMS]) == (
        2,
        1,
        1,
    )


def test_a_table_without_commune_columns_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="no header row names a commune"):
        read_table(path)


def test_nothing_matching_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Xã,Số hộ\nXã Không Tồn Tại,3\n", encoding="utf-8")
    with pytest.raises(MatchError, match="no row matched"):
        match_table(read_table(path), vintage="2025")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Số hộ gia đình", s.HOUSEHOLDS),
        ("Số hộ có khả năng sử dụng cáp quang", s.HOUSEHOLDS_FIBRE),
        ("Cáp quang đến thôn", "fibre_to_village"),
        ("Số thôn", s.VILLAGES),
        ("Số thôn có tổ", s.VILLAGES_WITH_TEAM),
        ("Thôn, bản, tổ dân phố", s.VILLAGE_NAME),
        ("Xã, phường, thị trấn", s.COMMUNE_NAME),
        ("Mã xã", s.COMMUNE_CODE),
        ("households", s.HOUSEHOLDS),
        ("Ghi chú", None),
    ],
)
def test_header_names(header: str, field: str | None) -> None:
    assert field_of(header) == field


def test_counts_and_yes_no_as_written() -> None:
    assert parse_count("1.234") == 1234.0 and parse_count("1,5") == 1.5 and parse_count(7) == 7.0
    assert parse_bool("Có") is True and parse_bool("không") is False and parse_bool(None) is pd.NA


def test_a_merged_cell_reaching_past_the_last_value_is_filled_and_numbers_stay_whole(
    tmp_path: Path,
) -> None:
    from geo.reading.tables import read_raw

    rows = [[None, "Cáp quang"], ["Xã", "Số hộ"], ["Phường Minh Xuân", 12], ["Xã Ngọc Đường", 7.5]]
    raw = read_raw(write_xlsx(tmp_path / "t.xlsx", rows, ["B1:D1"]))
    assert raw.shape == (4, 4)
    assert raw.iloc[0].tolist() == [None, "Cáp quang", "Cáp quang", "Cáp quang"]
    assert raw.iloc[2, 1] == 12 and isinstance(raw.iloc[2, 1], int) and raw.iloc[3, 1] == 7.5


def test_a_formula_alone_on_its_row_without_a_saved_value_is_named(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [["Xã", "Số hộ"], ["Phường Minh Xuân", 12], [None, None], [None, "=SUM(B2:B2)"]],
        [],
    )
    with pytest.raises(
        InputError, match=r"formula cells without a saved value: B4 \(=SUM\(B2:B2\)\)"
    ):
        read_table(path)
