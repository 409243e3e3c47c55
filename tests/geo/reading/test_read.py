"""Opening boundary files of every supported kind, and refusing the unusable ones clearly."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.errors import InputError
from geo.reading.read import RAW_ENCODING, feature_layers, read_source


def polygons(n: int = 3) -> gpd.GeoDataFrame:
    """``n`` unit squares near Cà Mau with zero-padded codes and Vietnamese names."""
    geometry = [shapely.box(105.0 + i * 0.01, 9.0, 105.009 + i * 0.01, 9.009) for i in range(n)]
    return gpd.GeoDataFrame(
        {"ma": [f"3{i:04d}" for i in range(n)], "ten": ["Phường Hòa Bình"] * n},
        geometry=geometry,
        crs="EPSG:4326",
    )


def write_shapefile(
    frame: gpd.GeoDataFrame,
    folder: Path,
    name: str = "xa",
    *,
    prj: bool = True,
    ldid: int | None = None,
) -> Path:
    """A shapefile without a .cpg whose DBF bytes are ``frame``'s text read as Latin-1 (UTF-8 bytes for Unicode)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.shp"
    surface = {
        c: frame[c].map(_latin1_surface)
        for c in frame.columns
        if c != frame.geometry.name and pd.api.types.is_string_dtype(frame[c])
    }
    pyogrio.write_dataframe(frame.assign(**surface), path, encoding="latin1")
    (folder / f"{name}.cpg").unlink()
    if not prj:
        (folder / f"{name}.prj").unlink(missing_ok=True)
    if ldid is not None:
        dbf = folder / f"{name}.dbf"
        data = bytearray(dbf.read_bytes())
        data[29] = ldid
        dbf.write_bytes(bytes(data))
    return path


def _latin1_surface(text: str) -> str:
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8").decode("latin-1")


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"data/{file.name}")
    return target


def test_a_geopackage_layer_is_read_with_its_crs(tmp_path: Path) -> None:
    path = tmp_path / "xa.gpkg"
    polygons().to_file(path, layer="xa")
    source = read_source(path)
    assert source.layer == "xa" and source.driver == "GPKG"
    assert source.crs_declared and source.frame.crs.to_epsg() == 4326
    assert source.frame["ten"].iloc[0] == "Phường Hòa Bình"


def test_several_polygon_layers_ask_for_one(tmp_path: Path) -> None:
    path = tmp_path / "many.gpkg"
    polygons().to_file(path, layer="communes")
    polygons().to_file(path, layer="districts")
    with pytest.raises(
        InputError,
        match=r"several layers with features \['communes', 'districts'\]; pass .* --layer",
    ):
        read_source(path)
    assert read_source(path, layer="districts").layer == "districts"
    with pytest.raises(InputError, match="no layer 'x'"):
        read_source(path, layer="x")


def test_the_only_polygon_layer_is_taken_beside_a_point_layer(tmp_path: Path) -> None:
    path = tmp_path / "mixed.gpkg"
    polygons().to_file(path, layer="communes")
    polygons().set_geometry(shapely.centroid(polygons().geometry.array)).to_file(
        path, layer="offices"
    )
    assert read_source(path).layer == "communes"


def test_a_qgis_geopackage_with_layer_styles_reads_its_only_feature_layer(tmp_path: Path) -> None:
    path = tmp_path / "qgis.gpkg"
    polygons().to_file(path, layer="ranh_gioi_xa")
    styles = pd.DataFrame({"f_table_name": ["ranh_gioi_xa"], "styleName": ["Mặc định"]})
    pyogrio.write_dataframe(styles, path, layer="layer_styles", driver="GPKG")
    assert feature_layers(path) == ["ranh_gioi_xa"]
    assert read_source(path).layer == "ranh_gioi_xa"


def test_layer_styles_is_never_offered_among_several_layers(tmp_path: Path) -> None:
    path = tmp_path / "qgis.gpkg"
    polygons().to_file(path, layer="communes")
    polygons().to_file(path, layer="districts")
    styles = pd.DataFrame({"f_table_name": ["communes"], "styleName": ["x"]})
    pyogrio.write_dataframe(styles, path, layer="layer_styles", driver="GPKG")
    assert feature_layers(path) == ["communes", "districts"]
    with pytest.raises(InputError, match=r"features \['communes', 'districts'\]; pass"):
        read_source(path)


