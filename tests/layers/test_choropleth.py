"""The commune choropleth: display data, classes, styles, tooltips, legend, view."""

from __future__ import annotations

import html
import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import schema
from layers.choropleth import (
    INDICATORS,
    TOOLTIP_FIELDS,
    build_map,
    classify_indicator,
    communes_table,
    prepare_map_data,
    province_sort_key,
)
from layers.offline import local_assets, remote_links

EVIL = '<img src=x onerror="alert(1)">'


def _layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Four unit squares: two communes in province 01, two in province 08."""
    squares = [shapely.box(105 + i, 21, 106 + i, 22) for i in range(4)]
    communes = gpd.GeoDataFrame(
        {
            schema.COMMUNE_CODE: ["02269", "00004", "00008", "02266"],
            schema.COMMUNE_NAME: ["Đặc khu Thử", "Phường Ba Đình", f"Xã {EVIL}", "Xã Hùng Lợi"],
            schema.COMMUNE_TYPE: ["Đặc khu", "Phường", "Xã", "Xã"],
            schema.PROVINCE_CODE: ["08", "01", "01", "08"],
            schema.PROVINCE_NAME: ["Tỉnh Tuyên Quang", "Thành phố Hà Nội", "Thành phố Hà Nội", "Tỉnh Tuyên Quang"],
            schema.AREA_KM2_OFFICIAL: [np.nan, 2.97, 1234.5, 120.0],
            schema.AREA_KM2: [110.0, 3.0, 1200.0, 118.0],
            schema.N_LEGACY_COMMUNES: [1, 4, 2, 7],
            schema.APPROXIMATE: [True, True, True, True],
        },
        geometry=[shapely.MultiPolygon([squares[i]]) for i in (3, 0, 1, 2)],
        crs=schema.WGS84,
    )
    provinces = gpd.GeoDataFrame(
        {
            schema.PROVINCE_CODE: ["08", "01"],
            schema.PROVINCE_NAME: ["Tỉnh Tuyên Quang", "Thành phố Hà Nội"],
            schema.N_COMMUNES: [2, 2],
            schema.AREA_KM2: [228.0, 1203.0],
            schema.APPROXIMATE: [True, True],
        },
        geometry=[shapely.MultiPolygon([shapely.box(107, 21, 109, 22)]), shapely.MultiPolygon([shapely.box(105, 21, 107, 22)])],
        crs=schema.WGS84,
    )
    return communes, provinces


@pytest.fixture(scope="module")
def data():
    return prepare_map_data(*_layers())


def _script(m) -> str:
    return m.get_root().render()


def _js(text: str) -> str:
    """How Jinja's ``tojson`` writes a string inside the page (ASCII, HTML-safe)."""
    escaped = json.dumps(text)[1:-1]
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        escaped = escaped.replace(char, code)
    return escaped


def _fill_colours(page: str, codes: list[str]) -> dict[str, str]:
    """Fill colour of each feature id, read back from folium's styler switch."""
    body = page[page.index("_styler(feature) {") : page.index("_highlighter(feature)")]
    colours: dict[str, str] = {}
    for cases, colour in re.findall(r'((?:case "\d+": )+)\s*return \{[^}]*"fillColor": "(#\w+)"', body):
        colours.update({code: colour for code in re.findall(r'case "(\d+)"', cases)})
    default = re.search(r'default:\s*return \{[^}]*"fillColor": "(#\w+)"', body).group(1)
    return {code: colours.get(code, default) for code in codes}


def test_features_are_aligned_with_the_table_and_sorted_by_code(data) -> None:
    ids = [f["id"] for f in data.communes["features"]]
    assert ids == list(data.table[schema.COMMUNE_CODE]) == ["00004", "00008", "02266", "02269"]
    assert [f["id"] for f in data.provinces["features"]] == ["01", "08"]


def test_feature_properties_are_the_tooltip_fields_escaped(data) -> None:
    props = data.communes["features"][1]["properties"]
    assert tuple(props) == TOOLTIP_FIELDS
    assert props[schema.COMMUNE_NAME] == "Xã &lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert props[schema.AREA_KM2_OFFICIAL] == "1.234,50 km²"
    assert data.communes["features"][3]["properties"][schema.AREA_KM2_OFFICIAL] == ""


def test_coordinates_are_rounded(data) -> None:
    text = json.dumps(data.communes)
    assert not re.search(r"\d\.\d{5,}", text)


def test_province_names_are_ordered_without_their_prefix(data) -> None:
    assert list(data.province_names) == ["01", "08"]
    assert province_sort_key("Thành phố Hà Nội") == "hà nội"


def test_bounds_of_country_and_provinces(data) -> None:
    assert data.province_bounds[""] == (21.0, 105.0, 22.0, 109.0)
    assert data.province_bounds["08"] == (21.0, 107.0, 22.0, 109.0)


def test_approximate_flag(data) -> None:
    assert data.approximate


@pytest.mark.parametrize("key", list(INDICATORS))
def test_every_indicator_classifies_every_commune(data, key: str) -> None:
    indicator = INDICATORS[key]
    c = classify_indicator(data.table, indicator)
    assert sum(c.counts(data.table[indicator.column]).values()) == 4


def test_commune_type_classes_are_the_2025_types_in_order(data) -> None:
    c = classify_indicator(data.table, INDICATORS["type"])
    assert c.categories == ("Xã", "Phường", "Đặc khu")


