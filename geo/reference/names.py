"""Vietnamese names: Unicode normalisation and matching keys.

Two kinds of function live here:

- ``normalize_text`` cleans a string for display and storage (NFC, "Ð" → "Đ",
  white space folded) and changes nothing a reader would call a spelling;
- ``name_key`` and ``ascii_key`` build *matching keys*: lower case, type
  prefix removed ("Xã", "P.", "Thị trấn" …), tone marks canonically placed in
  word-final oa/oe/uy ("Hoà" and "Hòa" give the same key), numbered wards
  folded ("Phường 01", "P.1", "Phường I" → "1"). Keys are for comparing, never
  for showing.

See ``shared/docs/DOMAIN.md`` §3 for why each rule exists.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

Level = Literal["commune", "district", "province"]

# Combining tone marks (the five tones other than level tone).
_TONE_MARKS: Final = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS: Final = frozenset("aăâeêioôơuưy")

# Type prefixes, longest first so "Thị trấn" wins over "Thị", "TP." over "T".
_PREFIXES: Final[dict[str, tuple[str, ...]]] = {
    "commune": ("đặc khu", "thị trấn", "phường", "xã", "tt.", "tt", "p.", "x.", "dk."),
    "district": ("thành phố", "thị xã", "huyện", "quận", "tp.", "tp", "tx.", "tx", "h.", "q."),
    "province": ("thành phố", "tỉnh", "tp.", "tp", "t."),
}
_ROMAN: Final = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}
# Type words as they appear in English and ASCII spellings ("Ward 6", "Phuong Ba Dinh",
# "Xa An Khanh", "District 1"), compared word by word after diacritics are removed.
_ASCII_TYPES: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "commune": (
        ("thi", "tran"),
        ("dac", "khu"),
        ("phuong",),
        ("xa",),
        ("ward",),
        ("commune",),
        ("township",),
        ("town",),
        ("tt",),
        ("p",),
        ("x",),
    ),
    "district": (
        ("thanh", "pho"),
        ("thi", "xa"),
        ("huyen",),
        ("quan",),
        ("district",),
        ("city",),
        ("town",),
        ("tp",),
        ("tx",),
        ("h",),
        ("q",),
    ),
    "province": (("thanh", "pho"), ("tinh",), ("province",), ("city",), ("tp",)),
}
# Type words alone (a TYPE column, or a name's prefix), spaces and diacritics removed, by the
# levels they can name: "thanhpho" is a provincial city or a city of a province.
_TYPE_LEVELS: Final[dict[str, frozenset[str]]] = {
    **dict.fromkeys(
        ("xa", "phuong", "thitran", "dackhu", "ward", "commune", "township"), frozenset({"commune"})
    ),
    **dict.fromkeys(("huyen", "quan", "thixa", "district", "town"), frozenset({"district"})),
    "thanhpho": frozenset({"district", "province"}),
    "city": frozenset({"district", "province"}),
    **dict.fromkeys(("tinh", "province"), frozenset({"province"})),
}
# A type word in brackets after the name, as GADM writes it: "ThớiBình(Thịtrấn)".
_BRACKETED_TYPE: Final = re.compile(r"\s*\(([^()]*)\)\s*$")
_GLUED_NUMBER: Final = re.compile(r"^(phường|phuong|ward|p)\s*(\d+)$")
_APOSTROPHES: Final = re.compile(r"['`’‘]")  # "H'Leo" = "HLeo"
_PUNCTUATION: Final = re.compile(r"[.,;:\"“”()\[\]_/\\-]+")
_SPACES: Final = re.compile(r"\s+")


def to_nfc(value: object) -> object:
    """A string in Unicode NFC, spelled as written; anything else unchanged (the one NFC helper)."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def normalize_text(text: str) -> str:
    """Return ``text`` in NFC with "Ð" (U+00D0) read as "Đ" and white space folded.

    >>> normalize_text("Ho\u0300a  Bi\u0300nh ")
    'Hòa Bình'
    """
    text = unicodedata.normalize("NFC", text).replace("\u00d0", "Đ").replace("\u00f0", "đ")
    return _SPACES.sub(" ", text).strip()


