"""The app's data made ready for the screen, and the texts every page builds from it.

:func:`display_data` turns the indicator layers of :mod:`application.app_data`
into what the browser is sent (:func:`layers.choropleth.prepare_units`, simplified
at :data:`layers.simplify.TOLERANCES`), with a search index and the boundary status of each
scheme. The rest are pure functions of that data: the latest as-of date, the
provinces of a layer, the "data as of" line and the notice of which boundaries
are approximate. Nothing here imports Streamlit; the pages cache and render.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from application.app_data import LEVELS, SCHEMES, BoundaryStatus, boundary_status, load_app_data
from application.i18n import text
from application.search import search_index
from geo import schema as s
from geo.indicators import targets as t
from geo.indicators.build import Inputs
from layers.choropleth import UnitLayer, prepare_units, province_sort_key
from layers.simplify import layer_tolerances

#: Fields of :class:`geo.indicators.build.Inputs` that are not paths.
_PLAIN_FIELDS = ("mobile_threshold", "tables_vintage", "sheet")

#: Plain form of an ``Inputs``: (field, value as a string or None) pairs, hashable for a cache.
InputFields = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class DisplayData:
    """Display-ready data of one set of inputs (shared read-only by every session that uses them).

    Attributes
    ----------
    layers
        ``"<scheme>/<level>"`` → the layer as the browser gets it.
    sources, report, config, villages
        As in :class:`application.app_data.AppData`.
    search
        Scheme → search index of its communes (:func:`application.search.search_index`).
    is_demo
        Whether any input is demo data.
    as_of
        Latest as-of date of the inputs (:func:`latest_date`), None when none is known.
    status
        Scheme → real and approximate commune polygons.
    boundaries
        Path of the boundaries file the indicators were computed on.
    """

    layers: dict[str, UnitLayer]
    sources: pd.DataFrame
    report: pd.DataFrame
    config: t.Config
    search: dict[str, pd.DataFrame]
    is_demo: bool
    as_of: str | None
    status: dict[str, BoundaryStatus]
    boundaries: str
    villages: pd.DataFrame

    def layer(self, scheme: str, level: str) -> UnitLayer:
        """The display layer of a scheme and level; raises ``KeyError`` for an unknown pair."""
        return self.layers[f"{scheme}/{level}"]


def input_fields(inputs: Inputs) -> InputFields:
    """``inputs`` as plain (field, JSON text) pairs: a hashable cache key that :func:`inputs_of` reverses."""
    return tuple((k, None if v is None else json.dumps(_plain(v))) for k, v in vars(inputs).items())


def _plain(value: object) -> object:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, os.PathLike) else value


def inputs_of(fields: InputFields) -> Inputs:
    """The ``Inputs`` that :func:`input_fields` made ``fields`` of (paths back to ``Path``)."""
    values = {k: None if v is None else json.loads(v) for k, v in fields}
    for name in ("fibre", "teams"):
        given = values.get(name)
        if isinstance(given, list):
            values[name] = tuple(Path(p) for p in given)
    for name, value in values.items():
        if isinstance(value, str) and name not in _PLAIN_FIELDS:
            values[name] = Path(value)
    values["column_mapping"] = tuple(tuple(pair) for pair in values.get("column_mapping") or ())
    return Inputs(**values)  # type: ignore[arg-type]


def display_data(inputs: Inputs, *, cache_dir: Path | None = None) -> DisplayData:
    """Every layer of both schemes prepared for the browser, with search indexes and boundary status.

    Parameters
    ----------
    inputs
        What the indicators are computed from (:func:`application.app_data.load_app_data`).
    cache_dir
        The disk cache of the indicators (default :func:`application.app_data.default_cache_dir`).
    """
    data = load_app_data(inputs, cache_dir=cache_dir)
    layers = {
        f"{sc}/{lv}": prepare_units(data.layer(sc, lv), lv, tolerances=layer_tolerances(sc, lv))
        for sc in SCHEMES
        for lv in LEVELS
    }
    return DisplayData(
        layers=layers,
        sources=data.sources,
        report=data.report,
        config=data.config,
        search={sc: search_index(data.layer(sc, "commune")) for sc in SCHEMES},
        is_demo=data.is_demo,
        as_of=latest_date(data.sources),
        status={sc: boundary_status(data.layer(sc, "commune")) for sc in SCHEMES},
        boundaries=str(inputs.boundaries),
        villages=data.villages,
    )


def latest_date(sources: pd.DataFrame) -> str | None:
    """Latest as-of date (``YYYY-MM-DD``) of the inputs, preferring dates the data states over file dates.

    Parameters
    ----------
    sources
        One row per input with an ``as_of`` column (:func:`application.app_data.sources_table`);
        a file date ends with "(file date)", a missing date is None or "".
    """
    dates = [str(d) for d in sources["as_of"] if isinstance(d, str) and d]
    stated = [d[:10] for d in dates if "file date" not in d]
    return max(stated) if stated else (max(d[:10] for d in dates) if dates else None)


def province_names(layer: UnitLayer) -> dict[str, str]:
    """Province code → name of a layer, ordered by name without its prefix ("Tỉnh ", "Thành phố ")."""
    pairs = (
        layer.table[[s.PROVINCE_CODE, s.PROVINCE_NAME]].dropna().drop_duplicates(s.PROVINCE_CODE)
    )
    names = dict(zip(pairs[s.PROVINCE_CODE].astype(str), pairs[s.PROVINCE_NAME].astype(str)))
    return dict(sorted(names.items(), key=lambda kv: province_sort_key(kv[1])))


def province_choices(names: dict[str, str], lang: str) -> dict[str, str]:
    """What a province picker offers: ``""`` (the whole country, with the count) then every province."""
    return {"": text("whole_country", lang, n=len(names)), **names}


def as_of_text(data: DisplayData, lang: str) -> str:
    """'Data as of …' in ``lang``."""
    return text("as_of", lang, date=data.as_of or text("unknown_date", lang))


def map_title(column: str, place: str, lang: str) -> str:
    """Title of a map and its print sheet: the indicator, then the place ("Toàn quốc (34 …)" or a province)."""
    return f"{text(f'ind_{column}', lang)} — {place}"


def boundary_notice(
    data: DisplayData,
    scheme: str,
    *,
    lang: str,
    uploaded_name: str | None = None,
    uploaded_scheme: str | None = None,
) -> str | None:
    """Which commune boundaries of ``scheme`` are approximate, in ``lang``; None when none is.

    Parameters
    ----------
    data
        The data on screen.
    scheme
        The scheme on screen (``2025`` or ``legacy``).
    uploaded_name, uploaded_scheme
        File name and scheme of the boundaries this session uploaded, if any.
    """
    status = data.status[scheme]
    if not status.n_approximate:
        return None
    name = uploaded_name or Path(data.boundaries).name
    if status.n_real:
        return text(
            "boundaries_mixed",
            lang,
            n_real=status.n_real,
            provinces=", ".join(status.real_provinces),
            file=name,
            n_approx=status.n_approximate,
        )
    notice = text("approximate_notice", lang)
    if uploaded_scheme and uploaded_scheme != scheme and data.status[uploaded_scheme].n_real:
        other = text(f"scheme_{uploaded_scheme}", lang)
        return notice + " " + text("boundaries_other_scheme", lang, file=name, scheme=other)
    return notice
