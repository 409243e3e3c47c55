"""The indicator choropleth: any scheme and level, display-ready GeoJSON, and the folium map.

Three steps, so the slow one can be cached by the app:

1. ``prepare_units`` (slow, once per layer): simplify an indicator layer at
   two levels of detail (coarse for the whole country, fine for one
   province), round coordinates, and keep its attribute table aside, row
   ``i`` for feature ``i``, as a ``UnitLayer``.
2. ``view_indicator`` (on every indicator or class-mode change): classify one
   of ``MAP_INDICATORS`` over the whole table — against its target, by
   quantiles or by natural breaks; yes/no flags as two categories — and
   write the value text of each unit, as an ``IndicatorView``.
3. ``build_indicator_map`` (on every change): fill each unit with its class
   colour, add province outlines, escaped tooltips and the legend (drawn
   from the same ``Classification``, with counts), and fit the view to the
   country or to the one province drawn at the finer detail.

Maps built here load nothing from another host (``layers.offline``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo import schema
from geo.indicators import registry
from geo.indicators.formatting import format_share
from geo.indicators.registry import Indicator
from geo.reference.names import strip_prefix
from layers.classify import (
    POLICY,
    POLICY_SHARES,
    Classification,
    classify_natural_breaks,
    classify_policy,
    classify_quantiles,
    format_number,
)
from layers.legend import LegendControl, legend_html
from layers.offline import (
    DEFAULT_CREDIT,
    Attribution,
    OfflineAssets,
    check_offline,
    use_local_assets,
)
from layers.simplify import DEFAULT_TOLERANCES, UNIT_DECIMALS, simplify_coverage

#: Room kept free on the right of the fitted view for the legend (pixels).
LEGEND_WIDTH_PX = 270

Bounds = tuple[float, float, float, float]  # south, west, north, east


def province_sort_key(name: str) -> str:
    """Sort key of a province name without its type prefix ("Thành phố Hà Nội" → "hà nội")."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :].casefold()
    return name.casefold()


def _bounds(total_bounds: np.ndarray) -> Bounds:
    west, south, east, north = (float(v) for v in total_bounds)
    return (south, west, north, east)


def _escape_text(value: object) -> str:
    return html.escape(value) if isinstance(value, str) else ""


def _features(gdf: gpd.GeoDataFrame, ids: pd.Series) -> tuple[dict[str, Any], ...]:
    """GeoJSON features with ``id`` = unit code and no properties (the map adds them per view)."""
    geometries = [shapely.geometry.mapping(g) if g is not None else None for g in gdf.geometry]
    return tuple(
        {"type": "Feature", "id": str(i), "properties": {}, "geometry": g}
        for i, g in zip(ids, geometries)
    )


