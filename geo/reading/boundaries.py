"""Read the boundary layers of a data folder: checked, codes padded, names in NFC.

``read_boundary_layer`` checks the file, the layer, the columns and the CRS,
and says how to fix what is wrong. Simplifying for display is
:mod:`layers.simplify`'s job.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataSourceError

from geo import schema
from geo.errors import CRSError, InputError
from geo.reference.codes import CODE_WIDTHS, pad_code
from geo.reference.names import to_nfc

#: Columns a layer must have (besides its geometry), by layer name.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    schema.LAYER_COMMUNES_2025: (
        schema.COMMUNE_CODE,
        schema.COMMUNE_NAME,
        schema.COMMUNE_TYPE,
        schema.PROVINCE_CODE,
        schema.PROVINCE_NAME,
        schema.AREA_KM2_OFFICIAL,
        schema.AREA_KM2,
        schema.N_LEGACY_COMMUNES,
        schema.APPROXIMATE,
    ),
    schema.LAYER_PROVINCES_2025: (
        schema.PROVINCE_CODE,
        schema.PROVINCE_NAME,
        schema.N_COMMUNES,
        schema.AREA_KM2,
        schema.APPROXIMATE,
    ),
}

_NAME_COLUMNS = (
    schema.COMMUNE_NAME,
    schema.COMMUNE_TYPE,
    schema.PROVINCE_NAME,
    schema.DISTRICT_NAME,
)

_FIX = (
    f"use a data folder that has boundaries/{schema.BOUNDARIES_FILE} (the embedded one, or the output of "
    "'python -m geo import-boundaries'), or rebuild the default file with scripts/build_default_boundaries.py"
)


def boundaries_file(source: str | os.PathLike[str], *, context: str = "") -> Path:
    """Path of the boundaries GeoPackage given, checked to exist.

    ``context`` (e.g. where the data folder was set) is added to the message.

    Raises
    ------
    InputError
        When there is no such file; the message names it and says the fix.
    """
    path = Path(source)
    if not path.is_file():
        raise InputError(f"boundaries file not found: {path}{context}; {_FIX}")
    return path


def read_boundary_layer(source: str | os.PathLike[str], layer: str) -> gpd.GeoDataFrame:
    """Read one layer of a boundaries GeoPackage, checked and normalised.

    Parameters
    ----------
    source
        The path of a boundaries GeoPackage (``<data_dir>/boundaries/vn_boundaries_approx.gpkg``).
    layer
        A layer name, e.g. ``schema.LAYER_COMMUNES_2025``.

    Returns
    -------
    geopandas.GeoDataFrame
        In WGS 84, codes as zero-padded strings, names in Unicode NFC.

    Raises
    ------
    InputError
        When the file or the layer is missing, or a required column is absent.
    CRSError
        When the layer has no CRS.
    """
    path = boundaries_file(source)
    _check_layer(path, layer)
    gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    missing = [c for c in REQUIRED_COLUMNS.get(layer, ()) if c not in gdf.columns]
    if missing:
        found = [c for c in gdf.columns if c != gdf.geometry.name]
        raise InputError(
            f"layer {layer!r} of {path} lacks the columns {missing}; found {found}; "
            f"add them (see geo/schema.py) or {_FIX}"
        )
    if gdf.crs is None:
        raise CRSError(
            f"layer {layer!r} of {path} has no CRS; write it with its CRS (EPSG:4326 expected)"
        )
    if gdf.crs != schema.WGS84:
        gdf = gdf.to_crs(schema.WGS84)
    return normalise_attributes(gdf)


def _check_layer(path: Path, layer: str) -> None:
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except DataSourceError as err:
        raise InputError(f"cannot open {path} as a GeoPackage ({err}); {_FIX}") from err
    if layer not in layers:
        raise InputError(f"{path} has no layer {layer!r}; found {layers}; {_FIX}")


def normalise_attributes(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Zero-pad code columns and NFC-normalise name columns that are present.

    Parameters
    ----------
    gdf
        Any layer with some of the schema's code and name columns.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy; codes as strings of their fixed width (integers read from a
        file, e.g. ``8`` → ``"08"``), names in NFC.
    """
    out = gdf.copy()
    for column, width in CODE_WIDTHS.items():
        if column in out.columns:
            out[column] = out[column].map(lambda v, w=width: pad_code(v, w))
    for column in _NAME_COLUMNS:
        if column in out.columns:
            out[column] = out[column].map(to_nfc)
    return out
