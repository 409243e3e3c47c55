"""Data page: what is loaded (sources, dates, demo or not), and per-session uploads with their reports.

An uploaded boundary file is imported with the options chosen on the page
(layer, coordinate system, units, province, code and name columns, text
encoding: every choice of ``import-boundaries``), its report written beside it
and its communes merged into a copy of the embedded boundaries
(:func:`geo.importing.merge_boundaries.import_into`); that copy is this
session's boundaries from the next rerun on (``pages_app.common.load``).

An uploaded fibre or team table is checked first (sheet, columns, register of
its names: every choice of ``build-indicators``) and shown with what it would
bring; once put on the map it is added to the tables loaded, and only its
communes change (:mod:`application.increment`). Uploads are known by the hash
of their bytes (:mod:`application.uploads`). Every text that comes from a file
is escaped or shown as plain text.
"""

from __future__ import annotations

import time
import zipfile

import pandas as pd
import streamlit as st
from pyogrio.errors import DataSourceError
from shapely.errors import ShapelyError

from application.display import inputs_of
from application.increment import TableChange, TableUpload
from application.settings import checked_boundaries
from application.tables import import_report, report_main, sources_on_screen
from application.uploads import (
    TableCheck,
    check_table,
    content_digest,
    crs_choices,
    crs_options,
    date_text,
    escape_markdown,
    field_labels,
    headers_key,
    page_message,
    save_upload,
    table_part,
    table_report,
)
from geo import schema as s
from geo.errors import CoverageError
from geo.importing.import_boundaries import ImportOptions
from geo.importing.merge_boundaries import import_into
from geo.reading.read import feature_layers
from geo.reading.vocabulary import IGNORE
from pages_app.common import (
    banners,
    data_with,
    lang,
    load_with_changes,
    max_upload_mb,
    plain_table,
    session,
    session_inputs,
    settings,
    tr,
)
from pages_app.widgets import choice_widget

#: What a bad upload can raise: the library's own errors, and what a broken file makes GDAL, GEOS or zipfile raise.
UPLOAD_ERRORS = (
    CoverageError,
    OSError,
    ValueError,
    DataSourceError,
    ShapelyError,
    zipfile.BadZipFile,
)
TABLE_KINDS = (s.FIBRE, s.TEAMS_INPUT)
AUTO = "auto"

data, changes = load_with_changes()
state = session()
st.title(tr("data_title"))
banners(data)
st.caption(escape_markdown(tr("data_dir", path=str(settings().data_dir))))
sources = sources_on_screen(
    data.sources,
    lang=lang(),
    overridden=state.overridden(),
    uploaded_name=state.boundaries_name(),
    uploaded=state.uploaded_files(),
)
# A static table: a handful of rows a person reads (and a browser test can read) at a glance.
plain_table(sources)
st.caption(escape_markdown(tr("targets_file", name=str(data.config.source))))
if len(data.report):
    with st.expander(tr("table_report")):
        st.dataframe(table_report(data.report, lang=lang()), hide_index=True)

st.info(tr("upload_note", mb=max_upload_mb()), icon=":material/lock:")


def _too_big(upload: object) -> str:
    """Why an upload is refused before it is read ("" when it is not too large)."""
    size_mb = upload.size / 1e6  # type: ignore[attr-defined]
    if size_mb <= max_upload_mb():
        return ""
    return tr("upload_too_big", name=upload.name, mb=f"{size_mb:.1f}", limit=max_upload_mb())  # type: ignore[attr-defined]


# --- Boundaries -------------------------------------------------------------------------------