class MetricScale(MacroElement):
    """Leaflet's scale bar in kilometres only (folium's ``control_scale`` adds miles too)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


# --- Unit layers and the map -----------------------------------------------------------------

#: Identity columns of a display table, whatever the level.
UNIT_CODE = "code"
UNIT_NAME = "name"
#: Identity columns of each level in the indicator layers.
LEVEL_COLUMNS: dict[str, tuple[str, str]] = {
    "commune": (schema.COMMUNE_CODE, schema.COMMUNE_NAME),
    "district": (schema.DISTRICT_CODE, schema.DISTRICT_NAME),
    "province": (schema.PROVINCE_CODE, schema.PROVINCE_NAME),
}
#: Tooltip properties of a unit feature (short keys keep the payload small).
PROP_NAME, PROP_PROVINCE, PROP_VALUE = "n", "p", "v"


@dataclass(frozen=True)
class UnitLayer:
    """One scheme and level ready for the browser (plain values, so ``st.cache_data`` can keep it).

    Attributes
    ----------
    level
        ``"commune"``, ``"district"`` or ``"province"``.
    coarse, fine
        GeoJSON features (``id`` = unit code, no properties) for the national
        and the province view; feature ``i`` is row ``i`` of ``table``.
    table
        Attributes without geometry: ``code``, ``name``, ``province_code``,
        ``province_name`` and every indicator column, sorted by code.
    bounds
        Province code → (south, west, north, east); ``""`` is the whole extent.
    """

    level: str
    coarse: tuple[dict[str, Any], ...]
    fine: tuple[dict[str, Any], ...]
    table: pd.DataFrame
    bounds: dict[str, Bounds]

    def rows(self, province_code: str = "") -> np.ndarray:
        """Boolean mask of the units of one province (all units for "")."""
        if not province_code:
            return np.ones(len(self.table), dtype=bool)
        if province_code not in self.bounds:
            raise KeyError(
                f"unknown province code {province_code!r}; known: {sorted(k for k in self.bounds if k)}"
            )
        return (self.table[schema.PROVINCE_CODE] == province_code).to_numpy()


def prepare_units(
    gdf: gpd.GeoDataFrame,
    level: str,
    *,
    tolerances: tuple[float, float] = DEFAULT_TOLERANCES,
    decimals: tuple[int, int] = UNIT_DECIMALS,
) -> UnitLayer:
    """Simplify an indicator layer at two details and keep its attributes aside.

    Parameters
    ----------
    gdf
        A layer of ``application.app_data.AppData`` (WGS 84) with the level's code and name columns.
    level
        ``"commune"``, ``"district"`` or ``"province"``.
    tolerances
        Degrees, for the national and the province view (coverage-preserving).
    decimals
        Decimals kept in coordinates, national and province view.
    """
    code, name = LEVEL_COLUMNS[level]
    gdf = gdf[gdf[code].notna()].sort_values(code).reset_index(drop=True)
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    table[UNIT_CODE] = table[code].astype(str)
    table[UNIT_NAME] = table[name] if name in table else table[code]
    bounds: dict[str, Bounds] = {"": _bounds(gdf.total_bounds)}
    for province, group in gdf.groupby(schema.PROVINCE_CODE):
        bounds[str(province)] = _bounds(group.total_bounds)
    coarse, fine = (
        simplify_coverage(gdf, tol, precision=dec) for tol, dec in zip(tolerances, decimals)
    )
    return UnitLayer(
        level=level,
        coarse=_features(coarse, table[UNIT_CODE]),
        fine=_features(fine, table[UNIT_CODE]),
        table=table,
        bounds=bounds,
    )


@dataclass(frozen=True)
class MapStyle:
    """What a page asks of the map besides the data: texts, highlight, size.

    Attributes
    ----------
    tooltip_aliases
        Labels of the name, province and value rows of the tooltip (plain text).
    legend_note
        Line under the legend (plain text), e.g. the "data as of" date.
    highlight
        Unit codes drawn with a bold outline (e.g. the ranked uncovered communes).
    large
        Larger legend and tooltip text, for a projector.
    height
        Map height in pixels.
    lang
        Language of the numbers in the legend (``"vi"`` or ``"en"``).
    labels
        Names written on the map (for a meeting): the units' names when at most
        :data:`MAX_NAMES` are drawn (a province), else the provinces'; a name that
        would touch another is hidden at each zoom. Off by default.
    credit
        The map's credit (plain text) in place of Leaflet's flag and link.
    """

    tooltip_aliases: tuple[str, str, str] = ("Tên", "Tỉnh/thành phố", "Giá trị")
    legend_note: str | None = None
    highlight: frozenset[str] = frozenset()
    large: bool = False
    height: int = 700
    lang: str = "vi"
    labels: bool = False
    credit: str = DEFAULT_CREDIT


def build_indicator_map(
    units: UnitLayer,
    outlines: UnitLayer,
    classification: Classification,
    values: pd.Series,
    value_texts: list[str],
    *,
    assets: OfflineAssets,
    province_code: str = "",
    style: MapStyle = MapStyle(),
) -> folium.Map:
    """Choropleth of ``values`` over ``units``, with province outlines, tooltips and the legend.

    Parameters
    ----------
    units
        The layer drawn (any scheme and level).
    outlines
        The province layer of the same scheme (drawn as outlines, not interactive).
    classification
        Classes of the indicator; the legend is drawn from the same object.
    values
        The indicator, one value per row of ``units.table`` (numbers, or
        category labels for a categorical classification).
    value_texts
        Display text of the value of each row of ``units.table`` (for the tooltip).
    assets
        Local script and stylesheet URLs (``layers.offline.local_assets``).
    province_code
        "" for the whole extent; otherwise only that province is drawn, finer.
    style
        Tooltip labels, legend note, highlighted units, size.

    Returns
    -------
    folium.Map
        With no tile layer and no link to another host.
    """
    selected = units.rows(province_code)
    table = units.table.loc[selected]
    classes = classification.assign(pd.Series(values).to_numpy()[selected])
    colors = {code: classification.color(int(i)) for code, i in zip(table[UNIT_CODE], classes)}
    m = folium.Map(
        location=(16.0, 106.0), zoom_start=5, tiles=None, height=style.height, zoom_snap=0.25
    )
    use_local_assets(m, assets)
    Attribution(style.credit).add_to(m)
    if style.large:
        m.get_root().header.add_child(folium.Element(_LARGE_CSS), name="vn_large_text")
    if style.labels:
        m.get_root().header.add_child(folium.Element(_NAMES_CSS), name="vn_names")
    MetricScale().add_to(m)
    texts = [t for t, keep in zip(value_texts, selected) if keep]
    _units_layer(
        units, selected, table, texts, colors, province_code=province_code, style=style
    ).add_to(m)
    _outline_layer(outlines, province_code).add_to(m)
    if style.labels:
        UnitNames(name_points(units, outlines, selected, province_code=province_code)).add_to(m)
    counts = {i: int((classes == i).sum()) for i in {*range(len(classification.labels)), -1}}
    LegendControl(
        legend_html(classification, counts=counts, note=style.legend_note, lang=style.lang),
        position="topright",
    ).add_to(m)
    south, west, north, east = units.bounds.get(province_code, units.bounds[""])
    m.fit_bounds(
        [[south, west], [north, east]],
        padding_top_left=(10, 10),
        padding_bottom_right=(LEGEND_WIDTH_PX, 10),
    )
    return check_offline(m)


#: Most unit names written on a map; more (every commune of the country) and the provinces are named.
MAX_NAMES = 400


def name_points(
    units: UnitLayer, outlines: UnitLayer, selected: np.ndarray, *, province_code: str = ""
) -> list[tuple[float, float, str]]:
    """(lat, lon, name) of each unit drawn, largest first; the provinces' when too many units are drawn.

    Names lose their type word ("Xã Đầm Dơi" → "Đầm Dơi") unless only a number is left ("Phường 1").
    """
    if int(selected.sum()) <= MAX_NAMES:
        layer, keep = units, selected
    else:
        layer, keep = outlines, outlines.rows("")
    source = layer.fine if province_code else layer.coarse
    level = layer.level if layer.level in ("commune", "district", "province") else "commune"
    shapes = [
        shapely.geometry.shape(f["geometry"])
        for f, k in zip(source, keep)
        if k and f["geometry"] is not None
    ]
    names = [
        n
        for f, n, k in zip(source, layer.table[UNIT_NAME], keep)
        if k and f["geometry"] is not None
    ]
    points = [shapely.point_on_surface(g) for g in shapes]
    order = np.argsort([-g.area for g in shapes], kind="stable")
    return [
        (round(points[i].y, 5), round(points[i].x, 5), short_name(names[i], level=level))
        for i in order
        if isinstance(names[i], str)
    ]


def short_name(name: str, *, level: str) -> str:
    """The name as a map writes it: without its type word ("Xã Đầm Dơi" → "Đầm Dơi"), unless a number is left ("Phường 1")."""
    if level not in ("commune", "district", "province"):
        return name
    rest = strip_prefix(name, level=level)  # type: ignore[arg-type]
    return name if rest.isdigit() else rest


class UnitNames(MacroElement):
    """Names at points, as text on the map (not interactive); a name touching one before it is hidden.

    Parameters
    ----------
    points
        (lat, lon, name) in priority order (plain text: escaped here).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var group = L.layerGroup().addTo(map);
            var markers = {{ this.points|tojson }}.map(function (p) {
                return L.marker([p[0], p[1]], {
                    icon: L.divIcon({className: 'vn-name', html: '<span>' + p[2] + '</span>', iconSize: null}),
                    interactive: false, keyboard: false
                }).addTo(group);
            });
            function declutter() {
                var kept = [];
                markers.forEach(function (m) {
                    var el = m.getElement();
                    if (!el) { return; }
                    var span = el.firstChild;
                    span.style.visibility = 'visible';
                    var r = span.getBoundingClientRect();
                    var hit = kept.some(function (k) {
                        return !(r.right < k.left || r.left > k.right || r.bottom < k.top || r.top > k.bottom);
                    });
                    if (hit) { span.style.visibility = 'hidden'; } else { kept.push(r); }
                });
            }
            // After the view settles: a zoom animation or the iframe's resize moves the names.
            var pending = null;
            function later() { clearTimeout(pending); pending = setTimeout(declutter, 200); }
            map.on('zoomend moveend resize', later);
            map.whenReady(later);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, points: list[tuple[float, float, str]]) -> None:
        super().__init__()
        self._name = "UnitNames"
        self.points = [(lat, lon, html.escape(name)) for lat, lon, name in points]


