"""Display data and its texts without Streamlit (application.display)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from application.app_data import LEVELS, SCHEMES, BoundaryStatus
from application.display import (
    DisplayData,
    as_of_text,
    boundary_notice,
    input_fields,
    inputs_of,
    latest_date,
    map_title,
    province_choices,
    province_names,
)
from geo import schema as s
from geo.indicators.build import Inputs
from layers.choropleth import UnitLayer
from layers.simplify import TOLERANCES


def _sources(*dates: str | None) -> pd.DataFrame:
    return pd.DataFrame({"input": [f"in{i}" for i in range(len(dates))], "as_of": list(dates)})


def test_latest_date_prefers_dates_the_data_states() -> None:
    sources = _sources(None, "2025-12-31", "2026-06-30T10:00:00", "2026-12-07 (file date)")
    assert latest_date(sources) == "2026-06-30"


def test_latest_date_falls_back_to_file_dates_then_none() -> None:
    assert latest_date(_sources("2026-12-07 (file date)", "2026-11-01 (file date)")) == "2026-12-07"
    assert latest_date(_sources(None, "")) is None


def test_province_names_sort_without_the_type_prefix() -> None:
    table = pd.DataFrame(
        {
            s.PROVINCE_CODE: ["08", "01", "01", "96", None],
            s.PROVINCE_NAME: [
                "Tỉnh Tuyên Quang",
                "Thành phố Hà Nội",
                "Thành phố Hà Nội",
                "Tỉnh Cà Mau",
                "x",
            ],
        }
    )
    layer = UnitLayer(level="province", coarse=(), fine=(), table=table, bounds={})
    names = province_names(layer)
    assert list(names.items()) == [
        ("96", "Tỉnh Cà Mau"),
        ("01", "Thành phố Hà Nội"),
        ("08", "Tỉnh Tuyên Quang"),
    ]
    assert province_choices(names, "en") == {"": "Whole country (3 provinces)", **names}


def test_input_fields_round_trip() -> None:
    inputs = Inputs(
        boundaries=Path("/d/b.gpkg"),
        mobile_raster=Path("/d/coverage/rsrp.tif"),
        mobile_threshold=-105.5,
        population=Path("/d/coverage/pop.tif"),
    )
    fields = input_fields(inputs)
    assert dict(fields)["mobile_threshold"] == "-105.5" and hash(fields)
    assert inputs_of(fields) == inputs


def test_input_fields_round_trip_several_tables_a_sheet_and_a_mapping() -> None:
    inputs = Inputs(
        boundaries=Path("/d/b.gpkg"),
        fibre=(Path("/d/fibre_ca_mau.xlsx"), Path("/d/fibre_2026.csv")),
        teams=Path("/d/teams.csv"),
        sheet="Biểu 1",
        column_mapping=(("Điểm dân cư", "village_name"), ("Ghi chú", "ignore")),
    )
    fields = input_fields(inputs)
    assert hash(fields)
    assert inputs_of(fields) == inputs


def test_every_layer_has_tolerances() -> None:
    assert set(TOLERANCES) == {f"{sc}/{lv}" for sc in SCHEMES for lv in LEVELS}
    assert all(coarse >= fine > 0 for coarse, fine in TOLERANCES.values())


def test_display_data_of_the_fixture_folder(display: DisplayData) -> None:
    assert set(display.layers) == set(TOLERANCES)
    assert display.as_of == "2026-06-30" and display.is_demo
    assert display.boundaries.endswith(s.BOUNDARIES_FILE)
    search = display.search[s.VINTAGE_2025]
    assert list(zip(search["kind"], search["code"])) == [
        ("province", "01"),
        ("province", "08"),
        ("commune", "00004"),
        ("commune", "00008"),
        ("commune", "02266"),
        ("commune", "02269"),
    ]
    assert display.status[s.VINTAGE_2025] == BoundaryStatus(0, 4, ())


def test_as_of_text_and_map_title(display: DisplayData) -> None:
    assert as_of_text(display, "vi") == "Số liệu đến ngày 2026-06-30"
    unknown = as_of_text(replace(display, as_of=None), "en")
    assert unknown.startswith("Data as of") and "2026" not in unknown
    assert (
        map_title(s.PCT_POP_4G, "Tỉnh Cà Mau", "vi")
        == "Tỷ lệ dân số được phủ sóng 4G (%) — Tỉnh Cà Mau"
    )


def _with_status(display: DisplayData, **status: BoundaryStatus) -> DisplayData:
    return replace(display, status={**display.status, **status})


def test_no_notice_when_no_boundary_is_approximate(display: DisplayData) -> None:
    real = _with_status(display, **{s.VINTAGE_2025: BoundaryStatus(4, 0, ("Tỉnh Tuyên Quang",))})
    assert boundary_notice(real, s.VINTAGE_2025, lang="vi") is None


def test_notice_of_all_approximate_boundaries(display: DisplayData) -> None:
    notice = boundary_notice(display, s.VINTAGE_2025, lang="vi")
    assert notice is not None and notice.startswith("**Ranh giới trên bản đồ là gần đúng.**")


def test_notice_names_the_real_provinces_and_the_uploaded_file(display: DisplayData) -> None:
    mixed = _with_status(display, **{s.VINTAGE_2025: BoundaryStatus(3, 2, ("Thành phố Hà Nội",))})
    notice = boundary_notice(mixed, s.VINTAGE_2025, lang="vi", uploaded_name="hn.geojson")
    assert notice is not None
    assert "3 xã/phường của Thành phố Hà Nội lấy từ tệp tải lên hn.geojson" in notice
    assert "2 xã/phường còn lại là ranh giới gần đúng" in notice


def test_notice_says_the_upload_is_of_the_other_scheme(display: DisplayData) -> None:
    mixed = _with_status(display, **{s.VINTAGE_2025: BoundaryStatus(3, 2, ("Thành phố Hà Nội",))})
    notice = boundary_notice(
        mixed,
        s.VINTAGE_LEGACY,
        lang="vi",
        uploaded_name="hn.geojson",
        uploaded_scheme=s.VINTAGE_2025,
    )
    assert notice is not None and "(hn.geojson) là đơn vị “Từ 1/7/2025 (2 cấp)”" in notice


def test_unknown_scheme_is_a_key_error(display: DisplayData) -> None:
    with pytest.raises(KeyError):
        boundary_notice(display, "1999", lang="vi")
