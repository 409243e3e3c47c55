r"""Open any boundary file a planner may hold, safely, and say what was found.

Supported: GeoPackage, GeoJSON, Shapefile (loose or zipped), KML/KMZ,
GeoParquet and FlatGeobuf. The one member of an archive that is read (with a
shapefile's parts) is unpacked by Python's zip reader into a private
temporary folder under names of our own, so a hostile member name cannot
write anywhere and no entry can inflate beyond the size its header declares. What the file itself says about coordinates (.prj, a layer CRS)
and text (.cpg, the DBF language-driver byte) is returned next to the
frame; deciding what it means is left to :mod:`geo.reading.crs_inference` and
:mod:`geo.reading.encoding`.

Shapefile text is read byte for byte (as Latin-1, so ``str.encode("latin-1")``
gives back the DBF bytes): a DBF's declared code page is often wrong for
Vietnamese files (TCVN3 and VNI files usually declare "ANSI").

Hostile or broken input is refused before GDAL reads anything:

- a file whose first bytes contradict its extension (a PNG renamed ``.gpkg``)
  or that is shorter than its own header says (a truncated GeoPackage or
  ``.shp``), see :mod:`geo.reading.sniff`;
- an archive with an entry that points outside its folder (``../x.shp``,
  ``/etc/x``, ``C:\\x``), even though nothing is ever extracted;
- an archive whose central directory declares more than
  ``MAX_UNCOMPRESSED_BYTES`` (2 GiB) in all, more than ``MAX_ARCHIVE_MEMBERS``
  (10,000) entries, or an entry of at least ``RATIO_CHECK_MIN_BYTES`` (16 MiB)
  that is compressed more than ``MAX_COMPRESSION_RATIO`` (200) times: a zip
  bomb. A national commune shapefile is a few hundred MB unpacked; its parts
  compress 2-20 times (a DBF of wide, mostly blank text fields up to ~100),
  while deflate bombs sit near its 1,032:1 limit. :class:`ZipLimits` carries
  the limits, so a caller can tighten them;
- a shapefile without its ``.shx`` (the shape index) or ``.dbf`` (the names
  and codes), loose or zipped;
- a file or member whose content would make GDAL read another file or the
  network (an OGR VRT named ``.kml``, a KML ``NetworkLink``, a GeoPackage
  virtual table over a file), see :mod:`geo.reading.guard`, which also
  switches GDAL's network access off.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Final, TypeVar

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.errors import ShapelyError

from geo.errors import InputError
from geo.reading.guard import check_contents
from geo.reading.sniff import check_file_kind

#: Suffixes of the vector formats we read (inside an archive too).
VECTOR_SUFFIXES: Final = (
    ".gpkg",
    ".geojson",
    ".json",
    ".shp",
    ".kml",
    ".fgb",
    ".parquet",
    ".geoparquet",
)
ARCHIVE_SUFFIXES: Final = (".zip", ".kmz")
SUPPORTED_TEXT: Final = (
    "GeoPackage, GeoJSON, Shapefile (.shp or zipped), KML/KMZ, GeoParquet, FlatGeobuf"
)
#: Encoding used to read DBF text byte for byte.
RAW_ENCODING: Final = "latin1"
#: Zip-bomb limits (see the module docstring), checked on the central directory before any read.
MAX_UNCOMPRESSED_BYTES: Final = 2 * 1024**3
MAX_COMPRESSION_RATIO: Final = 200.0
RATIO_CHECK_MIN_BYTES: Final = 16 * 1024**2
MAX_ARCHIVE_MEMBERS: Final = 10_000
#: Largest coordinate a real layer can have in any projection (metres of a zone-prefixed easting
#: are ~5e7); beyond it, or NaN/inf, a coordinate is broken.
MAX_ABS_COORDINATE: Final = 1e9
MAX_ROWS_NAMED: Final = 5
#: Bytes copied at a time when an archive member is unpacked.
CHUNK_BYTES: Final = 1 << 20
SHAPEFILE_PARTS: Final = {".shx": "the index of the shapes", ".dbf": "the names and codes"}

# dBASE language-driver ids (byte 29 of the DBF header) → Python codec. No id
# exists for a Vietnamese code page, so Vietnamese files usually say "ANSI".
LDID_CODECS: Final[dict[int, str]] = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x57: "cp1252",
    0x58: "cp1252",
    0x59: "cp1252",
    0x64: "cp852",
    0x65: "cp866",
    0x66: "cp865",
    0x67: "cp861",
    0x6A: "cp737",
    0x6B: "cp857",
    0xC8: "cp1250",
    0xC9: "cp1251",
    0xCA: "cp1254",
    0xCB: "cp1253",
    0xCC: "cp1257",
}
T = TypeVar("T")
_POLYGONAL: Final = ("Polygon", "MultiPolygon", "Polygon Z", "MultiPolygon Z", "Unknown", None)


@dataclass(frozen=True)
class ZipLimits:
    """Limits an archive must respect before anything in it is read (defaults: the module constants)."""

    max_total_bytes: int = MAX_UNCOMPRESSED_BYTES
    max_ratio: float = MAX_COMPRESSION_RATIO
    ratio_min_bytes: int = RATIO_CHECK_MIN_BYTES
    max_members: int = MAX_ARCHIVE_MEMBERS


@dataclass(frozen=True)
class SourceLayer:
    """One layer read from a file, with what the file says about itself.

    Attributes
    ----------
    frame
        The features as read: 2-D geometry, CRS as declared (None when the
        file declares none), text as read (see ``text_encoding``).
    path
        The file given.
    layer
        The layer or archive member read.
    driver
        GDAL driver name (or "GeoParquet").
    crs_declared
        True when the file itself declares a CRS (a .prj, a GeoPackage SRS,
        KML's implicit WGS 84, a GeoJSON "crs" member or RFC 7946).
    cpg, ldid
        The shapefile's .cpg text and DBF language-driver byte, when present.
    text_encoding
        The codec the text was decoded with; ``"latin1"`` for shapefiles
        means "raw bytes, still to be decided".
    notes
        Warnings GDAL or the reader raised, kept for the report.
    """

    frame: gpd.GeoDataFrame
    path: Path
    layer: str
    driver: str
    crs_declared: bool
    cpg: str | None = None
    ldid: int | None = None
    text_encoding: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def declared_encoding(self) -> str | None:
        """The codec the file declares (.cpg first, then the LDID byte), or None."""
        if self.cpg:
            return _codec_from_cpg(self.cpg)
        return LDID_CODECS.get(self.ldid) if self.ldid else None


def read_source(
    path: str | Path, *, layer: str | None = None, zip_limits: ZipLimits = ZipLimits()
) -> SourceLayer:
    """Read the polygon layer of ``path`` (a file, a zip or a kmz).

    Parameters
    ----------
    path
        The file to read.
    layer
        Layer (GeoPackage) or archive member to read when there are several.
    zip_limits
        Zip-bomb limits for archives (see the module docstring).

    Raises
    ------
    InputError
        When the file is missing, truncated, not what its extension says,
        not a vector format, an unsafe archive or a zip bomb, a shapefile
        without its .shx or .dbf, holds several candidate layers and
        ``layer`` is not given, or has no polygon feature.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"{path} does not exist or is not a file; give the path of a boundary file ({SUPPORTED_TEXT})"
        )
    check_file_kind(path)
    target, member = _resolve_target(path, layer=layer, zip_limits=zip_limits)
    check_contents(path, member if path.suffix.lower() in ARCHIVE_SUFFIXES else None)
    if member.lower().endswith((".parquet", ".geoparquet")):
        source = _read_parquet(path, target, member)
    elif path.suffix.lower() in ARCHIVE_SUFFIXES:
        with tempfile.TemporaryDirectory(prefix="vncover-read-") as folder:
            local = _extract(path, member, Path(folder))
            source = _read_ogr(path, str(local), member, layer=layer)
    else:
        source = _read_ogr(path, target, member, layer=layer)
    return _check_coordinates(_check_polygons(source))


