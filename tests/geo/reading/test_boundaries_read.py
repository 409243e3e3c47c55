"""Reading boundary layers: checks, fixes in the messages, normalisation; and display simplification."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo import schema
from geo.errors import CRSError, InputError
from geo.reading.boundaries import (
    boundaries_file,
    normalise_attributes,
    read_boundary_layer,
)


def _communes(crs: str | None = schema.WGS84) -> gpd.GeoDataFrame:
    squares = [shapely.box(105 + i, 21, 106 + i, 22) for i in range(3)]
    return gpd.GeoDataFrame(
        {
            schema.COMMUNE_CODE: ["00004", "00008", "02266"],
            schema.COMMUNE_NAME: [
                "Phường Ba Đình",
                unicodedata.normalize("NFD", "Xã Hòa"),
                "Xã Hùng Lợi",
            ],
            schema.COMMUNE_TYPE: ["Phường", "Xã", "Xã"],
            schema.PROVINCE_CODE: ["01", "01", "08"],
            schema.PROVINCE_NAME: ["Thành phố Hà Nội", "Thành phố Hà Nội", "Tỉnh Tuyên Quang"],
            schema.AREA_KM2_OFFICIAL: [2.97, 10.5, 120.0],
            schema.AREA_KM2: [3.0, 11.0, 118.0],
            schema.N_LEGACY_COMMUNES: [4, 2, 1],
            schema.APPROXIMATE: [True, True, True],
        },
        geometry=[shapely.MultiPolygon([s]) for s in squares],
        crs=crs,
    )


def _write(data_dir: Path, gdf: gpd.GeoDataFrame, layer: str = schema.LAYER_COMMUNES_2025) -> Path:
    path = data_dir / "boundaries" / schema.BOUNDARIES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(path, layer=layer, driver="GPKG")
    return path


def test_reads_a_layer_of_a_data_folder(tmp_path: Path) -> None:
    _write(tmp_path, _communes())
    gdf = read_boundary_layer(
        tmp_path / "boundaries" / schema.BOUNDARIES_FILE, schema.LAYER_COMMUNES_2025
    )
    assert list(gdf[schema.COMMUNE_CODE]) == ["00004", "00008", "02266"]
    assert gdf.crs == schema.WGS84


def test_reads_a_layer_from_a_file_path(tmp_path: Path) -> None:
    path = _write(tmp_path, _communes())
    assert len(read_boundary_layer(path, schema.LAYER_COMMUNES_2025)) == 3


def test_missing_file_names_the_file_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"not found: .*vn_boundaries_approx\.gpkg; use a data folder .*import-boundaries",
    ):
        read_boundary_layer(
            tmp_path / "boundaries" / schema.BOUNDARIES_FILE, schema.LAYER_COMMUNES_2025
        )


def test_missing_layer_lists_the_layers_found(tmp_path: Path) -> None:
    path = _write(tmp_path, _communes())
    with pytest.raises(InputError, match=r"no layer 'provinces_2025'; found \['communes_2025'\]"):
        read_boundary_layer(path, schema.LAYER_PROVINCES_2025)


def test_missing_columns_are_named_with_the_columns_found(tmp_path: Path) -> None:
    path = _write(
        tmp_path, _communes().drop(columns=[schema.N_LEGACY_COMMUNES, schema.APPROXIMATE])
    )
    with pytest.raises(
        InputError, match=r"lacks the columns \['n_legacy_communes', 'approximate'\]; found \["
    ):
        read_boundary_layer(path, schema.LAYER_COMMUNES_2025)


def test_a_file_that_is_not_a_geopackage_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "boundaries" / schema.BOUNDARIES_FILE
    path.parent.mkdir(parents=True)
    path.write_text("not a database")
    with pytest.raises(InputError, match="cannot open"):
        read_boundary_layer(path, schema.LAYER_COMMUNES_2025)


def test_layer_without_crs_is_a_crs_error(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        path = _write(tmp_path, _communes(crs=None))
    with pytest.raises(CRSError, match="has no CRS"):
        read_boundary_layer(path, schema.LAYER_COMMUNES_2025)


def test_projected_layer_is_returned_in_wgs84(tmp_path: Path) -> None:
    path = _write(tmp_path, _communes().to_crs(schema.VN_EQUAL_AREA))
    gdf = read_boundary_layer(path, schema.LAYER_COMMUNES_2025)
    assert gdf.crs == schema.WGS84
    assert gdf.total_bounds == pytest.approx([105, 21, 108, 22], abs=1e-6)


def test_integer_codes_are_zero_padded(tmp_path: Path) -> None:
    gdf = _communes()
    gdf[schema.COMMUNE_CODE] = [4, 8, 2266]
    gdf[schema.PROVINCE_CODE] = [1, 1, 8]
    out = read_boundary_layer(_write(tmp_path, gdf), schema.LAYER_COMMUNES_2025)
    assert list(out[schema.COMMUNE_CODE]) == ["00004", "00008", "02266"]
    assert list(out[schema.PROVINCE_CODE]) == ["01", "01", "08"]


def test_names_are_nfc() -> None:
    out = normalise_attributes(_communes())
    assert out.loc[1, schema.COMMUNE_NAME] == unicodedata.normalize("NFC", "Xã Hòa")


def test_boundaries_file_is_checked(tmp_path: Path) -> None:
    path = _write(tmp_path, _communes())
    assert boundaries_file(path) == path
    with pytest.raises(
        InputError, match="not found: .*missing.gpkg .in folder X.; use a data folder"
    ):
        boundaries_file(tmp_path / "missing.gpkg", context=" (in folder X)")
