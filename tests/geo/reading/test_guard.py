"""A file is only itself: no upload makes GDAL read another file or reach the network."""

from __future__ import annotations

import http.server
import sqlite3
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geo.errors import InputError
from geo.reading import read as read_module
from geo.reading.read import read_source

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{extra}<Placemark><name>Xã A</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>105,21 105.1,21 105.1,21.1 105,21.1 105,21</coordinates>
</LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>
"""


def _vrt(source: str) -> str:
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>{source}</SrcDataSource>'
        '<GeometryField encoding="WKT" field="wkt"/></OGRVRTLayer></OGRVRTDataSource>'
    )


class _Listener:
    """An HTTP server on loopback that records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.requests.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'{"type": "FeatureCollection", "features": []}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[_Listener]:
    with _Listener() as running:
        yield running


@pytest.fixture
def no_gdal(monkeypatch: pytest.MonkeyPatch) -> None:
    """GDAL must not even be asked to open the file."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"GDAL was asked to open {args}")

    monkeypatch.setattr(read_module.pyogrio, "read_info", refuse)
    monkeypatch.setattr(read_module.pyogrio, "read_dataframe", refuse)


def _secret_csv(folder: Path) -> Path:
    secret = folder / "other_session.csv"
    secret.write_text(
        'wkt,name\n"POLYGON((105 21,106 21,106 22,105 21))",secret\n', encoding="utf-8"
    )
    return secret


def test_a_vrt_named_kml_in_a_zip_is_refused_and_the_file_it_names_is_never_read(
    tmp_path: Path, no_gdal: None
) -> None:
    secret = _secret_csv(tmp_path)
    upload = tmp_path / "ranh_gioi.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("xa.kml", _vrt(str(secret)))
    with pytest.raises(InputError, match=r"member 'xa.kml', is an OGR VRT document.*not a KML"):
        read_source(upload)


def test_a_vrt_named_kml_that_points_at_the_network_sends_no_request(
    tmp_path: Path, listener: _Listener, no_gdal: None
) -> None:
    upload = tmp_path / "xa.kml"
    upload.write_text(_vrt(f"/vsicurl/{listener.url}/x.csv"), encoding="utf-8")
    with pytest.raises(InputError, match="OGR VRT"):
        read_source(upload)
    assert listener.requests == []


def test_a_kml_network_link_is_refused_and_nothing_is_fetched(
    tmp_path: Path, listener: _Listener
) -> None:
    link = f"<NetworkLink><Link><href>{listener.url}/more.kml</href></Link></NetworkLink>"
    upload = tmp_path / "xa.kml"
    upload.write_text(KML.format(extra=link), encoding="utf-8")
    with pytest.raises(InputError, match="NetworkLink"):
        read_source(upload)
    assert listener.requests == []


def test_a_kml_with_an_entity_is_refused(tmp_path: Path) -> None:
    upload = tmp_path / "xa.kml"
    entity = '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    upload.write_text(entity + KML.split("?>", 1)[1].replace("Xã A", "&x;"), encoding="utf-8")
    with pytest.raises(InputError, match="DOCTYPE|entity"):
        read_source(upload)


def test_a_marker_split_across_two_chunks_is_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.reading import guard

    monkeypatch.setattr(guard, "CHUNK_BYTES", 64)
    link = " " * 50 + "<NetworkLink><Link><href>http://x/y.kml</href></Link></NetworkLink>"
    upload = tmp_path / "xa.kml"
    upload.write_text(KML.format(extra=link), encoding="utf-8")
    with pytest.raises(InputError, match="NetworkLink"):
        read_source(upload)


def test_a_plain_kml_and_kmz_are_read(tmp_path: Path) -> None:
    upload = tmp_path / "xa.kml"
    upload.write_text(KML.format(extra=""), encoding="utf-8")
    assert len(read_source(upload).frame) == 1
    kmz = tmp_path / "xa.kmz"
    with zipfile.ZipFile(kmz, "w") as archive:
        archive.writestr("doc.kml", KML.format(extra=""))
    assert len(read_source(kmz).frame) == 1


def test_a_zip_member_that_is_not_what_its_name_says_is_refused(tmp_path: Path) -> None:
    upload = tmp_path / "ranh_gioi.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("xa.geojson", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(InputError, match=r"member 'xa.geojson', is a PNG image"):
        read_source(upload)


def _gpkg(path: Path) -> Path:
    frame = gpd.GeoDataFrame(
        {"ten_xa": ["Xã A"]}, geometry=[shapely.box(105, 21, 105.1, 21.1)], crs=4326
    )
    frame.to_file(path, layer="xa", driver="GPKG")
    return path


def _add_schema_row(path: Path, kind: str, name: str, sql: str) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA writable_schema=ON")
        connection.execute(
            "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES (?, ?, ?, 0, ?)",
            (kind, name, name, sql),
        )


def test_a_geopackage_with_a_virtual_table_over_a_file_is_refused(
    tmp_path: Path, no_gdal: None
) -> None:
    path = _gpkg(tmp_path / "xa.gpkg")
    _add_schema_row(
        path,
        "table",
        "leak",
        "CREATE VIRTUAL TABLE leak USING VirtualText('/etc/passwd', 'UTF-8', 0)",
    )
    with pytest.raises(InputError, match=r"virtual table 'leak' \(module VirtualText\)"):
        read_source(path)


def test_a_zipped_geopackage_with_a_recursive_view_is_refused(
    tmp_path: Path, no_gdal: None
) -> None:
    path = _gpkg(tmp_path / "xa.gpkg")
    sql = "CREATE VIEW forever AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
    _add_schema_row(path, "view", "forever", sql)
    upload = tmp_path / "xa.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.write(path, "xa.gpkg")
    with pytest.raises(
        InputError, match=r"member 'xa.gpkg',: the view 'forever' runs a recursive query"
    ):
        read_source(upload)


def test_a_geopackage_with_its_spatial_index_is_read(tmp_path: Path) -> None:
    path = _gpkg(tmp_path / "xa.gpkg")  # GDAL writes an rtree virtual table for the index
    with sqlite3.connect(path) as connection:
        modules = [
            r[0]
            for r in connection.execute("SELECT sql FROM sqlite_master WHERE sql LIKE '%VIRTUAL%'")
        ]
    assert any("rtree" in m for m in modules)
    assert len(read_source(path).frame) == 1


def test_gdal_reaches_no_server_even_when_asked_directly(listener: _Listener) -> None:
    import geo.reading.guard  # noqa: F401 (sets GDAL's network options on import)

    for path in (f"/vsicurl/{listener.url}/x.geojson", f"{listener.url}/x.geojson"):
        with pytest.raises(Exception):  # noqa: B017 (any GDAL failure: what matters is no request)
            pyogrio.read_info(path)
    assert listener.requests == []
