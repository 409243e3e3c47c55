"""Commune indicators of 4G, fibre and community teams, read against the targets.

:func:`build_indicators` is the whole pipeline behind
``python -m geo build-indicators``: read the boundaries, measure mobile
coverage (:mod:`geo.indicators.coverage`, :mod:`geo.indicators.zonal`), read and match the fibre
and team tables (:mod:`geo.reading.tables`, :mod:`geo.indicators.counts`), move them to the boundaries' vintage
(:mod:`geo.indicators.convert`), rebuild the ratios, evaluate the targets
(:func:`evaluate_targets`) and roll up to districts and provinces
(:mod:`geo.indicators.aggregate`). Missing data stays missing: a commune without a
fibre row has null fibre columns, not zero.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio

from geo import schema as s
from geo.errors import InputError
from geo.indicators import targets as t
from geo.indicators.aggregate import add_ratios, aggregate_units
from geo.indicators.villages import empty_villages
from geo.reading.atomic import atomic_path
from geo.reading.repair import grid_size_for, union_polygons

INDICATOR_COLUMNS: Final = (
    s.POP_TOTAL,
    s.POP_COVERED_4G,
    s.PCT_POP_4G,
    s.PCT_AREA_4G,
    s.HOUSEHOLDS,
    s.HOUSEHOLDS_FIBRE,
    s.PCT_HOUSEHOLDS_FIBRE,
    s.FIBRE_TO_COMMUNE,
    s.VILLAGES,
    s.VILLAGES_WITH_TEAM,
    s.PCT_VILLAGES_TEAM,
    s.TEAMS,
    s.TEAM_MEMBERS,
    s.UNCOVERED,
    s.UNCOVERED_REASONS,
)
FIBRE_COUNTS: Final = [s.HOUSEHOLDS, s.HOUSEHOLDS_FIBRE]
TEAM_COUNTS: Final = [s.VILLAGES, s.VILLAGES_WITH_TEAM, s.TEAMS, s.TEAM_MEMBERS]
REPORT_LAYER: Final = "report"


@dataclass(frozen=True)
class Inputs:
    """Everything ``build-indicators`` reads (paths; None when not given)."""

    boundaries: Path
    mobile_raster: Path | None = None
    mobile_threshold: float | None = None
    mobile_polygons: Path | None = None
    mobile_sites: Path | None = None
    population: Path | None = None
    fibre: Path | None = None
    teams: Path | None = None
    targets: Path | None = None
    tables_vintage: str = "auto"


@dataclass(frozen=True)
class IndicatorResult:
    """Indicator layers and the report of table rows that were not counted."""

    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    provinces: gpd.GeoDataFrame
    report: pd.DataFrame
    vintage: s.Vintage
    #: Villages of the team table in the boundaries' communes (:func:`geo.indicators.villages.place_villages`); empty for commune tables.
    villages: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)


def evaluate_targets(table: pd.DataFrame, config: t.Config) -> pd.DataFrame:
    """Add ``uncovered`` and ``uncovered_reasons`` from the enabled targets.

    A target is checked only where its indicator is known. ``uncovered`` is
    True when any enabled target fails, False when all that could be
    checked pass, and missing when none could be checked.
    """
    checks = {
        t.POP_4G: (s.PCT_POP_4G, "4G population coverage {:.1f}% < {:g}%"),
        t.FIBRE_HOUSEHOLDS: (s.PCT_HOUSEHOLDS_FIBRE, "fibre to {:.1f}% of households < {:g}%"),
        t.VILLAGES_TEAM: (
            s.PCT_VILLAGES_TEAM,
            "digital-technology team in {:.1f}% of villages < {:g}%",
        ),
    }
    out = table.copy()
    failed = pd.DataFrame(index=out.index)
    known = pd.Series(False, index=out.index)
    for target in config.enabled:
        if target.name == t.FIBRE_TO_COMMUNE:
            flag = (
                out[s.FIBRE_TO_COMMUNE].astype("boolean")
                if s.FIBRE_TO_COMMUNE in out
                else pd.Series(pd.NA, index=out.index, dtype="boolean")
            )
            known |= flag.notna().to_numpy()
            failed[target.name] = np.where(
                flag.fillna(True).to_numpy(), "", "no fibre to the commune"
            )
            continue
        column, text = checks[target.name]
        value = out[column] if column in out else pd.Series(np.nan, index=out.index)
        known |= value.notna()
        fails = value < target.min_pct
        failed[target.name] = [
            text.format(v, target.min_pct) if f else "" for v, f in zip(value, fails)
        ]
    reasons = (
        failed.apply(lambda row: "; ".join(r for r in row if r), axis=1)
        if len(failed.columns)
        else pd.Series("", index=out.index)
    )
    out[s.UNCOVERED_REASONS] = reasons.reindex(out.index).fillna("")
    uncovered = pd.array(out[s.UNCOVERED_REASONS] != "", dtype="boolean")
    uncovered[~known.to_numpy() & ~uncovered.to_numpy(dtype=bool)] = pd.NA
    out[s.UNCOVERED] = uncovered
    return out


def input_as_of(path: Path) -> str:
    """As-of date of an input file: a raster's ``as_of`` / TIFFTAG_DATETIME tag, else the file date (said so)."""
    if path.suffix.lower() in (".tif", ".tiff"):
        with rasterio.open(path) as dataset:
            tags = dataset.tags()
        for key in ("as_of", "AS_OF", "TIFFTAG_DATETIME"):
            if tags.get(key):
                return tags[key][:10].replace(":", "-")
    return dt.date.fromtimestamp(path.stat().st_mtime).isoformat() + " (file date)"


