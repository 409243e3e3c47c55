"""Import a planner's commune boundaries: read, decode, place, repair, match, report.

``import_boundaries`` is the one call the command line and the app's upload
page make. It chains the modules that each do one thing:

    geo.reading.read (file → frame)  →  geo.reading.encoding (text → NFC)
    →  geo.reading.crs_inference (CRS → WGS 84)  →  geometry repair
    →  geo.importing.matching (rows → register codes)  →  dissolve duplicates
    →  overlaps and gaps  →  ImportResult

and ``write_import`` writes the result atomically: ``OUT.gpkg`` with layers
``communes`` and ``report``, and ``OUT.report.csv`` (UTF-8 with BOM).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.errors import GEOSException

from geo import schema as s
from geo.errors import InputError, MatchError
from geo.importing import matching
from geo.importing.levels import check_commune_level
from geo.importing.matching import ProvinceScope, province_scope
from geo.importing.parts import flag_parts
from geo.reading.atomic import atomic_path
from geo.reading.crs_inference import CentroidReference, CRSChoice, apply_crs, choose_crs
from geo.reading.encoding import TextDecoding, fix_text_columns
from geo.reading.formulas import defuse_formulas
from geo.reading.isolate import read_isolated
from geo.reading.read import RAW_ENCODING, SourceLayer, read_source
from geo.reading.repair import (
    GRID_DEGREES,
    GRID_METRES,
    polygonal,
    union_polygons,
    valid_polygons,
)
from geo.reference.names import name_key

Scheme = Literal["auto", "2025", "legacy"]
DROPPED_EMPTY: Final = "dropped-empty"
DROPPED_NOT_POLYGON: Final = (
    "dropped-not-polygon"  # points and lines in a polygon layer: reported, not imported
)
GAP_MAX_KM2: Final = 1.0  # holes in the coverage smaller than this are gaps; larger ones may be lakes or missing communes
GAP_MIN_KM2: Final = 1e-6  # holes under 1 m² are floating-point slivers, not gaps
LAYER_COMMUNES: Final = "communes"
LAYER_REPORT: Final = "report"
FEATURE: Final = "feature"
GEOMETRY_NOTE: Final = "geometry_note"
OVERLAP_KM2: Final = "overlap_km2"

REPORT_COLUMNS: Final = (
    FEATURE,
    matching.SOURCE_NAME,
    matching.SOURCE_CODE,
    matching.OUTCOME,
    s.COMMUNE_CODE,
    s.COMMUNE_NAME,
    s.PROVINCE_CODE,
    matching.METHOD,
    matching.SCORE,
    matching.DISTANCE_M,
    matching.CANDIDATES,
    matching.REASON,
    GEOMETRY_NOTE,
)


@dataclass(frozen=True)
class ImportOptions:
    """How to read the file; every field has the CLI flag of the same name.

    Attributes
    ----------
    scheme
        Register vintage: "2025", "legacy", or "auto" (whichever matches more).
    crs
        CRS of the coordinates (e.g. "EPSG:9209"), overriding .prj and inference.
    province
        Province the data is for (code or name); restricts matching and picks the TM-3 meridian.
    code_column, name_column
        Input columns holding the commune code / name (detected from values when None).
    encoding
        Text encoding of the attribute table (detected per column when None).
    layer
        Layer or archive member to read when the file has several.
    """

    scheme: Scheme = "auto"
    crs: str | None = None
    province: str | None = None
    code_column: str | None = None
    name_column: str | None = None
    encoding: str | None = None
    layer: str | None = None


@dataclass(frozen=True)
class GeometryQA:
    """What was done to the geometry and what the coverage looks like (areas in km²)."""

    n_repaired: int = 0
    n_dropped_empty: int = 0
    n_dropped_not_polygon: int = 0
    overlap_km2: float = 0.0
    n_overlapping_pairs: int = 0
    gap_km2: float = 0.0
    n_gaps: int = 0
    n_repaired_after_reprojection: int = 0  # valid in WGS 84, invalid in the equal-area CRS
    failures: tuple[str, ...] = ()  # measurements GEOS could not make, with its message

    def overlaps_text(self) -> str:
        """``overlaps X km² in N pairs; gaps Y km² in M holes``, or what could not be measured."""
        overlaps = (
            f"overlaps {self.overlap_km2:.3f} km² in {self.n_overlapping_pairs} pairs"
            if np.isfinite(self.overlap_km2)
            else "overlaps not measured"
        )
        gaps = (
            f"gaps {self.gap_km2:.3f} km² in {self.n_gaps} holes"
            if np.isfinite(self.gap_km2)
            else "gaps not measured"
        )
        return f"{overlaps}; {gaps}"


@dataclass(frozen=True)
class ImportResult:
    """Everything an import produced.

    Attributes
    ----------
    communes
        One row per matched commune (duplicates dissolved), EPSG:4326 MultiPolygons.
    report
        One row per input feature: outcome, candidates, reason.
    crs
        The CRS choice and its evidence.
    encoding
        How the text was decoded ("as read", "tcvn3", "vni", "cp1258", …).
    scheme
        The register vintage matched against.
    source
        Path, layer and driver read.
    qa
        Geometry repairs, overlaps and gaps.
    scheme_evidence
        Matches per vintage when the scheme was detected.
    """

    communes: gpd.GeoDataFrame
    report: pd.DataFrame
    crs: CRSChoice
    encoding: str
    scheme: s.Vintage
    source: str
    qa: GeometryQA
    scheme_evidence: str = ""
    columns: matching.MatchColumns = field(default_factory=matching.MatchColumns)
    notes: tuple[str, ...] = ()  # what the reader noticed (Z/M dropped, GDAL warnings)
    scope: str = ""  # the provinces --province means, in both vintages

    @property
    def n_features(self) -> int:
        """Input features, including the ones dropped as empty."""
        return len(self.report)

    @property
    def n_matched(self) -> int:
        """Input features that ended in a commune (matched, or dissolved into one)."""
        return int(self.report[matching.OUTCOME].isin([matching.MATCHED, matching.DISSOLVED]).sum())

    def summary_lines(self) -> list[str]:
        """What the command line prints; the last line is ``matched N of M features (P%)``."""
        share = 100.0 * self.n_matched / self.n_features if self.n_features else 0.0
        outcomes = self.report[matching.OUTCOME].value_counts()
        qa = self.qa
        return [
            f"read {self.source}",
            f"columns: name={self.columns.name!r} code={self.columns.code!r} district={self.columns.district!r}; text: {self.encoding}",
            *([f"columns weighed: {self.columns.weighed}"] if self.columns.unsure else []),
            *([f"province: {self.scope}"] if self.scope else []),
            f"crs: {self.crs.label} ({self.crs.source}): {self.crs.evidence}",
            f"scheme: {self.scheme} {self.scheme_evidence}".rstrip(),
            "outcomes: " + ", ".join(f"{k} {v}" for k, v in outcomes.items()),
            f"geometry: {qa.n_repaired} repaired, {qa.n_dropped_empty} dropped empty, {qa.n_dropped_not_polygon} dropped "
            f"not polygon{self._kinds_dropped()}; {qa.overlaps_text()}",
            *(
                [
                    f"note: {qa.n_repaired_after_reprojection} shapes valid in WGS 84 were repaired "
                    "again for the overlap/gap measurement in an equal-area CRS"
                ]
                if qa.n_repaired_after_reprojection
                else []
            ),
            *(f"note: geometry check failed: {failure}" for failure in qa.failures),
            *(f"note: {note}" for note in self.notes),
            f"matched {self.n_matched} of {self.n_features} features ({share:.1f}%)",
        ]

    def _kinds_dropped(self) -> str:
        """The non-polygon features dropped, as " (LineString 1, Point 2)", else ""."""
        notes = self.report.loc[self.report[matching.OUTCOME] == DROPPED_NOT_POLYGON, GEOMETRY_NOTE]
        counts = notes.str.split().str[-1].value_counts().sort_index()
        return (
            " (" + ", ".join(f"{kind} {n}" for kind, n in counts.items()) + ")"
            if len(counts)
            else ""
        )


def import_boundaries(
    path: str | Path, *, options: ImportOptions = ImportOptions()
) -> ImportResult:
    """Read ``path`` and match its features to the register (see the module docstring).

    Raises
    ------
    InputError, CRSError, MatchError
        When the file cannot be used; the message names the problem and the fix.
    """
    scope = province_scope(options.province) if options.province else None
    # In a child process with a memory cap and a time limit: a hostile file cannot take this process down.
    source = read_isolated(read_source, path, layer=options.layer, what=str(path))
    text = _decode_text(source, options)
    frame = gpd.GeoDataFrame(text.frame, geometry=source.frame.geometry.name, crs=source.frame.crs)
    frame, notes = _drop_empty(frame)
    columns = _columns_for_crs(frame, options)
    crs = _choose_crs(frame, source, columns, options, scope)
    placed, repaired = _repair(apply_crs(frame, crs))
    check_commune_level(placed, columns, path=str(source.path))
    repaired = repaired.reindex(notes.index)
    notes = notes.mask(notes.eq("") & repaired.notna(), repaired)
    result, evidence = _match(placed, options, scope)
    communes = _dissolve(placed, result)
    qa = _measure(communes, notes)
    report = _report(source.frame.index, result, notes)
    return ImportResult(
        communes=communes,
        report=report,
        crs=crs,
        encoding=_text_encoding(text, result.columns),
        scheme=result.vintage,
        source=f"{source.path} (layer {source.layer!r}, {source.driver}, {len(source.frame)} features)",
        qa=qa,
        scheme_evidence=evidence,
        columns=result.columns,
        notes=source.notes,
        scope=scope.describe() if scope else "",
    )


def _text_encoding(text: TextDecoding, columns: matching.MatchColumns) -> str:
    """How the text was decoded, said of the name column when it was decoded differently."""
    by_column = {d.column: d.encoding for d in text.columns}
    used = by_column.get(columns.name)
    if used is not None and used != text.encoding:
        return f"{text.encoding}; names ({columns.name!r}) decoded as {used}"
    return text.encoding


def _decode_text(source: SourceLayer, options: ImportOptions) -> TextDecoding:
    attributes = pd.DataFrame(source.frame.drop(columns=source.frame.geometry.name))
    decoded = fix_text_columns(
        attributes,
        raw=source.text_encoding == RAW_ENCODING,
        declared=source.declared_encoding,
        forced=options.encoding,
        known_keys=matching.known_name_keys(),
    )
    frame = decoded.frame.assign(**{source.frame.geometry.name: source.frame.geometry})
    return TextDecoding(frame=frame, columns=decoded.columns)


def _drop_empty(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Keep the polygonal part of each feature; features with none are dropped and noted.

    The note is ``dropped-empty`` for an empty geometry and ``dropped-not-polygon KIND``
    (e.g. ``Point``) for a point or line: a planner's layer sometimes carries office
    points or road lines beside the commune polygons.
    """
    polygons = [polygonal(g) for g in frame.geometry.array]
    kept = pd.Series([p is not None for p in polygons], index=frame.index)
    empty = frame.geometry.isna() | frame.geometry.is_empty
    kinds = frame.geometry.geom_type.fillna("").map(lambda kind: f"{DROPPED_NOT_POLYGON} {kind}")
    notes = pd.Series("", index=frame.index).where(kept, kinds.where(~empty, DROPPED_EMPTY))
    frame = frame.set_geometry(gpd.GeoSeries(polygons, index=frame.index, crs=frame.crs))
    if not kept.any():
        raise InputError(
            "every feature of the file has an empty or non-polygon geometry; export the commune polygons again"
        )
    return frame[kept.to_numpy()], notes


