"""Benchmark: export the national commune layer in every format; build the 34-province atlas.

Run: ``python -m bench.bench_export [IND.gpkg]``. Without an argument it builds
the indicators of the embedded boundaries (no coverage inputs) in a temporary
folder. Writes its section of BENCHMARKS.md.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from bench._report import write_section
from geo import schema as s

ROOT = Path(__file__).resolve().parent.parent
COLUMN = s.PCT_HOUSEHOLDS_FIBRE


def _timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _indicators(folder: Path) -> Path:
    from geo.indicators.build import Inputs, build_indicators, write_indicators

    gpkg, _ = write_indicators(
        build_indicators(Inputs(boundaries=ROOT / "data" / "boundaries" / s.BOUNDARIES_FILE)),
        folder / "ind.gpkg",
    )
    return gpkg


def main(argv: list[str]) -> int:
    from layers import atlas, export, html_export, mapsheet

    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        out = Path(folder)
        ind = Path(argv[0]) if argv else _indicators(out)
        frame, metadata = export.read_indicator_layer(ind)
        rows = []
        for fmt in export.FORMATS:
            path = out / f"communes.{fmt}"
            seconds = _timed(
                lambda path=path, fmt=fmt: export.write_export(
                    frame, path, fmt=fmt, metadata=metadata
                )
            )
            rows.append((fmt, seconds, path.stat().st_size))
        html = out / "communes.html"
        rows.append(
            (
                "html (offline map)",
                _timed(
                    lambda: html_export.write_html(frame, html, column=COLUMN, metadata=metadata)
                ),
                html.stat().st_size,
            )
        )
        for fmt, dpi in (("png", 300), ("pdf", 300)):
            path = out / f"sheet.{fmt}"
            rows.append(
                (
                    f"{fmt} map sheet, A4 {dpi} dpi, whole country",
                    _timed(
                        lambda path=path, dpi=dpi: mapsheet.write_mapsheet_from_gpkg(
                            ind, path, column=COLUMN, dpi=dpi
                        )
                    ),
                    path.stat().st_size,
                )
            )
        pdf = out / "atlas.pdf"
        pages: list[int] = []
        seconds = _timed(lambda: pages.append(atlas.write_atlas(ind, pdf, column=COLUMN)))
        rows.append((f"atlas, {pages[0]} pages (34 provinces)", seconds, pdf.stat().st_size))
    lines = [
        "## Exports (`bench/bench_export.py`)",
        "",
        f"National commune layer ({len(frame)} communes) from `{ind.name if argv else 'build-indicators of the embedded boundaries'}`.",
        "",
        "| Output | Seconds | Size (MB) |",
        "|---|---:|---:|",
        *(f"| {name} | {sec:.2f} | {size / 1e6:.1f} |" for name, sec, size in rows),
        "",
        f"Peak memory of the whole run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (ru_maxrss).",
    ]
    print("\n".join(lines))
    write_section("export", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