_NAMES_CSS = (
    "<style>.vn-name span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;"
    "font:600 13px/1.1 'Source Sans Pro','Segoe UI',Arial,sans-serif;color:#111;pointer-events:none;"
    "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff;}</style>"
)

_LARGE_CSS = (
    "<style>.vn-legend{font-size:20px !important;max-width:420px !important;}"
    ".vn-legend span{width:28px !important;height:18px !important;}"
    ".leaflet-tooltip{font-size:18px !important;}</style>"
)


def _units_layer(
    units: UnitLayer,
    selected: np.ndarray,
    table: pd.DataFrame,
    texts: list[str],
    colors: dict[str, str],
    *,
    province_code: str,
    style: MapStyle,
) -> folium.GeoJson:
    source = units.fine if province_code else units.coarse
    features = [
        {
            **f,
            "properties": {
                PROP_NAME: _escape_text(n),
                PROP_PROVINCE: _escape_text(p),
                PROP_VALUE: html.escape(v),
            },
        }
        for f, n, p, v in zip(
            (f for f, keep in zip(source, selected) if keep),
            table[UNIT_NAME],
            table[schema.PROVINCE_NAME],
            texts,
        )
    ]
    fields = (
        [PROP_NAME, PROP_VALUE]
        if units.level == "province"
        else [PROP_NAME, PROP_PROVINCE, PROP_VALUE]
    )
    name_alias, province_alias, value_alias = style.tooltip_aliases
    aliases = (
        [name_alias, value_alias]
        if units.level == "province"
        else [name_alias, province_alias, value_alias]
    )
    fine = bool(province_code) or units.level != "commune"
    line = {
        "color": "#4d4d4d",
        "weight": 0.6 if fine else 0.25,
        "opacity": 0.8,
        "fillOpacity": 0.85,
    }
    bold = {"color": "#000000", "weight": 2.5, "opacity": 1.0, "fillOpacity": 0.95}
    highlight = style.highlight
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="units",
        style_function=lambda f: {
            **line,
            **(bold if f["id"] in highlight else {}),
            "fillColor": colors[f["id"]],
        },
        highlight_function=lambda f: {"weight": 3, "color": "#000000", "fillOpacity": 0.95},
        tooltip=folium.GeoJsonTooltip(
            fields=fields, aliases=[html.escape(a) for a in aliases], sticky=True
        ),
    )


