"""Checks of the shipped approximate boundaries, data/boundaries/vn_boundaries_approx.gpkg."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import schema as s
from geo.reference import register

LAYERS = {
    s.LAYER_COMMUNES_2025: (3321, s.COMMUNE_CODE, s.COMMUNE_CODE_WIDTH),
    s.LAYER_PROVINCES_2025: (34, s.PROVINCE_CODE, s.PROVINCE_CODE_WIDTH),
    s.LAYER_COMMUNES_LEGACY: (10035, s.COMMUNE_CODE, s.COMMUNE_CODE_WIDTH),
    s.LAYER_DISTRICTS_LEGACY: (696, s.DISTRICT_CODE, s.DISTRICT_CODE_WIDTH),
    s.LAYER_PROVINCES_LEGACY: (63, s.PROVINCE_CODE, s.PROVINCE_CODE_WIDTH),
}
MAX_DATA_BYTES = 25 * 1024 * 1024
# Detached blocks kept around 2025 centroids that no corridor within 30 km (or none at all) joins to their
# commune: the register puts them far from the legacy communes merged into them (README, weak spots).
MAX_DETACHED_INLAND_PARTS = 15


@pytest.fixture(scope="module")
def gpkg(project_root: Path) -> Path:
    return project_root / "data" / "boundaries" / s.BOUNDARIES_FILE


@pytest.fixture(scope="module")
def layers(gpkg: Path) -> dict[str, gpd.GeoDataFrame]:
    return {name: gpd.read_file(gpkg, layer=name) for name in LAYERS}


def _overlap_km2(layer: gpd.GeoDataFrame) -> float:
    """Total area where two features of ``layer`` overlap."""
    projected = layer.geometry.to_crs(s.VN_EQUAL_AREA).to_numpy()
    left, right = shapely.STRtree(projected).query(projected, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(
        shapely.intersection(projected[left[pairs]], projected[right[pairs]], grid_size=0.01)
    )
    return float(overlap.sum() / 1e6)


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_has_every_unit_once_with_padded_codes(
    layers: dict[str, gpd.GeoDataFrame], name: str
) -> None:
    count, code, width = LAYERS[name]
    layer = layers[name]
    assert len(layer) == count
    assert layer[code].is_unique
    assert layer[code].map(lambda c: isinstance(c, str) and len(c) == width and c.isdigit()).all()


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_is_valid_wgs84_multipolygons_flagged_approximate(
    layers: dict[str, gpd.GeoDataFrame], name: str
) -> None:
    layer = layers[name]
    assert layer.crs.to_epsg() == 4326
    assert (layer.geom_type == "MultiPolygon").all()
    assert layer.is_valid.all() and not layer.is_empty.any() and not layer.has_z.any()
    assert layer[s.APPROXIMATE].astype(bool).all()


def test_2025_communes_contain_their_official_centroids(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    communes = layers[s.LAYER_COMMUNES_2025].merge(
        register.read_communes_2025()[[s.COMMUNE_CODE, s.LON, s.LAT]]
    )
    inside = shapely.contains_xy(communes.geometry.to_numpy(), communes[s.LON], communes[s.LAT])
    assert inside.all(), communes.loc[~inside, s.COMMUNE_NAME].tolist()


def test_legacy_communes_contain_their_official_centroids(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    """Almost every legacy commune whose register centroid is its own (not a copy of another's) contains it.

    About 1.5% do not: their centroid lies in another 2025 commune's land more
    than 5 km from their own, or in another province, and is given up rather
    than left as a detached square (data/boundaries/README.md, step 4).
    """
    register_legacy = register.read_communes_legacy()
    own_point = ~register_legacy.duplicated([s.LON, s.LAT], keep=False)
    communes = layers[s.LAYER_COMMUNES_LEGACY].merge(
        register_legacy.loc[own_point, [s.COMMUNE_CODE, s.LON, s.LAT]]
    )
    inside = shapely.contains_xy(communes.geometry.to_numpy(), communes[s.LON], communes[s.LAT])
    assert inside.mean() >= 0.98, communes.loc[~inside, s.COMMUNE_NAME].tolist()[:20]


def _detached_inland_parts(layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Parts of 2025 communes that are not the commune's largest and do not reach the country's outline.

    Such a part touches neither the rest of its own commune nor the sea or
    the national border: it is an enclave surrounded by other communes, not
    an island.
    """
    communes = layers[s.LAYER_COMMUNES_2025].to_crs(s.VN_EQUAL_AREA)
    outline = shapely.union_all(
        layers[s.LAYER_PROVINCES_2025].to_crs(s.VN_EQUAL_AREA).geometry.to_numpy()
    ).boundary
    shapely.prepare(outline)
    parts, owner = shapely.get_parts(communes.geometry.to_numpy(), return_index=True)
    frame = pd.DataFrame({"owner": owner, "area": shapely.area(parts), "part": parts})
    largest = frame.groupby("owner")["area"].transform("max") == frame["area"]
    detached = frame[~largest & ~shapely.intersects(frame["part"].to_numpy(), outline)]
    names = communes[s.COMMUNE_NAME].to_numpy()[detached["owner"].to_numpy()]
    return detached.assign(name=names, area_km2=detached["area"] / 1e6)


def test_2025_communes_have_no_detached_inland_parts(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """No commune has a piece enclosed by other communes, except at a far-off official centroid.

    The register puts a few 2025 centroids tens of kilometres from every
    legacy commune that merged into them; each must still lie in its
    commune's polygon, so it keeps a small detached block there (see
    data/boundaries/README.md).
    """
    detached = _detached_inland_parts(layers)
    assert len(detached) <= MAX_DETACHED_INLAND_PARTS, detached[["name", "area_km2"]].to_string()


def test_2025_communes_do_not_overlap(layers: dict[str, gpd.GeoDataFrame]) -> None:
    assert _overlap_km2(layers[s.LAYER_COMMUNES_2025]) < 0.01


def test_legacy_communes_do_not_overlap(layers: dict[str, gpd.GeoDataFrame]) -> None:
    assert _overlap_km2(layers[s.LAYER_COMMUNES_LEGACY]) < 0.01


def test_provinces_are_the_union_of_their_communes(layers: dict[str, gpd.GeoDataFrame]) -> None:
    communes = shapely.union_all(layers[s.LAYER_COMMUNES_2025].geometry.to_numpy())
    provinces = shapely.union_all(layers[s.LAYER_PROVINCES_2025].geometry.to_numpy())
    assert shapely.symmetric_difference(communes, provinces).area < 1e-6 * provinces.area


def test_no_sliver_gaps_between_neighbours(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Holes in the national union are sea inlets or lagoons (whole grid cells), never slivers."""
    country = layers[s.LAYER_PROVINCES_2025].to_crs(s.VN_EQUAL_AREA).union_all()
    holes = [
        shapely.Polygon(ring)
        for polygon in shapely.get_parts(country)
        for ring in polygon.interiors
    ]
    assert all(hole.area >= 10_000 for hole in holes), sorted(hole.area for hole in holes)[:5]


def test_layers_nest(layers: dict[str, gpd.GeoDataFrame]) -> None:
    legacy = layers[s.LAYER_COMMUNES_LEGACY]
    targets = set(";".join(legacy[s.NEW_COMMUNE_CODES]).split(";"))
    assert targets <= set(layers[s.LAYER_COMMUNES_2025][s.COMMUNE_CODE])
    assert layers[s.LAYER_PROVINCES_2025][s.N_COMMUNES].sum() == 3321


def test_most_areas_are_within_30_percent_of_official(layers: dict[str, gpd.GeoDataFrame]) -> None:
    communes = layers[s.LAYER_COMMUNES_2025]
    official = communes[s.AREA_KM2_OFFICIAL]
    drawn = communes.geometry.to_crs(s.VN_EQUAL_AREA).area / 1e6
    ratio = (drawn / official)[official > 0]
    assert ((ratio - 1).abs() <= 0.30).mean() >= 0.80
    assert np.allclose(drawn, communes[s.AREA_KM2], rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("name", ["Đặc khu Hoàng Sa", "Đặc khu Trường Sa"])
def test_archipelagos_are_present_as_special_zones(
    layers: dict[str, gpd.GeoDataFrame], name: str
) -> None:
    communes = layers[s.LAYER_COMMUNES_2025]
    row = communes[communes[s.COMMUNE_NAME] == name]
    assert len(row) == 1
    assert row[s.COMMUNE_TYPE].iloc[0] == "Đặc khu"
    assert 0 < row.geometry.to_crs(s.VN_EQUAL_AREA).area.iloc[0] / 1e6 < 500


def test_data_folder_fits_the_size_budget(project_root: Path) -> None:
    files = [p for p in (project_root / "data").rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) <= MAX_DATA_BYTES


@pytest.mark.shared
def test_beats_voronoi_on_real_polygons(
    layers: dict[str, gpd.GeoDataFrame], shared_data: Path
) -> None:
    """Median IoU with the real communes is above the plain-Voronoi baseline (≈0.59)."""
    path = shared_data / "boundaries" / "vn_2025_admin.gpkg"
    truth = gpd.read_file(path, layer=s.LAYER_COMMUNES_2025, columns=[s.COMMUNE_CODE])
    truth[s.COMMUNE_CODE] = truth[s.COMMUNE_CODE].astype(str).str.zfill(s.COMMUNE_CODE_WIDTH)
    ours = layers[s.LAYER_COMMUNES_2025]
    drawn = pd.DataFrame(
        {
            s.COMMUNE_CODE: ours[s.COMMUNE_CODE],
            "ours": ours.to_crs(s.VN_EQUAL_AREA).geometry.to_numpy(),
        }
    )
    joined = truth.to_crs(s.VN_EQUAL_AREA).merge(drawn)
    real = shapely.make_valid(joined.geometry.to_numpy())
    inter = shapely.area(shapely.intersection(real, joined["ours"].to_numpy(), grid_size=1.0))
    iou = inter / (shapely.area(real) + shapely.area(joined["ours"].to_numpy()) - inter)
    assert np.median(iou) > 0.60
