"""Decide how the text of each column was encoded, and turn it into Unicode NFC.

Old Vietnamese shapefiles carry TCVN3 ("Céng hoµ"), VNI ("Coäng hoøa") or
CP1258 bytes in the DBF, usually under a .cpg or language byte that says
something else; newer files are UTF-8, sometimes read back as cp1252
("PhÆ°á»ng"). One string is too short to tell these apart, so the decision
is made **per column from all its strings**:

1. every candidate decoding (as read/declared, UTF-8, CP1258, TCVN3, VNI,
   UTF-8-read-as-cp1252) is applied to the column's distinct values;
2. each candidate is scored by the share of values that are *plausible
   Vietnamese* (only Vietnamese letters, ASCII and common punctuation, at
   most one tone mark per word, no upper case after lower case inside a word)
   and, weighted double, the share whose :func:`geo.reference.names.name_key` is a
   known unit name (``known_keys``, e.g. every commune of the register);
   ``viparse.detect_text_encoding`` on the whole column adds a small bonus
   to the legacy encoding it names;
3. the best candidate wins only if it beats the text as read by a margin;
   ties keep the text as read.

TCVN3 and VNI are converted with ``viparse.fix``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd
import viparse

from geo.errors import InputError
from geo.reference.names import name_key, normalize_text

AS_READ: Final = "as read"
MOJIBAKE: Final = "utf-8 read as cp1252"
LEGACY_FONTS: Final = ("tcvn3", "vni")
CANDIDATES: Final = ("utf-8", "cp1258", "tcvn3", "vni", MOJIBAKE)
MARGIN: Final = 0.05  # a decoding must beat the text as read by this much
DETECTION_BONUS: Final = 0.03
MAX_SCORED_VALUES: Final = 2000

_TONES: Final = "\u0300\u0301\u0303\u0309\u0323"
_BASES: Final = "aăâeêioôơuưy"
_VIETNAMESE_LETTERS: Final = frozenset(
    unicodedata.normalize("NFC", base + tone).upper()
    if upper
    else unicodedata.normalize("NFC", base + tone)
    for base in _BASES
    for tone in ("", *_TONES)
    for upper in (False, True)
) | frozenset("đĐ")
_PUNCTUATION: Final = frozenset(" \t-–—.,;:'’‘\"“”()[]/\\&%#+*_°…!?")


@dataclass(frozen=True)
class ColumnDecision:
    """How one text column was decoded.

    Attributes
    ----------
    column
        Column name.
    encoding
        The decoding chosen: ``"as read"``, a codec name, ``"tcvn3"``,
        ``"vni"`` or ``"utf-8 read as cp1252"``.
    plausible
        Share of distinct values that read as plausible Vietnamese afterwards.
    known
        Share of distinct values whose name key is a known unit name.
    changed
        Number of distinct values the decoding changed.
    """

    column: str
    encoding: str
    plausible: float
    known: float
    changed: int


@dataclass(frozen=True)
class TextDecoding:
    """A frame with its text columns decoded, and the decision for each column."""

    frame: pd.DataFrame
    columns: tuple[ColumnDecision, ...]

    @property
    def encoding(self) -> str:
        """The decoding of the file in one word: the one most columns needed ("as read" if none)."""
        changed = [d.encoding for d in self.columns if d.encoding != AS_READ]
        return max(set(changed), key=changed.count) if changed else AS_READ


def fix_text_columns(
    frame: pd.DataFrame,
    *,
    raw: bool = False,
    declared: str | None = None,
    forced: str | None = None,
    known_keys: frozenset[str] = frozenset(),
) -> TextDecoding:
    """Decode every text column of ``frame`` to Unicode NFC, deciding per column.

    Parameters
    ----------
    frame
        The table as read.
    raw
        True when text was read byte for byte as Latin-1 (shapefile DBFs, see
        :mod:`geo.reading.read`); the bytes are then decoded here.
    declared
        The codec the file declares (.cpg or DBF language byte); tried first.
    forced
        Decode every text column this way (``--encoding``) instead of deciding.
    known_keys
        Name keys of real unit names, the strongest evidence for a decoding.
    """
    if forced is not None:
        _check_encoding_name(forced)
    out = frame.copy()
    decisions = []
    for column in _text_columns(frame):
        decision, mapping = decode_column(
            frame[column].dropna().unique().tolist(),
            raw=raw,
            declared=declared,
            forced=forced,
            known_keys=known_keys,
        )
        out[column] = frame[column].map(mapping, na_action="ignore")
        decisions.append(ColumnDecision(column, *decision))
    return TextDecoding(frame=out, columns=tuple(decisions))


def decode_column(
    values: Sequence[str],
    *,
    raw: bool = False,
    declared: str | None = None,
    forced: str | None = None,
    known_keys: frozenset[str] = frozenset(),
) -> tuple[tuple[str, float, float, int], dict[str, str]]:
    """Choose the decoding of one column's distinct ``values``.

    Returns the decision (encoding, plausible share, known share, values
    changed) and the mapping from each value as read to its decoded text.
    """
    values = [v for v in values if isinstance(v, str)]
    as_read = _as_read(raw, declared)
    if forced is not None:
        chosen = forced
    elif not any(not v.isascii() for v in values):
        chosen = as_read
    else:
        chosen = _choose(values, as_read=as_read, raw=raw, known_keys=known_keys)
    decoder = _decoder(chosen, raw=raw)
    mapping = {v: _safe(decoder, v) for v in values}
    failed = [v for v, decoded in mapping.items() if decoded is None]
    if failed:
        raise InputError(
            f"text {failed[0]!r} cannot be decoded as {chosen}; pass another --encoding (utf-8, cp1258, tcvn3, vni)"
        )
    decoded = list(mapping.values())
    label = AS_READ if chosen == as_read and not raw else chosen
    changed = sum(a != b for a, b in mapping.items())
    return (label, plausible_share(decoded), known_share(decoded, known_keys), changed), mapping


def _choose(values: Sequence[str], *, as_read: str, raw: bool, known_keys: frozenset[str]) -> str:
    sample = list(values)[:MAX_SCORED_VALUES]
    detected = viparse.detect_text_encoding(
        "\n".join(v.encode("latin-1", "replace").decode("latin-1") for v in sample)
    )
    scores: dict[str, float] = {}
    for name in (as_read, *CANDIDATES):
        if name in scores or name == (MOJIBAKE if raw else "utf-8"):
            continue
        decoder = _decoder(name, raw=raw)
        decoded = [_safe(decoder, v) for v in sample]
        if any(d is None for d in decoded):
            continue  # not a possible decoding of these bytes
        bonus = DETECTION_BONUS if name == detected else 0.0
        scores[name] = 2 * known_share(decoded, known_keys) + plausible_share(decoded) + bonus
    best = max(scores, key=lambda name: scores[name])
    return best if scores[best] > scores.get(as_read, -1.0) + MARGIN else as_read


def _as_read(raw: bool, declared: str | None) -> str:
    if not raw:
        return AS_READ
    return declared or "utf-8"


def _decoder(name: str, *, raw: bool) -> Callable[[str], str]:
    """A function from a value as read to its text under decoding ``name``."""
    to_bytes = _latin1_bytes if raw else _cp1252_bytes
    if name == AS_READ:
        return normalize_text
    if name in LEGACY_FONTS:
        return lambda v: normalize_text(viparse.fix(to_bytes(v).decode("latin-1"), encoding=name))
    if name == MOJIBAKE:
        return lambda v: normalize_text(_cp1252_bytes(v).decode("utf-8"))
    if not raw and name == "utf-8":
        return lambda v: normalize_text(_cp1252_bytes(v).decode("utf-8"))
    return lambda v: normalize_text(to_bytes(v).decode(name))


def _safe(decoder: Callable[[str], str], value: str) -> str | None:
    try:
        return decoder(value)
    except (UnicodeError, LookupError):
        return None


def _latin1_bytes(value: str) -> bytes:
    return value.encode("latin-1")


def _cp1252_bytes(value: str) -> bytes:
    """The bytes a cp1252 reader turned into ``value`` (its five holes read as Latin-1)."""
    out = bytearray()
    for char in value:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            out += char.encode("latin-1")  # raises for anything a 1-byte reader cannot produce
    return bytes(out)


def plausible_share(values: Iterable[str]) -> float:
    """Share of non-ASCII ``values`` that read as plausible Vietnamese (1.0 when all are ASCII)."""
    texts = [v for v in values if v and not v.isascii()]
    if not texts:
        return 1.0
    return sum(is_plausible(v) for v in texts) / len(texts)


def is_plausible(text: str) -> bool:
    """True when ``text`` uses only Vietnamese letters, ASCII and punctuation, sensibly.

    >>> is_plausible("Phường Hòa Bình"), is_plausible("PhÆ°á»ng"), is_plausible("Céng hoµ")
    (True, False, False)
    """
    text = unicodedata.normalize("NFC", text)
    for char in text:
        if (
            not (char.isascii() and (char.isalnum() or char in _PUNCTUATION))
            and char not in _VIETNAMESE_LETTERS
            and char not in _PUNCTUATION
        ):
            return False
    return all(_plausible_word(word) for word in text.split())


def _plausible_word(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word)
    if sum(c in _TONES for c in decomposed) > 1:
        return False
    letters = [c for c in word if c.isalpha()]
    return not any(a.islower() and b.isupper() for a, b in zip(letters, letters[1:]))


def known_share(values: Iterable[str], known_keys: frozenset[str]) -> float:
    """Share of ``values`` whose commune name key is in ``known_keys`` (0.0 without keys)."""
    texts = [v for v in values if v]
    if not texts or not known_keys:
        return 0.0
    return sum(name_key(v) in known_keys for v in texts) / len(texts)


def _text_columns(frame: pd.DataFrame) -> list[str]:
    geometry = getattr(frame, "_geometry_column_name", None)
    return [
        c
        for c in frame.columns
        if c != geometry and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))
    ]


def _check_encoding_name(name: str) -> None:
    if name in (*CANDIDATES, AS_READ):
        return
    try:
        "".encode(name)
    except LookupError as error:
        allowed = ", ".join(("utf-8", "cp1258", "tcvn3", "vni", "cp1252"))
        raise InputError(
            f"--encoding {name!r} is not a known text encoding; use one of {allowed}"
        ) from error
