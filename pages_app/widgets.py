"""Widgets more than one page draws: the province picker and the export buttons."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from application.display import DisplayData, province_choices, province_names
from application.tables import EXPORT_MIMES
from geo import schema as s
from pages_app.common import lang, session, tr


def province_picker(
    data: DisplayData, *, key: str, scheme: str = s.VINTAGE_2025, follow_map: bool = False
) -> tuple[str, str]:
    """A select box of the whole country then every province of ``scheme``; the code chosen and its text.

    Parameters
    ----------
    data
        The data on screen (its province layer gives the names).
    key
        The widget's key (one per page).
    scheme
        Whose provinces are offered.
    follow_map
        Start on the province the map page showed last (the other pages). Without it the
        widget keeps its own value, set back to the whole country when it is not a
        province of ``scheme`` (the map page, after a switch of scheme).
    """
    choices = province_choices(province_names(data.layer(scheme, "province")), lang())
    index = 0
    if follow_map:
        last = session().last_province()
        index = list(choices).index(last) if last in choices else 0
    else:
        session().keep_choice(key, choices, "")
    province = st.selectbox(
        tr("province"), list(choices), index=index, format_func=choices.__getitem__, key=key
    )
    return province, choices[province]


def export_buttons(make: Callable[[str], bytes], *, label: str, file_stem: str, key: str) -> None:
    """One download button per export format (Excel, CSV, GeoJSON) side by side, each made only when clicked.

    ``make(fmt)`` gives the file's bytes; ``label + fmt`` is the button's text key and
    ``key + fmt`` its widget key.
    """
    for column, (fmt, mime) in zip(st.columns(len(EXPORT_MIMES)), EXPORT_MIMES.items()):
        with column:
            st.download_button(
                tr(f"{label}{fmt}"),
                data=lambda fmt=fmt: make(fmt),  # type: ignore[misc]
                file_name=f"{file_stem}.{fmt}",
                mime=mime,
                key=f"{key}{fmt}",
                on_click="ignore",
            )
