"""Villages of a team table: the 4G column read, the rows kept, placed in 2025 communes, listed when not covered."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo import schema as s
from geo.indicators.counts import match_table
from geo.indicators.ranking import NO_4G, NO_TEAM, NOTES, REASONS, uncovered_villages
from geo.indicators.villages import place_villages
from geo.reading.tables import field_of, parse_coordinate, read_table
from geo.reference.register import read_communes_2025

#: Two 2025 communes of Tuyên Quang (Lâm Bình 02266, Thượng Lâm 02269) and what each village lacks.
VILLAGES_2025 = (
    "Tỉnh/thành phố,Mã xã,Xã/phường/đặc khu,Thôn/tổ dân phố,Kinh độ,Vĩ độ,Sóng 4G,Số tổ công nghệ số cộng đồng,Số thành viên\n"
    'Tuyên Quang,02266,Xã Lâm Bình,Thôn 10,"105,25",22.4,Có,1,5\n'  # covered
    "Tuyên Quang,02266,Xã Lâm Bình,Thôn 2,105.2,22.45,Trắng sóng,0,0\n"  # no team, no 4G
    "Tuyên Quang,02266,Xã Lâm Bình,Thôn 1,,,Không,1,4\n"  # no 4G
    "Tuyên Quang,02269,Xã Thượng Lâm,Bản Nà,,,,,\n"  # nothing known: not listed
    "Tuyên Quang,02269,Xã Thượng Lâm,Bản Phai,,,,0,0\n"  # no team, 4G unknown
    "Tuyên Quang,02269,Xã Thượng Lâm,Bản Khuổi,,,Có,,\n"  # teams unknown, 4G yes: not listed
)


@pytest.fixture
def villages_2025(tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "teams_villages.csv"
    path.write_text(VILLAGES_2025, encoding="utf-8")
    matched = match_table(read_table(path), vintage="2025")
    return place_villages(
        matched.villages, read_communes_2025(), source=s.VINTAGE_2025, target=s.VINTAGE_2025
    )


@pytest.mark.parametrize(
    "header",
    ["Sóng 4G", "Có sóng 4G", "Phủ sóng 4G", "4G", "mobile signal", "has_4g", "Sóng di động 4G"],
)
def test_signal_headers_are_the_village_4g_field(header: str) -> None:
    assert field_of(header) == s.VILLAGE_HAS_4G


@pytest.mark.parametrize("header", ["Thôn trắng sóng", "Trắng sóng", "Lõm sóng", "no signal"])
def test_no_signal_headers_are_the_inverted_field(header: str) -> None:
    assert field_of(header) == s.VILLAGE_NO_SIGNAL


def test_a_count_of_villages_without_signal_is_not_a_yes_no_column() -> None:
    assert field_of("Số thôn trắng sóng") is None


def test_village_rows_are_kept_with_4g_teams_and_coordinates(tmp_path: Path) -> None:
    path = tmp_path / "teams_villages.csv"
    path.write_text(VILLAGES_2025, encoding="utf-8")
    villages = match_table(read_table(path), vintage="2025").villages
    assert villages[s.COMMUNE_CODE].tolist() == ["02266"] * 3 + ["02269"] * 3
    assert villages[s.VILLAGE_NAME].tolist() == [
        "Thôn 10",
        "Thôn 2",
        "Thôn 1",
        "Bản Nà",
        "Bản Phai",
        "Bản Khuổi",
    ]
    assert villages[s.VILLAGE_HAS_4G].tolist() == [True, False, False, pd.NA, pd.NA, True]
    assert villages[s.TEAMS].tolist()[:3] == [1.0, 0.0, 1.0] and villages[
        s.TEAMS
    ].isna().tolist() == [False] * 3 + [True, False, True]
    assert villages[s.LON].tolist()[:2] == [
        105.25,
        105.2,
    ]  # "105,25" is a decimal comma, not 10,525


def test_coordinates_are_not_read_as_thousands() -> None:
    assert (
        parse_coordinate("105.834") == 105.834
        and parse_coordinate("21,03") == 21.03
        and pd.isna(parse_coordinate("abc"))
    )


def test_an_inverted_no_signal_column_is_turned_into_has_4g(tmp_path: Path) -> None:
    path = tmp_path / "trang_song.csv"
    path.write_text(
        "Mã xã,Thôn,Thôn trắng sóng\n02266,Thôn 1,x\n02266,Thôn 2,Không\n02266,Thôn 3,\n",
        encoding="utf-8",
    )
    villages = match_table(read_table(path), vintage="2025").villages
    assert villages[s.VILLAGE_HAS_4G].tolist() == [False, True, pd.NA]


def test_a_commune_table_has_no_villages(tmp_path: Path) -> None:
    path = tmp_path / "teams.csv"
    path.write_text("Mã xã,Số thôn,Số thôn có tổ CNS\n02266,12,6\n", encoding="utf-8")
    matched = match_table(read_table(path), vintage="2025")
    assert matched.villages.empty and len(matched.communes) == 1


def test_uncovered_villages_lack_a_team_or_4g_missing_is_not_no(
    villages_2025: pd.DataFrame,
) -> None:
    listed = uncovered_villages(villages_2025)
    # Sorted by province, commune, village ("Thôn 1" before "Thôn 2", Thôn 10 is covered).
    assert list(zip(listed[s.COMMUNE_CODE], listed[s.VILLAGE_NAME])) == [
        ("02266", "Thôn 1"),
        ("02266", "Thôn 2"),
        ("02269", "Bản Phai"),
    ]
    assert listed[REASONS].tolist() == [
        "chưa có sóng 4G",
        "chưa có tổ công nghệ số cộng đồng; chưa có sóng 4G",
        "chưa có tổ công nghệ số cộng đồng",
    ]
    assert listed[NOTES].tolist() == ["", "", "chưa có số liệu sóng 4G"]
    assert listed[s.COMMUNE_NAME].tolist() == ["Xã Lâm Bình", "Xã Lâm Bình", "Xã Thượng Lâm"]
    assert set(listed[s.PROVINCE_CODE]) == {"08"}


def test_uncovered_villages_by_one_reason_and_in_english(villages_2025: pd.DataFrame) -> None:
    assert uncovered_villages(villages_2025, reasons=(NO_4G,))[s.VILLAGE_NAME].tolist() == [
        "Thôn 1",
        "Thôn 2",
    ]
    no_team = uncovered_villages(villages_2025, reasons=(NO_TEAM,), lang="en")
    assert no_team[s.VILLAGE_NAME].tolist() == ["Thôn 2", "Bản Phai"] and set(no_team[REASONS]) == {
        "no digital-technology team"
    }
    assert uncovered_villages(villages_2025, reasons=()).empty
    assert uncovered_villages(villages_2025, province_code="01").empty


def test_unknown_reason_is_refused(villages_2025: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no_fibre.*no_team"):
        uncovered_villages(villages_2025, reasons=("no_fibre",))


def test_legacy_villages_go_to_their_2025_commune_or_say_it_was_split(tmp_path: Path) -> None:
    path = tmp_path / "legacy_villages.csv"
    path.write_text(
        "Tỉnh,Huyện,Xã,Thôn,Số tổ công nghệ số cộng đồng,Sóng 4G\n"
        "Hà Nội,Quận Ba Đình,Phường Trúc Bạch,Tổ 1,0,Có\n"  # legacy 00004 → 2025 00004 (whole)
        "Hà Nội,Quận Ba Đình,Phường Cống Vị,Tổ 3,0,Có\n"  # legacy 00007 → 2025 00008 and 00025 (split)
        "Tuyên Quang,Huyện Lâm Bình,Xã Phúc Yên,Thôn Nà,1,Không\n",  # legacy 02233 → 02266, outside the boundaries below
        encoding="utf-8",
    )
    matched = match_table(read_table(path))
    assert matched.vintage == s.VINTAGE_LEGACY
    communes = read_communes_2025()
    boundaries = communes[communes[s.COMMUNE_CODE].isin(["00004", "00008", "00025"])]
    placed = place_villages(
        matched.villages, boundaries, source=s.VINTAGE_LEGACY, target=s.VINTAGE_2025
    )
    assert placed[s.VILLAGE_NAME].tolist() == ["Tổ 1", "Tổ 3"]  # Thôn Nà is not in these boundaries
    assert placed[s.COMMUNE_CODE].tolist()[0] == "00004" and pd.isna(placed[s.COMMUNE_CODE].iloc[1])
    assert placed[s.COMMUNE_NAME].tolist() == [
        "Phường Ba Đình",
        "Phường Cống Vị",
    ]  # split: the table's own name
    assert (
        pd.isna(placed[s.CANDIDATE_CODES].iloc[0])
        and placed[s.CANDIDATE_CODES].iloc[1] == "00008;00025"
        and placed[s.SOURCE_COMMUNE_CODE].tolist() == ["00004", "00007"]
    )
    listed = uncovered_villages(placed)
    assert listed[s.PROVINCE_CODE].tolist() == ["01", "01"]
    assert listed[NOTES].tolist() == [
        "",
        "xã cũ 00007 đã chia cho các xã mới 00008, 00025: chưa xác định thôn thuộc xã nào",
    ]
