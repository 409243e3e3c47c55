"""Inferring the CRS of a file without a .prj from the official commune centroids."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
import shapely.affinity
from pyproj.enums import TransformDirection

from geo import schema as s
from geo.errors import CRSError, InputError
from geo.importing.matching import register_keys
from geo.reading.crs_inference import CentroidReference, apply_crs, choose_crs, crs_fix
from geo.reference import register
from geo.reference.crs import (
    PROVINCE_MERIDIAN,
    TM3_EPSG,
    VN2000_GEOGRAPHIC,
    official_vn2000_transformer,
    tm3_crs,
)
from geo.reference.names import name_key

SEED_LEGACY = "boundaries/seed/vn_legacy_seed_fullres.gpkg"
SEED_PROVINCES = ["96", "95", "60", "68", "83", "86", "84", "08", "02"]
# Bạc Liêu's TM-3 105° and VN-2000 UTM 48N place its communes ~311 m apart, and its 61 large
# communes' centroids (offset ± 190 m) cannot tell the two apart: the file is refused, not guessed.
AMBIGUOUS_SEED_PROVINCES = {"95"}


def wgs84_to(frame: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    """WGS 84 → VN-2000 ``crs`` through the official EPSG:6960 (inverted), returned without a CRS."""
    official = official_vn2000_transformer()
    projection = pyproj.Transformer.from_crs(VN2000_GEOGRAPHIC, crs, always_xy=True)

    def forward(xy: np.ndarray) -> np.ndarray:
        lon, lat = official.transform(xy[:, 0], xy[:, 1], direction=TransformDirection.INVERSE)
        return np.column_stack(projection.transform(lon, lat))

    geometry = shapely.transform(frame.geometry.array, forward)
    return gpd.GeoDataFrame(frame.drop(columns=frame.geometry.name), geometry=geometry, crs=None)


def swapped(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.set_geometry(shapely.transform(frame.geometry.array, lambda xy: xy[:, ::-1]))


@pytest.fixture(scope="module")
def reference() -> CentroidReference:
    both = pd.concat(
        [register_keys(v) for v in (s.VINTAGE_2025, s.VINTAGE_LEGACY)], ignore_index=True
    )
    return CentroidReference.from_register(both, key_column="_key")


@pytest.fixture(scope="module")
def bac_lieu() -> gpd.GeoDataFrame:
    """2 km squares around the official centroids of legacy Bạc Liêu (95), in WGS 84."""
    communes = register.read_communes_legacy()
    communes = communes[communes[s.PROVINCE_CODE] == "95"]
    lon, lat = communes[s.LON].to_numpy(), communes[s.LAT].to_numpy()
    squares = shapely.box(lon - 0.009, lat - 0.009, lon + 0.009, lat + 0.009)
    return gpd.GeoDataFrame(
        {"ten": communes[s.COMMUNE_NAME].to_numpy()}, geometry=squares, crs=s.WGS84
    )


def _keys(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].map(name_key).reset_index(drop=True)


def test_a_tm3_file_without_prj_gets_its_province_meridian(
    bac_lieu: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    raw = wgs84_to(bac_lieu, tm3_crs(105.0))
    choice = choose_crs(raw, declared=False, reference=reference, names=_keys(bac_lieu, "ten"))
    assert choice.crs.to_epsg() == 5897 and not choice.swapped
    assert choice.source == "inferred" and choice.method == "name"
    # its twin, 311 m away on the ground, told apart by the systematic offset
    assert choice.runner_up_label == "VN-2000 / UTM 48N (EPSG:3405)"
    assert 250 < choice.runner_up_m < 400 and choice.best_m < 1_000
    assert (
        "runner-up VN-2000 / UTM 48N (EPSG:3405) places the features 311 m away" in choice.evidence
    )


def test_swapped_coordinates_are_recognised(
    bac_lieu: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    raw = swapped(wgs84_to(bac_lieu, tm3_crs(105.0)))
    choice = choose_crs(raw, declared=False, reference=reference, names=_keys(bac_lieu, "ten"))
    assert choice.swapped and choice.crs.to_epsg() == 5897


def test_without_names_the_nearest_centroid_decides(
    bac_lieu: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    choice = choose_crs(wgs84_to(bac_lieu, tm3_crs(105.0)), declared=False, reference=reference)
    assert choice.crs.to_epsg() == 5897 and choice.method == "nearest"


def test_degrees_without_prj_default_to_wgs84_and_say_why(
    bac_lieu: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    raw = bac_lieu.set_crs(None, allow_override=True)
    choice = choose_crs(raw, declared=False, reference=reference, names=_keys(bac_lieu, "ten"))
    assert choice.crs.to_epsg() == 4326
    assert "VN-2000 lon/lat" in choice.evidence


def test_vn2000_degrees_are_told_apart_when_the_shift_is_clear(
    reference: CentroidReference,
) -> None:
    communes = register.read_communes_2025()
    communes = communes[communes[s.PROVINCE_CODE] == "96"]
    points = gpd.GeoDataFrame(
        {"ten": communes[s.COMMUNE_NAME].to_numpy()},
        geometry=shapely.buffer(gpd.points_from_xy(communes[s.LON], communes[s.LAT]), 0.005),
        crs=s.WGS84,
    )
    raw = wgs84_to(
        points, pyproj.CRS(VN2000_GEOGRAPHIC)
    )  # exact centroids, so the 225 m datum shift shows
    choice = choose_crs(raw, declared=False, reference=reference, names=_keys(points, "ten"))
    assert choice.crs.to_epsg() == 4756
    assert (
        choice.runner_up_label == "WGS 84 lon/lat (EPSG:4326)" and "226 m away" in choice.evidence
    )


def test_the_given_province_breaks_a_utm_tie(
    bac_lieu: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    raw = wgs84_to(bac_lieu, tm3_crs(105.0))
    choice = choose_crs(
        raw, declared=False, reference=reference, names=_keys(bac_lieu, "ten"), province_code="95"
    )
    assert choice.crs.to_epsg() == TM3_EPSG[PROVINCE_MERIDIAN["95"]]


def test_coordinates_far_from_vietnam_are_refused(
    bac_lieu: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    raw = bac_lieu.set_crs(None, allow_override=True).translate(xoff=-100.0, yoff=40.0)  # France
    with pytest.raises(CRSError, match="pass --crs EPSG:NNNN"):
        choose_crs(raw, declared=False, reference=reference)


def test_too_few_features_are_refused(
    bac_lieu: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    raw = wgs84_to(bac_lieu.head(2), tm3_crs(105.0))
    with pytest.raises(CRSError, match="too few to infer"):
        choose_crs(raw, declared=False, reference=reference)


def test_a_wrong_prj_is_refused(bac_lieu: gpd.GeoDataFrame, reference: CentroidReference) -> None:
    raw = wgs84_to(bac_lieu, tm3_crs(105.0)).set_crs(
        tm3_crs(108.5)
    )  # a .prj for Bình Thuận's zone: ~380 km off
    with pytest.raises(CRSError, match="the declared CRS is wrong; pass --crs EPSG:NNNN or write"):
        choose_crs(raw, declared=True, reference=reference)


def test_the_crs_argument_wins_over_everything(
    bac_lieu: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    raw = wgs84_to(bac_lieu, tm3_crs(105.0))
    choice = choose_crs(raw, declared=False, reference=reference, forced="EPSG:5897")
    assert choice.source == "argument" and choice.best_m < 1_000
    with pytest.raises(CRSError, match="--crs 'EPSG:nope'"):
        choose_crs(raw, declared=False, reference=reference, forced="EPSG:nope")


def test_apply_crs_round_trips_through_the_official_transformation(
    bac_lieu: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    raw = swapped(wgs84_to(bac_lieu, tm3_crs(105.0)))
    choice = choose_crs(raw, declared=False, reference=reference, names=_keys(bac_lieu, "ten"))
    back = apply_crs(raw, choice).to_crs(tm3_crs(105.0))
    original = bac_lieu.to_crs(tm3_crs(105.0))
    assert shapely.hausdorff_distance(back.geometry.array, original.geometry.array).max() < 0.01


@pytest.fixture(scope="module")
def seed_legacy(shared_data: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(shared_data / SEED_LEGACY, layer=s.LAYER_COMMUNES_LEGACY)


@pytest.mark.shared
@pytest.mark.parametrize("variant", ["named", "no names", "swapped"])
@pytest.mark.parametrize("province", SEED_PROVINCES)
def test_each_seed_province_in_its_tm3_zone_is_inferred(
    seed_legacy: gpd.GeoDataFrame, reference: CentroidReference, province: str, variant: str
) -> None:
    communes = seed_legacy[seed_legacy[s.PROVINCE_CODE] == province]
    meridian = PROVINCE_MERIDIAN[province]
    raw = wgs84_to(communes, tm3_crs(meridian))
    raw = swapped(raw) if variant == "swapped" else raw
    names = None if variant == "no names" else _keys(communes, "src_commune_name")
    zone = TM3_EPSG[meridian]
    try:
        choice = choose_crs(raw, declared=False, reference=reference, names=names)
    except CRSError as error:  # refused: only with both twins named, the right one among them
        assert f"--crs EPSG:{zone} or --crs EPSG:" in str(error) or f"or --crs EPSG:{zone}" in str(
            error
        )
        assert province in AMBIGUOUS_SEED_PROVINCES
        return
    assert choice.crs.to_epsg() == zone
    assert choice.swapped == (variant == "swapped")
    assert choice.best_m < 1_500


@pytest.fixture(scope="module")
def hcmc_legacy() -> gpd.GeoDataFrame:
    """1 km squares around the official centroids of legacy Hồ Chí Minh City (79), with codes."""
    communes = register.read_communes_legacy()
    communes = communes[communes[s.PROVINCE_CODE] == "79"]
    lon, lat = communes[s.LON].to_numpy(), communes[s.LAT].to_numpy()
    return gpd.GeoDataFrame(
        {"ma": communes[s.COMMUNE_CODE].to_numpy()},
        geometry=shapely.box(lon - 0.0045, lat - 0.0045, lon + 0.0045, lat + 0.0045),
        crs=s.WGS84,
    )


def test_a_wgs84_utm_48n_file_without_prj_is_read_as_such(
    hcmc_legacy: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    raw = hcmc_legacy.to_crs("EPSG:32648").set_crs(None, allow_override=True)
    choice = choose_crs(
        raw, declared=False, reference=reference, codes=hcmc_legacy["ma"].reset_index(drop=True)
    )
    assert choice.crs.to_epsg() == 32648 and choice.method == "code"
    assert choice.runner_up_label == "VN-2000 / UTM 48N (EPSG:3405)"
    back = apply_crs(raw, choice).to_crs("EPSG:32648")
    assert shapely.hausdorff_distance(back.geometry.array, raw.geometry.array).max() < 0.01


def test_twins_the_centroids_cannot_separate_are_refused_naming_both(
    hcmc_legacy: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    # 25 wards shifted at random by ~1.5 km each: no systematic offset, but too much noise
    # to tell WGS 84 / UTM 48N from VN-2000 / UTM 48N (226 m apart)
    few = hcmc_legacy.iloc[::12].reset_index(drop=True)
    rng = np.random.default_rng(7)
    moved = [shapely.affinity.translate(g, *rng.normal(0, 0.014, 2)) for g in few.geometry.array]
    raw = few.set_geometry(moved).to_crs("EPSG:32648").set_crs(None, allow_override=True)
    with pytest.raises(CRSError) as refused:
        choose_crs(
            raw,
            declared=False,
            reference=reference,
            codes=few["ma"],
            driver="ESRI Shapefile",
        )
    message = str(refused.value)
    assert "cannot tell which is right" in message
    assert "--crs EPSG:32648" in message and "--crs EPSG:3405" in message
    assert "add the shapefile's .prj" in message


@pytest.mark.parametrize("driver", ["GeoJSON", "GPKG", "KML", "FlatGeobuf", "GeoParquet"])
def test_no_prj_advice_for_formats_without_one(driver: str) -> None:
    fix = crs_fix(driver)
    assert fix.startswith("pass --crs EPSG:NNNN") and "add the" not in fix


def test_a_declared_crs_that_fits_by_position_blames_the_name_column(
    bac_lieu: gpd.GeoDataFrame, reference: CentroidReference
) -> None:
    # every feature "named" like one far commune (GADM's constant NEW_PROVINCE column)
    names = pd.Series([name_key("Đồng Văn")] * len(bac_lieu))
    columns = {"name": "NEW_PROVINCE", "code": None}
    with pytest.raises(InputError, match="column 'NEW_PROVINCE' point at.*pass --name-column"):
        choose_crs(bac_lieu, declared=True, reference=reference, names=names, columns=columns)
    with pytest.raises(InputError, match="the --name-column given, 'NEW_PROVINCE', does not"):
        choose_crs(
            bac_lieu,
            declared=True,
            reference=reference,
            names=names,
            columns=columns,
            given=frozenset({"name"}),
        )
