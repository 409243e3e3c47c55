"""A print sheet of the map as the app shows it (layers.view_sheet)."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from geo import schema as s
from layers.choropleth import MAP_INDICATORS, prepare_units, view_indicator
from layers.mapsheet import class_values, sheet_bytes
from layers.view_sheet import view_sheet

TEXTS = {
    "no_data": "Không có số liệu",
    "yes": "Chưa đạt",
    "no": "Đạt",
    "below80": "< {a}",
    "80_90": "{a}–{b}",
    "90_100": "{a}–{b}",
    "met": "≥ {a}",
}


def _layers():
    communes = gpd.GeoDataFrame(
        {
            s.COMMUNE_CODE: ["00004", "00008", "02266", "02269"],
            s.COMMUNE_NAME: ["A", "B", "C", "D"],
            s.PROVINCE_CODE: ["01", "01", "08", "08"],
            s.PROVINCE_NAME: ["Hà Nội", "Hà Nội", "Tuyên Quang", "Tuyên Quang"],
            s.PCT_POP_4G: [100.0, 95.0, 50.0, np.nan],
            s.UNCOVERED: pd.array([False, True, True, pd.NA], dtype="boolean"),
            s.APPROXIMATE: [True, True, False, False],
            s.source_column(s.FIBRE): "fibre.xlsx",
        },
        geometry=[shapely.box(105 + i, 21, 106 + i, 22) for i in range(4)],
        crs=s.WGS84,
    )
    provinces = communes.dissolve(s.PROVINCE_CODE, aggfunc={s.PROVINCE_NAME: "first"}).reset_index()
    return prepare_units(communes, "commune"), prepare_units(provinces, "province")


def _view(units, column: str):
    indicator = next(i for i in MAP_INDICATORS if i.column == column)
    return view_indicator(units.table, indicator, title="Chỉ số", texts=TEXTS, target_pct=99.0)


def test_the_sheet_uses_the_screens_classes() -> None:
    communes, provinces = _layers()
    view = _view(communes, s.PCT_POP_4G)
    sheet = view_sheet(
        communes, provinces, view, column=s.PCT_POP_4G, title="T", scheme="2025", communes=communes
    )
    assert sheet.classification == view.classification
    assert list(sheet.classification.assign(class_values(sheet.units, s.PCT_POP_4G))) == list(
        view.classification.assign(view.values)
    )


def test_uncovered_keeps_the_screens_labels_and_assigns_every_commune() -> None:
    communes, provinces = _layers()
    view = _view(communes, s.UNCOVERED)
    sheet = view_sheet(
        communes, provinces, view, column=s.UNCOVERED, title="T", scheme="2025", communes=communes
    )
    assert sheet.classification.labels == ("Chưa đạt", "Đạt")
    assert list(sheet.classification.assign(class_values(sheet.units, s.UNCOVERED))) == [
        1,
        0,
        0,
        -1,
    ]


def test_a_province_of_real_boundaries_is_not_marked_approximate() -> None:
    communes, provinces = _layers()
    view = _view(communes, s.PCT_POP_4G)
    country = view_sheet(
        communes, provinces, view, column=s.PCT_POP_4G, title="T", scheme="2025", communes=communes
    )
    province = view_sheet(
        communes,
        provinces,
        view,
        column=s.PCT_POP_4G,
        title="T",
        scheme="2025",
        communes=communes,
        province="08",
    )
    assert country.metadata.approximate_boundaries and not province.metadata.approximate_boundaries
    assert province.focus == "08" and province.metadata.sources == {s.FIBRE: "fibre.xlsx"}


# The slide is layers.mapsheet's 13.333 × 7.5 in: 3999 × 2250 px at 300 dpi (16:9 to 0.03 %).
@pytest.mark.parametrize(("size", "pixels"), [("a4", (3507, 2481)), ("slide", (3999, 2250))])
def test_png_sheets_are_300_dpi_at_their_size(size: str, pixels: tuple[int, int]) -> None:
    communes, provinces = _layers()
    sheet = view_sheet(
        communes,
        provinces,
        _view(communes, s.PCT_POP_4G),
        column=s.PCT_POP_4G,
        title="T",
        scheme="2025",
        communes=communes,
        province="08",
    )
    image = Image.open(io.BytesIO(sheet_bytes(sheet, fmt="png", size=size, dpi=300)))  # type: ignore[arg-type]
    assert image.size == pixels
