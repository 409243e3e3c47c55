"""Indicators for the app: found in a data folder, computed by the pipeline, cached on disk.

The app shows what ``python -m geo build-indicators`` computes, through the
same :func:`geo.indicators.build.build_indicators`; nothing is recomputed here
but the legacy scheme, whose commune indicators are the 2025 ones moved
through the crosswalk (:mod:`geo.indicators.convert`: counts shared out by overlap
area, ratios rebuilt) and rolled up to the legacy districts and provinces.

A national build takes several seconds, so the result is pickled to a
cache folder under a key made of every input's path, size and modification
time (and of the code's own files): an unchanged data folder loads in well
under a second, a changed file is computed again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
import rasterio

from geo import schema as s
from geo.errors import InputError
from geo.indicators import targets as t
from geo.indicators.aggregate import COUNTS, add_ratios, aggregate_units
from geo.indicators.build import Inputs, build_indicators, evaluate_targets, input_as_of
from geo.indicators.villages import empty_villages
from geo.reading.boundaries import read_boundary_layer

COVERAGE_SUBDIR: Final = "coverage"
DEMO_PREFIX: Final = "DEMO_"
CACHE_ENV: Final = "VNCOVER_CACHE_DIR"
CACHE_MB_ENV: Final = "VNCOVER_CACHE_MB"
#: Disk the indicator cache may use (a national entry is ~30–60 MB).
DEFAULT_CACHE_MB: Final = 1024
SCHEMES: Final = (s.VINTAGE_2025, s.VINTAGE_LEGACY)
LEVELS: Final = ("commune", "district", "province")
#: Code whose change invalidates the cache: the whole data core and this module.
CODE_ROOTS: Final = (Path(__file__).resolve().parents[1] / "geo", Path(__file__).resolve())
_TABLE_SUFFIXES: Final = (".xlsx", ".xls", ".csv")
_RASTER_SUFFIXES: Final = (".tif", ".tiff")


@dataclass(frozen=True)
class AppData:
    """Indicator layers of both schemes and what they were computed from.

    Attributes
    ----------
    layers
        ``"<scheme>/<level>"`` (scheme ``2025`` or ``legacy``; level
        ``commune``, ``district`` or ``province``) → GeoDataFrame with a
        ``code``-like identity column, names and every indicator column.
    report
        Table rows that were not counted (from the pipeline).
    sources
        One row per input: ``input``, ``file``, ``as_of``, ``demo``.
    config
        The targets the ``uncovered`` columns were evaluated against.
    villages
        Villages of the team table in the 2025 communes (:mod:`geo.indicators.villages`), computed with the
        indicators; empty when the team table lists communes, not villages.
    """

    layers: dict[str, gpd.GeoDataFrame]
    report: pd.DataFrame
    sources: pd.DataFrame
    config: t.Config
    villages: pd.DataFrame = field(default_factory=empty_villages)

    def layer(self, scheme: str, level: str) -> gpd.GeoDataFrame:
        """The layer of one scheme and level; raises ``KeyError`` for an unknown pair."""
        return self.layers[f"{scheme}/{level}"]

    @property
    def is_demo(self) -> bool:
        """Whether any input is demo data."""
        return bool(self.sources["demo"].any()) if len(self.sources) else False


def discover_inputs(
    data_dir: Path, boundaries: Path, *, overrides: dict[str, Path] | None = None
) -> Inputs:
    """The pipeline's inputs found in ``data_dir/coverage/`` by their names, with per-session overrides.

    A GeoTIFF whose name holds ``pop`` is the population; another GeoTIFF the
    4G raster; a CSV holding ``site`` or ``bts`` the BTS sites (used only
    without a raster); a table holding ``fibre``/``fiber``/``cap_quang`` the
    fibre table, one holding ``team``/``to_cns`` the team table.

    Parameters
    ----------
    data_dir
        The data folder.
    boundaries
        The boundaries GeoPackage.
    overrides
        ``{"fibre": path, "teams": path}`` uploaded for one session.
    """
    folder = data_dir / COVERAGE_SUBDIR
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    found: dict[str, Path] = {}
    for path in files:
        kind = _kind_of(path)
        if kind is not None:
            found.setdefault(kind, path)
    found.update(overrides or {})
    raster = found.get("raster")
    return Inputs(
        boundaries=boundaries,
        mobile_raster=raster,
        mobile_threshold=_threshold_of(raster) if raster is not None else None,
        mobile_sites=found.get("sites") if raster is None else None,
        population=found.get("population"),
        fibre=found.get("fibre"),
        teams=found.get("teams"),
    )


def _kind_of(path: Path) -> str | None:
    name, suffix = path.name.lower(), path.suffix.lower()
    if suffix in _RASTER_SUFFIXES:
        return "population" if "pop" in name else "raster"
    if suffix not in _TABLE_SUFFIXES:
        return None
    if suffix == ".csv" and ("site" in name or "bts" in name):
        return "sites"
    if any(k in name for k in ("fibre", "fiber", "cap_quang", "capquang")):
        return "fibre"
    if any(k in name for k in ("team", "to_cns", "tocns", "congnghe")):
        return "teams"
    return None


def _threshold_of(raster: Path) -> float | None:
    """None for a 0/1 mask (byte raster), else the default RSRP threshold in dBm."""
    with rasterio.open(raster) as dataset:
        is_mask = dataset.dtypes[0] in ("uint8", "bool")
    return None if is_mask else t.read_config().propagation.threshold_dbm


def input_files(inputs: Inputs) -> list[tuple[str, Path]]:
    """Each input that was given, as (kind, path): boundaries, mobile, population, every fibre and team table."""
    mobile = inputs.mobile_raster or inputs.mobile_polygons or inputs.mobile_sites
    single = {"boundaries": inputs.boundaries, s.MOBILE: mobile, s.POPULATION: inputs.population}
    pairs = [(k, Path(v)) for k, v in single.items() if v is not None]
    pairs += [(s.FIBRE, p) for p in inputs.tables(s.FIBRE)]
    pairs += [(s.TEAMS_INPUT, p) for p in inputs.tables(s.TEAMS_INPUT)]
    return pairs


def cache_key(inputs: Inputs, *, code_roots: tuple[Path, ...] = CODE_ROOTS) -> str:
    """Hash of every input's path, size and mtime, the options, and the content of the pipeline's code.

    The code is every ``.py`` and ``.toml`` file under ``code_roots`` (the
    whole of ``geo`` and this module), hashed by content: any edit to
    matching, names, the register or a reader changes the key, a ``touch``
    does not.
    """
    options = (inputs.mobile_threshold, inputs.tables_vintage, str(inputs.targets), inputs.sheet)
    parts = [repr((*options, tuple(inputs.column_mapping)))]
    paths = [path for _, path in input_files(inputs)]
    if inputs.targets is not None:
        paths.append(Path(inputs.targets))
    for path in paths:
        stat = path.stat()
        parts.append(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}")
    parts.append(code_digest(code_roots))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def code_digest(roots: tuple[Path, ...]) -> str:
    """SHA-256 over the relative path and bytes of every ``.py``/``.toml`` file under ``roots``, in a fixed order."""
    digest = hashlib.sha256()
    for root in roots:
        files = (
            [root]
            if root.is_file()
            else sorted(p for p in root.rglob("*") if p.suffix in (".py", ".toml"))
        )
        for path in files:
            digest.update(
                path.relative_to(root.parent).as_posix().encode()
                + b"\0"
                + path.read_bytes()
                + b"\0"
            )
    return digest.hexdigest()


def default_cache_dir() -> Path:
    """``$VNCOVER_CACHE_DIR``, else ``<temp>/vncover-cache``."""
    return Path(os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / "vncover-cache")


def load_app_data(inputs: Inputs, *, cache_dir: Path | None = None) -> AppData:
    """The app's data for ``inputs``: from the disk cache when the inputs are unchanged, else computed.

    The cache holds only files this function wrote (pickles); it is written
    atomically, so a crash never leaves a half-written entry, and kept to
    ``$VNCOVER_CACHE_MB`` (default :data:`DEFAULT_CACHE_MB`): the entries used
    least recently go first (:func:`prune_cache`).
    """
    folder = cache_dir or default_cache_dir()
    path = folder / f"app-data-{cache_key(inputs)}.pkl"
    if path.is_file():
        os.utime(path)  # most recently used
        with path.open("rb") as stream:
            return pickle.load(stream)  # noqa: S301 (our own cache file)
    data = compute_app_data(inputs)
    folder.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(dir=folder, prefix=".app-data-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            pickle.dump(data, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(staging, path)
    finally:
        if os.path.exists(staging):
            os.unlink(staging)
    prune_cache(folder, max_bytes=cache_limit_bytes(), keep=path)
    return data


def cache_limit_bytes() -> int:
    """``$VNCOVER_CACHE_MB`` (default :data:`DEFAULT_CACHE_MB`) in bytes."""
    value = os.environ.get(CACHE_MB_ENV, "")
    try:
        megabytes = float(value) if value.strip() else DEFAULT_CACHE_MB
    except ValueError as error:
        raise InputError(
            f"{CACHE_MB_ENV}={value!r} is not a number of megabytes; set e.g. {CACHE_MB_ENV}=2000"
        ) from error
    return int(megabytes * 1024**2)


def prune_cache(folder: Path, *, max_bytes: int, keep: Path | None = None) -> list[Path]:
    """Remove the least recently used cache entries of ``folder`` until it holds at most ``max_bytes``.

    Only the app's own files (``app-data-*.pkl`` and the boundaries' contexts
    ``context-*.pkl`` of :mod:`application.increment`) are counted and removed;
    ``keep`` (the entry just written) always stays. Returns the removed paths.
    """
    found = [*folder.glob("app-data-*.pkl"), *folder.glob("context-*.pkl")]
    entries = sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)
    total, removed = 0, []
    for entry in entries:
        size = entry.stat().st_size
        if entry != keep and total + size > max_bytes:
            entry.unlink(missing_ok=True)
            removed.append(entry)
        else:
            total += size
    return removed


def compute_app_data(inputs: Inputs) -> AppData:
    """Run the pipeline and derive the legacy scheme (see the module docstring).

    When the legacy communes of the boundaries file have real polygons (a
    planner's legacy import merged in by :mod:`geo.importing.merge_boundaries`), the
    legacy layers are computed on those polygons by the same pipeline
    instead of being moved from the 2025 communes.
    """
    result = build_indicators(inputs)
    config = t.read_config(inputs.targets)
    legacy_districts = read_boundary_layer(inputs.boundaries, s.LAYER_DISTRICTS_LEGACY)
    districts = result.districts.merge(
        legacy_districts[[s.DISTRICT_CODE, s.DISTRICT_NAME]], on=s.DISTRICT_CODE, how="left"
    )
    layers = {
        "2025/commune": result.communes,
        "2025/district": districts,
        "2025/province": result.provinces,
    }
    legacy = read_boundary_layer(inputs.boundaries, s.LAYER_COMMUNES_LEGACY)
    if boundary_status(legacy).n_real:
        layers.update(legacy_layers_computed(inputs, legacy))
    else:
        layers.update(legacy_layers(inputs.boundaries, result.communes, config))
    return AppData(
        layers=layers,
        report=result.report,
        sources=sources_table(inputs, stated=stated_dates(result.communes)),
        config=config,
        villages=result.villages,
    )


def stated_dates(communes: pd.DataFrame) -> dict[str, str]:
    """Input → the as-of date the pipeline recorded for it, when it is not just a file date."""
    dates = {}
    for name in s.INPUTS:
        column = s.as_of_column(name)
        values = (
            communes[column].dropna().astype(str) if column in communes else pd.Series(dtype=str)
        )
        stated = [v for v in values.unique() if v and "file date" not in v]
        if stated:
            dates[name] = max(stated)
    return dates


def legacy_layers_computed(inputs: Inputs, legacy: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Legacy communes, districts and provinces computed by :func:`build_indicators` on the legacy polygons themselves.

    The pipeline reads them as an import (a ``communes`` layer with district
    codes, so of the legacy vintage); tables of the 2025 vintage are shared
    out equally, as there are no 2025 polygons in that file to weigh by.
    """
    with tempfile.TemporaryDirectory(prefix="legacy-boundaries-") as folder:
        path = Path(folder) / "legacy_communes.gpkg"
        legacy.to_file(path, layer=s.LAYER_COMMUNES, driver="GPKG", engine="pyogrio")
        result = build_indicators(replace(inputs, boundaries=path))
    return {
        "legacy/commune": result.communes,
        "legacy/district": result.districts,
        "legacy/province": result.provinces,
    }


@dataclass(frozen=True)
class BoundaryStatus:
    """How many communes of a layer have real polygons (imported or surveyed) and where.

    Attributes
    ----------
    n_real, n_approximate
        Communes whose polygon is real / generated (a missing flag counts as generated).
    real_provinces
        Names of the provinces holding a real polygon, sorted.
    """

    n_real: int
    n_approximate: int
    real_provinces: tuple[str, ...]


def boundary_status(communes: pd.DataFrame) -> BoundaryStatus:
    """Real and approximate polygons of a commune layer, read off its ``approximate`` column.

    A layer without the column has no generated polygon (e.g. a data folder
    of surveyed boundaries): every commune is real.
    """
    if s.APPROXIMATE not in communes:
        approximate = pd.Series(False, index=communes.index)
    else:
        approximate = communes[s.APPROXIMATE].astype("boolean").fillna(True).astype(bool)
    real = communes.loc[~approximate]
    names = real[s.PROVINCE_NAME].dropna().astype(str).unique() if s.PROVINCE_NAME in real else []
    return BoundaryStatus(
        n_real=len(real), n_approximate=int(approximate.sum()), real_provinces=tuple(sorted(names))
    )


def legacy_layers(
    boundaries: Path, communes: gpd.GeoDataFrame, config: t.Config
) -> dict[str, gpd.GeoDataFrame]:
    """Legacy communes, districts and provinces with the 2025 indicators moved onto them."""
    from geo.indicators import convert

    legacy = read_boundary_layer(boundaries, s.LAYER_COMMUNES_LEGACY)
    counts = [
        c
        for c in COUNTS
        if c in communes and c not in (s.N_UNCOVERED, s.COMMUNES_WITH_FIBRE, s.COMMUNES_FIBRE_KNOWN)
    ]
    pairs = convert.crosswalk_pairs("to_legacy")
    measure = convert.overlap_measure(pairs, communes, legacy)
    weights = convert.pair_weights(pairs, measure=measure, method=convert.AREA)
    table = pd.DataFrame(communes.drop(columns=communes.geometry.name)).set_index(s.COMMUNE_CODE)
    moved = convert.share_counts(table, weights, counts=counts, flags=[s.FIBRE_TO_COMMUNE])
    joined = legacy.join(moved, on=s.COMMUNE_CODE)
    joined = evaluate_targets(add_ratios(joined), config)
    out = {"legacy/commune": joined}
    for level, layer, by in (
        ("district", s.LAYER_DISTRICTS_LEGACY, s.DISTRICT_CODE),
        ("province", s.LAYER_PROVINCES_LEGACY, s.PROVINCE_CODE),
    ):
        shapes = read_boundary_layer(boundaries, layer)
        values = aggregate_units(pd.DataFrame(joined.drop(columns=joined.geometry.name)), by)
        shapes = shapes.drop(columns=[c for c in values.columns if c in shapes.columns])
        out[f"legacy/{level}"] = shapes.join(values, on=by)
    return out


def sources_table(inputs: Inputs, *, stated: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per input given: its kind, file name, as-of date and whether it is demo data.

    ``stated`` holds the dates the pipeline read from the inputs themselves (a
    table's report-date column, a raster's tag); other inputs get their file date.
    """
    rows = []
    for kind, path in input_files(inputs):
        as_of = None if kind == "boundaries" else (stated or {}).get(kind) or input_as_of(path)
        rows.append(
            {
                "input": kind,
                "file": path.name,
                "as_of": as_of,
                "demo": path.name.upper().startswith(DEMO_PREFIX),
            }
        )
    return pd.DataFrame(rows, columns=["input", "file", "as_of", "demo"])


def with_targets(config: t.Config, choices: dict[str, tuple[bool, float | None]]) -> t.Config:
    """``config`` with some targets switched on or off and their thresholds changed.

    Parameters
    ----------
    config
        The targets read from the targets file.
    choices
        Target name → (enabled, min_pct); targets not named keep their values.
    """
    targets = tuple(
        replace(
            target,
            enabled=choices[target.name][0],
            min_pct=choices[target.name][1] if target.min_pct is not None else None,
        )
        if target.name in choices
        else target
        for target in config.targets
    )
    return replace(config, targets=targets)
