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


# --- Site lists in the layouts that exist (issue 14) ---------------------------------------------

OPENCELLID_HEADER = (
    "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal"
)


def _cell(radio: str, cell: int, lon: object, lat: object) -> str:
    return f"{radio},452,4,10011,{cell},0,{lon},{lat},1000,3,1,1459692780,1459692780,0"


#: Square 1 has an LTE cell (twice: a duplicate), square 2 a GSM and a UMTS cell, square 3 an NR
#: cell; one LTE cell lies outside every commune, one has no coordinates.
OPENCELLID_ROWS = [
    _cell("LTE", 1, 105.05, 21.05),
    _cell("LTE", 1, 105.05, 21.05),
    _cell("GSM", 2, 105.15, 21.05),
    _cell("UMTS", 3, 105.16, 21.05),
    _cell("NR", 4, 105.25, 21.05),
    _cell("LTE", 5, 107.5, 10.5),
    _cell("LTE", 6, "", ""),
]


@pytest.mark.parametrize(
    ("value", "generations"),
    [
        ("GSM", "2G"),
        ("UMTS", "3G"),
        ("WCDMA", "3G"),
        ("LTE", "4G"),
        ("4G LTE", "4G"),
        ("NR", "5G"),
        ("5G NR", "5G"),
        ("Trạm BTS 2G", "2G"),
        ("2G/3G/4G", "2G/3G/4G"),
        ("eNodeB", "4G"),
        ("vệ tinh", None),
    ],
)
def test_technology_cells_as_generations(value: str, generations: str | None) -> None:
    from geo.indicators.coverage import site_technology

    assert site_technology(value) == generations


@pytest.mark.parametrize("header", [True, False])
def test_opencellid_layout_is_read_with_its_radio_column(tmp_path: Path, header: bool) -> None:
    from geo.indicators.coverage import read_site_list

    path = tmp_path / "452.csv"
    path.write_text("\n".join(([OPENCELLID_HEADER] if header else []) + OPENCELLID_ROWS) + "\n")
    listed = read_site_list(path)
    assert listed.sites[s.TECHNOLOGY].tolist() == ["4G", "2G", "3G", "5G", "4G"]
    assert listed.of_technology("4G")["cell"].astype(int).tolist() == [1, 5]  # 2G/3G never 4G
    assert listed.of_technology("5G")["cell"].astype(int).tolist() == [4]  # NR kept apart
    assert listed.report["outcome"].tolist() == ["duplicate", "no coordinates"]
    assert listed.report["source_row"].tolist() == ([3, 8] if header else [2, 7])


def test_a_site_technology_nobody_knows_is_reported_not_counted(tmp_path: Path) -> None:
    from geo.indicators.coverage import read_site_list

    path = tmp_path / "sites.csv"
    path.write_text("Mã trạm,Kinh độ,Vĩ độ,Loại trạm\nA,105.5,21.5,4G\nB,105.6,21.5,Vệ tinh\n")
    listed = read_site_list(path)
    assert listed.sites["site_id"].tolist() == ["A"] and listed.technology_column == "Loại trạm"
    assert listed.report["outcome"].tolist() == ["unknown technology"]


def _three_squares(path: Path) -> Path:
    import geopandas as gpd
    import pyogrio
    import shapely

    frame = gpd.GeoDataFrame(
        {
            s.COMMUNE_CODE: ["02215", "00700", "02509"],
            s.COMMUNE_NAME: ["Phường Minh Xuân", "Xã Ngọc Đường", "Phường Mỹ Lâm"],
            s.PROVINCE_CODE: ["08"] * 3,
            s.PROVINCE_NAME: ["Tỉnh Tuyên Quang"] * 3,
        },
        geometry=[shapely.box(105.0 + 0.1 * i, 21.0, 105.1 + 0.1 * i, 21.1) for i in range(3)],
        crs=s.WGS84,
    )
    pyogrio.write_dataframe(frame, path, layer=s.LAYER_COMMUNES, promote_to_multi=True)
    return path


def test_an_opencellid_list_gives_4g_only_from_lte_rows(tmp_path: Path) -> None:
    from geo.indicators.build import Inputs, build_indicators

    sites = tmp_path / "452.csv"
    sites.write_text("\n".join([OPENCELLID_HEADER, *OPENCELLID_ROWS]) + "\n")
    result = build_indicators(
        Inputs(boundaries=_three_squares(tmp_path / "b.gpkg"), mobile_sites=sites)
    )
    area = result.communes.set_index(s.COMMUNE_CODE)[s.AREA_COVERED_4G_KM2]
    assert area["02215"] > 1 and area["00700"] == 0 and area["02509"] == 0  # GSM, UMTS, NR: no 4G
    outcomes = result.report["outcome"].value_counts().to_dict()
    assert outcomes == {"duplicate": 1, "no coordinates": 1, "outside the boundaries": 1}
    assert (
        "2 4G sites used" in result.notes[0] and "1 sites outside the boundaries" in result.notes[0]
    )
    assert any(
        line.startswith("4G population coverage: not evaluated (no population raster")
        for line in result.not_evaluated
    )


def test_a_list_without_any_4g_site_is_refused(tmp_path: Path) -> None:
    from geo.errors import InputError
    from geo.indicators.build import Inputs, build_indicators

    sites = tmp_path / "452.csv"
    sites.write_text("\n".join([OPENCELLID_HEADER, OPENCELLID_ROWS[2]]) + "\n")
    with pytest.raises(InputError, match=r"no 4G \(LTE\) site.*'2G': 1.*column 'radio'"):
        build_indicators(Inputs(boundaries=_three_squares(tmp_path / "b.gpkg"), mobile_sites=sites))
