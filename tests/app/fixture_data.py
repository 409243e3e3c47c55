"""A small data folder for app tests: four square communes with zero-padded codes in two provinces."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo import schema

APP = Path(__file__).resolve().parents[2] / "app.py"
N_COMMUNES = 4


def write_data_dir(root: Path) -> Path:
    """A data folder with four square communes (codes zero-padded) in two provinces."""
    squares = [shapely.box(105 + i, 21, 106 + i, 22) for i in range(N_COMMUNES)]
    communes = gpd.GeoDataFrame(
        {
            schema.COMMUNE_CODE: ["00004", "00008", "02266", "02269"],
            schema.COMMUNE_NAME: ["Phường Ba Đình", "Xã <b>Thử</b> & \"nháy\"", "Xã Hùng Lợi", "Đặc khu Thử"],
            schema.COMMUNE_TYPE: ["Phường", "Xã", "Xã", "Đặc khu"],
            schema.PROVINCE_CODE: ["01", "01", "08", "08"],
            schema.PROVINCE_NAME: ["Thành phố Hà Nội", "Thành phố Hà Nội", "Tỉnh Tuyên Quang", "Tỉnh Tuyên Quang"],
            schema.AREA_KM2_OFFICIAL: [2.97, 35.5, 120.0, np.nan],
            schema.AREA_KM2: [3.1, 36.0, 118.0, 90.0],
            schema.N_LEGACY_COMMUNES: [4, 2, 1, 7],
            schema.APPROXIMATE: [True] * N_COMMUNES,
        },
        geometry=[shapely.MultiPolygon([s]) for s in squares],
        crs=schema.WGS84,
    )
    provinces = communes.dissolve(schema.PROVINCE_CODE, aggfunc={schema.PROVINCE_NAME: "first"}).reset_index()
    provinces[schema.N_COMMUNES] = [2, 2]
    provinces[schema.AREA_KM2] = [39.1, 208.0]
    provinces[schema.APPROXIMATE] = True
    provinces = provinces.set_geometry([shapely.MultiPolygon(list(getattr(g, "geoms", [g]))) for g in provinces.geometry])
    path = root / "boundaries" / schema.BOUNDARIES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    communes.to_file(path, layer=schema.LAYER_COMMUNES_2025, driver="GPKG")
    provinces.to_file(path, layer=schema.LAYER_PROVINCES_2025, driver="GPKG")
    return root
