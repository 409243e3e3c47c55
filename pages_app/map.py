"""Map page: any indicator, scheme, level and province; search; click a commune for its profile."""

from __future__ import annotations

import streamlit as st

from application import session as keys
from application.display import map_title
from application.map_request import MapRequest, clicked_code
from application.profile import commune_profile, profile_html
from application.search import search_communes
from application.uploads import escape_markdown
from geo import schema as s
from layers.choropleth import indicators_of
from pages_app.common import banners, crosswalk, lang, load, session, tr
from pages_app.maps import sheet_downloads, show_map, view
from pages_app.widgets import province_picker

data = load()
state = session()
with st.sidebar:
    st.header(tr("options"))
    scheme = st.radio(
        tr("scheme"),
        [s.VINTAGE_2025, s.VINTAGE_LEGACY],
        format_func=lambda v: tr(f"scheme_{v}"),
        key=keys.SCHEME,
    )
    district_label = "level_district_2025" if scheme == s.VINTAGE_2025 else "level_district"
    level = st.radio(
        tr("level"),
        ["commune", "district", "province"],
        format_func=lambda v: tr(district_label if v == "district" else f"level_{v}"),
        key=keys.LEVEL,
    )
    units = data.layer(scheme, level)
    columns = [i.column for i in indicators_of(units.table)]
    state.keep_choice(keys.INDICATOR, columns, columns[0])
    column = st.selectbox(
        tr("indicator"), columns, format_func=lambda c: tr(f"ind_{c}"), key=keys.INDICATOR
    )
    mode = st.radio(
        tr("classes"),
        ["policy", "quantiles", "natural"],
        format_func=lambda v: tr(f"classes_{v}"),
        key="class_mode",
    )
    province, place = province_picker(data, key=keys.PROVINCE, scheme=scheme)
    state.remember(indicator=column, province=province, scheme=scheme)
    # A page link, not st.switch_page: it keeps the language chosen in the sidebar.
    st.page_link("pages_app/meeting.py", label=tr("meeting_button"))
    st.subheader(tr("print_map"))
    request = MapRequest(scheme=scheme, level=level, column=column, province=province, mode=mode)
    shown = view(data, request)  # classified once per rerun, for the print sheet and the map
    title = map_title(column, place, lang())
    sheet_downloads(data, request, title=title, key="map_sheet", shown=shown)

st.title(tr("map_title"))
banners(data, scheme)
if scheme == s.VINTAGE_LEGACY:
    st.info(tr("legacy_converted"), icon=":material/swap_horiz:")
elif level == "district":
    st.info(tr("district_2025_note"), icon=":material/info:")

query = st.text_input(tr("search"), placeholder=tr("search_placeholder"), key="search")
if query:
    found = search_communes(data.search[scheme], query, province_code=province)
    if found.empty:
        st.caption(escape_markdown(tr("search_none", query=query)))
    else:
        options = dict(
            zip(found[s.COMMUNE_CODE], found[s.COMMUNE_NAME] + " — " + found[s.PROVINCE_NAME])
        )
        picked = st.selectbox(
            tr("search_results"), list(options), format_func=options.__getitem__, key="search_pick"
        )
        state.select(picked, scheme)

left, right = st.columns([3, 1])
with left:
    result = show_map(data, request, shown=shown)
code = clicked_code(result)
if code and level == "commune":
    state.click(code, scheme)
with right:
    selected = state.selected(scheme)
    communes = data.layer(scheme, "commune").table
    rows = communes[communes[s.COMMUNE_CODE] == selected] if selected else communes.iloc[0:0]
    if rows.empty:
        st.caption(tr("click_hint"))
    else:
        profile = commune_profile(
            rows.iloc[0], scheme=scheme, crosswalk=crosswalk(), config=data.config, lang=lang()
        )
        st.html(profile_html(profile, lang=lang()))

with st.expander(tr("unit_list", place=place), expanded=False):
    table = units.table.loc[units.rows(province), ["code", "name", s.PROVINCE_NAME, column]]
    st.dataframe(
        table.rename(
            columns={
                "code": tr("profile_code"),
                "name": tr("tip_name"),
                s.PROVINCE_NAME: tr("tip_province"),
                column: tr(f"ind_{column}"),
            }
        ),
        hide_index=True,
    )