def _boundary_options(path: object, digest: str) -> ImportOptions:
    """The import options chosen on the page for this upload (every choice of ``import-boundaries``)."""
    with st.expander(tr("boundary_options"), expanded=state.boundaries_failed_for(digest)):
        # Labels made now, not in format_func: it may be called outside this run (tests).
        layers = {"": tr("ctl_auto")} | {name: name for name in _layers(path)}
        layer = None
        if len(layers) > 2:
            layer = (
                choice_widget(
                    st.selectbox,
                    tr("ctl_layer"),
                    f"bopt_layer_{digest[:8]}",
                    "",
                    options=list(layers),
                    format_func=layers.__getitem__,
                )
                or None
            )
        crs = {"": tr("ctl_auto"), **crs_options(state.boundaries_crs())}
        chosen_crs = choice_widget(
            st.selectbox,
            tr("ctl_crs"),
            f"bopt_crs_{digest[:8]}",
            "",
            options=list(crs),
            format_func=crs.__getitem__,
        )
        schemes = {AUTO: tr("ctl_auto")} | {
            v: tr(f"scheme_{v}") for v in (s.VINTAGE_2025, s.VINTAGE_LEGACY)
        }
        scheme = choice_widget(
            st.selectbox,
            tr("ctl_scheme"),
            f"bopt_scheme_{digest[:8]}",
            AUTO,
            options=list(schemes),
            format_func=schemes.__getitem__,
        )
        provinces = {"": tr("ctl_auto"), **_provinces()}
        province = choice_widget(
            st.selectbox,
            tr("ctl_province"),
            f"bopt_province_{digest[:8]}",
            "",
            options=list(provinces),
            format_func=provinces.__getitem__,
        )
        code = choice_widget(st.text_input, tr("ctl_code_column"), f"bopt_code_{digest[:8]}", "")
        name = choice_widget(st.text_input, tr("ctl_name_column"), f"bopt_name_{digest[:8]}", "")
        encoding = choice_widget(st.text_input, tr("ctl_encoding"), f"bopt_enc_{digest[:8]}", "")
        code, name, encoding = code.strip(), name.strip(), encoding.strip()
    return ImportOptions(
        scheme=scheme,  # type: ignore[arg-type]
        crs=chosen_crs or None,
        province=province or None,
        code_column=code or None,
        name_column=name or None,
        encoding=encoding or None,
        layer=layer,
    )


def _layers(path: object) -> list[str]:
    """The feature layers of an uploaded GeoPackage (QGIS's ``layer_styles`` is never one)."""
    if str(path).lower().endswith(".gpkg"):
        try:
            return feature_layers(path)  # type: ignore[arg-type]
        except CoverageError:
            return []
    return []


def _provinces() -> dict[str, str]:
    table = data.layer(s.VINTAGE_2025, "province").table
    return dict(zip(table[s.PROVINCE_CODE].astype(str), table[s.PROVINCE_NAME].astype(str)))


def _use_boundaries(upload: object, path: object, options: ImportOptions, token: str) -> None:
    """Import an uploaded boundary file and make it this session's boundaries (then rerun), or say why not."""
    name = upload.name  # type: ignore[attr-defined]
    try:
        with st.spinner(tr("loading")):
            imported = import_into(
                path, checked_boundaries(settings()), state.folder(), options=options
            )  # type: ignore[arg-type]
    except UPLOAD_ERRORS as err:
        message = page_message(err, name=name, folder=state.folder(), lang=lang())
        state.fail_boundaries(token, message, crs=crs_choices(err))
        st.rerun()
    state.keep_boundaries(imported, name=name, token=token)
    st.rerun()


boundaries = st.file_uploader(
    tr("upload_boundaries"), type=["zip", "gpkg", "geojson", "json"], key="up_boundaries"
)
if boundaries is not None:
    refused = _too_big(boundaries)
    if refused:
        st.error(escape_markdown(refused))
    else:
        content = boundaries.getvalue()
        digest = content_digest(content)
        saved = save_upload(state.folder(), "boundaries", boundaries.name, content)
        if state.boundaries_failed_for(digest):  # above the options that can fix it
            st.error(escape_markdown(state.boundaries_error()))
        options = _boundary_options(saved, digest)
        token = f"{digest}:{options!r}"
        if state.boundary_upload(token) == "new":
            _use_boundaries(boundaries, saved, options, token)
report_path = state.boundaries_report()
if report_path is not None:
    uploaded_scheme = str(state.boundaries_scheme())
    st.success(
        escape_markdown(
            tr(
                "boundaries_ok",
                name=state.boundaries_name(),
                n=data.status[uploaded_scheme].n_real,
                scheme=tr(f"scheme_{uploaded_scheme}"),
            )
        )
    )
    st.subheader(tr("import_report"))
    report = import_report(report_path, lang=lang())
    # What a planner checks per feature, as a plain table; the matching evidence in the expander.
    plain_table(report_main(report, lang=lang()))
    with st.expander(tr("import_summary")):
        st.code(state.boundaries_summary(), language=None)
        st.dataframe(report, hide_index=True, key="import_report")


# --- Fibre and team tables ----------------------------------------------------------------------