def test_national_map_draws_every_commune_with_its_class_colour(data) -> None:
    indicator = INDICATORS["type"]
    c = classify_indicator(data.table, indicator)
    page = _script(build_map(data, c, indicator.column, assets=local_assets()))
    codes = list(data.table[schema.COMMUNE_CODE])
    expected = {code: c.colors[c.categories.index(kind)] for code, kind in zip(codes, data.table[schema.COMMUNE_TYPE])}
    assert _fill_colours(page, codes) == expected


def test_missing_values_are_filled_with_the_no_data_colour(data) -> None:
    c = classify_indicator(data.table, INDICATORS["area"])
    page = _script(build_map(data, c, schema.AREA_KM2_OFFICIAL, assets=local_assets()))
    assert _fill_colours(page, ["02269"]) == {"02269": c.no_data_color}


def test_province_map_draws_only_its_communes_and_fits_its_bounds(data) -> None:
    indicator = INDICATORS["area"]
    c = classify_indicator(data.table, indicator)
    m = build_map(data, c, indicator.column, assets=local_assets(), province_code="08")
    page = _script(m)
    assert '"id": "02266"' in page and '"id": "02269"' in page
    assert '"id": "00004"' not in page
    assert "[[21.0, 107.0], [22.0, 109.0]]" in page


def test_unknown_province_is_refused(data) -> None:
    c = classify_indicator(data.table, INDICATORS["area"])
    with pytest.raises(KeyError, match="unknown province code '99'"):
        build_map(data, c, schema.AREA_KM2_OFFICIAL, assets=local_assets(), province_code="99")


def test_map_has_no_tiles_and_no_remote_link(data) -> None:
    c = classify_indicator(data.table, INDICATORS["area"])
    m = build_map(data, c, schema.AREA_KM2_OFFICIAL, assets=local_assets())
    page = _script(m)
    assert remote_links(m) == []
    assert "tileLayer" not in page and "https://" not in re.sub(r'"attribution":[^,]*', "", page).replace(
        "https://leafletjs.com", ""
    )


def test_tooltip_and_legend_text_cannot_inject_html(data) -> None:
    c = classify_indicator(data.table, INDICATORS["area"])
    page = _script(build_map(data, c, schema.AREA_KM2_OFFICIAL, assets=local_assets()))
    assert EVIL not in page and 'onerror="' not in page
    assert _js("Diện tích chính thức") in page and _js("Tỉnh/thành phố") in page


def test_legend_shows_the_same_labels_and_counts_as_the_fill(data) -> None:
    c = classify_indicator(data.table, INDICATORS["area"])
    page = _script(build_map(data, c, schema.AREA_KM2_OFFICIAL, assets=local_assets()))
    assert "vn-legend" in page
    for label, colour in zip(c.labels, c.colors):
        assert colour in page and _js(html.escape(label)) in page
    assert _js(c.no_data_label) in page


def test_communes_table_lists_the_province_with_classes(data) -> None:
    c = classify_indicator(data.table, INDICATORS["merged"])
    table = communes_table(data, c, schema.N_LEGACY_COMMUNES, province_code="08")
    assert list(table["Mã"]) == ["02266", "02269"]
    assert list(table["Lớp trên bản đồ"]) == ["≥ 7", "≤ 1"]


def test_province_view_uses_the_finer_geometry() -> None:
    communes, provinces = _layers()
    bent = shapely.Polygon([(105, 21), (105.001, 21.0002), (105.002, 21), (106, 21), (106, 22), (105, 22)])
    communes.loc[communes[schema.COMMUNE_CODE] == "00004", "geometry"] = shapely.MultiPolygon([bent])
    data = prepare_map_data(communes, provinces, tolerances=(0.01, 0.0001))
    coarse, fine = data.communes["features"][0]["geometry"], data.communes_detail["features"][0]["geometry"]
    assert shapely.get_num_coordinates(shapely.geometry.shape(fine)) > shapely.get_num_coordinates(
        shapely.geometry.shape(coarse)
    )
    assert [f["id"] for f in data.provinces_detail["features"]] == ["01", "08"]


def test_each_class_mode_classifies_a_percentage_as_asked() -> None:
    from layers.choropleth import MAP_INDICATORS, view_indicator

    indicator = next(i for i in MAP_INDICATORS if i.column == schema.PCT_HOUSEHOLDS_FIBRE)
    table = gpd.GeoDataFrame({schema.PCT_HOUSEHOLDS_FIBRE: [10.0, 11.0, 30.0, 32.0, 33.0, 50.0, 70.0, 71.0, 95.0, 96.0, np.nan]})
    texts = {"no_data": "—", "yes": "y", "no": "n", "below80": "< {a}", "80_90": "{a}–{b}", "90_100": "{a}–{b}", "met": "≥ {a}"}
    views = {mode: view_indicator(table, indicator, title="t", texts=texts, target_pct=80.0, mode=mode) for mode in ("policy", "quantiles", "natural")}
    assert views["policy"].classification.bins == (64.0, 72.0, 80.0)
    assert views["natural"].classification.bins == (11.0, 33.0, 50.0, 71.0)
    assert list(views["natural"].classification.assign(views["natural"].values)) == [0, 0, 1, 1, 1, 2, 3, 3, 4, 4, -1]
    assert views["quantiles"].classification.bins != views["natural"].classification.bins
