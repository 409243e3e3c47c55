"""Find a commune by name, typed with or without diacritics ("hung loi", "Hùng Lợi", "xã hùng lợi").

Names are compared by ``geo.reference.names`` keys: ``name_key`` (keeps diacritics,
drops case, prefix, tone placement) when the query has diacritics, else
``ascii_key`` (no diacritics, no spaces). Exact matches rank first, then
names that start with the query, then names that contain it.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from geo import schema
from geo.reference.names import ascii_key, name_key, normalize_text

RESULT_COLUMNS = (
    schema.COMMUNE_CODE,
    schema.COMMUNE_NAME,
    schema.PROVINCE_CODE,
    schema.PROVINCE_NAME,
)
_ASCII, _NAME = "_ascii_key", "_name_key"


def search_index(communes: pd.DataFrame) -> pd.DataFrame:
    """The commune table's identity columns with both matching keys (build once, search often)."""
    index = pd.DataFrame(communes[list(RESULT_COLUMNS)]).reset_index(drop=True)
    names = index[schema.COMMUNE_NAME].map(lambda v: v if isinstance(v, str) else "")
    index[_ASCII] = names.map(ascii_key)
    index[_NAME] = names.map(name_key)
    return index


def _has_diacritics(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return any(unicodedata.combining(c) for c in decomposed) or any(c in "đĐ" for c in text)


def search_communes(
    index: pd.DataFrame, query: str, *, province_code: str = "", limit: int = 20
) -> pd.DataFrame:
    """Communes whose name matches ``query``, best first.

    Parameters
    ----------
    index
        From :func:`search_index`.
    query
        What the user typed; blank gives no result.
    province_code
        Only this province ("" for the whole country).
    limit
        At most this many rows.

    Returns
    -------
    pandas.DataFrame
        ``RESULT_COLUMNS``, ranked (exact, prefix, substring; then by name).
    """
    query = normalize_text(query or "").strip()
    if not query:
        return index.loc[[], list(RESULT_COLUMNS)]
    accented = _has_diacritics(query)
    key = name_key(query) if accented else ascii_key(query)
    column = index[_NAME] if accented else index[_ASCII]
    if not key:
        return index.loc[[], list(RESULT_COLUMNS)]
    rank = pd.Series(3, index=index.index)
    rank[column.str.contains(key, regex=False)] = 2
    rank[column.str.startswith(key)] = 1
    rank[column == key] = 0
    keep = rank < 3
    if province_code:
        keep &= index[schema.PROVINCE_CODE] == province_code
    found = (
        index[keep]
        .assign(_rank=rank[keep])
        .sort_values(["_rank", schema.COMMUNE_NAME, schema.COMMUNE_CODE])
    )
    return found.head(limit)[list(RESULT_COLUMNS)].reset_index(drop=True)
