"""Proof under fire: hostile and broken inputs end in a clear message, with nothing written.

Every fixture is built here, in ``tmp_path``, from the official register that
ships with the code (three Cà Mau communes drawn as small squares around their
official centroids): no test here needs ``../shared/data``.
"""

from __future__ import annotations

import sqlite3
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

from cli.commands import main
from geo import schema as s
from geo.errors import InputError
from geo.importing.import_boundaries import (
    DROPPED_NOT_POLYGON,
    ImportOptions,
    import_boundaries,
    report_csv_path,
    write_import,
)
from geo.importing.matching import DISSOLVED, MATCHED
from geo.indicators.counts import match_table
from geo.reading.read import (
    MAX_COMPRESSION_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    RATIO_CHECK_MIN_BYTES,
    ZipLimits,
    read_source,
)
from geo.reading.tables import DUPLICATE, INVALID, read_table
from geo.reference import register

HALF_SIDE = 0.002  # degrees: squares of ~440 m around the official centroids
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(1)">'


# --- fixtures built in code ----------------------------------------------------------------------


def communes(n: int = 3) -> gpd.GeoDataFrame:
    """``n`` Cà Mau communes of the 2025 register as squares around their official centroids."""
    reg = register.read_communes_2025()
    reg = reg[reg[s.PROVINCE_CODE] == "96"].head(n)
    squares = [
        shapely.box(x - HALF_SIDE, y - HALF_SIDE, x + HALF_SIDE, y + HALF_SIDE)
        for x, y in zip(reg["lon"], reg["lat"])
    ]
    return gpd.GeoDataFrame(
        {"ma_xa": reg[s.COMMUNE_CODE].tolist(), "ten_xa": reg[s.COMMUNE_NAME].tolist()},
        geometry=squares,
        crs=s.WGS84,
    )


def write_gpkg(path: Path, frame: gpd.GeoDataFrame | None = None) -> Path:
    (communes() if frame is None else frame).to_file(path, layer="xa")
    return path


def write_shapefile(folder: Path, *, without: str | None = None) -> Path:
    """A shapefile ``xa`` of :func:`communes` in ``folder``, without the part ``without`` (".shx", ".dbf")."""
    folder.mkdir(parents=True, exist_ok=True)
    communes().to_file(folder / "xa.shp")
    if without:
        (folder / f"xa{without}").unlink()
    return folder / "xa.shp"


def zip_files(target: Path, files: dict[str, bytes]) -> Path:
    """A zip holding ``files`` under exactly the names given (``ZipInfo`` keeps '../' and '/')."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return target


def shapefile_bytes(folder: Path, *, without: str | None = None) -> dict[str, bytes]:
    write_shapefile(folder, without=without)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def declare_size(path: Path, size: int) -> Path:
    """Rewrite the uncompressed size of every entry in the zip's central directory (a crafted bomb)."""
    data = bytearray(path.read_bytes())
    start = data.find(b"PK\x01\x02")
    while start != -1:
        data[start + 24 : start + 28] = struct.pack("<I", size)
        start = data.find(b"PK\x01\x02", start + 4)
    path.write_bytes(bytes(data))
    return path


def measured_gpkg(path: Path) -> Path:
    """:func:`communes` as a GeoPackage whose polygons carry M (feature 1) and Z + M (the others).

    pyogrio cannot write M, so the geometry blobs are replaced in SQLite (GeoPackage
    binary header "GP", version 0, little-endian, no envelope, then ISO WKB).
    """
    frame = communes()
    pyogrio.write_dataframe(frame, path, layer="xa", SPATIAL_INDEX="NO")
    with sqlite3.connect(path) as db:
        for fid, polygon in enumerate(frame.geometry, start=1):
            ring = ", ".join(
                f"{x} {y} 7" if fid == 1 else f"{x} {y} 3 7" for x, y in polygon.exterior.coords
            )
            wkt = f"POLYGON {'M' if fid == 1 else 'ZM'} (({ring}))"
            blob = (
                b"GP\x00\x01"
                + struct.pack("<i", 4326)
                + shapely.to_wkb(shapely.from_wkt(wkt), flavor="iso", byte_order=1)
            )
            db.execute("UPDATE xa SET geom = ? WHERE fid = ?", (blob, fid))
        db.execute("UPDATE gpkg_geometry_columns SET z = 1, m = 1")
    db.close()
    return path


