"""Classes of an indicator: every value in exactly one class, labels and colours that match."""

from __future__ import annotations

import math

import mapclassify
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from layers.classify import (
    NO_DATA,
    NO_DATA_COLOR,
    QUALITATIVE,
    SEQUENTIAL,
    Classification,
    classify_categorical,
    classify_integers,
    classify_natural_breaks,
    classify_quantiles,
    fisher_jenks_breaks,
    format_number,
    numeric_labels,
)

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


def test_quantiles_of_0_to_99_in_five_classes() -> None:
    c = classify_quantiles(np.arange(100.0), title="x")
    assert c.bins == (20.0, 40.0, 60.0, 80.0)
    assert c.labels == ("≤ 20", "20 – 40", "40 – 60", "60 – 80", "> 80")
    assert c.colors == SEQUENTIAL[5]


def test_quantile_classes_hold_about_equal_counts() -> None:
    values = np.arange(1.0, 101.0)
    c = classify_quantiles(values, title="x", decimals=1)
    assert list(c.counts(values).values()) == [20, 20, 20, 20, 20, 0]


def test_breaks_are_rounded_up_to_the_labels_decimals() -> None:
    c = classify_quantiles([0.11, 0.12, 0.13, 0.14], title="x", k=2, decimals=1)
    assert c.bins == (0.2,) or c.bins == ()
    assert all(round(b, 1) == b for b in c.bins)


def test_ties_merge_classes_without_a_warning() -> None:
    c = classify_quantiles([1, 1, 1, 1, 1, 1, 1, 1, 2, 3], title="x", k=5)
    assert len(c.labels) == len(c.bins) + 1 < 5


def test_a_single_distinct_value_gives_one_class() -> None:
    c = classify_quantiles([5.0, 5.0], title="x")
    assert c.labels == ("Tất cả",) and c.bins == ()


def test_missing_values_go_to_no_data() -> None:
    c = classify_quantiles([1.0, 2.0, 3.0, 4.0], title="x", k=2)
    assert list(c.assign([float("nan"), None, "abc", 1.0])) == [NO_DATA, NO_DATA, NO_DATA, 0]
    assert c.color(NO_DATA) == NO_DATA_COLOR
    assert c.label(NO_DATA) == "Không có số liệu"


def test_values_outside_the_data_fall_in_the_open_end_classes() -> None:
    c = classify_quantiles(np.arange(100.0), title="x")
    assert list(c.assign([-1e12, 1e12, math.inf])) == [0, 4, 4]


def test_a_value_on_a_break_belongs_to_the_lower_class() -> None:
    c = Classification(
        title="x", kind="numeric", labels=("≤ 1", "> 1"), colors=("#fff", "#000"), bins=(1.0,)
    )
    assert list(c.assign([1.0, 1.0000001])) == [0, 1]


@given(
    st.lists(finite, min_size=1, max_size=200),
    st.lists(st.one_of(finite, st.just(math.nan)), max_size=50),
)
def test_every_value_falls_in_exactly_one_class(data: list[float], others: list[float]) -> None:
    c = classify_quantiles(data, title="x")
    assigned = c.assign([*data, *others])
    assert ((assigned >= 0) & (assigned < len(c.labels)) | (assigned == NO_DATA)).all()
    assert (assigned[: len(data)] != NO_DATA).all()
    assert sum(c.counts([*data, *others]).values()) == len(data) + len(others)
    assert len(c.labels) == len(c.colors) == len(c.bins) + 1


def test_natural_breaks_find_the_gaps_between_clusters() -> None:
    values = [1.0, 2.0, 3.0, 50.0, 51.0, 52.0, 98.0, 99.0, 100.0]
    c = classify_natural_breaks(values, title="x", k=3)
    assert c.bins == (3.0, 52.0)
    assert list(c.assign(values)) == [0, 0, 0, 1, 1, 1, 2, 2, 2]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fisher_jenks_breaks_are_mapclassify_s(seed: int) -> None:
    values = np.round(np.random.default_rng(seed).lognormal(2, 1, 80), 1)  # ties included
    with pytest.warns(UserWarning, match="Numba not installed"):
        expected = mapclassify.FisherJenks(values, k=5).bins
    assert fisher_jenks_breaks(values, k=5) == pytest.approx(expected)


def test_natural_breaks_are_the_same_on_every_run() -> None:
    values = np.random.default_rng(7).beta(8, 1, 3321) * 100
    first = classify_natural_breaks(values, title="x", decimals=1)
    assert all(
        classify_natural_breaks(values, title="x", decimals=1).bins == first.bins for _ in range(3)
    )
    assert len(first.bins) == 4 and all(round(b, 1) == b for b in first.bins)


def test_natural_breaks_of_two_distinct_values_give_two_classes_without_a_warning() -> None:
    c = classify_natural_breaks([0.0, 0.0, 0.0, 100.0], title="x")
    assert c.bins == (0.0,) and c.labels == ("≤ 0", "> 0")


@given(
    st.lists(finite, min_size=1, max_size=200),
    st.lists(st.one_of(finite, st.just(math.nan)), max_size=50),
)
def test_every_value_falls_in_exactly_one_natural_class(
    data: list[float], others: list[float]
) -> None:
    c = classify_natural_breaks(data, title="x")
    assigned = c.assign([*data, *others])
    assert (assigned[: len(data)] != NO_DATA).all()
    assert sum(c.counts([*data, *others]).values()) == len(data) + len(others)
    assert len(c.labels) == len(c.colors) == len(c.bins) + 1


def test_integer_classes() -> None:
    c = classify_integers([1, 2, 3, 9], title="n", upper=(1, 2, 4))
    assert c.labels == ("≤ 1", "2", "3–4", "≥ 5")
    assert list(c.assign([1, 2, 3, 4, 5, 12])) == [0, 1, 2, 2, 3, 3]


def test_categorical_classes_follow_the_given_order_then_the_rest() -> None:
    c = classify_categorical(
        ["Xã", "Phường", "Khác", "Đặc khu", None], title="t", order=("Xã", "Phường", "Đặc khu")
    )
    assert c.categories == ("Xã", "Phường", "Đặc khu", "Khác")
    assert c.colors == QUALITATIVE[:4]
    assert list(c.assign(["Phường", "Khác", None, "Không biết"])) == [1, 3, NO_DATA, NO_DATA]


def test_too_many_categories_is_an_error() -> None:
    with pytest.raises(ValueError, match="at most 7"):
        classify_categorical([str(i) for i in range(8)], title="t")


def test_palettes_are_distinct_from_no_data() -> None:
    assert NO_DATA_COLOR not in QUALITATIVE
    assert all(NO_DATA_COLOR not in colours for colours in SEQUENTIAL.values())


def test_mismatched_labels_and_colours_are_rejected() -> None:
    with pytest.raises(ValueError, match="do not match"):
        Classification(title="x", kind="numeric", labels=("a", "b"), colors=("#fff",), bins=(1.0,))


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1234.5, 1, "1.234,5"),
        (2.97, 2, "2,97"),
        (1234567, 0, "1.234.567"),
        (0.5, 0, "0"),
        (-12.25, 1, "-12,2"),
    ],
)
def test_vietnamese_number_format(value: float, decimals: int, text: str) -> None:
    assert format_number(value, decimals=decimals) == text


def test_numeric_labels_with_thousands() -> None:
    assert numeric_labels((1000.0, 2500.5), decimals=1) == (
        "≤ 1.000,0",
        "1.000,0 – 2.500,5",
        "> 2.500,5",
    )
