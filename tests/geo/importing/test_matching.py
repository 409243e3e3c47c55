"""Matching rows to the register: by code, by name within scope, by position; no commune twice."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import schema as s
from geo.errors import InputError
from geo.importing.matching import (
    AMBIGUOUS,
    DISSOLVED,
    MATCHED,
    METHOD,
    OUTCOME,
    MatchColumns,
    detect_columns,
    match_communes,
    pad_code,
)
from geo.reference import register


def squares(communes: pd.DataFrame, *, half: float = 0.005, **columns: object) -> gpd.GeoDataFrame:
    """Small squares around the official centroids of ``communes``, with the given columns."""
    lon, lat = communes[s.LON].to_numpy(), communes[s.LAT].to_numpy()
    geometry = shapely.box(lon - half, lat - half, lon + half, lat + half)
    return gpd.GeoDataFrame(dict(columns), geometry=geometry, crs=s.WGS84)


@pytest.fixture(scope="module")
def ca_mau() -> pd.DataFrame:
    frame = register.read_communes_2025()
    return frame[frame[s.PROVINCE_CODE] == "96"].reset_index(drop=True)


@pytest.fixture(scope="module")
def legacy() -> pd.DataFrame:
    return register.read_communes_legacy()


def test_names_with_position_match_every_commune(ca_mau: pd.DataFrame) -> None:
    frame = squares(ca_mau, ten=ca_mau[s.COMMUNE_SHORT_NAME].to_numpy())
    result = match_communes(frame, s.VINTAGE_2025, columns=MatchColumns(name="ten"))
    assert result.n_matched == 64
    assert result.table[s.COMMUNE_CODE].tolist() == ca_mau[s.COMMUNE_CODE].tolist()
    assert set(result.table[METHOD]) == {"name+position"}


def test_integer_codes_are_zero_padded(legacy: pd.DataFrame) -> None:
    hanoi = legacy[legacy[s.DISTRICT_CODE] == "001"]  # codes 00001 …
    frame = squares(hanoi, half=0.001, ma=hanoi[s.COMMUNE_CODE].astype(int).to_numpy())
    result = match_communes(frame, s.VINTAGE_LEGACY, columns=MatchColumns(code="ma"))
    assert result.table[s.COMMUNE_CODE].tolist() == hanoi[s.COMMUNE_CODE].tolist()
    assert pad_code(1) == "00001" and pad_code("31825") == "31825" and pad_code("12.0") == "00012"
    assert pad_code("abc") is None and pad_code(float("nan")) is None and pad_code("123456") is None


def test_a_code_far_away_under_another_name_falls_back_to_the_name(ca_mau: pd.DataFrame) -> None:
    frame = squares(
        ca_mau.head(2), ten=ca_mau[s.COMMUNE_NAME].head(2).to_numpy(), ma=["00004", "00008"]
    )  # Hà Nội codes
    result = match_communes(frame, s.VINTAGE_2025, columns=MatchColumns(name="ten", code="ma"))
    assert result.table[s.COMMUNE_CODE].tolist() == ca_mau[s.COMMUNE_CODE].head(2).tolist()
    assert set(result.table[METHOD]) == {"name+position"}


def test_repeated_legacy_names_are_told_apart_by_position(legacy: pd.DataFrame) -> None:
    repeated = legacy[legacy.duplicated([s.PROVINCE_CODE, s.COMMUNE_NAME], keep=False)]
    pair = repeated[repeated[s.PROVINCE_CODE] == repeated[s.PROVINCE_CODE].iloc[0]]
    pair = pair[pair[s.COMMUNE_NAME] == pair[s.COMMUNE_NAME].iloc[0]].head(2)
    frame = squares(pair, half=0.001, ten=pair[s.COMMUNE_NAME].to_numpy())
    result = match_communes(frame, s.VINTAGE_LEGACY, columns=MatchColumns(name="ten"))
    assert result.table[s.COMMUNE_CODE].tolist() == pair[s.COMMUNE_CODE].tolist()


def test_in_a_table_without_geometry_the_district_tells_repeated_names_apart(
    legacy: pd.DataFrame,
) -> None:
    repeated = legacy[legacy.duplicated([s.PROVINCE_CODE, s.COMMUNE_NAME], keep=False)].head(2)
    table = pd.DataFrame(
        {"xa": repeated[s.COMMUNE_NAME].to_numpy(), "huyen": repeated[s.DISTRICT_NAME].to_numpy()}
    )
    scope = frozenset(repeated[s.PROVINCE_CODE])
    with_district = match_communes(
        table,
        s.VINTAGE_LEGACY,
        columns=MatchColumns(name="xa", district="huyen"),
        province_codes=scope,
    )
    assert with_district.table[s.COMMUNE_CODE].tolist() == repeated[s.COMMUNE_CODE].tolist()
    without = match_communes(
        table, s.VINTAGE_LEGACY, columns=MatchColumns(name="xa"), province_codes=scope
    )
    assert set(without.table[OUTCOME]) == {AMBIGUOUS}


def test_pieces_of_one_commune_are_dissolved(ca_mau: pd.DataFrame) -> None:
    one = ca_mau.head(1)
    frame = pd.concat(
        [
            squares(one, ten=one[s.COMMUNE_NAME].to_numpy()),
            squares(one, half=0.002, ten=one[s.COMMUNE_NAME].to_numpy()),
        ],
        ignore_index=True,
    )
    table = match_communes(frame, s.VINTAGE_2025, columns=MatchColumns(name="ten")).table
    assert table[OUTCOME].tolist() == [MATCHED, DISSOLVED]


def test_two_names_claiming_one_code_leave_the_weaker_ambiguous(ca_mau: pd.DataFrame) -> None:
    two = ca_mau.head(2)
    frame = squares(two, ten=two[s.COMMUNE_NAME].to_numpy(), ma=[two[s.COMMUNE_CODE].iloc[0]] * 2)
    table = match_communes(frame, s.VINTAGE_2025, columns=MatchColumns(name="ten", code="ma")).table
    assert table[OUTCOME].tolist() == [
        MATCHED,
        MATCHED,
    ]  # the second falls back to its name, its own code
    frame = squares(
        two.iloc[[0, 0]],
        ten=[two[s.COMMUNE_NAME].iloc[0], "Xã Không Có"],
        ma=[two[s.COMMUNE_CODE].iloc[0]] * 2,
    )
    table = match_communes(frame, s.VINTAGE_2025, columns=MatchColumns(name="ten", code="ma")).table
    assert table[OUTCOME].tolist() == [MATCHED, AMBIGUOUS]
    assert "also claimed" in table["reason"].iloc[1]


def test_without_names_or_codes_the_contained_centroid_decides(ca_mau: pd.DataFrame) -> None:
    table = match_communes(
        squares(ca_mau, half=0.001), s.VINTAGE_2025, columns=MatchColumns()
    ).table
    assert table[s.COMMUNE_CODE].tolist() == ca_mau[s.COMMUNE_CODE].tolist()


def test_a_plain_table_without_name_or_code_is_refused() -> None:
    with pytest.raises(InputError, match="no commune name or code column"):
        match_communes(pd.DataFrame({"x": [1]}), s.VINTAGE_2025, columns=MatchColumns())


def test_columns_are_found_from_their_values(ca_mau: pd.DataFrame) -> None:
    frame = squares(
        ca_mau,
        note=["x"] * 64,
        ten=ca_mau[s.COMMUNE_NAME].to_numpy(),
        ma=ca_mau[s.COMMUNE_CODE].astype(int).to_numpy(),
    )
    assert detect_columns(frame, s.VINTAGE_2025) == MatchColumns(name="ten", code="ma")
    with pytest.raises(InputError, match="no column 'Tên xã'.*--name-column"):
        detect_columns(frame, s.VINTAGE_2025, name="Tên xã")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(st.integers(min_value=0, max_value=63), min_size=1, max_size=40),
    garble=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_no_commune_is_ever_matched_twice(
    ca_mau: pd.DataFrame, picks: list[int], garble: list[bool]
) -> None:
    chosen = ca_mau.iloc[picks]
    names = [
        n if not g else ca_mau[s.COMMUNE_NAME].iloc[(i + 1) % 64]
        for n, g, i in zip(chosen[s.COMMUNE_NAME], garble, picks)
    ]
    table = match_communes(
        squares(chosen, ten=names), s.VINTAGE_2025, columns=MatchColumns(name="ten")
    ).table
    matched = table.loc[table[OUTCOME] == MATCHED, s.COMMUNE_CODE]
    assert matched.is_unique
    assert np.isin(table[OUTCOME], [MATCHED, AMBIGUOUS, DISSOLVED, "unmatched"]).all()
