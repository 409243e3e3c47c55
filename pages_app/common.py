"""What every page needs: settings, language, the per-session upload folder, the cached data.

Only plain values go into ``st.session_state`` (language code, province
code, selected commune code, paths of this session's uploads as strings).
An uploaded boundary file becomes this session's boundaries: the Data page
merges it into a copy of the embedded boundaries in the session's folder
(:mod:`geo.importing.merge_boundaries`) and keeps that file's path under
``"boundaries"``; :func:`load` computes the indicators on it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from application.app_data import (
    LEVELS,
    SCHEMES,
    BoundaryStatus,
    boundary_status,
    discover_inputs,
    load_app_data,
)
from application.i18n import DEFAULT_LANG, text
from application.i18n import indicator_texts as i18n_indicator_texts
from application.search import search_index
from application.settings import Settings, checked_boundaries, resolve_settings
from geo import schema as s
from geo.errors import CoverageError
from geo.importing.merge_boundaries import SessionBoundaries
from geo.indicators import targets as t
from geo.indicators.build import Inputs
from geo.reference.crosswalk import read_crosswalk
from layers.choropleth import IndicatorView, UnitLayer, prepare_units
from layers.offline import OfflineAssets, local_assets, vendor_assets

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
#: Session-state keys of an uploaded boundary file (all plain strings).
BOUNDARY_KEYS = (
    "boundaries",
    "boundaries_name",
    "boundaries_scheme",
    "boundaries_report",
    "boundaries_summary",
    "boundaries_upload",
    "boundaries_failed",
    "boundaries_error",
)
#: Simplification (degrees) of the national and the province view, by layer. A pixel of the
#: national view is ~2 km, so coarser layers lose nothing visible and keep the page light.
TOLERANCES: dict[str, tuple[float, float]] = {
    "2025/commune": (0.006, 0.0015),
    "legacy/commune": (0.01, 0.0015),
    "2025/district": (0.008, 0.0015),
    "legacy/district": (0.008, 0.0015),
    "2025/province": (0.01, 0.0015),
    "legacy/province": (0.01, 0.0015),
}


@dataclass(frozen=True)
class Loaded:
    """Display-ready data of one set of inputs (shared read-only by every session that uses them)."""

    layers: dict[str, UnitLayer]
    sources: pd.DataFrame
    report: pd.DataFrame
    config: t.Config
    search: dict[str, pd.DataFrame]  # scheme → search index of its communes
    is_demo: bool
    as_of: str | None
    status: dict[str, BoundaryStatus]  # scheme → real and approximate commune polygons
    boundaries: str
    villages: (
        pd.DataFrame
    )  # villages of the team table in the 2025 communes (empty for a commune table)

    def layer(self, scheme: str, level: str) -> UnitLayer:
        """The display layer of a scheme and level."""
        return self.layers[f"{scheme}/{level}"]


def lang() -> str:
    """The language chosen in the sidebar (Vietnamese by default)."""
    return str(st.session_state.get("lang", DEFAULT_LANG))


def tr(key: str, **values: object) -> str:
    """``application.i18n.text`` in the session's language."""
    return text(key, lang(), **values)


def settings() -> Settings:
    """Settings from the command line and the environment (raises ``InputError``)."""
    return resolve_settings(sys.argv[1:], os.environ)


def max_upload_mb() -> int:
    """Largest upload the app accepts (MB): ``VNCOVER_MAX_UPLOAD_MB``, never above Streamlit's ``server.maxUploadSize``."""
    return min(settings().max_upload_mb, int(st.get_option("server.maxUploadSize")))


def session_dir() -> Path:
    """This session's own temporary folder for uploads (its path kept in session_state)."""
    path = st.session_state.get("session_dir")
    if not path or not Path(path).is_dir():
        path = tempfile.mkdtemp(prefix=f"vncover-session-{uuid.uuid4().hex[:8]}-")
        st.session_state["session_dir"] = path
    return Path(path)


def discard_uploads() -> None:
    """Remove this session's uploads and their folder."""
    path = st.session_state.pop("session_dir", None)
    for key in ("uploads", *BOUNDARY_KEYS):
        st.session_state.pop(key, None)
    if path:
        shutil.rmtree(path, ignore_errors=True)


def uploads() -> dict[str, Path]:
    """This session's uploaded coverage tables: ``{"fibre": path, "teams": path}``."""
    return {k: Path(v) for k, v in st.session_state.get("uploads", {}).items() if Path(v).is_file()}


def session_values(imported: SessionBoundaries, *, name: str, token: str) -> dict[str, str]:
    """What session_state keeps of an uploaded boundary file (plain strings, see ``BOUNDARY_KEYS``)."""
    return {
        "boundaries": str(imported.merge.path),
        "boundaries_name": name,
        "boundaries_scheme": imported.merge.scheme,
        "boundaries_report": str(imported.report),
        "boundaries_summary": "\n".join(imported.result.summary_lines()),
        "boundaries_upload": token,
    }


