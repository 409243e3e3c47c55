"""Benchmark the bounds on hostile input (issue 15): worst case of each class next to normal files.

Every file is built in a temporary folder (the large parts streamed into the
zip, never held whole), read in its own fresh interpreter so that its peak
memory is clean, and the time, the peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) and the outcome are written to
the ``bounds`` section of BENCHMARKS.md. Table cases are read in process
(``VNCOVER_READ_ISOLATION=0``), so the peak is the reader's own; the cases
marked *isolated* read through :func:`geo.reading.isolate.read_isolated` with
the default limits, where the peak is this process's and the child is held to
``VNCOVER_READ_MEMORY_MB`` by ``RLIMIT_AS``.

Usage (from the project root)::

    python bench/bench_bounds.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(PROJECT_ROOT))

PROVINCE_FILE = (
    PROJECT_ROOT.parent
    / "shared"
    / "data"
    / "realworld"
    / "communes_2025_by_province"
    / "68.geojson"
)
FAR_CELL = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
HEADER = ("Tỉnh", "Xã", "Thôn", "Số hộ", "Số hộ có cáp quang")


def xlsx(
    path: Path,
    rows: Iterable[bytes],
    *,
    merge: bytes = b"",
    parts: dict[str, Iterable[bytes]] | None = None,
) -> Path:
    """A one-sheet workbook whose sheet data is ``rows`` (XML), streamed into the zip."""
    import openpyxl

    openpyxl.Workbook().save(path)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    sheet = files.pop("xl/worksheets/sheet1.xml")
    head = sheet[: sheet.index(b"<sheetData")] + b"<sheetData>"
    tail = (
        b"</sheetData>"
        + (
            b'<mergeCells count="1"><mergeCell ref="' + merge + b'"/></mergeCells>'
            if merge
            else b""
        )
        + b"</worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for name, chunks in {
            "xl/worksheets/sheet1.xml": _framed(head, rows, tail),
            **(parts or {}),
        }.items():
            with archive.open(name, "w", force_zip64=True) as stream:
                for chunk in chunks:
                    stream.write(chunk)
    return path


def _framed(head: bytes, rows: Iterable[bytes], tail: bytes) -> Iterator[bytes]:
    yield head
    yield from rows
    yield tail


def table_rows(n: int, *, columns: int = 5) -> Iterator[bytes]:
    """A header and ``n`` village rows (text, text, text, numbers), with cell references."""
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for i, h in enumerate(HEADER[:columns])
    )
    yield f'<row r="1">{header}</row>'.encode()
    for r in range(2, n + 2):
        yield (
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Tuyên Quang</t></is></c>'
            f'<c r="B{r}" t="inlineStr"><is><t>Xã {r // 20}</t></is></c>'
            f'<c r="C{r}" t="inlineStr"><is><t>Thôn {r % 20}</t></is></c>'
            f'<c r="D{r}"><v>{100 + r % 50}</v></c><c r="E{r}"><v>{r % 50}</v></c></row>'
        ).encode()


def repeated(piece: bytes, total_bytes: int) -> Iterator[bytes]:
    block = piece * max(1, (1024**2) // len(piece))
    for _ in range(total_bytes // len(block)):
        yield block


def cross_join_view(path: Path) -> Path:
    """A GeoPackage whose layer ``slow`` is a view of a 300-row table joined with itself 4 times."""
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"ma_xa": [f"{i:05d}" for i in range(300)]},
        geometry=[shapely.box(105 + i / 1000, 21, 105.001 + i / 1000, 21.001) for i in range(300)],
        crs="EPSG:4326",
    )
    frame.to_file(path, layer="xa", driver="GPKG")
    with sqlite3.connect(path) as db:
        srs = db.execute("select srs_id from gpkg_contents").fetchone()[0]
        db.execute(
            "create view slow as select a.fid as fid, a.geom as geom, a.ma_xa as ma_xa "
            "from xa a, xa b, xa c, xa d"
        )
        db.execute(
            "insert into gpkg_contents (table_name, data_type, identifier, srs_id) "
            "values ('slow', 'features', 'slow', ?)",
            (srs,),
        )
        db.execute(
            "insert into gpkg_geometry_columns values ('slow', 'geom', 'POLYGON', ?, 0, 0)", (srs,)
        )
    return path


def _table(build: Callable[[Path], Path]) -> Callable[[Path], str]:
    def run(folder: Path) -> str:
        from geo.reading.tables import read_table

        read = read_table(build(folder))
        return f"read: {len(read.rows):,} rows"

    return run


def _calamine(path: str) -> int:
    import python_calamine

    return len(python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python())


def _rows(path: Path) -> int:
    from geo.reading.tables import read_table

    return len(read_table(path).rows)


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024**2))


def _isolated(
    call: Callable[[Path], tuple[Callable[..., object], tuple[object, ...], dict[str, object]]],
) -> Callable[[Path], str]:
    def run(folder: Path) -> str:
        from geo.reading.isolate import read_isolated

        read, args, what = call(folder)
        result = read_isolated(read, *args, what=what)
        return f"read: {result:,} rows" if read is _rows else f"read: {result!r}"

    return run


def _import(path: Path) -> str:
    from geo.importing.import_boundaries import import_boundaries

    result = import_boundaries(path)
    return f"imported: {result.n_matched:,} of {result.n_features:,} matched"


def lying_zip(path: Path, total_bytes: int, declared: int = 2000) -> Path:
    """A zip whose headers say its GeoJSON is ``declared`` bytes while the stream inflates to ``total_bytes``."""
    import struct

    head = b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("xa.geojson", "w", force_zip64=True) as stream:
            for chunk in _framed(head, repeated(b"x" * 4096, total_bytes), b'"}}]}'):
                stream.write(chunk)
    with path.open("r+b") as out:  # the sizes in both headers; zip64 extra fields left as they are
        raw = out.read(64)
        out.seek(raw.index(b"PK\x03\x04") + 22)
        out.write(struct.pack("<I", declared))
        size = path.stat().st_size
        tail_start = max(0, size - 1024)
        out.seek(tail_start)
        tail = out.read()
        central = tail_start + tail.index(b"PK\x01\x02")
        out.seek(central + 24)
        out.write(struct.pack("<I", declared))
    return path


def _province_with(folder: Path, change: Callable[[dict[str, object]], None]) -> Path:
    """The real-world province file with ``change`` applied to its parsed GeoJSON."""
    document = json.loads(PROVINCE_FILE.read_text(encoding="utf-8"))
    change(document)
    path = folder / "xa.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _far_coordinates(document: dict[str, object]) -> None:
    """Every tenth feature's first coordinate moved to 1e308 (what a broken export writes)."""
    for feature in document["features"][::10]:  # type: ignore[index]
        ring = feature["geometry"]["coordinates"][0]
        while isinstance(ring[0][0], list):  # MultiPolygon: the first ring of the first part
            ring = ring[0]
        ring[0] = [1e308, ring[0][1]]


