"""An uploaded table applied to the data on screen equals the whole pipeline run with it, and changes only its communes."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from application.app_data import discover_inputs
from application.display import DisplayData, display_data
from application.increment import (
    TableUpload,
    boundary_context,
    can_apply,
    read_upload,
    with_uploads,
)
from geo import schema as s
from geo.schema import BOUNDARIES_FILE
from tests.app.fixture_data import write_data_dir

#: Tuyên Quang only, dated after the default table: Thượng Lâm (no row before) gets 75 %, Lâm Bình 80 %.
TUYEN_QUANG = (
    "Tỉnh,Xã,Số hộ,Số hộ có cáp quang,Cáp quang đến xã,Ngày báo cáo\n"
    "Tuyên Quang,Xã Thượng Lâm,400,300,Có,2026-11-30\n"
    "Tuyên Quang,Xã Lâm Bình,500,400,Có,2026-11-30\n"
    "Tuyên Quang,Xã Không Có,10,5,Có,2026-11-30\n"
)
LAYERS = [f"{sc}/{lv}" for sc in ("2025", "legacy") for lv in ("commune", "district", "province")]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_data_dir(tmp_path_factory.mktemp("increment"))
    january = dt.datetime(2025, 1, 1, 12).timestamp()  # the default table's (file) date
    os.utime(root / "coverage" / "DEMO_fibre.csv", (january, january))
    return root


def _upload(folder: Path, text: str, name: str = "cap_quang_tuyen_quang.csv") -> TableUpload:
    path = folder / "uploads" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return TableUpload(s.FIBRE, path, hashlib.sha256(text.encode()).hexdigest())


def _applied(folder: Path, upload: TableUpload) -> tuple[DisplayData, DisplayData, object]:
    inputs = discover_inputs(folder, folder / "boundaries" / BOUNDARIES_FILE)
    base = display_data(inputs, cache_dir=folder / "cache")
    context = boundary_context(inputs.boundaries, cache_dir=folder / "cache")
    part = read_upload(upload, context, inputs.population)
    data, changes = with_uploads(base, (upload,), (part,), context)
    return base, data, changes[0]


def test_an_upload_changes_its_communes_only(folder: Path) -> None:
    base, data, change = _applied(folder, _upload(folder, TUYEN_QUANG))
    before = base.layer("2025", "commune").table.set_index("code")
    after = data.layer("2025", "commune").table.set_index("code")
    assert after.loc["02269", s.PCT_HOUSEHOLDS_FIBRE] == 75.0
    assert after.loc["02266", s.PCT_HOUSEHOLDS_FIBRE] == 80.0
    assert np.isnan(before.loc["02269", s.PCT_HOUSEHOLDS_FIBRE])
    for code in ("00004", "00008"):  # Hà Nội: values, date and source as they were
        for column in (s.PCT_HOUSEHOLDS_FIBRE, s.as_of_column("fibre"), s.source_column("fibre")):
            assert after.loc[code, column] == before.loc[code, column]
    assert after.loc["02269", s.source_column("fibre")] == "cap_quang_tuyen_quang.csv"
    assert change.updated == ("02266", "02269") and change.kept == ()
    assert change.provinces == ("Tỉnh Tuyên Quang",)
    assert list(change.report["source_row"]) == [4]
    assert can_apply(base)
    assert list(data.sources["file"])[-1] == "cap_quang_tuyen_quang.csv"


def test_the_boundaries_context_is_kept_on_disk_for_a_new_process(folder: Path) -> None:
    from application.increment import forget_contexts

    boundaries = folder / "boundaries" / BOUNDARIES_FILE
    first = boundary_context(boundaries, cache_dir=folder / "contexts")
    assert len(list((folder / "contexts").glob("context-*.pkl"))) == 1
    forget_contexts()
    again = boundary_context(boundaries, cache_dir=folder / "contexts")
    assert again is not first and again.districts.equals(first.districts)
    assert list(again.boundaries.communes[s.COMMUNE_CODE]) == list(
        first.boundaries.communes[s.COMMUNE_CODE]
    )


def test_an_older_upload_keeps_the_later_values(folder: Path) -> None:
    old = TUYEN_QUANG.replace("2026-11-30", "2020-01-01")
    _, data, change = _applied(folder, _upload(folder, old, "old.csv"))
    assert change.updated == ("02269",) and change.kept == ("02266",)
    after = data.layer("2025", "commune").table.set_index("code")
    assert after.loc["02266", s.PCT_HOUSEHOLDS_FIBRE] == 0.0  # the default table's later report


@pytest.mark.parametrize("layer", LAYERS)
def test_applied_upload_equals_the_whole_pipeline(folder: Path, layer: str) -> None:
    upload = _upload(folder, TUYEN_QUANG)
    _, data, _ = _applied(folder, upload)
    inputs = discover_inputs(folder, folder / "boundaries" / BOUNDARIES_FILE)
    full = display_data(
        replace(inputs, fibre=(*inputs.tables("fibre"), upload.path)), cache_dir=folder / "cache"
    )
    ours, theirs = data.layers[layer].table, full.layers[layer].table
    assert list(ours["code"]) == list(theirs["code"])
    columns = [c for c in theirs.columns if c not in ("targets",)]
    assert sorted(set(columns) - set(ours.columns)) == []
    pd.testing.assert_frame_equal(
        ours[columns].reset_index(drop=True),
        theirs[columns].reset_index(drop=True),
        check_dtype=False,
        check_like=False,
    )
