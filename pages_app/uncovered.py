"""Uncovered communes: choose targets, see the communes that miss them ranked, on the map, and download them."""

from __future__ import annotations

import importlib.util

import streamlit as st

from application.app_data import with_targets
from geo import schema as s
from geo.indicators import ranking as r
from pages_app.common import banners, lang, load, province_names, show_map, tr

TOP_HIGHLIGHTED = 20

data = load()
st.title(tr("uncovered_title"))
banners(data)

choices: dict[str, tuple[bool, float | None]] = {}
with st.sidebar:
    st.header(tr("targets_choice"))
    for target in data.config.targets:
        on = st.checkbox(tr(f"target_{target.name}"), value=target.enabled, key=f"on_{target.name}")
        pct = target.min_pct
        if pct is not None:
            pct = st.number_input(
                tr("threshold"),
                0.0,
                100.0,
                float(pct),
                step=1.0,
                key=f"pct_{target.name}",
                disabled=not on,
            )
        choices[target.name] = (on, pct)
    names = province_names(data.layer(s.VINTAGE_2025, "province"))
    options = {"": tr("whole_country", n=len(names)), **names}
    default = st.session_state.get("last_province", "")
    province = st.selectbox(
        tr("province"),
        list(options),
        index=list(options).index(default) if default in options else 0,
        format_func=options.__getitem__,
        key="unc_province",
    )

config = with_targets(data.config, choices)
communes = data.layer(s.VINTAGE_2025, "commune").table
ranked = r.rank_uncovered(communes, config, province_code=province, lang=lang())
total = int(communes.loc[data.layer(s.VINTAGE_2025, "commune").rows(province)].shape[0])
st.subheader(tr("uncovered_count", n=len(ranked), total=total))

# Outline only the top of the list: a bold outline on every uncovered commune hides the map.
top = ranked.head(TOP_HIGHLIGHTED)
show_map(
    data,
    scheme=s.VINTAGE_2025,
    level="commune",
    column=s.UNCOVERED,
    province=province,
    config=config,
    highlight=frozenset(top[s.COMMUNE_CODE]),
    key="uncovered_map",
    height=560,
)
if len(top):
    st.caption(tr("highlight_note", n=len(top)))

labels = {
    r.RANK: tr("col_rank"),
    s.COMMUNE_CODE: tr("col_code"),
    s.COMMUNE_NAME: tr("col_name"),
    s.PROVINCE_NAME: tr("col_province"),
    r.POP_UNCOVERED: tr("col_pop_uncovered"),
    r.HOUSEHOLDS_NO_FIBRE: tr("col_households_no_fibre"),
    s.PCT_POP_4G: tr("ind_pct_pop_4g"),
    s.PCT_HOUSEHOLDS_FIBRE: tr("ind_pct_households_fibre"),
    s.FIBRE_TO_COMMUNE: tr("ind_fibre_to_commune"),
    s.PCT_VILLAGES_TEAM: tr("ind_pct_villages_team"),
    r.REASONS: tr("col_reasons"),
}
# On screen people count whole people and households and read percentages to one decimal;
# the downloads keep every digit.
counts, shares = (
    [r.POP_UNCOVERED, r.HOUSEHOLDS_NO_FIBRE],
    [s.PCT_POP_4G, s.PCT_HOUSEHOLDS_FIBRE, s.PCT_VILLAGES_TEAM],
)
rounded = ranked.assign(
    **{c: ranked[c].round(0).astype("Int64") for c in counts if c in ranked},
    **{c: ranked[c].round(1) for c in shares if c in ranked},
)
shown = rounded[[c for c in labels if c in ranked]].rename(columns=labels)
if ranked.empty:
    st.success(tr("none_uncovered"))
else:
    st.dataframe(shown, hide_index=True, key="uncovered_table")

if importlib.util.find_spec("layers.export") is None:
    st.caption(tr("downloads_missing"))
elif not ranked.empty:
    from layers.export import export_bytes

    layer = data.layer(s.VINTAGE_2025, "commune")
    export = r.ranked_features(ranked, communes, {f["id"]: f for f in layer.fine})
    mimes = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv",
        "geojson": "application/geo+json",
    }
    for col, (fmt, mime) in zip(st.columns(3), mimes.items()):
        with col:
            st.download_button(
                tr(f"download_{fmt}"),
                data=lambda fmt=fmt: export_bytes(export, fmt),
                file_name=f"xa_chua_dat.{fmt}",
                mime=mime,
                key=f"dl_{fmt}",
                on_click="ignore",
            )

# Villages (thôn, ấp, bản, tổ dân phố) of the team table that have no team and/or no 4G.
st.header(tr("villages_title"))
if data.villages.empty:
    st.caption(tr("villages_no_rows"))
else:
    picked = tuple(
        reason
        for reason in r.VILLAGE_REASONS
        if st.checkbox(tr(f"village_reason_{reason}"), value=True, key=f"village_{reason}")
    )
    in_province = (
        data.villages if not province else data.villages[data.villages[s.PROVINCE_CODE] == province]
    )
    listed = r.uncovered_villages(
        data.villages, reasons=picked, province_code=province, lang=lang()
    )
    st.subheader(tr("villages_count", n=len(listed), total=len(in_province)))
    village_labels = {
        s.PROVINCE_NAME: tr("col_province"),
        s.COMMUNE_CODE: tr("col_code"),
        s.COMMUNE_NAME: tr("col_name"),
        s.VILLAGE_NAME: tr("col_village"),
        s.TEAMS: tr("col_teams"),
        s.VILLAGE_HAS_4G: tr("col_has_4g"),
        r.REASONS: tr("col_reasons"),
        r.NOTES: tr("col_notes"),
    }
    if not picked:
        st.info(tr("villages_pick_reason"))
    elif listed.empty:
        st.success(tr("villages_none"))
    else:
        st.dataframe(
            listed[list(village_labels)].rename(columns=village_labels),
            hide_index=True,
            key="villages_table",
        )
        if importlib.util.find_spec("layers.export") is not None:
            from layers.export import ExportMetadata, export_bytes

            points = r.village_features(listed)
            meta = ExportMetadata(
                title="Thôn/tổ dân phố chưa đạt",
                sources={s.TEAMS_INPUT: "; ".join(sorted(set(listed["table"].dropna())))},
                demo=data.is_demo,
            )
            mimes = {
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "csv": "text/csv",
                "geojson": "application/geo+json",
            }
            for col, (fmt, mime) in zip(st.columns(3), mimes.items()):
                with col:
                    st.download_button(
                        tr(f"download_villages_{fmt}"),
                        data=lambda fmt=fmt: export_bytes(points, fmt, metadata=meta),
                        file_name=f"thon_chua_dat.{fmt}",
                        mime=mime,
                        key=f"dl_villages_{fmt}",
                        on_click="ignore",
                    )
