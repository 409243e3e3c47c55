"""The official register read offline from the vietnamadminunits package."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from geo import schema as s
from geo.reference import register


@pytest.fixture(scope="module")
def communes_2025() -> pd.DataFrame:
    return register.read_communes_2025()


@pytest.fixture(scope="module")
def communes_legacy() -> pd.DataFrame:
    return register.read_communes_legacy()


def test_2025_system_has_34_provinces_and_3321_communes(communes_2025: pd.DataFrame) -> None:
    assert len(communes_2025) == 3321
    assert communes_2025[s.PROVINCE_CODE].nunique() == 34
    assert communes_2025[s.COMMUNE_TYPE].value_counts().to_dict() == {
        "Xã": 2621,
        "Phường": 687,
        "Đặc khu": 13,
    }


def test_legacy_system_has_63_provinces_696_districts_10035_communes(
    communes_legacy: pd.DataFrame,
) -> None:
    assert len(communes_legacy) == 10035
    assert communes_legacy[s.PROVINCE_CODE].nunique() == 63
    assert len(register.read_districts_legacy()) == 696
    assert communes_legacy[s.COMMUNE_TYPE].value_counts().to_dict() == {
        "Xã": 7695,
        "Phường": 1724,
        "Thị trấn": 616,
    }


@pytest.mark.parametrize("reader", [register.read_communes_2025, register.read_communes_legacy])
def test_codes_are_unique_zero_padded_strings(reader) -> None:
    frame = reader()
    assert frame[s.COMMUNE_CODE].is_unique
    assert frame[s.COMMUNE_CODE].str.fullmatch(r"\d{5}").all()
    assert frame[s.PROVINCE_CODE].str.fullmatch(r"\d{2}").all()


def test_codes_keep_leading_zeros(
    communes_2025: pd.DataFrame, communes_legacy: pd.DataFrame
) -> None:
    assert "00004" in set(communes_2025[s.COMMUNE_CODE])  # Phường Ba Đình, Hà Nội
    assert (
        communes_legacy.loc[communes_legacy[s.COMMUNE_CODE] == "00001", s.DISTRICT_CODE].item()
        == "001"
    )
    assert (
        communes_2025.loc[communes_2025[s.COMMUNE_CODE] == "00004", s.PROVINCE_CODE].item() == "01"
    )


def test_every_row_carries_its_vintage(
    communes_2025: pd.DataFrame, communes_legacy: pd.DataFrame
) -> None:
    assert set(communes_2025[s.VINTAGE]) == {"2025"}
    assert set(communes_legacy[s.VINTAGE]) == {"legacy"}


def test_names_are_nfc_and_short_names_have_no_prefix(communes_2025: pd.DataFrame) -> None:
    names = communes_2025[s.COMMUNE_NAME]
    assert (names == names.map(lambda n: unicodedata.normalize("NFC", n))).all()
    row = communes_2025.set_index(s.COMMUNE_CODE).loc["00004"]
    assert (row[s.COMMUNE_NAME], row[s.COMMUNE_SHORT_NAME]) == ("Phường Ba Đình", "Ba Đình")


def test_centroids_lie_in_vietnam_including_the_archipelagos(communes_2025: pd.DataFrame) -> None:
    assert communes_2025[s.LON].between(102.0, 118.0).all()
    assert communes_2025[s.LAT].between(7.0, 23.5).all()
    islands = communes_2025.set_index(s.COMMUNE_SHORT_NAME).loc[["Hoàng Sa", "Trường Sa"]]
    assert (islands[s.COMMUNE_TYPE] == "Đặc khu").all()
    assert (islands[s.LON] > 111).all()


def test_official_areas_are_positive_where_given(communes_2025: pd.DataFrame) -> None:
    area = communes_2025[s.AREA_KM2_OFFICIAL]
    assert area.notna().sum() == 3317  # four have none (two written as 0)
    assert (area.dropna() > 0).all()
    assert 300_000 < area.sum() < 360_000  # Vietnam: about 331,000 km²


def test_legacy_bounding_boxes_contain_their_centroids(communes_legacy: pd.DataFrame) -> None:
    c = communes_legacy
    tol = 1e-6
    inside = c[s.LON].between(c[s.BBOX_WEST] - tol, c[s.BBOX_EAST] + tol) & c[s.LAT].between(
        c[s.BBOX_SOUTH] - tol, c[s.BBOX_NORTH] + tol
    )
    assert inside.mean() > 0.99


def test_provinces_per_vintage() -> None:
    provinces_2025 = register.read_provinces("2025")
    assert len(provinces_2025) == 34
    assert provinces_2025[s.PROVINCE_CODE].str.fullmatch(r"\d{2}").all()
    assert provinces_2025["n_communes"].sum() == 3321
    assert len(register.read_provinces("legacy")) == 63
