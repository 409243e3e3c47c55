"""Known-answer tests of the power-diagram tessellation on small synthetic grids."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from builders import tessellate as t
from geo.errors import InputError

SQUARE = t.Grid(west=0.0, north=100.0, cell=1.0, width=100, height=100)
SITES = np.array([[25.0, 75.0], [75.0, 75.0], [25.0, 25.0], [75.0, 25.0]])


def _all_cells(grid: t.Grid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, cols = np.indices(grid.shape)
    rows, cols = rows.ravel(), cols.ravel()
    return rows, cols, grid.centres(rows, cols)


def test_grid_locate_inverts_centres() -> None:
    rows, cols = np.array([0, 5, 99]), np.array([0, 42, 99])
    located = SQUARE.locate(SQUARE.centres(rows, cols))
    assert np.array_equal(located[0], rows) and np.array_equal(located[1], cols)


def test_grid_covering_spans_bounds() -> None:
    grid = t.Grid.covering((10.0, 20.0, 95.0, 61.0), 10.0)
    assert (grid.west, grid.north, grid.width, grid.height) == (10.0, 70.0, 9, 5)


def test_rasterize_mask_counts_cells_of_a_polygon() -> None:
    mask = t.rasterize_mask(shapely.box(0, 0, 50, 100), SQUARE)
    assert mask.sum() == 50 * 100


def test_equal_weights_give_quadrants() -> None:
    _, _, cells = _all_cells(SQUARE)
    owner = t.assign_power(cells, SITES, np.zeros(4))
    assert np.array_equal(np.bincount(owner), [2500, 2500, 2500, 2500])


def test_groups_keep_cells_with_sites_of_their_group() -> None:
    _, _, cells = _all_cells(SQUARE)
    cell_groups = (cells[:, 0] > 50).astype(int)  # east half is group 1
    owner = t.assign_power(
        cells, SITES, np.zeros(4), cell_groups=cell_groups, site_groups=np.array([1, 1, 0, 0])
    )
    assert set(owner[cell_groups == 1]) <= {0, 1} and set(owner[cell_groups == 0]) <= {2, 3}


def test_assign_power_needs_both_groups() -> None:
    with pytest.raises(InputError, match="cell_groups and site_groups"):
        t.assign_power(SITES, SITES, np.zeros(4), cell_groups=np.zeros(4, dtype=int))


def test_calibration_reaches_target_areas() -> None:
    _, _, cells = _all_cells(SQUARE)
    targets = np.array([4000.0, 3000.0, 2000.0, 1000.0])
    result = t.calibrate_power(
        cells, SITES, np.arange(4), targets, cell_area=1.0, tolerance=0.02, iterations=100
    )
    assert np.all(np.abs(result.areas - targets) <= 0.02 * targets)
    assert result.areas.sum() == 10_000


def test_calibrated_regions_contain_their_sites() -> None:
    rows, cols, cells = _all_cells(SQUARE)
    targets = np.array([4000.0, 3000.0, 2000.0, 1000.0])
    result = t.calibrate_power(
        cells, SITES, np.arange(4), targets, cell_area=1.0, tolerance=0.02, iterations=100
    )
    labels = result.owner.reshape(SQUARE.shape)
    site_rows, site_cols = SQUARE.locate(SITES)
    assert np.array_equal(labels[site_rows, site_cols], np.arange(4))


def test_region_with_several_sites_shares_one_weight() -> None:
    _, _, cells = _all_cells(SQUARE)
    region = np.array([0, 0, 1, 1])  # north half and south half
    result = t.calibrate_power(
        cells,
        SITES,
        region,
        np.array([7000.0, 3000.0]),
        cell_area=1.0,
        tolerance=0.02,
        iterations=100,
    )
    assert abs(result.areas[0] - 7000) <= 140


def test_label_components_counts_pieces() -> None:
    labels = np.array([[1, 1, 2], [2, 1, 2], [2, 0, 1]])
    components = t.label_components(labels)
    assert len(np.unique(components[components >= 0])) == 4
    assert components[2, 1] == -1


def test_merge_fragments_gives_stray_piece_to_neighbour() -> None:
    labels = np.ones((5, 5), dtype=np.int32)
    labels[:, 3:] = 2
    labels[0, 4] = 1  # a stray cell of 1 inside 2
    merged = t.merge_fragments(labels, np.array([2, 2]), np.array([0, 4]))
    assert merged[0, 4] == 2 and (merged == 1).sum() == 15


def test_merge_fragments_keeps_islands() -> None:
    labels = np.zeros((5, 5), dtype=np.int32)
    labels[0, 0] = 1
    labels[4, 4] = 1
    labels[2, 2] = 2
    merged = t.merge_fragments(labels, np.array([2]), np.array([2]))
    assert np.array_equal(merged, labels)


def test_polygonized_coverage_is_exact() -> None:
    labels = np.zeros((40, 40), dtype=np.int32)
    labels[5:35, 5:20] = 1
    labels[5:35, 20:35] = 2
    labels[10:15, 10:30] = 3
    grid = t.Grid(west=0.0, north=40.0, cell=1.0, width=40, height=40)
    values, geometries = t.polygonize_labels(labels, grid)
    assert list(values) == [1, 2, 3]
    assert [g.area for g in geometries] == [(labels == v).sum() for v in (1, 2, 3)]
    assert shapely.coverage_is_valid(geometries)


def test_simplified_coverage_has_no_gaps_or_overlaps() -> None:
    rows, cols, cells = _all_cells(SQUARE)
    owner = t.assign_power(
        cells, SITES + np.array([[3, -7], [-5, 2], [8, 1], [-2, -9]]), np.zeros(4)
    )
    _, geometries = t.polygonize_labels(owner.reshape(SQUARE.shape) + 1, SQUARE)
    smooth = t.simplify_coverage(geometries, 2.0)
    assert all(g.is_valid and g.geom_type == "MultiPolygon" for g in smooth)
    assert shapely.union_all(smooth).area == pytest.approx(10_000)
    assert sum(g.area for g in smooth) == pytest.approx(10_000)


def test_spread_sites_moves_later_site_off_a_shared_cell() -> None:
    mask = np.ones((5, 5), dtype=bool)
    rows, cols = t.spread_sites(np.array([2, 2, 0]), np.array([2, 2, 0]), mask)
    assert (rows[0], cols[0]) == (2, 2) and (rows[2], cols[2]) == (0, 0)
    assert max(abs(rows[1] - 2), abs(cols[1] - 2)) == 1


def test_protect_sites_paints_a_block_and_the_site() -> None:
    labels = np.ones((15, 15), dtype=np.int32)
    protected = t.protect_sites(
        labels, np.array([4, 14]), np.array([4, 14]), np.array([2, 1]), 1.0, max_radius=2
    )
    assert (protected == 2).sum() == 25 and protected[4, 4] == 2


def test_protect_sites_shrinks_the_block_near_another_site() -> None:
    labels = np.ones((9, 9), dtype=np.int32)
    protected = t.protect_sites(
        labels, np.array([4, 4]), np.array([4, 7]), np.array([2, 3]), 1.0, max_radius=2
    )
    assert (protected == 2).sum() == 9 and (protected == 3).sum() == 9


def test_connect_sites_joins_a_site_left_in_a_neighbour_by_a_corridor() -> None:
    """A site of 1 that the diagram gave to 2 is joined to 1's piece, not left as a square enclave."""
    labels = np.ones((9, 12), dtype=np.int32)
    labels[:, 6:] = 2
    rows, cols, values = np.array([4, 4, 4]), np.array([1, 9, 10]), np.array([1, 1, 2])
    forced = t.protect_sites(labels, rows, cols, values, 1.0, max_radius=0)
    assert len(np.unique(t.label_components(forced)[forced == 1])) == 2  # the enclave of today
    joined_labels, joined = t.connect_sites(forced, rows, cols, values, max_reach=8)
    components = t.label_components(joined_labels)
    assert joined.all()
    assert len(np.unique(components[joined_labels == 1])) == 1
    assert len(np.unique(components[joined_labels == 2])) == 1
    assert joined_labels[4, 9] == 1 and joined_labels[4, 10] == 2
    assert (joined_labels[:, :6] == 1).all()  # only the neighbour gave up cells


