"""Regenerate the demo coverage data set in data/coverage/ (every file marked DEMO).

Made up from the official register and the embedded approximate boundaries
only (see data/coverage/README.md); deterministic for a seed. From the
project root::

    python scripts/build_demo_coverage.py

Prints the calibrated figures; data/coverage/README.md quotes them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(PROJECT_ROOT))

from builders import demo_coverage  # noqa: E402
from geo import schema as s  # noqa: E402
from geo.errors import CoverageError  # noqa: E402

DEFAULT_BOUNDARIES = PROJECT_ROOT / "data" / "boundaries" / s.BOUNDARIES_FILE
DEFAULT_OUTPUT = PROJECT_ROOT / "data" / "coverage"


def main(argv: list[str] | None = None) -> int:
    """Regenerate ``data/coverage/`` from the embedded boundaries; 0 on success."""
    parser = argparse.ArgumentParser(
        description="Regenerate the DEMO coverage data (BTS sites, 4G raster, population, fibre and team tables)."
    )
    parser.add_argument(
        "--boundaries",
        type=Path,
        default=DEFAULT_BOUNDARIES,
        help=f"boundaries GeoPackage (default {DEFAULT_BOUNDARIES})",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"folder to write (default {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=demo_coverage.SEED,
        help=f"random seed (default {demo_coverage.SEED})",
    )
    parser.add_argument(
        "--province",
        action="append",
        default=None,
        help="only these 2025 province codes (repeatable; default all)",
    )
    args = parser.parse_args(argv)
    try:
        data = demo_coverage.build_demo(
            args.boundaries,
            args.out_dir,
            seed=args.seed,
            provinces=frozenset(args.province) if args.province else None,
        )
    except CoverageError as error:
        print(f"build_demo_coverage: {error}", file=sys.stderr)
        return 1
    for key, value in data.summary.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