def _outline_layer(outlines: UnitLayer, province_code: str) -> folium.GeoJson:
    """Province outlines for context; the selected province bold, at its finer detail."""
    features = [f for f in outlines.coarse if f["id"] != province_code]
    features += [f for f in outlines.fine if f["id"] == province_code]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="provinces",
        style_function=lambda f: {
            "fill": False,
            "color": "#000000" if f["id"] == province_code else "#333333",
            "weight": 3 if f["id"] == province_code else 1.2,
            "opacity": 0.9,
        },
        interactive=False,
    )


# --- The indicators the app maps -------------------------------------------------------------

ClassMode = Literal["policy", "quantiles", "natural"]


#: An indicator the map can draw: the registry's declaration of it.
MapIndicator = Indicator

#: The indicators the app offers on the map, in the order of its selector.
MAP_COLUMNS: tuple[str, ...] = (
    schema.PCT_POP_4G,
    schema.PCT_AREA_4G,
    schema.PCT_HOUSEHOLDS_FIBRE,
    schema.FIBRE_TO_COMMUNE,
    schema.PCT_COMMUNES_FIBRE,
    schema.PCT_VILLAGES_TEAM,
    schema.TEAMS,
    schema.TEAM_MEMBERS,
    schema.UNCOVERED,
    schema.N_UNCOVERED,
    schema.POP_TOTAL,
    schema.HOUSEHOLDS,
    schema.AREA_KM2,
)
MAP_INDICATORS: tuple[Indicator, ...] = tuple(registry.indicator(c) for c in MAP_COLUMNS)