def _extract(path: Path, member: str, folder: Path) -> Path:
    """Unpack ``member`` (and, for a shapefile, its sibling parts) into ``folder`` under names of our own.

    Python's zip reader stops every entry at the size its header declares and
    checks its CRC, so an entry that inflates to more than its header says (a
    zip that lies about its sizes) is refused after at most the declared,
    already checked, number of bytes; GDAL's own ``/vsizip/`` does not stop.
    """
    stem = PurePosixPath(member).with_suffix("").as_posix()
    suffix = PurePosixPath(member).suffix.lower()
    try:
        with zipfile.ZipFile(path) as archive:
            parts = [member]
            if suffix == ".shp":
                parts += [
                    n
                    for n in archive.namelist()
                    if n != member and PurePosixPath(n).with_suffix("").as_posix() == stem
                ]
            for part in parts:
                local = folder / f"layer{PurePosixPath(part).suffix.lower()}"
                with archive.open(part) as src, local.open("wb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK_BYTES)
    except zipfile.BadZipFile as error:
        raise InputError(
            f"{path}: entry {member!r} does not unpack to what the archive's header says ({error}); "
            "the archive is damaged or forged: zip the files again"
        ) from error
    return folder / f"layer{suffix}"


def _resolve_target(path: Path, *, layer: str | None, zip_limits: ZipLimits) -> tuple[str, str]:
    """The GDAL path to open and the member/layer name shown to the user."""
    if path.suffix.lower() not in ARCHIVE_SUFFIXES:
        if path.suffix.lower() == ".shp":
            _require_shapefile_parts(path, path.name, [p.name for p in path.parent.iterdir()])
        return str(path), path.name
    names = _archive_names(path, zip_limits)
    members = [n for n in names if n.lower().endswith(VECTOR_SUFFIXES)]
    if path.suffix.lower() == ".kmz":
        kml = [m for m in members if m.lower().endswith(".kml")]
        if not kml:
            raise InputError(
                f"{path} is a KMZ without a .kml document inside; export the KMZ again from its source"
            )
        members = kml[:1]  # the root document, by KMZ convention the first .kml
    target, member = _pick_member(path, members, layer=layer)
    if member.lower().endswith(".shp"):
        _require_shapefile_parts(path, member, names)
    return target, member


def _archive_names(path: Path, limits: ZipLimits) -> list[str]:
    """The files of a zip (system clutter left out), once its central directory passed the checks."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(
            f"{path} is not a readable zip archive ({error}); the file may be truncated: copy or download it again"
        ) from error
    _check_archive(path, infos, limits)
    names = [
        info.filename
        for info in infos
        if not info.is_dir() and not PurePosixPath(info.filename).name.startswith((".", "__MACOSX"))
    ]
    return [n for n in names if "__MACOSX" not in n]


def _check_archive(path: Path, infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    """Refuse unsafe entry names and zip bombs from the central directory alone (nothing is decompressed)."""
    unsafe = [info.filename for info in infos if _escapes(info.filename)]
    if unsafe:
        raise InputError(
            f"{path} holds entries that point outside the archive's folder {unsafe[:3]}; refused without reading it: "
            "zip the files again from inside their folder (names like 'xa.shp' or 'data/xa.shp')"
        )
    if len(infos) > limits.max_members:
        raise InputError(
            f"{path} holds {len(infos):,} entries, more than the {limits.max_members:,} allowed; zip only the layer's files"
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_bytes:
        raise InputError(
            f"{path} would unpack to {total:,} bytes, more than the {limits.max_total_bytes:,} allowed (a zip bomb, or far more "
            "than commune boundaries); unzip it yourself and pass the layer file"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_min_bytes and ratio > limits.max_ratio:
            raise InputError(
                f"{path}: entry {info.filename!r} is compressed {ratio:,.0f} times ({info.compress_size:,} → {info.file_size:,} bytes), "
                f"more than the {limits.max_ratio:,.0f} allowed for real data (a zip bomb); refused without unpacking it"
            )


def _escapes(name: str) -> bool:
    """True for an archive entry that would land outside the folder it is unpacked into."""
    posix = name.replace("\\", "/")
    return (
        posix.startswith("/")
        or (len(posix) > 1 and posix[1] == ":")
        or ".." in PurePosixPath(posix).parts
    )


def _require_shapefile_parts(path: Path, member: str, names: list[str]) -> None:
    """A shapefile is at least .shp, .shx and .dbf of the same name; refuse one that lacks a part."""
    stem = member[: -len(".shp")].lower()
    present = {n.lower() for n in names}
    missing = [
        f"{PurePosixPath(member).stem}{suffix} ({what})"
        for suffix, what in SHAPEFILE_PARTS.items()
        if stem + suffix not in present
    ]
    if missing:
        where = "in the archive" if path.suffix.lower() in ARCHIVE_SUFFIXES else f"in {path.parent}"
        raise InputError(
            f"{path}: the shapefile {member!r} has no {' and no '.join(missing)} {where}; a shapefile is the .shp, .shx and "
            ".dbf of one name (and .prj for its coordinates): copy or zip all of them together"
        )


def _pick_member(path: Path, members: list[str], *, layer: str | None) -> tuple[str, str]:
    if not members:
        raise InputError(
            f"{path} holds no vector file ({SUPPORTED_TEXT}); zip the .shp together with its .dbf, .shx and .prj"
        )
    if layer is not None:
        chosen = [
            m
            for m in members
            if m == layer or PurePosixPath(m).stem == layer or PurePosixPath(m).name == layer
        ]
        if not chosen:
            raise InputError(
                f"{path} has no member {layer!r}; found {members}; pass one of them with --layer"
            )
        members = chosen[:1]
    if len(members) > 1:
        raise InputError(
            f"{path} holds several layers {members}; pass the one to import with --layer NAME"
        )
    return f"/vsizip/{path}/{members[0]}", members[0]


def _read_ogr(path: Path, target: str, member: str, *, layer: str | None) -> SourceLayer:
    with warnings.catch_warnings(
        record=True
    ) as caught:  # e.g. GDAL turning measured (M) geometry into Z
        warnings.simplefilter("always")
        layer_name = _pick_layer(
            path, target, layer=None if path.suffix.lower() in ARCHIVE_SUFFIXES else layer
        )
        info = _guarded(path, lambda: pyogrio.read_info(target, layer=layer_name))
        driver = str(info["driver"])
        is_shapefile = driver == "ESRI Shapefile"
        cpg, ldid = _shapefile_text_hints(path, target) if is_shapefile else (None, None)
        encoding = RAW_ENCODING if is_shapefile else None
        frame, unbuilt = _read_frame(path, target, layer_name, encoding)
    notes = [*(f"{w.category.__name__}: {w.message}" for w in caught), *unbuilt]
    if frame.has_z.any():
        notes.append(
            f"Z coordinates of {int(frame.has_z.sum())} features dropped: the import is two-dimensional"
        )
    declared = frame.crs is not None and (driver != "GeoJSON" or _geojson_declares(frame))
    return SourceLayer(
        frame=_flatten(frame),
        path=path,
        layer=member if path.suffix.lower() in ARCHIVE_SUFFIXES else (layer_name or member),
        driver=driver,
        crs_declared=declared,
        cpg=cpg,
        ldid=ldid,
        text_encoding=encoding or info.get("encoding"),
        notes=tuple(dict.fromkeys(notes)),
    )


def _read_frame(
    path: Path, target: str, layer: str | None, encoding: str | None
) -> tuple[gpd.GeoDataFrame, tuple[str, ...]]:
    """The layer's features; when GEOS cannot build some geometries, the others with a note naming those.

    A geometry GEOS refuses (a ring left open by a broken export, a ring whose
    first point was overwritten) makes the whole read fail; then the attributes
    and the geometries' WKB are read apart, open rings are closed
    (``shapely.from_wkb(on_invalid="fix")``), and what still cannot be built
    loses its geometry, so one broken feature does not refuse a province.
    """
    try:
        return pyogrio.read_dataframe(target, layer=layer, encoding=encoding), ()
    except ShapelyError:
        pass  # read again below, geometry apart
    except READER_ERRORS as error:
        raise _unreadable(path, error) from error
    attributes = _guarded(
        path,
        lambda: pyogrio.read_dataframe(target, layer=layer, encoding=encoding, read_geometry=False),
    )
    meta, _, wkb, _ = _guarded(
        path, lambda: pyogrio.raw.read(target, layer=layer, encoding=encoding, columns=[])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # each invalid WKB warns; they are counted below instead
        geometry = shapely.from_wkb(wkb, on_invalid="fix")
    lost = [
        i
        for i, (raw, built) in enumerate(zip(wkb, geometry, strict=True))
        if raw is not None and built is None
    ]
    frame = gpd.GeoDataFrame(attributes, geometry=geometry, crs=meta.get("crs"))
    rows = ", ".join(str(i + 1) for i in lost[:MAX_ROWS_NAMED]) + (
        " …" if len(lost) > MAX_ROWS_NAMED else ""
    )
    notes = [
        "geometries GEOS refused as written (e.g. rings not closed) were closed and read again"
    ]
    if lost:
        notes.append(
            f"{len(lost)} features have a geometry that cannot be built (features {rows}): "
            "their geometry is dropped"
        )
    return frame, tuple(notes)


def _pick_layer(path: Path, target: str, *, layer: str | None) -> str | None:
    """Choose the layer of a multi-layer source: the given one, or the only polygon layer.

    Tables without geometry (QGIS's ``layer_styles``, attribute tables) are
    never candidates: see :func:`feature_layers`.
    """
    layers = _guarded(path, lambda: pyogrio.list_layers(target))
    names = [str(name) for name, _ in layers]
    candidates = _feature_names(layers)
    if layer is not None:
        if layer not in names:
            raise InputError(
                f"{path} has no layer {layer!r}; its layers are {candidates}; pass one of them with --layer"
            )
        return layer
    if len(names) <= 1:
        return names[0] if names else None
    if len(candidates) == 1:
        return candidates[0]
    polygonal = [
        str(name) for name, kind in layers if kind in _POLYGONAL and str(name) in candidates
    ]
    if len(polygonal) == 1:
        return polygonal[0]
    raise InputError(
        f"{path} holds several layers with features {candidates}; pass the one to import with --layer NAME"
    )


#: Tables GIS programs add beside the data (QGIS's styles and projects, GeoPackage metadata).
NON_FEATURE_TABLES: Final = frozenset({"layer_styles", "qgis_projects", "gpkg_metadata"})


def _feature_names(layers: np.ndarray) -> list[str]:
    """Names of the layers that hold features: a geometry type, and not a table a GIS program adds."""
    return [
        str(name)
        for name, kind in layers
        if kind is not None and str(name).lower() not in NON_FEATURE_TABLES
    ]


def feature_layers(path: str | os.PathLike[str]) -> list[str]:
    """The layers of a (non-archive) vector file that can be imported, in the file's order.

    Raises
    ------
    InputError
        When the file cannot be read as vector data.
    """
    path = Path(path)
    return _feature_names(_guarded(path, lambda: pyogrio.list_layers(str(path))))


#: What a native reader (GDAL through pyogrio, pyarrow, GEOS, PROJ) raises on a broken file: bad
#: WKB is a GEOSException, a nonsense CRS a pyproj CRSError (a RuntimeError), a cut FlatGeobuf an
#: IndexError, broken Parquet an ArrowInvalid (a ValueError) or OSError.
READER_ERRORS: Final = (
    DataSourceError,
    DataLayerError,
    ShapelyError,
    RuntimeError,
    ValueError,
    IndexError,
    OSError,
)


def _guarded(path: Path, read: Callable[[], T]) -> T:
    """Run a reader call and turn its errors into one readable InputError naming the file."""
    try:
        return read()
    except READER_ERRORS as error:
        raise _unreadable(path, error) from error


def _unreadable(path: Path, error: BaseException) -> InputError:
    """The InputError of a vector file a reader failed on, naming the file and the formats."""
    return InputError(
        f"{path} cannot be read as vector data ({_first_line(error)}); "
        f"supported formats: {SUPPORTED_TEXT}; the file may be truncated or of another kind"
    )


def _read_parquet(path: Path, target: str, member: str) -> SourceLayer:
    if target.startswith("/vsizip/"):
        raise InputError(
            f"{path}: GeoParquet inside a zip is not supported; unzip {member} and pass it directly"
        )
    try:
        frame = gpd.read_parquet(path)
    except READER_ERRORS as error:
        raise InputError(
            f"{path} cannot be read as GeoParquet ({_first_line(error)}); the file may be damaged, or written without GeoParquet metadata: write it again"
        ) from error
    return SourceLayer(
        frame=_flatten(frame),
        path=path,
        layer=member,
        driver="GeoParquet",
        crs_declared=frame.crs is not None,
    )


def _shapefile_text_hints(path: Path, target: str) -> tuple[str | None, int | None]:
    """The .cpg text and the DBF language-driver byte of a shapefile (loose or zipped)."""
    stem = target[: -len(".shp")] if target.lower().endswith(".shp") else target
    cpg = _read_sibling(path, target, stem, (".cpg", ".CPG"))
    dbf = _read_sibling(path, target, stem, (".dbf", ".DBF"), size=32, binary=True)
    ldid = dbf[29] if isinstance(dbf, bytes) and len(dbf) > 29 else None
    text = cpg.strip() if isinstance(cpg, str) and cpg.strip() else None
    return text, ldid or None


def _read_sibling(
    path: Path,
    target: str,
    stem: str,
    suffixes: tuple[str, ...],
    *,
    size: int = 256,
    binary: bool = False,
) -> str | bytes | None:
    for suffix in suffixes:
        sibling = Path(stem + suffix)
        if not sibling.is_file():
            continue
        with sibling.open("rb") as handle:
            data = handle.read(size)  # only the head: the part may be large
        return data if binary else data.decode("ascii", errors="replace")
    return None


def _codec_from_cpg(cpg: str) -> str | None:
    text = cpg.strip().lower().replace(" ", "")
    if text.isdigit():
        return {"65001": "utf-8", "1258": "cp1258", "1252": "cp1252", "88591": "latin-1"}.get(
            text, f"cp{text}"
        )
    for prefix in ("windows-", "ansi", "cp"):
        if text.startswith(prefix) and text[len(prefix) :].isdigit():
            return f"cp{text[len(prefix) :]}"
    return {
        "utf-8": "utf-8",
        "utf8": "utf-8",
        "latin1": "latin-1",
        "iso-8859-1": "latin-1",
        "iso88591": "latin-1",
    }.get(text)


def _geojson_declares(frame: gpd.GeoDataFrame) -> bool:
    """GDAL calls every GeoJSON WGS 84 (RFC 7946): only believe it when coordinates are degrees."""
    if frame.crs is None or not frame.crs.equals(pyproj.CRS("EPSG:4326")):
        return frame.crs is not None
    west, south, east, north = frame.total_bounds
    return bool(-180 <= west <= east <= 180 and -90 <= south <= north <= 90)


def _flatten(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop Z and M: the import works in two dimensions."""
    geometry = shapely.force_2d(frame.geometry.array)
    return frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs))


