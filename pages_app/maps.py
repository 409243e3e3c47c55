"""Where an indicator map is rendered: the map on screen (``st_folium``) and its print-sheet buttons.

A page describes the map in an :class:`application.map_request.MapRequest`; its
classes, style and file names come from :mod:`application.map_request`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from application.display import DisplayData
from application.map_request import (
    SHEET_DPI,
    SHEETS,
    MapRequest,
    indicator_view,
    map_style,
    sheet_stem,
)
from layers.choropleth import IndicatorView
from layers.offline import OfflineAssets, local_assets, vendor_assets
from pages_app.common import lang, tr

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@st.cache_resource(show_spinner=False)
def _offline_assets(static_dir: str, base_url: str) -> OfflineAssets:
    """Leaflet copied into the static folder once; its local URLs."""
    vendor_assets(Path(static_dir))
    return local_assets(base_url)


def assets() -> OfflineAssets:
    """Local URLs of the map's scripts."""
    return _offline_assets(str(STATIC_DIR), st.get_option("server.baseUrlPath") or "")


def view(data: DisplayData, request: MapRequest) -> IndicatorView:
    """The requested indicator classified in the session's language (once per rerun, for map and sheets)."""
    return indicator_view(data, request, lang=lang())


def show_map(
    data: DisplayData, request: MapRequest, *, shown: IndicatorView | None = None
) -> dict | None:
    """Draw the requested map (``shown``: its classes, when the page has them already); what st_folium reports."""
    from streamlit_folium import st_folium

    from layers.choropleth import build_indicator_map

    shown = shown or view(data, request)
    m = build_indicator_map(
        data.layer(request.scheme, request.level),
        data.layer(request.scheme, "province"),
        shown.classification,
        shown.values,
        shown.texts,
        assets=assets(),
        province_code=request.province,
        style=map_style(data, request, lang=lang()),
    )
    return st_folium(
        m,
        key=request.key,
        height=request.height,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )


def sheet_downloads(
    data: DisplayData,
    request: MapRequest,
    *,
    title: str,
    key: str,
    shown: IndicatorView | None = None,
    columns: Sequence[DeltaGenerator] = (),
) -> None:
    """One download button per print sheet of the requested map, drawn only when clicked (matplotlib).

    With ``columns``, button ``i`` goes in ``columns[i]`` (side by side); else they stack.
    """
    from layers.mapsheet import sheet_bytes
    from layers.view_sheet import view_sheet

    sheet = view_sheet(
        data.layer(request.scheme, request.level),
        data.layer(request.scheme, "province"),
        shown or view(data, request),
        column=request.column,
        title=title,
        scheme=request.scheme,
        communes=data.layer(request.scheme, "commune"),
        province=request.province,
        lang=lang(),
    )
    for i, (fmt, (size, mime, label)) in enumerate(SHEETS.items()):
        (columns[i] if i < len(columns) else st).download_button(
            tr(label),
            data=lambda fmt=fmt, size=size: sheet_bytes(sheet, fmt=fmt, size=size, dpi=SHEET_DPI),  # type: ignore[misc]
            file_name=f"{sheet_stem(request)}.{fmt}",
            mime=mime,
            key=f"{key}_{fmt}",
            on_click="ignore",
            width="stretch",
        )
