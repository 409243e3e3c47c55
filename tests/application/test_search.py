"""Search a commune or a province by name, however it is typed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from application.search import (
    CODE,
    KIND,
    nearest_names,
    place_label,
    search_communes,
    search_index,
    search_places,
)
from geo import schema as s


@pytest.fixture
def index() -> pd.DataFrame:
    table = pd.DataFrame(
        {
            s.COMMUNE_CODE: ["00004", "00008", "02266", "02269", "26734"],
            s.COMMUNE_NAME: [
                "Phường Ba Đình",
                'Xã <b>Thử</b> & "nháy"',
                "Xã Lâm Bình",
                "Xã Thượng Lâm",
                "Phường Hoà Bình",
            ],
            s.PROVINCE_CODE: ["01", "01", "08", "08", "79"],
            s.PROVINCE_NAME: [
                "Thành phố Hà Nội",
                "Thành phố Hà Nội",
                "Tỉnh Tuyên Quang",
                "Tỉnh Tuyên Quang",
                "Thành phố Hồ Chí Minh",
            ],
        }
    )
    return search_index(table)


def _codes(frame: pd.DataFrame) -> list[str]:
    return list(frame[s.COMMUNE_CODE])


@pytest.mark.parametrize(
    "query", ["lam binh", "LAMBINH", "Lâm Bình", "xã lâm bình", "  lam   binh "]
)
def test_with_or_without_diacritics_or_prefix(index: pd.DataFrame, query: str) -> None:
    assert _codes(search_communes(index, query))[0] == "02266"


def test_substring_matches_are_sorted_by_name(index: pd.DataFrame) -> None:
    assert _codes(search_communes(index, "binh")) == ["26734", "02266"]
    assert _codes(search_communes(index, "Bình")) == ["26734", "02266"]


def test_diacritics_in_the_query_are_respected(index: pd.DataFrame) -> None:
    assert _codes(search_communes(index, "lâm")) == ["02266", "02269"]
    assert search_communes(index, "lầm").empty


def test_tone_placement_does_not_matter(index: pd.DataFrame) -> None:
    assert _codes(search_communes(index, "hòa bình")) == ["26734"]


def test_exact_before_prefix_before_substring(index: pd.DataFrame) -> None:
    assert _codes(search_communes(index, "lam")) == ["02266", "02269"]


def test_province_filter_and_limit(index: pd.DataFrame) -> None:
    assert _codes(search_communes(index, "binh", province_code="79")) == ["26734"]
    assert len(search_communes(index, "a", limit=2)) == 2


def test_blank_and_unmatched_queries_give_nothing(index: pd.DataFrame) -> None:
    assert search_communes(index, "").empty
    assert search_communes(index, "   ").empty
    assert search_communes(index, "zzz").empty


# Forgiving search: the queries people typed that found nothing (issue 16), provinces, typos.


@pytest.fixture
def cà_mau() -> pd.DataFrame:
    """Cà Mau's Đất Mũi and Đầm Dơi, a look-alike Đất Mới, a same-named ward elsewhere, Hà Nội."""
    table = pd.DataFrame(
        {
            s.COMMUNE_CODE: ["32248", "32152", "32200", "00004", "99001"],
            s.COMMUNE_NAME: [
                "Xã Đất Mũi",
                "Xã Đầm Dơi",
                "Xã Đất Mới",
                "Phường Ba Đình",
                "Phường Cà Mau",
            ],
            s.PROVINCE_CODE: ["96", "96", "96", "01", "01"],
            s.PROVINCE_NAME: [
                "Tỉnh Cà Mau",
                "Tỉnh Cà Mau",
                "Tỉnh Cà Mau",
                "Thành phố Hà Nội",
                "Thành phố Hà Nội",
            ],
        }
    )
    return search_index(table)


