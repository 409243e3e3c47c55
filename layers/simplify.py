"""How the map payload is made small: the one place that decides what the browser receives.

A commune map of Viet Nam drawn from full polygons is ~40 MB of GeoJSON; the
app sends under 3 MB (``BENCHMARKS.md``) by three means, all here:

1. **Coverage-preserving simplification** (:func:`simplify_coverage`): the
   polygons of one level are simplified together, so shared edges stay shared
   (no slivers, no gaps), at a tolerance below a screen pixel of the view:
   :data:`TOLERANCES` per layer, coarse for the whole country, fine for one
   province (two levels of detail, :func:`layer_tolerances`).
2. **Rounded coordinates** (:data:`UNIT_DECIMALS`): 3 decimals (~110 m) in the
   national view, 4 (~11 m) in a province view.
3. **Geometry sent once, without properties**: each view's features carry only
   their code (``layers.choropleth._features``); colours and tooltips are added
   per view, so switching the indicator never resends geometry.

The offline HTML export uses the same function with its own, finer, settings
(:data:`HTML_TOLERANCES`, :data:`HTML_DECIMALS`).
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import shapely

#: Simplification (degrees) of the national and the province view, by ``"<scheme>/<level>"``.
#: A pixel of the national view is ~2 km, so coarser layers lose nothing visible and keep
#: the page light; a province view keeps ~165 m.
TOLERANCES: Final[dict[str, tuple[float, float]]] = {
    "2025/commune": (0.006, 0.0015),
    "legacy/commune": (0.01, 0.0015),
    "2025/district": (0.008, 0.0015),
    "legacy/district": (0.008, 0.0015),
    "2025/province": (0.01, 0.0015),
    "legacy/province": (0.01, 0.0015),
}
#: Tolerances of a layer that :data:`TOLERANCES` does not name (~550 m national, ~165 m province).
DEFAULT_TOLERANCES: Final = (0.005, 0.0015)
#: Decimals of the national view (~110 m; a pixel of it is ~1.5 km) and of the province view (~11 m).
UNIT_DECIMALS: Final[tuple[int, int]] = (3, 4)
#: The offline HTML map: one level of detail, national (over 500 units) or detailed.
HTML_TOLERANCES: Final = {"national": 0.002, "detail": 0.0005}
HTML_DECIMALS: Final = 5
#: Above this many units an HTML map is a national one.
HTML_NATIONAL_UNITS: Final = 500


def layer_tolerances(scheme: str, level: str) -> tuple[float, float]:
    """(national, province) tolerances of the ``scheme``/``level`` layer."""
    return TOLERANCES.get(f"{scheme}/{level}", DEFAULT_TOLERANCES)


def html_tolerance(n_units: int) -> float:
    """Tolerance of an offline HTML map of ``n_units`` units."""
    return HTML_TOLERANCES["national" if n_units > HTML_NATIONAL_UNITS else "detail"]


def simplify_coverage(
    gdf: gpd.GeoDataFrame,
    tolerance: float,
    *,
    precision: int | None = None,
) -> gpd.GeoDataFrame:
    """Simplify polygons that tile the plane together, keeping shared edges shared.

    Parameters
    ----------
    gdf
        Polygons of one level (e.g. all communes) that do not overlap.
    tolerance
        Simplification tolerance in the units of the CRS (degrees for WGS 84).
    precision
        If given, round every coordinate to this many decimals afterwards.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with simplified geometries; features whose polygon vanished
        keep their original geometry (so no commune drops off the map).
    """
    geoms = gdf.geometry.to_numpy()
    simplified = shapely.coverage_simplify(geoms, tolerance, simplify_boundary=True)
    if precision is not None:
        simplified = shapely.transform(simplified, lambda xy: xy.round(precision))
    vanished = shapely.is_empty(simplified) | (shapely.area(simplified) == 0)
    simplified[vanished] = geoms[vanished]
    return gdf.set_geometry(gpd.GeoSeries(simplified, index=gdf.index, crs=gdf.crs))
