"""Area-calibrated tessellation of land cells: power diagrams on a raster grid.

Pure functions over arrays, in a metric (preferably equal-area) projection:

1. :class:`Grid` and :func:`rasterize_mask` turn land polygons into cells;
2. :func:`assign_power` gives each cell to the site minimising the power
   distance ``|x - s|² - w_s``. Lifting each site to ``z = sqrt(W - w_s)``
   (``W`` = max weight) turns that into a plain nearest-neighbour search in
   3-D, which :class:`scipy.spatial.cKDTree` does fast. Sites can be grouped
   so that a cell only goes to a site of its own group (a fourth coordinate
   ``group × BIG`` keeps groups apart);
3. :func:`calibrate_power` iterates one weight per region (a region may own
   several sites) until each region's area matches its target;
4. :func:`merge_fragments` gives pieces cut off from their region's sites to
   the neighbour they touch most, and :func:`polygonize_labels` /
   :func:`simplify_coverage` turn the label raster into a smoothed coverage
   (shared edges stay shared, so no gap or overlap appears).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import rasterio.features
import shapely
from affine import Affine
from scipy import ndimage, sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError

_THIRD_COST = 5.0  # a corridor avoids cutting through a unit other than the one it starts in
_SITE_COST = 50.0  # a corridor crosses another site's cell only when there is no way round
_GROUP_SPACING = 1e9  # metres: far beyond any distance or lifted weight on a national grid


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid: top-left corner, square cell size and shape."""

    west: float
    north: float
    cell: float
    width: int
    height: int

    @classmethod
    def covering(cls, bounds: tuple[float, float, float, float], cell: float) -> Grid:
        """The smallest grid of ``cell``-sized cells covering (minx, miny, maxx, maxy)."""
        minx, miny, maxx, maxy = bounds
        west, north = np.floor(minx / cell) * cell, np.ceil(maxy / cell) * cell
        width = int(np.ceil((maxx - west) / cell))
        height = int(np.ceil((north - miny) / cell))
        return cls(float(west), float(north), float(cell), width, height)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the grid."""
        return (self.height, self.width)

    @property
    def transform(self) -> Affine:
        """The affine transform of the grid (north-up, square cells)."""
        return Affine(self.cell, 0.0, self.west, 0.0, -self.cell, self.north)

    @property
    def cell_area(self) -> float:
        """Area of one cell, in the grid's units squared."""
        return self.cell * self.cell

    def centres(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """(n, 2) x, y of the centres of the given cells."""
        return np.column_stack(
            [self.west + (cols + 0.5) * self.cell, self.north - (rows + 0.5) * self.cell]
        )

    def locate(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cells holding the points ``xy`` (clipped to the grid)."""
        cols = np.clip(((xy[:, 0] - self.west) // self.cell).astype(np.int64), 0, self.width - 1)
        rows = np.clip(((self.north - xy[:, 1]) // self.cell).astype(np.int64), 0, self.height - 1)
        return rows, cols


@dataclass(frozen=True)
class PowerDiagram:
    """Result of :func:`calibrate_power`."""

    owner: np.ndarray  # region index of each cell
    weights: np.ndarray  # calibrated weight of each region (m²)
    areas: np.ndarray  # area of each region (units of cell_area)
    iterations: int


def rasterize_mask(geometry: BaseGeometry, grid: Grid) -> np.ndarray:
    """Boolean raster: True for cells whose centre falls in ``geometry``."""
    if geometry.is_empty:
        return np.zeros(grid.shape, dtype=bool)
    burned = rasterio.features.rasterize(
        [(geometry, 1)], out_shape=grid.shape, transform=grid.transform, fill=0, dtype="uint8"
    )
    return burned.astype(bool)


def assign_power(
    cells: np.ndarray,
    sites: np.ndarray,
    weights: np.ndarray,
    *,
    cell_groups: np.ndarray | None = None,
    site_groups: np.ndarray | None = None,
) -> np.ndarray:
    """Index of the site of least power distance ``|x - s|² - w`` for each cell.

    Parameters
    ----------
    cells, sites
        (n, 2) and (m, 2) coordinates in a metric projection.
    weights
        (m,) site weights in squared metres; larger weight, larger cell.
    cell_groups, site_groups
        Optional integer groups: a cell then only goes to a site of its group
        (every group must have a site).
    """
    if len(sites) == 0:
        raise InputError("assign_power needs at least one site; got none")
    lift = np.sqrt(weights.max() - weights)
    site_points = np.column_stack([sites, lift])
    cell_points = np.column_stack([cells, np.zeros(len(cells))])
    if (cell_groups is None) != (site_groups is None):
        raise InputError("assign_power: pass both cell_groups and site_groups, or neither")
    if cell_groups is not None and site_groups is not None:
        site_points = np.column_stack([site_points, site_groups * _GROUP_SPACING])
        cell_points = np.column_stack([cell_points, cell_groups * _GROUP_SPACING])
    _, index = cKDTree(site_points).query(cell_points, k=1, workers=-1)
    return index


def calibrate_power(
    cells: np.ndarray,
    sites: np.ndarray,
    site_region: np.ndarray,
    targets: np.ndarray,
    *,
    cell_area: float,
    cell_groups: np.ndarray | None = None,
    site_groups: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    iterations: int = 40,
    tolerance: float = 0.03,
    step: float = 0.5,
) -> PowerDiagram:
    """Iterate region weights of a power diagram until region areas match ``targets``.

    Each region owns one or more sites (``site_region``) which share the
    region's weight. The update ``w += step · (target − area) / sqrt(k)``
    (``k`` sites) follows from a disc-like region of area A growing by about
    ``π/2 · sqrt(k) · Δw`` when its weight grows by ``Δw``.

    Only the error beyond ``tolerance`` (relative) moves a weight, so regions
    already close keep the shape their sites give them (a power diagram
    pushed to exact areas distorts shapes). Stops when every region is within
    ``tolerance`` of its target, or after ``iterations`` rounds.
    """
    n_regions = len(targets)
    weights = np.zeros(n_regions) if weights is None else weights.astype(float).copy()
    sites_per_region = np.maximum(np.bincount(site_region, minlength=n_regions), 1)
    damping = step / np.sqrt(sites_per_region)
    owner, areas = np.zeros(len(cells), dtype=np.int64), np.zeros(n_regions)
    done = 0
    for done in range(1, iterations + 1):  # noqa: B007 (read after the loop)
        nearest = assign_power(
            cells, sites, weights[site_region], cell_groups=cell_groups, site_groups=site_groups
        )
        owner = site_region[nearest]
        areas = np.bincount(owner, minlength=n_regions) * cell_area
        error = targets - areas
        # Only the error beyond the tolerance band moves a weight: a region
        # already within it keeps the shape the sites give it.
        excess = np.sign(error) * np.maximum(np.abs(error) - tolerance * targets, 0.0)
        if not excess.any():
            break
        weights = weights + damping * excess
    return PowerDiagram(owner=owner, weights=weights, areas=areas, iterations=done)


def spread_sites(
    rows: np.ndarray, cols: np.ndarray, mask: np.ndarray, *, max_reach: int = 25
) -> tuple[np.ndarray, np.ndarray]:
    """Move each site that shares a cell with an earlier site to the nearest free ``mask`` cell.

    Sites keep their order of priority: the first site of a cell stays. A
    site with no free cell within ``max_reach`` cells stays where it is.
    """
    rows, cols = rows.copy(), cols.copy()
    height, width = mask.shape
    used: set[tuple[int, int]] = set()
    for index in range(len(rows)):
        cell = (int(rows[index]), int(cols[index]))
        for reach in range(max_reach + 1):
            free = [
                (r, c)
                for r in range(cell[0] - reach, cell[0] + reach + 1)
                for c in range(cell[1] - reach, cell[1] + reach + 1)
                if max(abs(r - cell[0]), abs(c - cell[1])) == reach
                and 0 <= r < height
                and 0 <= c < width
                and mask[r, c]
                and (r, c) not in used
            ]
            if free:
                cell = min(
                    free, key=lambda rc: (rc[0] - rows[index]) ** 2 + (rc[1] - cols[index]) ** 2
                )
                break
        used.add(cell)
        rows[index], cols[index] = cell
    return rows, cols


def protect_sites(
    labels: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    cell: float,
    *,
    max_radius: int = 2,
    zones: np.ndarray | None = None,
    site_zones: np.ndarray | None = None,
    background: int = 0,
) -> np.ndarray:
    """Give the square of cells around each site to the site's label, then the site cell itself.

    Keeps each boundary a few cells away from the site, so smoothing the
    polygons later cannot cut the site off. The half-width (in cells) is
    ``max_radius``, less near another site of a different label (a third of
    the distance). With ``zones`` (a raster of group ids) and
    ``site_zones``, a site only takes cells of its own zone.

    Sites are painted in the order given: put those that matter most last.
    """
    labels = labels.copy()
    xy = np.column_stack([cols, rows]).astype(float) * cell
    tree = cKDTree(xy)
    distance, neighbour = tree.query(xy, k=min(8, len(xy)))
    distance = np.where(values[neighbour] != values[:, None], distance, np.inf).min(axis=1)
    radius = np.clip(np.floor(distance / (3 * cell)), 0, max_radius).astype(int)
    height, width = labels.shape
    for index in np.flatnonzero(radius > 0):
        r, c, k = rows[index], cols[index], radius[index]
        top, left = max(r - k, 0), max(c - k, 0)
        window = labels[top : min(r + k + 1, height), left : min(c + k + 1, width)]
        take = window != background
        if zones is not None and site_zones is not None:
            take &= (
                zones[top : top + window.shape[0], left : left + window.shape[1]]
                == site_zones[index]
            )
        window[take] = values[index]
    labels[rows, cols] = values
    return labels


def connect_sites(
    labels: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    *,
    max_reach: np.ndarray | int,
    zones: np.ndarray | None = None,
    site_zones: np.ndarray | None = None,
    background: int = 0,
    passes: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """Join each site cut off from the main piece of its label to it by a corridor of cells.

    The main piece of a label is its largest 4-connected piece that holds
    one of its sites (or a piece twice as big without one). A site on
    another piece (a power cell that does not hold its own site, or a
    region whose sites' cells do not meet) is joined by the cheapest path
    to the main piece: cells already of its label are free, others cost one,
    other sites' cells, the background and (with ``zones``) other zones are
    impassable (another site's cell only costs much). The path, widened to two cells where room allows, takes the
    site's label, so the border moves locally instead of leaving a detached
    square. A site on other land than its main piece (an island) is left as
    it is. Sites are handled in the order given: put those that matter most
    last (a later corridor may cut an earlier one; ``passes`` rounds retry).
    A path widened onto a neighbour's cells never takes another site's cell.

    Parameters
    ----------
    max_reach
        Half-width (cells) of the window searched around each site, per site or
        for all; a site whose main piece is farther stays cut off.
    zones, site_zones
        A raster of zone ids and each site's zone: a corridor only runs
        through cells of its site's zone (a negative site zone: anywhere).

    Returns
    -------
    labels, joined
        The new labels, and per site whether it now lies on its main piece
        or on an island of its label.
    """
    labels = labels.copy()
    reach = np.broadcast_to(np.asarray(max_reach, dtype=np.int64), rows.shape)
    land = ndimage.label(labels != background)[0]
    site_cell = np.zeros(labels.shape, dtype=bool)
    site_cell[rows, cols] = True
    joined = np.zeros(len(rows), dtype=bool)
    for _ in range(passes):
        main = _main_pieces(labels, rows, cols, background=background)
        main_land = land[main >= 0]
        owner_land = np.zeros(int(labels.max()) + 1, dtype=np.int64)
        owner_land[labels[main >= 0]] = main_land
        island = land[rows, cols] != owner_land[values]
        joined = (main[rows, cols] == values) | island
        if joined.all():
            break
        for index in np.flatnonzero(~joined):
            unbound = zones is None or site_zones is None or site_zones[index] < 0
            zone = None if unbound else (zones, int(site_zones[index]))
            _draw_path(
                labels,
                main,
                site_cell,
                int(rows[index]),
                int(cols[index]),
                int(values[index]),
                int(reach[index]),
                zone=zone,
                background=background,
            )
    main = _main_pieces(labels, rows, cols, background=background)
    owner_land = np.zeros(int(labels.max()) + 1, dtype=np.int64)
    owner_land[labels[main >= 0]] = land[main >= 0]
    joined = (main[rows, cols] == values) | (land[rows, cols] != owner_land[values])
    return labels, joined


def main_piece_cells(
    labels: np.ndarray, rows: np.ndarray, cols: np.ndarray, *, background: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """One cell (row, col) of each label's main piece (see :func:`connect_sites`), to keep it in :func:`merge_fragments`."""
    main = _main_pieces(labels, rows, cols, background=background)
    flat = np.flatnonzero(main.ravel() >= 0)
    _, first = np.unique(main.ravel()[flat], return_index=True)
    return np.divmod(flat[first], labels.shape[1])


def _main_pieces(
    labels: np.ndarray, rows: np.ndarray, cols: np.ndarray, *, background: int
) -> np.ndarray:
    """The label on the cells of each label's main piece, -1 elsewhere.

    The main piece is the largest piece that holds a site (cells ``rows``,
    ``cols``) of its own label, or the largest piece if it is twice as big
    (the territory a label won, though its sites lie in a neighbour's).
    """
    component = label_components(labels, background=background)
    valid = component >= 0
    size = np.bincount(component[valid]).astype(float)
    label_of = np.zeros(len(size), dtype=np.int64)
    label_of[component[valid]] = labels[valid]
    has_site = np.zeros(len(size), dtype=bool)
    has_site[component[rows, cols][component[rows, cols] >= 0]] = True
    size[~has_site] /= 2.0  # a piece without a site must be twice as big to be the main one
    order = np.lexsort((-size, label_of))  # by label, largest first
    first = order[np.unique(label_of[order], return_index=True)[1]]
    is_main = np.zeros(len(size), dtype=bool)
    is_main[first] = True
    return np.where(valid & is_main[np.maximum(component, 0)], labels, -1)


def _draw_path(
    labels: np.ndarray,
    main: np.ndarray,
    site_cell: np.ndarray,
    row: int,
    col: int,
    value: int,
    reach: int,
    *,
    zone: tuple[np.ndarray, int] | None,
    background: int,
) -> bool:
    """Give ``value`` to the cheapest path from (row, col) to a cell of its main piece (in place)."""
    top, left = max(row - reach, 0), max(col - reach, 0)
    bottom, right = min(row + reach + 1, labels.shape[0]), min(col + reach + 1, labels.shape[1])
    window = labels[top:bottom, left:right]
    target = (main[top:bottom, left:right] == value) & (window == value)
    if not target.any():
        return False
    other_site = site_cell[top:bottom, left:right] & (window != value)
    passable = window != background
    if zone is not None:
        passable &= zone[0][top:bottom, left:right] == zone[1]
    passable[row - top, col - left] = True
    # Crossing a third unit (neither the site's host nor its own) may cut it in two: avoid it.
    host = window[row - top, col - left]
    cost = np.where(window == value, 1e-3, np.where(window == host, 1.0, _THIRD_COST))
    cost = np.where(other_site, _SITE_COST, cost)
    height, width = window.shape
    index = np.arange(height * width).reshape(window.shape)
    sources, sinks = [], []
    for a, b in ((index[:, :-1], index[:, 1:]), (index[:-1, :], index[1:, :])):
        both = passable.ravel()[a] & passable.ravel()[b]
        sources += [a[both], b[both]]
        sinks += [b[both], a[both]]
    u, v = np.concatenate(sources), np.concatenate(sinks)
    graph = sparse.csr_matrix((cost.ravel()[v], (u, v)), shape=(height * width, height * width))
    start = (row - top) * width + (col - left)
    distance, previous = csgraph.dijkstra(graph, indices=start, return_predecessors=True)
    ends = np.flatnonzero(target.ravel() & np.isfinite(distance))
    if len(ends) == 0:
        return False
    node = int(ends[np.argmin(distance[ends])])
    path = []
    while node >= 0:
        path.append(node)
        node = int(previous[node])
    path_rows, path_cols = np.divmod(np.asarray(path), width)
    # Widen by the right and lower neighbours (two to three cells), so smoothing cannot pinch it.
    for dr, dc in ((0, 1), (1, 0)):
        r, c = path_rows + dr, path_cols + dc
        ok = (r < height) & (c < width)
        r, c = r[ok], c[ok]
        free = passable[r, c] & ~site_cell[top + r, left + c] & (window[r, c] != value)
        window[r[free], c[free]] = value
    window[path_rows, path_cols] = value
    return True


def label_components(labels: np.ndarray, *, background: int = 0) -> np.ndarray:
    """Id of the 4-connected piece of equal label each cell belongs to (-1 on background)."""
    valid = labels != background
    index = np.full(labels.shape, -1, dtype=np.int64)
    index[valid] = np.arange(int(valid.sum()))
    rows, cols = [], []
    for (a, b), (ia, ib) in zip(_neighbour_pairs(labels), _neighbour_pairs(index)):
        same = (a == b) & (a != background)
        rows.append(ia[same])
        cols.append(ib[same])
    n = int(valid.sum())
    graph = sparse.coo_matrix(
        (
            np.ones(sum(len(r) for r in rows), dtype=np.int8),
            (np.concatenate(rows), np.concatenate(cols)),
        ),
        shape=(n, n),
    )
    _, component = csgraph.connected_components(graph, directed=False)
    out = np.full(labels.shape, -1, dtype=np.int64)
    out[valid] = component
    return out


def _neighbour_pairs(array: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The (left, right) and (upper, lower) views of 4-neighbour cell pairs."""
    return ((array[:, :-1], array[:, 1:]), (array[:-1, :], array[1:, :]))


def merge_fragments(
    labels: np.ndarray,
    keep_rows: np.ndarray,
    keep_cols: np.ndarray,
    *,
    label_groups: np.ndarray | None = None,
    background: int = 0,
    rounds: int = 20,
) -> np.ndarray:
    """Give each piece of a region that holds none of the ``keep`` cells to its main neighbour.

    A piece is a 4-connected set of cells of one label. Pieces holding a keep
    cell (a site) stay; any other piece goes to the kept piece it shares most
    edges with. A piece touching no other label (an island) stays as it is.
    A loose piece touching only other loose pieces waits until one of them
    has been absorbed (so two loose pieces never swap labels for ever).
    With ``label_groups`` (group of each label value), a piece only goes to a
    label of its own group.
    """
    labels = labels.copy()
    for _ in range(rounds):
        component = label_components(labels, background=background)
        kept = np.zeros(int(component.max()) + 1, dtype=bool)
        kept[component[keep_rows, keep_cols][component[keep_rows, keep_cols] >= 0]] = True
        target = _main_neighbour(
            labels, component, kept, label_groups=label_groups, background=background
        )
        moving = (
            (component >= 0)
            & ~kept[np.maximum(component, 0)]
            & (target[np.maximum(component, 0)] != background)
        )
        if not moving.any():
            break
        labels[moving] = target[component[moving]]
    return labels


def _main_neighbour(
    labels: np.ndarray,
    component: np.ndarray,
    kept: np.ndarray,
    *,
    label_groups: np.ndarray | None,
    background: int,
) -> np.ndarray:
    """For every loose component, the label of the kept piece it shares most edges with (``background`` if none)."""
    pairs = []
    for (a, b), (ca, cb) in zip(_neighbour_pairs(labels), _neighbour_pairs(component)):
        differ = (a != b) & (a != background) & (b != background)
        if label_groups is not None:
            differ &= label_groups[a] == label_groups[b]
        # Only a kept piece receives: two loose pieces could otherwise swap labels forever.
        into_b, into_a = differ & kept[np.maximum(cb, 0)], differ & kept[np.maximum(ca, 0)]
        pairs.append(np.column_stack([ca[into_b], b[into_b]]))
        pairs.append(np.column_stack([cb[into_a], a[into_a]]))
    edges = np.concatenate(pairs)
    edges = edges[~kept[edges[:, 0]]]
    target = np.full(len(kept), background, dtype=np.int64)
    if len(edges):
        unique, counts = np.unique(edges, axis=0, return_counts=True)
        order = np.lexsort((-counts, unique[:, 0]))
        first = np.unique(unique[order, 0], return_index=True)[1]
        target[unique[order][first, 0]] = unique[order][first, 1]
    return target


def polygonize_labels(
    labels: np.ndarray, grid: Grid, *, background: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Polygons of a label raster: (labels, geometries), one (Multi)Polygon per label."""
    values, parts = [], []
    for geojson, value in rasterio.features.shapes(
        labels.astype(np.int32), mask=labels != background, connectivity=4, transform=grid.transform
    ):
        values.append(int(value))
        parts.append(shapely.geometry.shape(geojson))
    values_array = np.asarray(values, dtype=np.int64)
    parts_array = np.asarray(parts, dtype=object)
    order = np.argsort(values_array, kind="stable")
    unique, starts = np.unique(values_array[order], return_index=True)
    groups = np.split(parts_array[order], starts[1:])
    geometries = np.array([shapely.MultiPolygon(list(group)) for group in groups], dtype=object)
    return unique, _node_on_grid(geometries, grid)


def _node_on_grid(geometries: np.ndarray, grid: Grid) -> np.ndarray:
    """Put a vertex on every cell corner along the edges, so neighbours share vertices exactly.

    ``rasterio.features.shapes`` writes only the corners where an outline
    turns; a neighbour's outline may turn half-way along that edge, and a
    coverage needs matching vertices on both sides. Edges are split at every
    cell and the vertices snapped back onto the grid's corners.
    """
    dense = shapely.segmentize(geometries, grid.cell)
    origin = np.array([grid.west, grid.north])

    def snap(xy: np.ndarray) -> np.ndarray:
        return origin + np.rint((xy - origin) / grid.cell) * grid.cell

    return shapely.transform(dense, snap)


def simplify_coverage(geometries: np.ndarray, tolerance: float) -> np.ndarray:
    """Smooth a polygon coverage; shared edges are simplified once, so no gaps or overlaps appear."""
    simplified = shapely.coverage_simplify(geometries, tolerance, simplify_boundary=True)
    return np.asarray([to_multipolygon(g) for g in simplified], dtype=object)


def to_multipolygon(geometry: BaseGeometry) -> shapely.MultiPolygon:
    """The polygons of any geometry (collections included, lines and points dropped) as a MultiPolygon."""
    polygons: list[shapely.Polygon] = []
    for part in shapely.get_parts(geometry):
        if part.geom_type == "Polygon" and not part.is_empty:
            polygons.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            polygons.extend(to_multipolygon(part).geoms)
    return shapely.MultiPolygon(polygons)
