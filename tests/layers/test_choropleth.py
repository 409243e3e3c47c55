"""The indicator choropleth: unit layers, indicator classes, fill, tooltips, legend, view."""

from __future__ import annotations

import html
import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import schema
from layers.choropleth import (
    MAP_INDICATORS,
    MapStyle,
    UnitLayer,
    build_indicator_map,
    indicators_of,
    name_points,
    prepare_units,
    province_sort_key,
    short_name,
    view_indicator,
)
from layers.classify import NO_DATA_COLOR, POLICY
from layers.legend import LegendControl
from layers.offline import OfflineAssets, RemoteAssetError, local_assets, remote_links

EVIL = '<img src=x onerror="alert(1)">'
TEXTS = {
    "no_data": "Không có số liệu",
    "yes": "Có",
    "no": "Không",
    "below80": "< {a}",
    "80_90": "{a}–{b}",
    "90_100": "{a}–{b}",
    "met": "≥ {a}",
}


def _layers(offset: float = 0.0) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Four unit squares (shifted by ``offset`` degrees): two communes in province 01, two in 08."""
    squares = [
        shapely.box(105 + i + offset, 21 + offset, 106 + i + offset, 22 + offset) for i in range(4)
    ]
    communes = gpd.GeoDataFrame(
        {
            schema.COMMUNE_CODE: ["02269", "00004", "00008", "02266"],
            schema.COMMUNE_NAME: ["Đặc khu Thử", "Phường Ba Đình", f"Xã {EVIL}", "Xã Hùng Lợi"],
            schema.PROVINCE_CODE: ["08", "01", "01", "08"],
            schema.PROVINCE_NAME: [
                "Tỉnh Tuyên Quang",
                "Thành phố Hà Nội",
                "Thành phố Hà Nội",
                "Tỉnh Tuyên Quang",
            ],
            schema.PCT_POP_4G: [np.nan, 100.0, 95.0, 50.0],
            schema.UNCOVERED: pd.array([pd.NA, False, True, True], dtype="boolean"),
            schema.TEAMS: [3, 1, 0, 2],
        },
        geometry=[shapely.MultiPolygon([squares[i]]) for i in (3, 0, 1, 2)],
        crs=schema.WGS84,
    )
    provinces = gpd.GeoDataFrame(
        {
            schema.PROVINCE_CODE: ["08", "01"],
            schema.PROVINCE_NAME: ["Tỉnh Tuyên Quang", "Thành phố Hà Nội"],
        },
        geometry=[
            shapely.MultiPolygon([shapely.union(squares[2], squares[3])]),
            shapely.MultiPolygon([shapely.union(squares[0], squares[1])]),
        ],
        crs=schema.WGS84,
    )
    return communes, provinces


@pytest.fixture(scope="module")
def layers() -> tuple[UnitLayer, UnitLayer]:
    communes, provinces = _layers()
    return prepare_units(communes, "commune"), prepare_units(provinces, "province")


def _indicator(column: str):
    return next(i for i in MAP_INDICATORS if i.column == column)


def _map(
    units: UnitLayer,
    outlines: UnitLayer,
    column: str = schema.PCT_POP_4G,
    *,
    title: str = "4G",
    province_code: str = "",
    style: MapStyle | None = None,
    assets: OfflineAssets | None = None,
) -> folium.Map:
    view = view_indicator(
        units.table, _indicator(column), title=title, texts=TEXTS, target_pct=80.0
    )
    return build_indicator_map(
        units,
        outlines,
        view.classification,
        view.values,
        view.texts,
        assets=assets or local_assets(),
        province_code=province_code,
        style=style or MapStyle(),
    )


def _geojson(m: folium.Map, name: str) -> dict:
    """The FeatureCollection of the map's GeoJSON layer called ``name``."""
    return next(
        c.data
        for c in m._children.values()
        if isinstance(c, folium.GeoJson) and c.layer_name == name
    )


def _legend(m: folium.Map) -> str:
    return next(c.legend for c in m._children.values() if isinstance(c, LegendControl))


def _js(text: str) -> str:
    """How Jinja's ``tojson`` writes a string inside the page (ASCII, HTML-safe)."""
    escaped = json.dumps(text)[1:-1]
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        escaped = escaped.replace(char, code)
    return escaped


def _fill_colours(page: str, codes: list[str]) -> dict[str, str]:
    """Fill colour of each feature id of the first styled layer, read back from folium's styler switch."""
    body = page[page.index("_styler(feature) {") : page.index("_highlighter(feature)")]
    colours: dict[str, str] = {}
    for cases, colour in re.findall(
        r'((?:case "\d+": )+)\s*return \{[^}]*"fillColor": "(#\w+)"', body
    ):
        colours.update({code: colour for code in re.findall(r'case "(\d+)"', cases)})
    default = re.search(r'default:\s*return \{[^}]*"fillColor": "(#\w+)"', body).group(1)
    return {code: colours.get(code, default) for code in codes}


def _coordinates(features) -> list[float]:
    return [
        float(v)
        for f in features
        for v in re.findall(r"-?\d+\.?\d*", json.dumps(f["geometry"]["coordinates"]))
    ]


def test_features_are_aligned_with_the_table_and_sorted_by_code(layers) -> None:
    units, outlines = layers
    assert (
        [f["id"] for f in units.coarse]
        == [f["id"] for f in units.fine]
        == ["00004", "00008", "02266", "02269"]
    )
    assert list(units.table["code"]) == ["00004", "00008", "02266", "02269"]
    assert [f["id"] for f in outlines.coarse] == ["01", "08"]


def test_coordinates_are_rounded_to_each_views_decimals() -> None:
    units = prepare_units(_layers(offset=0.123456)[0], "commune")
    coarse, fine = _coordinates(units.coarse), _coordinates(units.fine)
    assert 105.123 in coarse and all(round(v, 3) == v for v in coarse)
    assert 105.1235 in fine and all(round(v, 4) == v for v in fine)


def test_bounds_of_the_extent_and_of_each_province(layers) -> None:
    units, _ = layers
    assert units.bounds[""] == (21.0, 105.0, 22.0, 109.0)
    assert units.bounds["08"] == (21.0, 107.0, 22.0, 109.0)


def test_province_sort_key() -> None:
    names = ["Tỉnh Tuyên Quang", "Thành phố Hà Nội", "Tỉnh An Giang"]
    assert province_sort_key("Thành phố Hà Nội") == "hà nội"
    assert sorted(names, key=province_sort_key) == [
        "Tỉnh An Giang",
        "Thành phố Hà Nội",
        "Tỉnh Tuyên Quang",
    ]


def test_indicators_are_those_the_table_has_in_map_order(layers) -> None:
    assert [i.column for i in indicators_of(layers[0].table)] == [
        schema.PCT_POP_4G,
        schema.TEAMS,
        schema.UNCOVERED,
    ]


@pytest.mark.parametrize("column", [schema.PCT_POP_4G, schema.TEAMS, schema.UNCOVERED])
def test_every_indicator_puts_every_unit_in_one_class(layers, column: str) -> None:
    view = view_indicator(
        layers[0].table, _indicator(column), title="t", texts=TEXTS, target_pct=80.0
    )
    assert sum(view.classification.counts(view.values).values()) == 4
    assert len(view.texts) == 4


def test_flag_classes_put_the_bad_outcome_first_in_red(layers) -> None:
    table = layers[0].table.assign(**{schema.FIBRE_TO_COMMUNE: [True, False, True, None]})
    uncovered = view_indicator(
        table, _indicator(schema.UNCOVERED), title="t", texts=TEXTS
    ).classification
    fibre = view_indicator(
        table, _indicator(schema.FIBRE_TO_COMMUNE), title="t", texts=TEXTS
    ).classification
    assert (uncovered.kind, uncovered.categories, uncovered.colors) == (
        "categorical",
        ("Có", "Không"),
        (POLICY[0], POLICY[-1]),
    )
    assert (fibre.categories, fibre.colors) == (("Không", "Có"), (POLICY[0], POLICY[-1]))


def test_national_map_fills_every_unit_with_its_category_colour(layers) -> None:
    page = _map(*layers, schema.UNCOVERED).get_root().render()
    codes = ["00004", "00008", "02266", "02269"]
    assert _fill_colours(page, codes) == {
        "00004": POLICY[-1],
        "00008": POLICY[0],
        "02266": POLICY[0],
        "02269": NO_DATA_COLOR,
    }


def test_missing_values_are_filled_with_the_no_data_colour_and_text(layers) -> None:
    m = _map(*layers, schema.PCT_POP_4G)
    assert _fill_colours(m.get_root().render(), ["02269"]) == {"02269": NO_DATA_COLOR}
    props = {f["id"]: f["properties"] for f in _geojson(m, "units")["features"]}
    assert props["02269"]["v"] == "Không có số liệu" and props["00008"]["v"] == "95,0 %"


def test_legend_rows_have_the_colours_labels_and_counts_of_the_fill(layers) -> None:
    m = _map(*layers, schema.PCT_POP_4G)
    rows = re.findall(
        r'background:(#\w+);"></span>(.*?) <span style="color:#666;">\((\d+)\)</span>', _legend(m)
    )
    assert [(label, int(n)) for _, label, n in rows] == [
        ("&lt; 64 %", 1),
        ("64 %–72 %", 0),
        ("72 %–80 %", 0),
        ("≥ 80 %", 2),
        ("Không có số liệu", 1),
    ]
    fills = list(
        _fill_colours(m.get_root().render(), ["00004", "00008", "02266", "02269"]).values()
    )
    assert {colour: int(n) for colour, _, n in rows} == {
        colour: fills.count(colour) for colour, _, _ in rows
    }


def test_province_map_draws_only_its_units_and_fits_its_bounds(layers) -> None:
    m = _map(*layers, province_code="08")
    assert [f["id"] for f in _geojson(m, "units")["features"]] == ["02266", "02269"]
    assert "[[21.0, 107.0], [22.0, 109.0]]" in m.get_root().render()


def test_province_map_draws_the_province_at_the_finer_detail() -> None:
    communes, provinces = _layers()
    bent = shapely.Polygon(
        [(105, 21), (105.001, 21.0002), (105.002, 21), (106, 21), (106, 22), (105, 22)]
    )
    communes.loc[communes[schema.COMMUNE_CODE] == "00004", "geometry"] = shapely.MultiPolygon(
        [bent]
    )
    provinces.loc[provinces[schema.PROVINCE_CODE] == "01", "geometry"] = shapely.MultiPolygon(
        [shapely.union(bent, shapely.box(106, 21, 107, 22))]
    )
    units = prepare_units(communes, "commune", tolerances=(0.01, 0.0001))
    outlines = prepare_units(provinces, "province", tolerances=(0.01, 0.0001))

    def vertices(m: folium.Map, name: str, code: str) -> int:
        feature = next(f for f in _geojson(m, name)["features"] if f["id"] == code)
        return shapely.get_num_coordinates(shapely.geometry.shape(feature["geometry"]))

    national, province = _map(units, outlines), _map(units, outlines, province_code="01")
    assert vertices(province, "units", "00004") > vertices(national, "units", "00004")
    assert vertices(province, "provinces", "01") > vertices(national, "provinces", "01")
    assert vertices(province, "provinces", "08") == vertices(national, "provinces", "08")


def test_unknown_province_is_refused(layers) -> None:
    with pytest.raises(KeyError, match="unknown province code '99'"):
        _map(*layers, province_code="99")


def test_map_has_no_tiles_and_no_remote_link(layers) -> None:
    m = _map(*layers)
    page = m.get_root().render()
    assert remote_links(m) == []
    assert "tileLayer" not in page and "https://" not in re.sub(
        r'"attribution":[^,]*', "", page
    ).replace("https://leafletjs.com", "")


def test_map_that_would_load_from_a_cdn_is_refused(layers) -> None:
    cdn = OfflineAssets(js=(("leaflet", "https://cdn.example.org/leaflet.js"),), css=())
    with pytest.raises(RemoteAssetError, match="cdn.example.org"):
        _map(*layers, assets=cdn)


def test_names_are_escaped_in_feature_properties(layers) -> None:
    props = {f["id"]: f["properties"] for f in _geojson(_map(*layers), "units")["features"]}
    assert props["00008"]["n"] == "Xã &lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert props["00008"]["p"] == "Thành phố Hà Nội"