def canonical_tone(word: str) -> str:
    """Place the tone mark of a word-final oa/oe/uy on its first vowel ("hoà" → "hòa").

    Sources disagree on where the tone goes in these rhymes ("Hoà"/"Hòa",
    "Thuỷ"/"Thủy"). Only word-final oa, oe and uy are touched, and not "uy"
    after "q", whose "u" belongs to the consonant: "Hoàn", "Quý" and "Huỳnh"
    are returned unchanged.
    """
    chars = list(unicodedata.normalize("NFD", word))
    tones = [c for c in chars if c in _TONE_MARKS]
    base = [c for c in chars if c not in _TONE_MARKS]
    letters = [(i, c) for i, c in enumerate(base) if not unicodedata.combining(c)]
    if len(tones) != 1 or len(letters) < 2:
        return word
    (i1, first), (_, second) = letters[-2], letters[-1]
    rhyme = (first + second).lower()
    before = letters[-3][1].lower() if len(letters) >= 3 else ""
    if rhyme not in ("oa", "oe", "uy") or (rhyme == "uy" and before == "q"):
        return word
    if before in _VOWELS:  # e.g. "uya": not a two-vowel final rhyme
        return word
    base.insert(i1 + 1, tones[0])
    return unicodedata.normalize("NFC", "".join(base))


def strip_prefix(name: str, *, level: Level = "commune") -> str:
    """Remove a leading administrative type ("Xã", "P.", "Thành phố" …) from ``name``.

    A name that is nothing but the prefix is returned unchanged.
    """
    text = normalize_text(name)
    lowered = text.lower()
    for prefix in _PREFIXES[level]:
        if lowered.startswith(prefix):
            rest = text[len(prefix) :]
            if prefix[-1] != "." and rest and rest[0].isalnum():
                continue  # "Xãx" is not "Xã" + "x"
            rest = rest.strip()
            return rest if rest else text
    return text


def name_key(name: str, *, level: Level = "commune") -> str:
    """Matching key that keeps diacritics but not case, prefix, tone placement or punctuation.

    >>> name_key("Phường Hoà Bình") == name_key("hòa bình")
    True
    >>> name_key("P.01") == name_key("Phường 1") == name_key("Phường I")
    True
    """
    core = strip_prefix(_strip_bracketed_type(name), level=level).lower()
    glued = _GLUED_NUMBER.match(core) if level == "commune" else None
    core = glued.group(2) if glued else core  # GADM's "Phường1", "Ward1"
    core = _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", core))
    core = _SPACES.sub(" ", core).strip()
    words = [canonical_tone(w) for w in core.split(" ") if w]
    return _fold_number(" ".join(words))


def compact_key(name: str, *, level: Level = "commune") -> str:
    """Like :func:`name_key` but without spaces: GADM writes "HiệpThành" for "Hiệp Thành"."""
    return name_key(name, level=level).replace(" ", "")


def ascii_key(name: str, *, level: Level = "commune") -> str:
    """Like :func:`name_key` but without diacritics, spaces or a leading ASCII type word.

    >>> ascii_key("Đắk Lắk")
    'daklak'
    >>> ascii_key("Phuong Ba Dinh") == ascii_key("Phường Ba Đình") == ascii_key("BaĐình")
    True

    Leading type words are removed on both sides of a comparison, so a commune whose
    own name starts with one ("Phương Đình") still compares equal to itself.
    """
    words = _fold_ascii(name_key(name, level=level)).split(" ")
    stripped = True
    while stripped:
        stripped = False
        for type_words in _ASCII_TYPES[level]:
            n = len(type_words)
            if len(words) > n and tuple(words[:n]) == type_words:
                words, stripped = words[n:], True
                break
    key = _fold_number("".join(words))
    glued = _GLUED_NUMBER.match(key) if level == "commune" else None
    return str(int(glued.group(2))) if glued else key


def type_levels(text: str) -> frozenset[str]:
    """The levels a bare type word can name; empty when ``text`` is not a type word.

    "Huyện" → district, "Thànhphố" → district or province, "Ward" → commune.
    """
    if not isinstance(text, str):
        return frozenset()
    key = _fold_ascii(normalize_text(text).lower()).replace(" ", "").rstrip(".")
    return _TYPE_LEVELS.get(key, frozenset())