def _check_coordinates(source: SourceLayer) -> SourceLayer:
    """Features with a non-finite or impossible coordinate lose their geometry, with a note naming them.

    Nothing downstream (CRS inference, GEOS) ever sees NaN, ±inf or ±1e308;
    a file with no usable feature left is refused.
    """
    frame = source.frame
    coords, owner = shapely.get_coordinates(frame.geometry.array, return_index=True)
    bad_rows = ~(np.isfinite(coords) & (np.abs(coords) <= MAX_ABS_COORDINATE)).all(axis=1)
    bad = np.unique(owner[bad_rows])
    if not len(bad):
        return source
    if len(bad) == len(frame):
        raise InputError(
            f"{source.path} (layer {source.layer!r}): no feature has usable coordinates (all are "
            f"missing, infinite or beyond ±{MAX_ABS_COORDINATE:.0e}); export the layer again from its GIS"
        )
    geometry = frame.geometry.array.copy()
    geometry[bad] = None
    rows = ", ".join(str(i + 1) for i in bad[:MAX_ROWS_NAMED]) + (
        " …" if len(bad) > MAX_ROWS_NAMED else ""
    )
    note = (
        f"{len(bad)} features have coordinates that are missing, infinite or beyond "
        f"±{MAX_ABS_COORDINATE:.0e} (features {rows}): their geometry is dropped"
    )
    frame = frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs))
    return dataclasses.replace(source, frame=frame, notes=(*source.notes, note))


def _check_polygons(source: SourceLayer) -> SourceLayer:
    frame = source.frame
    if frame.empty:
        raise InputError(
            f"{source.path} (layer {source.layer!r}) has no features; export the layer again with its polygons"
        )
    kinds = shapely.get_type_id(frame.geometry.array)
    polygonal = (
        (kinds == 3) | (kinds == 6) | (kinds == 7)
    )  # Polygon, MultiPolygon, GeometryCollection
    if not polygonal.any():
        found = sorted(set(frame.geom_type.dropna()))
        raise InputError(
            f"{source.path} (layer {source.layer!r}) has no polygons, only {found or ['empty geometries']}; "
            "commune boundaries must be polygons: pass the polygon layer with --layer"
        )
    return source


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
