"""Classify indicator values into map classes: one object carries bins, colours and labels.

The fill of the map and its legend are both drawn from a ``Classification``,
so they cannot disagree. Every value falls in exactly one class: numeric
classes are open at both ends (the first takes everything up to its upper
bound, the last everything above the previous bound) and a missing value
(NaN, None) goes to the separate no-data class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import mapclassify
import numpy as np
import pandas as pd
from scipy import stats

# The one number formatter of the project, also used by geo (re-exported for layers).
from geo.indicators.formatting import format_number
from geo.indicators.registry import text

#: Index returned by ``Classification.assign`` for a missing value.
NO_DATA = -1

#: ColorBrewer YlGnBu (sequential, colour-blind safe), by number of classes.
SEQUENTIAL: dict[int, tuple[str, ...]] = {
    1: ("#41b6c4",),
    2: ("#a1dab4", "#225ea8"),
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
}
#: Okabe-Ito (qualitative, colour-blind safe), without black.
QUALITATIVE: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#CC79A7",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
)
#: ColorBrewer RdYlBu (diverging, colour-blind safe): far below target → target met.
POLICY: tuple[str, ...] = ("#d7191c", "#fdae61", "#abd9e9", "#2c7bb6")
#: Shares of the target that split the policy classes: < 80 %, 80–90 %, 90–100 %, target met.
POLICY_SHARES: tuple[float, ...] = (0.8, 0.9, 1.0)
NO_DATA_COLOR = "#9e9e9e"
NO_DATA_LABEL = text("no_data")


@dataclass(frozen=True)
class Classification:
    """Classes of one indicator: what the fill and the legend are drawn from.

    Attributes
    ----------
    title
        Legend title, e.g. ``"Diện tích chính thức (km²)"``.
    kind
        ``"numeric"`` (``bins`` are upper bounds) or ``"categorical"``.
    labels
        One label per class, in legend order.
    colors
        One hex colour per class.
    bins
        Numeric: upper bound of each class but the last (the last is open).
    categories
        Categorical: the value of each class.
    """

    title: str
    kind: Literal["numeric", "categorical"]
    labels: tuple[str, ...]
    colors: tuple[str, ...]
    bins: tuple[float, ...] = ()
    categories: tuple[str, ...] = ()
    no_data_label: str = NO_DATA_LABEL
    no_data_color: str = NO_DATA_COLOR
    #: ``"left"``: a value on a break belongs to the lower class (``bins`` are upper
    #: bounds); ``"right"``: to the upper class (``bins`` are lower bounds of the next
    #: class), as policy classes need ("target met" includes the target itself).
    side: Literal["left", "right"] = "left"

    def __post_init__(self) -> None:
        n = len(self.labels)
        expected = len(self.bins) + 1 if self.kind == "numeric" else len(self.categories)
        if len(self.colors) != n or expected != n:
            raise ValueError(
                f"{n} labels, {len(self.colors)} colours and {expected} classes do not match"
            )

    def assign(self, values: Sequence[object] | pd.Series | np.ndarray) -> np.ndarray:
        """Class index of each value (``NO_DATA`` for a missing or unknown value)."""
        if self.kind == "categorical":
            lookup = {c: i for i, c in enumerate(self.categories)}
            return np.array(
                [lookup.get(v, NO_DATA) if isinstance(v, str) else NO_DATA for v in values],
                dtype=int,
            )
        numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(
            dtype=float
        )
        index = np.searchsorted(np.asarray(self.bins, dtype=float), numbers, side=self.side)
        return np.where(np.isnan(numbers), NO_DATA, index).astype(int)

    def color(self, index: int) -> str:
        """Colour of a class index (``NO_DATA`` gives the no-data colour)."""
        return self.no_data_color if index == NO_DATA else self.colors[index]

    def label(self, index: int) -> str:
        """Label of a class index (``NO_DATA`` gives the no-data label)."""
        return self.no_data_label if index == NO_DATA else self.labels[index]

    def counts(self, values: Sequence[object] | pd.Series | np.ndarray) -> dict[int, int]:
        """How many values fall in each class, ``NO_DATA`` included (zeros kept)."""
        assigned = self.assign(values)
        return {i: int((assigned == i).sum()) for i in [*range(len(self.labels)), NO_DATA]}


def classify_quantiles(
    values: Sequence[float] | pd.Series | np.ndarray,
    *,
    title: str,
    k: int = 5,
    decimals: int = 0,
    lang: str = "vi",
) -> Classification:
    """Quantile classes (about equal counts; mapclassify), labels with the numbers of ``lang``.

    Parameters
    ----------
    values
        The indicator; NaN are left out of the breaks (they are no-data).
    title
        Legend title.
    k
        Wanted number of classes; fewer when the data has fewer distinct values.
    decimals
        Decimals shown in labels; breaks are rounded up to them so a label
        never cuts through a value it shows.
    lang
        Language of the numbers in the labels (``"vi"``: ``1.234,5``; ``"en"``: ``1,234.5``).

    Returns
    -------
    Classification
    """
    data = (
        pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        .dropna()
        .to_numpy(dtype=float)
    )
    return _numeric_classes(
        _quantile_breaks(data, k=k, decimals=decimals), title=title, decimals=decimals, lang=lang
    )


def classify_natural_breaks(
    values: Sequence[float] | pd.Series | np.ndarray,
    *,
    title: str,
    k: int = 5,
    decimals: int = 0,
    lang: str = "vi",
) -> Classification:
    """Natural-breaks classes (exact Jenks / Fisher), labels with the numbers of ``lang``.

    The classes minimise the squared deviations from their means, as QGIS's
    and ArcGIS's "Natural Breaks (Jenks)" do, over the values rounded to the
    decimals the labels show; the same data always gives the same map.

    Parameters are those of :func:`classify_quantiles`.
    """
    data = (
        pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        .dropna()
        .to_numpy(dtype=float)
    )
    data = np.round(data, decimals)
    distinct = np.unique(data)
    upper = fisher_jenks_breaks(data, k=min(k, max(SEQUENTIAL)))
    return _numeric_classes(
        _rounded_breaks(upper, distinct, decimals=decimals),
        title=title,
        decimals=decimals,
        lang=lang,
    )


def _numeric_classes(
    bins: tuple[float, ...], *, title: str, decimals: int, lang: str
) -> Classification:
    """Open-ended numeric classes with the sequential palette."""
    return Classification(
        title=title,
        kind="numeric",
        labels=numeric_labels(bins, decimals=decimals, lang=lang),
        colors=SEQUENTIAL[len(bins) + 1],
        bins=bins,
    )


def fisher_jenks_breaks(data: np.ndarray, *, k: int) -> np.ndarray:
    """Upper bound of each of at most ``k`` optimal classes (Fisher 1958), the last the maximum.

    Dynamic programming over the distinct values weighted by their counts:
    O(k·m²) time and O(k·m) memory for m distinct values. mapclassify's
    ``FisherJenks`` computes the same classes but is pure Python without
    numba (minutes for 3,321 communes), and with numba installed importing
    mapclassify compiles it eagerly (about 7 s at every start of the app).
    """
    values, counts = np.unique(data, return_counts=True)
    m, k = len(values), min(k, len(values))
    if k <= 1:
        return values[-1:]
    centred = values - values.mean()  # keeps the prefix sums of squares precise
    w, s1, s2 = (np.concatenate([[0.0], np.cumsum(counts * centred**p)]) for p in (0, 1, 2))

    def deviation(a: int | np.ndarray, b: np.ndarray) -> np.ndarray:  # values[a:b] as one class
        return s2[b] - s2[a] - (s1[b] - s1[a]) ** 2 / (w[b] - w[a])

    best = np.full(m + 1, np.inf)
    best[1:] = deviation(0, np.arange(1, m + 1))
    starts = np.zeros((k + 1, m + 1), dtype=int)
    for c in range(2, k + 1):
        current = np.full(m + 1, np.inf)
        for a in range(c - 1, m):  # the last class starts at values[a]
            ends = np.arange(a + 1, m + 1)
            candidate = best[a] + deviation(a, ends)
            better = candidate < current[a + 1 :]
            current[a + 1 :][better] = candidate[better]
            starts[c, a + 1 :][better] = a
        best = current
    uppers, end = [], m
    for c in range(k, 0, -1):
        uppers.append(values[end - 1])
        end = starts[c, end]
    return np.array(uppers[::-1])


def classify_policy(
    *,
    title: str,
    target_pct: float,
    labels: Sequence[str],
    shares: Sequence[float] = POLICY_SHARES,
) -> Classification:
    """Classes read against a target, fixed so maps compare over time and places.

    With the default ``shares`` and a target of 80 %: below 64 % (under 80 % of
    the target), 64–72 %, 72–80 %, and 80 % or more (target met). A value on a
    break belongs to the upper class.

    Parameters
    ----------
    title
        Legend title.
    target_pct
        The target in percent (e.g. ``80.0``).
    labels
        One label per class (``len(shares) + 1``), in the reader's language.
    shares
        Shares of the target at which classes change, increasing, the last 1.0.

    Returns
    -------
    Classification
    """
    bins = tuple(round(float(target_pct) * share, 6) for share in shares)
    colors = POLICY if len(bins) + 1 == len(POLICY) else SEQUENTIAL[len(bins) + 1]
    return Classification(
        title=title, kind="numeric", labels=tuple(labels), colors=colors, bins=bins, side="right"
    )


def classify_integers(
    values: Sequence[float] | pd.Series | np.ndarray,
    *,
    title: str,
    upper: Sequence[int],
    lang: str = "vi",
) -> Classification:
    """Classes of counts with fixed upper bounds, e.g. ``upper=(1, 2, 4)`` → 1, 2, 3–4, ≥ 5.

    ``values`` is not used for the breaks; it is accepted so that every
    classifier has the same call shape.
    """
    del values
    bins = tuple(float(u) for u in upper)
    labels = [_int_label(lo, hi, lang) for lo, hi in zip((None, *upper[:-1]), upper)]
    labels.append(f"≥ {format_number(upper[-1] + 1, lang=lang)}")
    colors = SEQUENTIAL[len(bins) + 1]
    return Classification(
        title=title, kind="numeric", labels=tuple(labels), colors=colors, bins=bins
    )


def _int_label(after: int | None, upper: int, lang: str) -> str:
    lower, high = 0 if after is None else after + 1, format_number(upper, lang=lang)
    if after is None:
        return f"≤ {high}"
    return high if lower == upper else f"{format_number(lower, lang=lang)}–{high}"


def classify_categorical(
    values: Sequence[object] | pd.Series | np.ndarray,
    *,
    title: str,
    order: Sequence[str] = (),
) -> Classification:
    """One class per category: those in ``order`` first, then the others found, sorted."""
    found = sorted({v for v in values if isinstance(v, str)} - set(order))
    categories = (*order, *found)
    if len(categories) > len(QUALITATIVE):
        raise ValueError(
            f"{len(categories)} categories; at most {len(QUALITATIVE)} can be told apart on a map"
        )
    return Classification(
        title=title,
        kind="categorical",
        labels=categories,
        colors=QUALITATIVE[: len(categories)],
        categories=categories,
    )


def _quantile_breaks(data: np.ndarray, *, k: int, decimals: int) -> tuple[float, ...]:
    """Upper bounds of all classes but the last (rounded up to ``decimals``)."""
    distinct = np.unique(data)
    k = _feasible_k(data, min(k, len(distinct), max(SEQUENTIAL)))
    if k <= 1:
        return ()
    return _rounded_breaks(mapclassify.Quantiles(data, k=k).bins, distinct, decimals=decimals)


def _rounded_breaks(upper: np.ndarray, distinct: np.ndarray, *, decimals: int) -> tuple[float, ...]:
    """Mapclassify's upper bounds without the last, rounded up to ``decimals``, distinct, below the maximum."""
    scale = 10**decimals
    rounded = sorted({math.ceil(float(b) * scale - 1e-9) / scale for b in upper[:-1]})
    return tuple(b for b in rounded if len(distinct) and b < distinct.max())


