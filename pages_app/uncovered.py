"""Uncovered communes: choose targets, see the communes that miss them ranked, on the map, and download them."""

from __future__ import annotations

import streamlit as st

from application import session as keys
from application.downloads import (
    download_stem,
    select_uncovered,
    uncovered_export,
    villages_export,
)
from application.tables import uncovered_on_screen, villages_on_screen
from geo import schema as s
from geo.indicators import ranking as r
from pages_app.common import banners, lang, load, tr
from pages_app.maps import show_map
from pages_app.widgets import choice_widget, export_buttons, province_picker

data = load()
st.title(tr("uncovered_title"))
banners(data)

choices: dict[str, tuple[bool, float | None]] = {}
with st.sidebar:
    st.header(tr("targets_choice"))
    for target in data.config.targets:
        on = choice_widget(
            st.checkbox, tr(f"target_{target.name}"), keys.target_on(target.name), target.enabled
        )
        pct = target.min_pct
        if pct is not None:
            pct = choice_widget(
                st.number_input,
                tr("threshold"),
                keys.target_pct(target.name),
                float(pct),
                min_value=0.0,
                max_value=100.0,
                step=1.0,
                disabled=not on,
            )
        choices[target.name] = (on, pct)
    province, _ = province_picker(data, widget="unc_province")

# One selection feeds the heading, the map and its legend, the table and every download.
# The language is read now: a download is made later, outside this run, when it is clicked.
language = lang()
selection = select_uncovered(data, choices, province=province, lang=language)
ranked = selection.ranked
st.subheader(tr("uncovered_count", n=len(ranked), total=selection.total))
show_map(data, selection.request)
top = len(selection.request.highlight)
if top:
    st.caption(tr("highlight_note", n=top))

if ranked.empty:
    st.success(tr("none_uncovered"))
else:
    from layers.export import export_bytes

    st.dataframe(uncovered_on_screen(ranked, lang=language), hide_index=True, key="uncovered_table")
    export, meta = uncovered_export(data, selection, lang=language)
    export_buttons(
        lambda fmt: export_bytes(export, fmt, metadata=meta, lang=language),
        label="download_",
        file_stem=download_stem(
            "xa_chua_dat", province_name=selection.province_name, as_of=data.as_of
        ),
        key="dl_",
    )

# Villages (thôn, ấp, bản, tổ dân phố) of the team table that have no team and/or no 4G.
st.header(tr("villages_title"))
if data.villages.empty:
    st.caption(tr("villages_no_rows"))
else:
    picked = tuple(
        reason
        for reason in r.VILLAGE_REASONS
        if choice_widget(
            st.checkbox, tr(f"village_reason_{reason}"), keys.village_reason(reason), True
        )
    )
    villages = data.villages
    in_province = villages if not province else villages[villages[s.PROVINCE_CODE] == province]
    listed = r.uncovered_villages(villages, reasons=picked, province_code=province, lang=language)
    st.subheader(tr("villages_count", n=len(listed), total=len(in_province)))
    if not picked:
        st.info(tr("villages_pick_reason"))
    elif listed.empty:
        st.success(tr("villages_none"))
    else:
        from layers.export import export_bytes

        st.dataframe(
            villages_on_screen(listed, lang=language), hide_index=True, key="villages_table"
        )
        points, village_meta = villages_export(
            listed, province_name=selection.province_name, demo=data.is_demo, lang=language
        )
        export_buttons(
            lambda fmt: export_bytes(points, fmt, metadata=village_meta, lang=language),
            label="download_villages_",
            file_stem=download_stem(
                "thon_chua_dat", province_name=selection.province_name, as_of=data.as_of
            ),
            key="dl_villages_",
        )
