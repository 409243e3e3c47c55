"""Coverage inputs: raster masks, signal thresholds, polygons."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine

from geo import schema as s
from geo.errors import CRSError, InputError
from geo.indicators.coverage import (
    Grid,
    covered_cells,
    prepare_mask,
    read_coverage_polygons,
    union_polygons,
)
from tests.geo.indicators.test_zonal import write_raster


def test_signal_threshold_makes_a_binary_mask(tmp_path: Path) -> None:
    values = np.array([[-120, -110], [-95, -999]], dtype="int16")
    source = write_raster(tmp_path / "rsrp.tif", values, cell=100.0, nodata=-999)
    prepare_mask(source, tmp_path / "mask.tif", threshold=-110.0)
    with rasterio.open(tmp_path / "mask.tif") as mask:
        assert mask.read(1).tolist() == [[0, 1], [1, 0]]


def test_mask_with_other_values_asks_for_a_threshold() -> None:
    values = np.array([[-95.0, 1.0]])
    with pytest.raises(InputError, match="--mobile-threshold"):
        covered_cells(values, np.ones_like(values, dtype=bool), threshold=None, where="r.tif")


def test_fraction_is_the_block_average_on_the_population_grid(tmp_path: Path) -> None:
    values = np.array([[1, 0, 1, 1], [0, 0, 1, 1]], dtype="uint8")
    source = write_raster(tmp_path / "m.tif", values, cell=100.0, north=200.0)
    population = write_raster(
        tmp_path / "p.tif", np.zeros((1, 3), dtype="float32"), cell=200.0, north=200.0
    )
    prepared = prepare_mask(source, tmp_path / "out.tif", population_grid=Grid.of(population))
    assert prepared.fraction.tolist() == [[0.25, 1.0, 0.0]]
    assert prepared.observed.tolist() == [[True, True, False]]


def test_fraction_across_crs(tmp_path: Path) -> None:
    values = np.ones((50, 50), dtype="uint8")
    source = write_raster(
        tmp_path / "m.tif", values, cell=100.0, crs="EPSG:32648", west=600_000.0, north=2_300_000.0
    )
    population = write_raster(
        tmp_path / "p.tif",
        np.zeros((40, 40), dtype="float32"),
        cell=0.01,
        crs=s.WGS84,
        west=105.8,
        north=20.9,
    )
    prepared = prepare_mask(source, tmp_path / "out.tif", population_grid=Grid.of(population))
    assert prepared.observed.sum() > 0
    assert set(np.unique(prepared.fraction[prepared.observed])) == {1.0}


def test_strips_give_the_same_mask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    values = (rng.random((37, 23)) > 0.5).astype("uint8")
    source = write_raster(tmp_path / "m.tif", values, cell=100.0)
    monkeypatch.setattr("geo.indicators.coverage.STRIP_CELLS", 50)
    prepare_mask(source, tmp_path / "out.tif")
    with rasterio.open(tmp_path / "out.tif") as mask:
        assert (mask.read(1) == values).all()


def test_raster_without_crs_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=2,
        height=2,
        count=1,
        dtype="uint8",
        transform=Affine(1, 0, 0, 0, -1, 2),
    ) as sink:
        sink.write(np.ones((2, 2), dtype="uint8"), 1)
    with pytest.raises(CRSError, match="no CRS"):
        prepare_mask(path, tmp_path / "out.tif")


def test_missing_raster_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nothere.tif"):
        prepare_mask(tmp_path / "nothere.tif", tmp_path / "out.tif")


def test_coverage_polygons_are_read_and_unioned(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"op": ["a", "b"]},
        geometry=[shapely.box(105, 20, 106, 21), shapely.box(105.5, 20, 106.5, 21)],
        crs=s.WGS84,
    )
    frame.to_file(tmp_path / "cov.gpkg", engine="pyogrio")
    union = union_polygons(read_coverage_polygons(tmp_path / "cov.gpkg"))
    assert union.area == pytest.approx(1.5)


def test_cost231_hata_matches_the_formula() -> None:
    from geo.indicators.coverage import cost231_path_loss

    loss = cost231_path_loss(
        np.array([1.0, 10.0]),
        frequency_mhz=1800.0,
        base_height_m=30.0,
        mobile_height_m=1.5,
        clutter_db=0.0,
    )
    # 46.3 + 33.9 log 1800 − 13.82 log 30 − a(1.5) = 136.2 dB at 1 km; + 35.2 dB per decade.
    assert loss[0] == pytest.approx(136.2, abs=0.1)
    assert loss[1] - loss[0] == pytest.approx(44.9 - 6.55 * np.log10(30.0), abs=1e-9)


def test_sector_pattern_is_3db_at_half_beamwidth() -> None:
    from geo.indicators.coverage import sector_loss

    loss = sector_loss(
        np.array([90.0, 122.5, 270.0]), 90.0, beamwidth_deg=65.0, front_to_back_db=20.0
    )
    assert loss.tolist() == pytest.approx([0.0, 3.0, 20.0])


def test_sites_predict_coverage_around_them(tmp_path: Path) -> None:
    import pandas as pd

    from geo.indicators.coverage import predict_rsrp, read_sites
    from geo.indicators.targets import read_config

    (tmp_path / "sites.csv").write_text(
        "site_id,lon,lat,technology,height\nA,105.5,21.5,4G,30\nB,105.9,21.9,2G,30\n",
        encoding="utf-8",
    )
    sites = read_sites(tmp_path / "sites.csv", environment="urban")
    assert sites["site_id"].tolist() == ["A"]  # 2G sites give no 4G
    out = predict_rsrp(
        sites,
        tmp_path / "rsrp.tif",
        bounds=(105.0, 21.0, 106.0, 22.0),
        propagation=read_config().propagation,
        resolution_deg=0.01,
    )
    with rasterio.open(out) as raster:
        values = raster.read(1)
        centre = values[50, 50]
        assert -110 < centre < -40
        covered = (values >= -110) & (values != -32768)
    km2 = covered.sum() * (1.113 * 1.039)
    # urban, 30 m mast: COST-231 reach for −110 dBm is ~1.5 km → ~7 km².
    assert 3 < km2 < 12
    assert isinstance(pd.DataFrame, type)


def test_vn2000_sites_go_through_the_official_transformation(tmp_path: Path) -> None:
    from geo.indicators.coverage import read_sites

    # X = northing, Y = easting (survey order), TM-3 105°30′ (EPSG:9209).
    (tmp_path / "sites.csv").write_text("id,X,Y,epsg\nA,2400000,500000,9209\n", encoding="utf-8")
    sites = read_sites(tmp_path / "sites.csv")
    assert sites["lon"].iloc[0] == pytest.approx(105.5, abs=0.01)
    assert sites["lat"].iloc[0] == pytest.approx(21.69, abs=0.02)
