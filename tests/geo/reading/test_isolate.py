"""Reads in a child process (issue 15): a time limit, a memory cap, a native abort, the same results."""

from __future__ import annotations

import os
import sqlite3
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.errors import InputError
from geo.importing.import_boundaries import ImportOptions, import_boundaries
from geo.reading import isolate
from geo.reading.isolate import ReadLimits, read_isolated
from geo.reading.tables import TableKindError, read_table
from tests.geo.test_hostile_inputs import communes, write_gpkg

ISOLATED = ReadLimits(timeout_s=30, memory_mb=2048, isolated=True)


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's default: reads in a child process (the suite reads in process, see conftest)."""
    monkeypatch.setenv(isolate.ISOLATION_VARIABLE, "1")


def cross_join_view(path: Path, n: int = 300) -> Path:
    """A GeoPackage whose only feature layer is a view joining a 300-row table with itself 4 times (8·10⁹ rows)."""
    frame = communes(3)
    write_gpkg(
        path, gpd.GeoDataFrame(pd.concat([frame] * (n // 3), ignore_index=True), crs=frame.crs)
    )
    with sqlite3.connect(path) as db:
        table, srs = db.execute("select table_name, srs_id from gpkg_contents").fetchone()
        db.execute(
            "create view slow as select a.fid as fid, a.geom as geom, a.ma_xa as ma_xa, "
            f'a.ten_xa as ten_xa from "{table}" a, "{table}" b, "{table}" c, "{table}" d'
        )
        db.execute(
            "insert into gpkg_contents (table_name, data_type, identifier, srs_id) "
            "values ('slow', 'features', 'slow', ?)",
            (srs,),
        )
        db.execute(
            "insert into gpkg_geometry_columns values ('slow', 'geom', 'POLYGON', ?, 0, 0)", (srs,)
        )
    return path


def test_a_view_that_never_ends_is_stopped_at_the_time_limit(
    tmp_path: Path, isolated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(isolate.TIMEOUT_VARIABLE, "3")
    path = cross_join_view(tmp_path / "slow.gpkg")
    start = time.perf_counter()
    with pytest.raises(
        InputError,
        match=r"slow\.gpkg: reading did not finish within 3 s \(VNCOVER_READ_TIMEOUT_S\)",
    ):
        import_boundaries(path, options=ImportOptions(layer="slow"))
    assert time.perf_counter() - start < 15
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.gpkg"]


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024**2))


def test_a_read_beyond_the_memory_cap_is_an_input_error_and_this_process_lives() -> None:
    limits = ReadLimits(timeout_s=30, memory_mb=1024, isolated=True)
    with pytest.raises(
        InputError,
        match=r"big\.xlsx needs more than the 1024 MiB a read may use \(VNCOVER_READ_MEMORY_MB\)",
    ):
        read_isolated(_allocate, 3000, what="big.xlsx", limits=limits)
    assert read_isolated(_allocate, 10, what="small", limits=limits) == 10 * 1024**2


def _calamine_grid(path: str) -> int:
    import python_calamine

    return len(python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python())


def test_a_native_abort_in_the_reader_does_not_take_this_process_down(tmp_path: Path) -> None:
    # calamine itself, without the caps of table_bounds: a value at XFD1048576 asks for 512 GiB and aborts.
    from tests.geo.reading.test_table_bounds import write_xlsx

    path = write_xlsx(
        tmp_path / "far.xlsx", cells=b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    with pytest.raises(InputError, match=r"far\.xlsx: the reader stopped \(signal 6\).*1024 MiB"):
        read_isolated(_calamine_grid, str(path), what=str(path), limits=ReadLimits(memory_mb=1024))
    assert os.getpid() > 0 and zipfile.is_zipfile(path)  # still here


def test_an_isolated_import_gives_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_gpkg(tmp_path / "c.gpkg")
    options = ImportOptions(code_column="ma_xa", name_column="ten_xa")
    monkeypatch.setenv(isolate.ISOLATION_VARIABLE, "0")
    inside = import_boundaries(path, options=options)
    monkeypatch.setenv(isolate.ISOLATION_VARIABLE, "1")
    outside = import_boundaries(path, options=options)
    assert outside.n_matched == inside.n_matched == 3
    pd.testing.assert_frame_equal(outside.report, inside.report)
    assert outside.communes.geometry.equals(inside.communes.geometry)


def test_a_table_error_crosses_from_the_child_with_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Xã,Số hộ\nPhường Minh Xuân,300\n", encoding="utf-8")
    with pytest.raises(TableKindError, match="given as a teams table") as error:
        read_isolated(read_table, path, kind="teams", what=str(path), limits=ISOLATED)
    assert error.value.columns == {"Xã": "commune_name", "Số hộ": "households"}


@pytest.mark.parametrize(
    ("variable", "value"), [(isolate.TIMEOUT_VARIABLE, "soon"), (isolate.MEMORY_VARIABLE, "-5")]
)
def test_a_bad_setting_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(InputError, match=rf"{variable}='{value}' is not a positive number"):
        ReadLimits.from_environment({variable: value})


def test_the_settings_have_documented_defaults() -> None:
    assert ReadLimits.from_environment({}) == ReadLimits(
        timeout_s=60.0, memory_mb=2048, isolated=True
    )
    assert not ReadLimits.from_environment({isolate.ISOLATION_VARIABLE: "0"}).isolated
