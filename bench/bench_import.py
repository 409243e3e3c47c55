"""Benchmark ``python -m geo import-boundaries`` on the national files.

Imports, each in its own subprocess so that its peak memory is clean
(``resource.getrusage(RUSAGE_SELF).ru_maxrss`` read by the child at the end):

- the national 2025 file (``vn_2025_admin.gpkg``, layer ``communes_2025``, 3,321);
- the national legacy file (``vn_legacy_admin.gpkg``, layer ``communes_legacy``,
  11,047 of which ~9,300 carry a GSO code; the rest are pre-2010 units with no
  current code, see SOURCES.md), whose match rate is measured against the
  features that carry a code;

and writes time, peak memory, match rates, the CRS evidence and the geometry
totals to the ``import`` section of BENCHMARKS.md.

Usage (from the project root)::

    python bench/bench_import.py
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(PROJECT_ROOT))

SHARED = PROJECT_ROOT.parent / "shared" / "data" / "boundaries"
CASES = (
    ("national 2025", SHARED / "vn_2025_admin.gpkg", "communes_2025"),
    ("national legacy", SHARED / "vn_legacy_admin.gpkg", "communes_legacy"),
)


def run_one(path: Path, layer: str, out: Path) -> dict[str, object]:
    """Import and write one file in this process; return the measurements."""
    import geopandas as gpd

    from geo.importing.import_boundaries import ImportOptions, import_boundaries, write_import

    start = time.perf_counter()
    result = import_boundaries(path, options=ImportOptions(layer=layer))
    imported = time.perf_counter()
    write_import(result, out)
    written = time.perf_counter()
    source = gpd.read_file(path, layer=layer, columns=["commune_code"], ignore_geometry=True)[
        "commune_code"
    ]
    has_code = source.notna().to_numpy()
    same = (result.report["commune_code"].to_numpy() == source.to_numpy()) & has_code
    return {
        "import_s": imported - start,
        "write_s": written - imported,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "features": result.n_features,
        "matched": result.n_matched,
        "with_code": int(has_code.sum()),
        "same_code": int(same.sum()),
        "unique": bool(result.communes["commune_code"].is_unique),
        "summary": result.summary_lines(),
    }


def measure(path: Path, layer: str) -> dict[str, object]:
    """Run :func:`run_one` in a fresh interpreter and parse its JSON line."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable,
            __file__,
            "--one",
            str(path),
            layer,
            str(Path(folder) / "out.gpkg"),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def to_markdown(rows: list[tuple[str, dict[str, object]]]) -> str:
    lines = [
        "## Import of commune boundaries (`python -m geo import-boundaries`)",
        "",
        "| file | features | matched | carrying a GSO code → same code | import | write | peak memory |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, m in rows:
        coded = f"{m['same_code']:,} of {m['with_code']:,} ({100 * m['same_code'] / max(m['with_code'], 1):.2f}%)"
        lines.append(
            f"| {name} | {m['features']:,} | {m['matched']:,} ({100 * m['matched'] / m['features']:.1f}%) | {coded} "
            f"| {m['import_s']:.1f} s | {m['write_s']:.1f} s | {m['peak_mb']:.0f} MB |"
        )
    lines += [
        "",
        "Each import ran in its own process (peak = `ru_maxrss`). No commune was matched twice: "
        + ", ".join(f"{n}: {'yes' if m['unique'] else 'NO'}" for n, m in rows)
        + ".",
    ]
    for name, m in rows:
        lines += ["", f"`{name}` summary:", "", "```", *m["summary"], "```"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=3, metavar=("PATH", "LAYER", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        path, layer, out = args.one
        print(json.dumps(run_one(Path(path), layer, Path(out))))
        return
    missing = [str(p) for _, p, _ in CASES if not p.is_file()]
    if missing:
        sys.exit(f"test-only data not found: {missing}; the benchmark needs ../shared/data")
    from bench._report import write_section

    rows = [(name, measure(path, layer)) for name, path, layer in CASES]
    markdown = to_markdown(rows)
    print(markdown)
    print(f"wrote {write_section('import', markdown)}")


if __name__ == "__main__":
    main()