def _columns_for_crs(frame: gpd.GeoDataFrame, options: ImportOptions) -> matching.MatchColumns:
    """Name/code columns found against either vintage (the scheme is not known yet)."""
    vintages = [options.scheme] if options.scheme != "auto" else [s.VINTAGE_2025, s.VINTAGE_LEGACY]
    found = [
        matching.detect_columns(frame, v, name=options.name_column, code=options.code_column)
        for v in vintages
    ]
    return max(found, key=lambda c: (c.name is not None) + (c.code is not None))


def _choose_crs(
    frame: gpd.GeoDataFrame,
    source: SourceLayer,
    columns: matching.MatchColumns,
    options: ImportOptions,
    scope: ProvinceScope | None,
) -> CRSChoice:
    names = codes = None
    if columns.name is not None:
        names = (
            frame[columns.name]
            .map(lambda v: name_key(v) if isinstance(v, str) else "")
            .reset_index(drop=True)
        )
    if columns.code is not None:
        codes = frame[columns.code].map(matching.pad_code).reset_index(drop=True)
    return choose_crs(
        frame,
        declared=source.crs_declared,
        reference=_reference(),
        forced=options.crs,
        names=names,
        codes=codes,
        province_code=_legacy_province(scope),
        driver=source.driver,
        columns={"code": columns.code, "name": columns.name},
        given=frozenset(
            kind
            for kind, option in (("code", options.code_column), ("name", options.name_column))
            if option is not None
        ),
    )


