"""Which field a table header names: the header vocabulary of ``headers.toml`` applied to folded words.

The vocabulary is data, one table of phrases per field (see the comments of
``headers.toml``), not code: a province's new way of writing a header is a
line added there. A header is folded to words (:func:`header_words`) and
tried against three kinds of rule, over all fields, in this order: a whole
header (``headers``), a header built only of a word list after an optional
lead-in (``made_of``: "Ấp/Khóm", "Thôn/Xóm/Bản", "Số thôn, bản"), and
phrases that must all appear (``contains``: "hộ" and "cáp quang").

When detection is not enough, a mapping ``{header: field}`` given by the user
(``--map-column "HEADER=FIELD"``) wins; ``ignore`` leaves a column out.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from geo.errors import InputError

VOCABULARY_FILE: Final = Path(__file__).with_name("headers.toml")
IGNORE: Final = "ignore"  # a mapping's field that leaves the column out

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class FieldWords:
    """The rules of one field, as folded phrases."""

    field: str
    vi: str
    en: str
    headers: frozenset[Phrase]
    made_of: frozenset[Phrase]
    before: tuple[Phrase, ...]
    contains: tuple[tuple[Phrase, ...], ...]
    unless: tuple[Phrase, ...]


def header_words(text: object) -> Phrase:
    """Header text as folded words: "Ấp/Khóm" → ("ap", "khom"); "Số hộ (hộ)" → ("so", "ho")."""
    text = "" if text is None else str(text)
    text = re.sub(r"\([^)]*\)", " ", unicodedata.normalize("NFC", text).lower()).replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return tuple(re.findall(r"[a-z0-9]+", text))


def _phrase(text: str) -> Phrase:
    return header_words(text)


@cache
def vocabulary() -> tuple[FieldWords, ...]:
    """The fields of ``headers.toml``, in the file's order."""
    with VOCABULARY_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    words = {name: frozenset(_phrase(w) for w in items) for name, items in data["words"].items()}
    return tuple(
        FieldWords(
            field=field,
            vi=rules["vi"],
            en=rules["en"],
            headers=frozenset(_phrase(h) for h in rules.get("headers", ())),
            made_of=words[rules["made_of"]] if "made_of" in rules else frozenset(),
            before=tuple(_phrase(b) for b in rules.get("before", ("",))),
            contains=tuple(
                tuple(_phrase(part) for part in entry.split("&"))
                for entry in rules.get("contains", ())
            ),
            unless=tuple(_phrase(u) for u in rules.get("unless", ())),
        )
        for field, rules in data["fields"].items()
    )


def field_names() -> tuple[str, ...]:
    """Every field a column can be mapped to (``ignore`` aside)."""
    return tuple(f.field for f in vocabulary())


def field_meanings() -> list[tuple[str, str, str]]:
    """(field, Vietnamese meaning, English meaning) of every field, and of ``ignore``."""
    rows = [(f.field, f.vi, f.en) for f in vocabulary()]
    return [*rows, (IGNORE, "Bỏ qua cột này", "Leave the column out")]


def detect_field(header: object) -> str | None:
    """The field a header names by the vocabulary, or None."""
    words = header_words(header)
    if not words:
        return None
    for test in (_is_header, _is_made_of, _contains):
        field = next((f.field for f in vocabulary() if test(f, words)), None)
        if field is not None:
            return field
    return None


def _is_header(rules: FieldWords, words: Phrase) -> bool:
    return words in rules.headers


def _is_made_of(rules: FieldWords, words: Phrase) -> bool:
    if not rules.made_of:
        return False
    for lead in rules.before:
        if words[: len(lead)] == lead and _segments(words[len(lead) :], rules.made_of):
            return True
    return False


def _segments(words: Phrase, phrases: frozenset[Phrase]) -> bool:
    """True when ``words`` (not empty) is a run of ``phrases`` end to end."""
    if not words:
        return False
    ends = {0}
    for start in range(len(words)):
        if start not in ends:
            continue
        ends |= {start + len(p) for p in phrases if words[start : start + len(p)] == p}
    return len(words) in ends


def _holds(words: Phrase, phrase: Phrase) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _contains(rules: FieldWords, words: Phrase) -> bool:
    if any(_holds(words, u) for u in rules.unless):
        return False
    return any(all(_holds(words, part) for part in entry) for entry in rules.contains)


def parse_mapping(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["HEADER=FIELD", …]`` (the ``--map-column`` values) as a dict; the field must exist or be ``ignore``."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, field = item.rpartition("=")
        if not sep or not header.strip() or not field.strip():
            raise InputError(
                f"column mapping {item!r} is not HEADER=FIELD; e.g. --map-column 'Ấp/Khóm=village_name'"
            )
        mapping[header.strip()] = field.strip()
    check_mapping(mapping)
    return mapping


def check_mapping(mapping: Mapping[str, str]) -> None:
    """Raise :class:`InputError` when a mapping names a field that does not exist."""
    allowed = (*field_names(), IGNORE)
    wrong = {h: f for h, f in mapping.items() if f not in allowed}
    if wrong:
        raise InputError(
            f"column mapping names unknown fields {wrong}; a field is one of {list(allowed)} "
            "(python -m geo fields lists them with their meaning)"
        )


def mapped_field(labels: list[str], mapping: Mapping[str, str]) -> str | None:
    """The field ``mapping`` gives a column whose header cells are ``labels`` (compared folded), or None."""
    folded = {header_words(h): f for h, f in mapping.items()}
    candidates = [" / ".join(labels), " ".join(labels), *labels]
    return next((folded[w] for w in map(header_words, candidates) if w in folded), None)
