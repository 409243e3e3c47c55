"""Uncovered communes: choose targets, see the communes that miss them ranked, on the map, and download them."""

from __future__ import annotations

import streamlit as st

from application import session as keys
from application.app_data import with_targets
from application.map_request import MapRequest
from application.tables import uncovered_on_screen, villages_on_screen
from geo import schema as s
from geo.indicators import ranking as r
from pages_app.common import banners, lang, load, tr
from pages_app.maps import show_map
from pages_app.widgets import choice_widget, export_buttons, province_picker

TOP_HIGHLIGHTED = 20

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

config = with_targets(data.config, choices)
layer = data.layer(s.VINTAGE_2025, "commune")
ranked = r.rank_uncovered(layer.table, config, province_code=province, lang=lang())
st.subheader(tr("uncovered_count", n=len(ranked), total=int(layer.rows(province).sum())))

# Outline only the top of the list: a bold outline on every uncovered commune hides the map.
top = ranked.head(TOP_HIGHLIGHTED)
request = MapRequest(
    scheme=s.VINTAGE_2025,
    level="commune",
    column=s.UNCOVERED,
    province=province,
    config=config,
    highlight=frozenset(top[s.COMMUNE_CODE]),
    height=560,
    key="uncovered_map",
)
show_map(data, request)
if len(top):
    st.caption(tr("highlight_note", n=len(top)))

if ranked.empty:
    st.success(tr("none_uncovered"))
else:
    from layers.export import export_bytes

    st.dataframe(uncovered_on_screen(ranked, lang=lang()), hide_index=True, key="uncovered_table")
    export = r.ranked_features(ranked, layer.table, {f["id"]: f for f in layer.fine})
    export_buttons(
        lambda fmt: export_bytes(export, fmt),
        label="download_",
        file_stem="xa_chua_dat",
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
    listed = r.uncovered_villages(villages, reasons=picked, province_code=province, lang=lang())
    st.subheader(tr("villages_count", n=len(listed), total=len(in_province)))
    if not picked:
        st.info(tr("villages_pick_reason"))
    elif listed.empty:
        st.success(tr("villages_none"))
    else:
        from layers.export import ExportMetadata, export_bytes

        st.dataframe(villages_on_screen(listed, lang=lang()), hide_index=True, key="villages_table")
        points = r.village_features(listed)
        meta = ExportMetadata(
            title="Thôn/tổ dân phố chưa đạt",
            sources={s.TEAMS_INPUT: "; ".join(sorted(set(listed["table"].dropna())))},
            demo=data.is_demo,
        )
        export_buttons(
            lambda fmt: export_bytes(points, fmt, metadata=meta),
            label="download_villages_",
            file_stem="thon_chua_dat",
            key="dl_villages_",
        )