def write_xlsx(path: Path, rows: list[list[object]], merges: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for cells in merges:
        book.active.merge_cells(cells)
    book.save(path)
    return path


def save_cached_value(path: Path, formula: str, value: str) -> Path:
    """Give a formula cell the value Excel would have saved with it (openpyxl writes ``<v />``)."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    files[sheet] = files[sheet].replace(
        f"<f>{formula}</f><v />".encode(), f"<f>{formula}</f><v>{value}</v>".encode()
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


# --- 1. archive entries that escape the folder ---------------------------------------------------


@pytest.mark.parametrize("prefix", ["../", "../../etc/", "/tmp/abs/", "C:\\Users\\", "data/../../"])
def test_a_zip_entry_outside_its_folder_is_refused_before_reading(
    tmp_path: Path, prefix: str
) -> None:
    files = {f"{prefix}{name}": data for name, data in shapefile_bytes(tmp_path / "shp").items()}
    path = zip_files(tmp_path / "evil.zip", files)
    with pytest.raises(
        InputError,
        match=r"evil.zip holds entries that point outside the archive's folder .*refused without reading it: zip the files again",
    ):
        read_source(path)


def test_one_bad_entry_beside_a_good_shapefile_refuses_the_archive(tmp_path: Path) -> None:
    path = zip_files(
        tmp_path / "mixed.zip",
        {**shapefile_bytes(tmp_path / "shp"), "../../.bashrc": b"echo pwned"},
    )
    with pytest.raises(InputError, match=r"\['../../.bashrc'\]"):
        read_source(path)


# --- 2. zip bombs --------------------------------------------------------------------------------


def test_limits_are_sensible_for_real_provincial_files() -> None:
    assert (
        500 * 1024**2 < MAX_UNCOMPRESSED_BYTES <= 4 * 1024**3
    )  # a national shapefile is a few hundred MB
    assert 100 <= MAX_COMPRESSION_RATIO < 1032  # real parts compress < ~100×; deflate bombs ~1032×
    assert RATIO_CHECK_MIN_BYTES <= 64 * 1024**2


def test_a_declared_size_above_the_default_limit_is_refused(tmp_path: Path) -> None:
    path = declare_size(
        zip_files(tmp_path / "bomb.zip", shapefile_bytes(tmp_path / "shp")), 3 * 1024**3
    )
    with pytest.raises(
        InputError,
        match=r"bomb.zip would unpack to [\d,]{14} bytes, more than the 2,147,483,648 allowed .*zip bomb",
    ):
        read_source(path)


def test_a_highly_compressed_entry_is_refused_with_the_default_limits(tmp_path: Path) -> None:
    path = zip_files(
        tmp_path / "zeros.zip",
        {"xa.shp": bytes(RATIO_CHECK_MIN_BYTES + 1), "xa.shx": b"", "xa.dbf": b""},
    )
    assert path.stat().st_size < RATIO_CHECK_MIN_BYTES // 100
    with pytest.raises(
        InputError,
        match=r"entry 'xa.shp' is compressed [\d,]+ times .*more than the 200 allowed .*zip bomb.*without unpacking",
    ):
        read_source(path)


def test_limits_can_be_tightened_by_the_caller(tmp_path: Path) -> None:
    path = zip_files(
        tmp_path / "xa.zip", {**shapefile_bytes(tmp_path / "shp"), "padding.txt": bytes(20_000)}
    )
    assert len(read_source(path).frame) == 3
    with pytest.raises(InputError, match="'padding.txt' is compressed"):
        read_source(path, zip_limits=ZipLimits(max_ratio=50, ratio_min_bytes=10_000))
    with pytest.raises(InputError, match="more than the 1,000 allowed"):
        read_source(path, zip_limits=ZipLimits(max_total_bytes=1_000))
    with pytest.raises(InputError, match=r"holds \d entries, more than the 2 allowed"):
        read_source(path, zip_limits=ZipLimits(max_members=2))


# --- 3. a file that is not what its extension says -----------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
OLD_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64)


@pytest.mark.parametrize(
    ("name", "data", "found", "expected"),
    [
        ("xa.gpkg", PNG, "a PNG image", "a GeoPackage"),
        ("xa.shp", PNG, "a PNG image", "a shapefile .shp"),
        ("xa.zip", PNG, "a PNG image", "a zip archive"),
        ("xa.kmz", "Danh sách xã".encode(), r"plain text \('Danh sách xã'\)", "a KMZ"),
        ("xa.geojson", PNG, "a PNG image", "a GeoJSON document"),
        ("xa.fgb", "Tên xã".encode(), "plain text", "a FlatGeobuf file"),
        (
            "xa.gpkg",
            b"PK\x03\x04" + bytes(64),
            r"a zip archive \(or .xlsx/.docx/.kmz\)",
            "a GeoPackage",
        ),
    ],
)
def test_a_geo_file_of_another_kind_is_named_for_what_it_is(
    tmp_path: Path, name: str, data: bytes, found: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(
        InputError,
        match=rf"{name} is {found}.*, not {expected}.* as its extension says; give the right file, or rename it",
    ):
        read_source(path)


@pytest.mark.parametrize(
    ("name", "data", "found"),
    [
        ("t.xlsx", PNG, "a PNG image"),
        ("t.xlsx", OLD_XLS, r"an old Microsoft Office file \(.xls/.doc\)"),
        ("t.csv", PNG, "a PNG image"),
    ],
)
def test_a_table_of_another_kind_is_named_for_what_it_is(
    tmp_path: Path, name: str, data: bytes, found: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=rf"{name} is {found} .*as its extension says"):
        read_table(path)


# --- 4. a truncated GeoPackage -------------------------------------------------------------------


@pytest.mark.parametrize("keep", [60, 100, 4096, 0.5, -1])
def test_a_truncated_geopackage_is_called_truncated(tmp_path: Path, keep: float) -> None:
    whole = write_gpkg(tmp_path / "whole.gpkg").read_bytes()
    size = (
        int(len(whole) * keep)
        if isinstance(keep, float)
        else (keep if keep > 0 else len(whole) + keep)
    )
    cut = tmp_path / "cut.gpkg"
    cut.write_bytes(whole[:size])
    with pytest.raises(
        InputError,
        match=rf"cut.gpkg is truncated: its header says [\d,]+ bytes but the file has {size:,}; copy or download it again",
    ):
        read_source(cut)


def test_a_truncated_shp_is_called_truncated(tmp_path: Path) -> None:
    path = write_shapefile(tmp_path / "shp")
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(InputError, match="xa.shp is truncated"):
        read_source(path)


# --- 5. a shapefile without its .shx or .dbf -----------------------------------------------------


@pytest.mark.parametrize(
    ("part", "what"), [(".shx", "the index of the shapes"), (".dbf", "the names and codes")]
)
def test_a_loose_shapefile_without_a_part_is_refused(tmp_path: Path, part: str, what: str) -> None:
    path = write_shapefile(tmp_path / "shp", without=part)
    with pytest.raises(
        InputError,
        match=rf"the shapefile 'xa.shp' has no xa{part} \({what}\) in .*shp; a shapefile is the .shp, .shx and .dbf",
    ):
        read_source(path)


@pytest.mark.parametrize("part", [".shx", ".dbf"])
def test_a_zipped_shapefile_without_a_part_is_refused(tmp_path: Path, part: str) -> None:
    path = zip_files(
        tmp_path / "xa.zip",
        {f"data/{k}": v for k, v in shapefile_bytes(tmp_path / "shp", without=part).items()},
    )
    with pytest.raises(
        InputError,
        match=rf"the shapefile 'data/xa.shp' has no xa{part} .* in the archive; .*copy or zip all of them together",
    ):
        read_source(path)


def test_upper_case_parts_count(tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    write_shapefile(folder)
    (folder / "xa.shx").rename(folder / "xa.SHX")
    assert len(read_source(folder / "xa.shp").frame) == 3


# --- 6. mixed geometry types ---------------------------------------------------------------------


def test_points_and_lines_beside_polygons_are_reported_and_the_polygons_imported(
    tmp_path: Path,
) -> None:
    polygons = communes()
    point = polygons.iloc[:1].set_geometry(shapely.centroid(polygons.geometry.array[:1]))
    line = polygons.iloc[1:2].set_geometry(shapely.boundary(polygons.geometry.array[1:2]))
    path = tmp_path / "mixed.geojson"
    pd.concat([polygons, point, line], ignore_index=True).to_file(path)
    result = import_boundaries(path)
    assert len(result.communes) == 3 and set(result.communes.geom_type) == {"MultiPolygon"}
    assert result.report["outcome"].tolist() == [MATCHED] * 3 + [DROPPED_NOT_POLYGON] * 2
    assert result.report["reason"].iloc[3:].tolist() == [
        "Point geometry, not a polygon: not imported",
        "LineString geometry, not a polygon: not imported",
    ]
    assert result.qa.n_dropped_not_polygon == 2 and result.qa.n_dropped_empty == 0
    geometry_line = next(line for line in result.summary_lines() if line.startswith("geometry:"))
    assert "0 dropped empty, 2 dropped not polygon (LineString 1, Point 1);" in geometry_line
    assert result.summary_lines()[-1] == "matched 3 of 5 features (60.0%)"


def test_a_layer_of_points_and_lines_only_is_refused(tmp_path: Path) -> None:
    polygons = communes()
    frame = polygons.set_geometry(
        [
            shapely.centroid(polygons.geometry.iloc[0]),
            *shapely.boundary(polygons.geometry.array[1:]),
        ]
    )
    path = tmp_path / "lines.geojson"
    frame.to_file(path)
    with pytest.raises(
        InputError,
        match=r"has no polygons, only \['LineString', 'Point'\]; commune boundaries must be polygons",
    ):
        import_boundaries(path)


# --- 7. Z and M coordinates ----------------------------------------------------------------------


def test_z_coordinates_are_dropped_and_said_so(tmp_path: Path) -> None:
    frame = communes()
    path = write_gpkg(
        tmp_path / "z.gpkg", frame.set_geometry(shapely.force_3d(frame.geometry.array, 12.0))
    )
    result = import_boundaries(path)
    assert result.n_matched == 3 and not result.communes.has_z.any()
    assert (
        "note: Z coordinates of 3 features dropped: the import is two-dimensional"
        in result.summary_lines()
    )


def test_measured_coordinates_are_dropped_and_said_so(tmp_path: Path) -> None:
    result = import_boundaries(measured_gpkg(tmp_path / "m.gpkg"))
    assert result.n_matched == 3 and not result.communes.has_z.any()
    expected = shapely.area(communes().geometry.array)
    assert np.allclose(
        shapely.area(result.communes.sort_values(s.COMMUNE_CODE).geometry.array), expected
    )
    assert any("Measured (M)" in note for note in result.notes)


# --- 8. self-intersections -----------------------------------------------------------------------


def test_a_bow_tie_is_repaired_and_reported(tmp_path: Path) -> None:
    frame = communes()
    x0, y0, x1, y1 = frame.geometry.iloc[0].bounds
    frame.loc[0, "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    assert not frame.geometry.iloc[0].is_valid
    result = import_boundaries(write_gpkg(tmp_path / "bowtie.gpkg", frame))
    assert result.report["geometry_note"].tolist() == ["repaired (make_valid)", "", ""]
    assert result.qa.n_repaired == 1 and result.communes.is_valid.all()
    repaired = result.communes.set_index(s.COMMUNE_CODE).geometry.loc[frame["ma_xa"].iloc[0]]
    assert repaired.area == pytest.approx(
        (x1 - x0) * (y1 - y0) / 2
    )  # the two triangles of the bow tie
    assert next(line for line in result.summary_lines() if line.startswith("geometry:")).startswith(
        "geometry: 1 repaired,"
    )


# --- 9. duplicated codes and rows ----------------------------------------------------------------


def test_two_pieces_with_one_code_are_dissolved_and_reported(tmp_path: Path) -> None:
    frame = communes()
    first = frame.iloc[0]
    west, south, east, north = first.geometry.bounds
    halves = [
        shapely.box(west, south, (west + east) / 2, north),
        shapely.box((west + east) / 2, south, east, north),
    ]
    pieces = gpd.GeoDataFrame(
        {"ma_xa": [first["ma_xa"]] * 2, "ten_xa": [first["ten_xa"]] * 2},
        geometry=halves,
        crs=s.WGS84,
    )
    result = import_boundaries(
        write_gpkg(tmp_path / "dup.gpkg", pd.concat([pieces, frame.iloc[1:]], ignore_index=True))
    )
    assert result.report["outcome"].tolist() == [MATCHED, DISSOLVED, MATCHED, MATCHED]
    assert len(result.communes) == 3 and result.communes[s.COMMUNE_CODE].is_unique
    dissolved = result.communes.set_index(s.COMMUNE_CODE).geometry.loc[first["ma_xa"]]
    assert dissolved.area == pytest.approx(first.geometry.area)


def test_a_commune_twice_in_a_fibre_table_is_counted_once_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "fibre.csv"
    path.write_text(
        "Mã xã,Số hộ,Số hộ có cáp quang\n02215,900,700\n02215,900,700\n00700,100,50\n",
        encoding="utf-8",
    )
    matched = match_table(read_table(path), vintage="2025")
    assert matched.communes[s.HOUSEHOLDS].to_dict() == {"00700": 100.0, "02215": 900.0}
    duplicate = matched.report[matched.report["outcome"] == DUPLICATE]
    assert duplicate["source_row"].tolist() == [3]
    assert (
        duplicate["reason"].iloc[0]
        == "a second row for the same commune: not counted; merge the rows"
    )


def test_a_village_row_repeated_in_a_team_table_is_counted_once_and_reported(
    tmp_path: Path,
) -> None:
    path = tmp_path / "teams.csv"
    rows = [
        "Xã,Thôn,Số tổ,Số thành viên",
        "Phường Minh Xuân,Tổ 1,1,5",
        "Phường Minh Xuân,Tổ 1,1,5",
        "Phường Minh Xuân,Tổ 2,1,4",
        "Xã Ngọc Đường,Tổ 1,1,5",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    matched = match_table(read_table(path), vintage="2025")
    assert matched.communes.loc["02215", [s.VILLAGES, s.TEAMS, s.TEAM_MEMBERS]].tolist() == [
        2.0,
        2.0,
        9.0,
    ]
    assert (
        matched.communes.loc["00700", s.TEAM_MEMBERS] == 5.0
    )  # same village and counts, another commune: counted
    duplicate = matched.report[matched.report["outcome"] == DUPLICATE]
    assert duplicate["source_row"].tolist() == [3]
    assert (
        duplicate["reason"].iloc[0]
        == "a second row for the same village as the row above: not counted; merge the rows"
    )


def test_same_named_villages_apart_in_a_merged_commune_are_both_counted(tmp_path: Path) -> None:
    path = tmp_path / "teams.csv"
    rows = [
        "Xã,Thôn,Số tổ,Số thành viên",
        "Phường Minh Xuân,Tổ 1,1,5",
        "Phường Minh Xuân,Tổ 2,1,4",
        "Phường Minh Xuân,Tổ 1,1,5",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    matched = match_table(read_table(path), vintage="2025")
    assert matched.communes.loc["02215", [s.VILLAGES, s.TEAM_MEMBERS]].tolist() == [3.0, 14.0]
    assert matched.report.empty


# --- 10. Excel formulas and merged cells ---------------------------------------------------------


def test_a_formula_without_a_saved_value_names_the_sheet_cell_and_fix(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "fibre.xlsx",
        [["Xã", "Số hộ"], ["Phường Minh Xuân", 10], ["Xã Ngọc Đường", "=B2*2"]],
    )
    with pytest.raises(
        InputError,
        match=r"fibre.xlsx, sheet 'Sheet': formula cells without a saved value: B3 \(=B2\*2\); .*open it in Excel or LibreOffice, save it",
    ):
        read_table(path)


def test_a_formula_is_read_as_its_saved_value(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "fibre.xlsx",
        [["Xã", "Số hộ"], ["Phường Minh Xuân", 10], ["Xã Ngọc Đường", "=B2*2"]],
    )
    table = read_table(save_cached_value(path, "B2*2", "20"))
    assert table.rows[s.HOUSEHOLDS].tolist() == [10.0, 20.0]


def test_a_merged_number_is_counted_once_and_merged_names_fill_their_rows(tmp_path: Path) -> None:
    rows = [
        ["Xã", "Thôn", "Số hộ"],
        ["Phường Minh Xuân", "Tổ 1", 300],
        [None, "Tổ 2", None],
        [None, "Tổ 3", 50],
    ]
    path = write_xlsx(tmp_path / "villages.xlsx", rows, merges=("A2:A4", "C2:C3"))
    table = read_table(path)
    assert table.rows[s.COMMUNE_NAME].tolist() == ["Phường Minh Xuân"] * 3
    assert table.rows[s.HOUSEHOLDS].fillna(-1).tolist() == [300.0, -1.0, 50.0]
    assert match_table(table, vintage="2025").communes.loc["02215", s.HOUSEHOLDS] == 350.0


# --- 11. HTML and script in names ----------------------------------------------------------------


def test_script_in_names_is_kept_verbatim_through_the_import(tmp_path: Path) -> None:
    frame = communes().assign(ten_xa=[SCRIPT, IMG, "Phường <b>Hiệp</b> Thành"])
    result = import_boundaries(
        write_gpkg(tmp_path / "evil.gpkg", frame),
        options=ImportOptions(code_column="ma_xa", name_column="ten_xa"),
    )
    assert result.n_matched == 3  # by code, near the official centroids
    assert result.report["source_name"].tolist() == [SCRIPT, IMG, "Phường <b>Hiệp</b> Thành"]
    gpkg, csv = write_import(result, tmp_path / "out.gpkg")
    assert sorted(gpd.read_file(gpkg, layer="communes")["source_name"]) == sorted(
        [SCRIPT, IMG, "Phường <b>Hiệp</b> Thành"]
    )
    assert SCRIPT in csv.read_text(encoding="utf-8-sig")


def test_the_import_report_csv_writes_a_formula_name_as_text(tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://example.invalid","x")'
    frame = communes().assign(ten_xa=[formula, "+1+1", "Phường Hiệp Thành"])
    result = import_boundaries(
        write_gpkg(tmp_path / "evil.gpkg", frame),
        options=ImportOptions(code_column="ma_xa", name_column="ten_xa"),
    )
    gpkg, csv = write_import(result, tmp_path / "out.gpkg")
    names = pd.read_csv(csv, encoding="utf-8-sig", dtype=str)["source_name"].tolist()
    assert names == [f"'{formula}", "'+1+1", "Phường Hiệp Thành"]
    assert formula in gpd.read_file(gpkg, layer="report")["source_name"].tolist()


def test_script_in_a_table_is_kept_verbatim(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "teams.xlsx",
        [["Xã", "Thôn", "Số tổ"], ["Phường Minh Xuân", SCRIPT, 1], ["Phường Minh Xuân", IMG, 1]],
    )
    table = read_table(path)
    assert table.rows[s.VILLAGE_NAME].tolist() == [SCRIPT, IMG]
    assert match_table(table, vintage="2025").communes.loc["02215", s.TEAMS] == 2.0


def test_exports_keep_names_as_data_and_the_html_map_escapes_them() -> None:
    from layers import export, html_export
    from tests.layers.test_export import ind_layers

    frame = ind_layers()["commune"]
    frame.loc[0, s.COMMUNE_NAME], frame.loc[1, s.COMMUNE_NAME] = SCRIPT, IMG
    page = html_export.html_bytes(frame, column=s.PCT_POP_4G).decode("utf-8")
    assert SCRIPT not in page and "<img src=x" not in page
    assert (
        "\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;/script\\u0026gt;" in page
    )  # HTML-escaped, then JSON-escaped
    assert SCRIPT in export.geojson_bytes(frame).decode(
        "utf-8"
    )  # data formats carry the text as it is
    assert (
        IMG
        in pd.read_csv(pd.io.common.BytesIO(export.csv_bytes(frame)), encoding="utf-8-sig")[
            s.COMMUNE_NAME
        ].tolist()
    )


# --- 12. values in count columns that are not counts ---------------------------------------------


@pytest.fixture
def bad_counts(tmp_path: Path) -> Path:
    path = tmp_path / "fibre.csv"
    rows = [
        "Xã,Số hộ,Số hộ có cáp quang",
        "Phường Minh Xuân,inf,1",
        "Xã Ngọc Đường,-5,1",
        "Xã Phú Linh,abc,2",
        "Xã Lũng Cú,10,20",
        "Xã Đồng Văn,NaN,3",
        "Xã Sà Phìn,#DIV/0!,3",
        "Xã Phố Bảng,120,100",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_unusable_counts_take_their_rows_out_with_the_reason(bad_counts: Path) -> None:
    table = read_table(bad_counts)
    assert table.rows[s.COMMUNE_NAME].tolist() == ["Xã Phố Bảng"]
    invalid = table.removed[table.removed["outcome"] == INVALID].set_index("source_row")["reason"]
    assert invalid.index.tolist() == [2, 3, 4, 5, 6, 7]
    assert (
        invalid[2]
        == "'Số hộ' = 'inf' is not a finite number (a count is a number ≥ 0, or empty): row not counted; correct the cells and load the table again"
    )
    assert invalid[3].startswith("'Số hộ' = '-5' is negative")
    assert invalid[4].startswith("'Số hộ' = 'abc' is not a number")
    assert invalid[5].startswith("'Số hộ có cáp quang' 20 is more than 'Số hộ' 10:")
    assert invalid[6].startswith("'Số hộ' = 'NaN' is not a number")
    assert invalid[7].startswith("'Số hộ' = '#DIV/0!' is not a number")


def test_totals_count_only_the_valid_rows_and_the_report_lists_the_others(bad_counts: Path) -> None:
    matched = match_table(read_table(bad_counts), vintage="2025")
    assert matched.communes[[s.HOUSEHOLDS, s.HOUSEHOLDS_FIBRE]].sum().tolist() == [120.0, 100.0]
    assert (matched.report["outcome"] == INVALID).sum() == 6


def test_a_table_with_no_countable_row_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "fibre.csv"
    path.write_text("Xã,Số hộ\nPhường Minh Xuân,-1\nTổng cộng,-1\n", encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"fibre.csv: no row can be counted \(1 invalid, 1 totals or headings\): row 2: 'Số hộ' = '-1' is negative",
    ):
        read_table(path)


def test_excel_number_cells_are_checked_too(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["Xã", "Số hộ"],
            ["Phường Minh Xuân", -3],
            ["Xã Ngọc Đường", "#DIV/0!"],
            ["Xã Phú Linh", 7],
        ],
    )
    table = read_table(path)
    assert table.rows[s.HOUSEHOLDS].tolist() == [7.0]
    assert table.removed["reason"].str.split(" \\(").str[0].tolist() == [
        "'Số hộ' = -3 is negative",
        "'Số hộ' = '#DIV/0!' is not a number",
    ]


# --- 13. empty tables and empty geo files --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("t.csv", lambda p: p.write_bytes(b""), r"t.csv is empty \(0 bytes\), not a CSV table"),
        (
            "t.csv",
            lambda p: p.write_text("\n \n\n"),
            r"t.csv is empty \(no text, or only blank lines\)",
        ),
        (
            "t.csv",
            lambda p: p.write_text("Xã,Số hộ\n"),
            r"t.csv has a header \(\['Xã', 'Số hộ'\]\) but no data row under it",
        ),
        (
            "t.csv",
            lambda p: p.write_text("Xã,Số hộ\n,\n,\n"),
            r"t.csv has a header .* but no data row",
        ),
        (
            "t.xlsx",
            lambda p: write_xlsx(p, [["Xã", "Số hộ"]]),
            r"t.xlsx has a header \(\['Xã', 'Số hộ'\]\) but no data row",
        ),
        ("t.xlsx", lambda p: write_xlsx(p, []), r"t.xlsx is empty: no cell holds a value"),
        ("t.xlsx", lambda p: p.write_bytes(b""), r"t.xlsx is empty \(0 bytes\)"),
    ],
)
def test_an_empty_table_is_an_error_naming_the_file(
    tmp_path: Path, name: str, make: Callable[[Path], object], message: str
) -> None:
    path = tmp_path / name
    make(path)
    with pytest.raises(InputError, match=message):
        read_table(path)


def _empty_layer(path: Path) -> None:
    communes().head(0).to_file(path)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        (
            "xa.gpkg",
            lambda p: p.write_bytes(b""),
            r"xa.gpkg is empty \(0 bytes\), not a GeoPackage",
        ),
        ("xa.geojson", lambda p: p.write_bytes(b""), r"xa.geojson is empty \(0 bytes\)"),
        ("xa.shp", lambda p: p.write_bytes(b""), r"xa.shp is empty \(0 bytes\)"),
        (
            "xa.geojson",
            lambda p: p.write_text('{"type": "FeatureCollection", "features": []}'),
            "has no features; export the layer again",
        ),
        ("xa.gpkg", _empty_layer, "has no features"),
        ("xa.zip", lambda p: zipfile.ZipFile(p, "w").close(), r"xa.zip holds no vector file"),
    ],
)
def test_an_empty_geo_file_is_an_error_naming_the_file(
    tmp_path: Path, name: str, make: Callable[[Path], object], message: str
) -> None:
    path = tmp_path / name
    make(path)
    with pytest.raises(InputError, match=message):
        import_boundaries(path)


# --- the command line: exit 2, one line, nothing written, nothing lost ----------------------------


def _traversal_zip(path: Path) -> Path:
    return zip_files(path, {f"../{k}": v for k, v in shapefile_bytes(path.parent / "shp").items()})


def _declared_bomb(path: Path) -> Path:
    return declare_size(zip_files(path, shapefile_bytes(path.parent / "shp")), 3 * 1024**3)


def _png(path: Path) -> Path:
    path.write_bytes(PNG)
    return path


def _truncated(path: Path) -> Path:
    whole = write_gpkg(path.parent / "whole.gpkg").read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _zip_without(part: str) -> Callable[[Path], Path]:
    return lambda path: zip_files(path, shapefile_bytes(path.parent / "shp", without=part))


HOSTILE = [
    ("evil.zip", _traversal_zip, "point outside the archive's folder"),
    ("bomb.zip", _declared_bomb, "zip bomb"),
    ("picture.gpkg", _png, "is a PNG image"),
    ("cut.gpkg", _truncated, "is truncated"),
    ("noshx.zip", _zip_without(".shx"), "has no xa.shx"),
    ("nodbf.zip", _zip_without(".dbf"), "has no xa.dbf"),
    (
        "empty.geojson",
        lambda p: (p.write_text('{"type": "FeatureCollection", "features": []}'), p)[1],
        "has no features",
    ),
]


@pytest.mark.parametrize("existing", [False, True], ids=["new-out", "existing-out"])
@pytest.mark.parametrize(("name", "make", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_the_command_line_refuses_in_one_line_and_touches_no_output(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    make: Callable[[Path], Path],
    message: str,
    existing: bool,
) -> None:
    source = make(tmp_path / name)
    out_dir = tmp_path / "out"
    out = out_dir / "communes.gpkg"
    if existing:
        out_dir.mkdir()
        out.write_bytes(b"the planner's previous import")
        report_csv_path(out).write_bytes(b"feature,outcome\n")
    assert main(["import-boundaries", str(source), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert str(source) in err
    if existing:
        assert out.read_bytes() == b"the planner's previous import"
        assert report_csv_path(out).read_bytes() == b"feature,outcome\n"
        assert sorted(p.name for p in out_dir.iterdir()) == ["communes.gpkg", "communes.report.csv"]
    else:
        assert not out_dir.exists() or not any(out_dir.iterdir())


def test_the_command_line_refuses_a_table_it_cannot_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "fibre.csv"
    table.write_text("Xã,Số hộ,Số hộ có cáp quang\n", encoding="utf-8")
    boundaries, _ = write_import(
        import_boundaries(write_gpkg(tmp_path / "xa.gpkg")), tmp_path / "b.gpkg"
    )
    out = tmp_path / "ind.gpkg"
    assert (
        main(
            [
                "build-indicators",
                "--boundaries",
                str(boundaries),
                "--fibre",
                str(table),
                "--out",
                str(out),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "fibre.csv has a header" in err and err.count("\n") == 1
    assert not out.exists()
