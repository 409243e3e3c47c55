"""Bản đồ hạ tầng số theo xã/phường: the Streamlit shell (language, navigation).

Run with ``streamlit run app.py``; to use another data folder,
``streamlit run app.py -- --data-dir PATH`` or ``VNCOVER_DATA_DIR=PATH``
(precedence in ``application.settings``). Works with no internet: the map's scripts
are served by the app itself (``layers.offline``) and no basemap is loaded.

Each page in ``pages_app/`` only reads widgets, calls library functions and
renders; the session's values, the display data, texts and tables live in
``application/``, the maps in ``layers/``, the data core in ``geo/``.
"""

from __future__ import annotations

import streamlit as st

from application.i18n import DEFAULT_LANG, LANG_NAMES, LANGS, text
from application.session import LANG

st.set_page_config(page_title="Bản đồ hạ tầng số theo xã/phường", layout="wide")
if LANG not in st.session_state:
    st.session_state[LANG] = DEFAULT_LANG
with st.sidebar:
    lang = st.segmented_control(
        text("language"), list(LANGS), format_func=LANG_NAMES.__getitem__, key=LANG
    )
lang = lang or DEFAULT_LANG
pages = [
    st.Page("pages_app/map.py", title=text("page_map", lang), url_path="map", default=True),
    st.Page("pages_app/uncovered.py", title=text("page_uncovered", lang), url_path="uncovered"),
    st.Page("pages_app/data.py", title=text("page_data", lang), url_path="data"),
    st.Page("pages_app/meeting.py", title=text("page_meeting", lang), url_path="meeting"),
]
st.navigation(pages).run()
