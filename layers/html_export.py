"""A single self-contained HTML map that works offline: Leaflet inlined, legend, tooltips.

The file holds everything it needs: Leaflet's script and stylesheet (from
the ``XStatic-Leaflet`` package, BSD-2, images as ``data:`` URIs), the
polygons as GeoJSON, the legend (drawn from the same ``Classification`` as
the fill) and a title panel with the sources and the approximate/demo
marks. It loads no script, style, font or tile from anywhere: it opens from
a USB stick on a government network with no internet.
"""

from __future__ import annotations

import base64
import html
import os
import re
from pathlib import Path
from typing import Any, Final

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element

from geo import schema as s
from geo.errors import InputError
from geo.reading.atomic import atomic_path
from layers.choropleth import MetricScale
from layers.classify import Classification, format_number
from layers.export import ExportMetadata, column_info, metadata_from_frame, prepare_frame
from layers.legend import LegendControl, legend_html
from layers.mapsheet import class_values, indicator_classification
from layers.offline import Attribution, check_offline, leaflet_source_dir
from layers.simplify import HTML_DECIMALS, html_tolerance, simplify_coverage

#: Simplification (degrees) of a national map (~200 m) and of a smaller one (~50 m), and decimals kept.
TIP_FIELDS: Final = ("name", "code", "province", "value", "class")
TIP_ALIASES: Final = ("Tên", "Mã", "Tỉnh/thành phố", "Giá trị", "Lớp")
_MIME = {".png": "image/png"}


def leaflet_inline() -> str:
    """Leaflet's stylesheet and script as inline ``<style>``/``<script>`` (images as data URIs, no source map link)."""
    folder = leaflet_source_dir()
    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(
        r"url\(images/([\w.-]+)\)",
        lambda m: f"url({_data_uri(folder / 'images' / m.group(1))})",
        css,
    )
    js = (folder / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js).replace("</", "<\\/")
    return f"<style>{css}</style>\n<script>{js}</script>"


def _data_uri(path: Path) -> str:
    return f"data:{_MIME[path.suffix]};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def html_document(
    frame: gpd.GeoDataFrame,
    *,
    column: str,
    metadata: ExportMetadata | None = None,
    classification: Classification | None = None,
    title: str | None = None,
) -> str:
    """The whole HTML page as text.

    Parameters
    ----------
    frame
        Units to draw (communes, districts or provinces), any CRS.
    column
        Indicator the fill is drawn from.
    metadata
        Sources, as-of dates, flags; read off the frame when None.
    classification
        Classes of the fill and the legend; quantiles of ``frame[column]`` when None.
    title
        Shown in the title panel and as the page title.
    """
    if column not in frame:
        raise InputError(
            f"--indicator {column!r} is not a column of the layer; columns: {sorted(c for c in frame.columns if c != 'geometry')}"
        )
    units = prepare_frame(frame)
    meta = metadata if metadata is not None else metadata_from_frame(units)
    classification = classification or indicator_classification(units[column], column)
    classes = classification.assign(class_values(units, column))
    title = title or f"{meta.title}: {column_info(column).header}"
    m = folium.Map(
        location=(16.0, 106.0), zoom_start=6, tiles=None, zoom_snap=0.25, control_scale=False
    )
    m.default_js, m.default_css = [], []
    root = m.get_root()
    root.header.add_child(Element(leaflet_inline()), name="leaflet_inline")
    root.header.add_child(
        Element(
            f"<title>{html.escape(title)}</title><style>.leaflet-container{{background:#f3f5f7;}}</style>"
        ),
        name="page_style",
    )
    MetricScale().add_to(m)
    Attribution().add_to(m)
    _units_layer(units, column, classification, classes).add_to(m)
    counts = {i: int((classes == i).sum()) for i in [*range(len(classification.labels)), -1]}
    LegendControl(
        legend_html(classification, counts=counts, note="Số trong ngoặc: số đơn vị hành chính."),
        position="topright",
    ).add_to(m)
    LegendControl(_title_panel(title, meta), position="topleft").add_to(m)
    west, south, east, north = units.total_bounds
    m.fit_bounds([[south, west], [north, east]])
    check_offline(m)
    return root.render()