def _truncated_flatgeobuf(folder: Path) -> Path:
    import geopandas as gpd

    good = folder / "good.fgb"
    gpd.read_file(PROVINCE_FILE).to_file(good, driver="FlatGeobuf")
    path = folder / "xa.fgb"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return path


def _vrt_as_kml(folder: Path) -> Path:
    secret = folder / "secret.csv"
    secret.write_text('wkt,name\n"POLYGON((105 21,106 21,106 22,105 21))",secret\n')
    path = folder / "ranh_gioi.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "xa.kml",
            f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>{secret}</SrcDataSource>'
            '<GeometryField encoding="WKT" field="wkt"/></OGRVRTLayer></OGRVRTDataSource>',
        )
    return path


#: name → (what it is, build-and-read in a folder → outcome text)
CASES: dict[str, tuple[str, Callable[[Path], str]]] = {
    "province_table": (
        "normal: a province's village table, 5,000 rows (.xlsx)",
        _table(lambda f: xlsx(f / "province.xlsx", table_rows(5_000))),
    ),
    "largest_table": (
        "largest sheet within the caps: 599,000 rows × 5 = 3 M cells (.xlsx)",
        _table(lambda f: xlsx(f / "largest.xlsx", table_rows(599_000))),
    ),
    "largest_table_isolated": (
        "the same, isolated (VNCOVER_READ_* defaults)",
        _isolated(
            lambda f: (_rows, (xlsx(f / "largest.xlsx", table_rows(599_000)),), "largest.xlsx")
        ),
    ),
    "far_cell": (
        "one value at XFD1048576 (5 KB .xlsx)",
        _table(lambda f: xlsx(f / "far.xlsx", [*table_rows(3), FAR_CELL])),
    ),
    "merged": (
        "merged range A3:XFD1048576 over 3 rows",
        _table(lambda f: xlsx(f / "merged.xlsx", table_rows(3), merge=b"A3:XFD1048576")),
    ),
    "shared_strings": (
        "150 M shared strings (1.8 GB of XML)",
        _table(
            lambda f: xlsx(
                f / "strings.xlsx",
                table_rows(3),
                parts={"xl/sharedStrings.xml": repeated(b"<si><t/></si>", 150_000_000 * 12)},
            )
        ),
    ),
    "huge_sheet": (
        "a 3.5 GB sheet (cells without references, 2 per row)",
        _table(
            lambda f: xlsx(
                f / "huge.xlsx",
                repeated(b"<row><c><v>1</v></c><c><v>2</v></c></row>", 3_500 * 1024**2),
            )
        ),
    ),
    "wide_csv": (
        "CSV of two rows with 2 M commas",
        _table(
            lambda f: _write(
                f / "wide.csv", b"Xa,So ho" + b"," * 2_000_000 + b"\nPhuong Minh Xuan,300\n"
            )
        ),
    ),
    "long_field": (
        "CSV with one 200 MB field (an unclosed quote)",
        _table(lambda f: _write(f / "long.csv", b'Xa,So ho\n"' + b"x" * 200 * 1024**2 + b"\n")),
    ),
    "province_boundaries": (
        "normal: a province's boundary file (68.geojson, real-world), isolated",
        lambda f: _import(PROVINCE_FILE),
    ),
    "province_boundaries_in_process": (
        "the same, read in process (VNCOVER_READ_ISOLATION=0)",
        lambda f: _import(PROVINCE_FILE),
    ),
    "lying_zip": (
        "zip whose headers say 2,000 bytes, its stream inflating to 3 GB, isolated",
        lambda f: _import(lying_zip(f / "ranh_gioi.zip", 3 * 1024**3)),
    ),
    "far_coordinates": (
        "the province file with every tenth feature at x = 1e308, isolated",
        lambda f: _import(_province_with(f, _far_coordinates)),
    ),
    "truncated_flatgeobuf": (
        "the province file as FlatGeobuf cut in half, isolated",
        lambda f: _import(_truncated_flatgeobuf(f)),
    ),
    "vrt_as_kml": (
        "a zip holding an OGR VRT named .kml that names a file beside it, isolated",
        lambda f: _import(_vrt_as_kml(f)),
    ),
    "view": (
        "GeoPackage view with a 4-way cross join (8·10⁹ rows), isolated",
        lambda f: _view(cross_join_view(f / "slow.gpkg")),
    ),
    "native_abort": (
        "calamine alone (no caps) on the far cell, isolated: a Rust abort",
        _isolated(
            lambda f: (
                _calamine,
                (str(xlsx(f / "far.xlsx", [*table_rows(3), FAR_CELL])),),
                "far.xlsx",
            )
        ),
    ),
    "memory_cap": (
        "a read allocating 3 GB, isolated",
        _isolated(lambda f: (_allocate, (3000,), "a 3,000 MB allocation")),
    ),
}
ISOLATED = {
    "largest_table_isolated",
    "province_boundaries",
    "lying_zip",
    "far_coordinates",
    "truncated_flatgeobuf",
    "vrt_as_kml",
    "view",
    "native_abort",
    "memory_cap",
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _view(path: Path) -> str:
    from geo.importing.import_boundaries import ImportOptions, import_boundaries

    return f"imported {import_boundaries(path, options=ImportOptions(layer='slow')).n_features}"


def run_one(name: str) -> dict[str, object]:
    """Build and read case ``name`` in this process; the outcome, seconds and peak memory."""
    from geo.errors import CoverageError

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        try:
            outcome = CASES[name][1](Path(folder))
        except CoverageError as error:
            outcome = f"{type(error).__name__}: {error}"
        seconds = time.perf_counter() - start
    return {
        "outcome": outcome,
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure(name: str) -> dict[str, object]:
    """Run :func:`run_one` in a fresh interpreter (isolation as the case says) and parse its JSON line."""
    environment = {**os.environ, "VNCOVER_READ_ISOLATION": "1" if name in ISOLATED else "0"}
    done = subprocess.run(
        [sys.executable, __file__, "--one", name],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
        env=environment,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown(results: dict[str, dict[str, object]]) -> str:
    lines = [
        "## Bounds on hostile input (issue 15)",
        "",
        "`python bench/bench_bounds.py`: each file built in a temporary folder and read in a fresh "
        "interpreter. Time includes building the file (the 3.5 GB and 1.8 GB streams take most of "
        "theirs). Peak = this process's maximum resident memory; for the *isolated* cases the read "
        "runs in a child held to 2,048 MiB of address space (`VNCOVER_READ_MEMORY_MB`) and "
        "60 s (`VNCOVER_READ_TIMEOUT_S`).",
        "",
        "| case | time (s) | peak (MB) | outcome |",
        "|---|---:|---:|---|",
    ]
    for name, result in results.items():
        outcome = str(result["outcome"]).replace("|", "\\|").replace("\n", " ")
        if len(outcome) > 240:
            outcome = outcome[:237] + "…"
        lines.append(
            f"| {CASES[name][0]} | {result['seconds']:.1f} | {result['peak_mb']:.0f} | {outcome} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", help="run one case in this process (internal)")
    parser.add_argument("--cases", nargs="*", default=list(CASES), help="cases to run")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    from bench._report import write_section

    results = {}
    for name in args.cases:
        results[name] = measure(name)
        print(name, results[name], flush=True)
    print(write_section("bounds", markdown(results)))


if __name__ == "__main__":
    main()
