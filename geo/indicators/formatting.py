"""Numbers as a reader of each language writes them.

Vietnamese (the default) puts ``.`` between thousands and ``,`` before the
decimals (``1.234,5``); English the other way round (``1,234.5``). Both the
data core (the reasons of :mod:`geo.indicators.ranking`) and the layers
(legends, print sheets) format numbers, so the formatter lives here, in
``geo``; :func:`layers.classify.format_number` is this function.
"""

from __future__ import annotations

#: Thin space: a placeholder for the thousands separator while the two separators swap.
_THIN = "\u2009"


def format_number(value: float, *, decimals: int = 0, lang: str = "vi") -> str:
    """``value`` rounded to ``decimals``, with the separators of ``lang`` (Vietnamese unless "en").

    Examples
    --------
    >>> format_number(1234.5, decimals=1)
    '1.234,5'
    >>> format_number(1234.5, decimals=1, lang="en")
    '1,234.5'
    """
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", _THIN).replace(".", ",").replace(_THIN, ".")
