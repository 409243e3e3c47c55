"""Vintage conversion: whole communes pass on, split communes are shared by weights."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import schema as s
from geo.indicators.convert import (
    AREA,
    DIRECT,
    EQUAL,
    SOURCE,
    TARGET,
    crosswalk_pairs,
    dominant_districts,
    overlap_measure,
    pair_weights,
    share_counts,
)


def squares(codes_and_boxes: dict[str, tuple[float, float, float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {s.COMMUNE_CODE: list(codes_and_boxes)},
        geometry=[shapely.box(*b) for b in codes_and_boxes.values()],
        crs=s.VN_EQUAL_AREA,
    )


@pytest.fixture
def pairs() -> pd.DataFrame:
    # legacy A and B merge into X; legacy C is split between X (west quarter) and Y.
    return pd.DataFrame({SOURCE: ["A", "B", "C", "C"], TARGET: ["X", "X", "X", "Y"]})


def test_split_commune_counts_are_shared_by_area(pairs: pd.DataFrame) -> None:
    legacy = squares(
        {"A": (0, 0, 1000, 1000), "B": (0, 1000, 1000, 2000), "C": (1000, 0, 5000, 1000)}
    )
    new = squares({"X": (0, 0, 2000, 2000), "Y": (2000, 0, 5000, 1000)})
    weights = pair_weights(pairs, measure=overlap_measure(pairs, legacy, new), method=AREA)
    assert weights[s.WEIGHT].tolist() == pytest.approx([1.0, 1.0, 0.25, 0.75])
    table = pd.DataFrame(
        {s.HOUSEHOLDS: [10.0, 20.0, 400.0], s.HOUSEHOLDS_FIBRE: [5.0, 20.0, 200.0]},
        index=["A", "B", "C"],
    )
    out = share_counts(table, weights, counts=[s.HOUSEHOLDS, s.HOUSEHOLDS_FIBRE])
    assert out.loc["X", s.HOUSEHOLDS] == pytest.approx(130.0)
    assert out.loc["Y", s.HOUSEHOLDS] == pytest.approx(300.0)
    assert out[s.HOUSEHOLDS].sum() == pytest.approx(table[s.HOUSEHOLDS].sum())
    assert out.loc["X", s.CONVERSION_METHOD] == AREA
    assert out.loc["X", s.CONVERSION_WEIGHTS] == "C:0.25"


def test_without_polygons_shares_are_equal_and_said_so(pairs: pd.DataFrame) -> None:
    weights = pair_weights(pairs)
    assert weights[s.CONVERSION_METHOD].tolist() == [DIRECT, DIRECT, EQUAL, EQUAL]
    assert weights[s.WEIGHT].tolist() == [1.0, 1.0, 0.5, 0.5]


def test_a_missing_source_makes_the_target_missing(pairs: pd.DataFrame) -> None:
    table = pd.DataFrame({s.HOUSEHOLDS: [10.0, np.nan, 400.0]}, index=["A", "B", "C"])
    out = share_counts(table, pair_weights(pairs), counts=[s.HOUSEHOLDS])
    assert np.isnan(out.loc["X", s.HOUSEHOLDS])
    assert out.loc["Y", s.HOUSEHOLDS] == 200.0
    partial = share_counts(table.drop(index="A"), pair_weights(pairs), counts=[s.HOUSEHOLDS])
    assert np.isnan(partial.loc["X", s.HOUSEHOLDS])


def test_flags_are_true_when_any_source_has_it(pairs: pd.DataFrame) -> None:
    table = pd.DataFrame(
        {s.FIBRE_TO_COMMUNE: pd.array([False, True, False], dtype="boolean")}, index=["A", "B", "C"]
    )
    out = share_counts(table, pair_weights(pairs), counts=[], flags=[s.FIBRE_TO_COMMUNE])
    assert out[s.FIBRE_TO_COMMUNE].tolist() == [True, False]


def test_back_to_legacy_shares_by_the_reverse_weights() -> None:
    pairs = pd.DataFrame({SOURCE: ["X", "X", "Y"], TARGET: ["A", "C", "C"]})
    new = squares({"X": (0, 0, 2000, 1000), "Y": (2000, 0, 3000, 1000)})
    legacy = squares({"A": (0, 0, 1500, 1000), "C": (1500, 0, 3000, 1000)})
    weights = pair_weights(pairs, measure=overlap_measure(pairs, new, legacy), method=AREA)
    out = share_counts(
        pd.DataFrame({s.TEAMS: [8.0, 2.0]}, index=["X", "Y"]), weights, counts=[s.TEAMS]
    )
    assert out[s.TEAMS].to_dict() == pytest.approx({"A": 6.0, "C": 4.0})


def test_legacy_table_gives_known_2025_totals() -> None:
    # Phường Minh Xuân (02215, 2025) = six whole legacy communes + part of Xã Kim Phú (02497).
    pairs = crosswalk_pairs("to_2025")
    feeding = pairs[pairs[TARGET] == "02215"]
    assert set(feeding[SOURCE]) == {"02200", "02203", "02206", "02215", "02216", "02488", "02497"}
    measure = pd.Series(
        np.where(pairs[SOURCE] == "02497", np.where(pairs[TARGET] == "02215", 1.0, 3.0), np.nan),
        index=pairs.index,
    )
    weights = pair_weights(pairs, measure=measure, method=AREA)
    table = pd.DataFrame({s.HOUSEHOLDS: [100.0] * 6 + [400.0]}, index=sorted(feeding[SOURCE]))
    out = share_counts(table, weights, counts=[s.HOUSEHOLDS])
    assert out.loc["02215", s.HOUSEHOLDS] == pytest.approx(600.0 + 100.0)
    assert (
        out.loc["02509", s.HOUSEHOLDS] != out.loc["02509", s.HOUSEHOLDS]
    )  # Mỹ Lâm: other sources missing → NaN
    assert "02497:0.25" in out.loc["02215", s.CONVERSION_WEIGHTS]


def test_dominant_former_district() -> None:
    weights = pd.DataFrame(
        {SOURCE: ["02215", "02215"], TARGET: ["02200", "02488"], s.WEIGHT: [0.3, 0.7]}
    )
    assert dominant_districts(weights).to_dict() == {"02215": "075"}


@st.composite
def split_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Random many-to-many pairs (1-4 targets per source), overlap measures (some missing or zero), and counts."""
    n_sources, n_targets = draw(st.integers(1, 8)), draw(st.integers(1, 6))
    rows = []
    for source in range(n_sources):
        for target in draw(
            st.sets(st.integers(0, n_targets - 1), min_size=1, max_size=min(4, n_targets))
        ):
            rows.append((f"S{source}", f"T{target}"))
    pairs = pd.DataFrame(rows, columns=[SOURCE, TARGET])
    measure = pd.Series(
        draw(
            st.lists(
                st.one_of(st.none(), st.floats(0, 1e6)), min_size=len(pairs), max_size=len(pairs)
            )
        ),
        dtype=float,
    )
    counts = draw(st.lists(st.floats(0, 1e7), min_size=n_sources, max_size=n_sources))
    table = pd.DataFrame({s.HOUSEHOLDS: counts}, index=[f"S{i}" for i in range(n_sources)])
    return pairs, measure, table


@settings(max_examples=150, deadline=None)
@given(split_tables())
def test_weights_are_shares_and_shared_counts_keep_the_total(
    case: tuple[pd.DataFrame, pd.Series, pd.DataFrame],
) -> None:
    pairs, measure, table = case
    weights = pair_weights(pairs, measure=measure, method=AREA)
    assert weights[s.WEIGHT].between(0.0, 1.0).all()
    assert np.allclose(weights.groupby(SOURCE)[s.WEIGHT].sum(), 1.0)
    out = share_counts(table, weights, counts=[s.HOUSEHOLDS])
    assert out.index.is_unique and set(out.index) == set(
        weights.loc[weights[s.WEIGHT] > 0, TARGET]
    )  # a zero share feeds nothing
    assert out[s.HOUSEHOLDS].sum() == pytest.approx(table[s.HOUSEHOLDS].sum(), rel=1e-9, abs=1e-6)
