"""build-indicators with real-world tables: several per kind, column mappings, refusals, summaries."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from cli.commands import main
from geo import schema as s
from tests.geo.indicators.test_coverage import _three_squares

FIBRE_JUNE = (
    "Tỉnh,Xã,Số hộ,Hộ có thể đăng ký cáp quang,Ngày báo cáo\n"
    "Tuyên Quang,Phường Minh Xuân,1000,500,2025-06-30\n"
    "Tuyên Quang,Xã Ngọc Đường,400,100,2025-06-30\n"
)
FIBRE_OCTOBER = "Tỉnh,Xã,Số hộ,Số hộ có cáp quang,Ngày báo cáo\nTuyên Quang,Phường Minh Xuân,1000,950,2025-10-01\n"


def _run(tmp_path: Path, *args: str) -> int:
    boundaries = _three_squares(tmp_path / "b.gpkg")
    out = tmp_path / "ind.gpkg"
    return main(["build-indicators", "--boundaries", str(boundaries), "--out", str(out), *args])


def _communes(tmp_path: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(tmp_path / "ind.gpkg", layer=s.LAYER_COMMUNES).set_index(s.COMMUNE_CODE)


@pytest.mark.parametrize("order", [("june", "october"), ("october", "june")])
def test_two_fibre_tables_the_latest_report_wins_per_commune(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    files = {"june": FIBRE_JUNE, "october": FIBRE_OCTOBER}
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    args = ["--tables-vintage", "2025"]
    args += [a for name in order for a in ("--fibre", str(tmp_path / f"{name}.csv"))]
    assert _run(tmp_path, *args) == 0
    communes = _communes(tmp_path)
    assert communes.loc["02215", s.HOUSEHOLDS_FIBRE] == 950  # October's report
    assert communes.loc["02215", s.as_of_column(s.FIBRE)] == "2025-10-01"
    assert communes.loc["02215", s.source_column(s.FIBRE)] == "october.csv"
    assert communes.loc["00700", s.HOUSEHOLDS_FIBRE] == 100  # only June covers it: kept
    assert communes.loc["00700", s.as_of_column(s.FIBRE)] == "2025-06-30"
    assert communes.loc["00700", s.source_column(s.FIBRE)] == "june.csv"


def test_unknown_headers_exit_2_naming_them_and_a_mapping_counts_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "teams.csv"
    table.write_text(
        "Tỉnh,Xã/Phường,Điểm dân cư,Nhóm hỗ trợ,Người tham gia\n"
        "Tuyên Quang,Phường Minh Xuân,A,Có,5\nTuyên Quang,Phường Minh Xuân,B,Không,0\n"
        "Tuyên Quang,Xã Ngọc Đường,A,Có,3\n",
        encoding="utf-8",
    )
    assert _run(tmp_path, "--teams", str(table)) == 2
    err = capsys.readouterr().err
    assert "not recognised ['Điểm dân cư', 'Nhóm hỗ trợ', 'Người tham gia']" in err
    assert "--map-column" in err and err.count("\n") == 1
    mapping = ["Điểm dân cư=village_name", "Nhóm hỗ trợ=has_team", "Người tham gia=team_members"]
    assert (
        _run(tmp_path, "--teams", str(table), *[a for m in mapping for a in ("--map-column", m)])
        == 0
    )
    communes = _communes(tmp_path)
    assert communes.loc[
        "02215", [s.VILLAGES, s.VILLAGES_WITH_TEAM, s.TEAMS, s.TEAM_MEMBERS]
    ].tolist() == [2, 1, 1, 5]
    assert communes.loc["00700", [s.VILLAGES, s.TEAMS, s.TEAM_MEMBERS]].tolist() == [1, 1, 3]


def test_a_mapping_that_is_not_header_field_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, "--map-column", "Điểm dân cư") == 2
    assert "is not HEADER=FIELD" in capsys.readouterr().err


def test_without_population_the_summary_says_not_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "f.csv").write_text(FIBRE_JUNE, encoding="utf-8")
    assert _run(tmp_path, "--fibre", str(tmp_path / "f.csv")) == 0
    out = capsys.readouterr().out
    assert "4G population coverage: not evaluated (no population raster was given" in out
    assert "villages with a team: not evaluated (no teams table was given" in out
    assert "0 communes miss" not in out
    assert (
        "2 of 2 communes checked miss at least one evaluated target (1 communes not checked)" in out
    )


def test_nothing_evaluated_is_said_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path) == 0
    out = capsys.readouterr().out
    assert "targets not evaluated: no commune could be checked against any target" in out
    assert "miss at least one" not in out


def test_fields_lists_every_field_with_its_meaning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fields"]) == 0
    out = capsys.readouterr().out
    assert "village_name" in out and "Tên thôn, xóm, bản, ấp, khóm" in out and "Village name" in out
    assert "has_team" in out and "ignore" in out


@pytest.mark.shared
@pytest.mark.parametrize("name", ["VN_HouseholdPop_ward.csv", "hh_size_ward.xlsx"])
def test_a_census_table_given_as_fibre_is_exit_2(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = shared_data / "realworld" / "gso_census_2019_tables" / name
    assert _run(tmp_path, "--fibre", str(path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and name in err and err.count("\n") == 1
    assert not (tmp_path / "ind.gpkg").exists()
