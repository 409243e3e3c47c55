"""Print sheets and the atlas speak one language: the text extracted from the PDF holds no word of the other.

The words of each language are the app's own strings (``application.i18n.STRINGS``,
which holds the registry's and the sheets' texts): a word of the Vietnamese strings
that no English string uses is a Vietnamese UI word, and the other way round.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from application.i18n import STRINGS
from geo import schema as s
from layers import atlas, mapsheet
from layers.sheet_texts import SHEET_TEXTS
from tests.layers.test_export import ind_layers, write_ind

WORD = re.compile(r"[^\W\d_]+")
PLACEHOLDER = re.compile(r"\{[^}]*\}")
DPI = 30
OTHER = {"vi": "en", "en": "vi"}


def words(text: str) -> set[str]:
    """Lower-case words (letters only) of ``text``."""
    return {w.casefold() for w in WORD.findall(unicodedata.normalize("NFC", text))}


#: Vietnamese proper nouns an English sheet writes (the archipelagos: DOMAIN.md §6).
PROPER_NOUNS = frozenset({"hoàng", "trường"})


def ui_words(lang: str) -> set[str]:
    """Words of the strings in ``lang`` that no string of the other language uses.

    Vietnamese also counts every word of its strings with a letter outside ASCII
    (but the proper nouns), so a Vietnamese text left in an English string is still seen.
    """

    def of(code: str) -> set[str]:
        return set().union(*(words(PLACEHOLDER.sub(" ", e[code])) for e in STRINGS.values()))

    own = of(lang) - of(OTHER[lang])
    if lang == "vi":
        own |= {w for w in of("vi") if not w.isascii()} - PROPER_NOUNS
    return own


def place_words() -> set[str]:
    """Words of the fixture's place names as a sheet writes them (no type word): proper nouns of both languages."""
    layers = ind_layers()
    names = [
        *layers["commune"][s.COMMUNE_NAME],
        *layers["province"][s.PROVINCE_NAME],
    ]
    return set().union(
        *(
            words(mapsheet.short_name(unicodedata.normalize("NFC", n), level="commune"))
            for n in names
        ),
        *(words(mapsheet.place_name(n, "en")) for n in layers["province"][s.PROVINCE_NAME]),
    )


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def foreign_words(
    text: str, lang: str, *, sources: tuple[str, ...] = ("DEMO_sites.csv",)
) -> set[str]:
    """UI words of the other language in ``text`` (file names and place names left out)."""
    for source in sources:
        text = text.replace(source, " ")
    return (words(text) - place_words()) & ui_words(OTHER[lang])


@pytest.fixture(scope="module")
def ind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_ind(tmp_path_factory.mktemp("lang") / "ind.gpkg")


def test_the_word_lists_are_not_empty_and_hold_the_words_that_went_wrong() -> None:
    assert {"nguồn", "liệu", "đúng", "b"} <= ui_words("vi")
    assert {"sources", "mobile", "fibre", "approximate", "n"} <= ui_words("en")


def test_every_sheet_text_has_both_languages() -> None:
    assert all(set(entry) == {"vi", "en"} for entry in SHEET_TEXTS.values())


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(
    ("column", "province"),
    [
        (s.PCT_POP_4G, None),
        (s.PCT_HOUSEHOLDS_FIBRE, "96"),
        (s.UNCOVERED, "08"),
        (s.POP_TOTAL, None),
    ],
)
def test_a_sheet_holds_no_word_of_the_other_language(
    ind: Path, lang: str, column: str, province: str | None
) -> None:
    sheet = mapsheet.sheet_from_gpkg(ind, column=column, province=province, lang=lang)
    text = pdf_text(mapsheet.sheet_bytes(sheet, fmt="pdf", dpi=DPI))
    assert foreign_words(text, lang) == set()
    north = {"vi": "B", "en": "N"}[lang]
    assert north in text.split()
    assert {"vi": "Nguồn số liệu:", "en": "Sources:"}[lang] in text


def test_sources_are_named_in_the_sheets_language(ind: Path) -> None:
    vi = pdf_text(
        mapsheet.sheet_bytes(mapsheet.sheet_from_gpkg(ind, column=s.PCT_POP_4G), fmt="pdf", dpi=DPI)
    )
    en = pdf_text(
        mapsheet.sheet_bytes(
            mapsheet.sheet_from_gpkg(ind, column=s.PCT_POP_4G, lang="en"), fmt="pdf", dpi=DPI
        )
    )
    assert "• di động: DEMO_sites.csv (ngày 2025-06-30)" in vi and "mobile:" not in vi
    assert "• mobile: DEMO_sites.csv (as of 2025-06-30)" in en


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_atlas_holds_no_word_of_the_other_language(
    ind: Path, tmp_path: Path, lang: str
) -> None:
    out = tmp_path / f"atlas_{lang}.pdf"
    atlas.write_atlas(ind, out, column=s.PCT_HOUSEHOLDS_FIBRE, lang=lang)
    text = pdf_text(out.read_bytes())
    assert foreign_words(text, lang) == set()
    assert {"vi": "Tập bản đồ hạ tầng số", "en": "Digital infrastructure atlas"}[lang] in text


def test_numbers_on_an_english_sheet_use_english_separators(ind: Path) -> None:
    sheet = mapsheet.sheet_from_gpkg(ind, column=s.PCT_POP_4G, lang="en")
    text = pdf_text(mapsheet.sheet_bytes(sheet, fmt="pdf", dpi=DPI))
    assert "79.2 %" in text and "79,2" not in text
    vi = pdf_text(
        mapsheet.sheet_bytes(mapsheet.sheet_from_gpkg(ind, column=s.PCT_POP_4G), fmt="pdf", dpi=DPI)
    )
    assert "79,2 %" in vi and "79.2" not in vi
