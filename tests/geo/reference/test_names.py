"""Name normalisation and matching keys: the hard cases of DOMAIN.md §3."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.reference.names import (
    ascii_key,
    canonical_tone,
    compact_key,
    leading_type_levels,
    name_key,
    normalize_text,
    strip_prefix,
    type_levels,
)


def test_normalize_text_makes_nfd_equal_to_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Hòa Bình")
    assert nfd != "Hòa Bình"
    assert normalize_text(nfd) == "Hòa Bình"


def test_normalize_text_reads_eth_as_d_with_stroke_and_folds_spaces() -> None:
    assert normalize_text("  \u00d0ắk  Lắk ") == "Đắk Lắk"


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("Hoá", "Hóa"), ("HOÀ", "HÒA")],
)
def test_canonical_tone_moves_tone_of_final_oa_oe_uy(old_style: str, new_style: str) -> None:
    assert canonical_tone(old_style) == new_style
    assert canonical_tone(new_style) == new_style


@pytest.mark.parametrize(
    "word", ["hoàn", "quý", "Quỳ", "huỳnh", "thuận", "khuya", "toàn", "a", "hoa"]
)
def test_canonical_tone_leaves_other_words_alone(word: str) -> None:
    assert canonical_tone(word) == word


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Xã Hòa Bình", "Hòa Bình"),
        ("Phường Bến Nghé", "Bến Nghé"),
        ("Thị trấn Cái Nước", "Cái Nước"),
        ("Đặc khu Phú Quốc", "Phú Quốc"),
        ("X. Tân Tiến", "Tân Tiến"),
        ("P.Bến Thành", "Bến Thành"),
        ("TT. Năm Căn", "Năm Căn"),
        ("Xãhội", "Xãhội"),
        ("Phường", "Phường"),
    ],
)
def test_strip_prefix_removes_commune_types(name: str, expected: str) -> None:
    assert strip_prefix(name) == expected


def test_strip_prefix_by_level() -> None:
    assert strip_prefix("Thành phố Hồ Chí Minh", level="province") == "Hồ Chí Minh"
    assert strip_prefix("Tỉnh Cà Mau", level="province") == "Cà Mau"
    assert strip_prefix("Thị xã Cai Lậy", level="district") == "Cai Lậy"
    assert strip_prefix("Huyện Lý Sơn", level="district") == "Lý Sơn"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Phường Hoà Bình", "hòa bình"),
        ("Xã Thuỷ An", "Thủy An"),
        ("Thanh Hoá", "THANH HÓA"),
        ("P.01", "Phường 1"),
        ("Phường 01", "Phường I"),
        ("Phường III", "P. 3"),
        ("Xã Ea H'Leo", "Ea HLeo"),
        (unicodedata.normalize("NFD", "Xã Hoà Lộc"), "Hòa Lộc"),
        ("Xã \u00d0ông Hải", "Đông Hải"),
    ],
)
def test_name_key_equates_spellings_of_one_unit(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Phường 1", "Phường 11"),
        ("Xã Hòa Bình", "Xã Hoà Bình A"),
        ("Xã Quý", "Xã Qúy Lộc"),
        ("Hòa", "Hoàn"),
    ],
)
def test_name_key_keeps_distinct_units_apart(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_name_key_keeps_diacritics_but_ascii_key_drops_them() -> None:
    assert name_key("Xã Tân An") != name_key("Xã Tấn An")
    assert ascii_key("Xã Tân An") == ascii_key("Xã Tấn An") == "tanan"
    assert ascii_key("Tỉnh Đắk Lắk", level="province") == "daklak"


vietnamese_words = st.text(
    alphabet="aăâeêioôơuưyđhnqtlgbckòóỏõọàáảãạùúủũụìíỉĩịỳýỷỹỵ ", min_size=1, max_size=20
)


@given(vietnamese_words)
def test_name_key_ignores_unicode_normal_form(text: str) -> None:
    assert name_key(unicodedata.normalize("NFD", text)) == name_key(
        unicodedata.normalize("NFC", text)
    )


@given(vietnamese_words)
def test_keys_are_nfc_lowercase_and_ascii_key_is_ascii(text: str) -> None:
    key = name_key(text)
    assert key == unicodedata.normalize("NFC", key) == key.lower()
    assert ascii_key(text).isascii()


@pytest.mark.parametrize(
    ("spelling", "official"),
    [
        ("HiệpThành", "Xã Hiệp Thành"),
        ("Phường1", "Phường 1"),
        ("ThớiBình(Thịtrấn)", "Thị trấn Thới Bình"),
        ("Ward 6", "Phường 6"),
        ("Phuong Ba Dinh", "Phường Ba Đình"),
        ("Xa An Khanh", "Xã An Khánh"),
    ],
)
def test_ascii_key_of_real_spellings_equals_the_official_name(spelling: str, official: str) -> None:
    assert ascii_key(spelling) == ascii_key(official)


def test_compact_key_keeps_diacritics_but_not_spaces() -> None:
    assert compact_key("HiệpThành") == compact_key("Xã Hiệp Thành") == "hiệpthành"
    assert compact_key("HiệpThành") != compact_key("Hiệp Thạnh")


def test_type_levels_reads_type_words() -> None:
    assert type_levels("Thànhphố") == {"district", "province"}
    assert type_levels("Huyện") == {"district"}
    assert type_levels("Thịtrấn") == {"commune"}
    assert type_levels("An Phú") == frozenset()
    assert leading_type_levels("District 1") == {"district"}
