"""Find a commune or a province by name, however it is typed.

"Đất Mũi", "dat mui", "dat mũi", "đat mui", "DAT MUI", "xa dat mui" and "xã Đất Mũi"
all find Xã Đất Mũi: a letter stands for itself with any more marks ("d" for "đ", "a"
for "ấ", "â" for "ấ", "ơ" for "ớ"), not with fewer or others ("ầ" is not "â"; tone
placement aside: "hoà" = "hòa"), spaces are optional, and a leading
type word of any level (xã, phường, đặc khu, thị trấn, huyện, quận, tỉnh,
thành phố…), accented or not, may be left out (:func:`geo.reference.names.without_type_words`).

Province names are searched too: a province ranks before a commune of the same
name. Exact matches rank first, then names that start with the query, then names
with a word that does, then names that contain it; among equals, the name closest
to the query as typed (accents included), then the chosen province's. When nothing
matches, :func:`nearest_names` gives the closest names (RapidFuzz, on the names
without diacritics).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

import pandas as pd
from rapidfuzz import fuzz, process

from geo import schema
from geo.reference.names import ascii_key, name_key, without_type_words

Kind = Literal["province", "commune"]
KIND, CODE, NAME = "kind", "code", "name"
#: What :func:`search_places` returns: a province row has its own code and name in both pairs.
PLACE_COLUMNS: Final = (KIND, CODE, NAME, schema.PROVINCE_CODE, schema.PROVINCE_NAME)
#: What :func:`search_communes` returns.
RESULT_COLUMNS: Final = (
    schema.COMMUNE_CODE,
    schema.COMMUNE_NAME,
    schema.PROVINCE_CODE,
    schema.PROVINCE_NAME,
)
_KEY, _ASCII = "_key", "_ascii"
_NEAREST_CUTOFF: Final = 60.0  # RapidFuzz ratio (0–100) below which a name is not "near"


def _marks(char: str) -> tuple[str, frozenset[str]]:
    """A letter's base and its marks ("ấ" → "a", {circumflex, acute}; "đ" → "d", {stroke})."""
    if char == "đ":
        return "d", frozenset({"stroke"})
    decomposed = unicodedata.normalize("NFD", char)
    return decomposed[0], frozenset(decomposed[1:])


def _letter_classes() -> dict[str, str]:
    """Each lower-case Latin letter → the letters bearing at least its marks ("ơ" → "ơớờởỡợ")."""
    letters = [
        chr(p)
        for p in (*range(0x61, 0x7B), *range(0xE0, 0x250), *range(0x1EA0, 0x1F00))
        if chr(p).islower() and "a" <= unicodedata.normalize("NFD", chr(p))[0] <= "z"
    ]
    letters.append("đ")
    marks = {c: _marks(c) for c in letters}
    return {
        c: "".join(sorted(o for o in letters if marks[o][0] == base and marks[o][1] >= typed))
        for c, (base, typed) in marks.items()
    }


_LOOSE: Final = _letter_classes()


def _pattern(key: str) -> str:
    """A regex for ``key`` (a name key): each letter stands for itself with more marks, spaces optional."""
    parts = [f"[{_LOOSE[c]}]" if c in _LOOSE else re.escape(c) for c in key.replace(" ", "")]
    return r"\s?".join(parts)


def _index_rows(
    kind: Kind, codes: pd.Series, names: pd.Series, provinces: pd.DataFrame
) -> pd.DataFrame:
    level = "province" if kind == "province" else "commune"
    names = names.map(lambda v: v if isinstance(v, str) else "")
    return pd.DataFrame(
        {
            KIND: kind,
            CODE: codes.to_numpy(),
            NAME: names.to_numpy(),
            schema.PROVINCE_CODE: provinces[schema.PROVINCE_CODE].to_numpy(),
            schema.PROVINCE_NAME: provinces[schema.PROVINCE_NAME].to_numpy(),
            _KEY: names.map(lambda v: name_key(v, level=level)).to_numpy(),
            _ASCII: names.map(lambda v: ascii_key(v, level=level)).to_numpy(),
        }
    )


def search_index(communes: pd.DataFrame) -> pd.DataFrame:
    """The provinces and communes of a commune table with their matching keys (build once, search often).

    Parameters
    ----------
    communes
        One row per commune with ``RESULT_COLUMNS``; its provinces are read from the
        same rows.
    """
    table = pd.DataFrame(communes[list(RESULT_COLUMNS)]).reset_index(drop=True)
    provinces = table.drop_duplicates(schema.PROVINCE_CODE).reset_index(drop=True)
    return pd.concat(
        [
            _index_rows(
                "province",
                provinces[schema.PROVINCE_CODE],
                provinces[schema.PROVINCE_NAME],
                provinces,
            ),
            _index_rows("commune", table[schema.COMMUNE_CODE], table[schema.COMMUNE_NAME], table),
        ],
        ignore_index=True,
    )


