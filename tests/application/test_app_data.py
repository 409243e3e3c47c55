"""The app's data: boundary status, and indicators computed on merged real polygons (application.app_data)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from application.app_data import (
    CODE_ROOTS,
    BoundaryStatus,
    boundary_status,
    cache_key,
    compute_app_data,
    discover_inputs,
)
from geo import schema as s
from geo.importing.merge_boundaries import merge_imported
from tests.app.fixture_data import write_data_dir


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data_dir(tmp_path_factory.mktemp("data"))


def _import(
    codes: list[str], boxes: list[tuple[float, float, float, float]], **columns: object
) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        {
            s.COMMUNE_CODE: codes,
            s.PROVINCE_CODE: "08",
            s.PROVINCE_NAME: "Tỉnh Tuyên Quang",
            **columns,
        }
    )
    return gpd.GeoDataFrame(
        frame, geometry=[shapely.MultiPolygon([shapely.box(*b)]) for b in boxes], crs=s.WGS84
    )


def test_boundary_status_counts_real_polygons_and_names_their_provinces() -> None:
    table = pd.DataFrame(
        {s.APPROXIMATE: [True, False, None, False], s.PROVINCE_NAME: ["A", "Tỉnh B", "C", "Tỉnh B"]}
    )
    assert boundary_status(table) == BoundaryStatus(
        n_real=2, n_approximate=2, real_provinces=("Tỉnh B",)
    )


def test_a_layer_without_the_flag_is_all_real() -> None:
    assert boundary_status(pd.DataFrame({s.PROVINCE_NAME: ["A"]})) == BoundaryStatus(
        n_real=1, n_approximate=0, real_provinces=("A",)
    )


def test_indicators_are_computed_on_imported_2025_polygons(data_dir: Path, tmp_path: Path) -> None:
    embedded = data_dir / "boundaries" / s.BOUNDARIES_FILE
    merged = merge_imported(
        embedded,
        _import(["02266", "02269"], [(107, 21, 108.5, 22), (108.5, 21, 109, 22)]),
        s.VINTAGE_2025,
        tmp_path / "b.gpkg",
    )
    data = compute_app_data(discover_inputs(data_dir, merged.path))
    communes = data.layer("2025", "commune").set_index(s.COMMUNE_CODE)
    # 4G reaches 107.5° E; people are spread evenly (100 per 0.25° cell).
    assert communes.loc["02266", s.POP_TOTAL] == pytest.approx(2400)
    assert communes.loc["02266", s.PCT_POP_4G] == pytest.approx(100 / 3)
    assert communes.loc["02269", s.POP_TOTAL] == pytest.approx(800)
    assert boundary_status(communes) == BoundaryStatus(
        n_real=2, n_approximate=2, real_provinces=("Tỉnh Tuyên Quang",)
    )
    assert data.layer("2025", "province").set_index(s.PROVINCE_CODE).loc[
        "08", s.POP_TOTAL
    ] == pytest.approx(3200)


def test_legacy_indicators_are_computed_on_imported_legacy_polygons(
    data_dir: Path, tmp_path: Path
) -> None:
    embedded = data_dir / "boundaries" / s.BOUNDARIES_FILE
    imported = _import(
        ["02233"],
        [(107, 21, 108.5, 22)],
        **{
            s.DISTRICT_CODE: "071",
            s.DISTRICT_NAME: "Huyện Lâm Bình",
            s.COMMUNE_NAME: "Xã Phúc Yên",
        },
    )
    merged = merge_imported(embedded, imported, s.VINTAGE_LEGACY, tmp_path / "b.gpkg")
    data = compute_app_data(discover_inputs(data_dir, merged.path))
    legacy = data.layer("legacy", "commune").set_index(s.COMMUNE_CODE)
    assert legacy.loc["02233", s.POP_TOTAL] == pytest.approx(2400)
    assert legacy.loc["02251", s.POP_TOTAL] == pytest.approx(800)
    assert not legacy.loc["02233", s.APPROXIMATE]
    district = data.layer("legacy", "district").set_index(s.DISTRICT_CODE).loc["071"]
    assert (
        district[s.POP_TOTAL] == pytest.approx(3200)
        and district[s.DISTRICT_NAME] == "Huyện Lâm Bình"
    )
    # The 2025 communes keep their approximate squares.
    assert data.layer("2025", "commune").set_index(s.COMMUNE_CODE).loc[
        "02266", s.POP_TOTAL
    ] == pytest.approx(1600)


def test_the_data_page_shows_the_dates_the_inputs_state_not_their_file_dates(
    tmp_path: Path,
) -> None:
    import pandas as pd

    from application.app_data import sources_table, stated_dates
    from geo import schema as s
    from geo.indicators.build import Inputs

    communes = pd.DataFrame(
        {
            s.as_of_column(s.FIBRE): ["2025-10-01", "2025-09-30", None],
            s.as_of_column(s.TEAMS_INPUT): ["2026-12-01 (file date)"] * 3,
        }
    )
    stated = stated_dates(communes)
    assert stated == {s.FIBRE: "2025-10-01"}
    fibre, teams, boundaries = tmp_path / "fibre.csv", tmp_path / "teams.csv", tmp_path / "b.gpkg"
    for path in (fibre, teams, boundaries):
        path.write_text("x")
    table = sources_table(
        Inputs(boundaries=boundaries, fibre=fibre, teams=teams), stated=stated
    ).set_index("input")
    assert table.loc[s.FIBRE, "as_of"] == "2025-10-01"
    assert table.loc[s.TEAMS_INPUT, "as_of"].endswith("(file date)") and pd.isna(
        table.loc["boundaries", "as_of"]
    )


def _copy_of_geo(tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    root = Path(__file__).resolve().parents[2]
    geo_copy = tmp_path / "code" / "geo"
    shutil.copytree(root / "geo", geo_copy, ignore=shutil.ignore_patterns("__pycache__"))
    module = tmp_path / "code" / "app_data.py"
    shutil.copy(root / "application" / "app_data.py", module)
    return geo_copy, module


@pytest.mark.parametrize(
    "module",
    [
        "importing/matching.py",
        "reference/names.py",
        "reference/crosswalk.py",
        "reading/read.py",
        "indicators/targets_default.toml",
    ],
)
def test_one_byte_changed_in_any_pipeline_file_changes_the_cache_key(
    data_dir: Path, tmp_path: Path, module: str
) -> None:
    geo_copy, app_data = _copy_of_geo(tmp_path)
    inputs = discover_inputs(data_dir, data_dir / "boundaries" / s.BOUNDARIES_FILE)
    roots = (geo_copy, app_data)
    before = cache_key(inputs, code_roots=roots)
    assert cache_key(inputs, code_roots=roots) == before  # stable while nothing changes
    path = geo_copy / module
    data = bytearray(path.read_bytes())
    data[-1:] = b" " if data[-1:] != b" " else b"\n"
    path.write_bytes(bytes(data))
    assert cache_key(inputs, code_roots=roots) != before


def test_touching_a_pipeline_file_without_changing_it_keeps_the_cache_key(
    data_dir: Path, tmp_path: Path
) -> None:
    import os

    geo_copy, app_data = _copy_of_geo(tmp_path)
    inputs = discover_inputs(data_dir, data_dir / "boundaries" / s.BOUNDARIES_FILE)
    before = cache_key(inputs, code_roots=(geo_copy, app_data))
    os.utime(geo_copy / "indicators" / "zonal.py", ns=(1, 1))
    assert cache_key(inputs, code_roots=(geo_copy, app_data)) == before


def test_the_cache_key_covers_the_whole_data_core() -> None:
    root = Path(__file__).resolve().parents[2]
    assert CODE_ROOTS == (root / "geo", root / "application" / "app_data.py")


def test_the_cache_keeps_the_entries_used_last_within_its_size(tmp_path: Path) -> None:
    import os

    from application.app_data import prune_cache

    entries = []
    for age, name in enumerate(["a", "b", "c", "d"]):
        entry = tmp_path / f"app-data-{name}.pkl"
        entry.write_bytes(b"x" * 100)
        os.utime(entry, (1000 - age, 1000 - age))  # a is the newest
        entries.append(entry)
    other = tmp_path / "notes.txt"
    other.write_bytes(b"y" * 1000)
    removed = prune_cache(tmp_path, max_bytes=150, keep=entries[3])
    assert sorted(p.name for p in removed) == ["app-data-b.pkl", "app-data-c.pkl"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "app-data-a.pkl",
        "app-data-d.pkl",
        "notes.txt",
    ]


def test_a_cache_size_that_is_not_a_number_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from application.app_data import cache_limit_bytes
    from geo.errors import InputError

    monkeypatch.setenv("VNCOVER_CACHE_MB", "lots")
    with pytest.raises(InputError, match="VNCOVER_CACHE_MB='lots' is not a number"):
        cache_limit_bytes()
    monkeypatch.setenv("VNCOVER_CACHE_MB", "2")
    assert cache_limit_bytes() == 2 * 1024**2
