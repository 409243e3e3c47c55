"""Benchmark: a province's fibre table uploaded on the Data page, from the click to the map's data.

Run: ``python -m bench.bench_upload``. On the app's own data folder (the
embedded national boundaries and the DEMO coverage inputs), a Cà Mau-sized
fibre table (the DEMO table's rows of one province, names only, a later
report date) is put on the map two ways:

- **whole pipeline** (what the page did before): every input computed again
  with the upload as one more fibre table: mobile coverage and population per
  commune, every table read and matched, roll-ups, legacy layers, geometry
  simplified for the browser (:func:`application.display.display_data`, its
  disk cache empty for these inputs);
- **incremental** (the page now): the upload read and matched, merged into
  the data on screen, ratios, targets, roll-ups and legacy layers recomputed on
  the prepared geometry (:func:`application.increment.with_uploads`), with the
  default data and the boundaries' context already in memory as in a running
  app; the first upload of a process also computes that context once, timed apart.

Writes its section of BENCHMARKS.md.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from bench._report import write_section
from geo import schema as s

ROOT = Path(__file__).resolve().parent.parent
PROVINCE = "Cà Mau"
REPEAT = 3


def _province_table(national: Path, folder: Path) -> tuple[Path, int]:
    """The national DEMO table's rows of one province, names only, dated after it."""
    table = pd.read_excel(national, header=1, dtype=str, engine="calamine")
    rows = table[table["Tỉnh/thành phố"].str.contains(PROVINCE, na=False)]
    rows = rows.drop(columns=["STT", "Mã tỉnh", "Mã xã"]).assign(**{"Ngày báo cáo": "2026-11-30"})
    path = folder / "cap_quang_ca_mau.xlsx"
    rows.to_excel(path, index=False, sheet_name="Cáp quang")
    return path, len(rows)


def _timed(run: Callable[[], object]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def _fresh_context(boundaries: Path, cache: Path) -> object:
    """The boundaries' context as a new process gets it: from the disk cache, not from memory."""
    from application.increment import boundary_context, forget_contexts

    forget_contexts()
    return boundary_context(boundaries, cache_dir=cache)


def main() -> None:
    """Measure both ways and write the section."""
    from application.app_data import discover_inputs
    from application.display import display_data
    from application.increment import TableUpload, boundary_context, read_upload, with_uploads
    from application.uploads import content_digest
    from geo.reading.boundaries import boundaries_file

    data_dir = ROOT / "data"
    inputs = discover_inputs(data_dir, boundaries_file(data_dir / "boundaries" / s.BOUNDARIES_FILE))
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as work:
        folder = Path(work)
        table, n_rows = _province_table(inputs.tables(s.FIBRE)[0], folder)
        cache = folder / "cache"
        base_s, base = _timed(lambda: display_data(inputs, cache_dir=cache))
        upload = TableUpload(s.FIBRE, table, content_digest(table.read_bytes()))
        context_s, context = _timed(lambda: boundary_context(inputs.boundaries, cache_dir=cache))
        reread_s, _ = _timed(lambda: _fresh_context(inputs.boundaries, cache))
        reads, merges, changes = [], [], ()
        for _ in range(REPEAT):
            read_s, part = _timed(lambda: read_upload(upload, context, inputs.population))
            merge_s, (_, changes) = _timed(
                lambda part=part: with_uploads(base, (upload,), (part,), context)
            )
            reads.append(read_s)
            merges.append(merge_s)
        full_inputs = replace(inputs, fibre=(*inputs.tables(s.FIBRE), table))
        full_s, _ = _timed(lambda: display_data(full_inputs, cache_dir=folder / "cold"))
    change = changes[0]
    read_s, merge_s = statistics.median(reads), statistics.median(merges)
    rows = [
        ("whole pipeline, as before (cold disk cache)", full_s),
        ("incremental, upload to map data (median of 3)", read_s + merge_s),
        ("· read and match the table (done for the preview, before the click)", read_s),
        ("· merge and recompute (after the click)", merge_s),
        ("once per boundaries file: their context computed", context_s),
        ("· … or read back from the disk cache by a new process", reread_s),
    ]
    lines = [
        "## Upload of a province's fibre table (Data page)",
        "",
        f"A {PROVINCE} fibre table of {n_rows} communes (names only, as a province sends it) "
        "put on the map of the app's own data (embedded national boundaries, DEMO coverage). "
        f"It updated {len(change.updated)} communes of {', '.join(change.provinces)}; "
        f"{len(change.report)} rows not counted. Issue 14 measured 23–31 s per upload in the app.",
        "",
        "| Path | Seconds |",
        "|---|---:|",
        *(f"| {name} | {seconds:.2f} |" for name, seconds in rows),
        "",
        f"Default data computed once (cold): {base_s:.1f} s. The map page's rerun that draws "
        "the result is measured by `bench_map`.",
    ]
    write_section("upload", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
