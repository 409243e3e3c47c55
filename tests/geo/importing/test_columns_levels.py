"""Column detection as a person would, level detection, --province scope, vanished communes."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import schema as s
from geo.errors import InputError
from geo.importing.levels import check_commune_level, detect_level
from geo.importing.matching import (
    DISSOLVED,
    MATCHED,
    OUTCOME,
    REASON,
    MatchColumns,
    detect_columns,
    match_communes,
    province_scope,
)
from geo.reference import register
from tests.geo.importing.test_matching import squares


@pytest.fixture(scope="module")
def ca_mau() -> pd.DataFrame:
    frame = register.read_communes_2025()
    return frame[frame[s.PROVINCE_CODE] == "96"].reset_index(drop=True)


@pytest.fixture(scope="module")
def legacy() -> pd.DataFrame:
    return register.read_communes_legacy()


def test_a_constant_column_that_is_a_commune_name_is_never_the_name(ca_mau: pd.DataFrame) -> None:
    names = ca_mau[s.COMMUNE_SHORT_NAME].head(12).map(lambda n: n.replace(" ", ""))
    frame = squares(ca_mau.head(12), ten=names.to_numpy(), tinh=["Bạc Liêu"] * 12)
    columns = detect_columns(frame, s.VINTAGE_2025)
    assert columns.name == "ten"
    assert "'tinh' (1 value)" in columns.weighed


def test_kml_fields_are_never_names_or_codes(ca_mau: pd.DataFrame) -> None:
    chosen = ca_mau.head(10)
    frame = squares(
        chosen,
        Name=chosen[s.COMMUNE_NAME].to_numpy(),
        tessellate=[-1] * 10,
        description=chosen[s.COMMUNE_NAME].to_numpy(),
        begin=chosen[s.COMMUNE_CODE].to_numpy(),
    )
    columns = detect_columns(frame, s.VINTAGE_2025)
    assert (columns.name, columns.code) == ("Name", None)


def test_gadm_columns_name_3_is_the_commune_and_name_2_the_district(legacy: pd.DataFrame) -> None:
    chosen = legacy[legacy[s.PROVINCE_CODE] == "95"].head(8)
    frame = squares(
        chosen,
        GID_3=[f"VNM.2.1.{i}_1" for i in range(8)],
        NAME_1=["BạcLiêu"] * 8,
        NAME_2=chosen[s.DISTRICT_NAME].map(lambda n: n.split(" ", 2)[-1]).to_numpy(),
        NAME_3=chosen[s.COMMUNE_SHORT_NAME].map(lambda n: n.replace(" ", "")).to_numpy(),
        VARNAME_3=["x"] * 8,
        TYPE_3=chosen[s.COMMUNE_TYPE].to_numpy(),
    )
    columns = detect_columns(frame, s.VINTAGE_LEGACY)
    assert (columns.name, columns.district) == ("NAME_3", "NAME_2")
    result = match_communes(frame, s.VINTAGE_LEGACY, columns=columns)
    assert result.table[s.COMMUNE_CODE].tolist() == chosen[s.COMMUNE_CODE].tolist()


def test_ascii_names_with_a_type_word_match(ca_mau: pd.DataFrame) -> None:
    chosen = ca_mau
    ascii_names = ["Xa An Trach", "Phuong An Xuyen", "Phuong Bac Lieu"]
    chosen = chosen[chosen[s.COMMUNE_SHORT_NAME].isin(["An Trạch", "An Xuyên", "Bạc Liêu"])]
    order = {"An Trạch": 0, "An Xuyên": 1, "Bạc Liêu": 2}
    chosen = chosen.sort_values(s.COMMUNE_SHORT_NAME, key=lambda c: c.map(order))
    frame = squares(chosen, ten=ascii_names)
    columns = detect_columns(frame, s.VINTAGE_2025)
    assert columns.name == "ten"
    table = match_communes(frame, s.VINTAGE_2025, columns=columns).table
    assert table[s.COMMUNE_CODE].tolist() == chosen[s.COMMUNE_CODE].tolist()


def _district_boxes(legacy: pd.DataFrame, province: str) -> gpd.GeoDataFrame:
    """One box per legacy district of ``province`` around its communes' official centroids."""
    rows = legacy[legacy[s.PROVINCE_CODE] == province]
    boxes = rows.groupby(s.DISTRICT_NAME).agg(
        w=(s.LON, "min"), e=(s.LON, "max"), south=(s.LAT, "min"), n=(s.LAT, "max")
    )
    w, south, e, n = (boxes[c].to_numpy() for c in ("w", "south", "e", "n"))
    geometry = shapely.box(w - 0.01, south - 0.01, e + 0.01, n + 0.01)
    return gpd.GeoDataFrame({"ten": boxes.index.to_numpy()}, geometry=geometry, crs=s.WGS84)