def _feasible_k(data: np.ndarray, k: int) -> int:
    """Largest k' <= k whose quantiles are all distinct (ties, e.g. many 1s, merge classes)."""
    while k > 1 and len(np.unique(_mapclassify_quantiles(data, k))) < k:
        k -= 1
    return k


def _mapclassify_quantiles(data: np.ndarray, k: int) -> np.ndarray:
    # The same percentiles as mapclassify.classifiers.quantile, computed the same
    # way, so that our check agrees with it to the last bit and it never warns.
    step = 100.0 / k
    percents = np.arange(step, 100 + step, step)
    percents[-1] = min(percents[-1], 100.0)
    return np.array([stats.scoreatpercentile(data, p) for p in percents])


def numeric_labels(
    bins: Sequence[float], *, decimals: int = 0, lang: str = "vi"
) -> tuple[str, ...]:
    """Labels of open-ended numeric classes: ``≤ a``, ``a – b``, …, ``> z`` (numbers of ``lang``)."""
    if not bins:
        return (text("all_values", lang),)
    fmt = [format_number(b, decimals=decimals, lang=lang) for b in bins]
    middle = [f"{lo} – {hi}" for lo, hi in zip(fmt, fmt[1:])]
    return (f"≤ {fmt[0]}", *middle, f"> {fmt[-1]}")
