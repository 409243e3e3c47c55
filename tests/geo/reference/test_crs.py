"""VN-2000: zones, the pinned official transformation, and refusing to guess."""

from __future__ import annotations

import geopandas as gpd
import pyproj
import pytest
import shapely

from geo import schema as s
from geo.errors import CRSError
from geo.reference import crs, register

# The official EPSG:6960 parameters as a PROJ string (position-vector rotations), DOMAIN.md §2.
OFFICIAL_TOWGS84 = (
    "-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278"
)


def _point_frame(x: float, y: float, epsg: int | None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[shapely.Point(x, y)], crs=f"EPSG:{epsg}" if epsg else None)


def test_official_transformer_is_epsg_6960() -> None:
    transformer = crs.official_vn2000_transformer()
    assert ("EPSG", "6960") in crs._operation_ids(transformer)


@pytest.mark.parametrize(
    ("meridian", "x", "y"), [(104.5, 512_345.0, 1_003_210.0), (106.0, 480_000.0, 2_420_000.0)]
)
def test_tm3_to_wgs84_matches_the_official_parameters(meridian: float, x: float, y: float) -> None:
    ours = crs.to_wgs84(_point_frame(x, y, crs.TM3_EPSG[meridian])).geometry.iloc[0]
    reference_crs = pyproj.CRS(
        f"+proj=tmerc +lat_0=0 +lon_0={meridian} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84={OFFICIAL_TOWGS84}"
    )
    lon, lat = pyproj.Transformer.from_crs(reference_crs, s.WGS84, always_xy=True).transform(x, y)
    assert ours.x == pytest.approx(lon, abs=1e-8)  # ~1 mm
    assert ours.y == pytest.approx(lat, abs=1e-8)


def test_pinned_transformation_differs_from_the_unofficial_one_by_about_a_metre() -> None:
    lon, lat = 105.75, 9.3  # Mekong delta
    official = crs.official_vn2000_transformer().transform(lon, lat)
    unofficial_op = next(
        t
        for t in pyproj.transformer.TransformerGroup(
            crs.VN2000_GEOGRAPHIC, s.WGS84, always_xy=True
        ).transformers
        if ("EPSG", "5194") in crs._operation_ids(t)
    )
    unofficial = unofficial_op.transform(lon, lat)
    metres = pyproj.Geod(ellps="WGS84").inv(*official, *unofficial)[2]
    assert 0.3 < metres < 2.0


def test_wgs84_layers_pass_through_and_utm_is_vn2000() -> None:
    frame = _point_frame(105.0, 21.0, 4326)
    assert crs.to_wgs84(frame).geometry.iloc[0].equals(frame.geometry.iloc[0])
    assert crs.is_vn2000(pyproj.CRS.from_epsg(3405))
    assert not crs.is_vn2000(pyproj.CRS.from_epsg(32648))


def test_a_layer_without_crs_is_an_error_not_wgs84() -> None:
    with pytest.raises(CRSError, match="no coordinate reference system.*--crs"):
        crs.to_wgs84(_point_frame(105.0, 21.0, None))


def test_every_legacy_province_has_a_tm3_meridian_with_an_epsg_zone() -> None:
    provinces = set(register.read_provinces("legacy")[s.PROVINCE_CODE])
    assert set(crs.PROVINCE_MERIDIAN) == provinces
    assert set(crs.PROVINCE_MERIDIAN.values()) <= set(crs.TM3_EPSG)


@pytest.mark.parametrize(
    ("province", "meridian"),
    [
        ("96", 104.5),
        ("95", 105.0),
        ("60", 108.5),
        ("68", 107.75),
        ("83", 105.75),
        ("86", 105.5),
        ("84", 105.5),
        ("08", 106.0),
        ("02", 105.5),
        ("01", 105.0),
        ("79", 105.75),
    ],
)
def test_seed_province_meridians_are_those_of_the_domain_notes(
    province: str, meridian: float
) -> None:
    assert crs.PROVINCE_MERIDIAN[province] == meridian


def test_tm3_crs_by_meridian_and_unknown_meridian() -> None:
    assert crs.tm3_crs(105.5).to_epsg() == 9209
    with pytest.raises(CRSError, match="101"):
        crs.tm3_crs(101.0)


def test_swap_xy_swaps_every_vertex() -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.box(1, 2, 3, 5)], crs=None)
    assert crs.swap_xy(frame).geometry.iloc[0].bounds == (2.0, 1.0, 5.0, 3.0)


def test_candidates_cover_every_zone_both_ways() -> None:
    candidates = crs.candidate_crs()
    assert len(candidates) == 2 * (
        2 + len(crs.UTM_EPSG) + len(crs.WGS84_UTM_EPSG) + len(crs.TM3_EPSG)
    )
    assert sum(c.swapped for c in candidates) == len(candidates) // 2
