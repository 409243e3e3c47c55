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
from geo.indicators import registry
from geo.indicators import targets as t
from geo.indicators.aggregate import add_ratios, aggregate_units
from geo.indicators.villages import empty_villages
from geo.reading.atomic import atomic_path
from geo.reading.formulas import defuse_formulas
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
FIBRE_COUNTS: Final = [s.HOUSEHOLDS, s.HOUSEHOLDS_FIBRE, s.HOUSEHOLDS_FIBRE_SUBSCRIBED]
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
    fibre: Path | tuple[Path, ...] | None = None  # several: for each commune the latest report wins
    teams: Path | tuple[Path, ...] | None = None
    targets: Path | None = None
    tables_vintage: str = "auto"
    sheet: str | None = None  # sheet of every Excel table (default: the first visible with a table)
    column_mapping: tuple[tuple[str, str], ...] = ()  # (header, field) for every table of the run

    def tables(self, kind: str) -> tuple[Path, ...]:
        """The fibre (``kind`` "fibre") or team ("teams") tables given, in order."""
        given = self.fibre if kind == s.FIBRE else self.teams
        if given is None:
            return ()
        return (Path(given),) if isinstance(given, (str, os.PathLike)) else tuple(map(Path, given))


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
    #: What the run chose or left out, one line each (sheets read, tables merged, sites outside …).
    notes: tuple[str, ...] = ()
    #: Enabled targets that no commune could be checked against, with why ("4G population coverage: …").
    not_evaluated: tuple[str, ...] = ()