def _query_keys(query: str) -> list[str]:
    """The name keys ``query`` may stand for (as typed, then without its type words), no blank one."""
    keys = {name_key(v) for v in without_type_words(query)}
    return sorted(k for k in keys if k)


def _rank(keys: pd.Series, pattern: str) -> pd.Series:
    """0 exact, 1 prefix, 2 a word's prefix, 3 inside, 4 no match."""
    rank = pd.Series(4, index=keys.index)
    rank[keys.str.contains(pattern, regex=True)] = 3
    rank[keys.str.contains(rf"(?:^|\s){pattern}", regex=True)] = 2
    rank[keys.str.match(pattern)] = 1
    rank[keys.str.fullmatch(pattern)] = 0
    return rank


def search_places(
    index: pd.DataFrame, query: str, *, province_first: str = "", limit: int = 20
) -> pd.DataFrame:
    """Provinces and communes whose name matches ``query``, best first.

    Parameters
    ----------
    index
        From :func:`search_index`.
    query
        What the person typed; blank gives no result.
    province_first
        Among equally good matches, this province's communes come first.
    limit
        At most this many rows.

    Returns
    -------
    pandas.DataFrame
        ``PLACE_COLUMNS``; empty when nothing matches (see :func:`nearest_names`).
    """
    keys = _query_keys(query or "")
    if not keys:
        return index.loc[[], list(PLACE_COLUMNS)]
    rank = pd.concat([_rank(index[_KEY], _pattern(k)) for k in keys], axis=1).min(axis=1)
    found = index[rank < 4].assign(_rank=rank[rank < 4])
    if found.empty:
        return index.loc[[], list(PLACE_COLUMNS)]
    found = found.assign(
        _close=[-max(fuzz.ratio(k, v) for k in keys) for v in found[_KEY]],
        _away=found[schema.PROVINCE_CODE] != province_first,
        _commune=found[KIND] == "commune",
    )
    order = ["_rank", "_close", "_commune", "_away", NAME, CODE]
    found = found.sort_values(order, kind="stable")
    return found.head(limit)[list(PLACE_COLUMNS)].reset_index(drop=True)


def search_communes(
    index: pd.DataFrame, query: str, *, province_code: str = "", limit: int = 20
) -> pd.DataFrame:
    """Communes whose name matches ``query``, best first (:func:`search_places` without provinces).

    Parameters
    ----------
    index
        From :func:`search_index`.
    query
        What the person typed; blank gives no result.
    province_code
        Only this province ("" for the whole country).
    limit
        At most this many rows.

    Returns
    -------
    pandas.DataFrame
        ``RESULT_COLUMNS``.
    """
    communes = index[index[KIND] == "commune"]
    if province_code:
        communes = communes[communes[schema.PROVINCE_CODE] == province_code]
    found = search_places(communes, query, limit=limit)
    renamed = found.rename(columns={CODE: schema.COMMUNE_CODE, NAME: schema.COMMUNE_NAME})
    return renamed[list(RESULT_COLUMNS)]


def place_label(row: pd.Series) -> str:
    """How a search result reads in a list: "Xã Đất Mũi — Tỉnh Cà Mau", or the province's name."""
    if row[KIND] == "province":
        return str(row[NAME])
    return f"{row[NAME]} — {row[schema.PROVINCE_NAME]}"


def nearest_names(index: pd.DataFrame, query: str, *, limit: int = 3) -> list[str]:
    """The names closest to ``query`` when :func:`search_places` finds none ("Xã Đất Mũi — Tỉnh Cà Mau").

    Compared without diacritics, spaces or type words (RapidFuzz's ratio, at least 60 of 100);
    a name is listed once however many units bear it.
    """
    typed = {ascii_key(v) for v in without_type_words(query or "")} - {""}
    if not typed or index.empty:
        return []
    scores = pd.Series(0.0, index=index.index)
    for key in typed:
        best = process.extract(
            key, index[_ASCII], scorer=fuzz.ratio, limit=limit * 4, score_cutoff=_NEAREST_CUTOFF
        )
        for _, score, row in best:
            scores[row] = max(scores[row], score)
    near = index[scores > 0].assign(_score=-scores[scores > 0])
    near = near.assign(_commune=near[KIND] == "commune").sort_values(["_score", "_commune", NAME])
    labels = [place_label(row) for _, row in near.iterrows()]
    return list(dict.fromkeys(labels))[:limit]
