"""Roll-ups: totals preserved, ratios rebuilt from numerators and denominators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import schema as s
from geo.indicators.aggregate import aggregate_units


def test_ratio_is_rebuilt_not_averaged() -> None:
    communes = pd.DataFrame(
        {
            s.PROVINCE_CODE: ["08", "08"],
            s.HOUSEHOLDS: [100.0, 900.0],
            s.HOUSEHOLDS_FIBRE: [100.0, 0.0],
        }
    )
    out = aggregate_units(communes, s.PROVINCE_CODE)
    assert out.loc["08", s.PCT_HOUSEHOLDS_FIBRE] == pytest.approx(10.0)  # not (100 + 0) / 2


def test_missing_commune_is_not_zero() -> None:
    communes = pd.DataFrame(
        {
            s.PROVINCE_CODE: ["08", "08", "96"],
            s.HOUSEHOLDS: [100.0, np.nan, np.nan],
            s.HOUSEHOLDS_FIBRE: [50.0, 10.0, np.nan],
        }
    )
    out = aggregate_units(communes, s.PROVINCE_CODE)
    assert out.loc["08", s.PCT_HOUSEHOLDS_FIBRE] == pytest.approx(50.0)  # only where both are known
    assert np.isnan(out.loc["96", s.HOUSEHOLDS]) and np.isnan(out.loc["96", s.PCT_HOUSEHOLDS_FIBRE])
    assert out.loc["08", s.N_COMMUNES] == 2


def test_fibre_flags_and_uncovered_are_counted() -> None:
    communes = pd.DataFrame(
        {
            s.PROVINCE_CODE: ["08"] * 3,
            s.FIBRE_TO_COMMUNE: pd.array([True, False, None], dtype="boolean"),
            s.UNCOVERED: pd.array([True, True, False], dtype="boolean"),
        }
    )
    out = aggregate_units(communes, s.PROVINCE_CODE)
    assert out.loc["08", s.COMMUNES_WITH_FIBRE] == 1 and out.loc["08", s.COMMUNES_FIBRE_KNOWN] == 2
    assert out.loc["08", s.PCT_COMMUNES_FIBRE] == 50.0 and out.loc["08", s.N_UNCOVERED] == 2


counts = st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["001", "002", "003"]), counts, counts, counts),
        min_size=1,
        max_size=30,
    )
)
def test_every_roll_up_preserves_totals(
    rows: list[tuple[str, float | None, float | None, float | None]],
) -> None:
    communes = pd.DataFrame(
        rows, columns=[s.DISTRICT_CODE, s.HOUSEHOLDS, s.POP_TOTAL, s.TEAMS]
    ).astype({s.HOUSEHOLDS: float, s.POP_TOTAL: float, s.TEAMS: float})
    communes[s.PROVINCE_CODE] = communes[s.DISTRICT_CODE].map(
        {"001": "01", "002": "01", "003": "02"}
    )
    districts = aggregate_units(communes, s.DISTRICT_CODE)
    districts[s.PROVINCE_CODE] = districts.index.map({"001": "01", "002": "01", "003": "02"})
    provinces_via_districts = aggregate_units(districts.drop(columns=s.N_COMMUNES), s.PROVINCE_CODE)
    provinces = aggregate_units(communes, s.PROVINCE_CODE)
    for column in (s.HOUSEHOLDS, s.POP_TOTAL, s.TEAMS):
        assert np.nansum(districts[column]) == pytest.approx(np.nansum(communes[column]))
        assert np.nansum(provinces[column]) == pytest.approx(np.nansum(communes[column]))
        assert provinces_via_districts[column].fillna(-1).to_numpy() == pytest.approx(
            provinces[column].fillna(-1).to_numpy()
        )
    assert provinces[s.N_COMMUNES].sum() == len(communes)
