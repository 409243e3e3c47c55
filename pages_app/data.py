"""Data page: what is loaded (sources, dates, demo or not), and per-session uploads with their reports.

An uploaded boundary file is imported, its report written beside it and its
communes merged into a copy of the embedded boundaries
(:func:`geo.importing.merge_boundaries.import_into`); that copy is this session's
boundaries from the next rerun on (``pages_app.common.load``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import streamlit as st
from pyogrio.errors import DataSourceError
from shapely.errors import ShapelyError

from application.settings import checked_boundaries
from application.tables import import_report, report_main, sources_on_screen
from geo.errors import CoverageError
from geo.importing.merge_boundaries import import_into
from geo.indicators.counts import match_table
from geo.reading.tables import read_table
from pages_app.common import banners, lang, load, max_upload_mb, session, settings, tr

#: What a bad upload can raise: the library's own errors, and what a broken file makes GDAL, GEOS or zipfile raise.
UPLOAD_ERRORS = (
    CoverageError,
    OSError,
    ValueError,
    DataSourceError,
    ShapelyError,
    zipfile.BadZipFile,
)

data = load()
state = session()
st.title(tr("data_title"))
banners(data)
st.caption(tr("data_dir", path=str(settings().data_dir)))
sources = sources_on_screen(
    data.sources,
    lang=lang(),
    overridden=state.overridden(),
    uploaded_name=state.boundaries_name(),
)
# A static table: a handful of rows a person reads (and a browser test can read) at a glance.
st.table(sources, hide_index=True)
st.caption(tr("targets_file", name=data.config.source))
if len(data.report):
    with st.expander(tr("table_report")):
        st.dataframe(data.report, hide_index=True)

st.info(tr("upload_note", mb=max_upload_mb()), icon=":material/lock:")


def _save(upload: object) -> Path | None:
    """Write an upload into this session's folder; None (and a message) when it is too large."""
    size_mb = upload.size / 1e6  # type: ignore[attr-defined]
    if size_mb > max_upload_mb():
        st.error(tr("upload_too_big", name=upload.name, mb=f"{size_mb:.1f}", limit=max_upload_mb()))  # type: ignore[attr-defined]
        return None
    path = state.folder() / Path(upload.name).name  # type: ignore[attr-defined]
    content = upload.getvalue()  # type: ignore[attr-defined]
    # Written once: rewriting it on every rerun would change its mtime, so the indicators' cache key.
    if not (path.is_file() and path.read_bytes() == content):
        path.write_bytes(content)
    return path


def _use_boundaries(upload: object, token: str) -> None:
    """Import an uploaded boundary file and make it this session's boundaries (then rerun), or say why not."""
    path = _save(upload)
    if path is None:
        return
    name = upload.name  # type: ignore[attr-defined]
    try:
        imported = import_into(path, checked_boundaries(settings()), state.folder())
    except UPLOAD_ERRORS as err:
        state.fail_boundaries(token, tr("upload_failed", name=name, error=err))
        st.error(state.boundaries_error())
        return
    state.keep_boundaries(imported, name=name, token=token)
    st.rerun()


boundaries = st.file_uploader(
    tr("upload_boundaries"), type=["zip", "gpkg", "geojson", "json"], key="up_boundaries"
)
if boundaries is not None:
    token = f"{boundaries.name}:{boundaries.size}"
    seen = state.boundary_upload(token)
    if seen == "new":
        _use_boundaries(boundaries, token)
    elif seen == "failed":
        st.error(state.boundaries_error())
report_path = state.boundaries_report()
if report_path is not None:
    uploaded_scheme = str(state.boundaries_scheme())
    st.success(
        tr(
            "boundaries_ok",
            name=state.boundaries_name(),
            n=data.status[uploaded_scheme].n_real,
            scheme=tr(f"scheme_{uploaded_scheme}"),
        )
    )
    st.subheader(tr("import_report"))
    report = import_report(report_path, lang=lang())
    # What a planner checks per feature, as a plain table; the matching evidence in the expander.
    st.table(report_main(report, lang=lang()), hide_index=True)
    with st.expander(tr("import_summary")):
        st.code(state.boundaries_summary(), language=None)
        st.dataframe(report, hide_index=True, key="import_report")

for kind in ("fibre", "teams"):
    upload = st.file_uploader(tr(f"upload_{kind}"), type=["xlsx", "xls", "csv"], key=f"up_{kind}")
    if upload is None or (path := _save(upload)) is None:
        continue
    try:
        matched = match_table(read_table(path))
    except (CoverageError, OSError, ValueError) as err:
        st.error(tr("upload_failed", name=upload.name, error=err))
        continue
    if state.use_upload(kind, path):
        st.rerun()
    st.success(tr("table_ok", name=upload.name))
    if len(matched.report):
        st.dataframe(matched.report, hide_index=True, key=f"report_{kind}")

if state.has_uploads() and st.button(tr("reset_uploads"), key="reset_uploads"):
    state.discard_uploads()
    st.rerun()
