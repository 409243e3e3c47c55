"""Meeting mode: the map full width, a large title, the legend and the data date, a province picker, the print sheets."""

from __future__ import annotations

import html

import streamlit as st

from geo import schema as s
from pages_app.common import as_of_text, load, province_names, sheet_downloads, show_map, tr

# Hide Streamlit's sidebar, header and toolbar and widen the page: only the map and its title stay.
st.html(
    "<style>[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl'],header[data-testid='stHeader'],"
    "[data-testid='stToolbar']{display:none !important;}"
    ".block-container{padding:0.6rem 1rem 0 1rem !important;max-width:100% !important;}"
    "h1.vn-meeting{font-size:2.6rem;margin:0 0 .2rem 0;line-height:1.15;}"
    "p.vn-meeting{font-size:1.5rem;margin:0;color:#333;}</style>"
)
data = load()
column = st.session_state.get("last_indicator", s.PCT_POP_4G)
if column not in data.layer(s.VINTAGE_2025, "commune").table.columns:
    column = s.PCT_POP_4G
names = province_names(data.layer(s.VINTAGE_2025, "province"))
options = {"": tr("whole_country", n=len(names)), **names}
head, picker, sheets, leave = st.columns([5, 2, 1.4, 1], vertical_alignment="bottom")
with picker:
    default = st.session_state.get("last_province", "")
    province = st.selectbox(
        tr("province"),
        list(options),
        index=list(options).index(default) if default in options else 0,
        format_func=options.__getitem__,
        key="meeting_province",
    )
with leave:
    st.page_link("pages_app/map.py", label=tr("exit_meeting"))
with head:
    title = f"{tr(f'ind_{column}')} — {options[province]}"
    demo = " · DEMO" if data.is_demo else ""
    st.html(
        f'<h1 class="vn-meeting">{html.escape(title)}</h1><p class="vn-meeting">{html.escape(as_of_text(data) + demo)}</p>'
    )
with sheets:
    sheet_downloads(
        data,
        scheme=s.VINTAGE_2025,
        level="commune",
        column=column,
        province=province,
        title=title,
        key="meeting_sheet",
    )
show_map(
    data,
    scheme=s.VINTAGE_2025,
    level="commune",
    column=column,
    province=province,
    large=True,
    height=820,
    key="meeting_map",
)
