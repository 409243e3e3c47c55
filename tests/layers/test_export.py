"""Export writers: round trips, RFC 7946 rules, atomic writes, the ``export`` command.

``ind_layers`` and ``write_ind`` build a small indicators GeoPackage in code;
the map-sheet, HTML and atlas tests import them from here.
"""

from __future__ import annotations

import io
import json
import math
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

from cli.commands import main
from geo import schema as s
from geo.errors import CRSError, InputError
from layers import export

NFD_NAME = unicodedata.normalize("NFD", "Xã Đất Mũi")
CODES = ["08001", "08004", "96001", "96007"]


def ind_layers() -> dict[str, gpd.GeoDataFrame]:
    """Four communes (two in 08 Tuyên Quang, two in 96 Cà Mau) with indicators; districts; provinces.

    Commune 08001 has a hole; 96001 is drawn clockwise (wrong for RFC 7946) with
    coordinates of more than 6 decimals; 96007 has no data.
    """
    hole = shapely.Polygon(
        shapely.box(105.0, 22.0, 105.5, 22.5).exterior,
        [shapely.box(105.2, 22.2, 105.3, 22.3).exterior.coords[::-1]],
    )
    clockwise = shapely.Polygon(
        [(104.9, 8.7), (104.9000004, 8.9123456789), (105.1, 8.9), (105.1, 8.7)]
    )
    shapes = [
        hole,
        shapely.box(105.5, 22.0, 106.0, 22.5),
        clockwise,
        shapely.box(105.1, 8.7, 105.3, 8.9),
    ]
    communes = gpd.GeoDataFrame(
        {
            s.COMMUNE_CODE: CODES,
            s.COMMUNE_NAME: ["Phường Minh Xuân", "Xã Lâm Bình", NFD_NAME, "Đặc khu Thử"],
            s.COMMUNE_TYPE: ["Phường", "Xã", "Xã", "Đặc khu"],
            s.PROVINCE_CODE: ["08", "08", "96", "96"],
            s.PROVINCE_NAME: ["Tỉnh Tuyên Quang", "Tỉnh Tuyên Quang", "Tỉnh Cà Mau", "Tỉnh Cà Mau"],
            s.APPROXIMATE: [True, True, True, True],
            s.POP_TOTAL: [12000.0, 8000.0, 5000.0, np.nan],
            s.PCT_POP_4G: [99.5, 91.25, 100.0, np.nan],
            s.PCT_HOUSEHOLDS_FIBRE: [85.0, 60.5, 79.9, np.nan],
            s.PCT_VILLAGES_TEAM: [100.0, 50.0, 75.0, np.nan],
            s.UNCOVERED: pd.array([False, True, True, None], dtype="boolean"),
            s.UNCOVERED_REASONS: [
                "",
                "fibre to 60.5% of households < 80%",
                "team in 75.0% of villages < 100%",
                None,
            ],
            s.source_column(s.MOBILE): ["DEMO_sites.csv"] * 3 + [None],
            s.as_of_column(s.MOBILE): ["2025-06-30"] * 3 + [None],
        },
        geometry=shapes,
        crs=s.WGS84,
    )
    provinces = communes.dissolve(by=s.PROVINCE_CODE, as_index=False)[
        [s.PROVINCE_CODE, s.PROVINCE_NAME, "geometry"]
    ]
    provinces[s.PCT_POP_4G] = [95.6, 100.0]
    provinces[s.PCT_HOUSEHOLDS_FIBRE] = [75.0, 79.9]
    provinces[s.N_UNCOVERED] = [1.0, 1.0]
    provinces[s.N_COMMUNES] = [2, 2]
    districts = provinces.rename(columns={s.PROVINCE_CODE: s.DISTRICT_CODE}).assign(
        **{s.DISTRICT_CODE: ["070", "964"], s.PROVINCE_CODE: ["08", "96"]}
    )
    return {"commune": communes, "district": districts, "province": provinces}


def write_ind(path: Path, *, source: str | None = None) -> Path:
    """Write ``ind_layers`` as an indicators GeoPackage (like ``build-indicators``).

    ``source`` replaces the 4G source file name ("DEMO_sites.csv") of the communes.
    """
    for level, frame in ind_layers().items():
        if source is not None and s.source_column(s.MOBILE) in frame:
            frame[s.source_column(s.MOBILE)] = frame[s.source_column(s.MOBILE)].map(
                lambda v: source if v else v
            )
        pyogrio.write_dataframe(
            frame, path, layer=export.LEVEL_LAYERS[level], driver="GPKG", promote_to_multi=True
        )
    return path


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    return ind_layers()["commune"]


def assert_same_values(expected: pd.DataFrame, got: pd.DataFrame, columns: list[str]) -> None:
    """Same rows and values column by column; missing is missing (None/NaN/NA alike)."""
    assert len(got) == len(expected)
    for column in columns:
        for want, have in zip(expected[column].tolist(), got[column].tolist()):
            want, have = export._plain(want), export._plain(have)
            if want is None or want == "":
                assert (
                    have is None or have == "" or (isinstance(have, float) and math.isnan(have))
                ), (column, want, have)
            elif isinstance(want, str):
                assert have == unicodedata.normalize("NFC", want), (column, want, have)
            elif isinstance(want, bool):
                assert bool(have) is want, (column, want, have)
            else:
                assert float(have) == pytest.approx(want), (column, want, have)


def attribute_columns(frame: gpd.GeoDataFrame) -> list[str]:
    return [c for c in frame.columns if c != frame.geometry.name]


# --- RFC 7946 ------------------------------------------------------------------------------------


def check_rfc7946(text: str) -> None:
    """RFC 7946 rules: no crs member, lon/lat ranges, at most 6 decimals, CCW exteriors, CW holes."""
    document = json.loads(text, parse_float=Decimal)
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document
    for feature in document["features"]:
        assert feature["type"] == "Feature" and "crs" not in feature
        assert isinstance(feature.get("id", ""), str)
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        assert geometry["type"] in ("Polygon", "MultiPolygon")
        for rings in polygons:
            for index, ring in enumerate(rings):
                assert ring[0] == ring[-1] and len(ring) >= 4
                for lon, lat in ring:
                    assert -180 <= lon <= 180 and -90 <= lat <= 90
                    assert -lon.as_tuple().exponent <= 6 and -lat.as_tuple().exponent <= 6, (
                        lon,
                        lat,
                    )
                ccw = shapely.is_ccw(shapely.LinearRing([(float(x), float(y)) for x, y in ring]))
                assert ccw if index == 0 else not ccw, (feature["id"], index)


def test_geojson_follows_rfc7946(communes: gpd.GeoDataFrame) -> None:
    check_rfc7946(export.geojson_bytes(communes).decode("utf-8"))


def test_geojson_reprojects_to_lon_lat(communes: gpd.GeoDataFrame) -> None:
    projected = communes.to_crs(s.VN_EQUAL_AREA)
    document = json.loads(export.geojson_bytes(projected))
    check_rfc7946(json.dumps(document))
    lon, lat = document["features"][1]["geometry"]["coordinates"][0][0]
    assert 105.4 < lon < 106.1 and 21.9 < lat < 22.6


def test_geojson_checker_rejects_a_clockwise_exterior() -> None:
    clockwise = {
        "type": "Feature",
        "id": "1",
        "properties": {},
        "geometry": shapely.geometry.mapping(shapely.box(0, 0, 1, 1, ccw=False)),
    }
    with pytest.raises(AssertionError):
        check_rfc7946(json.dumps({"type": "FeatureCollection", "features": [clockwise]}))


def test_geojson_round_trip_keeps_codes_names_values(communes: gpd.GeoDataFrame) -> None:
    data = export.geojson_bytes(communes)
    got = gpd.read_file(io.BytesIO(data))
    document = json.loads(data)
    assert [f["id"] for f in document["features"]] == CODES
    properties = pd.DataFrame([f["properties"] for f in document["features"]])
    assert got[s.COMMUNE_CODE].tolist() == CODES
    assert properties[s.COMMUNE_NAME][2] == "Xã Đất Mũi"
    assert_same_values(communes, properties, attribute_columns(communes))
    assert shapely.equals_exact(
        got.geometry.normalize().values, communes.geometry.normalize().values, tolerance=1e-6
    ).all()


def test_geojson_metadata_names_units_sources_and_flags(communes: gpd.GeoDataFrame) -> None:
    metadata = json.loads(export.geojson_bytes(communes))["metadata"]
    assert metadata["columns"][s.PCT_POP_4G] == {
        "header": "Tỷ lệ dân số được phủ sóng 4G",
        "unit": "%",
    }
    assert metadata["sources"] == {s.MOBILE: "DEMO_sites.csv"}
    assert metadata["as_of"] == {s.MOBILE: "2025-06-30"}
    assert metadata["approximate_boundaries"] is True and metadata["demo"] is True
    assert "Hoàng Sa" in metadata["licence"]