def _staged(kind: str) -> None:
    """When the uploader of ``kind`` changes: save the file by its content, or say why it is refused."""
    upload = st.session_state.get(f"up_{kind}")
    if upload is None:
        state.set_pending(kind, None)
        return
    refused = _too_big(upload)
    if refused:
        state.set_pending(kind, None, error=refused)
        return
    content = upload.getvalue()
    path = save_upload(state.folder(), kind, upload.name, content)
    state.set_pending(kind, path, content_digest(content))


def _sheet(kind: str, digest: str, check: TableCheck) -> str | None:
    """The sheet select box of a workbook of several sheets (visible first, hidden ones said so)."""
    if len(check.sheets) <= 1:
        return None
    ordered = [x for x in check.sheets if x.visible] + [x for x in check.sheets if not x.visible]
    hidden = {x.name for x in check.sheets if not x.visible}
    labels = {"": tr("sheet_first")} | {
        x.name: tr("sheet_hidden", name=x.name) if x.name in hidden else x.name for x in ordered
    }
    chosen = choice_widget(
        st.selectbox,
        tr("ctl_sheet"),
        f"sheet_{kind}_{digest[:8]}",
        "",
        options=list(labels),
        format_func=labels.__getitem__,
    )
    if chosen in hidden:
        st.warning(escape_markdown(tr("sheet_hidden_read", name=chosen)))
    read = check.part.sheet if check.part is not None else chosen
    others = [labels[x.name] for x in ordered if x.name != read]
    if others:
        st.caption(
            escape_markdown(tr("sheets_not_read", names=", ".join(others), control=tr("ctl_sheet")))
        )
    return chosen or None


def _vintage(kind: str, digest: str, check: TableCheck) -> str:
    """The register select box: detected answer first (with its evidence), or a choice to make."""
    detected = check.part.vintage if check.part is not None else ""
    auto = tr("ctl_auto") + (f": {tr(f'vintage_{detected}')}" if detected else "")
    labels = {AUTO: auto} | {v: tr(f"vintage_{v}") for v in (s.VINTAGE_2025, s.VINTAGE_LEGACY)}
    return choice_widget(
        st.selectbox,
        tr("ctl_vintage"),
        f"vintage_{kind}_{digest[:8]}",
        AUTO,
        options=list(labels),
        format_func=labels.__getitem__,
    )


def _evidence(check: TableCheck) -> None:
    if check.ambiguous:
        n = max(check.ambiguous.values())
        st.warning(tr("vintage_tie", n=n, control=tr("ctl_vintage")))
    elif check.part is not None and len(check.part.matched_rows) > 1:
        rows = check.part.matched_rows
        st.caption(
            tr(
                "vintage_evidence",
                chosen=tr(f"vintage_{check.part.vintage}"),
                n_2025=rows.get(s.VINTAGE_2025, 0),
                n_legacy=rows.get(s.VINTAGE_LEGACY, 0),
            )
        )


def _mapping(
    kind: str, digest: str, detected: tuple[tuple[str, str | None], ...]
) -> tuple[tuple[str, str], ...]:
    """One select box per column found (its field, another one, or left out); the pairs that differ."""
    headers = [h for h, _ in detected]
    remembered = dict(state.mapping_for(headers_key(headers)))
    labels = {"": tr("column_unknown"), **field_labels(lang())}
    options = list(labels)
    chosen: list[tuple[str, str]] = []
    with st.expander(tr("ctl_columns"), expanded=True):
        st.caption(tr("columns_help"))
        for i, (header, field) in enumerate(detected):
            default = remembered.get(header, field or "")
            value = choice_widget(
                st.selectbox,
                escape_markdown(header),  # a column header from the file: a label renders Markdown
                f"map_{kind}_{digest[:8]}_{i}",
                default if default in options else "",
                options=options,
                format_func=labels.__getitem__,
            )
            if value != (field or ""):
                chosen.append((header, value or IGNORE))
    return tuple(chosen)


def _check(upload: TableUpload) -> TableCheck:
    inputs = inputs_of(session_inputs()[0])
    return check_table(
        upload, inputs.boundaries, inputs.population, folder=state.folder(), lang=lang()
    )


