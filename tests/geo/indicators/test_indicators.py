"""The indicator pipeline end to end on small synthetic boundaries, and the target checks."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from cli.commands import main
from geo import schema as s
from geo.indicators.build import (
    INDICATOR_COLUMNS,
    Inputs,
    build_indicators,
    evaluate_targets,
    write_indicators,
)
from geo.indicators.targets import read_config
from tests.geo.indicators.test_zonal import write_raster

CODES = [
    "02215",
    "00700",
    "02509",
]  # Phường Minh Xuân, Xã Ngọc Đường, Phường Mỹ Lâm (Tuyên Quang, 2025)


@pytest.fixture
def boundaries(tmp_path: Path) -> Path:
    """Three 0.1° squares side by side (an import-boundaries style 'communes' layer)."""
    boxes = [shapely.box(105.0 + 0.1 * i, 21.0, 105.1 + 0.1 * i, 21.1) for i in range(3)]
    frame = gpd.GeoDataFrame(
        {
            s.COMMUNE_CODE: CODES,
            s.COMMUNE_NAME: ["Phường Minh Xuân", "Xã Ngọc Đường", "Phường Mỹ Lâm"],
            s.PROVINCE_CODE: ["08"] * 3,
            s.PROVINCE_NAME: ["Tỉnh Tuyên Quang"] * 3,
        },
        geometry=boxes,
        crs=s.WGS84,
    )
    path = tmp_path / "b.gpkg"
    pyogrio.write_dataframe(frame, path, layer=s.LAYER_COMMUNES, promote_to_multi=True)
    return path


@pytest.fixture
def signal(tmp_path: Path) -> Path:
    """RSRP over the squares: the first square all −90 dBm, the second the western half, the third −120."""
    values = np.full((10, 30), -120, dtype="int16")
    values[:, :10] = -90
    values[:, 10:15] = -100
    return write_raster(
        tmp_path / "rsrp.tif", values, cell=0.01, crs=s.WGS84, west=105.0, north=21.1, nodata=-32768
    )


@pytest.fixture
def fibre(tmp_path: Path) -> Path:
    path = tmp_path / "fibre.csv"
    path.write_text(
        "Tỉnh,Xã,Số hộ,Số hộ có cáp quang,Cáp quang đến xã\nTuyên Quang,Phường Minh Xuân,1000,900,Có\nTuyên Quang,Xã Ngọc Đường,500,100,Không\nTuyên Quang,Xã Ma Quỷ,1,1,Có\nTổng,,1501,1001,\n",
        encoding="utf-8",
    )
    return path


def test_pipeline_gives_the_known_indicators(
    boundaries: Path, signal: Path, fibre: Path, tmp_path: Path
) -> None:
    population = write_raster(
        tmp_path / "pop.tif",
        np.full((3, 9), 100.0, dtype="float32"),
        cell=0.1 / 3,
        crs=s.WGS84,
        west=105.0,
        north=21.1,
    )
    result = build_indicators(
        Inputs(
            boundaries=boundaries,
            mobile_raster=signal,
            mobile_threshold=-110,
            population=population,
            fibre=fibre,
        )
    )
    table = result.communes.set_index(s.COMMUNE_CODE)
    assert table[s.PCT_AREA_4G].tolist() == pytest.approx([100.0, 50.0, 0.0], abs=0.01)
    assert table[s.POP_TOTAL].tolist() == pytest.approx([900.0] * 3)
    assert table[s.PCT_POP_4G].tolist() == pytest.approx([100.0, 50.0, 0.0], abs=0.01)
    assert table[s.PCT_HOUSEHOLDS_FIBRE].iloc[:2].tolist() == pytest.approx([90.0, 20.0])
    assert np.isnan(table.loc["02509", s.HOUSEHOLDS])  # no row: missing, not zero
    assert table[s.UNCOVERED].tolist() == [False, True, True]
    assert "no fibre to the commune" in table.loc["00700", s.UNCOVERED_REASONS]
    assert table.loc["02215", s.source_column(s.FIBRE)] == "fibre.csv"
    assert (
        result.report["source_row"].notna().all()
        and "Xã Ma Quỷ" in result.report[s.COMMUNE_NAME].tolist()
    )
    assert result.provinces[s.PCT_HOUSEHOLDS_FIBRE].iloc[0] == pytest.approx(100 * 1000 / 1500)


def test_cli_writes_three_layers_with_the_issue_columns(
    boundaries: Path, signal: Path, fibre: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ind.gpkg"
    assert (
        main(
            [
                "build-indicators",
                "--boundaries",
                str(boundaries),
                "--out",
                str(out),
                "--mobile-raster",
                str(signal),
                "--mobile-threshold",
                "-110",
                "--fibre",
                str(fibre),
            ]
        )
        == 0
    )
    layers = set(pyogrio.list_layers(out)[:, 0])
    assert {s.LAYER_COMMUNES, s.LAYER_DISTRICTS, s.LAYER_PROVINCES} <= layers
    communes = gpd.read_file(out, layer=s.LAYER_COMMUNES)
    assert set(INDICATOR_COLUMNS) <= set(communes.columns)
    assert communes[s.POP_TOTAL].isna().all()  # no population raster: missing
    assert (out.with_suffix(".report.csv")).is_file()


def test_cli_reports_a_bad_input_in_one_line(
    boundaries: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "build-indicators",
                "--boundaries",
                str(boundaries),
                "--out",
                str(tmp_path / "x.gpkg"),
                "--mobile-raster",
                str(tmp_path / "none.tif"),
            ]
        )
        == 2
    )
    assert "none.tif" in capsys.readouterr().err


def test_polygons_through_the_pipeline(boundaries: Path, tmp_path: Path) -> None:
    cover = gpd.GeoDataFrame(geometry=[shapely.box(105.0, 21.0, 105.15, 21.1)], crs=s.WGS84)
    cover.to_file(tmp_path / "cov.gpkg", engine="pyogrio")
    result = build_indicators(Inputs(boundaries=boundaries, mobile_polygons=tmp_path / "cov.gpkg"))
    assert result.communes[s.PCT_AREA_4G].tolist() == pytest.approx([100.0, 50.0, 0.0], abs=0.05)


def test_targets_only_judge_what_is_known() -> None:
    table = pd.DataFrame(
        {
            s.PCT_POP_4G: [99.5, 98.0, np.nan],
            s.PCT_HOUSEHOLDS_FIBRE: [85.0, np.nan, np.nan],
            s.FIBRE_TO_COMMUNE: pd.array([True, None, None], dtype="boolean"),
            s.PCT_VILLAGES_TEAM: [100.0, 100.0, np.nan],
        }
    )
    out = evaluate_targets(table, read_config())
    assert out[s.UNCOVERED].tolist()[:2] == [False, True]
    assert out[s.UNCOVERED].isna().tolist() == [False, False, True]
    assert out[s.UNCOVERED_REASONS].tolist() == ["", "4G covers 98.0% of people < 99%", ""]


def test_write_refuses_a_non_geopackage(boundaries: Path, tmp_path: Path) -> None:
    from geo.errors import InputError

    result = build_indicators(Inputs(boundaries=boundaries))
    with pytest.raises(InputError, match=".gpkg"):
        write_indicators(result, tmp_path / "x.shp")
