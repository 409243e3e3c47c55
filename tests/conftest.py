"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# The suite reads its small files in process: isolating each read in a child process
# (geo.reading.isolate, on by default in the product) costs about 0.1 s a read, hundreds of times.
# tests/geo/reading/test_isolate.py turns it on; VNCOVER_READ_ISOLATION=1 runs the whole suite isolated.
os.environ.setdefault("VNCOVER_READ_ISOLATION", "0")
# The sessions' upload folders of the suite (AppTests, the apps the browser tests start) in one
# folder of its own, never among a running app's in the system's temp folder.
os.environ.setdefault("VNCOVER_SESSIONS_DIR", tempfile.mkdtemp(prefix="vncover-test-sessions-"))

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The test-only real data in ``../shared/data``; skips the test when it is absent.

    Never copy anything from here into the repository (licences, see its SOURCES.md).
    """
    if not (SHARED_DATA / "boundaries" / "vn_2025_admin.gpkg").is_file():
        pytest.skip(f"test-only data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT
