"""Numbers as a reader of each language writes them, through Babel (CLDR data, offline).

Vietnamese (the default) puts ``.`` between thousands and ``,`` before the
decimals (``3.141`` and ``79,2 %``); English the other way round (``3,141``
and ``79.2 %``). Everything a person reads formats its numbers here: the
data core (the reasons of :mod:`geo.indicators.ranking`, the registry's
values), the legends, tooltips and print sheets (``layers``) and the commune
profile (``application``); :func:`layers.classify.format_number` is
:func:`format_number`.

A percentage keeps a space before ``%`` in both languages, as Vietnamese
reports write it and the app has always shown it. Rounding is half to even
on the decimal digits of the number as written (Babel's ``decimal``
rounding), so ``2.675`` shows as ``2,68`` / ``2.68``.
"""

from __future__ import annotations

import functools
from typing import Final

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

#: The languages with their own separators; any other code is written as Vietnamese.
LOCALES: Final = ("vi", "en")
DEFAULT_LOCALE: Final = "vi"


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in LOCALES else DEFAULT_LOCALE)


@functools.cache
def _pattern(decimals: int) -> NumberPattern:
    """Grouped thousands and exactly ``decimals`` decimals (``#,##0.0`` for one)."""
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, got {decimals}")
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


def format_number(value: float, *, decimals: int = 0, lang: str = DEFAULT_LOCALE) -> str:
    """``value`` rounded to ``decimals``, with the separators of ``lang`` (Vietnamese unless "en").

    Examples
    --------
    >>> format_number(3141)
    '3.141'
    >>> format_number(1234.5, decimals=1, lang="en")
    '1,234.5'
    """
    return _pattern(decimals).apply(value, _locale(lang))


def format_percent(value: float, *, decimals: int = 1, lang: str = DEFAULT_LOCALE) -> str:
    """A percentage given in percent (0–100), with its sign: ``"79,2 %"`` (vi), ``"79.2 %"`` (en).

    Examples
    --------
    >>> format_percent(79.2)
    '79,2 %'
    >>> format_percent(80, decimals=0, lang="en")
    '80 %'
    """
    return f"{format_number(value, decimals=decimals, lang=lang)} %"


def format_share(value: float, *, lang: str = DEFAULT_LOCALE) -> str:
    """A threshold or a class break in percent: no decimals when whole (``"80 %"``), else one (``"64,8 %"``)."""
    decimals = 0 if float(value).is_integer() else 1
    return format_percent(value, decimals=decimals, lang=lang)