def _preview(check: TableCheck, name: str) -> None:
    part = check.part
    if part is None:
        return
    codes = data.layer(s.VINTAGE_2025, "commune").table.set_index(s.COMMUNE_CODE)
    names = codes[s.PROVINCE_NAME].reindex(part.values.index).dropna().unique()
    st.info(
        escape_markdown(
            tr(
                "table_preview",
                name=name,
                n=len(part.values),
                provinces=", ".join(sorted(map(str, names))) or "—",
                as_of=date_text(part.as_of, lang()),
                n_report=len(part.report),
            )
        )
    )
    if len(part.report):
        st.dataframe(_report(part.report), hide_index=True, key=f"preview_report_{name}")


def _report(report: pd.DataFrame) -> pd.DataFrame:
    return table_report(report, lang=lang())


def _put_on_map(upload: TableUpload, headers: list[str]) -> None:
    """Add the table with a progress bar of the stages, then rerun the page on the new data."""
    start = time.perf_counter()
    bar = st.progress(0.05, text=tr("stage_read"))
    inputs = inputs_of(session_inputs()[0])
    try:
        table_part(upload, inputs.boundaries, inputs.population)
        bar.progress(0.4, text=tr("stage_merge"))
        uploads = (*state.table_uploads(), upload)
        bar.progress(0.6, text=tr("stage_map"))
        data_with(uploads)
    except (CoverageError, OSError) as err:
        bar.empty()
        st.error(
            escape_markdown(page_message(err, name=upload.name, folder=state.folder(), lang=lang()))
        )
        return
    bar.progress(1.0, text=tr("stage_done", seconds=f"{time.perf_counter() - start:.1f}"))
    state.add_table(upload)
    if upload.mapping:
        state.remember_mapping(headers_key(headers), upload.mapping)
    st.rerun()


def _pending_table(kind: str, path: object, digest: str) -> None:
    """The controls of an upload not yet on the map, what it would bring, and the button that adds it."""
    name = path.name  # type: ignore[attr-defined]
    base = TableUpload(kind, path, digest)  # type: ignore[arg-type]
    first = _check(base)
    sheet = _sheet(kind, digest, first)
    vintage = _vintage(kind, digest, first)
    read_as = TableUpload(kind, path, digest, sheet=sheet, vintage=vintage)  # type: ignore[arg-type]
    detected = _check(read_as) if (sheet, vintage) != (None, AUTO) else first
    mapping = _mapping(kind, digest, detected.columns) if detected.columns else ()
    upload = TableUpload(kind, path, digest, sheet=sheet, mapping=mapping, vintage=vintage)  # type: ignore[arg-type]
    check = _check(upload) if mapping else detected
    _evidence(check)
    if check.error:
        st.error(escape_markdown(check.error))
        return
    _preview(check, name)
    if check.part is not None and st.button(
        tr("add_table"), key=f"add_{kind}_{digest[:8]}", type="primary"
    ):
        _put_on_map(upload, [h for h, _ in detected.columns])


def _loaded_table(change: TableChange) -> None:
    """What a table on the map changed, its rows not counted, and the button that takes it off."""
    upload = change.upload
    st.success(
        escape_markdown(
            tr(
                "table_loaded",
                name=upload.name,
                n=len(change.updated),
                provinces=", ".join(change.provinces) or "—",
            )
        )
    )
    if change.kept:
        st.caption(tr("table_kept", n=len(change.kept)))
    if len(change.report):
        with st.expander(escape_markdown(tr("table_not_counted", name=upload.name))):
            st.dataframe(
                _report(change.report),
                hide_index=True,
                key=f"report_{upload.kind}_{upload.digest[:8]}",
            )
    if st.button(
        escape_markdown(tr("remove_table", name=upload.name)),
        key=f"remove_{upload.kind}_{upload.digest[:8]}",
    ):
        state.remove_table(upload.kind, upload.digest)
        st.rerun()


for kind in TABLE_KINDS:
    st.file_uploader(
        tr(f"upload_{kind}"),
        type=["xlsx", "xls", "csv"],
        key=f"up_{kind}",
        on_change=_staged,
        args=(kind,),
    )
    if state.pending_error(kind):
        st.error(escape_markdown(state.pending_error(kind)))
    pending = state.pending(kind)
    if pending is not None and state.loaded(kind, pending[1]) is None:
        _pending_table(kind, *pending)
    for change in changes:
        if change.upload.kind == kind:
            _loaded_table(change)

if state.has_uploads() and st.button(tr("reset_uploads"), key="reset_uploads"):
    state.discard_uploads()
    st.rerun()
