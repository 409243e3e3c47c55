"""Broken files end in an InputError naming the file, never in a native reader's traceback."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from geo.errors import InputError
from geo.reading.read import read_source


def _two_squares() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"ten_xa": ["Xã A", "Xã B"]},
        geometry=[shapely.box(105, 21, 105.1, 21.1), shapely.box(105.2, 21, 105.3, 21.1)],
        crs=4326,
    )


def _parquet_with(path: Path, *, wkb_bytes: int | None = None, crs: str | None = None) -> Path:
    _two_squares().to_parquet(path)
    table = pq.read_table(path)
    metadata = dict(table.schema.metadata)
    if wkb_bytes is not None:
        cut = pa.array(
            [g[:wkb_bytes] for g in table.column("geometry").to_pylist()], type=pa.binary()
        )
        table = table.set_column(table.schema.get_field_index("geometry"), "geometry", cut)
    if crs is not None:
        geo = json.loads(metadata[b"geo"])
        geo["columns"]["geometry"]["crs"] = crs
        metadata[b"geo"] = json.dumps(geo).encode()
    pq.write_table(table.replace_schema_metadata(metadata), path)
    return path


def test_geoparquet_with_broken_wkb_is_an_input_error(tmp_path: Path) -> None:
    path = _parquet_with(tmp_path / "xa.parquet", wkb_bytes=20)
    with pytest.raises(
        InputError, match=r"xa.parquet cannot be read as GeoParquet \(ParseException"
    ):
        read_source(path)


def test_geoparquet_with_a_nonsense_crs_is_an_input_error(tmp_path: Path) -> None:
    path = _parquet_with(tmp_path / "xa.parquet", crs="nonsense")
    with pytest.raises(InputError, match=r"xa.parquet cannot be read as GeoParquet .*nonsense"):
        read_source(path)


@pytest.mark.parametrize("damage", ["truncated", "bit-flipped"])
@pytest.mark.parametrize("n", [2, 400])  # a cut in the header, or in the features
def test_a_damaged_flatgeobuf_is_an_input_error(tmp_path: Path, damage: str, n: int) -> None:
    good = tmp_path / "good.fgb"
    squares = [shapely.box(105 + i / 1000, 21, 105.0005 + i / 1000, 21.1) for i in range(n)]
    frame = gpd.GeoDataFrame({"ten_xa": [f"Xã {i}" for i in range(n)]}, geometry=squares, crs=4326)
    frame.to_file(good, driver="FlatGeobuf")
    data = bytearray(good.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        for i in range(200, len(data), 37):
            data[i] ^= 0xFF
    path = tmp_path / "xa.fgb"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"xa.fgb cannot be read as vector data"):
        read_source(path)


def _geojson(path: Path, rings: list[list[list[float]]]) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {"ten_xa": f"Xã {i}"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for i, ring in enumerate(rings)
    ]
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return path


GOOD = [[105.0, 21.0], [105.1, 21.0], [105.1, 21.1], [105.0, 21.0]]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1e308, -1e308])
def test_a_feature_with_an_impossible_coordinate_loses_its_geometry_with_a_note(
    tmp_path: Path, bad: float
) -> None:
    ring = [[105.0, 21.0], [bad, 21.0], [105.1, 21.1], [105.0, 21.0]]
    source = read_source(_geojson(tmp_path / "xa.geojson", [GOOD, ring, GOOD]))
    assert source.frame.geometry.isna().tolist() == [False, True, False]
    assert any(
        "1 features have coordinates that are missing, infinite or beyond" in n
        and "(features 2)" in n
        for n in source.notes
    )


def test_a_file_whose_every_coordinate_is_impossible_is_refused(tmp_path: Path) -> None:
    ring = [[1e308, 21.0], [-1e308, 21.0], [105.1, 21.1], [1e308, 21.0]]
    with pytest.raises(InputError, match="no feature has usable coordinates"):
        read_source(_geojson(tmp_path / "xa.geojson", [ring, ring]))


def _lying_zip(path: Path, member: str, data: bytes, declared: int) -> Path:
    """A zip whose headers say ``member`` is ``declared`` bytes while its stream inflates to ``len(data)``."""
    import struct
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    raw = bytearray(path.read_bytes())
    local = raw.index(b"PK\x03\x04")
    struct.pack_into("<I", raw, local + 22, declared)
    central = raw.index(b"PK\x01\x02")
    struct.pack_into("<I", raw, central + 24, declared)
    path.write_bytes(bytes(raw))
    return path


def test_a_zip_that_lies_about_its_sizes_is_refused_after_the_declared_bytes(
    tmp_path: Path,
) -> None:
    features = [{"type": "Feature", "properties": {"ten_xa": "x" * 1000}, "geometry": None}] * 3000
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    assert len(data) > 3_000_000
    upload = _lying_zip(tmp_path / "ranh_gioi.zip", "xa.geojson", data, declared=2000)
    with pytest.raises(
        InputError, match=r"entry 'xa.geojson' does not unpack to what the archive's header says"
    ):
        read_source(upload)


def test_a_zipped_shapefile_is_read_with_its_code_page(tmp_path: Path) -> None:
    import zipfile

    folder = tmp_path / "shp"
    folder.mkdir()
    _two_squares().to_file(folder / "xa.shp", encoding="utf-8")
    upload = tmp_path / "xa.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, f"Ranh Gioi/{part.name}")
    source = read_source(upload)
    assert source.layer == "Ranh Gioi/xa.shp" and source.cpg == "UTF-8"
    assert len(source.frame) == 2
