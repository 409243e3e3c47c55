"""The commune choropleth: indicators, display-ready GeoJSON, and the folium map.

Two steps, so the slow one can be cached by the app:

1. ``prepare_map_data`` (slow, once per file): simplify the commune and
   province layers at two levels of detail (coarse for the whole country,
   fine for one province), round coordinates, keep only the properties the
   map shows (escaped for HTML), and keep an attribute table aligned with
   the commune features.
2. ``build_map`` (fast, on every indicator or province change): classify,
   style, add tooltips and the legend, fit the view.

Maps built here load nothing from another host (``layers.offline``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo import schema
from geo.boundaries import simplify_coverage
from layers.classify import (
    Classification,
    classify_categorical,
    classify_integers,
    classify_quantiles,
    format_number,
)
from layers.legend import LegendControl, legend_html
from layers.offline import OfflineAssets, check_offline, use_local_assets

#: Simplification tolerances (degrees) of the national view (~550 m, under a pixel at
#: the zoom that shows the whole country) and of a province view (~165 m).
NATIONAL_TOLERANCE = 0.005
PROVINCE_TOLERANCE = 0.0015
#: Decimals kept in display coordinates (~10 m).
DISPLAY_DECIMALS = 4
#: Room kept free on the right of the fitted view for the legend (pixels).
LEGEND_WIDTH_PX = 270

# Properties of each commune feature (strings, HTML-escaped), in tooltip order.
TIP_NAME = schema.COMMUNE_NAME
TIP_TYPE = schema.COMMUNE_TYPE
TIP_CODE = schema.COMMUNE_CODE
TIP_PROVINCE = schema.PROVINCE_NAME
TIP_AREA = schema.AREA_KM2_OFFICIAL
TIP_MERGED = schema.N_LEGACY_COMMUNES
TOOLTIP_FIELDS: tuple[str, ...] = (TIP_NAME, TIP_TYPE, TIP_CODE, TIP_PROVINCE, TIP_AREA, TIP_MERGED)
TOOLTIP_ALIASES: tuple[str, ...] = (
    "Tên",
    "Loại",
    "Mã",
    "Tỉnh/thành phố",
    "Diện tích chính thức",
    "Số xã cũ hợp thành",
)
TABLE_COLUMNS: tuple[str, ...] = (
    schema.COMMUNE_CODE,
    schema.COMMUNE_NAME,
    schema.COMMUNE_TYPE,
    schema.PROVINCE_CODE,
    schema.PROVINCE_NAME,
    schema.AREA_KM2_OFFICIAL,
    schema.N_LEGACY_COMMUNES,
    schema.APPROXIMATE,
)
COMMUNE_TYPES_2025: tuple[str, ...] = ("Xã", "Phường", "Đặc khu")

Bounds = tuple[float, float, float, float]  # south, west, north, east


@dataclass(frozen=True)
class Indicator:
    """A commune attribute the map can be coloured by.

    Attributes
    ----------
    key
        Stable identifier (kept in the page's session state).
    column
        Column of the commune table.
    label
        Name in the selector.
    title
        Legend title.
    method
        ``"quantiles"``, ``"integers"`` (fixed ``upper`` bounds) or ``"categorical"``.
    """

    key: str
    column: str
    label: str
    title: str
    method: Literal["quantiles", "integers", "categorical"]
    decimals: int = 0
    upper: tuple[int, ...] = ()
    order: tuple[str, ...] = ()


INDICATORS: dict[str, Indicator] = {
    "area": Indicator(
        "area", schema.AREA_KM2_OFFICIAL, "Diện tích chính thức", "Diện tích chính thức (km², ngũ phân vị)", "quantiles"
    ),
    "type": Indicator(
        "type", schema.COMMUNE_TYPE, "Loại đơn vị", "Loại đơn vị hành chính", "categorical", order=COMMUNE_TYPES_2025
    ),
    "merged": Indicator(
        "merged",
        schema.N_LEGACY_COMMUNES,
        "Số xã cũ hợp thành",
        "Số xã/phường/thị trấn cũ hợp thành",
        "integers",
        upper=(1, 2, 3, 4, 6),
    ),
}


@dataclass(frozen=True)
class MapData:
    """Display-ready layers (plain Python values, so ``st.cache_data`` can keep them).

    Attributes
    ----------
    communes
        GeoJSON FeatureCollection for the national view; feature ``i`` is row ``i`` of ``table``.
    communes_detail
        The same features, less simplified, for a province view.
    provinces
        GeoJSON FeatureCollection of province outlines (``id`` = province code), national detail.
    provinces_detail
        The same outlines at province-view detail.
    table
        Commune attributes (``TABLE_COLUMNS``), one row per feature, no geometry.
    province_names
        Province code → full name, ordered by name.
    province_bounds
        Province code → (south, west, north, east); key ``""`` holds the whole country.
    """

    communes: dict[str, Any]
    communes_detail: dict[str, Any]
    provinces: dict[str, Any]
    provinces_detail: dict[str, Any]
    table: pd.DataFrame
    province_names: dict[str, str]
    province_bounds: dict[str, Bounds]

    @property
    def approximate(self) -> bool:
        """Whether any commune polygon is generated rather than surveyed."""
        return bool(self.table[schema.APPROXIMATE].fillna(True).astype(bool).any())


def prepare_map_data(
    communes: gpd.GeoDataFrame,
    provinces: gpd.GeoDataFrame,
    *,
    tolerances: tuple[float, float] = (NATIONAL_TOLERANCE, PROVINCE_TOLERANCE),
    decimals: int = DISPLAY_DECIMALS,
) -> MapData:
    """Simplify both layers and turn them into compact GeoJSON for the browser.

    Parameters
    ----------
    communes, provinces
        The ``communes_2025`` and ``provinces_2025`` layers (WGS 84).
    tolerances
        Simplification tolerances in degrees for the national and the province
        view (each layer is simplified as a coverage, so neighbours still meet).
    decimals
        Decimals kept in coordinates.

    Returns
    -------
    MapData
    """
    communes = communes.sort_values(schema.COMMUNE_CODE).reset_index(drop=True)
    provinces = provinces.sort_values(schema.PROVINCE_CODE).reset_index(drop=True)
    table = pd.DataFrame(communes[list(TABLE_COLUMNS)])
    names = dict(zip(provinces[schema.PROVINCE_CODE], provinces[schema.PROVINCE_NAME]))
    bounds: dict[str, Bounds] = {"": _bounds(communes.total_bounds)}
    for code, group in communes.groupby(schema.PROVINCE_CODE):
        bounds[str(code)] = _bounds(group.total_bounds)
    tips = _commune_properties(communes)
    no_tips: list[dict[str, str]] = [{} for _ in range(len(provinces))]
    commune_ids, province_ids = table[schema.COMMUNE_CODE], provinces[schema.PROVINCE_CODE]
    national, detail = tolerances
    return MapData(
        communes=_feature_collection(simplify_coverage(communes, national, precision=decimals), tips, ids=commune_ids),
        communes_detail=_feature_collection(simplify_coverage(communes, detail, precision=decimals), tips, ids=commune_ids),
        provinces=_feature_collection(simplify_coverage(provinces, national, precision=decimals), no_tips, ids=province_ids),
        provinces_detail=_feature_collection(
            simplify_coverage(provinces, detail, precision=decimals), no_tips, ids=province_ids
        ),
        table=table,
        province_names=dict(sorted(names.items(), key=lambda kv: province_sort_key(kv[1]))),
        province_bounds=bounds,
    )


def province_sort_key(name: str) -> str:
    """Sort key of a province name without its type prefix ("Thành phố Hà Nội" → "hà nội")."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :].casefold()
    return name.casefold()


def _bounds(total_bounds: np.ndarray) -> Bounds:
    west, south, east, north = (float(v) for v in total_bounds)
    return (south, west, north, east)


def _commune_properties(communes: gpd.GeoDataFrame) -> list[dict[str, str]]:
    """Tooltip properties of each commune: display strings, HTML-escaped."""
    area = communes[schema.AREA_KM2_OFFICIAL].map(lambda v: "" if pd.isna(v) else f"{format_number(v, decimals=2)} km²")
    merged = communes[schema.N_LEGACY_COMMUNES].map(lambda v: "" if pd.isna(v) else format_number(v))
    columns = zip(
        communes[schema.COMMUNE_NAME].map(_escape_text),
        communes[schema.COMMUNE_TYPE].map(_escape_text),
        communes[schema.COMMUNE_CODE].map(_escape_text),
        communes[schema.PROVINCE_NAME].map(_escape_text),
        area.map(html.escape),
        merged.map(html.escape),
    )
    return [dict(zip(TOOLTIP_FIELDS, row)) for row in columns]


def _escape_text(value: object) -> str:
    return html.escape(value) if isinstance(value, str) else ""


def _feature_collection(gdf: gpd.GeoDataFrame, properties: list[dict[str, str]], *, ids: pd.Series) -> dict[str, Any]:
    geometries = [shapely.geometry.mapping(g) if g is not None else None for g in gdf.geometry]
    features = [
        {"type": "Feature", "id": str(i), "properties": p, "geometry": g}
        for i, p, g in zip(ids, properties, geometries)
    ]
    return {"type": "FeatureCollection", "features": features}


def classify_indicator(table: pd.DataFrame, indicator: Indicator) -> Classification:
    """Classes of an indicator over the whole country (so colours compare across provinces)."""
    values = table[indicator.column]
    if indicator.method == "categorical":
        return classify_categorical(values, title=indicator.title, order=indicator.order)
    if indicator.method == "integers":
        return classify_integers(values, title=indicator.title, upper=indicator.upper)
    return classify_quantiles(values, title=indicator.title, decimals=indicator.decimals)


def build_map(
    data: MapData,
    classification: Classification,
    column: str,
    *,
    assets: OfflineAssets,
    province_code: str = "",
    height: int = 700,
) -> folium.Map:
    """The choropleth map: communes filled by class, province outlines, tooltips, legend.

    Parameters
    ----------
    data
        From ``prepare_map_data``.
    classification
        Classes of the indicator (the legend is drawn from the same object).
    column
        Column of ``data.table`` holding the indicator.
    assets
        Local script and stylesheet URLs (``layers.offline.local_assets``).
    province_code
        "" for the whole country; otherwise only that province's communes
        are drawn and the view fits the province.
    height
        Height of the map in pixels.

    Returns
    -------
    folium.Map
        With no tile layer and no link to another host.
    """
    selected = _selected_rows(data, province_code)
    classes = classification.assign(data.table.loc[selected, column])
    codes = data.table.loc[selected, schema.COMMUNE_CODE]
    colors = {str(code): classification.color(int(i)) for code, i in zip(codes, classes)}
    m = folium.Map(location=(16.0, 106.0), zoom_start=5, tiles=None, height=height, zoom_snap=0.25)
    use_local_assets(m, assets)
    MetricScale().add_to(m)
    _communes_layer(data, selected, colors, fine=bool(province_code)).add_to(m)
    _provinces_layer(data, province_code).add_to(m)
    if province_code:
        _selected_province_layer(data, province_code).add_to(m)
    counts = {i: int((classes == i).sum()) for i in {*range(len(classification.labels)), -1}}
    note = "Số trong ngoặc: số xã/phường/đặc khu."
    # Top right: in the national view that corner is open sea and land outside
    # Vietnam, whereas bottom right would hide the Trường Sa islands.
    LegendControl(legend_html(classification, counts=counts, note=note), position="topright").add_to(m)
    south, west, north, east = data.province_bounds.get(province_code, data.province_bounds[""])
    # Keep a legend's width free on the right so the legend never covers the area shown.
    m.fit_bounds([[south, west], [north, east]], padding_top_left=(10, 10), padding_bottom_right=(LEGEND_WIDTH_PX, 10))
    return check_offline(m)


class MetricScale(MacroElement):
    """Leaflet's scale bar in kilometres only (folium's ``control_scale`` adds miles too)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


def _selected_rows(data: MapData, province_code: str) -> np.ndarray:
    if not province_code:
        return np.ones(len(data.table), dtype=bool)
    if province_code not in data.province_bounds:
        raise KeyError(f"unknown province code {province_code!r}; known: {sorted(data.province_names)}")
    return (data.table[schema.PROVINCE_CODE] == province_code).to_numpy()


def _communes_layer(data: MapData, selected: np.ndarray, colors: dict[str, str], *, fine: bool) -> folium.GeoJson:
    source = data.communes_detail if fine else data.communes
    features = [f for f, keep in zip(source["features"], selected) if keep]
    line = {"color": "#4d4d4d", "weight": 0.6 if fine else 0.25, "opacity": 0.8, "fillOpacity": 0.85}
    tooltip = folium.GeoJsonTooltip(
        fields=list(TOOLTIP_FIELDS),
        aliases=[html.escape(a) for a in TOOLTIP_ALIASES],
        sticky=True,
        style="font-size:13px;",
    )
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Xã/phường/đặc khu",
        style_function=lambda f: {**line, "fillColor": colors[f["id"]]},
        highlight_function=lambda f: {"weight": 2.5, "color": "#000000", "fillOpacity": 0.95},
        tooltip=tooltip,
    )


def _provinces_layer(data: MapData, province_code: str) -> folium.GeoJson:
    """Outlines of every province but the selected one, at national detail, for context."""
    features = [f for f in data.provinces["features"] if f["id"] != province_code]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Tỉnh/thành phố",
        style_function=lambda f: {"fill": False, "color": "#333333", "weight": 1.2, "opacity": 0.9},
        interactive=False,
    )


def _selected_province_layer(data: MapData, province_code: str) -> folium.GeoJson:
    """The selected province's outline at the same detail as its communes, drawn bold."""
    features = [f for f in data.provinces_detail["features"] if f["id"] == province_code]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Tỉnh/thành phố đang xem",
        style_function=lambda f: {"fill": False, "color": "#000000", "weight": 3, "opacity": 1.0},
        interactive=False,
    )


def communes_table(
    data: MapData,
    classification: Classification,
    column: str,
    *,
    province_code: str = "",
) -> pd.DataFrame:
    """The communes shown on the map, with their class, and Vietnamese column names."""
    table = data.table.loc[_selected_rows(data, province_code)]
    classes = classification.assign(table[column])
    return pd.DataFrame(
        {
            "Mã": table[schema.COMMUNE_CODE],
            "Tên": table[schema.COMMUNE_NAME],
            "Loại": table[schema.COMMUNE_TYPE],
            "Tỉnh/thành phố": table[schema.PROVINCE_NAME],
            "Diện tích chính thức (km²)": table[schema.AREA_KM2_OFFICIAL],
            "Số xã cũ hợp thành": table[schema.N_LEGACY_COMMUNES],
            "Lớp trên bản đồ": [classification.label(int(i)) for i in classes],
        }
    ).reset_index(drop=True)