# --- GeoPackage, CSV, Excel ----------------------------------------------------------------------


def test_gpkg_round_trip(communes: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    path.write_bytes(export.export_bytes(communes, "gpkg"))
    got = pyogrio.read_dataframe(path, layer=s.LAYER_COMMUNES)
    assert got[s.COMMUNE_CODE].tolist() == CODES
    assert_same_values(communes, got, attribute_columns(communes))
    assert (
        shapely.area(shapely.symmetric_difference(got.geometry.values, communes.geometry.values))
        < 1e-9
    ).all()
    table = pyogrio.read_dataframe(path, layer=export.METADATA_TABLE)
    assert dict(zip(table["key"], table["value"]))["approximate_boundaries"] == "True"


def test_csv_round_trip_with_bom(communes: gpd.GeoDataFrame) -> None:
    data = export.export_bytes(communes, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    got = pd.read_csv(
        io.BytesIO(data), encoding="utf-8-sig", dtype={s.COMMUNE_CODE: str, s.PROVINCE_CODE: str}
    )
    assert got[s.COMMUNE_CODE].tolist() == CODES
    assert list(got.columns) == attribute_columns(communes)
    assert_same_values(communes, got, attribute_columns(communes))


def test_xlsx_round_trip_with_vietnamese_headers_and_metadata_sheet(
    communes: gpd.GeoDataFrame,
) -> None:
    data = export.export_bytes(communes, "xlsx")
    codes = {
        "Mã xã": str,
        "Mã tỉnh": str,
    }  # pandas guesses numbers from text cells; Excel shows them as text
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=codes, engine="calamine")
    assert list(sheets) == [export.DATA_SHEET, export.METADATA_SHEET]
    table = sheets[export.DATA_SHEET]
    assert "Tỷ lệ dân số được phủ sóng 4G (%)" in table.columns
    got = table.rename(columns=export.header_to_column(attribute_columns(communes)))
    assert got[s.COMMUNE_CODE].tolist() == CODES
    # Rounded as on screen (91.25 % shows as 91,2 %), flags in words.
    shown = export.people_values(export.attribute_table(communes), lang="vi")
    assert_same_values(shown, got, attribute_columns(communes))
    assert got[s.PCT_POP_4G].tolist()[:3] == [99.5, 91.2, 100.0]
    assert got[s.UNCOVERED].tolist()[:3] == ["Không", "Có", "Có"]
    meta = dict(zip(sheets[export.METADATA_SHEET]["key"], sheets[export.METADATA_SHEET]["value"]))
    assert meta["sources.mobile"] == "DEMO_sites.csv" and meta["demo"] == "True"
    assert meta[f"column.{s.source_column(s.MOBILE)}"] == "Nguồn: di động"


def test_xlsx_in_english_names_its_sheets_and_headers_in_english(
    communes: gpd.GeoDataFrame,
) -> None:
    data = export.export_bytes(communes, "xlsx", lang="en")
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine")
    assert list(sheets) == ["Data", "Metadata"]
    headers = list(sheets["Data"].columns)
    assert headers[:2] == ["Commune code", "Commune"]
    assert "Share of the population covered by 4G (%)" in headers
    assert "Source: mobile coverage" in headers and "As of: mobile coverage (YYYY-MM-DD)" in headers
    assert not [h for h in headers if "_" in h]  # no machine name left as a header
    assert sheets["Data"]["Misses a target"].tolist()[:3] == ["No", "Yes", "Yes"]
    meta = dict(zip(sheets["Metadata"]["key"], sheets["Metadata"]["value"]))
    assert meta[f"column.{s.PCT_POP_4G}"] == "Share of the population covered by 4G (%)"
    assert "every digit" in meta["note.rounding"]


def test_xlsx_sheet_has_number_formats_frozen_header_autofilter_and_widths(
    communes: gpd.GeoDataFrame,
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(export.export_bytes(communes, "xlsx")))
    sheet = book[export.DATA_SHEET]
    assert sheet.freeze_panes == "A2"
    n_columns = len(attribute_columns(communes))
    last = openpyxl.utils.get_column_letter(n_columns)
    assert sheet.auto_filter.ref == f"A1:{last}5"
    headers = {c.value: c.column for c in sheet[1]}
    assert all(c.font.bold for c in sheet[1])

    def cells(column: str) -> list[Any]:
        index = headers[export.column_info(column).label]
        return [sheet.cell(row=r, column=index) for r in range(2, 6)]

    assert {c.number_format for c in cells(s.POP_TOTAL)} == {"#,##0"}
    assert [c.value for c in cells(s.POP_TOTAL)] == [12000, 8000, 5000, None]
    assert {c.number_format for c in cells(s.PCT_HOUSEHOLDS_FIBRE)} == {"#,##0.0"}
    assert [c.value for c in cells(s.PCT_HOUSEHOLDS_FIBRE)][:3] == [85.0, 60.5, 79.9]
    assert {(c.number_format, c.data_type) for c in cells(s.COMMUNE_CODE)} == {("@", "s")}
    name = openpyxl.utils.get_column_letter(headers[export.column_info(s.COMMUNE_NAME).label])
    assert sheet.column_dimensions[name].width >= len("Phường Minh Xuân")
    assert all(8 <= d.width <= 47 for d in sheet.column_dimensions.values())


def test_people_values_round_counts_and_shares_as_on_screen() -> None:
    table = pd.DataFrame(
        {
            "rank": [1, 2],
            "pop_uncovered_4g": [235.668, np.nan],
            s.PCT_POP_4G: [81.0837, 99.95],
            s.FIBRE_TO_COMMUNE: pd.array([True, None], dtype="boolean"),
        }
    )
    shown = export.people_values(table, lang="en")
    assert shown["pop_uncovered_4g"].tolist() == [236, pd.NA]
    assert shown[s.PCT_POP_4G].tolist() == [81.1, 100.0]
    assert shown[s.FIBRE_TO_COMMUNE].tolist() == ["Yes", None]
    assert table["pop_uncovered_4g"].iloc[0] == 235.668  # the input is not changed


@pytest.mark.parametrize(
    ("lang", "sep", "decimal", "header"),
    [
        ("vi", ";", ",", "Tỷ lệ dân số được phủ sóng 4G (%)"),
        ("en", ",", ".", "Share of the population covered by 4G (%)"),
    ],
)
def test_csv_for_people_has_headers_in_the_language_then_the_column_names(
    communes: gpd.GeoDataFrame, lang: str, sep: str, decimal: str, header: str
) -> None:
    data = export.export_bytes(communes, "csv", lang=lang)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    first, second, row = text.split("\r\n")[:3]
    columns = attribute_columns(communes)
    assert header in first.split(sep) and second.split(sep) == columns
    assert row.split(sep)[columns.index(s.PCT_POP_4G)] == "99.5".replace(".", decimal)
    got = pd.read_csv(
        io.BytesIO(data),
        encoding="utf-8-sig",
        sep=sep,
        decimal=decimal,
        skiprows=[0],
        dtype={s.COMMUNE_CODE: str, s.PROVINCE_CODE: str},
    )
    assert list(got.columns) == columns and got[s.COMMUNE_CODE].tolist() == CODES
    shown = export.people_values(export.attribute_table(communes), lang=lang)
    assert_same_values(shown, got, columns)
    assert got[s.POP_TOTAL].tolist()[:3] == [12000, 8000, 5000]


def test_an_unknown_export_language_is_refused(communes: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match="export language 'fr' is not known; choose one of"):
        export.export_bytes(communes, "xlsx", lang="fr")


def test_geojson_keeps_every_digit_and_describes_its_keys_in_the_language(
    communes: gpd.GeoDataFrame,
) -> None:
    document = json.loads(export.export_bytes(communes, "geojson", lang="en"))
    assert document["features"][1]["properties"][s.PCT_POP_4G] == 91.25
    assert document["metadata"]["columns"][s.PCT_POP_4G] == {
        "header": "Share of the population covered by 4G",
        "unit": "%",
    }


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_every_format_keeps_every_feature(
    communes: gpd.GeoDataFrame, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"out.{fmt}"
    written = export.write_export(communes, path, fmt=fmt)  # type: ignore[arg-type]
    assert written[0] == path and path.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)


def test_csv_gets_a_metadata_side_file(communes: gpd.GeoDataFrame, tmp_path: Path) -> None:
    csv, side = export.write_export(communes, tmp_path / "x.csv")
    assert json.loads(side.read_text(encoding="utf-8"))["columns"][s.POP_TOTAL]["unit"] == "người"


# --- Errors and atomic writes --------------------------------------------------------------------


def test_failed_write_leaves_no_file(
    communes: gpd.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_write(frame: Any, path: Any, **kwargs: Any) -> None:
        Path(path).write_bytes(b"half a GeoPackage")
        raise OSError("disk full")

    monkeypatch.setattr(export.pyogrio, "write_dataframe", half_write)
    with pytest.raises(OSError, match="disk full"):
        export.write_export(communes, tmp_path / "out.gpkg")
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_file(
    communes: gpd.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.geojson"
    target.write_text("previous", encoding="utf-8")
    monkeypatch.setattr(export, "geojson_document", lambda *a, **k: {"bad": float("nan")})
    with pytest.raises(ValueError, match="JSON compliant"):
        export.write_export(communes, target)
    assert [p.name for p in tmp_path.iterdir()] == ["out.geojson"] and target.read_text(
        encoding="utf-8"
    ) == "previous"


def test_unknown_format_is_refused(communes: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match=r"'shp' is not supported; choose one of \['geojson'"):
        export.export_bytes(communes, "shp")  # type: ignore[arg-type]


def test_missing_crs_is_an_error(communes: gpd.GeoDataFrame) -> None:
    with pytest.raises(CRSError, match="no CRS"):
        export.export_bytes(communes.set_crs(None, allow_override=True), "geojson")


def test_unknown_province_lists_the_known_codes(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"--province '77'.*\['08', '96'\]"):
        export.read_indicator_layer(write_ind(tmp_path / "ind.gpkg"), province="77")


# --- Command line --------------------------------------------------------------------------------


def test_cli_export_one_province_uncovered_only(tmp_path: Path) -> None:
    ind = write_ind(tmp_path / "ind.gpkg")
    out = tmp_path / "cm.geojson"
    assert (
        main(["export", str(ind), "--out", str(out), "--province", "96", "--uncovered-only"]) == 0
    )
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [f["id"] for f in document["features"]] == ["96001"]
    check_rfc7946(out.read_text(encoding="utf-8"))


def test_cli_export_province_level_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "p.xlsx"
    assert (
        main(
            [
                "export",
                str(write_ind(tmp_path / "ind.gpkg")),
                "--out",
                str(out),
                "--level",
                "province",
            ]
        )
        == 0
    )
    sheet = openpyxl.load_workbook(out)[export.DATA_SHEET]
    assert [(c.value, c.data_type) for (c,) in sheet.iter_rows(min_row=2, max_col=1)] == [
        ("08", "s"),
        ("96", "s"),
    ]


def test_cli_export_bad_suffix_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["export", str(write_ind(tmp_path / "ind.gpkg")), "--out", str(tmp_path / "x.txt")])
        == 2
    )
    assert "cannot tell the export format" in capsys.readouterr().err


FORMULA_NAMES = ["=1+1", "+SUM(A1:A9)", "@cmd", "-2+3"]


def test_xlsx_keeps_formula_like_names_as_text(communes: gpd.GeoDataFrame) -> None:
    from openpyxl import load_workbook

    hostile = communes.assign(**{s.COMMUNE_NAME: FORMULA_NAMES})
    book = load_workbook(io.BytesIO(export.export_bytes(hostile, "xlsx")))
    sheet = book[export.DATA_SHEET]
    column = [c.value for c in sheet[1]].index(export.column_info(s.COMMUNE_NAME).label) + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, 6)]
    assert [c.value for c in cells] == FORMULA_NAMES  # nothing lost
    assert {c.data_type for c in cells} == {"s"}  # and none of them is a formula


def test_csv_defuses_formula_like_text_but_not_numbers(communes: gpd.GeoDataFrame) -> None:
    hostile = communes.assign(**{s.COMMUNE_NAME: FORMULA_NAMES, s.POP_TOTAL: [-1.0, 2.0, 3.0, 4.0]})
    got = pd.read_csv(
        io.BytesIO(export.export_bytes(hostile, "csv")),
        encoding="utf-8-sig",
        dtype={s.COMMUNE_CODE: str},
    )
    assert got[s.COMMUNE_NAME].tolist() == [f"'{n}" for n in FORMULA_NAMES]
    assert (
        got[s.POP_TOTAL].tolist() == [-1.0, 2.0, 3.0, 4.0] and got[s.COMMUNE_CODE].tolist() == CODES
    )
