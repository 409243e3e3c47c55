"""Map page: any indicator, scheme, level and province; search; click a commune for its profile."""

from __future__ import annotations

import streamlit as st

from application.profile import commune_profile, profile_html
from application.search import search_communes
from geo import schema as s
from layers.choropleth import indicators_of
from pages_app.common import (
    banners,
    clicked_code,
    crosswalk,
    indicator_view,
    load,
    province_names,
    sheet_downloads,
    show_map,
    tr,
)

data = load()
with st.sidebar:
    st.header(tr("options"))
    scheme = st.radio(
        tr("scheme"),
        [s.VINTAGE_2025, s.VINTAGE_LEGACY],
        format_func=lambda v: tr(f"scheme_{v}"),
        key="scheme",
    )
    district_label = "level_district_2025" if scheme == s.VINTAGE_2025 else "level_district"
    level = st.radio(
        tr("level"),
        ["commune", "district", "province"],
        format_func=lambda v: tr(district_label if v == "district" else f"level_{v}"),
        key="level",
    )
    units = data.layer(scheme, level)
    columns = [i.column for i in indicators_of(units.table)]
    if st.session_state.get("indicator") not in columns:
        st.session_state["indicator"] = columns[0]
    column = st.selectbox(
        tr("indicator"), columns, format_func=lambda c: tr(f"ind_{c}"), key="indicator"
    )
    st.session_state["last_indicator"] = column
    mode = st.radio(
        tr("classes"),
        ["policy", "quantiles", "natural"],
        format_func=lambda v: tr(f"classes_{v}"),
        key="class_mode",
    )
    names = province_names(data.layer(scheme, "province"))
    if st.session_state.get("province", "") not in ("", *names):
        st.session_state["province"] = ""
    choices = {"": tr("whole_country", n=len(names)), **names}
    province = st.selectbox(
        tr("province"), list(choices), format_func=choices.__getitem__, key="province"
    )
    st.session_state["last_province"] = province if scheme == s.VINTAGE_2025 else ""
    # A page link, not st.switch_page: it keeps the language chosen in the sidebar.
    st.page_link("pages_app/meeting.py", label=tr("meeting_button"))
    st.subheader(tr("print_map"))
    title = f"{tr(f'ind_{column}')} — {choices[province]}"
    # Classified once per rerun, for the print sheet here and the map below.
    view = indicator_view(data, scheme=scheme, level=level, column=column, mode=mode)
    sheet_downloads(
        data,
        scheme=scheme,
        level=level,
        column=column,
        province=province,
        title=title,
        mode=mode,
        key="map_sheet",
        view=view,
    )

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
        st.caption(tr("search_none", query=query))
    else:
        options = dict(
            zip(found[s.COMMUNE_CODE], found[s.COMMUNE_NAME] + " — " + found[s.PROVINCE_NAME])
        )
        picked = st.selectbox(
            tr("search_results"), list(options), format_func=options.__getitem__, key="search_pick"
        )
        st.session_state["selected"] = picked
        st.session_state["selected_scheme"] = scheme

left, right = st.columns([3, 1])
with left:
    result = show_map(
        data, scheme=scheme, level=level, column=column, province=province, mode=mode, view=view
    )
code = clicked_code(result)
if code and level == "commune" and f"{scheme}/{code}" != st.session_state.get("last_click"):
    st.session_state["last_click"] = f"{scheme}/{code}"
    st.session_state["selected"] = code
    st.session_state["selected_scheme"] = scheme
with right:
    # Codes of the two schemes overlap ("00004" is a different commune in each): a selection
    # belongs to the scheme it was made in.
    same = st.session_state.get("selected_scheme") == scheme
    selected = st.session_state.get("selected") if same else None
    communes = data.layer(scheme, "commune").table
    rows = communes[communes[s.COMMUNE_CODE] == selected] if selected else communes.iloc[0:0]
    if rows.empty:
        st.caption(tr("click_hint"))
    else:
        profile = commune_profile(
            rows.iloc[0],
            scheme=scheme,
            crosswalk=crosswalk(),
            config=data.config,
            lang=st.session_state.get("lang", "vi"),
        )
        st.html(profile_html(profile, lang=st.session_state.get("lang", "vi")))

place = choices[province]
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
