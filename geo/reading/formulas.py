"""Text cells that a spreadsheet would run as formulas, written as text (CSV/formula injection).

One function for every CSV the project writes (exports, import and build
reports): a cell such as ``=HYPERLINK(…)`` taken from a source file's names
is written behind a ``'``, as OWASP advises, so Excel shows it as the text it is.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

#: First characters that make a spreadsheet take a text cell for a formula.
FORMULA_STARTS: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")


def defuse_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells that start like a formula, prefixed with ``'``; numbers and other text untouched."""
    text = [
        c
        for c in table.columns
        if table[c].dtype == object or pd.api.types.is_string_dtype(table[c])
    ]
    defused = {
        c: table[c].map(
            lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v
        )
        for c in text
    }
    return table.assign(**defused)
