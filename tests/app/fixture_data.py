"""A small data folder for app tests, built in code.

Four square 2025 communes (zero-padded codes, one with a hostile name) in two
provinces, one legacy commune per square (codes that the real crosswalk sends
whole into that 2025 commune) with their legacy districts and provinces, and
small DEMO coverage inputs: a 4G signal raster, a population raster, a fibre
table and a team table by village (with a 4G column). Expected indicators:

- 00004 Ba Đình: 4G 100 %, fibre 90 %, teams in 100 % of villages → meets every target.
- 00008 (hostile name): 4G 100 %, fibre 50 % → misses the fibre target.
- 02266 Lâm Bình: 4G 50 % of the people (east half −120 dBm), no fibre to the commune.
- 02269 Thượng Lâm: no 4G; no fibre or team row (no data).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
import shapely.geometry
from affine import Affine

from geo import schema

APP = Path(__file__).resolve().parents[2] / "app.py"
N_COMMUNES = 4
CODES = ["00004", "00008", "02266", "02269"]
HOSTILE_NAME = 'Xã <b>Thử</b> & "nháy"'
LEGACY_CODES = ["00004", "00006", "02233", "02251"]
#: Communes that miss a target with the default targets, largest uncovered population first.
UNCOVERED = ["02269", "02266", "00008"]
#: Villages in the team table (all inside the four communes) and those listed as not covered:
#: Ba Đình TDP 10 (no 4G), Lâm Bình Thôn 7-12 (no team; 10-12 also no 4G).
N_VILLAGES = 30
UNCOVERED_VILLAGES = [
    "Tổ dân phố 10",
    "Thôn 7",
    "Thôn 8",
    "Thôn 9",
    "Thôn 10",
    "Thôn 11",
    "Thôn 12",
]
VILLAGES_NO_4G = ["Tổ dân phố 10", "Thôn 10", "Thôn 11", "Thôn 12"]


def _squares() -> list[shapely.Polygon]:
    return [shapely.box(105 + i, 21, 106 + i, 22) for i in range(N_COMMUNES)]


def _multi(geoms: gpd.GeoSeries) -> list[shapely.MultiPolygon]:
    return [shapely.MultiPolygon(list(getattr(g, "geoms", [g]))) for g in geoms]


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            schema.COMMUNE_CODE: CODES,
            schema.COMMUNE_NAME: ["Phường Ba Đình", HOSTILE_NAME, "Xã Lâm Bình", "Xã Thượng Lâm"],
            schema.COMMUNE_TYPE: ["Phường", "Xã", "Xã", "Xã"],
            schema.PROVINCE_CODE: ["01", "01", "08", "08"],
            schema.PROVINCE_NAME: [
                "Thành phố Hà Nội",
                "Thành phố Hà Nội",
                "Tỉnh Tuyên Quang",
                "Tỉnh Tuyên Quang",
            ],
            schema.AREA_KM2_OFFICIAL: [2.97, 35.5, 120.0, np.nan],
            schema.AREA_KM2: [3.1, 36.0, 118.0, 90.0],
            schema.N_LEGACY_COMMUNES: [4, 2, 1, 7],
            schema.APPROXIMATE: [True] * N_COMMUNES,
        },
        geometry=[shapely.MultiPolygon([s]) for s in _squares()],
        crs=schema.WGS84,
    )


def _legacy() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    communes = gpd.GeoDataFrame(
        {
            schema.COMMUNE_CODE: LEGACY_CODES,
            schema.COMMUNE_NAME: [
                "Phường Trúc Bạch",
                "Phường Vĩnh Phúc",
                "Xã Phúc Yên",
                "Xã Khuôn Hà",
            ],
            schema.COMMUNE_TYPE: ["Phường", "Phường", "Xã", "Xã"],
            schema.DISTRICT_CODE: ["001", "001", "071", "071"],
            schema.DISTRICT_NAME: [
                "Quận Ba Đình",
                "Quận Ba Đình",
                "Huyện Lâm Bình",
                "Huyện Lâm Bình",
            ],
            schema.PROVINCE_CODE: ["01", "01", "08", "08"],
            schema.PROVINCE_NAME: [
                "Thành phố Hà Nội",
                "Thành phố Hà Nội",
                "Tỉnh Tuyên Quang",
                "Tỉnh Tuyên Quang",
            ],
            schema.NEW_COMMUNE_CODES: CODES,
            schema.AREA_KM2: [3.1, 36.0, 118.0, 90.0],
            schema.APPROXIMATE: [True] * N_COMMUNES,
        },
        geometry=[shapely.MultiPolygon([s]) for s in _squares()],
        crs=schema.WGS84,
    )
    districts = communes.dissolve(schema.DISTRICT_CODE, aggfunc="first").reset_index()
    districts = districts[
        [
            schema.DISTRICT_CODE,
            schema.DISTRICT_NAME,
            schema.PROVINCE_CODE,
            schema.PROVINCE_NAME,
            "geometry",
        ]
    ]
    districts[schema.DISTRICT_TYPE] = ["Quận", "Huyện"]
    districts[schema.N_COMMUNES] = [2, 2]
    districts[schema.AREA_KM2] = [39.1, 208.0]
    districts[schema.APPROXIMATE] = True
    provinces = communes.dissolve(
        schema.PROVINCE_CODE, aggfunc={schema.PROVINCE_NAME: "first"}
    ).reset_index()
    provinces["n_districts"] = [1, 1]
    provinces[schema.AREA_KM2] = [39.1, 208.0]
    provinces[schema.APPROXIMATE] = True
    for frame in (districts, provinces):
        frame.geometry = _multi(frame.geometry)
    return communes, districts, provinces


def _write_raster(
    path: Path,
    values: np.ndarray,
    *,
    cell: float,
    nodata: float | None = None,
    as_of: str = "2026-06-30",
) -> None:
    profile = {
        "driver": "GTiff",
        "width": values.shape[1],
        "height": values.shape[0],
        "count": 1,
        "dtype": values.dtype,
        "crs": schema.WGS84,
        "transform": Affine(cell, 0, 105.0, 0, -cell, 22.0),
        "nodata": nodata,
    }
    with rasterio.open(path, "w", **profile) as sink:
        sink.write(values, 1)
        sink.update_tags(as_of=as_of)


def write_coverage(root: Path) -> Path:
    """DEMO coverage inputs for the four squares in ``root/coverage/``."""
    folder = root / "coverage"
    folder.mkdir(parents=True, exist_ok=True)
    signal = np.full((20, 80), -90, dtype="int16")
    signal[:, 50:] = -120  # east half of square 3 and all of square 4
    _write_raster(folder / "DEMO_rsrp_4g.tif", signal, cell=0.05, nodata=-32768)
    _write_raster(
        folder / "DEMO_population.tif",
        np.full((4, 16), 100.0, dtype="float32"),
        cell=0.25,
        as_of="2025-12-31",
    )
    (folder / "DEMO_fibre.csv").write_text(
        "Tỉnh,Xã,Số hộ,Số hộ có cáp quang,Cáp quang đến xã\n"
        "Hà Nội,Phường Ba Đình,1000,900,Có\nHà Nội,Phường Ngọc Hà,800,400,Có\nTuyên Quang,Xã Lâm Bình,500,0,Không\n",
        encoding="utf-8",
    )
    (folder / "DEMO_teams.csv").write_text(team_villages_csv(), encoding="utf-8")
    return folder


def team_villages_csv() -> str:
    """The team table by village (see ``UNCOVERED_VILLAGES``): per commune, the same totals as a commune table.

    Ba Đình: 10 tổ dân phố, one team of 5 each, 4G everywhere but TDP 10. Ngọc Hà: 8, one team each,
    4G in all but TDP 8, whose 4G cell is empty (unknown). Lâm Bình: 12 thôn, teams in Thôn 1-6 only,
    Thôn 10-12 "Trắng sóng".
    """
    lines = ["Tỉnh,Xã,Thôn/tổ dân phố,Số tổ công nghệ số cộng đồng,Số thành viên,Sóng 4G"]
    lines += [
        f"Hà Nội,Phường Ba Đình,Tổ dân phố {i},1,5,{'Không' if i == 10 else 'Có'}"
        for i in range(1, 11)
    ]
    lines += [
        f"Hà Nội,Phường Ngọc Hà,Tổ dân phố {i},1,5,{'' if i == 8 else 'Có'}" for i in range(1, 9)
    ]
    lines += [
        f"Tuyên Quang,Xã Lâm Bình,Thôn {i},{int(i <= 6)},{5 * int(i <= 6)},{'Trắng sóng' if i >= 10 else 'Có'}"
        for i in range(1, 13)
    ]
    return "\n".join(lines) + "\n"


def write_data_dir(root: Path, *, coverage: bool = True) -> Path:
    """The data folder: boundaries (2025 and legacy layers) and, unless told not to, DEMO coverage inputs."""
    communes = _communes()
    provinces = communes.dissolve(
        schema.PROVINCE_CODE, aggfunc={schema.PROVINCE_NAME: "first"}
    ).reset_index()
    provinces[schema.N_COMMUNES] = [2, 2]
    provinces[schema.AREA_KM2] = [39.1, 208.0]
    provinces[schema.APPROXIMATE] = True
    provinces = provinces.set_geometry(_multi(provinces.geometry))
    path = root / "boundaries" / schema.BOUNDARIES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    communes.to_file(path, layer=schema.LAYER_COMMUNES_2025, driver="GPKG")
    provinces.to_file(path, layer=schema.LAYER_PROVINCES_2025, driver="GPKG")
    legacy_layers = (
        schema.LAYER_COMMUNES_LEGACY,
        schema.LAYER_DISTRICTS_LEGACY,
        schema.LAYER_PROVINCES_LEGACY,
    )
    for layer, frame in zip(legacy_layers, _legacy()):
        frame.to_file(path, layer=layer, driver="GPKG")
    if coverage:
        write_coverage(root)
    return root


#: A province's "real" commune boundaries for upload tests: Hà Nội's two wards drawn where they are
#: (about 2 km across, beside their official centres), not as the approximate 1° squares.
UPLOAD_PROVINCE = "01"
UPLOAD_FILE = "ranh_gioi_ha_noi.geojson"
#: Giảng Võ (00025) is not one of the four fixture communes: the upload adds it.
UPLOAD_CODES = ["00004", "00008", "00025"]
UPLOAD_BOXES = [
    (105.827, 21.030, 105.849, 21.046),
    (105.806, 21.030, 105.827, 21.046),
    (105.806, 21.018, 105.822, 21.030),
]
UPLOAD_NAMES = ["Phường Ba Đình", "Phường Ngọc Hà", "Phường Giảng Võ"]
FIBRE_FILE = "cap_quang_ha_noi.xlsx"
#: With both uploads: the one ward of Hà Nội that misses a target (fibre to 70 % of households),
#: and its households without fibre.
UPLOAD_UNCOVERED = ["00004"]
UPLOAD_HOUSEHOLDS_NO_FIBRE = 300


def province_boundaries_geojson() -> bytes:
    """A GeoJSON (RFC 7946, no CRS member) of the upload wards, attributes named as a province names them."""
    import json

    features = [
        {
            "type": "Feature",
            "properties": {"MaXa": code, "TenXa": name, "TenTinh": "Hà Nội"},
            "geometry": shapely.geometry.mapping(shapely.box(*box)),
        }
        for code, name, box in zip(UPLOAD_CODES, UPLOAD_NAMES, UPLOAD_BOXES)
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False
    ).encode("utf-8")


def fibre_workbook() -> bytes:
    """An Excel fibre table with Vietnamese headers for the upload wards (as a province reports it)."""
    import io

    import pandas as pd

    table = pd.DataFrame(
        {
            "Tỉnh": ["Hà Nội", "Hà Nội"],
            "Xã/phường": UPLOAD_NAMES[:2],
            "Số hộ": [1000, 800],
            "Số hộ có cáp quang": [700, 780],
            "Cáp quang đến xã": ["Có", "Có"],
        },
    )
    buffer = io.BytesIO()
    table.to_excel(buffer, index=False, sheet_name="Cáp quang")
    return buffer.getvalue()


def projected_boundaries_zip(n: int = 2) -> bytes:
    """A zipped shapefile of the first ``n`` upload wards in WGS 84 / UTM 48N, without its .prj.

    With two features the CRS cannot be inferred from the coordinates: the page must ask for it.
    """
    import io
    import tempfile
    import zipfile

    frame = gpd.GeoDataFrame(
        {"MaXa": UPLOAD_CODES[:n], "TenXa": UPLOAD_NAMES[:n]},
        geometry=[shapely.box(*box) for box in UPLOAD_BOXES[:n]],
        crs=schema.WGS84,
    ).to_crs(32648)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ranh_gioi.shp"
        frame.to_file(path, driver="ESRI Shapefile", encoding="utf-8")
        with zipfile.ZipFile(buffer, "w") as archive:
            for part in sorted(Path(folder).iterdir()):
                if part.suffix != ".prj":
                    archive.write(part, part.name)
    return buffer.getvalue()


def qgis_geopackage() -> bytes:
    """A GeoPackage as QGIS saves it: two polygon layers of the upload wards and a ``layer_styles`` table."""
    import tempfile

    import pandas as pd
    import pyogrio

    frame = gpd.GeoDataFrame(
        {"MaXa": UPLOAD_CODES, "TenXa": UPLOAD_NAMES},
        geometry=[shapely.box(*box) for box in UPLOAD_BOXES],
        crs=schema.WGS84,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "qgis.gpkg"
        frame.to_file(path, layer="ranh_gioi_xa", driver="GPKG")
        frame.iloc[:1].to_file(path, layer="ban_nhap", driver="GPKG")
        styles = pd.DataFrame({"f_table_name": ["ranh_gioi_xa"], "styleName": ["Mặc định"]})
        pyogrio.write_dataframe(styles, path, layer="layer_styles", driver="GPKG")
        return path.read_bytes()


def shown(element: object) -> pd.DataFrame:
    """An ``st.table``'s cells as a person reads them: the Markdown escapes taken off."""
    table = element.value  # type: ignore[attr-defined]
    return table.map(lambda v: v.replace("\\", "") if isinstance(v, str) else v)
