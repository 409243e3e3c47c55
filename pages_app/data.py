"""Data page: what is loaded (sources, dates, demo or not), and per-session uploads with their reports.

An uploaded boundary file is imported, its report written beside it and its
communes merged into a copy of the embedded boundaries
(:func:`geo.importing.merge_boundaries.import_into`); that copy is this session's
boundaries from the next rerun on (``pages_app.common.load``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import streamlit as st
from pyogrio.errors import DataSourceError
from shapely.errors import ShapelyError

from application.settings import checked_boundaries
from geo.errors import CoverageError
from geo.importing import matching
from geo.importing.merge_boundaries import import_into
from geo.indicators.counts import match_table
from geo.reading.tables import read_table
from pages_app.common import (
    banners,
    discard_uploads,
    load,
    max_upload_mb,
    session_dir,
    session_values,
    settings,
    tr,
)

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
st.title(tr("data_title"))
banners(data)
st.caption(tr("data_dir", path=str(settings().data_dir)))
overridden = set(st.session_state.get("uploads", {})) | (
    {"boundaries"} if st.session_state.get("boundaries") else set()
)
uploaded_name = st.session_state.get("boundaries_name")
sources = data.sources.assign(
    input=data.sources["input"].map(lambda k: tr(f"input_{k}")),
    file=[
        uploaded_name if k == "boundaries" and uploaded_name else f
        for k, f in zip(data.sources["input"], data.sources["file"])
    ],
    as_of=data.sources["as_of"].fillna(""),
    origin=[
        tr("origin_upload") if k in overridden else tr("origin_default")
        for k in data.sources["input"]
    ],
    demo=data.sources["demo"].map(lambda d: tr("flag_yes") if d else tr("flag_no")),
)
# A static table: a handful of rows a person reads (and a browser test can read) at a glance.
st.table(
    sources.rename(
        columns={
            "input": tr("col_input"),
            "file": tr("col_file"),
            "as_of": tr("col_as_of"),
            "demo": tr("col_demo"),
            "origin": tr("col_origin"),
        }
    ),
    hide_index=True,
)
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
    path = session_dir() / Path(upload.name).name  # type: ignore[attr-defined]
    content = upload.getvalue()  # type: ignore[attr-defined]
    # Written once: rewriting it on every rerun would change its mtime, so the indicators' cache key.
    if not (path.is_file() and path.read_bytes() == content):
        path.write_bytes(content)
    return path


def _use_boundaries(upload: object) -> None:
    """Import an uploaded boundary file and make it this session's boundaries (then rerun), or say why not."""
    path = _save(upload)
    if path is None:
        return
    name = upload.name  # type: ignore[attr-defined]
    try:
        imported = import_into(path, checked_boundaries(settings()), session_dir())
    except UPLOAD_ERRORS as err:
        # Kept, so that the message stays on the page when the script reruns.
        st.session_state["boundaries_failed"] = f"{name}:{upload.size}"  # type: ignore[attr-defined]
        st.session_state["boundaries_error"] = tr("upload_failed", name=name, error=err)
        st.error(st.session_state["boundaries_error"])
        return
    st.session_state.update(session_values(imported, name=name, token=f"{name}:{upload.size}"))  # type: ignore[attr-defined]
    st.rerun()


def _report_table(path: Path) -> pd.DataFrame:
    """The import report with headers and outcomes in the session's language."""
    report = pd.read_csv(
        path,
        dtype={matching.SOURCE_CODE: str, "commune_code": str, "province_code": str},
        keep_default_na=False,
    )
    report[matching.OUTCOME] = report[matching.OUTCOME].map(
        lambda v: tr(f"outcome_{v}") if f"outcome_{v}" in _OUTCOMES else v
    )
    return report.rename(
        columns={c: tr(f"rep_{c}") for c in report.columns if f"rep_{c}" in _HEADERS}
    )


_OUTCOMES = {
    f"outcome_{v}"
    for v in (
        matching.MATCHED,
        matching.DISSOLVED,
        matching.AMBIGUOUS,
        matching.UNMATCHED,
        "dropped-empty",
    )
}
_HEADERS = {
    f"rep_{c}"
    for c in (
        "feature",
        "source_name",
        "source_code",
        "outcome",
        "commune_code",
        "commune_name",
        "province_code",
        "match_method",
        "match_score",
        "distance_m",
        "candidates",
        "reason",
        "geometry_note",
    )
}

boundaries = st.file_uploader(
    tr("upload_boundaries"), type=["zip", "gpkg", "geojson", "json"], key="up_boundaries"
)
if boundaries is not None:
    token = f"{boundaries.name}:{boundaries.size}"
    if token not in (
        st.session_state.get("boundaries_upload"),
        st.session_state.get("boundaries_failed"),
    ):
        _use_boundaries(boundaries)
    elif token == st.session_state.get("boundaries_failed"):
        st.error(st.session_state.get("boundaries_error", ""))
if (
    st.session_state.get("boundaries")
    and Path(st.session_state.get("boundaries_report", "")).is_file()
):
    status = data.status[st.session_state["boundaries_scheme"]]
    scheme = tr(f"scheme_{st.session_state['boundaries_scheme']}")
    st.success(
        tr(
            "boundaries_ok",
            name=st.session_state["boundaries_name"],
            n=status.n_real,
            scheme=scheme,
        )
    )
    st.subheader(tr("import_report"))
    report = _report_table(Path(st.session_state["boundaries_report"]))
    # What a planner checks per feature, as a plain table; the matching evidence in the expander.
    main = [
        tr(f"rep_{c}")
        for c in (
            "feature",
            "source_name",
            "source_code",
            "outcome",
            "commune_code",
            "commune_name",
            "reason",
        )
    ]
    st.table(report[main], hide_index=True)
    with st.expander(tr("import_summary")):
        st.code(st.session_state.get("boundaries_summary", ""), language=None)
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
    if st.session_state.get("uploads", {}).get(kind) != str(path):
        st.session_state["uploads"] = {**st.session_state.get("uploads", {}), kind: str(path)}
        st.rerun()
    st.success(tr("table_ok", name=upload.name))
    if len(matched.report):
        st.dataframe(matched.report, hide_index=True, key=f"report_{kind}")

if (st.session_state.get("uploads") or st.session_state.get("boundaries")) and st.button(
    tr("reset_uploads"), key="reset_uploads"
):
    discard_uploads()
    st.rerun()