def test_tooltip_and_legend_text_cannot_inject_html(layers) -> None:
    style = MapStyle(tooltip_aliases=(EVIL, "Tỉnh/thành phố", "Giá trị"), legend_note=EVIL)
    page = _map(*layers, title=EVIL, style=style).get_root().render()
    assert EVIL not in page and 'onerror="' not in page and _js(EVIL) not in page
    assert _js(html.escape(EVIL)) in page and _js("Tỉnh/thành phố") in page


def test_each_class_mode_classifies_a_percentage_as_asked() -> None:
    indicator = next(i for i in MAP_INDICATORS if i.column == schema.PCT_HOUSEHOLDS_FIBRE)
    table = gpd.GeoDataFrame(
        {
            schema.PCT_HOUSEHOLDS_FIBRE: [
                10.0,
                11.0,
                30.0,
                32.0,
                33.0,
                50.0,
                70.0,
                71.0,
                95.0,
                96.0,
                np.nan,
            ]
        }
    )
    texts = {
        "no_data": "—",
        "yes": "y",
        "no": "n",
        "below80": "< {a}",
        "80_90": "{a}–{b}",
        "90_100": "{a}–{b}",
        "met": "≥ {a}",
    }
    views = {
        mode: view_indicator(table, indicator, title="t", texts=texts, target_pct=80.0, mode=mode)
        for mode in ("policy", "quantiles", "natural")
    }
    assert views["policy"].classification.bins == (64.0, 72.0, 80.0)
    assert views["natural"].classification.bins == (11.0, 33.0, 50.0, 71.0)
    assert list(views["natural"].classification.assign(views["natural"].values)) == [
        0,
        0,
        1,
        1,
        1,
        2,
        3,
        3,
        4,
        4,
        -1,
    ]
    assert views["quantiles"].classification.bins != views["natural"].classification.bins


def test_the_credit_is_the_projects_with_leaflet_named_and_no_flag(layers) -> None:
    style = MapStyle(credit="Bản đồ <hạ tầng> số · Leaflet")

    def prefix(m: folium.Map) -> str:
        (found,) = re.findall(r"attributionControl\.setPrefix\((.*?)\);", m.get_root().render())
        return json.loads(found)

    assert prefix(_map(*layers, style=style)) == "Bản đồ &lt;hạ tầng&gt; số · Leaflet"
    assert prefix(_map(*layers)) == "Bản đồ hạ tầng số theo xã/phường · Leaflet"


def test_english_view_writes_english_numbers_in_labels_tooltips_and_legend(layers) -> None:
    units, outlines = layers
    view = view_indicator(
        units.table,
        _indicator(schema.PCT_POP_4G),
        title="4G",
        texts={**TEXTS, "below80": "< {a}", "met": "≥ {a}"},
        target_pct=79.5,
        lang="en",
    )
    assert view.classification.labels[0] == "< 63.6 %" and "95.0 %" in view.texts
    m = build_indicator_map(
        units,
        outlines,
        view.classification,
        view.values,
        view.texts,
        assets=local_assets(),
        style=MapStyle(lang="en"),
    )
    legend = _legend(m)
    assert "63.6 %" in legend and "63,6" not in legend


def test_names_are_written_only_when_asked_and_escaped(layers) -> None:
    units, outlines = layers
    assert "UnitNames" not in _map(*layers).get_root().render()
    points = name_points(units, outlines, units.rows("08"), province_code="08")
    assert {name for _, _, name in points} == {
        short_name(n, level="commune") for n in units.table.loc[units.rows("08"), "name"]
    }
    page = _map(*layers, province_code="08", style=MapStyle(labels=True)).get_root().render()
    assert "L.divIcon({className: 'vn-name'" in page
    assert EVIL not in page and 'onerror="' not in page


def test_names_of_more_units_than_fit_are_the_provinces(layers, monkeypatch) -> None:
    import layers.choropleth as choropleth

    units, outlines = layers
    monkeypatch.setattr(choropleth, "MAX_NAMES", 1)
    points = name_points(units, outlines, units.rows(""))
    assert sorted(name for _, _, name in points) == sorted(
        short_name(n, level="province") for n in outlines.table["name"]
    )