def test_a_zipped_shapefile_is_read_in_place_with_its_text_hints(tmp_path: Path) -> None:
    write_shapefile(polygons().assign(ten="Céng hoµ"), tmp_path / "shp", ldid=0x57)
    source = read_source(zip_folder(tmp_path / "shp", tmp_path / "xa.zip"))
    assert source.layer == "data/xa.shp" and source.driver == "ESRI Shapefile"
    assert source.ldid == 0x57 and source.cpg is None and source.declared_encoding == "cp1252"
    assert source.text_encoding == RAW_ENCODING
    assert source.frame["ten"].iloc[0] == "Céng hoµ"  # bytes as they are, decoded later
    assert source.crs_declared


def test_a_loose_shapefile_without_prj_has_no_crs(tmp_path: Path) -> None:
    path = write_shapefile(polygons(), tmp_path, prj=False)
    source = read_source(path)
    assert source.frame.crs is None and not source.crs_declared


def test_a_zip_with_two_shapefiles_asks_for_one(tmp_path: Path) -> None:
    write_shapefile(polygons(), tmp_path / "shp", "xa")
    write_shapefile(polygons(), tmp_path / "shp", "huyen")
    path = zip_folder(tmp_path / "shp", tmp_path / "two.zip")
    with pytest.raises(InputError, match=r"several layers .*data/huyen.shp.*--layer"):
        read_source(path)
    assert read_source(path, layer="xa").layer == "data/xa.shp"


def test_a_truncated_zip_is_refused(tmp_path: Path) -> None:
    write_shapefile(polygons(), tmp_path / "shp")
    whole = zip_folder(tmp_path / "shp", tmp_path / "whole.zip").read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="truncated"):
        read_source(cut)


def test_a_kmz_is_read(tmp_path: Path) -> None:
    kml = tmp_path / "doc.kml"
    pyogrio.write_dataframe(polygons(), kml, driver="KML")
    kmz = tmp_path / "xa.kmz"
    with zipfile.ZipFile(kmz, "w") as archive:
        archive.write(kml, "doc.kml")
    source = read_source(kmz)
    assert len(source.frame) == 3 and source.crs_declared
    assert "Phường Hòa Bình" in source.frame.astype(str).to_numpy()


@pytest.mark.parametrize("suffix", [".geojson", ".fgb", ".parquet"])
def test_geojson_flatgeobuf_and_geoparquet_are_read(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"xa{suffix}"
    if suffix == ".parquet":
        polygons().to_parquet(path)
    else:
        polygons().to_file(path)
    source = read_source(path)
    assert len(source.frame) == 3 and source.frame.crs.to_epsg() == 4326


def test_geojson_in_metres_is_not_taken_for_wgs84(tmp_path: Path) -> None:
    path = tmp_path / "metres.geojson"
    path.write_text(
        polygons().to_crs("EPSG:9209").set_crs(None, allow_override=True).to_json(),
        encoding="utf-8",
    )
    assert not read_source(path).crs_declared


def test_z_coordinates_are_dropped(tmp_path: Path) -> None:
    frame = polygons()
    frame = frame.set_geometry(shapely.force_3d(frame.geometry.array, 12.0))
    path = tmp_path / "z.gpkg"
    frame.to_file(path)
    assert not read_source(path).frame.has_z.any()


def test_a_text_file_is_not_a_geo_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.gpkg"
    path.write_text("Danh sách xã\n")
    with pytest.raises(
        InputError,
        match=r"is plain text \(.Danh sách xã.\), not a GeoPackage as its extension says",
    ):
        read_source(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_source(tmp_path / "none.gpkg")


def test_an_empty_layer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.gpkg"
    polygons().head(0).to_file(path)
    with pytest.raises(InputError, match="has no features"):
        read_source(path)


def test_points_only_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "points.gpkg"
    polygons().set_geometry(shapely.centroid(polygons().geometry.array)).to_file(path)
    with pytest.raises(InputError, match=r"no polygons, only \['Point'\]"):
        read_source(path)
