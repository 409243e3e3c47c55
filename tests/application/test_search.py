"""Search a commune by name, with or without diacritics."""

from __future__ import annotations

import pandas as pd
import pytest

from application.search import search_communes, search_index
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