@dataclass(frozen=True)
class Boundaries:
    """The commune polygons indicators are computed for, and what else the file offers."""

    communes: gpd.GeoDataFrame
    vintage: s.Vintage
    other: (
        gpd.GeoDataFrame | None
    )  # communes of the other vintage (for conversion weights), when the file has them
    provinces: gpd.GeoDataFrame | None


def read_boundaries(path: Path) -> Boundaries:
    """Communes of an embedded-style boundaries file (``communes_2025`` …) or of an import (``communes``)."""
    from geo.reading.boundaries import boundaries_file, read_boundary_layer

    layers = [str(name) for name in pyogrio.list_layers(boundaries_file(path))[:, 0]]
    if s.LAYER_COMMUNES_2025 in layers:
        communes = read_boundary_layer(path, s.LAYER_COMMUNES_2025)
        other = (
            read_boundary_layer(path, s.LAYER_COMMUNES_LEGACY)
            if s.LAYER_COMMUNES_LEGACY in layers
            else None
        )
        provinces = (
            read_boundary_layer(path, s.LAYER_PROVINCES_2025)
            if s.LAYER_PROVINCES_2025 in layers
            else None
        )
        return Boundaries(
            communes=communes, vintage=s.VINTAGE_2025, other=other, provinces=provinces
        )
    if s.LAYER_COMMUNES in layers:
        communes = read_boundary_layer(path, s.LAYER_COMMUNES)
        vintage = s.VINTAGE_LEGACY if s.DISTRICT_CODE in communes else s.VINTAGE_2025
        return Boundaries(communes=communes, vintage=vintage, other=None, provinces=None)
    raise InputError(
        f"{path} has neither a '{s.LAYER_COMMUNES_2025}' nor a '{s.LAYER_COMMUNES}' layer; found {layers}; pass the embedded boundaries or the output of 'python -m geo import-boundaries'"
    )


