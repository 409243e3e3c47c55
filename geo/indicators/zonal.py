"""Exact area-weighted zonal statistics of coverage and population per commune.

All sums use exactextract, which weighs every raster cell by the exact share
of it that lies inside the polygon, so a small urban ward inside one 1 km
WorldPop cell still gets its share of the cell's people. exactextract reads
the raster window of one polygon at a time (``strategy="feature-sequential"``):
a national raster never has to fit in memory.

- **Area covered** comes from the binary mask on its own grid: the
  spherical area (m²) of covered cells inside the commune, over the area of
  all mask cells inside it (``area_observed_km2``; outside the raster's
  extent the commune is not observed and the share is missing).
- **Population covered** is counted on the *population* grid: population
  times the covered fraction of each population cell (block average of the
  mask, :func:`geo.indicators.coverage.prepare_mask`). Resampling population onto a finer
  coverage grid instead would invent where people live inside a 1 km cell;
  averaging coverage onto the population grid only assumes people are spread
  evenly inside their cell, which is all a 1 km raster says anyway.
- **Coverage polygons** are intersected exactly with the communes in an
  equal-area projection; covered population is the exactextract sum of
  population over the intersections.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import shapely
from exactextract import exact_extract

from geo import schema as s
from geo.errors import InputError
from geo.indicators.coverage import Grid, PreparedMask

M2_PER_KM2: Final = 1_000_000.0
_FRACTION_PROFILE: Final = {
    "driver": "GTiff",
    "dtype": "float32",
    "count": 1,
    "tiled": True,
    "compress": "deflate",
    "nodata": None,
}


def _in_crs(communes: gpd.GeoDataFrame, crs: object) -> gpd.GeoDataFrame:
    if communes.crs is None:
        raise InputError(
            "the communes have no CRS; read them with geo.reading.boundaries.read_boundary_layer"
        )
    frame = communes[[s.COMMUNE_CODE, communes.geometry.name]]
    return frame.to_crs(crs) if pyproj.CRS(frame.crs) != pyproj.CRS(crs) else frame


def _area_weight(crs: object) -> str:
    """Exactextract coverage weight giving m² for this raster CRS."""
    crs = pyproj.CRS(crs)
    if crs.is_geographic:
        return "area_spherical_m2"
    unit = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    if unit != 1.0:
        raise InputError(
            f"raster CRS {crs.name} is not in metres or degrees; reproject it to EPSG:4326 or a metric CRS"
        )
    return "area_cartesian"


def mask_area_stats(communes: gpd.GeoDataFrame, mask: str | os.PathLike[str]) -> pd.DataFrame:
    """Covered and observed area (km²) per commune from a 0/1 mask, and ``pct_area_4g``.

    Returns one row per commune (index = commune_code); missing where the
    commune lies outside the raster.
    """
    grid = Grid.of(mask)
    weight = _area_weight(grid.crs)
    ops = [f"sum(coverage_weight={weight})", f"count(coverage_weight={weight})"]
    stats = exact_extract(
        str(mask), _in_crs(communes, grid.crs), ops, include_cols=[s.COMMUNE_CODE], output="pandas"
    )
    stats.columns = [s.COMMUNE_CODE, s.AREA_COVERED_4G_KM2, s.AREA_OBSERVED_KM2]
    table = stats.set_index(s.COMMUNE_CODE).astype(float) / M2_PER_KM2
    unobserved = table[s.AREA_OBSERVED_KM2] <= 0
    table.loc[unobserved, [s.AREA_COVERED_4G_KM2, s.AREA_OBSERVED_KM2]] = np.nan
    table[s.PCT_AREA_4G] = percent(table[s.AREA_COVERED_4G_KM2], table[s.AREA_OBSERVED_KM2])
    return table


def population_stats(
    communes: gpd.GeoDataFrame,
    population: str | os.PathLike[str],
    *,
    prepared: PreparedMask | None = None,
    workdir: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """``pop_total`` per commune and, with a prepared mask, ``pop_covered_4g`` and ``pct_pop_4g``.

    Parameters
    ----------
    communes
        Commune polygons with ``commune_code``.
    population
        Population-count raster (people per cell, e.g. WorldPop).
    prepared
        Output of :func:`geo.indicators.coverage.prepare_mask` with the population grid.
    workdir
        Folder for the temporary covered-fraction raster (default: beside the mask).
    """
    grid = Grid.of(population)
    frame = _in_crs(communes, grid.crs)
    if prepared is None or prepared.fraction is None:
        stats = exact_extract(
            str(population), frame, ["sum"], include_cols=[s.COMMUNE_CODE], output="pandas"
        )
        return stats.set_index(s.COMMUNE_CODE).rename(columns={"sum": s.POP_TOTAL}).astype(float)
    fraction_path = Path(workdir or prepared.mask.parent) / f".{prepared.mask.stem}.fraction.tif"
    _write_grid(fraction_path, prepared.fraction, grid)
    observed_path = fraction_path.with_suffix(".observed.tif")
    _write_grid(observed_path, prepared.observed.astype(np.float32), grid)
    try:
        stats = exact_extract(
            str(population),
            frame,
            ["sum", "weighted_sum"],
            weights=str(fraction_path),
            include_cols=[s.COMMUNE_CODE],
            output="pandas",
        )
        seen = exact_extract(
            str(observed_path), frame, ["max"], include_cols=[s.COMMUNE_CODE], output="pandas"
        )
    finally:
        fraction_path.unlink(missing_ok=True)
        observed_path.unlink(missing_ok=True)
    stats.columns = [s.COMMUNE_CODE, s.POP_TOTAL, s.POP_COVERED_4G]
    table = stats.set_index(s.COMMUNE_CODE).astype(float)
    table.loc[~(seen.set_index(s.COMMUNE_CODE)["max"] > 0), s.POP_COVERED_4G] = np.nan
    table[s.PCT_POP_4G] = percent(table[s.POP_COVERED_4G], table[s.POP_TOTAL])
    return table


def _write_grid(path: Path, values: np.ndarray, grid: Grid) -> None:
    profile = {
        **_FRACTION_PROFILE,
        "crs": grid.crs,
        "transform": grid.transform,
        "width": grid.width,
        "height": grid.height,
    }
    with rasterio.open(path, "w", **profile) as sink:
        sink.write(values.astype(np.float32), 1)


def polygon_stats(
    communes: gpd.GeoDataFrame,
    coverage: shapely.Geometry,
    *,
    population: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Exact covered area (and population) of every commune from a coverage (multi)polygon in WGS 84."""
    metric = communes.to_crs(s.VN_EQUAL_AREA)
    covered_metric = gpd.GeoSeries([coverage], crs=s.WGS84).to_crs(s.VN_EQUAL_AREA).iloc[0]
    pieces = shapely.intersection(metric.geometry.array, covered_metric)
    table = pd.DataFrame(
        {
            s.AREA_COVERED_4G_KM2: shapely.area(pieces) / M2_PER_KM2,
            s.AREA_OBSERVED_KM2: shapely.area(metric.geometry.array) / M2_PER_KM2,
        },
        index=pd.Index(communes[s.COMMUNE_CODE], name=s.COMMUNE_CODE),
    )
    table[s.PCT_AREA_4G] = percent(table[s.AREA_COVERED_4G_KM2], table[s.AREA_OBSERVED_KM2])
    if population is None:
        return table
    totals = population_stats(communes, population)
    inside = gpd.GeoDataFrame(
        {s.COMMUNE_CODE: communes[s.COMMUNE_CODE].to_numpy()}, geometry=pieces, crs=s.VN_EQUAL_AREA
    )
    inside = inside[~inside.geometry.is_empty]
    covered = (
        population_stats(inside, population)[s.POP_TOTAL] if len(inside) else pd.Series(dtype=float)
    )
    table[s.POP_TOTAL] = totals[s.POP_TOTAL]
    table[s.POP_COVERED_4G] = (
        covered.reindex(table.index).fillna(0.0).where(table[s.POP_TOTAL].notna())
    )
    table[s.PCT_POP_4G] = percent(table[s.POP_COVERED_4G], table[s.POP_TOTAL])
    return table


def percent(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """100 × numerator / denominator, clipped to [0, 100]; missing where either is missing or the denominator is 0."""
    numerator = pd.to_numeric(numerator, errors="coerce").astype(float)
    denominator = pd.to_numeric(denominator, errors="coerce").astype(float)
    ok = denominator > 0
    share = (100.0 * numerator / denominator.where(ok)).clip(0.0, 100.0)
    return share.where(ok & numerator.notna())