def session_boundaries() -> Path | None:
    """This session's boundaries (the embedded ones with its uploaded communes), if it uploaded any."""
    path = st.session_state.get("boundaries")
    return Path(path) if path and Path(path).is_file() else None


@st.cache_resource(show_spinner=False)
def offline_assets(static_dir: str, base_url: str) -> OfflineAssets:
    """Leaflet copied into the static folder once; its local URLs."""
    vendor_assets(Path(static_dir))
    return local_assets(base_url)


def assets() -> OfflineAssets:
    """Local URLs of the map's scripts."""
    return offline_assets(str(STATIC_DIR), st.get_option("server.baseUrlPath") or "")


# cache_resource, not cache_data: the result is large (every layer at two details)
# and never modified, and cache_data would copy it on every rerun (≈0.5 s).
# The key holds every input's path, size and mtime (application.app_data.cache_key).
@st.cache_resource(show_spinner=False, max_entries=4)
def _loaded(inputs: tuple[tuple[str, str | None], ...], key: str) -> Loaded:
    del key  # part of the cache key only
    values = dict(inputs)
    paths = {
        k: (Path(v) if v is not None and k not in ("mobile_threshold", "tables_vintage") else v)
        for k, v in values.items()
    }
    threshold = values.get("mobile_threshold")
    paths["mobile_threshold"] = float(threshold) if threshold is not None else None
    data = load_app_data(Inputs(**paths))  # type: ignore[arg-type]
    layers = {
        f"{sc}/{lv}": prepare_units(data.layer(sc, lv), lv, tolerances=TOLERANCES[f"{sc}/{lv}"])
        for sc in SCHEMES
        for lv in LEVELS
    }
    status = {sc: boundary_status(data.layer(sc, "commune")) for sc in SCHEMES}
    return Loaded(
        layers=layers,
        sources=data.sources,
        report=data.report,
        config=data.config,
        search={sc: search_index(data.layer(sc, "commune")) for sc in SCHEMES},
        is_demo=data.is_demo,
        as_of=latest_date(data.sources),
        status=status,
        boundaries=str(values["boundaries"]),
        villages=data.villages,
    )


def latest_date(sources: pd.DataFrame) -> str | None:
    """Latest as-of date of the inputs, preferring dates the data states over file dates."""
    dates = [str(d) for d in sources["as_of"] if isinstance(d, str) and d]
    stated = [d[:10] for d in dates if "file date" not in d]
    return max(stated) if stated else (max(d[:10] for d in dates) if dates else None)


def load() -> Loaded:
    """The data of this session (default inputs plus its uploads), or stop the page with the error."""
    from application.app_data import cache_key

    try:
        current = settings()
        boundaries = session_boundaries() or checked_boundaries(current)
        inputs = discover_inputs(current.data_dir, boundaries, overrides=uploads())
        key = cache_key(inputs)
    except (CoverageError, OSError) as err:
        st.error(tr("data_error", error=err))
        st.stop()
    # Only the file paths and the two options travel as text; the page sets no sheet or column mapping
    # (Inputs' defaults apply).
    fields = tuple(
        (k, None if v is None else str(v))
        for k, v in vars(inputs).items()
        if k not in ("sheet", "column_mapping")
    )
    with st.spinner(tr("loading")):
        try:
            return _loaded(fields, key)
        except CoverageError as err:
            st.error(tr("data_error", error=err))
            st.stop()


@st.cache_resource(show_spinner=False)
def crosswalk() -> pd.DataFrame:
    """The legacy → 2025 crosswalk (read-only)."""
    return read_crosswalk()


def banners(data: Loaded, scheme: str | None = None) -> None:
    """Demo-data banner and the notice of which boundaries are approximate, on every page that shows data.

    ``scheme`` is the one on screen (default: the map page's choice, else 2025).
    """
    if data.is_demo:
        st.error(tr("demo_banner"), icon=":material/science:")
    notice = boundary_notice(data, scheme or str(st.session_state.get("scheme", s.VINTAGE_2025)))
    if notice:
        st.warning(notice, icon=":material/warning:")


def boundary_notice(data: Loaded, scheme: str) -> str | None:
    """Which boundaries of ``scheme`` are approximate, in the session's language (None when none is)."""
    status = data.status[scheme]
    if not status.n_approximate:
        return None
    name = st.session_state.get("boundaries_name") or Path(data.boundaries).name
    if status.n_real:
        places = ", ".join(status.real_provinces)
        return tr(
            "boundaries_mixed",
            n_real=status.n_real,
            provinces=places,
            file=name,
            n_approx=status.n_approximate,
        )
    uploaded = st.session_state.get("boundaries_scheme")
    if uploaded and uploaded != scheme and data.status[uploaded].n_real:
        return (
            tr("approximate_notice")
            + " "
            + tr("boundaries_other_scheme", file=name, scheme=tr(f"scheme_{uploaded}"))
        )
    return tr("approximate_notice")