def mobile_indicators(
    inputs: Inputs, communes: gpd.GeoDataFrame, config: t.Config, workdir: Path
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Covered area and population per commune from whichever mobile input was given."""
    from geo.indicators import coverage, zonal

    sources: dict[str, str] = {}
    raster, threshold = inputs.mobile_raster, inputs.mobile_threshold
    if inputs.mobile_sites is not None:
        sites = coverage.read_sites(inputs.mobile_sites)
        raster = coverage.predict_rsrp(
            sites,
            workdir / "predicted_rsrp.tif",
            bounds=tuple(communes.total_bounds),
            propagation=config.propagation,
        )
        threshold = config.propagation.threshold_dbm if threshold is None else threshold
        sources[s.MOBILE] = inputs.mobile_sites.name + " (COST-231 Hata prediction)"
    population = inputs.population
    if population is not None:
        sources[s.POPULATION] = population.name
    if inputs.mobile_polygons is not None:
        sources[s.MOBILE] = inputs.mobile_polygons.name
        union = coverage.union_polygons(coverage.read_coverage_polygons(inputs.mobile_polygons))
        return zonal.polygon_stats(communes, union, population=population), sources
    if raster is None:
        table = (
            zonal.population_stats(communes, population)
            if population is not None
            else pd.DataFrame(index=communes[s.COMMUNE_CODE])
        )
        return table, sources
    sources.setdefault(s.MOBILE, raster.name)
    grid = coverage.Grid.of(population) if population is not None else None
    prepared = coverage.prepare_mask(
        raster, workdir / "mask.tif", threshold=threshold, population_grid=grid
    )
    table = zonal.mask_area_stats(communes, prepared.mask)
    if population is not None:
        table = table.join(
            zonal.population_stats(communes, population, prepared=prepared, workdir=workdir)
        )
    return table, sources


def table_indicators(
    path: Path, boundaries: Boundaries, *, vintage: str, counts: list[str], population: Path | None
) -> tuple[pd.DataFrame, pd.DataFrame, str, pd.DataFrame]:
    """A fibre or team table matched, moved to the boundaries' vintage, one row per commune; and its villages placed there."""
    from geo.indicators import convert
    from geo.indicators.counts import match_table
    from geo.indicators.villages import place_villages
    from geo.reading.tables import read_table

    matched = match_table(read_table(path), vintage=vintage)  # type: ignore[arg-type]
    villages = place_villages(
        matched.villages,
        boundaries.communes,
        source=matched.vintage,
        target=boundaries.vintage,
        table=path.name,
    )
    present = [c for c in counts if c in matched.communes]
    flags = [c for c in (s.FIBRE_TO_COMMUNE,) if c in matched.communes]
    table = matched.communes[present + flags]
    if matched.vintage != boundaries.vintage:
        direction = "to_2025" if boundaries.vintage == s.VINTAGE_2025 else "to_legacy"
        pairs = convert.crosswalk_pairs(direction)
        measure, method = None, convert.EQUAL
        if boundaries.other is not None:
            sources, targets = (
                (boundaries.other, boundaries.communes)
                if direction == "to_2025"
                else (boundaries.communes, boundaries.other)
            )
            pop = str(population) if population is not None else None
            measure = convert.overlap_measure(pairs, sources, targets, population=pop)
            method = convert.POPULATION if pop else convert.AREA
        table = convert.share_counts(
            table,
            convert.pair_weights(pairs, measure=measure, method=method),
            counts=present,
            flags=flags,
        )
    report = matched.report.assign(table=path.name)
    return table, report, matched.as_of, villages


def build_indicators(inputs: Inputs) -> IndicatorResult:
    """Run the whole pipeline (see the module docstring) and return the three layers and the report."""
    config = t.read_config(inputs.targets)
    boundaries = read_boundaries(inputs.boundaries)
    communes = boundaries.communes
    with tempfile.TemporaryDirectory(prefix="indicators-") as workdir:
        mobile, sources = mobile_indicators(inputs, communes, config, Path(workdir))
    table = (
        communes.drop(columns=communes.geometry.name)
        .set_index(s.COMMUNE_CODE, drop=False)
        .join(mobile.drop(columns=[s.COMMUNE_CODE], errors="ignore"))
    )
    as_of = {
        name: input_as_of(p)
        for name, p in (
            (s.MOBILE, inputs.mobile_raster or inputs.mobile_polygons or inputs.mobile_sites),
            (s.POPULATION, inputs.population),
        )
        if p is not None
    }
    reports = []
    villages = empty_villages()
    for name, path, counts in (
        (s.FIBRE, inputs.fibre, FIBRE_COUNTS),
        (s.TEAMS_INPUT, inputs.teams, TEAM_COUNTS),
    ):
        if path is None:
            continue
        part, report, as_of[name], placed = table_indicators(
            path,
            boundaries,
            vintage=inputs.tables_vintage,
            counts=counts,
            population=inputs.population,
        )
        part = part.rename(
            columns={
                s.CONVERSION_METHOD: f"{s.CONVERSION_METHOD}_{name}",
                s.CONVERSION_WEIGHTS: f"{s.CONVERSION_WEIGHTS}_{name}",
            }
        )
        table = table.join(part, how="left")
        sources[name] = path.name
        reports.append(report)
        if name == s.TEAMS_INPUT:  # the villages the planners follow up are those of the team table
            villages = placed
    table = evaluate_targets(add_ratios(_with_all_columns(table)), config)
    for name in s.INPUTS:
        table[s.source_column(name)] = sources.get(name)
        table[s.as_of_column(name)] = as_of.get(name)
    table["targets"] = config.source
    gdf = gpd.GeoDataFrame(
        table.reset_index(drop=True), geometry=communes.geometry.to_numpy(), crs=communes.crs
    )
    report = (
        pd.concat(reports, ignore_index=True)
        if reports
        else pd.DataFrame({"table": pd.Series(dtype=str)})
    )
    districts, provinces = roll_up(gdf, boundaries)
    return IndicatorResult(
        communes=gdf,
        districts=districts,
        provinces=provinces,
        report=report,
        vintage=boundaries.vintage,
        villages=villages,
    )


def _with_all_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Every indicator column present (null where its input was not given)."""
    out = table.copy()
    for column in INDICATOR_COLUMNS:
        if column not in out and column not in (s.UNCOVERED, s.UNCOVERED_REASONS):
            out[column] = (
                pd.array([pd.NA] * len(out), dtype="boolean")
                if column == s.FIBRE_TO_COMMUNE
                else np.nan
            )
    for column in (s.AREA_COVERED_4G_KM2, s.AREA_OBSERVED_KM2):
        if column not in out:
            out[column] = np.nan
    return out


def roll_up(
    communes: gpd.GeoDataFrame, boundaries: Boundaries
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """District and province layers: counts summed, ratios rebuilt, polygons dissolved from the communes."""
    table = communes.copy()
    if s.DISTRICT_CODE not in table:
        table[s.DISTRICT_CODE] = _former_districts(communes, boundaries)
    layers = []
    for by, names in (
        (s.DISTRICT_CODE, [s.DISTRICT_NAME, s.PROVINCE_CODE, s.PROVINCE_NAME]),
        (s.PROVINCE_CODE, [s.PROVINCE_NAME]),
    ):
        values = aggregate_units(pd.DataFrame(table.drop(columns=table.geometry.name)), by)
        names = [c for c in names if c in table]
        first = table.groupby(by)[names].first() if names else None
        shapes = dissolve_units(table, by)
        joined = shapes.join(first).join(values) if first is not None else shapes.join(values)
        layers.append(joined.reset_index())
    return layers[0], layers[1]


def dissolve_units(communes: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    """One valid MultiPolygon per value of ``by``, even when the communes overlap or are badly noded.

    Real boundary files are rarely a clean coverage; see
    :func:`geo.reading.repair.union_polygons` for how the union falls back.
    """
    grid_size = grid_size_for(communes.crs)
    groups = communes.dropna(subset=[by]).groupby(by, sort=True)[communes.geometry.name]
    shapes = groups.agg(lambda g: union_polygons(g.to_numpy(), grid_size=grid_size))
    return gpd.GeoDataFrame(geometry=shapes.to_numpy(), index=shapes.index, crs=communes.crs)


def _former_districts(communes: gpd.GeoDataFrame, boundaries: Boundaries) -> pd.Series:
    """For 2025 communes: the legacy district that gave most of the area (by the crosswalk and the polygons)."""
    from geo.indicators import convert

    pairs = convert.crosswalk_pairs("to_legacy")
    measure = (
        convert.overlap_measure(pairs, communes, boundaries.other)
        if boundaries.other is not None
        else None
    )
    district = convert.dominant_districts(convert.pair_weights(pairs, measure=measure))
    return communes[s.COMMUNE_CODE].map(district)


def write_indicators(result: IndicatorResult, out: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``out`` (layers communes, districts, provinces, report) and ``OUT.report.csv``, atomically."""
    out = Path(out)
    if out.suffix.lower() != ".gpkg":
        raise InputError(f"--out {out} must end in .gpkg; build-indicators writes a GeoPackage")
    csv = out.with_suffix(".report.csv")
    with atomic_path(out) as gpkg, atomic_path(csv) as report_csv:
        for layer, frame in (
            (s.LAYER_COMMUNES, result.communes),
            (s.LAYER_DISTRICTS, result.districts),
            (s.LAYER_PROVINCES, result.provinces),
        ):
            pyogrio.write_dataframe(
                _storable(frame), gpkg, layer=layer, driver="GPKG", promote_to_multi=True
            )
        pyogrio.write_dataframe(_storable(result.report), gpkg, layer=REPORT_LAYER, driver="GPKG")
        result.report.to_csv(report_csv, index=False, encoding="utf-8-sig")
    return out, csv


def _storable(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable booleans stay nullable in the GeoPackage; other objects as text."""
    out = frame.copy()
    for column in out.columns:
        if column != getattr(out, "_geometry_column_name", None) and out[column].dtype == object:
            out[column] = out[column].map(
                lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            )
    return out
