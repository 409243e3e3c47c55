"""Bản đồ hạ tầng số theo xã/phường: the Streamlit shell.

Run with ``streamlit run app.py``; to use another data folder,
``streamlit run app.py -- --data-dir PATH`` or ``VNCOVER_DATA_DIR=PATH``
(precedence in ``geo.settings``). Works with no internet: the map's scripts
are served by the app itself (``layers.offline``) and no basemap is loaded.

This file only reads widgets, calls one library function per step, and
renders; everything else lives in ``geo/`` and ``layers/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.boundaries import boundaries_file, read_boundary_layer
from geo.errors import CoverageError
from geo.settings import Settings, resolve_settings
from layers.choropleth import INDICATORS, MapData, build_map, classify_indicator, communes_table, prepare_map_data
from layers.offline import OfflineAssets, local_assets, vendor_assets

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAP_HEIGHT = 720
ALL_PROVINCES = ""

APPROXIMATE_NOTICE = (
    "**Ranh giới trên bản đồ là gần đúng.** Đường ranh giới xã/phường được tạo tự động "
    "từ toạ độ trung tâm và diện tích chính thức trong danh mục đơn vị hành chính, "
    "không phải số liệu đo đạc; chỉ dùng để xem tổng quan, không dùng để xác định địa giới. "
    "Diện tích trong chú giải và chú thích là diện tích chính thức."
)


@st.cache_resource(show_spinner=False)
def _offline_assets(static_dir: str, base_url: str) -> OfflineAssets:
    vendor_assets(Path(static_dir))
    return local_assets(base_url)


@st.cache_data(show_spinner="Đang chuẩn bị bản đồ…", max_entries=4)
def _map_data(path: str, mtime_ns: int) -> MapData:
    del mtime_ns  # part of the cache key only: a rewritten file is read again
    communes = read_boundary_layer(path, schema.LAYER_COMMUNES_2025)
    provinces = read_boundary_layer(path, schema.LAYER_PROVINCES_2025)
    return prepare_map_data(communes, provinces)


def _load(settings: Settings) -> MapData:
    path = boundaries_file(settings)
    return _map_data(str(path), path.stat().st_mtime_ns)


def _sidebar(data: MapData, settings: Settings) -> tuple[str, str]:
    with st.sidebar:
        st.header("Tuỳ chọn")
        indicator = st.radio(
            "Tô màu theo", list(INDICATORS), format_func=lambda k: INDICATORS[k].label, key="indicator"
        )
        names = {ALL_PROVINCES: f"Toàn quốc ({len(data.province_names)} tỉnh/thành phố)", **data.province_names}
        province = st.selectbox("Tỉnh/thành phố", list(names), format_func=names.__getitem__, key="province")
        st.caption(f"Thư mục dữ liệu: `{settings.data_dir}`")
    return indicator, province


def main() -> None:
    st.set_page_config(page_title="Bản đồ hạ tầng số theo xã/phường", layout="wide")
    st.title("Bản đồ xã, phường, đặc khu Việt Nam (2025)")
    try:
        settings = resolve_settings(sys.argv[1:], os.environ)
        data = _load(settings)
    except CoverageError as err:
        st.error(f"Không đọc được dữ liệu ranh giới: {err}")
        st.stop()
    assets = _offline_assets(str(STATIC_DIR), st.get_option("server.baseUrlPath") or "")
    indicator_key, province = _sidebar(data, settings)
    indicator = INDICATORS[indicator_key]
    if data.approximate:
        st.warning(APPROXIMATE_NOTICE, icon=":material/warning:")
    classification = classify_indicator(data.table, indicator)
    m = build_map(data, classification, indicator.column, assets=assets, province_code=province, height=MAP_HEIGHT)
    st_folium(m, key="map", height=MAP_HEIGHT, use_container_width=True, returned_objects=[])
    place = data.province_names.get(province, "toàn quốc")
    with st.expander(f"Danh sách xã/phường/đặc khu — {place}", expanded=bool(province)):
        st.dataframe(communes_table(data, classification, indicator.column, province_code=province), hide_index=True)


main()
