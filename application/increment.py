"""Uploaded fibre and team tables applied to data already computed: only what a table changes is redone.

The app's default data (:func:`application.display.display_data`) takes a
national build: mobile coverage and population measured commune by commune,
every table read and matched, polygons dissolved and simplified. A table a
planner uploads changes none of that but its own communes' values, so
:func:`with_uploads` reads and matches the uploaded table only
(:func:`geo.indicators.build.table_indicators`), merges it into the values on
screen (:func:`geo.indicators.counts.merge_latest`: for each commune the latest
report date wins, every other commune keeps its values, date and source), and
rebuilds from those values the ratios, the targets, the district and province
roll-ups and the legacy layers, on the geometry already prepared for the browser.
The result is what :func:`geo.indicators.build.build_indicators` computes with
the upload as one more table of its kind (a test holds the two equal).

What depends on the boundaries alone (the communes read, their former
districts, the legacy conversion weights) is computed once per boundaries
file and kept in memory (:func:`boundary_context`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from application.app_data import (
    CODE_ROOTS,
    cache_limit_bytes,
    code_digest,
    default_cache_dir,
    prune_cache,
)
from application.display import DisplayData, latest_date
from geo import schema as s
from geo.indicators import convert
from geo.indicators import targets as t
from geo.indicators.aggregate import COUNTS, RATIOS, add_ratios, aggregate_units
from geo.indicators.build import (
    FIBRE_COUNTS,
    TEAM_COUNTS,
    Boundaries,
    Inputs,
    TablePart,
    evaluate_targets,
    former_districts,
    read_boundaries,
    table_indicators,
    winning_villages,
)
from geo.indicators.counts import SOURCE, merge_latest
from geo.reading.atomic import atomic_path

#: Columns of each kind of table a commune takes from the table that wins it.
KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    s.FIBRE: (*FIBRE_COUNTS, s.FIBRE_TO_COMMUNE),
    s.TEAMS_INPUT: tuple(TEAM_COUNTS),
}
_TARGET_COLUMNS = (s.UNCOVERED, s.UNCOVERED_REASONS)


@dataclass(frozen=True)
class TableUpload:
    """One uploaded table and the choices it is read with.

    Attributes
    ----------
    kind
        ``fibre`` or ``teams``.
    path
        Where the upload was saved (its name is the uploaded file's name).
    digest
        SHA-256 of its bytes: what the upload is known by.
    sheet, mapping, vintage
        The sheet read (None: the first visible one with a table), header → field, and the
        register its names are of (``auto``, ``2025``, ``legacy``).
    """

    kind: str
    path: Path
    digest: str
    sheet: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()
    vintage: str = "auto"

    @property
    def name(self) -> str:
        """The uploaded file's name."""
        return self.path.name


@dataclass(frozen=True)
class TableChange:
    """What one upload changed: the communes it updated, those it left to a later report, where.

    Attributes
    ----------
    upload
        The upload.
    updated, kept
        Codes of the communes whose values now come from the upload / that kept a later report's values.
    provinces
        Names of the provinces of the updated communes, sorted.
    report
        The rows of the upload not counted (``source_row``, ``outcome``, ``reason``, names).
    as_of
        The upload's report date.
    """

    upload: TableUpload
    updated: tuple[str, ...]
    kept: tuple[str, ...]
    provinces: tuple[str, ...]
    report: pd.DataFrame
    as_of: str


@dataclass(frozen=True)
class BoundaryContext:
    """What depends on the boundaries file only: its communes, their former districts, the legacy weights."""

    boundaries: Boundaries
    districts: pd.Series  # 2025 commune code → legacy district code (for the 2025 district layer)
    legacy_weights: pd.DataFrame | None  # 2025 → legacy conversion weights (None: no legacy layer)


def boundary_context(path: Path, *, cache_dir: Path | None = None) -> BoundaryContext:
    """The :class:`BoundaryContext` of a boundaries file, computed once per file version.

    Kept in memory, and pickled beside the indicators' cache
    (:func:`application.app_data.default_cache_dir`) so that a new server
    process does not compute it again: the key holds the file's path, size and
    modification time and the code's digest, as the indicators' key does.
    """
    stat = path.stat()
    folder = str(cache_dir or default_cache_dir())
    return _context(str(path.resolve()), stat.st_size, stat.st_mtime_ns, folder)


@lru_cache(maxsize=4)
def _context(path: str, size: int, mtime_ns: int, folder: str) -> BoundaryContext:
    key = f"{path}:{size}:{mtime_ns}:{code_digest(CODE_ROOTS)}"
    cached = Path(folder) / f"context-{hashlib.sha256(key.encode()).hexdigest()[:24]}.pkl"
    if cached.is_file():
        os.utime(cached)  # most recently used
        with cached.open("rb") as stream:
            return pickle.load(stream)  # noqa: S301 (our own cache file)
    context = _computed_context(Path(path))
    with atomic_path(cached) as staging:
        with staging.open("wb") as stream:
            pickle.dump(context, stream, protocol=pickle.HIGHEST_PROTOCOL)
    prune_cache(Path(folder), max_bytes=cache_limit_bytes(), keep=cached)
    return context


def forget_contexts() -> None:
    """Drop the contexts kept in memory (the next one is read from the disk cache, as a new process does)."""
    _context.cache_clear()


def _computed_context(path: Path) -> BoundaryContext:
    boundaries = read_boundaries(path)
    communes = boundaries.communes.set_index(s.COMMUNE_CODE, drop=False)
    districts = former_districts(boundaries.communes, boundaries)
    districts.index = communes.index
    weights = None
    if boundaries.other is not None and boundaries.vintage == s.VINTAGE_2025:
        pairs = convert.crosswalk_pairs("to_legacy")
        measure = convert.overlap_measure(pairs, boundaries.communes, boundaries.other)
        weights = convert.pair_weights(pairs, measure=measure, method=convert.AREA)
    return BoundaryContext(boundaries=boundaries, districts=districts, legacy_weights=weights)


def can_apply(base: DisplayData) -> bool:
    """Whether uploads can be applied to ``base`` here: its legacy layers were moved from the 2025 communes.

    When the boundaries hold real legacy polygons (a planner's legacy import),
    the legacy layers are computed on them by the whole pipeline instead.
    """
    return not base.status[s.VINTAGE_LEGACY].n_real


def with_tables(inputs: Inputs, uploads: tuple[TableUpload, ...]) -> Inputs:
    """``inputs`` with the uploads after the default tables of their kind, for the whole pipeline.

    The pipeline reads every table with one sheet, mapping and register: those of
    the uploads when they all chose the same, else its defaults.
    """
    added = {
        kind: (*inputs.tables(kind), *(u.path for u in uploads if u.kind == kind))
        for kind in (s.FIBRE, s.TEAMS_INPUT)
    }
    choices = {(u.sheet, u.mapping, u.vintage) for u in uploads}
    sheet, mapping, vintage = choices.pop() if len(choices) == 1 else (None, (), "auto")
    return replace(
        inputs,
        fibre=added[s.FIBRE] or None,
        teams=added[s.TEAMS_INPUT] or None,
        sheet=sheet,
        column_mapping=mapping,
        tables_vintage=vintage,
    )


def read_upload(
    upload: TableUpload, context: BoundaryContext, population: Path | None
) -> TablePart:
    """The upload read, matched and moved to the boundaries' vintage (raises what the reader raises)."""
    counts = FIBRE_COUNTS if upload.kind == s.FIBRE else TEAM_COUNTS
    return table_indicators(
        upload.path,
        context.boundaries,
        vintage=upload.vintage,
        counts=list(counts),
        population=population,
        kind=upload.kind,
        sheet=upload.sheet,
        mapping=dict(upload.mapping),
    )


def with_uploads(
    base: DisplayData,
    uploads: tuple[TableUpload, ...],
    parts: tuple[TablePart, ...],
    context: BoundaryContext,
) -> tuple[DisplayData, tuple[TableChange, ...]]:
    """``base`` with each upload merged in, in order (see the module docstring), and what each changed.

    Parameters
    ----------
    base
        The data of the default inputs (and of an uploaded boundary file), as on screen.
    uploads, parts
        The uploads and what :func:`read_upload` made of each.
    context
        Of the boundaries ``base`` was computed on.
    """
    communes = base.layer(s.VINTAGE_2025, "commune").table.set_index(s.COMMUNE_CODE, drop=False)
    changes, villages = [], [base.villages]
    for upload, part in zip(uploads, parts):
        communes, change = _merged(communes, upload, part)
        changes.append(change)
        if upload.kind == s.TEAMS_INPUT:
            villages.append(part.villages)
    communes = evaluate_targets(add_ratios(communes), base.config)
    layers = dict(base.layers)
    layers["2025/commune"] = _with_table(base, "2025/commune", communes.reset_index(drop=True))
    with_districts = communes.assign(**{s.DISTRICT_CODE: context.districts.reindex(communes.index)})
    for level, by in (("district", s.DISTRICT_CODE), ("province", s.PROVINCE_CODE)):
        layers[f"2025/{level}"] = _rolled_up(base, f"2025/{level}", with_districts, by)
    if context.legacy_weights is not None:
        layers.update(_legacy(base, communes, context.legacy_weights, base.config))
    sources = pd.concat([base.sources, _source_rows(changes)], ignore_index=True)
    report = pd.concat([base.report, *(p.report for p in parts)], ignore_index=True)
    data = replace(
        base,
        layers=layers,
        sources=sources,
        report=report,
        as_of=latest_date(sources),
        villages=_villages(villages, communes),
    )
    return data, tuple(changes)


def _merged(
    communes: pd.DataFrame, upload: TableUpload, part: TablePart
) -> tuple[pd.DataFrame, TableChange]:
    """The commune table with one upload's communes taking its values where its date is not older."""
    kind = upload.kind
    as_of, source = s.as_of_column(kind), s.source_column(kind)
    extra = [f"{s.CONVERSION_METHOD}_{kind}", f"{s.CONVERSION_WEIGHTS}_{kind}"]
    columns = [c for c in (*KIND_COLUMNS[kind], *extra) if c in communes or c in part.values]
    present = [c for c in columns if c in communes]
    known = (
        communes[present].notna().any(axis=1) if present else pd.Series(False, index=communes.index)
    )
    current = communes.loc[known, present].assign(
        as_of=communes.loc[known, as_of], **{SOURCE: communes.loc[known, source]}
    )
    values = part.values.rename(
        columns={s.CONVERSION_METHOD: extra[0], s.CONVERSION_WEIGHTS: extra[1]}
    )
    update = values[values.index.isin(communes.index)].assign(
        as_of=part.as_of, **{SOURCE: upload.name}
    )
    merge = merge_latest(current, update)
    out = communes.copy()
    won = merge.communes.loc[merge.updated].reindex(columns=columns)
    for column in columns:
        if column not in out:
            out[column] = (
                pd.array([pd.NA] * len(out), dtype="boolean")
                if column == s.FIBRE_TO_COMMUNE
                else None
            )
        out.loc[merge.updated, column] = won[column].to_numpy()
    out.loc[merge.updated, as_of] = part.as_of
    out.loc[merge.updated, source] = upload.name
    provinces = out.loc[merge.updated, s.PROVINCE_NAME].dropna().astype(str).unique()
    change = TableChange(
        upload=upload,
        updated=tuple(map(str, merge.updated)),
        kept=tuple(map(str, merge.kept)),
        provinces=tuple(sorted(provinces)),
        report=part.report,
        as_of=part.as_of,
    )
    return out, change


def _with_table(base: DisplayData, key: str, table: pd.DataFrame) -> object:
    """The display layer ``key`` of ``base`` with new values (the same rows, in the same order)."""
    unit = base.layers[key]
    table = table.reset_index(drop=True)
    if not table["code"].equals(unit.table["code"]):
        raise ValueError(f"{key}: the updated table's rows are not those of the layer on screen")
    return dataclasses.replace(unit, table=_ordered(table, unit.table))


def _ordered(table: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the columns of ``old`` first, in their order, then any new one."""
    return table[[c for c in old.columns if c in table] + [c for c in table if c not in old]]


def _value_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in (s.N_COMMUNES, *COUNTS, *RATIOS, *_TARGET_COLUMNS) if c in table]


def _rolled_up(base: DisplayData, key: str, communes: pd.DataFrame, by: str) -> object:
    """A district or province layer of ``base`` with its values summed again from ``communes``."""
    values = aggregate_units(communes.reset_index(drop=True), by)
    old = base.layers[key].table
    table = old.drop(columns=[c for c in values.columns if c in old]).join(values, on=by)
    return _with_table(base, key, table)


def _legacy(
    base: DisplayData, communes: pd.DataFrame, weights: pd.DataFrame, config: t.Config
) -> dict[str, object]:
    """The legacy layers with the 2025 values moved again (as :func:`application.app_data.legacy_layers`)."""
    counts = [
        c
        for c in COUNTS
        if c in communes and c not in (s.N_UNCOVERED, s.COMMUNES_WITH_FIBRE, s.COMMUNES_FIBRE_KNOWN)
    ]
    table = communes.set_index(s.COMMUNE_CODE)
    moved = convert.share_counts(table, weights, counts=counts, flags=[s.FIBRE_TO_COMMUNE])
    old = base.layers["legacy/commune"].table
    kept = old.drop(columns=[c for c in (*moved.columns, *_value_columns(old)) if c in old])
    joined = evaluate_targets(add_ratios(kept.join(moved, on=s.COMMUNE_CODE)), config)
    out = {"legacy/commune": _with_table(base, "legacy/commune", joined)}
    for level, by in (("district", s.DISTRICT_CODE), ("province", s.PROVINCE_CODE)):
        out[f"legacy/{level}"] = _rolled_up(base, f"legacy/{level}", joined, by)
    return out


def _source_rows(changes: list[TableChange]) -> pd.DataFrame:
    rows = [
        {"input": c.upload.kind, "file": c.upload.name, "as_of": c.as_of, "demo": False}
        for c in changes
    ]
    return pd.DataFrame(rows, columns=["input", "file", "as_of", "demo"])


def _villages(villages: list[pd.DataFrame], communes: pd.DataFrame) -> pd.DataFrame:
    """The villages of the team table each commune's values now come from."""
    if len(villages) == 1:
        return villages[0]
    winners = communes[[s.source_column(s.TEAMS_INPUT)]].rename(
        columns={s.source_column(s.TEAMS_INPUT): SOURCE}
    )
    return winning_villages(villages, winners)
