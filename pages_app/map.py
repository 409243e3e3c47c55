"""Map page: any indicator, scheme, level and province; search a commune or a province; click a commune for its profile."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from application import session as keys
from application.display import DisplayData, map_title
from application.map_request import MapRequest, clicked_code
from application.profile import commune_profile, profile_html
from application.search import CODE, KIND, nearest_names, place_label, search_places
from application.session import province_choice
from application.uploads import escape_markdown
from geo import schema as s
from layers.choropleth import indicators_of
from pages_app.common import banners, crosswalk, lang, load, session, tr
from pages_app.maps import sheet_downloads, show_map, view
from pages_app.widgets import choice_widget, province_picker


def _labels(values: list[str], key: str) -> dict[str, str]:
    """Each value's label in the session's language, fixed when the widget is drawn."""
    return {v: tr(key.format(v)) for v in values}


def _searched(key: str, index: pd.DataFrame, scheme: str) -> None:
    """The search box changed: go to its best result, or forget the last one when it was emptied."""
    state = session()
    state.take(keys.SEARCH, key)
    query = str(st.session_state[key])
    if not query.strip():
        state.search_cleared()
        return
    found = search_places(index, query, province_first=state.province(scheme), limit=1)
    if not found.empty:
        _go_to(found.iloc[0], scheme)


def _picked(key: str, found: pd.DataFrame, scheme: str) -> None:
    """Another search result was chosen: go to it."""
    kind, code = str(st.session_state[key]).split("/", 1)
    _go_to(found[(found[KIND] == kind) & (found[CODE] == code)].iloc[0], scheme)


def _go_to(row: pd.Series, scheme: str) -> None:
    session().pick_place(row[KIND], row[CODE], row[s.PROVINCE_CODE], scheme=scheme)


def _search_box(index: pd.DataFrame, scheme: str, province: str) -> None:
    """The search box, its results (a province or a commune to go to) or the nearest names."""
    state = session()
    key = state.seed(keys.SEARCH, lang(), "")
    query = st.text_input(
        tr("search"),
        placeholder=tr("search_placeholder"),
        key=key,
        on_change=_searched,
        args=(key, index, scheme),
    )
    if not query.strip():
        return
    found = search_places(index, query, province_first=province)
    if found.empty:
        near = nearest_names(index, query)
        message = "search_nearest" if near else "search_none"
        st.caption(escape_markdown(tr(message, query=query, names="; ".join(near))))
        return
    options = {f"{r[KIND]}/{r[CODE]}": place_label(r) for _, r in found.iterrows()}
    pick = state.seed(keys.SEARCH_PICK, lang(), next(iter(options)), options=options)
    st.selectbox(
        tr("search_results"),
        list(options),
        format_func=options.__getitem__,
        key=pick,
        on_change=_picked,
        args=(pick, found, scheme),
    )


def _profile(data: DisplayData, scheme: str, code: str | None) -> None:
    """The selected commune's profile with a button that closes it, or how to select one."""
    communes = data.layer(scheme, "commune").table
    rows = communes[communes[s.COMMUNE_CODE] == code] if code else communes.iloc[0:0]
    if rows.empty:
        st.caption(tr("click_hint"))
        return
    st.button(
        tr("profile_close"),
        key="profile_close",
        icon=":material/close:",
        on_click=session().clear_selection,
    )
    profile = commune_profile(
        rows.iloc[0], scheme=scheme, crosswalk=crosswalk(), config=data.config, lang=lang()
    )
    st.html(profile_html(profile, lang=lang()))


data = load()
state = session()
with st.sidebar:
    st.header(tr("options"))
    scheme = choice_widget(
        st.radio,
        tr("scheme"),
        keys.SCHEME,
        s.VINTAGE_2025,
        options=[s.VINTAGE_2025, s.VINTAGE_LEGACY],
        format_func=_labels([s.VINTAGE_2025, s.VINTAGE_LEGACY], "scheme_{}").__getitem__,
    )
    district_label = "level_district_2025" if scheme == s.VINTAGE_2025 else "level_district"
    level = choice_widget(
        st.radio,
        tr("level"),
        keys.LEVEL,
        "commune",
        options=["commune", "district", "province"],
        format_func={
            **_labels(["commune", "province"], "level_{}"),
            "district": tr(district_label),
        }.__getitem__,
    )
    units = data.layer(scheme, level)
    columns = [i.column for i in indicators_of(units.table)]
    column = choice_widget(
        st.selectbox,
        tr("indicator"),
        keys.INDICATOR,
        columns[0],
        options=columns,
        format_func=_labels(columns, "ind_{}").__getitem__,
    )
    mode = choice_widget(
        st.radio,
        tr("classes"),
        keys.CLASS_MODE,
        "policy",
        options=["policy", "quantiles", "natural"],
        format_func=_labels(["policy", "quantiles", "natural"], "classes_{}").__getitem__,
    )
    province, place = province_picker(data, widget=province_choice(scheme), scheme=scheme)
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

_search_box(data.search[scheme], scheme, province)

left, right = st.columns([3, 1])
with left:
    result = show_map(data, request, shown=shown)
code = clicked_code(result)
if code and level == "commune":
    state.click(code, scheme)
with right:
    communes = data.layer(scheme, "commune").table
    province_of = dict(zip(communes[s.COMMUNE_CODE], communes[s.PROVINCE_CODE]))
    _profile(
        data,
        scheme,
        state.shown_selection(scheme, level=level, province=province, province_of=province_of),
    )

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
