"""Administrative codes as fixed-width strings: the one place that pads a code.

Codes are zero-padded strings everywhere (DOMAIN.md §1): ``8`` read from a
spreadsheet, ``8.0`` from a DBF and ``"08"`` from a GeoPackage are all the
province ``"08"``.
"""

from __future__ import annotations

import math
from typing import Final

from geo import schema as s

#: Width of each code column.
CODE_WIDTHS: Final[dict[str, int]] = {
    s.COMMUNE_CODE: s.COMMUNE_CODE_WIDTH,
    s.DISTRICT_CODE: s.DISTRICT_CODE_WIDTH,
    s.PROVINCE_CODE: s.PROVINCE_CODE_WIDTH,
}


def pad_code(
    value: object, width: int = s.COMMUNE_CODE_WIDTH, *, strict: bool = False
) -> str | None:
    """``value`` as a code of ``width`` digits: 1234 → "01234", "12.0" → "00012"; None when missing.

    With ``strict``, anything that is not at most ``width`` digits is None
    (a value that cannot be a code); otherwise such text is kept as written,
    stripped.
    """
    if value is None or value is _NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.isdigit() and len(text) <= width:
        return text.zfill(width)
    return None if strict else text


def _na() -> object:
    import pandas as pd

    return pd.NA


_NA: Final = _na()