def _first(found: pd.DataFrame) -> tuple[str, str]:
    return (found.iloc[0][KIND], found.iloc[0][CODE])


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("dầm dơi", "32152"),  # "d" for "đ", the rest accented
        ("dat mũi", "32248"),  # partly accented
        ("đat mui", "32248"),  # "đ" typed, the rest not
        ("xa dat mui", "32248"),  # an unaccented type word
        ("DAT MUI", "32248"),
        ("datmui", "32248"),
        ("x. Đất Mũi", "32248"),
        ("huyện Đầm Dơi", "32152"),  # the legacy district's name
        ("Xã  Đất   Mũi ", "32248"),
    ],
)
def test_a_commune_is_found_however_it_is_typed(
    cà_mau: pd.DataFrame, query: str, code: str
) -> None:
    assert _first(search_places(cà_mau, query)) == ("commune", code)
    assert _codes(search_communes(cà_mau, query))[0] == code


def test_an_accent_typed_must_be_the_names(cà_mau: pd.DataFrame) -> None:
    assert _codes(search_communes(cà_mau, "dat mơi")) == ["32200"]
    assert set(_codes(search_communes(cà_mau, "dat m"))) == {"32200", "32248"}
    assert search_places(cà_mau, "dật mũi").empty


@pytest.mark.parametrize("query", ["Cà Mau", "ca mau", "tinh ca mau", "Tỉnh Cà Mau", "CA MAU"])
def test_a_province_is_found_before_a_commune_of_its_name(cà_mau: pd.DataFrame, query: str) -> None:
    found = search_places(cà_mau, query)
    assert list(zip(found[KIND], found[CODE])) == [("province", "96"), ("commune", "99001")]
    assert place_label(found.iloc[0]) == "Tỉnh Cà Mau"
    assert place_label(found.iloc[1]) == "Phường Cà Mau — Thành phố Hà Nội"


def test_the_chosen_province_comes_first_among_equals(index: pd.DataFrame) -> None:
    found = search_places(index, "binh", province_first="08")
    assert list(found[CODE]) == ["02266", "26734"]


def test_a_typo_finds_nothing_but_names_the_nearest(cà_mau: pd.DataFrame) -> None:
    assert search_places(cà_mau, "dam doii").empty
    near = nearest_names(cà_mau, "dam doii")
    assert near[0] == "Xã Đầm Dơi — Tỉnh Cà Mau" and "Thành phố Hà Nội" not in near
    assert nearest_names(cà_mau, "Đất Mủi")[0] == "Xã Đất Mũi — Tỉnh Cà Mau"  # the wrong tone
    assert nearest_names(cà_mau, "zzzz") == [] and nearest_names(cà_mau, "") == []


@pytest.mark.shared
def test_the_real_2025_communes_are_found(shared_data: Path) -> None:
    import pyogrio

    path = shared_data / "boundaries" / "vn_2025_admin.gpkg"
    communes = pyogrio.read_dataframe(path, layer="communes_2025", read_geometry=False)
    communes[s.COMMUNE_NAME] = communes["commune_full_name"]
    communes[s.PROVINCE_NAME] = communes["province_full_name"]
    real = search_index(communes)
    assert (real[KIND] == "province").sum() == 34 and (real[KIND] == "commune").sum() == 3321
    for query in ("dầm dơi", "dat mũi", "đat mui", "xa dat mui", "DAT MUI"):
        found = search_places(real, query)
        assert place_label(found.iloc[0]) in (
            "Xã Đầm Dơi — Tỉnh Cà Mau",
            "Xã Đất Mũi — Tỉnh Cà Mau",
        ), query
        assert found.iloc[0][s.PROVINCE_CODE] == "96"
    assert _first(search_places(real, "ca mau")) == ("province", "96")
    assert _first(search_places(real, "tp ha noi")) == ("province", "01")
    assert _first(search_places(real, "thanh pho ho chi minh")) == ("province", "79")
    assert search_places(real, "dam doii").empty
    assert nearest_names(real, "dam doii")[0] == "Xã Đầm Dơi — Tỉnh Cà Mau"
