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


# --- Headers as provinces write them (issue 14) ---------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Ấp/Khóm", s.VILLAGE_NAME),
        ("Thôn/Xóm/Bản", s.VILLAGE_NAME),
        ("Tên thôn, xóm", s.VILLAGE_NAME),
        ("Làng", s.VILLAGE_NAME),
        ("Buôn", s.VILLAGE_NAME),
        ("Buôn/Plei", s.VILLAGE_NAME),
        ("Sóc/Phum", s.VILLAGE_NAME),
        ("Khu phố", s.VILLAGE_NAME),
        ("Tổ dân phố", s.VILLAGE_NAME),
        ("Khu", s.VILLAGE_NAME),
        ("Tổ", s.VILLAGE_NAME),
        ("Cụm", s.VILLAGE_NAME),
        ("Ấp, khóm, tổ dân phố", s.VILLAGE_NAME),
        ("Số ấp, khóm", s.VILLAGES),
        ("Xã/Phường", s.COMMUNE_NAME),
        ("Có tổ CNSCĐ", s.HAS_TEAM),
        ("Đã thành lập tổ", s.HAS_TEAM),
        ("Tổ CNSCĐ (x)", s.TEAMS),
        ("Số tổ", s.TEAMS),
        ("Số TV", s.TEAM_MEMBERS),
        ("Số thành viên", s.TEAM_MEMBERS),
        ("Số hộ sử dụng FTTH", s.HOUSEHOLDS_FIBRE_SUBSCRIBED),
        ("Hộ có thể đăng ký cáp quang", s.HOUSEHOLDS_FIBRE),
        ("Số hộ có khả năng sử dụng cáp quang", s.HOUSEHOLDS_FIBRE),
        ("Thôn trắng sóng", s.VILLAGE_NO_SIGNAL),
        ("Số thôn trắng sóng", None),
        ("Điểm dân cư", None),
    ],
)
def test_headers_of_every_region(header: str, field: str | None) -> None:
    assert field_of(header) == field


