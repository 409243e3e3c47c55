"""Exact zonal statistics: covered area and population per commune, known answers."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine

from geo import schema as s
from geo.indicators.coverage import Grid, prepare_mask
from geo.indicators.zonal import mask_area_stats, percent, polygon_stats, population_stats

UTM48 = "EPSG:32648"


def write_raster(
    path: Path,
    values: np.ndarray,
    *,
    cell: float,
    crs: str = UTM48,
    west: float = 0.0,
    north: float = 2000.0,
    nodata: float | None = None,
) -> Path:
    """A north-up GeoTIFF whose top-left corner is (west, north)."""
    profile = {
        "driver": "GTiff",
        "width": values.shape[1],
        "height": values.shape[0],
        "count": 1,
        "dtype": values.dtype,
        "crs": crs,
        "transform": Affine(cell, 0, west, 0, -cell, north),
        "nodata": nodata,
    }
    with rasterio.open(path, "w", **profile) as sink:
        sink.write(values, 1)
    return path


def communes(*boxes: tuple[float, float, float, float], crs: str = UTM48) -> gpd.GeoDataFrame:
    codes = [f"{i:05d}" for i in range(1, len(boxes) + 1)]
    return gpd.GeoDataFrame(
        {s.COMMUNE_CODE: codes}, geometry=[shapely.box(*b) for b in boxes], crs=crs
    )


@pytest.fixture
def half_mask(tmp_path: Path) -> Path:
    """2 km × 2 km of 100 m cells; the western half (x < 1000 m) is covered."""
    values = np.zeros((20, 20), dtype="uint8")
    values[:, :10] = 1
    return write_raster(tmp_path / "mask.tif", values, cell=100.0)


def test_covered_area_share_is_exact(half_mask: Path) -> None:
    zones = communes(
        (0, 0, 1000, 2000), (1000, 0, 2000, 2000), (500, 0, 1300, 1000), (5000, 5000, 6000, 6000)
    )
    table = mask_area_stats(zones, half_mask)
    assert table[s.PCT_AREA_4G].tolist()[:3] == pytest.approx([100.0, 0.0, 62.5])
    assert table.loc["00003", s.AREA_COVERED_4G_KM2] == pytest.approx(0.5)
    assert table.loc["00003", s.AREA_OBSERVED_KM2] == pytest.approx(0.8)


def test_commune_outside_the_raster_is_missing_not_zero(half_mask: Path) -> None:
    table = mask_area_stats(communes((5000, 5000, 6000, 6000)), half_mask)
    assert table[[s.PCT_AREA_4G, s.AREA_COVERED_4G_KM2]].isna().all(axis=None)


def test_covered_population_on_the_population_grid(tmp_path: Path, half_mask: Path) -> None:
    population = write_raster(
        tmp_path / "pop.tif", np.full((5, 5), 40.0, dtype="float32"), cell=400.0, nodata=-99999.0
    )
    prepared = prepare_mask(half_mask, tmp_path / "m.tif", population_grid=Grid.of(population))
    zones = communes((0, 0, 2000, 2000), (0, 0, 800, 800), (1200, 1200, 2000, 2000))
    table = population_stats(zones, population, prepared=prepared)
    # 25 cells × 40 people; the middle column of cells (800–1200 m) is half covered.
    assert table[s.POP_TOTAL].tolist() == pytest.approx([1000.0, 160.0, 160.0])
    assert table[s.POP_COVERED_4G].tolist() == pytest.approx([500.0, 160.0, 0.0])
    assert table[s.PCT_POP_4G].tolist() == pytest.approx([50.0, 100.0, 0.0])


def test_population_outside_the_coverage_raster_is_missing(tmp_path: Path, half_mask: Path) -> None:
    population = write_raster(
        tmp_path / "pop.tif", np.full((10, 10), 1.0, dtype="float32"), cell=400.0, north=4000.0
    )
    prepared = prepare_mask(half_mask, tmp_path / "m.tif", population_grid=Grid.of(population))
    table = population_stats(
        communes((0, 2400, 2000, 4000), (0, 0, 400, 400)), population, prepared=prepared
    )
    assert np.isnan(table.loc["00001", s.POP_COVERED_4G])
    assert table.loc["00001", s.POP_TOTAL] == pytest.approx(5 * 4)
    assert table.loc["00002", s.PCT_POP_4G] == pytest.approx(100.0)


def test_small_ward_inside_one_population_cell_gets_its_share(tmp_path: Path) -> None:
    population = write_raster(
        tmp_path / "pop.tif", np.full((1, 1), 1000.0, dtype="float32"), cell=1000.0, north=1000.0
    )
    table = population_stats(communes((100, 100, 200, 300)), population)
    assert table[s.POP_TOTAL].iloc[0] == pytest.approx(1000.0 * 0.02)


def test_polygon_coverage_is_exact(tmp_path: Path) -> None:
    zones = communes((0, 0, 10_000, 10_000), (20_000, 0, 30_000, 10_000), crs=s.VN_EQUAL_AREA)
    covered = (
        gpd.GeoSeries([shapely.box(0, 0, 2_500, 10_000)], crs=s.VN_EQUAL_AREA)
        .to_crs(s.WGS84)
        .iloc[0]
    )
    table = polygon_stats(zones, covered)
    assert table[s.PCT_AREA_4G].tolist() == pytest.approx([25.0, 0.0], abs=1e-6)
    assert table[s.AREA_COVERED_4G_KM2].iloc[0] == pytest.approx(25.0, rel=1e-6)


def test_polygon_coverage_counts_population_inside(tmp_path: Path) -> None:
    population = write_raster(
        tmp_path / "pop.tif",
        np.full((10, 10), 5.0, dtype="float32"),
        cell=1000.0,
        crs=s.VN_EQUAL_AREA,
        north=10_000.0,
    )
    zones = communes((0, 0, 10_000, 10_000), crs=s.VN_EQUAL_AREA)
    covered = (
        gpd.GeoSeries([shapely.box(0, 0, 2_500, 10_000)], crs=s.VN_EQUAL_AREA)
        .to_crs(s.WGS84)
        .iloc[0]
    )
    table = polygon_stats(zones, covered, population=population)
    assert table[s.POP_TOTAL].iloc[0] == pytest.approx(500.0)
    assert table[s.POP_COVERED_4G].iloc[0] == pytest.approx(125.0, rel=1e-5)


def test_geographic_mask_uses_spherical_areas(tmp_path: Path) -> None:
    values = np.ones((100, 100), dtype="uint8")
    mask = write_raster(
        tmp_path / "geo.tif", values, cell=0.01, crs=s.WGS84, west=105.0, north=21.0
    )
    table = mask_area_stats(communes((105.0, 20.0, 106.0, 21.0), crs=s.WGS84), mask)
    assert table[s.AREA_OBSERVED_KM2].iloc[0] == pytest.approx(111.2 * 104.0, rel=0.01)


def test_percent_keeps_missing_and_zero_denominators_missing() -> None:
    import pandas as pd

    result = percent(pd.Series([1.0, None, 3.0, 5.0]), pd.Series([2.0, 4.0, 0.0, 4.0]))
    assert result.iloc[0] == 50.0 and result.iloc[1:3].isna().all() and result.iloc[3] == 100.0