def leading_type_levels(name: str) -> frozenset[str]:
    """The levels named by the type word ``name`` starts with ("Huyện An Phú" → district)."""
    if not isinstance(name, str):
        return frozenset()
    words = _fold_ascii(normalize_text(name).lower()).split(" ")
    for n in (2, 1):
        if len(words) > n and (levels := type_levels(" ".join(words[:n]))):
            return levels
    return frozenset()


def without_type_words(text: str) -> tuple[str, ...]:
    """``text`` lower-cased as typed, then without each leading type word of any level.

    A search box gets "xa dat mui", "huyện Đầm Dơi" or "tinh ca mau": the type word,
    accented or not, of a commune, a (legacy) district or a province, may lead a name.
    A word left alone is kept, so "Xã" alone is not emptied.

    >>> without_type_words("Xa dat mui")
    ('xa dat mui', 'dat mui')
    >>> without_type_words("thị trấn")
    ('thị trấn',)
    """
    words = _SPACES.sub(" ", normalize_text(text).lower().replace(".", ". ")).strip().split(" ")
    variants = [" ".join(words)]
    while True:
        n = next((n for n in (2, 1) if len(words) > n and _is_type(words[:n])), 0)
        if not n:
            return tuple(variants)
        words = words[n:]
        variants.append(" ".join(words))


# Abbreviated type words people type before a name ("tp hcm", "tx. sơn tây", "p 1").
_ABBREVIATED_TYPES: Final = frozenset({"tp", "tx", "tt", "dk", "p", "x", "q", "h"})


def _is_type(words: list[str]) -> bool:
    word = " ".join(words)
    return bool(type_levels(word)) or _fold_ascii(word).rstrip(".") in _ABBREVIATED_TYPES


# Commune type words, spaces and diacritics removed, as the register's types ("Thị trấn" → "thitran").
_COMMUNE_TYPE_WORDS: Final = {
    "xa": "xa",
    "x": "xa",
    "commune": "xa",
    "phuong": "phuong",
    "p": "phuong",
    "ward": "phuong",
    "thitran": "thitran",
    "tt": "thitran",
    "township": "thitran",
    "dackhu": "dackhu",
    "dk": "dackhu",
}


_ACCENTED_TYPE: Final = re.compile(r"^(thị ?trấn|đặc ?khu|phường|xã|tt\.|p\.|x\.)(?![^\W\d_])")


def commune_type_key(name: object) -> str:
    """The commune type a name states, as a key ("xa", "phuong", "thitran", "dackhu"), or "".

    From a bracketed type after the name, as GADM writes it ("TrạmTấu(Thịtrấn)"),
    else from a leading type word ("Phường Tân Thành", "Xa An Khanh"). The
    register's own types give the same keys: ``commune_type_key("Thị trấn") == "thitran"``.
    Used to tell apart same-named communes of one district (a xã and a thị trấn).
    """
    if not isinstance(name, str):
        return ""
    found = _BRACKETED_TYPE.search(name)
    if found and type_levels(found.group(1)):
        return _COMMUNE_TYPE_WORDS.get(_type_word(found.group(1)), "")
    text = normalize_text(name).lower()
    if _fold_ascii(text) != text:  # accented: only accented type words ("Phương Đình" has none)
        found = _ACCENTED_TYPE.match(text)
        return _COMMUNE_TYPE_WORDS[_type_word(found.group(1))] if found else ""
    words = text.replace(".", " ").split()
    for n in (2, 1):
        word = "".join(words[:n])
        if len(words) >= n and word in _COMMUNE_TYPE_WORDS:
            return _COMMUNE_TYPE_WORDS[word]
    return ""


def _type_word(text: str) -> str:
    return _fold_ascii(normalize_text(text).lower()).replace(" ", "").rstrip(".")


def _fold_ascii(text: str) -> str:
    """``text`` without diacritics ("đ" → "d")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _strip_bracketed_type(name: str) -> str:
    """Drop a bracketed type word ("ThớiBình(Thịtrấn)" → "ThớiBình"); other brackets stay."""
    found = _BRACKETED_TYPE.search(name) if isinstance(name, str) else None
    if found and type_levels(found.group(1)):
        return name[: found.start()]
    return name


def _fold_number(core: str) -> str:
    """Ward numbers as plain digits ("01" → "1", "iii" → "3"): numbered wards compare equal however they are written."""
    if core.isdigit():
        return str(int(core))
    return str(_ROMAN[core]) if core in _ROMAN else core
