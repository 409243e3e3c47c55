"""Data page: what is loaded (sources, dates, demo or not), and per-session uploads with their reports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from geo.errors import CoverageError
from geo.import_boundaries import import_boundaries
from geo.tables import match_table, read_table
from pages_app.common import MAX_UPLOAD_MB, banners, discard_uploads, load, session_dir, settings, tr

data = load()
st.title(tr("data_title"))
banners(data)
st.caption(tr("data_dir", path=str(settings().data_dir)))
overridden = set(st.session_state.get("uploads", {}))
sources = data.sources.assign(
    input=data.sources["input"].map(lambda k: tr(f"input_{k}")),
    as_of=data.sources["as_of"].fillna(""),
    origin=[tr("origin_upload") if k in overridden else tr("origin_default") for k in data.sources["input"]],
    demo=data.sources["demo"].map(lambda d: tr("flag_yes") if d else tr("flag_no")),
)
st.dataframe(
    sources.rename(columns={"input": tr("col_input"), "file": tr("col_file"), "as_of": tr("col_as_of"), "demo": tr("col_demo"), "origin": tr("col_origin")}),
    hide_index=True, key="sources_table",
)  # fmt: skip
st.caption(tr("targets_file", name=data.config.source))
if len(data.report):
    with st.expander(tr("table_report")):
        st.dataframe(data.report, hide_index=True)

st.info(tr("upload_note", mb=MAX_UPLOAD_MB), icon=":material/lock:")


def _save(upload: object) -> Path | None:
    """Write an upload into this session's folder; None (and a message) when it is too large."""
    size_mb = upload.size / 1e6  # type: ignore[attr-defined]
    if size_mb > MAX_UPLOAD_MB:
        st.error(tr("upload_too_big", name=upload.name, mb=f"{size_mb:.1f}", limit=MAX_UPLOAD_MB))  # type: ignore[attr-defined]
        return None
    path = session_dir() / Path(upload.name).name  # type: ignore[attr-defined]
    path.write_bytes(upload.getvalue())  # type: ignore[attr-defined]
    return path


boundaries = st.file_uploader(tr("upload_boundaries"), type=["zip", "gpkg", "geojson", "json"], key="up_boundaries")
if boundaries is not None and (path := _save(boundaries)) is not None:
    try:
        result = import_boundaries(path)
    except (CoverageError, OSError, ValueError) as err:
        st.error(tr("upload_failed", name=boundaries.name, error=err))
    else:
        st.success(tr("upload_ok", name=boundaries.name, n=len(result.communes)))
        st.subheader(tr("import_report"))
        st.dataframe(pd.DataFrame(result.report), hide_index=True, key="import_report")

for kind in ("fibre", "teams"):
    upload = st.file_uploader(tr(f"upload_{kind}"), type=["xlsx", "xls", "csv"], key=f"up_{kind}")
    if upload is None or (path := _save(upload)) is None:
        continue
    try:
        matched = match_table(read_table(path))
    except (CoverageError, OSError, ValueError) as err:
        st.error(tr("upload_failed", name=upload.name, error=err))
        continue
    if st.session_state.get("uploads", {}).get(kind) != str(path):
        st.session_state["uploads"] = {**st.session_state.get("uploads", {}), kind: str(path)}
        st.rerun()
    st.success(tr("table_ok", name=upload.name))
    if len(matched.report):
        st.dataframe(matched.report, hide_index=True, key=f"report_{kind}")

if st.session_state.get("uploads") and st.button(tr("reset_uploads"), key="reset_uploads"):
    discard_uploads()
    st.rerun()
