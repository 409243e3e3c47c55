"""The map payload reduction: coverage-preserving simplification, rounding, tolerances per layer."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from application.app_data import LEVELS, SCHEMES
from geo import schema
from layers.simplify import DEFAULT_TOLERANCES, TOLERANCES, layer_tolerances, simplify_coverage


def test_simplify_coverage_keeps_every_feature_and_rounds() -> None:
    # Two polygons sharing a slightly bent edge: a valid coverage.
    wiggly = shapely.Polygon([(105, 21), (105.5, 21.0001), (106, 21), (106, 22), (105, 22)])
    below = shapely.Polygon([(105, 20), (106, 20), (106, 21), (105.5, 21.0001), (105, 21)])
    gdf = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[wiggly, below], crs=schema.WGS84)
    out = simplify_coverage(gdf, 0.01, precision=3)
    assert len(out) == 2 and not out.geometry.is_empty.any()
    assert shapely.get_num_coordinates(out.geometry.iloc[0]) < shapely.get_num_coordinates(wiggly)
    coords = shapely.get_coordinates(out.geometry.to_numpy())
    assert (coords.round(3) == coords).all()
    # The shared edge stays shared: no gap, no overlap.
    assert shapely.intersection(*out.geometry).area == 0
    assert shapely.union_all(out.geometry.to_numpy()).area == pytest.approx(2.0)


def test_every_layer_of_the_app_has_its_tolerances_coarse_before_fine() -> None:
    for scheme in SCHEMES:
        for level in LEVELS:
            coarse, fine = layer_tolerances(scheme, level)
            assert (coarse, fine) == TOLERANCES[f"{scheme}/{level}"] and coarse >= fine > 0
    assert layer_tolerances("2025", "village") == DEFAULT_TOLERANCES
