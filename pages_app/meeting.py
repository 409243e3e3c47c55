"""Meeting mode: the map full width with names on it, a large title, the legend and the data date.

One row of controls: the indicator, the province with previous/next buttons that
walk the provinces for a presentation, the language, the print sheets, and a
clear exit button. Streamlit's sidebar, header and toolbar are hidden.
"""

from __future__ import annotations

import html

import streamlit as st

from application import session as keys
from application.display import as_of_text, map_title, province_choices, province_names
from application.i18n import DEFAULT_LANG, LANG_NAMES, LANGS
from application.map_request import MapRequest, step_choice
from geo import schema as s
from layers.choropleth import indicators_of
from pages_app.common import lang, load, session, tr
from pages_app.maps import sheet_downloads, show_map, view
from pages_app.widgets import choice_widget, province_picker

LANG_KEY = "meeting_lang"  # the meeting's own language switch (the sidebar is hidden)

# Hide Streamlit's sidebar, header and toolbar and widen the page: only the map, its title and
# one row of controls stay. The exit link is drawn as a large red button.
st.html(
    "<style>[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl'],header[data-testid='stHeader'],"
    "[data-testid='stToolbar']{display:none !important;}"
    ".block-container{padding:0.6rem 1rem 0 1rem !important;max-width:100% !important;}"
    "h1.vn-meeting{font-size:2.6rem;margin:0 0 .2rem 0;line-height:1.15;}"
    "p.vn-meeting{font-size:1.5rem;margin:0;color:#333;}"
    ".st-key-meeting_exit a{background:#b00020;border-radius:.5rem;padding:.45rem 1rem;"
    "justify-content:center;}"
    ".st-key-meeting_exit a p,.st-key-meeting_exit a span{color:#fff !important;font-weight:600;"
    "font-size:1.05rem;}</style>"
)


def _set_lang() -> None:
    """The meeting's language switch sets the session's language (the sidebar's, hidden here)."""
    st.session_state[keys.LANG] = st.session_state[LANG_KEY] or DEFAULT_LANG


def _step(choices: list[str], step: int) -> None:
    """Previous/next: the province before or after the one shown (the country between the ends)."""
    state = session()
    state.choose(keys.PROVINCE, step_choice(choices, state.province(), step))


data = load()
communes = data.layer(s.VINTAGE_2025, "commune").table
columns = [i.column for i in indicators_of(communes)]
choices = province_choices(province_names(data.layer(s.VINTAGE_2025, "province")), lang())
st.session_state[LANG_KEY] = lang()

head, leave = st.columns([6, 1.2], vertical_alignment="center")
indicator_box, province_box, back, forward, language, pdf, png = st.columns(
    [3, 2.4, 0.45, 0.45, 1.3, 1.2, 1.2], vertical_alignment="bottom"
)
with indicator_box:
    # The map page's indicator: chosen here, it holds there, and the other way round.
    column = choice_widget(
        st.selectbox,
        tr("indicator"),
        keys.INDICATOR,
        session().indicator(columns, s.PCT_POP_4G),
        options=columns,
        widget="meeting_indicator",
        format_func={c: tr(f"ind_{c}") for c in columns}.__getitem__,
    )
with province_box:
    province, place = province_picker(data, widget="meeting_province")
with back:
    st.button(
        "◀",
        key="meeting_previous",
        help=tr("meeting_previous"),
        on_click=_step,
        args=(list(choices), -1),
        width="stretch",
    )
with forward:
    st.button(
        "▶",
        key="meeting_next",
        help=tr("meeting_next"),
        on_click=_step,
        args=(list(choices), 1),
        width="stretch",
    )
with language:
    st.segmented_control(
        tr("language"),
        list(LANGS),
        format_func=LANG_NAMES.__getitem__,
        key=LANG_KEY,
        on_change=_set_lang,
    )
with leave, st.container(key="meeting_exit"):
    # A page link, not st.switch_page: it keeps the language chosen.
    st.page_link("pages_app/map.py", label=tr("exit_meeting"), icon=":material/close:")

request = MapRequest(
    scheme=s.VINTAGE_2025,
    level="commune",
    column=column,
    province=province,
    large=True,
    height=800,
    key="meeting_map",
    labels=True,
)
shown = view(data, request)  # classified once, for the print sheets and the map
title = map_title(column, place, lang())
with head:
    demo = " · DEMO" if data.is_demo else ""
    st.html(
        f'<h1 class="vn-meeting">{html.escape(title)}</h1>'
        f'<p class="vn-meeting">{html.escape(as_of_text(data, lang()) + demo)}</p>'
    )
sheet_downloads(data, request, title=title, key="meeting_sheet", shown=shown, columns=(pdf, png))
show_map(data, request, shown=shown)
