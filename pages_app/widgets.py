"""Widgets more than one page draws: a widget of a kept choice, the province picker, the export buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from application.display import DisplayData, province_choices, province_names
from application.session import province_choice
from application.tables import EXPORT_MIMES
from geo import schema as s
from pages_app.common import lang, session, tr


def choice_widget(
    draw: Callable[..., Any],
    label: str,
    name: str,
    default: Any,
    *,
    options: Sequence[Any] | None = None,
    widget: str = "",
    **kwargs: Any,
) -> Any:
    """Draw ``draw`` (``st.radio``, ``st.checkbox`` …) for choice ``name``, seeded from it; its value.

    The widget has its own key per language (:func:`application.session.widget_key`), so a
    language switch draws a new widget showing the same choice in the new labels; the
    person's change is written back to the choice before the next run
    (:meth:`application.session.Session.take`). ``options`` go to the widget as its
    options and reset the choice to ``default`` when it is not one of them; ``kwargs``
    (``format_func``, ``step`` …) go to the widget as they are.
    """
    state = session()
    key = state.seed(name, lang(), default, options=options, widget=widget)
    if options is not None:
        kwargs["options"] = list(options)
    return draw(label, key=key, on_change=state.take, args=(name, key), **kwargs)


def province_picker(
    data: DisplayData, *, widget: str, scheme: str = s.VINTAGE_2025
) -> tuple[str, str]:
    """A select box of the whole country then every province of ``scheme``; the code chosen and its text.

    The province is the session's choice for ``scheme`` (:func:`application.session.province_choice`):
    chosen on one page, it holds on the others.

    Parameters
    ----------
    data
        The data on screen (its province layer gives the names).
    widget
        The widget's name (one per page).
    scheme
        Whose provinces are offered.
    """
    choices = province_choices(province_names(data.layer(scheme, "province")), lang())
    province = choice_widget(
        st.selectbox,
        tr("province"),
        province_choice(scheme),
        "",
        options=list(choices),
        widget=widget,
        format_func=choices.__getitem__,
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
