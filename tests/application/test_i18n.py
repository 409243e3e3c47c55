"""Every UI string exists in Vietnamese and English with the same placeholders."""

from __future__ import annotations

import string

import pytest

from application.i18n import DEFAULT_LANG, LANGS, STRINGS, text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_string_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = STRINGS[key]
    assert set(entry) == set(LANGS)
    assert all(entry[lang].strip() for lang in LANGS)
    assert _fields(entry["vi"]) == _fields(entry["en"])


def test_vietnamese_is_the_default() -> None:
    assert DEFAULT_LANG == "vi"
    assert text("page_map") == "Bản đồ"
    assert text("page_map", "en") == "Map"


def test_placeholders_are_filled() -> None:
    assert text("whole_country", "en", n=34) == "Whole country (34 provinces)"
    assert text("as_of", "vi", date="2025-10-01") == "Số liệu đến ngày 2025-10-01"


def test_an_unknown_language_falls_back_to_vietnamese() -> None:
    assert text("page_data", "fr") == "Dữ liệu"


def test_an_unknown_key_is_an_error() -> None:
    with pytest.raises(KeyError):
        text("no_such_key")
