"""Meeting mode: the map full width, a large title, the legend and the data date, a province picker, the print sheets."""

from __future__ import annotations

import html

import streamlit as st

from application.display import as_of_text, map_title
from application.map_request import MapRequest
from geo import schema as s
from pages_app.common import lang, load, session, tr
from pages_app.maps import sheet_downloads, show_map, view
from pages_app.widgets import province_picker

# Hide Streamlit's sidebar, header and toolbar and widen the page: only the map and its title stay.
st.html(
    "<style>[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl'],header[data-testid='stHeader'],"
    "[data-testid='stToolbar']{display:none !important;}"
    ".block-container{padding:0.6rem 1rem 0 1rem !important;max-width:100% !important;}"
    "h1.vn-meeting{font-size:2.6rem;margin:0 0 .2rem 0;line-height:1.15;}"
    "p.vn-meeting{font-size:1.5rem;margin:0;color:#333;}</style>"
)
data = load()
communes = data.layer(s.VINTAGE_2025, "commune").table
column = session().indicator(communes.columns, s.PCT_POP_4G)
head, picker, sheets, leave = st.columns([5, 2, 1.4, 1], vertical_alignment="bottom")
with picker:
    province, place = province_picker(data, widget="meeting_province")
with leave:
    st.page_link("pages_app/map.py", label=tr("exit_meeting"))
request = MapRequest(
    scheme=s.VINTAGE_2025,
    level="commune",
    column=column,
    province=province,
    large=True,
    height=820,
    key="meeting_map",
)
shown = view(data, request)  # classified once, for the print sheets and the map
title = map_title(column, place, lang())
with head:
    demo = " · DEMO" if data.is_demo else ""
    st.html(
        f'<h1 class="vn-meeting">{html.escape(title)}</h1>'
        f'<p class="vn-meeting">{html.escape(as_of_text(data, lang()) + demo)}</p>'
    )
with sheets:
    sheet_downloads(data, request, title=title, key="meeting_sheet", shown=shown)
show_map(data, request, shown=shown)