def _units_layer(
    units: gpd.GeoDataFrame, column: str, classification: Classification, classes: Any
) -> folium.GeoJson:
    simple = simplify_coverage(units, html_tolerance(len(units)), precision=HTML_DECIMALS)
    features = []
    for row, geometry, index in zip(units.itertuples(index=False), simple.geometry, classes):
        record = row._asdict()
        properties = {
            **_tip(record, units.columns, column, classification.label(int(index))),
            "fill": classification.color(int(index)),
        }
        features.append(
            {"type": "Feature", "properties": properties, "geometry": geometry.__geo_interface__}
        )
    tooltip = folium.GeoJsonTooltip(
        fields=list(TIP_FIELDS), aliases=list(TIP_ALIASES), sticky=True, style="font-size:13px;"
    )
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Đơn vị hành chính",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#4d4d4d",
            "weight": 0.4,
            "fillOpacity": 0.85,
        },
        highlight_function=lambda f: {"weight": 2.5, "color": "#000000"},
        tooltip=tooltip,
    )


def _tip(record: dict[str, Any], columns: pd.Index, column: str, label: str) -> dict[str, str]:
    """Tooltip strings (HTML-escaped): name, code, province, value with unit, class."""
    name_column = next(
        (c for c in (s.COMMUNE_NAME, s.DISTRICT_NAME, s.PROVINCE_NAME) if c in columns), None
    )
    code_column = next(
        (c for c in (s.COMMUNE_CODE, s.DISTRICT_CODE, s.PROVINCE_CODE) if c in columns), None
    )
    value = record.get(column)
    unit = column_info(column).unit
    if value is None or (isinstance(value, float) and pd.isna(value)):
        shown = "không có số liệu"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = format_number(float(value), decimals=1 if unit == "%" else 0) + (
            f" {unit}" if unit and unit != "đúng/sai" else ""
        )
    else:
        shown = str(value)
    texts = {
        "name": record.get(name_column) if name_column else "",
        "code": record.get(code_column) if code_column else "",
        "province": record.get(s.PROVINCE_NAME, ""),
        "value": shown,
        "class": label,
    }
    return {k: html.escape(str(v)) if v is not None else "" for k, v in texts.items()}


def _title_panel(title: str, metadata: ExportMetadata) -> str:
    """Title, marks and sources as an inline-styled block (every string escaped)."""
    marks = []
    if metadata.demo:
        marks.append("SỐ LIỆU MINH HOẠ (DEMO) — không phải số liệu thật")
    if metadata.approximate_boundaries:
        marks.append("RANH GIỚI GẦN ĐÚNG — không dùng cho mục đích pháp lý")
    sources = [
        f"{k}: {v}" + (f" (ngày {metadata.as_of[k]})" if k in metadata.as_of else "")
        for k, v in metadata.sources.items()
    ]
    parts = [
        '<div class="vn-title" style="background:rgba(255,255,255,0.92);padding:8px 10px;border-radius:4px;max-width:420px;'
        "font:13px/1.45 'Segoe UI',Arial,sans-serif;color:#222;box-shadow:0 1px 4px rgba(0,0,0,0.35);\">",
        f'<div style="font-weight:700;font-size:15px;">{html.escape(title)}</div>',
        *(
            f'<div style="color:#b00020;font-weight:700;">{html.escape(mark)}</div>'
            for mark in marks
        ),
        f'<div style="font-size:12px;color:#555;">Nguồn: {html.escape("; ".join(sources) or "chưa có số liệu")} · lập ngày {html.escape(metadata.created)}</div>',
        "</div>",
    ]
    return "".join(parts)


def html_bytes(
    frame: gpd.GeoDataFrame,
    *,
    column: str,
    metadata: ExportMetadata | None = None,
    title: str | None = None,
) -> bytes:
    """The HTML page as UTF-8 bytes (for a download button)."""
    return html_document(frame, column=column, metadata=metadata, title=title).encode("utf-8")


def write_html(
    frame: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    column: str,
    metadata: ExportMetadata | None = None,
    title: str | None = None,
) -> Path:
    """Write the page atomically."""
    path = Path(path)
    data = html_bytes(frame, column=column, metadata=metadata, title=title)
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
    return path
