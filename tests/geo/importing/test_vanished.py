"""Legacy files drawn before 2019-2024 mergers: vanished communes, district-first keys, parts."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import schema as s
from geo.importing.matching import (
    AMBIGUOUS,
    DISSOLVED,
    MATCHED,
    METHOD,
    OUTCOME,
    REASON,
    UNMATCHED,
    MatchColumns,
    known_name_keys,
    match_communes,
)
from geo.importing.parts import flag_parts
from geo.reference import register
from geo.reference.names import ascii_key, commune_type_key, name_key

LEGACY_COLUMNS = MatchColumns(name="ten", district="huyen")


@pytest.fixture(scope="module")
def legacy() -> pd.DataFrame:
    return register.read_communes_legacy()


def box_at(lon: float, lat: float, half: float = 0.003) -> shapely.Polygon:
    return shapely.box(lon - half, lat - half, lon + half, lat + half)


def one(legacy: pd.DataFrame, code: str) -> pd.Series:
    return legacy.set_index(s.COMMUNE_CODE).loc[code]


def a_name_used_only_elsewhere(legacy: pd.DataFrame, district: str) -> str:
    """A commune name of the register that no commune of ``district`` has."""
    here = set(legacy.loc[legacy[s.DISTRICT_CODE] == district, s.COMMUNE_NAME].map(name_key))
    elsewhere = legacy[(legacy[s.DISTRICT_CODE] != district) & legacy[s.COMMUNE_TYPE].eq("Xã")]
    return next(n for n in elsewhere[s.COMMUNE_NAME] if name_key(n) not in here)


def test_a_name_found_only_in_other_districts_is_a_vanished_commune_placed_beside_its_successor(
    legacy: pd.DataFrame,
) -> None:
    commune = legacy.iloc[500]
    lon, lat = float(commune[s.LON]), float(commune[s.LAT])
    gone = a_name_used_only_elsewhere(legacy, commune[s.DISTRICT_CODE])
    frame = gpd.GeoDataFrame(
        {"ten": [commune[s.COMMUNE_NAME], gone], "huyen": [commune[s.DISTRICT_NAME]] * 2},
        geometry=[
            box_at(lon, lat),
            shapely.box(lon + 0.003, lat - 0.003, lon + 0.004, lat + 0.003),
        ],
        crs=s.WGS84,
    )
    table = match_communes(frame, s.VINTAGE_LEGACY, columns=LEGACY_COLUMNS).table
    assert table[OUTCOME].tolist() == [MATCHED, DISSOLVED]
    assert table[s.COMMUNE_CODE].tolist() == [commune[s.COMMUNE_CODE]] * 2
    assert "is not in the legacy register in its district" in table[REASON].iloc[1]
    assert f"merged into {commune[s.COMMUNE_CODE]}" in table[REASON].iloc[1]


def test_a_vanished_commune_that_touches_nothing_of_its_successor_stays_unmatched_and_named(
    legacy: pd.DataFrame,
) -> None:
    commune = legacy.iloc[500]
    lon, lat = float(commune[s.LON]), float(commune[s.LAT])
    gone = a_name_used_only_elsewhere(legacy, commune[s.DISTRICT_CODE])
    frame = gpd.GeoDataFrame(
        {"ten": [commune[s.COMMUNE_NAME], gone], "huyen": [commune[s.DISTRICT_NAME]] * 2},
        geometry=[box_at(lon, lat, 0.001), box_at(lon + 0.0025, lat, 0.0005)],  # ~100 m apart
        crs=s.WGS84,
    )
    table = match_communes(frame, s.VINTAGE_LEGACY, columns=LEGACY_COLUMNS).table
    assert table[OUTCOME].tolist() == [MATCHED, UNMATCHED]
    assert "not matched" in table[REASON].iloc[1]
    assert "it lies nearest" in table[REASON].iloc[1]


def test_vanished_pieces_of_a_successor_absent_from_the_file_are_one_merged_commune(
    legacy: pd.DataFrame,
) -> None:
    successor = legacy.iloc[700]
    lon, lat = float(successor[s.LON]), float(successor[s.LAT])
    district = successor[s.DISTRICT_CODE]
    names = [a_name_used_only_elsewhere(legacy, district), "Xã Khôngcótên"]
    frame = gpd.GeoDataFrame(
        {"ten": names, "huyen": [successor[s.DISTRICT_NAME]] * 2},
        geometry=[
            box_at(lon, lat, 0.001),
            shapely.box(lon + 0.001, lat, lon + 0.0015, lat + 0.001),
        ],
        crs=s.WGS84,
    )
    table = match_communes(frame, s.VINTAGE_LEGACY, columns=LEGACY_COLUMNS).table
    assert table[OUTCOME].tolist() == [MATCHED, DISSOLVED]
    assert table[METHOD].tolist() == ["position", "position"]
    assert table[s.COMMUNE_CODE].tolist() == [successor[s.COMMUNE_CODE]] * 2
    assert "; merged into" in table[REASON].iloc[0]
    assert "'Xã Khôngcótên' (not in the register) merged into it" in table[REASON].iloc[0]


def test_a_looser_spelling_in_the_right_district_beats_the_exact_name_elsewhere(
    legacy: pd.DataFrame,
) -> None:
    keys = legacy.assign(
        key=legacy[s.COMMUNE_NAME].map(name_key), akey=legacy[s.COMMUNE_NAME].map(ascii_key)
    )
    twins = keys[keys.duplicated("akey", keep=False) & ~keys.duplicated("key", keep=False)]
    pairs = twins.merge(twins, on="akey", suffixes=("", "_other"))
    pairs = pairs[
        (pairs["key"] != pairs["key_other"])
        & (pairs[s.DISTRICT_CODE] != pairs[s.DISTRICT_CODE + "_other"])
    ]
    pair = pairs.iloc[0]  # "Vinh Kim" (Cầu Ngang) written "Vĩnh Kim", as another district has
    frame = gpd.GeoDataFrame(
        {"ten": [pair[s.COMMUNE_NAME + "_other"]], "huyen": [pair[s.DISTRICT_NAME]]},
        geometry=[box_at(float(pair[s.LON]), float(pair[s.LAT]))],
        crs=s.WGS84,
    )
    table = match_communes(frame, s.VINTAGE_LEGACY, columns=LEGACY_COLUMNS).table
    assert table[s.COMMUNE_CODE].tolist() == [pair[s.COMMUNE_CODE]]
    assert table[METHOD].iloc[0].startswith("ascii name+district")


def same_named_of_two_types(legacy: pd.DataFrame) -> pd.DataFrame:
    """Two communes of one district with one short name and different types (a xã and a thị trấn)."""
    short = legacy.assign(short=legacy[s.COMMUNE_SHORT_NAME].map(name_key))
    twins = short[short.duplicated([s.DISTRICT_CODE, "short"], keep=False)]
    for _, group in twins.groupby([s.DISTRICT_CODE, "short"]):
        if group[s.COMMUNE_TYPE].nunique() == 2 and len(group) == 2:
            return group
    raise AssertionError("the register has no same-named xã and thị trấn in one district")


def test_a_type_in_brackets_tells_same_named_communes_of_one_district_apart(
    legacy: pd.DataFrame,
) -> None:
    pair = same_named_of_two_types(legacy)
    glued = pair[s.COMMUNE_SHORT_NAME].str.replace(" ", "")
    written = glued + "(" + pair[s.COMMUNE_TYPE].str.replace(" ", "") + ")"  # GADM: "TrạmTấu(Xã)"
    around = shapely.box(
        pair[s.LON].min() - 0.002,
        pair[s.LAT].min() - 0.002,
        pair[s.LON].max() + 0.002,
        pair[s.LAT].max() + 0.002,
    )  # holds both official centroids: position alone cannot tell them apart
    frame = gpd.GeoDataFrame(
        {"ten": written.to_numpy(), "huyen": pair[s.DISTRICT_NAME].to_numpy()},
        geometry=[around, around],
        crs=s.WGS84,
    )
    table = match_communes(frame, s.VINTAGE_LEGACY, columns=LEGACY_COLUMNS).table
    assert AMBIGUOUS not in set(table[OUTCOME])
    assert table[s.COMMUNE_CODE].tolist() == pair[s.COMMUNE_CODE].tolist()


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("TrạmTấu(Thịtrấn)", "thitran"),
        ("TrạmTấu(Xã)", "xa"),
        ("Phường1", "phuong"),
        ("P. Bến Nghé", "phuong"),
        ("Xa An Khanh", "xa"),
        ("Ward 6", "phuong"),
        ("Thị trấn", "thitran"),
        ("Phương Đình", ""),  # a name, not the type word "Phường"
        ("Xãx", ""),
        ("Tân Thành", ""),
        (None, ""),
    ],
)
def test_the_type_a_name_states(name: object, key: str) -> None:
    assert commune_type_key(name) == key


def test_a_polygon_covering_a_quarter_of_its_official_box_is_a_part(legacy: pd.DataFrame) -> None:
    rows = legacy.iloc[[10, 20]]
    west, south, east, north = (
        rows[c].to_numpy() for c in (s.BBOX_WEST, s.BBOX_SOUTH, s.BBOX_EAST, s.BBOX_NORTH)
    )
    whole = shapely.box(west[0], south[0], east[0], north[0])
    quarter = shapely.box(west[1], south[1], (west[1] + east[1]) / 2, (south[1] + north[1]) / 2)
    communes = gpd.GeoDataFrame(
        {s.COMMUNE_CODE: rows[s.COMMUNE_CODE].to_numpy()}, geometry=[whole, quarter], crs=s.WGS84
    )
    flagged = flag_parts(communes, s.VINTAGE_LEGACY)
    assert flagged[s.EXTENT_SHARE].tolist() == [1.0, 0.25]
    assert flagged[s.IS_PART].tolist() == [False, True]


def test_a_2025_polygon_with_a_fifth_of_the_official_area_is_a_part() -> None:
    new = register.read_communes_2025().dropna(subset=[s.AREA_KM2_OFFICIAL]).iloc[[0, 1]]
    side = np.sqrt(new[s.AREA_KM2_OFFICIAL].to_numpy() * 1e6 * np.array([1.0, 0.2]))
    centres = gpd.GeoSeries(gpd.points_from_xy(new[s.LON], new[s.LAT]), crs=s.WGS84)
    metric = centres.to_crs(s.VN_EQUAL_AREA)
    squares = [
        shapely.box(p.x - d / 2, p.y - d / 2, p.x + d / 2, p.y + d / 2)
        for p, d in zip(metric, side)
    ]
    communes = gpd.GeoDataFrame(
        {s.COMMUNE_CODE: new[s.COMMUNE_CODE].to_numpy()},
        geometry=gpd.GeoSeries(squares, crs=s.VN_EQUAL_AREA).to_crs(s.WGS84).array,
        crs=s.WGS84,
    )
    flagged = flag_parts(communes, s.VINTAGE_2025)
    assert flagged[s.EXTENT_SHARE].round(2).tolist() == [1.0, 0.2]
    assert flagged[s.IS_PART].tolist() == [False, True]


def test_a_polygon_outside_its_official_box_is_not_called_a_part(legacy: pd.DataFrame) -> None:
    row = legacy.iloc[[30]]
    far = shapely.box(100.0, 10.0, 100.01, 10.01)
    communes = gpd.GeoDataFrame(
        {s.COMMUNE_CODE: row[s.COMMUNE_CODE].to_numpy()}, geometry=[far], crs=s.WGS84
    )
    flagged = flag_parts(communes, s.VINTAGE_LEGACY)
    assert flagged[s.EXTENT_SHARE].tolist() == [0.0]
    assert flagged[s.IS_PART].tolist() == [False]


def test_a_code_kept_by_a_merged_commune_dissolves_its_old_ward_into_the_name_match(
    legacy: pd.DataFrame,
) -> None:
    commune = legacy.iloc[900]  # a ward merged into it kept this code, under its own old name
    lon, lat = float(commune[s.LON]), float(commune[s.LAT])
    frame = gpd.GeoDataFrame(
        {
            "ten": [commune[s.COMMUNE_NAME], "Phường Cũ Đã Nhập"],
            "ma": ["99999", commune[s.COMMUNE_CODE]],
        },
        geometry=[
            box_at(lon, lat),
            shapely.box(lon + 0.003, lat - 0.003, lon + 0.006, lat + 0.003),
        ],
        crs=s.WGS84,
    )
    columns = MatchColumns(name="ten", code="ma")
    table = match_communes(frame, s.VINTAGE_LEGACY, columns=columns).table
    assert table[OUTCOME].tolist() == [MATCHED, DISSOLVED]
    assert table[s.COMMUNE_CODE].tolist() == [commune[s.COMMUNE_CODE]] * 2
    assert "merged into it" in table[REASON].iloc[1]


def test_spaceless_names_are_known_names_when_an_encoding_is_chosen() -> None:
    keys = known_name_keys()
    assert {"bếntre", "batri", name_key("HiệpThành")} <= keys