@cache
def _reference() -> CentroidReference:
    """Official centroids of both vintages (built once per process, read-only)."""
    both = pd.concat(
        [matching.register_keys(v) for v in (s.VINTAGE_2025, s.VINTAGE_LEGACY)], ignore_index=True
    )
    return CentroidReference.from_register(both, key_column=matching.NAME_KEY)


def _legacy_province(scope: ProvinceScope | None) -> str | None:
    """The one legacy province named (its TM-3 meridian applies), else None."""
    if scope is None:
        return None
    for codes in (scope.named_legacy, scope.legacy):
        if len(codes) == 1:
            return next(iter(codes))
    return None


def _repair(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Repair invalid rings (shapely.make_valid) in WGS 84, keep polygon parts, make every geometry a MultiPolygon."""
    polygons, invalid = valid_polygons(frame.geometry.to_numpy())
    notes = pd.Series(np.where(invalid, "repaired (make_valid)", ""), index=frame.index)
    empty = pd.Series([p is None for p in polygons], index=frame.index)
    notes[empty] = DROPPED_EMPTY
    out = frame.set_geometry(gpd.GeoSeries(polygons, index=frame.index, crs=frame.crs))
    return out[~empty.to_numpy()], notes


def _match(
    frame: gpd.GeoDataFrame, options: ImportOptions, scope: ProvinceScope | None
) -> tuple[matching.MatchResult, str]:
    vintages = [options.scheme] if options.scheme != "auto" else [s.VINTAGE_2025, s.VINTAGE_LEGACY]
    results = []
    for vintage in vintages:
        columns = matching.detect_columns(
            frame, vintage, name=options.name_column, code=options.code_column
        )
        codes = scope.codes(vintage) if scope else None
        results.append(
            matching.match_communes(frame, vintage, columns=columns, province_codes=codes)
        )
    best = max(
        results,
        key=lambda r: (
            r.table[matching.SCORE].where(r.table[matching.OUTCOME] == matching.MATCHED).sum(),
            r.n_matched,
        ),
    )
    if best.n_matched == 0:
        raise MatchError(_no_match_message(best, vintages, options))
    evidence = (
        ""
        if len(results) == 1
        else "(detected: " + ", ".join(f"{r.vintage} matches {r.n_matched}" for r in results) + ")"
    )
    return best, evidence


def _no_match_message(
    best: matching.MatchResult, vintages: list[str], options: ImportOptions
) -> str:
    """Why nothing matched, and only the advice the user has not followed yet."""
    columns = best.columns
    used = (f"name column {columns.name!r}" if columns.name else "no name column") + (
        f", code column {columns.code!r}" if columns.code else ", no code column"
    )
    advice = [
        flag
        for flag, given in (
            ("--name-column", options.name_column),
            ("--code-column", options.code_column),
            ("--scheme", options.scheme != "auto"),
            ("--province", options.province),
        )
        if not given
    ]
    reasons = best.table[matching.REASON].value_counts().head(2).index.tolist()
    return (
        f"no feature matched a commune of the {' or '.join(vintages)} register ({used}; "
        f"{columns.weighed}); most common reasons: {'; '.join(reasons)}"
        + (f"; check or pass {', '.join(advice)}" if advice else "; check the values given")
    )


def _dissolve(frame: gpd.GeoDataFrame, result: matching.MatchResult) -> gpd.GeoDataFrame:
    """One MultiPolygon per matched commune: duplicate pieces are unioned into it."""
    table = result.table
    kept = table[table[matching.OUTCOME].isin([matching.MATCHED, matching.DISSOLVED])]
    pieces = gpd.GeoDataFrame(
        kept, geometry=frame.geometry.reindex(kept.index).array, crs=frame.crs
    )
    winners = kept[kept[matching.OUTCOME] == matching.MATCHED].set_index(s.COMMUNE_CODE)
    geometry = pieces.groupby(s.COMMUNE_CODE)["geometry"].agg(
        lambda g: union_polygons(g.to_numpy(), grid_size=GRID_DEGREES) if len(g) > 1 else g.iloc[0]
    )
    columns = [s.COMMUNE_CODE, s.COMMUNE_NAME, s.COMMUNE_TYPE, s.PROVINCE_CODE, s.PROVINCE_NAME]
    if result.vintage == s.VINTAGE_LEGACY:
        columns[3:3] = [s.DISTRICT_CODE, s.DISTRICT_NAME]
    communes = winners.reset_index()[
        [*columns, matching.SOURCE_NAME, matching.METHOD, matching.SCORE]
    ]
    out = gpd.GeoDataFrame(
        communes, geometry=geometry.reindex(communes[s.COMMUNE_CODE]).array, crs=s.WGS84
    )
    return flag_parts(out, result.vintage).sort_values(s.COMMUNE_CODE, ignore_index=True)


def _measure(communes: gpd.GeoDataFrame, notes: pd.Series) -> GeometryQA:
    """Repairs and drops (from ``notes``); overlaps and gaps measured in an equal-area CRS.

    The shapes are repaired again in that CRS (reprojection can make a valid
    shape invalid). A measurement GEOS still cannot make is reported as failed
    in ``GeometryQA.failures``: a diagnostic never aborts the import.
    """
    metric, invalid = valid_polygons(communes.geometry.to_crs(s.VN_EQUAL_AREA).to_numpy())
    metric = metric[[g is not None for g in metric]]
    failures = []
    overlap = gaps = None
    try:
        overlap = _overlaps(metric)
    except GEOSException as error:
        failures.append(f"overlaps not measured ({error})")
    try:
        gaps = _gaps(metric)
    except GEOSException as error:
        failures.append(f"gaps not measured ({error})")
    return GeometryQA(
        n_repaired=int(notes.str.startswith("repaired").sum()),
        n_dropped_empty=int((notes == DROPPED_EMPTY).sum()),
        n_dropped_not_polygon=int(notes.str.startswith(DROPPED_NOT_POLYGON).sum()),
        overlap_km2=float(overlap.sum()) if overlap is not None else float("nan"),
        n_overlapping_pairs=int((overlap > 1e-6).sum()) if overlap is not None else 0,
        gap_km2=float(gaps.sum()) if gaps is not None else float("nan"),
        n_gaps=len(gaps) if gaps is not None else 0,
        n_repaired_after_reprojection=int(invalid.sum()),
        failures=tuple(failures),
    )


def _overlaps(metric: np.ndarray) -> np.ndarray:
    """Area (km²) of the intersection of every pair of communes that intersect."""
    left, right = shapely.STRtree(metric).query(metric, predicate="intersects")
    pairs = left < right
    return shapely.area(shapely.intersection(metric[left[pairs]], metric[right[pairs]])) / 1e6


def _gaps(metric: np.ndarray) -> np.ndarray:
    """Areas (km²) of the holes in the communes' union between ``GAP_MIN_KM2`` and ``GAP_MAX_KM2``."""
    union = union_polygons(metric, grid_size=GRID_METRES)
    holes = [shapely.Polygon(ring) for poly in shapely.get_parts(union) for ring in poly.interiors]
    areas = np.array([h.area / 1e6 for h in holes])
    return areas[(areas < GAP_MAX_KM2) & (areas >= GAP_MIN_KM2)]


def _report(index: pd.Index, result: matching.MatchResult, notes: pd.Series) -> pd.DataFrame:
    report = result.table.reindex(index)
    not_polygon = notes.str.startswith(DROPPED_NOT_POLYGON)
    report[matching.OUTCOME] = report[matching.OUTCOME].fillna(DROPPED_EMPTY)
    report.loc[not_polygon, matching.OUTCOME] = DROPPED_NOT_POLYGON
    report.loc[notes == DROPPED_EMPTY, matching.REASON] = "empty geometry"
    report.loc[not_polygon, matching.REASON] = (
        notes[not_polygon].str.split().str[-1] + " geometry, not a polygon: not imported"
    )
    report[GEOMETRY_NOTE] = notes.reindex(index).fillna("")
    report.insert(0, FEATURE, np.arange(len(index)))
    for column in REPORT_COLUMNS:
        if column not in report:
            report[column] = None
    return report[list(REPORT_COLUMNS)].reset_index(drop=True)


def report_csv_path(out: str | Path) -> Path:
    """``OUT.report.csv`` beside ``OUT.gpkg``."""
    out = Path(out)
    return out.with_name(out.stem + ".report.csv")


def write_import(result: ImportResult, out: str | Path) -> tuple[Path, Path]:
    """Write ``out`` (GeoPackage: layers ``communes`` and ``report``) and ``OUT.report.csv``, atomically.

    The CSV's text cells that a spreadsheet would run as formulas (a name ``=HYPERLINK(…)``)
    are written as text (:func:`geo.reading.formulas.defuse_formulas`); the GeoPackage keeps them as read.
    """
    out = Path(out)
    if out.suffix.lower() != ".gpkg":
        raise InputError(f"--out {out} must end in .gpkg; the import writes a GeoPackage")
    csv = report_csv_path(out)
    with atomic_path(out) as temporary_gpkg, atomic_path(csv) as temporary_csv:
        pyogrio.write_dataframe(
            result.communes,
            temporary_gpkg,
            layer=LAYER_COMMUNES,
            driver="GPKG",
            geometry_type="MultiPolygon",
        )
        pyogrio.write_dataframe(result.report, temporary_gpkg, layer=LAYER_REPORT, driver="GPKG")
        defuse_formulas(result.report).to_csv(temporary_csv, index=False, encoding="utf-8-sig")
    return out, csv
