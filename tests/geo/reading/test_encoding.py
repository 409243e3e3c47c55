"""Text decoding: TCVN3, VNI, CP1258, UTF-8 mojibake and NFD, decided per column."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from viparse.normalize.encodings import CHARMAPS

from geo.errors import InputError
from geo.importing.matching import known_name_keys
from geo.reading.encoding import AS_READ, MOJIBAKE, decode_column, fix_text_columns, is_plausible
from geo.reference import register

_TONES = "\u0300\u0301\u0303\u0309\u0323"


def encode_legacy(text: str, encoding: str) -> str:
    """Unicode → the Latin-1 surface of its TCVN3/VNI bytes (viparse's table, reversed)."""
    reverse: dict[str, str] = {}
    for legacy, unicode in CHARMAPS[encoding].pairs:
        reverse.setdefault(unicodedata.normalize("NFC", unicode), legacy)
    return "".join(reverse.get(char, char) for char in unicodedata.normalize("NFC", text))


def encodable(text: str, encoding: str) -> bool:
    """True when every non-ASCII letter of ``text`` has a code in ``encoding``."""
    return encode_legacy(text, encoding).isascii() or all(
        ord(c) < 256 for c in encode_legacy(text, encoding)
    )


def encode_cp1258(text: str) -> bytes:
    """Unicode → CP1258 bytes (base letter + combining tone where no precomposed code exists)."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += (base + "".join(c for c in parts if c in _TONES)).encode("cp1258")
    return out


def mojibake(text: str) -> str:
    """UTF-8 bytes read as cp1252 (its five undefined bytes read as Latin-1, as Windows does)."""
    return "".join(
        bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)
        for b in text.encode("utf-8")
    )


def old_style_nfd(text: str) -> str:
    """ "Hòa" → "Hoà" (tone on the last vowel), decomposed (NFD)."""
    words = []
    for word in text.split(" "):
        parts = unicodedata.normalize("NFD", word)
        tones = [c for c in parts if c in _TONES]
        bare = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        if (
            len(tones) == 1
            and bare.lower().endswith(("oa", "oe", "uy"))
            and not bare.lower().endswith("quy")
        ):
            word = bare + tones[0]
        words.append(unicodedata.normalize("NFD", word))
    return " ".join(words)


@pytest.fixture(scope="module")
def names() -> list[str]:
    """The 64 communes of 2025 Cà Mau, as the register writes them."""
    frame = register.read_communes_2025()
    return frame.loc[frame["province_code"] == "96", "commune_name"].tolist()


@pytest.fixture(scope="module")
def keys() -> frozenset[str]:
    return known_name_keys()


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_font_bytes_in_a_dbf_are_detected_and_converted(
    names: list[str], keys: frozenset[str], encoding: str
) -> None:
    usable = [n for n in names if encodable(n, encoding)]
    (label, plausible, known, changed), mapping = decode_column(
        [encode_legacy(n, encoding) for n in usable], raw=True, declared="cp1252", known_keys=keys
    )
    assert label == encoding
    assert list(mapping.values()) == usable
    assert plausible == known == 1.0


def test_vni_names_in_a_unicode_file_are_converted_too(
    names: list[str], keys: frozenset[str]
) -> None:
    (label, *_), mapping = decode_column([encode_legacy(n, "vni") for n in names], known_keys=keys)
    assert label == "vni"
    assert mapping[encode_legacy("Phường Bạc Liêu", "vni")] == "Phường Bạc Liêu"


def test_cp1258_bytes_are_decoded_and_composed_to_nfc(
    names: list[str], keys: frozenset[str]
) -> None:
    raw = [encode_cp1258(n).decode("latin-1") for n in names]
    (label, *_), mapping = decode_column(raw, raw=True, declared="cp1252", known_keys=keys)
    assert label == "cp1258"
    assert list(mapping.values()) == names


def test_utf8_read_as_cp1252_is_repaired(names: list[str], keys: frozenset[str]) -> None:
    (label, *_), mapping = decode_column([mojibake(n) for n in names], known_keys=keys)
    assert label == MOJIBAKE
    assert list(mapping.values()) == names


def test_utf8_bytes_without_a_cpg_are_read_as_utf8(names: list[str], keys: frozenset[str]) -> None:
    (label, *_), mapping = decode_column(
        [n.encode("utf-8").decode("latin-1") for n in names],
        raw=True,
        declared="cp1252",
        known_keys=keys,
    )
    assert label == "utf-8"
    assert list(mapping.values()) == names


def test_nfd_old_style_names_stay_as_read_but_become_nfc(
    names: list[str], keys: frozenset[str]
) -> None:
    (label, _, known, changed), mapping = decode_column(
        [old_style_nfd(n) for n in names], known_keys=keys
    )
    assert label == AS_READ
    assert known == 1.0
    assert all(unicodedata.is_normalized("NFC", v) for v in mapping.values())


def test_the_decision_is_made_per_column(names: list[str], keys: frozenset[str]) -> None:
    frame = pd.DataFrame(
        {
            "ten": [encode_legacy(n, "tcvn3") for n in names],
            "ghi_chu": names,
            "ma": ["1"] * len(names),
        }
    )
    decoded = fix_text_columns(frame, known_keys=keys)
    assert {d.column: d.encoding for d in decoded.columns} == {
        "ten": "tcvn3",
        "ghi_chu": AS_READ,
        "ma": AS_READ,
    }
    assert decoded.frame["ten"].tolist() == names
    assert decoded.encoding == "tcvn3"


def test_without_known_names_plausibility_still_decides(names: list[str]) -> None:
    (label, *_), _ = decode_column(
        [encode_legacy(n, "tcvn3") for n in names], raw=True, declared="cp1252"
    )
    assert label == "tcvn3"


def test_a_forced_encoding_is_applied_to_every_text_column(names: list[str]) -> None:
    frame = pd.DataFrame({"ten": [encode_legacy(n, "vni") for n in names]})
    assert fix_text_columns(frame, forced="vni").frame["ten"].tolist() == names


def test_an_unknown_encoding_name_is_refused() -> None:
    with pytest.raises(InputError, match="--encoding 'klingon'.*tcvn3"):
        fix_text_columns(pd.DataFrame({"a": ["x"]}), forced="klingon")


def test_bytes_that_cannot_be_decoded_as_forced_name_the_value() -> None:
    with pytest.raises(InputError, match="cannot be decoded as utf-8"):
        fix_text_columns(pd.DataFrame({"a": ["\xe9t\xe9"]}), raw=True, forced="utf-8")


def test_plausibility_of_strings() -> None:
    assert is_plausible("Phường Hòa Bình")
    assert is_plausible("Thị trấn Nông trường Mộc Châu (TT.)")
    assert not is_plausible("PhÆ°á»ng")
    assert not is_plausible("Céng hoµ")
    assert not is_plausible("Coäng hoøa")