def as_of_text(data: Loaded) -> str:
    """'Data as of …' in the session's language."""
    return tr("as_of", date=data.as_of or tr("unknown_date"))


def province_names(layer: UnitLayer) -> dict[str, str]:
    """Province code → name of a layer, ordered by name without its prefix."""
    from layers.choropleth import province_sort_key

    pairs = (
        layer.table[[s.PROVINCE_CODE, s.PROVINCE_NAME]].dropna().drop_duplicates(s.PROVINCE_CODE)
    )
    names = dict(zip(pairs[s.PROVINCE_CODE].astype(str), pairs[s.PROVINCE_NAME].astype(str)))
    return dict(sorted(names.items(), key=lambda kv: province_sort_key(kv[1])))


def indicator_texts() -> dict[str, str]:
    """The class labels ``layers.choropleth.view_indicator`` needs, in the session's language."""
    return i18n_indicator_texts(lang())


def show_map(
    data: Loaded,
    *,
    scheme: str,
    level: str,
    column: str,
    province: str,
    mode: str = "policy",
    config: t.Config | None = None,
    highlight: frozenset[str] = frozenset(),
    large: bool = False,
    height: int = 700,
    key: str = "map",
    view: IndicatorView | None = None,
) -> dict | None:
    """Draw one indicator map (``view``: its classes, when the page has them already); return what st_folium reports."""
    from streamlit_folium import st_folium

    from layers.choropleth import MapStyle, build_indicator_map

    units, outlines = data.layer(scheme, level), data.layer(scheme, "province")
    view = view or indicator_view(
        data, scheme=scheme, level=level, column=column, mode=mode, config=config
    )
    style = MapStyle(
        tooltip_aliases=(tr("tip_name"), tr("tip_province"), tr(f"ind_{column}")),
        legend_note=as_of_text(data),
        highlight=highlight,
        large=large,
        height=height,
    )
    m = build_indicator_map(
        units,
        outlines,
        view.classification,
        view.values,
        view.texts,
        assets=assets(),
        province_code=province,
        style=style,
    )
    return st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )


def indicator_view(
    data: Loaded,
    *,
    scheme: str,
    level: str,
    column: str,
    mode: str = "policy",
    config: t.Config | None = None,
) -> IndicatorView:
    """The classes and values of one indicator as the map draws them (shared by the map and its print sheet)."""
    from layers.choropleth import MAP_INDICATORS, view_indicator

    indicator = next(i for i in MAP_INDICATORS if i.column == column)
    texts = indicator_texts()
    if column == s.UNCOVERED:
        texts = {**texts, "yes": tr("uncovered_yes"), "no": tr("uncovered_no")}
    return view_indicator(
        data.layer(scheme, level).table,
        indicator,
        title=tr(f"ind_{column}"),
        texts=texts,
        target_pct=(config or data.config).threshold_pct(indicator.target),
        mode=mode,  # type: ignore[arg-type]
    )


#: The two print sheets: PDF on A4 landscape (print), PNG on a 16:9 slide (projector), both 300 dpi.
SHEETS: dict[str, tuple[str, str, str]] = {
    "pdf": ("a4", "application/pdf", "sheet_pdf"),
    "png": ("slide", "image/png", "sheet_png"),
}


def sheet_downloads(
    data: Loaded,
    *,
    scheme: str,
    level: str,
    column: str,
    province: str,
    title: str,
    mode: str = "policy",
    key: str = "sheet",
    view: IndicatorView | None = None,
) -> None:
    """One download button per print sheet of the map on screen, drawn only when clicked (matplotlib, 300 dpi)."""
    from layers.mapsheet import sheet_bytes
    from layers.view_sheet import view_sheet

    view = view or indicator_view(data, scheme=scheme, level=level, column=column, mode=mode)
    sheet = view_sheet(
        data.layer(scheme, level),
        data.layer(scheme, "province"),
        view,
        column=column,
        title=title,
        scheme=scheme,
        communes=data.layer(scheme, "commune"),
        province=province,
    )
    stem = f"ban_do_{column}_{province or 'toan_quoc'}"
    for fmt, (size, mime, label) in SHEETS.items():
        st.download_button(
            tr(label),
            data=lambda fmt=fmt, size=size: sheet_bytes(sheet, fmt=fmt, size=size, dpi=300),  # type: ignore[misc]
            file_name=f"{stem}.{fmt}",
            mime=mime,
            key=f"{key}_{fmt}",
            on_click="ignore",
            width="stretch",
        )


def clicked_code(result: dict | None) -> str | None:
    """Code of the unit the user last clicked on the map, if any."""
    feature = (result or {}).get("last_active_drawing") or {}
    code = feature.get("id")
    return str(code) if code is not None else None
