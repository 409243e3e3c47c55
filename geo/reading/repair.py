"""Polygon geometry that survives real files: repair, and unions that accept bad coverages.

Boundary files other people publish overlap, leave slivers, and are not
exactly noded; a shape repaired in WGS 84 can be invalid again once
reprojected (a vertex moved onto an edge). Two rules follow:

- a geometry is made valid **in the CRS it is measured in**
  (:func:`valid_polygons` is called again after every reprojection);
- a dissolve never assumes a clean coverage (:func:`union_polygons`): the
  fast coverage union is used when its result can be trusted (same area as
  the parts, valid), else the general union of the repaired parts, else the
  same union snapped to a grid (``grid_size``) which GEOS can always node.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyproj
import shapely
from shapely.errors import GEOSException

#: Snapping grids for the last-resort union, by unit of the coordinates (~1 cm).
GRID_DEGREES: Final = 1e-7
GRID_METRES: Final = 0.01
_AREA_TOLERANCE: Final = 1e-6  # relative: a coverage union that loses more area is not trusted


def polygonal(geometry: shapely.Geometry | None) -> shapely.MultiPolygon | None:
    """The polygon parts of ``geometry`` as one MultiPolygon, or None when it has none."""
    if geometry is None or shapely.is_empty(geometry):
        return None
    parts = [
        p
        for p in shapely.get_parts(shapely.get_parts(geometry))
        if isinstance(p, shapely.Polygon) and not p.is_empty
    ]
    return shapely.MultiPolygon(parts) if parts else None


def valid_polygons(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Repair invalid geometries (``make_valid``) and keep their polygon parts.

    Parameters
    ----------
    geometries
        Shapely geometries (or None), in the CRS they will be measured in.

    Returns
    -------
    tuple of numpy.ndarray
        The MultiPolygons (None where nothing polygonal is left) and a boolean
        mask of the geometries that were invalid and repaired.
    """
    geometries = np.asarray(geometries, dtype=object)
    present = ~shapely.is_missing(geometries)
    invalid = present & ~shapely.is_valid(geometries)
    fixed = geometries.copy()
    if invalid.any():
        fixed[invalid] = shapely.make_valid(geometries[invalid])
    out = np.empty(len(fixed), dtype=object)
    out[:] = [polygonal(g) for g in fixed]
    return out, invalid


def union_polygons(geometries: np.ndarray, *, grid_size: float) -> shapely.MultiPolygon:
    """Union of polygons that may overlap or be badly noded, as one valid MultiPolygon.

    Parameters
    ----------
    geometries
        Polygons or MultiPolygons (None and empty ones are skipped).
    grid_size
        Snapping grid of the last-resort union, in the unit of the coordinates
        (``GRID_DEGREES`` for lon/lat, ``GRID_METRES`` for metres).
    """
    parts, _ = valid_polygons(np.asarray(geometries, dtype=object))
    parts = parts[[p is not None for p in parts]]
    if len(parts) == 0:
        return shapely.MultiPolygon()
    if len(parts) == 1:
        return parts[0]
    union = _coverage_union(parts)
    if union is None:
        union = _general_union(parts, grid_size=grid_size)
    return polygonal(union) or shapely.MultiPolygon()


def _coverage_union(parts: np.ndarray) -> shapely.Geometry | None:
    """The fast union for a clean coverage; None when GEOS refuses or the result is not trusted.

    On overlapping input the coverage union either raises or silently returns a
    wrong shape; the union of a true coverage keeps the parts' total area.
    """
    try:
        union = shapely.coverage_union_all(parts)
    except GEOSException:
        return None
    total = float(shapely.area(parts).sum())
    if not shapely.is_valid(union) or abs(shapely.area(union) - total) > _AREA_TOLERANCE * total:
        return None
    return union


def _general_union(parts: np.ndarray, *, grid_size: float) -> shapely.Geometry:
    """``union_all`` of the repaired parts; snapped to ``grid_size`` when GEOS cannot node them."""
    try:
        union = shapely.union_all(parts)
    except GEOSException:
        union = shapely.union_all(parts, grid_size=grid_size)
    return union if shapely.is_valid(union) else shapely.make_valid(union)


def grid_size_for(crs: pyproj.CRS | None) -> float:
    """The last-resort snapping grid for ``crs``: ``GRID_METRES`` when projected, else degrees.

    An unknown CRS gets the finer degree grid: too fine a grid can only fail
    again, too coarse a one would move vertices by metres.
    """
    return GRID_METRES if crs is not None and pyproj.CRS(crs).is_projected else GRID_DEGREES
