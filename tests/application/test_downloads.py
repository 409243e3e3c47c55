"""The uncovered page's one selection and its downloads (application.downloads)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from application.display import DisplayData
from application.downloads import (
    download_stem,
    place_slug,
    select_uncovered,
    uncovered_export,
    villages_export,
)
from application.i18n import text
from application.map_request import indicator_view
from geo import schema as s
from geo.indicators.ranking import uncovered_villages
from layers.export import export_bytes
from tests.application.test_map_request import CHOICES


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Tỉnh Cà Mau", "ca-mau"),
        ("Thành phố Hồ Chí Minh", "ho-chi-minh"),
        ("Tỉnh Đắk Lắk", "dak-lak"),
        ("Thành phố Huế", "hue"),
        ("Tỉnh Bà Rịa - Vũng Tàu", "ba-ria-vung-tau"),
        ("", "toan-quoc"),
    ],
)
def test_place_slug_is_ascii_without_the_type_word(name: str, slug: str) -> None:
    assert place_slug(name) == slug


def test_download_stem_says_what_where_and_when() -> None:
    assert (
        download_stem("xa_chua_dat", province_name="Tỉnh Cà Mau", as_of="2025-10-01")
        == "xa_chua_dat_ca-mau_2025-10-01"
    )
    assert (
        download_stem("thon_chua_dat", province_name="", as_of="2025-10-01 (file date)")
        == "thon_chua_dat_toan-quoc_2025-10-01"
    )
    assert download_stem("xa_chua_dat", province_name="", as_of=None) == "xa_chua_dat_toan-quoc"


@pytest.mark.parametrize(("choices", "codes"), CHOICES)
@pytest.mark.parametrize("province", ["", "08"])
def test_heading_table_map_and_downloads_count_the_same_communes(
    display: DisplayData, choices: dict, codes: list[str], province: str
) -> None:
    selection = select_uncovered(display, choices, province=province, lang="vi")
    expected = [c for c in codes if not province or c.startswith("02")]
    assert sorted(selection.ranked[s.COMMUNE_CODE]) == expected
    view = indicator_view(display, selection.request, lang="vi")
    table = display.layer(s.VINTAGE_2025, "commune").table
    shown = table[s.PROVINCE_CODE].eq(province) if province else table[s.PROVINCE_CODE].notna()
    red = table["code"][(view.values == text("uncovered_yes", "vi")) & shown]
    assert sorted(red) == expected
    assert selection.total == (2 if province else 4)
    frame, meta = uncovered_export(display, selection, lang="en")
    assert list(frame[s.COMMUNE_CODE]) == list(selection.ranked[s.COMMUNE_CODE])
    sheet = pd.read_excel(
        io.BytesIO(export_bytes(frame, "xlsx", metadata=meta, lang="en")),
        sheet_name="Data",
        dtype=str,
        engine="calamine",
    )
    assert sorted(sheet["Commune code"]) == expected
    lines = export_bytes(frame, "csv", metadata=meta, lang="vi").decode("utf-8-sig").split("\r\n")
    assert len([line for line in lines if line]) == 2 + len(expected)


def test_the_export_says_the_place_and_the_targets_in_the_language(display: DisplayData) -> None:
    choices = {"fibre_households": (True, 50.0), "villages_team": (False, 100.0)}
    selection = select_uncovered(display, choices, province="08", lang="en")
    frame, meta = uncovered_export(display, selection, lang="en")
    assert meta.title == "Communes that miss a target — Tỉnh Tuyên Quang"
    assert meta.targets == {
        "Households able to get fibre": "≥ 50%",
        "Fibre to the commune": "Yes",
        "4G population coverage": "≥ 99%",
    }
    assert meta.demo
    book = openpyxl.load_workbook(io.BytesIO(export_bytes(frame, "xlsx", metadata=meta, lang="vi")))
    keys = {row[0]: row[1] for row in book["Siêu dữ liệu"].iter_rows(min_row=2, values_only=True)}
    assert keys["targets.Households able to get fibre"] == "≥ 50%"
    data = book["Dữ liệu"]
    headers = [c.value for c in data[1]]
    assert headers[:3] == ["Hạng", "Mã xã", "Tên xã/phường/đặc khu"]
    assert "Dân số chưa có 4G (người)" in headers and "Nguồn: di động" in headers
    assert not [h for h in headers if "_" in h]
    people = headers.index("Dân số chưa có 4G (người)") + 1
    cells = [data.cell(row=i, column=people) for i in range(2, data.max_row + 1)]
    assert all(isinstance(c.value, int) and c.number_format == "#,##0" for c in cells)


def test_the_villages_download_has_the_listed_villages(display: DisplayData) -> None:
    listed = uncovered_villages(display.villages, province_code="08", lang="en")
    points, meta = villages_export(listed, province_name="Tỉnh Tuyên Quang", demo=True, lang="en")
    sheet = pd.read_excel(
        io.BytesIO(export_bytes(points, "xlsx", metadata=meta, lang="en")),
        sheet_name="Data",
        engine="calamine",
    )
    assert list(sheet["Village"]) == list(listed[s.VILLAGE_NAME])
    assert set(sheet["4G signal"].dropna()) <= {"Yes", "No"}
    assert meta.title == "Villages not covered — Tỉnh Tuyên Quang"
