"""The app's display data of the small data folder of the app tests, computed once for this folder."""

from __future__ import annotations

import pytest

from application.app_data import discover_inputs
from application.display import DisplayData, display_data
from geo.schema import BOUNDARIES_FILE
from tests.app.fixture_data import write_data_dir


@pytest.fixture(scope="session")
def display(tmp_path_factory: pytest.TempPathFactory) -> DisplayData:
    folder = write_data_dir(tmp_path_factory.mktemp("display-data"))
    inputs = discover_inputs(folder, folder / "boundaries" / BOUNDARIES_FILE)
    return display_data(inputs, cache_dir=folder.parent / "cache")