def test_a_district_file_is_refused_as_districts(legacy: pd.DataFrame) -> None:
    frame = _district_boxes(legacy, "96")
    columns = detect_columns(frame, s.VINTAGE_LEGACY)
    with pytest.raises(InputError, match="holds districts, not communes"):
        check_commune_level(frame, columns, path="districts.geojson")


def test_commune_squares_are_communes(legacy: pd.DataFrame) -> None:
    chosen = legacy[legacy[s.PROVINCE_CODE] == "96"]
    frame = squares(chosen, half=0.002, ten=chosen[s.COMMUNE_NAME].to_numpy())
    assert detect_level(frame, MatchColumns(name="ten")).level == "commune"


def test_a_district_type_column_says_districts(ca_mau: pd.DataFrame) -> None:
    frame = squares(ca_mau.head(5), half=0.001, ten=["A", "B", "C", "D", "E"], loai=["Huyện"] * 5)
    assert detect_level(frame, MatchColumns(name="ten")).level == "district"


def test_province_ca_mau_covers_bac_lieu_for_a_legacy_file() -> None:
    scope = province_scope("Cà Mau")
    assert scope.codes(s.VINTAGE_LEGACY) == {"95", "96"}
    assert scope.codes(s.VINTAGE_2025) == {"96"}
    assert "Bạc Liêu (95)" in scope.describe()


def test_a_legacy_province_means_itself_and_its_2025_successor() -> None:
    scope = province_scope("Bac Lieu")
    assert (scope.legacy, scope.new) == ({"95"}, {"96"})


@pytest.mark.parametrize(("given", "near"), [("HN", "Hà Nội (01)"), ("Ca Mua", "Cà Mau (96)")])
def test_an_unknown_province_is_an_error_with_near_matches(given: str, near: str) -> None:
    with pytest.raises(
        InputError,
        match=r"not a province name or code.*" + near.replace("(", r"\(").replace(")", r"\)"),
    ):
        province_scope(given)


def test_a_merged_commune_is_dissolved_into_the_neighbour_it_touches(legacy: pd.DataFrame) -> None:
    chosen = legacy[legacy[s.PROVINCE_CODE] == "96"].head(1)
    lon, lat = float(chosen[s.LON].iloc[0]), float(chosen[s.LAT].iloc[0])
    inner = shapely.box(lon - 0.003, lat - 0.003, lon + 0.003, lat + 0.003)
    beside = shapely.box(lon + 0.003, lat - 0.003, lon + 0.004, lat + 0.003)
    frame = gpd.GeoDataFrame(
        {"ten": [chosen[s.COMMUNE_NAME].iloc[0], "Xã Khôngcótên"]},
        geometry=[inner, beside],
        crs=s.WGS84,
    )
    table = match_communes(frame, s.VINTAGE_LEGACY, columns=MatchColumns(name="ten")).table
    assert table[OUTCOME].tolist() == [MATCHED, DISSOLVED]
    assert table[s.COMMUNE_CODE].tolist() == [chosen[s.COMMUNE_CODE].iloc[0]] * 2
    assert "not in the legacy register" in table[REASON].iloc[1]
    assert "merged into" in table[REASON].iloc[1]
    assert "'Xã Khôngcótên' (not in the register) merged into it" in table[REASON].iloc[0]
