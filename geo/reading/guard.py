"""A file is only itself: nothing in an uploaded file makes GDAL read another file or the network.

GDAL opens whatever a file says it is: an OGR VRT document named ``.kml``
opens the data source it names (any file on the server, ``/vsicurl/http://…``),
a KML ``NetworkLink`` names a document to fetch, an XML entity can pull in a
file, and an SQLite database can declare a virtual table over a file outside
it. So before GDAL sees a file (or a member of an archive), its *content* is
checked against the one kind its name promises, and every construct that
points outside the file is refused:

- a KML whose root element is not ``<kml>`` (an OGR VRT, any other XML), or
  that holds a ``NetworkLink``, a ``<!DOCTYPE``/``<!ENTITY`` declaration, or an
  ``<OGRVRTDataSource>``;
- a GeoPackage whose schema declares a virtual table other than SQLite's own
  R*Tree and full-text modules (SpatiaLite's ``VirtualShape``, ``VirtualOGR``,
  ``VirtualText`` … read files by name), or a view with a recursive query
  (which can run for ever);
- a member of an archive whose first bytes contradict its extension.

GDAL's own network access is switched off as well (:data:`GDAL_OFFLINE`, set
once when this module is imported), so a path that slipped through could not
reach a server either: ``/vsicurl/`` accepts no file and every HTTP request
fails at once on a proxy that is not there.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pyogrio

from geo.errors import InputError
from geo.reading.sniff import check_head_kind

#: GDAL configuration that keeps every read on this machine (set once, process-wide).
GDAL_OFFLINE: Final[dict[str, str]] = {
    # /vsicurl/ (and /vsis3/, /vsigs/ … built on it) only opens files with these extensions: none.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".vncover-no-network",
    # Every other HTTP request (WFS, OAPIF, HTTP driver, KML links) goes to a proxy that does not exist.
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    # PROJ must not download grids either.
    "PROJ_NETWORK": "OFF",
    # Never run Python code named in a VRT, never follow a VRT's sources.
    "GDAL_VRT_ENABLE_PYTHON": "NO",
}
#: Bytes read at a time while scanning a KML.
CHUNK_BYTES: Final = 1 << 20
#: SQLite virtual-table modules a GeoPackage may use (spatial index, full text): none reads a file.
SAFE_SQLITE_MODULES: Final = frozenset({"rtree", "rtree_i32", "fts3", "fts4", "fts5"})

_KML_ROOT: Final = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]")
_KML_FORBIDDEN: Final[tuple[tuple[bytes, str], ...]] = (
    (b"<ogrvrtdatasource", "an OGR VRT data source (a document that makes GDAL open another file)"),
    (b"<!entity", "an XML entity declaration (it can pull another file into this one)"),
    (b"<!doctype", "an XML DOCTYPE declaration (it can pull another file into this one)"),
    (b"<networklink", "a KML NetworkLink (a link GDAL would fetch from another server)"),
    (b":networklink", "a KML NetworkLink (a link GDAL would fetch from another server)"),
)
_OVERLAP: Final = 32  # bytes kept between chunks so a marker split across two is still seen
_VIRTUAL: Final = re.compile(r"create\s+virtual\s+table\s+.*?\busing\s+([\w]+)", re.I | re.S)


def apply_gdal_offline() -> None:
    """Set :data:`GDAL_OFFLINE` in GDAL (idempotent)."""
    pyogrio.set_gdal_config_options(GDAL_OFFLINE)


def check_contents(path: Path, member: str | None = None) -> None:
    """Refuse ``path`` (or its archive ``member``) when its content points outside itself.

    Raises
    ------
    InputError
        Naming the file (and member), what was found in it and what to do.
    """
    name = member or path.name
    where = f"{path}" if member is None else f"{path}, member {member!r},"
    suffix = Path(name).suffix.lower()
    try:
        if member is not None:
            with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
                head = stream.read(512)
            check_head_kind(head, suffix, where)
        if suffix == ".kml":
            _check_kml(_chunks(path, member), where)
        elif suffix == ".gpkg":
            _check_sqlite(path, member, where)
    except zipfile.BadZipFile as error:
        raise InputError(
            f"{path}: entry {member!r} does not unpack to what the archive's header says ({error}); "
            "the archive is damaged or forged: zip the files again"
        ) from error


def _chunks(path: Path, member: str | None) -> Iterator[bytes]:
    if member is None:
        with path.open("rb") as stream:
            yield from iter(lambda: stream.read(CHUNK_BYTES), b"")
    else:
        with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
            yield from iter(lambda: stream.read(CHUNK_BYTES), b"")


def _check_kml(chunks: Iterator[bytes], where: str) -> None:
    """The root element is ``kml`` and nothing in the document points outside it."""
    tail = b""
    first = True
    for chunk in chunks:
        window = (tail + chunk).lower()
        if first:
            _check_kml_root(window, where)
            first = False
        for marker, what in _KML_FORBIDDEN:
            if marker in window:
                raise InputError(
                    f"{where} holds {what}; refused without reading it. Export the boundaries "
                    "again as a plain KML/KMZ, GeoPackage or shapefile"
                )
        tail = window[-_OVERLAP:]


def _check_kml_root(window: bytes, where: str) -> None:
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", window.removeprefix(b"\xef\xbb\xbf"), flags=re.S)
    if body.lstrip().startswith((b"<!doctype", b"<!entity")):
        return  # reported by the scan, with its reason
    root = _KML_ROOT.search(body)
    name = root.group(1).decode("ascii", "replace") if root else ""
    if name != "kml":
        what = (
            "an OGR VRT document (it makes GDAL open another file)"
            if name == "ogrvrtdatasource"
            else f"an XML document whose root is <{name or '?'}>"
        )
        raise InputError(
            f"{where} is {what}, not a KML document (root <kml>); refused without reading it. "
            "Give the KML/KMZ exported from Google Earth or a GIS, or a GeoPackage or shapefile"
        )


def _check_sqlite(path: Path, member: str | None, where: str) -> None:
    """No virtual table over outside files, no recursive view, in a GeoPackage's schema."""
    if member is None:
        _check_schema(_schema(path), where)
        return
    with tempfile.TemporaryDirectory(prefix="vncover-gpkg-") as folder:
        copy = Path(folder) / "member.gpkg"
        with zipfile.ZipFile(path) as archive, archive.open(member) as src, copy.open("wb") as dst:
            for chunk in iter(lambda: src.read(CHUNK_BYTES), b""):
                dst.write(chunk)
        _check_schema(_schema(copy), where)


def _schema(path: Path) -> list[tuple[str, str, str]]:
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        with sqlite3.connect(uri, uri=True) as connection:
            rows = connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as error:
        raise InputError(
            f"{path} is not a readable GeoPackage ({error}); copy or export it again"
        ) from error
    return [(str(t), str(n), str(s or "")) for t, n, s in rows]


def _check_schema(rows: list[tuple[str, str, str]], where: str) -> None:
    for kind, name, sql in rows:
        module = _VIRTUAL.search(sql)
        if module and module.group(1).lower() not in SAFE_SQLITE_MODULES:
            raise InputError(
                f"{where} declares the virtual table {name!r} (module {module.group(1)}), which reads data "
                "from outside the GeoPackage; refused. Save the layer again as a plain GeoPackage table"
            )
        if kind == "view" and re.search(r"\bwith\s+recursive\b", sql, re.I):
            raise InputError(
                f"{where}: the view {name!r} runs a recursive query, which can run for ever; refused. "
                "Save the layer again as a plain GeoPackage table"
            )


apply_gdal_offline()