def indicators_of(table: pd.DataFrame) -> list[MapIndicator]:
    """The indicators whose column the table has."""
    return [i for i in MAP_INDICATORS if i.column in table.columns]


@dataclass(frozen=True)
class IndicatorView:
    """An indicator classified for the map: the classes, the values they were assigned from, and texts."""

    classification: Classification
    values: pd.Series
    texts: list[str]


def view_indicator(
    table: pd.DataFrame,
    indicator: MapIndicator,
    *,
    title: str,
    texts: Mapping[str, str],
    target_pct: float | None = None,
    mode: ClassMode = "policy",
    lang: str = "vi",
) -> IndicatorView:
    """Classify an indicator over the whole table (so colours compare across provinces).

    Parameters
    ----------
    table
        ``UnitLayer.table``.
    indicator
        What to map.
    title
        Legend title (in the reader's language).
    texts
        Labels in the reader's language: ``no_data``, ``yes``, ``no`` and the
        policy labels ``below80``, ``80_90``, ``90_100``, ``met`` (templates with ``{a}``, ``{b}``).
    target_pct
        The target a percentage is read against (None: quantiles).
    mode
        ``"policy"`` (classes against the target, the default), ``"quantiles"``
        or ``"natural"`` (natural breaks); counts and percentages without a
        target use quantiles under ``"policy"``.
    lang
        Language of the numbers in the labels and value texts (``"vi"``: ``79,2 %``; ``"en"``: ``79.2 %``).
    """
    raw = table[indicator.column]
    if "yes_no" in indicator.schemes:
        return _flag_view(raw, indicator, title=title, texts=texts)
    numbers = pd.to_numeric(raw, errors="coerce").astype(float)
    decimals = indicator.decimals
    if "policy" in indicator.schemes and mode == "policy" and target_pct is not None:
        classification = classify_policy(
            title=title, target_pct=target_pct, labels=_policy_labels(target_pct, texts, lang)
        )
    elif mode == "natural":
        classification = classify_natural_breaks(numbers, title=title, decimals=decimals, lang=lang)
    else:
        classification = classify_quantiles(numbers, title=title, decimals=decimals, lang=lang)
    classification = replace(classification, no_data_label=texts["no_data"])
    unit = " %" if indicator.kind == "percent" else ""
    shown = [
        texts["no_data"]
        if pd.isna(v)
        else f"{format_number(v, decimals=decimals, lang=lang)}{unit}"
        for v in numbers
    ]
    return IndicatorView(classification=classification, values=numbers, texts=shown)


def _policy_labels(target: float, texts: Mapping[str, str], lang: str) -> tuple[str, ...]:
    a, b, c = (format_share(target * share, lang=lang) for share in POLICY_SHARES)
    return (
        texts["below80"].format(a=a),
        texts["80_90"].format(a=a, b=b),
        texts["90_100"].format(a=b, b=c),
        texts["met"].format(a=c),
    )


def _flag_view(
    raw: pd.Series, indicator: MapIndicator, *, title: str, texts: Mapping[str, str]
) -> IndicatorView:
    """Yes/no classes; the bad outcome is drawn red ("no", or "yes" where more is worse: ``uncovered``)."""
    flags = raw.astype("boolean")
    yes, no = texts["yes"], texts["no"]
    labels = pd.Series(
        [None if pd.isna(v) else (yes if v else no) for v in flags], index=raw.index, dtype=object
    )
    bad, good = (no, yes) if indicator.higher_is_better else (yes, no)
    classification = Classification(
        title=title,
        kind="categorical",
        labels=(bad, good),
        colors=(POLICY[0], POLICY[-1]),
        categories=(bad, good),
        no_data_label=texts["no_data"],
    )
    return IndicatorView(
        classification=classification,
        values=labels,
        texts=[texts["no_data"] if v is None else v for v in labels],
    )