def _village_csv(path: Path, headers: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(headers)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


#: Three villages of Phường Minh Xuân (two with a team, 9 members) and two of Xã Ngọc Đường (one, 4).
TUYEN_QUANG_VILLAGES = [
    ["Tuyên Quang", "Phường Minh Xuân", "V1", "Có", 5],
    ["Tuyên Quang", "Phường Minh Xuân", "V2", "Không", 0],
    ["Tuyên Quang", "Phường Minh Xuân", "V3", "Có", 4],
    ["Tuyên Quang", "Xã Ngọc Đường", "V1", "Có", 4],
    ["Tuyên Quang", "Xã Ngọc Đường", "V2", "Không", None],
]


@pytest.mark.parametrize(
    ("village", "team", "members"),
    [
        ("Thôn/Xóm/Bản", "Đã thành lập tổ", "Số thành viên"),  # north
        ("Bản", "Có tổ CNSCĐ", "Số TV"),  # northern mountains
        ("Buôn/Plei", "Có tổ CNSCĐ", "Số thành viên"),  # Central Highlands
        ("Ấp/Khóm", "Có tổ CNSCĐ", "Số thành viên"),  # Mekong delta
        ("Sóc/Phum", "Đã thành lập tổ", "Số TV"),  # Khmer villages of the delta
        ("Tổ dân phố", "Tổ CNSCĐ (x)", "Số thành viên"),  # towns, with x marks
    ],
)
def test_a_village_table_in_each_regional_layout_gives_exact_counts(
    tmp_path: Path, village: str, team: str, members: str
) -> None:
    rows = [
        [*r[:3], ("x" if r[3] == "Có" else None) if "(x)" in team else r[3], r[4]]
        for r in TUYEN_QUANG_VILLAGES
    ]
    path = _village_csv(tmp_path / "t.csv", ["Tỉnh", "Xã/Phường", village, team, members], rows)
    table = read_table(path, kind="teams")
    assert table.level == "village" and table.unknown == ()
    matched = match_table(table, vintage="2025")
    counts = matched.communes[[s.VILLAGES, s.VILLAGES_WITH_TEAM, s.TEAMS, s.TEAM_MEMBERS]]
    assert counts.loc["02215"].tolist() == [3, 2, 2, 9]
    assert counts.loc["00700"].tolist() == [2, 1, 1, 4]
    assert len(matched.report) == 0  # every row counted


def test_the_ca_mau_team_table_counts_every_hamlet(tmp_path: Path) -> None:
    """The known failure: 496 of 560 rows were 'duplicates' because 'Ấp/Khóm' was not a village column."""
    rows = [
        ["Cà Mau", commune, f"Khóm {i}", "Có" if i % 3 else "Không", 5 if i % 3 else 0]
        for commune in ("Phường Bạc Liêu", "Phường Vĩnh Trạch")
        for i in range(1, 8)
    ]
    path = _village_csv(
        tmp_path / "ca_mau.csv",
        ["Tỉnh", "Xã/Phường", "Ấp/Khóm", "Có tổ CNSCĐ", "Số thành viên"],
        rows,
    )
    matched = match_table(read_table(path, kind="teams"))
    assert matched.vintage == s.VINTAGE_2025
    counts = matched.communes[[s.VILLAGES, s.VILLAGES_WITH_TEAM, s.TEAMS, s.TEAM_MEMBERS]]
    assert counts.loc["31825"].tolist() == [7, 5, 5, 25]  # Phường Bạc Liêu: khóm 3 and 6 without
    assert counts.loc["31834"].tolist() == [7, 5, 5, 25]
    assert len(matched.villages) == 14 and len(matched.report) == 0


def test_a_header_over_two_merged_rows(tmp_path: Path) -> None:
    rows = [
        ["Đơn vị", None, "Tổ công nghệ số cộng đồng", None],
        ["Xã/Phường", "Ấp/Khóm", "Có tổ", "Số TV"],
        ["Phường Bạc Liêu", "Khóm 1", "x", 6],
        [None, "Khóm 2", None, None],
        ["Phường Vĩnh Trạch", "Ấp 1", "x", 3],
    ]
    path = write_xlsx(tmp_path / "t.xlsx", rows, ["A1:B1", "C1:D1", "A3:A4"])
    table = read_table(path, kind="teams")
    assert table.columns[s.VILLAGE_NAME] == "Đơn vị / Ấp/Khóm"
    matched = match_table(table, vintage="2025")
    assert matched.communes.loc["31825", [s.VILLAGES, s.TEAMS, s.TEAM_MEMBERS]].tolist() == [
        2,
        1,
        6,
    ]


# --- Explicit mapping and refusal ----------------------------------------------------------------

UNKNOWN_HEADERS = ["Tỉnh", "Xã/Phường", "Điểm dân cư", "Nhóm hỗ trợ", "Người tham gia"]


def test_headers_no_rule_knows_are_refused_with_the_columns_named(tmp_path: Path) -> None:
    from geo.reading.tables import TableKindError

    path = _village_csv(tmp_path / "t.csv", UNKNOWN_HEADERS, TUYEN_QUANG_VILLAGES)
    with pytest.raises(TableKindError, match=r"not recognised \['Điểm dân cư', 'Nhóm hỗ trợ'") as e:
        read_table(path, kind="teams")
    assert e.value.columns["Nhóm hỗ trợ"] is None and e.value.columns["Tỉnh"] == s.PROVINCE_NAME


def test_a_mapping_gives_exact_counts_for_unknown_headers(tmp_path: Path) -> None:
    path = _village_csv(tmp_path / "t.csv", UNKNOWN_HEADERS, TUYEN_QUANG_VILLAGES)
    mapping = {
        "Điểm dân cư": s.VILLAGE_NAME,
        "nhom ho tro": s.HAS_TEAM,  # compared folded
        "Người tham gia": s.TEAM_MEMBERS,
        "Tỉnh": "ignore",
    }
    table = read_table(path, kind="teams", mapping=mapping)
    assert s.PROVINCE_NAME not in table.rows and table.unknown == ()
    counts = match_table(table, vintage="2025").communes
    assert counts.loc["02215", [s.VILLAGES, s.TEAMS, s.TEAM_MEMBERS]].tolist() == [3, 2, 9]


def test_a_mapping_to_an_unknown_field_is_an_error(tmp_path: Path) -> None:
    path = _village_csv(tmp_path / "t.csv", UNKNOWN_HEADERS, TUYEN_QUANG_VILLAGES)
    with pytest.raises(InputError, match="unknown fields {'Nhóm hỗ trợ': 'team'}"):
        read_table(path, mapping={"Nhóm hỗ trợ": "team"})


def test_a_village_table_whose_village_column_is_unknown_is_refused_not_half_read(
    tmp_path: Path,
) -> None:
    from geo.reading.tables import TableKindError

    headers = ["Tỉnh", "Xã/Phường", "Điểm dân cư", "Có tổ CNSCĐ", "Số thành viên"]
    path = _village_csv(tmp_path / "t.csv", headers, TUYEN_QUANG_VILLAGES)
    table = read_table(path, kind="teams")
    assert table.level == "commune"
    with pytest.raises(
        TableKindError, match=r"3 of 5 rows repeat a commune.*'Điểm dân cư=village_name'"
    ):
        match_table(table, vintage="2025")


def test_a_fibre_table_without_a_fibre_column_is_refused(tmp_path: Path) -> None:
    from geo.reading.tables import TableKindError

    path = tmp_path / "t.csv"
    path.write_text("Xã,Số hộ,Dân số\nPhường Minh Xuân,10,40\n", encoding="utf-8")
    with pytest.raises(TableKindError, match=r"no fibre column.*not recognised \['Dân số'\]"):
        read_table(path, kind="fibre")
    assert read_table(path).level == "commune"  # as a table of no stated kind it reads


@pytest.mark.shared
@pytest.mark.parametrize("name", ["VN_HouseholdPop_ward.csv", "hh_size_ward.xlsx"])
def test_the_census_tables_are_refused_as_fibre_tables(shared_data: Path, name: str) -> None:
    path = shared_data / "realworld" / "gso_census_2019_tables" / name
    with pytest.raises(InputError, match=r"no fibre column|no header row names a commune"):
        read_table(path, kind="fibre")


# --- Sheets --------------------------------------------------------------------------------------


def _workbook(path: Path, sheets: list[tuple[str, list[list[object]], bool]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows, hidden in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


FIBRE_NOW = [["Xã", "Số hộ", "Số hộ có cáp quang"], ["Phường Minh Xuân", 1000, 989]]
FIBRE_STALE = [["Xã", "Số hộ", "Số hộ có cáp quang"], ["Phường Minh Xuân", 1000, 11]]


def test_a_hidden_stale_first_sheet_is_not_read_and_is_named(tmp_path: Path) -> None:
    from geo.reading.tables import list_sheets

    path = _workbook(tmp_path / "f.xlsx", [("Cũ", FIBRE_STALE, True), ("2025", FIBRE_NOW, False)])
    assert [(x.name, x.visible) for x in list_sheets(path)] == [("Cũ", False), ("2025", True)]
    table = read_table(path, kind="fibre")
    assert table.sheet == "2025" and table.rows[s.HOUSEHOLDS_FIBRE].tolist() == [989.0]
    assert any("hidden sheets ['Cũ'] not read" in note for note in table.notes)


def test_a_hidden_sheet_is_read_only_when_named_and_then_said(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "f.xlsx", [("Cũ", FIBRE_STALE, True), ("2025", FIBRE_NOW, False)])
    table = read_table(path, sheet="Cũ")
    assert table.rows[s.HOUSEHOLDS_FIBRE].tolist() == [11.0]
    assert table.notes == ("sheet 'Cũ' is hidden: read because it was asked for",)
    with pytest.raises(InputError, match=r"no sheet 'Mới'; its sheets are \['Cũ', '2025'\]"):
        read_table(path, sheet="Mới")


def test_a_cover_sheet_first_is_skipped_and_named(tmp_path: Path) -> None:
    cover = [["BÁO CÁO HẠ TẦNG CÁP QUANG"], ["Sở Khoa học và Công nghệ"]]
    path = _workbook(
        tmp_path / "f.xlsx",
        [("Bìa", cover, False), ("Số liệu", FIBRE_NOW, False), ("Phụ lục", FIBRE_STALE, False)],
    )
    table = read_table(path)
    assert table.sheet == "Số liệu"
    assert any("sheet 'Bìa' skipped" in note for note in table.notes)
    assert any("other sheets with a table not read: ['Phụ lục']" in note for note in table.notes)


def test_only_a_hidden_sheet_with_a_table_is_an_error_naming_it(tmp_path: Path) -> None:
    cover = [["BÁO CÁO"]]
    path = _workbook(tmp_path / "f.xlsx", [("Bìa", cover, False), ("Cũ", FIBRE_STALE, True)])
    with pytest.raises(InputError, match=r"no visible sheet.*hidden sheets \['Cũ'\]"):
        read_table(path)