def evaluate_targets(table: pd.DataFrame, config: t.Config) -> pd.DataFrame:
    """Add ``uncovered`` and ``uncovered_reasons`` from the enabled targets.

    A target is checked only where its indicator is known. ``uncovered`` is
    True when any enabled target fails, False when all that could be
    checked pass, and missing when none could be checked. The reasons are in
    English, the language of the file's machine columns
    (:func:`geo.indicators.registry.reason`); the app says them again in the
    reader's language (:mod:`geo.indicators.ranking`).
    """
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
                flag.fillna(True).to_numpy(), "", registry.reason(target, None, "en")
            )
            continue
        column = registry.deciding_indicator(target.name).column
        value = out[column] if column in out else pd.Series(np.nan, index=out.index)
        known |= value.notna()
        fails = value < target.min_pct
        failed[target.name] = [
            registry.reason(target, v, "en") if f else "" for v, f in zip(value, fails)
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


#: Target → (indicator column, what it needs, the inputs that give it).
TARGET_NEEDS: Final = {
    t.POP_4G: (s.PCT_POP_4G, "4G population coverage", "a population raster and a mobile input"),
    t.FIBRE_HOUSEHOLDS: (
        s.PCT_HOUSEHOLDS_FIBRE,
        "households with fibre",
        "a fibre table with households and households with fibre",
    ),
    t.FIBRE_TO_COMMUNE: (
        s.FIBRE_TO_COMMUNE,
        "fibre to the commune",
        "a fibre table with a yes/no column fibre reaches the commune or the village",
    ),
    t.VILLAGES_TEAM: (
        s.PCT_VILLAGES_TEAM,
        "villages with a team",
        "a team table per village, or with villages and villages with a team",
    ),
}


def unevaluated_targets(table: pd.DataFrame, config: t.Config, inputs: Inputs) -> tuple[str, ...]:
    """The enabled targets no commune could be checked against, each with what it needs and what was missing."""
    out = []
    for target in config.enabled:
        column, label, needs = TARGET_NEEDS[target.name]
        if column in table and table[column].notna().any():
            continue
        missing = _missing_input(target.name, inputs)
        out.append(f"{label}: not evaluated ({missing}; it needs {needs})")
    return tuple(out)


def _missing_input(target: str, inputs: Inputs) -> str:
    mobile = inputs.mobile_raster or inputs.mobile_polygons or inputs.mobile_sites
    if target == t.POP_4G:
        if inputs.population is None:
            return "no population raster was given"
        return "no mobile coverage input was given" if mobile is None else "no commune has a value"
    kind = s.TEAMS_INPUT if target == t.VILLAGES_TEAM else s.FIBRE
    if not inputs.tables(kind):
        return f"no {kind} table was given"
    return f"the {kind} table has no commune with the needed columns"


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


@dataclass(frozen=True)
class SitesRead:
    """The 4G sites of a site list, the rows not used or outside the boundaries, and a summary line."""

    sites: pd.DataFrame
    report: pd.DataFrame
    note: str


def read_mobile_sites(path: Path, communes: gpd.GeoDataFrame) -> SitesRead:
    """The 4G (LTE) sites of a BTS list; every other row counted in the report and the note.

    Raises
    ------
    InputError
        When the list holds no 4G site (2G, 3G and 5G/NR sites are not 4G).
    """
    from geo.indicators import coverage

    listed = coverage.read_site_list(path)
    sites = listed.of_technology(coverage.MOBILE_4G)
    counts = listed.counts()
    if sites.empty:
        raise InputError(
            f"site list {path} has no 4G (LTE) site to predict 4G coverage from; read {counts} "
            f"from column {listed.technology_column!r}; 2G (GSM), 3G (UMTS) and 5G (NR) sites are not 4G"
        )
    outside = coverage.sites_outside(listed.sites, communes)
    report = pd.concat([listed.report, outside], ignore_index=True).assign(table=path.name)
    technology = (
        f"technology from column {listed.technology_column!r}"
        if listed.technology_column
        else "no technology column: every site taken as 4G"
    )
    shown = ", ".join(f"{k} {v}" for k, v in counts.items())
    note = (
        f"site list {path.name}: {len(sites)} 4G sites used ({technology}; {shown}); "
        f"{len(outside)} sites outside the boundaries"
    )
    return SitesRead(sites=sites, report=report, note=note)


def mobile_indicators(
    inputs: Inputs, communes: gpd.GeoDataFrame, config: t.Config, workdir: Path
) -> tuple[pd.DataFrame, dict[str, str], SitesRead | None]:
    """Covered area and population per commune from whichever mobile input was given (and the sites read)."""
    from geo.indicators import coverage, zonal

    sources: dict[str, str] = {}
    raster, threshold = inputs.mobile_raster, inputs.mobile_threshold
    read = None
    if inputs.mobile_sites is not None:
        read = read_mobile_sites(inputs.mobile_sites, communes)
        raster = coverage.predict_rsrp(
            read.sites,
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
        return zonal.polygon_stats(communes, union, population=population), sources, read
    if raster is None:
        table = (
            zonal.population_stats(communes, population)
            if population is not None
            else pd.DataFrame(index=communes[s.COMMUNE_CODE])
        )
        return table, sources, read
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
    return table, sources, read


@dataclass(frozen=True)
class TablePart:
    """One fibre or team table in the boundaries' vintage: per-commune values, its report, date, villages, notes."""

    values: pd.DataFrame
    report: pd.DataFrame
    as_of: str
    villages: pd.DataFrame
    notes: tuple[str, ...]
    #: Field → header text of the columns read, and the headers no rule or mapping named.
    columns: dict[str, str] = dataclasses.field(default_factory=dict)
    unknown: tuple[str, ...] = ()
    #: Vintage tried → rows that matched one of its communes (the evidence of the vintage chosen).
    matched_rows: dict[str, int] = dataclasses.field(default_factory=dict)
    #: The vintage of the table's names (before it was moved to the boundaries').
    vintage: str = ""
    #: The sheet read ("" for a CSV).
    sheet: str = ""


def table_indicators(
    path: Path,
    boundaries: Boundaries,
    *,
    vintage: str,
    counts: list[str],
    population: Path | None,
    kind: str | None = None,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
) -> TablePart:
    """A fibre or team table read (refused when it cannot be of ``kind``), matched, moved to the boundaries' vintage."""
    from geo.indicators.counts import match_table
    from geo.indicators.villages import place_villages
    from geo.reading.isolate import read_isolated
    from geo.reading.tables import read_table

    # In a child process with a memory cap and a time limit (geo.reading.isolate).
    read = read_isolated(read_table, path, sheet=sheet, mapping=mapping, kind=kind, what=str(path))
    matched = match_table(read, vintage=vintage)  # type: ignore[arg-type]
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
        table = _converted(table, boundaries, present=present, flags=flags, population=population)
    report = matched.report.assign(table=path.name)
    notes = tuple(f"{path.name}: {note}" for note in read.notes)
    return TablePart(
        table,
        report,
        matched.as_of,
        villages,
        notes,
        columns=read.columns,
        unknown=read.unknown,
        matched_rows=matched.matched_rows,
        vintage=matched.vintage,
        sheet=read.sheet,
    )


def _converted(
    table: pd.DataFrame,
    boundaries: Boundaries,
    *,
    present: list[str],
    flags: list[str],
    population: Path | None,
) -> pd.DataFrame:
    """Per-commune values of the other vintage shared out to the boundaries' communes."""
    from geo.indicators import convert

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
    return convert.share_counts(
        table,
        convert.pair_weights(pairs, measure=measure, method=method),
        counts=present,
        flags=flags,
    )


@dataclass(frozen=True)
class KindTables:
    """Every table of one kind merged: per-commune values with ``as_of`` and ``source``, and what was read."""

    values: pd.DataFrame
    reports: list[pd.DataFrame]
    villages: pd.DataFrame
    notes: list[str]
    as_of: str


def kind_tables(inputs: Inputs, boundaries: Boundaries, name: str, counts: list[str]) -> KindTables:
    """Read the ``name`` tables of ``inputs`` one after the other; per commune the latest report date wins."""
    from geo.indicators.counts import SOURCE, merge_latest

    paths = inputs.tables(name)
    twice = sorted({p.name for p in paths if paths.count(p) > 1})
    if twice:
        raise InputError(f"{name} table {twice} given more than once; give each table once")
    merged: pd.DataFrame | None = None
    reports, villages, notes, dates = [], [], [], []
    for path in paths:
        part = table_indicators(
            path,
            boundaries,
            vintage=inputs.tables_vintage,
            counts=counts,
            population=inputs.population,
            kind=name,
            sheet=inputs.sheet,
            mapping=dict(inputs.column_mapping),
        )
        part_values = _renamed(part.values, name).assign(as_of=part.as_of, **{SOURCE: path.name})
        if merged is None:
            merged = part_values
        else:
            merge = merge_latest(merged, part_values)
            merged = merge.communes
            notes.append(
                f"{name} table {path.name} (as of {part.as_of}): {len(merge.updated)} communes updated, "
                f"{len(merge.kept)} kept values of a later report"
            )
        reports.append(part.report)
        villages.append(part.villages)
        notes.extend(part.notes)
        dates.append(part.as_of)
    placed = winning_villages(villages, merged)
    return KindTables(merged, reports, placed, notes, max(dates, key=lambda d: d[:10]))


def _renamed(values: pd.DataFrame, name: str) -> pd.DataFrame:
    return values.rename(
        columns={
            s.CONVERSION_METHOD: f"{s.CONVERSION_METHOD}_{name}",
            s.CONVERSION_WEIGHTS: f"{s.CONVERSION_WEIGHTS}_{name}",
        }
    )


def winning_villages(villages: list[pd.DataFrame], merged: pd.DataFrame) -> pd.DataFrame:
    """The villages of the table each commune's values came from (all of them for one table)."""
    from geo.indicators.counts import SOURCE

    if len(villages) == 1:
        return villages[0]
    frames = [v for v in villages if len(v)]
    if not frames:
        return villages[0]
    every = pd.concat(frames, ignore_index=True)
    winner = every[s.COMMUNE_CODE].map(merged[SOURCE])
    keep = winner.isna() | (winner == every["table"])
    return every[keep.to_numpy()].reset_index(drop=True)


def build_indicators(inputs: Inputs) -> IndicatorResult:
    """Run the whole pipeline (see the module docstring) and return the three layers and the report."""
    config = t.read_config(inputs.targets)
    boundaries = read_boundaries(inputs.boundaries)
    communes = boundaries.communes
    with tempfile.TemporaryDirectory(prefix="indicators-") as workdir:
        mobile, sources, read = mobile_indicators(inputs, communes, config, Path(workdir))
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
    reports = [read.report] if read is not None else []
    notes = [read.note] if read is not None else []
    villages = empty_villages()
    per_commune: dict[str, pd.DataFrame] = {}
    for name, counts in ((s.FIBRE, FIBRE_COUNTS), (s.TEAMS_INPUT, TEAM_COUNTS)):
        if not inputs.tables(name):
            continue
        merged = kind_tables(inputs, boundaries, name, counts)
        per_commune[name] = merged.values[["as_of", "source"]]
        table = table.join(merged.values.drop(columns=["as_of", "source"]), how="left")
        sources[name] = "; ".join(p.name for p in inputs.tables(name))
        as_of[name] = merged.as_of
        reports.extend(merged.reports)
        notes.extend(merged.notes)
        if name == s.TEAMS_INPUT:  # the villages the planners follow up are those of the team table
            villages = merged.villages
    table = evaluate_targets(add_ratios(_with_all_columns(table)), config)
    for name in s.INPUTS:
        table[s.source_column(name)] = sources.get(name)
        table[s.as_of_column(name)] = as_of.get(name)
        if name in per_commune:  # each commune: the table its values came from
            own = per_commune[name].reindex(table.index)
            table[s.source_column(name)] = own["source"].fillna(sources[name])
            table[s.as_of_column(name)] = own["as_of"].fillna(as_of[name])
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
        notes=tuple(notes),
        not_evaluated=unevaluated_targets(table, config, inputs),
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
        table[s.DISTRICT_CODE] = former_districts(communes, boundaries)
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


def former_districts(communes: gpd.GeoDataFrame, boundaries: Boundaries) -> pd.Series:
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
        defuse_formulas(result.report).to_csv(report_csv, index=False, encoding="utf-8-sig")
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
