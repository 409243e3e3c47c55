"""Put a planner's imported communes into a copy of the embedded boundaries.

A planner uploads the real commune polygons of one province (the output of
:func:`geo.importing.import_boundaries.import_boundaries`, in the 2025 or the legacy
scheme). :func:`merge_imported` writes a boundaries GeoPackage with the same
five layers as the embedded file, so the whole pipeline
(:func:`geo.indicators.build.build_indicators`, :mod:`application.app_data`) runs on it
unchanged:

- in the imported scheme's commune layer the imported communes replace the
  approximate ones (``approximate`` = False, ``area_km2`` measured again);
  every other commune keeps its approximate polygon minus the imported
  area, so no two communes claim the same ground;
- that scheme's higher levels (2025 provinces; legacy districts and
  provinces) that hold a changed commune are dissolved again from the merged
  communes, and are approximate while any of their communes is;
- the other scheme's layers are copied as they are (still approximate).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import schema as s
from geo.errors import InputError
from geo.importing.import_boundaries import (
    ImportOptions,
    ImportResult,
    import_boundaries,
    write_import,
)
from geo.reading.atomic import atomic_path
from geo.reading.boundaries import read_boundary_layer

#: Commune layer of each scheme, and its higher levels with the column that groups them.
SCHEME_LAYERS: Final[dict[str, tuple[str, tuple[tuple[str, str], ...]]]] = {
    s.VINTAGE_2025: (s.LAYER_COMMUNES_2025, ((s.LAYER_PROVINCES_2025, s.PROVINCE_CODE),)),
    s.VINTAGE_LEGACY: (
        s.LAYER_COMMUNES_LEGACY,
        ((s.LAYER_DISTRICTS_LEGACY, s.DISTRICT_CODE), (s.LAYER_PROVINCES_LEGACY, s.PROVINCE_CODE)),
    ),
}
ALL_LAYERS: Final = (
    s.LAYER_COMMUNES_2025,
    s.LAYER_PROVINCES_2025,
    s.LAYER_COMMUNES_LEGACY,
    s.LAYER_DISTRICTS_LEGACY,
    s.LAYER_PROVINCES_LEGACY,
)
#: A clipped approximate commune keeps its whole polygon when less than this share of it is left
#: (it would vanish, and a commune of the register must not drop off the map).
MIN_KEPT_SHARE: Final = 0.01


@dataclass(frozen=True)
class MergeSummary:
    """What :func:`merge_imported` did.

    Attributes
    ----------
    path
        The boundaries GeoPackage written.
    scheme
        Scheme of the imported communes (``"2025"`` or ``"legacy"``).
    real_codes
        Codes of the communes whose polygons now come from the import.
    clipped_codes
        Approximate communes that lost the area the import covers.
    added_codes
        Imported communes the embedded layer did not have (appended).
    """

    path: Path
    scheme: s.Vintage
    real_codes: tuple[str, ...]
    clipped_codes: tuple[str, ...]
    added_codes: tuple[str, ...]


def merge_imported(
    embedded: Path, imported: gpd.GeoDataFrame, scheme: s.Vintage, out: Path
) -> MergeSummary:
    """Write ``out``: the embedded boundaries with ``imported`` communes in place (see the module docstring).

    Parameters
    ----------
    embedded
        A boundaries GeoPackage with the five embedded layers.
    imported
        ``ImportResult.communes``: one row per matched commune, EPSG:4326.
    scheme
        ``ImportResult.scheme``.
    out
        Where to write (``.gpkg``), atomically.

    Raises
    ------
    InputError
        For an unknown scheme, an empty import, or an ``out`` that is not a GeoPackage.
    """
    if scheme not in SCHEME_LAYERS:
        raise InputError(f"scheme {scheme!r} is not known; choose one of {list(SCHEME_LAYERS)}")
    if imported.empty:
        raise InputError(
            "the imported file has no matched commune; nothing to put on the map (see the import report)"
        )
    if Path(out).suffix.lower() != ".gpkg":
        raise InputError(f"{out} must end in .gpkg; the merged boundaries are a GeoPackage")
    commune_layer, upper = SCHEME_LAYERS[scheme]
    layers = {name: read_boundary_layer(embedded, name) for name in ALL_LAYERS}
    merged, clipped, added = replace_communes(layers[commune_layer], imported.to_crs(s.WGS84))
    layers[commune_layer] = merged
    changed = merged[s.COMMUNE_CODE].isin([*imported[s.COMMUNE_CODE], *clipped])
    for layer, by in upper:
        layers[layer] = dissolve_changed(
            layers[layer], merged, by=by, changed=set(merged.loc[changed, by].dropna())
        )
    with atomic_path(Path(out)) as staging:
        for name in ALL_LAYERS:
            pyogrio.write_dataframe(
                layers[name], staging, layer=name, driver="GPKG", promote_to_multi=True
            )
    return MergeSummary(
        path=Path(out),
        scheme=scheme,
        real_codes=tuple(sorted(imported[s.COMMUNE_CODE])),
        clipped_codes=tuple(clipped),
        added_codes=tuple(added),
    )


def replace_communes(
    communes: gpd.GeoDataFrame, imported: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, list[str], list[str]]:
    """Communes with the imported polygons in place and the others clipped off them.

    Returns the merged layer (sorted by code), the codes clipped, and the
    imported codes the layer did not have.
    """
    polygons = dict(zip(imported[s.COMMUNE_CODE], imported.geometry.array))
    is_real = communes[s.COMMUNE_CODE].isin(polygons).to_numpy()
    geometry = communes.geometry.to_numpy().copy()
    geometry[is_real] = [polygons[c] for c in communes.loc[is_real, s.COMMUNE_CODE]]
    clipped = clip_approximate(geometry, is_real, shapely.union_all(imported.geometry.array))
    out = communes.set_geometry(gpd.GeoSeries(geometry, index=communes.index, crs=communes.crs))
    if s.APPROXIMATE in out:
        out[s.APPROXIMATE] = out[s.APPROXIMATE].astype(bool) & ~is_real
    missing = imported[~imported[s.COMMUNE_CODE].isin(communes[s.COMMUNE_CODE])]
    if len(missing):
        extra = missing[[c for c in missing.columns if c in communes.columns]].assign(
            **{s.APPROXIMATE: False}
        )
        out = gpd.GeoDataFrame(
            pd.concat([out, extra.to_crs(communes.crs)], ignore_index=True), crs=communes.crs
        )
    changed = out[s.COMMUNE_CODE].isin([*polygons, *clipped])
    if s.AREA_KM2 in out:
        out.loc[changed, s.AREA_KM2] = (
            out.loc[changed].geometry.to_crs(s.VN_EQUAL_AREA).area.to_numpy() / 1e6
        )
    codes = list(communes[s.COMMUNE_CODE].to_numpy()[clipped])
    return (
        out.sort_values(s.COMMUNE_CODE, ignore_index=True),
        codes,
        sorted(missing[s.COMMUNE_CODE]),
    )


def clip_approximate(
    geometry: np.ndarray, is_real: np.ndarray, covered: shapely.Geometry
) -> np.ndarray:
    """Remove ``covered`` from every approximate polygon that overlaps it, in place; return which were clipped.

    A polygon that would keep less than ``MIN_KEPT_SHARE`` of its area is
    left whole (it overlaps the import rather than vanish).
    """
    tree = shapely.STRtree(geometry)
    candidates = tree.query(covered, predicate="intersects")
    clipped = np.zeros(len(geometry), dtype=bool)
    for i in candidates:
        if is_real[i]:
            continue
        rest = shapely.difference(geometry[i], covered)
        parts = [
            p for p in shapely.get_parts(rest) if isinstance(p, shapely.Polygon) and not p.is_empty
        ]
        rest = shapely.MultiPolygon(parts)
        if rest.area >= MIN_KEPT_SHARE * shapely.area(geometry[i]) and not rest.equals(geometry[i]):
            geometry[i] = rest
            clipped[i] = True
    return clipped


def dissolve_changed(
    units: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, *, by: str, changed: set[str]
) -> gpd.GeoDataFrame:
    """``units`` whose code is in ``changed`` drawn again as the union of their communes (approximate if any commune is)."""
    out = units.copy()
    rows = out[by].isin(changed).to_numpy()
    groups = communes[communes[by].isin(changed)].groupby(by)
    shapes = groups.geometry.agg(lambda g: shapely.union_all(g.array))
    out.loc[rows, out.geometry.name] = [
        shapes.get(code, geom) for code, geom in zip(out.loc[rows, by], out.geometry.array[rows])
    ]
    if s.APPROXIMATE in out and s.APPROXIMATE in communes:
        approximate = groups[s.APPROXIMATE].agg(lambda v: bool(v.astype(bool).any()))
        out.loc[rows, s.APPROXIMATE] = [
            bool(approximate.get(code, True)) for code in out.loc[rows, by]
        ]
    if s.AREA_KM2 in out:
        out.loc[rows, s.AREA_KM2] = (
            out.loc[rows].geometry.to_crs(s.VN_EQUAL_AREA).area.to_numpy() / 1e6
        )
    return out


@dataclass(frozen=True)
class SessionBoundaries:
    """An uploaded boundary file made into a boundaries GeoPackage (what the app's Data page keeps).

    Attributes
    ----------
    result
        The import (communes, report, CRS and encoding evidence).
    merge
        What the merge did; ``merge.path`` is the boundaries file to compute on.
    report
        ``OUT.report.csv`` of the import (one row per input feature).
    """

    result: ImportResult
    merge: MergeSummary
    report: Path


def import_into(
    source: Path, embedded: Path, folder: Path, *, options: ImportOptions | None = None
) -> SessionBoundaries:
    """Import ``source`` and merge its communes into a copy of ``embedded``, both written into ``folder``.

    The files get fresh names, so a later upload never overwrites what an
    earlier one (still in use) wrote.

    Raises
    ------
    InputError, CRSError, MatchError
        From :func:`~geo.importing.import_boundaries.import_boundaries` and :func:`merge_imported`.
    """
    result = import_boundaries(source, options=options or ImportOptions())
    stem = uuid.uuid4().hex[:8]
    _, report = write_import(result, folder / f"import-{stem}.gpkg")
    merge = merge_imported(
        embedded, result.communes, result.scheme, folder / f"boundaries-{stem}.gpkg"
    )
    return SessionBoundaries(result=result, merge=merge, report=report)
