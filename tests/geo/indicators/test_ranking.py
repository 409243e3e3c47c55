"""Uncovered communes ranked by uncovered population, with their reasons in either language."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from application.app_data import with_targets
from geo import schema as s
from geo.indicators.ranking import POP_UNCOVERED, REASONS, rank_uncovered, ranked_features
from geo.indicators.targets import read_config


@pytest.fixture
def communes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            s.COMMUNE_CODE: ["00001", "00002", "00003", "00004"],
            s.COMMUNE_NAME: ["Xã Một", "Xã <i>Hai</i>", "Xã Ba", "Xã Bốn"],
            s.PROVINCE_CODE: ["01", "01", "02", "02"],
            s.PROVINCE_NAME: ["Tỉnh A", "Tỉnh A", "Tỉnh B", "Tỉnh B"],
            s.POP_TOTAL: [1000.0, 5000.0, 2000.0, 100.0],
            s.POP_COVERED_4G: [1000.0, 4000.0, 1000.0, np.nan],
            s.PCT_POP_4G: [100.0, 80.0, 50.0, np.nan],
            s.HOUSEHOLDS: [300.0, 1000.0, 500.0, np.nan],
            s.HOUSEHOLDS_FIBRE: [290.0, 950.0, 100.0, np.nan],
            s.PCT_HOUSEHOLDS_FIBRE: [96.7, 95.0, 20.0, np.nan],
            s.FIBRE_TO_COMMUNE: pd.array([True, True, False, pd.NA], dtype="boolean"),
            s.VILLAGES: [5.0, 8.0, 10.0, np.nan],
            s.VILLAGES_WITH_TEAM: [5.0, 8.0, 9.0, np.nan],
            s.PCT_VILLAGES_TEAM: [100.0, 100.0, 90.0, np.nan],
        }
    )


def test_ranked_by_uncovered_population_then_households_without_fibre(
    communes: pd.DataFrame,
) -> None:
    ranked = rank_uncovered(communes, read_config())
    # Both leave 1,000 people without 4G; 00003 leaves 400 households without fibre, 00002 only 50.
    assert list(ranked[s.COMMUNE_CODE]) == ["00003", "00002"]
    assert list(ranked["rank"]) == [1, 2]
    assert list(ranked[POP_UNCOVERED]) == [1000.0, 1000.0]


def test_reasons_in_vietnamese_and_english(communes: pd.DataFrame) -> None:
    vi = rank_uncovered(communes, read_config()).set_index(s.COMMUNE_CODE)[REASONS]
    assert vi["00002"] == "phủ sóng 4G 80,0% dân số < 99%"
    assert vi["00003"].split("; ") == [
        "cáp quang 20,0% hộ < 80%",
        "chưa có cáp quang đến xã",
        "phủ sóng 4G 50,0% dân số < 99%",
        "tổ công nghệ số ở 90,0% thôn < 100%",
    ]
    en = rank_uncovered(communes, read_config(), lang="en").set_index(s.COMMUNE_CODE)[REASONS]
    assert en["00002"] == "4G covers 80.0% of people < 99%"


def test_chosen_targets_and_thresholds_change_the_list(communes: pd.DataFrame) -> None:
    config = with_targets(read_config(), {"pop_4g": (True, 75.0), "villages_team": (False, 100.0)})
    ranked = rank_uncovered(communes, config)
    assert list(ranked[s.COMMUNE_CODE]) == ["00003"]
    assert "tổ công nghệ số" not in ranked[REASONS].iloc[0]


def test_province_filter(communes: pd.DataFrame) -> None:
    assert list(rank_uncovered(communes, read_config(), province_code="02")[s.COMMUNE_CODE]) == [
        "00003"
    ]


def test_export_layer_keeps_the_ranking_and_gets_geometry(communes: pd.DataFrame) -> None:
    ranked = rank_uncovered(communes, read_config())
    square = {
        "type": "Polygon",
        "coordinates": [[[105, 21], [106, 21], [106, 22], [105, 22], [105, 21]]],
    }
    features = {c: {"id": c, "geometry": square} for c in communes[s.COMMUNE_CODE]}
    layer = ranked_features(ranked, communes, features)
    assert list(layer[s.COMMUNE_CODE]) == ["00003", "00002"]
    assert layer.crs == s.WGS84 and layer.geometry.notna().all()