def test_connect_sites_leaves_a_site_on_another_land_mass_as_an_island() -> None:
    labels = np.zeros((5, 9), dtype=np.int32)
    labels[:, :4] = 1
    labels[2, 7] = 1  # an islet of 1 across the water
    _, joined = t.connect_sites(
        labels, np.array([2, 2]), np.array([0, 7]), np.array([1, 1]), max_reach=8
    )
    assert joined.all()


def test_connect_sites_gives_up_beyond_its_reach_and_merge_drops_the_square() -> None:
    labels = np.ones((5, 20), dtype=np.int32)
    labels[:, 3:] = 2
    rows, cols, values = np.array([2, 2, 2]), np.array([0, 18, 10]), np.array([1, 1, 2])
    forced = t.protect_sites(labels, rows, cols, values, 1.0, max_radius=0)
    connected, joined = t.connect_sites(forced, rows, cols, values, max_reach=5)
    assert list(joined) == [True, False, True]
    merged = t.merge_fragments(connected, rows[joined], cols[joined])
    assert merged[2, 18] == 2 and (merged == 1).sum() == 15


def test_merge_fragments_never_swaps_two_loose_pieces() -> None:
    """Two pieces holding no site, touching only each other (a split islet), stay as they are."""
    labels = np.zeros((5, 9), dtype=np.int32)
    labels[:, :3] = 1
    labels[2, 6], labels[2, 7] = 2, 3
    merged = t.merge_fragments(
        labels, np.array([2]), np.array([0]), rounds=3
    )  # odd: a swap would show
    assert np.array_equal(merged, labels)
