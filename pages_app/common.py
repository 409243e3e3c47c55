"""What every page needs: settings, language, the per-session upload folder, the cached data.

Only plain values go into ``st.session_state`` (language code, province
code, selected commune code, paths of this session's uploads as strings).
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

from geo import schema as s
from geo import targets as t
from geo.app_data import LEVELS, SCHEMES, discover_inputs, load_app_data
from geo.boundaries import boundaries_file
from geo.crosswalk import read_crosswalk
from geo.errors import CoverageError
from geo.indicators import Inputs
from geo.settings import Settings, resolve_settings
from layers.choropleth import UnitLayer, prepare_units
from layers.i18n import DEFAULT_LANG, text
from layers.offline import OfflineAssets, local_assets, vendor_assets
from layers.search import search_index

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
#: Largest upload accepted (MB); Streamlit's own limit is set in .streamlit/config.toml.
MAX_UPLOAD_MB = 50
#: Simplification (degrees) of the national and the province view, by layer. A pixel of the
#: national view is ~2 km, so coarser layers lose nothing visible and keep the page light.
TOLERANCES: dict[str, tuple[float, float]] = {
    "2025/commune": (0.005, 0.0015),
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
    approximate: bool
    boundaries: str

    def layer(self, scheme: str, level: str) -> UnitLayer:
        """The display layer of a scheme and level."""
        return self.layers[f"{scheme}/{level}"]


def lang() -> str:
    """The language chosen in the sidebar (Vietnamese by default)."""
    return str(st.session_state.get("lang", DEFAULT_LANG))


def tr(key: str, **values: object) -> str:
    """``layers.i18n.text`` in the session's language."""
    return text(key, lang(), **values)


def settings() -> Settings:
    """Settings from the command line and the environment (raises ``InputError``)."""
    return resolve_settings(sys.argv[1:], os.environ)


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
    st.session_state.pop("uploads", None)
    if path:
        shutil.rmtree(path, ignore_errors=True)


def uploads() -> dict[str, Path]:
    """This session's uploaded coverage tables: ``{"fibre": path, "teams": path}``."""
    return {k: Path(v) for k, v in st.session_state.get("uploads", {}).items() if Path(v).is_file()}


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
# The key holds every input's path, size and mtime (geo.app_data.cache_key).
@st.cache_resource(show_spinner=False, max_entries=4)
def _loaded(inputs: tuple[tuple[str, str | None], ...], key: str) -> Loaded:
    del key  # part of the cache key only
    values = dict(inputs)
    paths = {k: (Path(v) if v is not None and k not in ("mobile_threshold", "tables_vintage") else v) for k, v in values.items()}
    threshold = values.get("mobile_threshold")
    paths["mobile_threshold"] = float(threshold) if threshold is not None else None
    data = load_app_data(Inputs(**paths))  # type: ignore[arg-type]
    layers = {f"{sc}/{lv}": prepare_units(data.layer(sc, lv), lv, tolerances=TOLERANCES[f"{sc}/{lv}"]) for sc in SCHEMES for lv in LEVELS}
    communes = data.layer(s.VINTAGE_2025, "commune")
    approximate = bool(communes[s.APPROXIMATE].fillna(True).astype(bool).any()) if s.APPROXIMATE in communes else False
    return Loaded(
        layers=layers, sources=data.sources, report=data.report, config=data.config,
        search={sc: search_index(data.layer(sc, "commune")) for sc in SCHEMES}, is_demo=data.is_demo, as_of=latest_date(data.sources), approximate=approximate,
        boundaries=str(values["boundaries"]),
    )  # fmt: skip


def latest_date(sources: pd.DataFrame) -> str | None:
    """Latest as-of date of the inputs, preferring dates the data states over file dates."""
    dates = [str(d) for d in sources["as_of"] if isinstance(d, str) and d]
    stated = [d[:10] for d in dates if "file date" not in d]
    return max(stated) if stated else (max(d[:10] for d in dates) if dates else None)


def load() -> Loaded:
    """The data of this session (default inputs plus its uploads), or stop the page with the error."""
    from geo.app_data import cache_key

    try:
        current = settings()
        inputs = discover_inputs(current.data_dir, boundaries_file(current), overrides=uploads())
        key = cache_key(inputs)
    except (CoverageError, OSError) as err:
        st.error(tr("data_error", error=err))
        st.stop()
    fields = tuple((k, None if v is None else str(v)) for k, v in vars(inputs).items())
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


def banners(data: Loaded) -> None:
    """Demo-data banner and approximate-boundaries notice, on every page that shows data."""
    if data.is_demo:
        st.error(tr("demo_banner"), icon=":material/science:")
    if data.approximate:
        st.warning(tr("approximate_notice"), icon=":material/warning:")


def as_of_text(data: Loaded) -> str:
    """'Data as of …' in the session's language."""
    return tr("as_of", date=data.as_of or tr("unknown_date"))


def province_names(layer: UnitLayer) -> dict[str, str]:
    """Province code → name of a layer, ordered by name without its prefix."""
    from layers.choropleth import province_sort_key

    pairs = layer.table[[s.PROVINCE_CODE, s.PROVINCE_NAME]].dropna().drop_duplicates(s.PROVINCE_CODE)
    names = dict(zip(pairs[s.PROVINCE_CODE].astype(str), pairs[s.PROVINCE_NAME].astype(str)))
    return dict(sorted(names.items(), key=lambda kv: province_sort_key(kv[1])))


def indicator_texts() -> dict[str, str]:
    """The class labels ``layers.choropleth.view_indicator`` needs, in the session's language."""
    return {
        "no_data": tr("no_data"), "yes": tr("flag_yes"), "no": tr("flag_no"),
        "below80": tr("policy_below80"), "80_90": tr("policy_80_90"), "90_100": tr("policy_90_100"), "met": tr("policy_met"),
    }  # fmt: skip


def target_pct(config: t.Config, name: str | None) -> float | None:
    """Threshold of a target (100 for the yes/no fibre target), None when off or absent."""
    if name is None:
        return None
    target = config.target(name)
    if not target.enabled:
        return None
    return 100.0 if target.min_pct is None else target.min_pct


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
) -> dict | None:
    """Draw one indicator map; return what st_folium reports (only the clicked feature)."""
    from streamlit_folium import st_folium

    from layers.choropleth import MAP_INDICATORS, MapStyle, build_indicator_map, view_indicator

    units, outlines = data.layer(scheme, level), data.layer(scheme, "province")
    indicator = next(i for i in MAP_INDICATORS if i.column == column)
    texts = indicator_texts()
    if column == s.UNCOVERED:
        texts = {**texts, "yes": tr("uncovered_yes"), "no": tr("uncovered_no")}
    view = view_indicator(
        units.table, indicator, title=tr(f"ind_{column}"), texts=texts,
        target_pct=target_pct(config or data.config, indicator.target), mode=mode,  # type: ignore[arg-type]
    )  # fmt: skip
    style = MapStyle(
        tooltip_aliases=(tr("tip_name"), tr("tip_province"), tr(f"ind_{column}")),
        legend_note=as_of_text(data), highlight=highlight, large=large, height=height,
    )  # fmt: skip
    m = build_indicator_map(units, outlines, view.classification, view.values, view.texts, assets=assets(), province_code=province, style=style)
    return st_folium(m, key=key, height=height, use_container_width=True, returned_objects=["last_active_drawing"])


def clicked_code(result: dict | None) -> str | None:
    """Code of the unit the user last clicked on the map, if any."""
    feature = (result or {}).get("last_active_drawing") or {}
    code = feature.get("id")
    return str(code) if code is not None else None
