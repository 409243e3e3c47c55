"""Benchmark ``python -m geo import-boundaries`` on the national files, cleaned and real-world.

Imports, each in its own subprocess so that its peak memory is clean
(``resource.getrusage(RUSAGE_SELF).ru_maxrss`` read by the child at the end):

- the national 2025 file (``vn_2025_admin.gpkg``, layer ``communes_2025``, 3,321);
- the national legacy file (``vn_legacy_admin.gpkg``, layer ``communes_legacy``,
  11,047 of which ~9,300 carry a GSO code; the rest are pre-2010 units with no
  current code, see SOURCES.md), whose match rate is measured against the
  features that carry a code;
- the real-world files as published (``../shared/data/realworld``): GADM's
  national district file (710 legacy districts, the one national real-world
  file), and the twelve 2025 province files and the twelve GADM legacy-commune
  province files each merged into one file (12 of 34 provinces: the largest
  real-world commune files there are). The merged files are written to a
  temporary folder, never to the repository.

and writes time, peak memory, match rates (or the refusal), the CRS evidence and
the geometry totals to the ``import`` section of BENCHMARKS.md.

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

DATA = PROJECT_ROOT.parent / "shared" / "data"
SHARED = DATA / "boundaries"
REALWORLD = DATA / "realworld"
# (name, path, layer or "", code column of the source or "")
CLEANED = (
    ("national 2025", SHARED / "vn_2025_admin.gpkg", "communes_2025", "commune_code"),
    ("national legacy", SHARED / "vn_legacy_admin.gpkg", "communes_legacy", "commune_code"),
)
GADM_DISTRICTS = REALWORLD / "gadm41_level2_districts.json"
MERGED = (  # real-world name → the province files merged into one national-style file
    ("real-world 2025, 12 provinces", "communes_2025_by_province/*.geojson"),
    ("real-world GADM legacy communes, 12 provinces", "gadm41_level3_by_2025_province/*.json"),
)


def run_one(path: Path, layer: str, code_column: str, out: Path) -> dict[str, object]:
    """Import and write one file in this process; return the measurements (or the refusal)."""
    import geopandas as gpd

    from geo.errors import CoverageError
    from geo.importing.import_boundaries import ImportOptions, import_boundaries, write_import
    from geo.importing.matching import pad_code

    start = time.perf_counter()
    try:
        result = import_boundaries(path, options=ImportOptions(layer=layer or None))
    except CoverageError as error:
        return {
            "import_s": time.perf_counter() - start,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "refused": f"{type(error).__name__}: {error}",
        }
    imported = time.perf_counter()
    write_import(result, out)
    written = time.perf_counter()
    measured: dict[str, object] = {
        "import_s": imported - start,
        "write_s": written - imported,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "features": result.n_features,
        "matched": result.n_matched,
        "unique": bool(result.communes["commune_code"].is_unique),
        "summary": result.summary_lines(),
    }
    if code_column:
        source = gpd.read_file(
            path, layer=layer or None, columns=[code_column], ignore_geometry=True
        )[code_column].map(pad_code)  # one real-world file lost a leading zero upstream
        has_code = source.notna().to_numpy()
        same = (result.report["commune_code"].to_numpy() == source.to_numpy()) & has_code
        measured |= {"with_code": int(has_code.sum()), "same_code": int(same.sum())}
    return measured


def merge_files(pattern: str, out: Path) -> Path:
    """The real-world files matching ``pattern`` as one GeoJSON ``out`` (columns: their union)."""
    import geopandas as gpd
    import pandas as pd

    frames = [gpd.read_file(p) for p in sorted(REALWORLD.glob(pattern))]
    merged = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    merged.to_file(out, driver="GeoJSON")
    return out


def measure(path: Path, layer: str, code_column: str) -> dict[str, object]:
    """Run :func:`run_one` in a fresh interpreter and parse its JSON line."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable,
            __file__,
            "--one",
            str(path),
            layer,
            code_column,
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
        if "refused" in m:
            lines.append(
                f"| {name} | – | refused (exit 2) | – | {m['import_s']:.1f} s | – | {m['peak_mb']:.0f} MB |"
            )
            continue
        coded = (
            f"{m['same_code']:,} of {m['with_code']:,} ({100 * m['same_code'] / max(m['with_code'], 1):.2f}%)"
            if "with_code" in m
            else "no GSO code column"
        )
        lines.append(
            f"| {name} | {m['features']:,} | {m['matched']:,} ({100 * m['matched'] / m['features']:.1f}%) | {coded} "
            f"| {m['import_s']:.1f} s | {m['write_s']:.1f} s | {m['peak_mb']:.0f} MB |"
        )
    imported = [(n, m) for n, m in rows if "refused" not in m]
    lines += [
        "",
        "Each import ran in its own process (peak = `ru_maxrss`). The real-world 12-province files "
        "are the published province files merged into one (written to a temporary folder). "
        "On a machine shared with other jobs the times vary up to 2× between runs. "
        "No commune was matched twice: "
        + ", ".join(f"{n}: {'yes' if m['unique'] else 'NO'}" for n, m in imported)
        + ".",
    ]
    for name, m in rows:
        text = [m["refused"]] if "refused" in m else m["summary"]
        lines += [
            "",
            f"`{name}` {'refusal' if 'refused' in m else 'summary'}:",
            "",
            "```",
            *text,
            "```",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--one", nargs=4, metavar=("PATH", "LAYER", "CODE_COLUMN", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        path, layer, code_column, out = args.one
        print(json.dumps(run_one(Path(path), layer, code_column, Path(out))))
        return
    missing = [str(p) for _, p, _, _ in CLEANED if not p.is_file()]
    missing += [] if GADM_DISTRICTS.is_file() else [str(GADM_DISTRICTS)]
    if missing:
        sys.exit(f"test-only data not found: {missing}; the benchmark needs ../shared/data")
    from bench._report import write_section

    rows = [(name, measure(path, layer, code)) for name, path, layer, code in CLEANED]
    rows.append(("real-world GADM districts, national", measure(GADM_DISTRICTS, "", "")))
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        for index, (name, pattern) in enumerate(MERGED):
            merged = merge_files(pattern, Path(folder) / f"merged{index}.geojson")
            code = "id" if "2025" in name else ""
            rows.append((name, measure(merged, "", code)))
    markdown = to_markdown(rows)
    print(markdown)
    print(f"wrote {write_section('import', markdown)}")


if __name__ == "__main__":
    main()
