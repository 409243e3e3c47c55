"""What every page needs from Streamlit: the session, its language, the settings, the cached data, the banners.

The session's keys and values live in :mod:`application.session`; the data,
its texts and tables in :mod:`application.display` and :mod:`application.tables`.
This module binds them to ``st.session_state`` and Streamlit's caches.
"""

from __future__ import annotations

import os
import sys
import threading
import time

import pandas as pd
import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from application.app_data import cache_key, discover_inputs
from application.display import DisplayData, InputFields, boundary_notice, display_data, inputs_of
from application.display import input_fields as plain_fields
from application.i18n import text
from application.increment import (
    TableChange,
    TableUpload,
    boundary_context,
    can_apply,
    with_tables,
    with_uploads,
)
from application.session import Session
from application.session_files import sweep_seconds, sweep_sessions
from application.settings import Settings, checked_boundaries, resolve_settings
from application.uploads import escape_cells, escape_markdown, table_part
from geo.errors import CoverageError
from geo.reference.crosswalk import read_crosswalk


def session() -> Session:
    """This browser session's plain values (``st.session_state``), its folder named by its id."""
    _start_sweeper()
    context = get_script_run_ctx()
    return Session(st.session_state, owner=context.session_id if context else None)


def _session_connected(session_id: str) -> bool:
    """True while the browser session ``session_id`` is connected to this process."""
    return runtime.exists() and runtime.get_instance().is_active_session(session_id)


@st.cache_resource(show_spinner=False)
def _start_sweeper() -> threading.Thread:
    """Start, once per process, the thread that removes the folders of ended sessions."""

    def sweep_forever() -> None:
        while True:
            try:
                sweep_sessions(_session_connected)
            except OSError:
                pass  # the temp folder unreadable for a moment: the next sweep tries again
            time.sleep(sweep_seconds())

    thread = threading.Thread(target=sweep_forever, name="vncover-session-sweeper", daemon=True)
    thread.start()
    return thread


def lang() -> str:
    """The language chosen in the sidebar (Vietnamese by default)."""
    return session().lang()


def tr(key: str, **values: object) -> str:
    """``application.i18n.text`` in the session's language."""
    return text(key, lang(), **values)


def settings() -> Settings:
    """Settings from the command line and the environment (raises ``InputError``)."""
    return resolve_settings(sys.argv[1:], os.environ)


def max_upload_mb() -> int:
    """Largest upload the app accepts (MB): ``VNCOVER_MAX_UPLOAD_MB``, never above Streamlit's ``server.maxUploadSize``."""
    return min(settings().max_upload_mb, int(st.get_option("server.maxUploadSize")))


# cache_resource, not cache_data: the result is large (every layer at two details)
# and never modified, and cache_data would copy it on every rerun (≈0.5 s).
# The key holds every input's path, size and mtime (application.app_data.cache_key).
@st.cache_resource(show_spinner=False, max_entries=4)
def _display_data(fields: InputFields, key: str) -> DisplayData:
    del key  # part of the cache key only
    return display_data(inputs_of(fields))


@st.cache_resource(show_spinner=False, max_entries=8)
def _with_uploads(
    fields: InputFields, key: str, uploads: tuple[TableUpload, ...]
) -> tuple[DisplayData, tuple[TableChange, ...]]:
    """The default data with this session's tables merged in: only their communes are recomputed."""
    base = _display_data(fields, key)
    inputs = inputs_of(fields)
    if not can_apply(base):  # legacy polygons of an upload: the whole pipeline, every table given
        return display_data(with_tables(inputs, uploads)), ()
    parts = tuple(table_part(u, inputs.boundaries, inputs.population) for u in uploads)
    return with_uploads(base, uploads, parts, boundary_context(inputs.boundaries))


def session_inputs() -> tuple[InputFields, str]:
    """The default inputs of this session (with its boundaries) as a cache key, or stop the page."""
    current = session()
    try:
        config = settings()
        boundaries = current.boundaries() or checked_boundaries(config)
        inputs = discover_inputs(config.data_dir, boundaries)
        return plain_fields(inputs), cache_key(inputs)
    except (CoverageError, OSError) as err:
        st.error(tr("data_error", error=escape_markdown(str(err))))
        st.stop()


def data_with(
    uploads: tuple[TableUpload, ...],
) -> tuple[DisplayData, tuple[TableChange, ...]]:
    """The data of this session's default inputs with ``uploads`` (raises what the readers raise)."""
    fields, key = session_inputs()
    if uploads:
        return _with_uploads(fields, key, uploads)
    return _display_data(fields, key), ()


def load_with_changes() -> tuple[DisplayData, tuple[TableChange, ...]]:
    """The data of this session (default inputs, its boundaries and its tables) and what each table changed.

    Stops the page with the error when the data cannot be read.
    """
    with st.spinner(tr("loading")):
        try:
            return data_with(session().table_uploads())
        except (CoverageError, OSError) as err:
            st.error(tr("data_error", error=escape_markdown(str(err))))
            st.stop()


def load() -> DisplayData:
    """The data of this session (default inputs plus its uploads), or stop the page with the error."""
    return load_with_changes()[0]


@st.cache_resource(show_spinner=False)
def crosswalk() -> pd.DataFrame:
    """The legacy → 2025 crosswalk (read-only)."""
    return read_crosswalk()


def plain_table(table: pd.DataFrame) -> None:
    """``st.table`` with every text shown as it is (``st.table`` renders Markdown in its cells)."""
    st.table(escape_cells(table), hide_index=True)


def _escaped(value: str | None) -> str | None:
    return None if value is None else escape_markdown(value)


def banners(data: DisplayData, scheme: str | None = None) -> None:
    """Demo-data banner and the notice of which boundaries are approximate, on every page that shows data.

    ``scheme`` is the one on screen (default: the map page's choice, else 2025).
    """
    if data.is_demo:
        st.error(tr("demo_banner"), icon=":material/science:")
    current = session()
    notice = boundary_notice(
        data,
        scheme or current.scheme(),
        lang=current.lang(),
        uploaded_name=_escaped(current.boundaries_name()),  # the notice is Markdown
        uploaded_scheme=current.boundaries_scheme(),
    )
    if notice:
        st.warning(notice, icon=":material/warning:")
