"""One indicator map a page asks for, and what is drawn from it: its classes, its style, its print sheets.

A page fills one :class:`MapRequest` from its widgets; :func:`indicator_view`
classifies the indicator once per rerun for both the map on screen and its print
sheets, :func:`map_style` gives the map's texts and size. The Streamlit side
(``pages_app.maps``) only renders what these return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from application.display import DisplayData, as_of_text
from application.i18n import indicator_texts, text
from geo import schema as s
from geo.indicators import targets as t
from geo.indicators.aggregate import commune_counts
from geo.indicators.build import evaluate_targets
from layers.choropleth import (
    LEVEL_COLUMNS,
    MAP_INDICATORS,
    ClassMode,
    IndicatorView,
    MapStyle,
    view_indicator,
)

#: Indicators that depend on the targets chosen: computed again for a request's own targets.
TARGET_COLUMNS: Final = (s.UNCOVERED, s.N_UNCOVERED)

#: The two print sheets, format → (paper, MIME type, button text key): PDF on A4 landscape
#: (print), PNG on a 16:9 slide (projector), both at 300 dpi.
SHEETS: Final[dict[str, tuple[str, str, str]]] = {
    "pdf": ("a4", "application/pdf", "sheet_pdf"),
    "png": ("slide", "image/png", "sheet_png"),
}
SHEET_DPI: Final = 300


@dataclass(frozen=True)
class MapRequest:
    """What a page asks of one indicator map.

    Attributes
    ----------
    scheme
        ``2025`` or ``legacy``.
    level
        ``commune``, ``district`` or ``province``.
    column
        The indicator (a column of :data:`layers.choropleth.MAP_INDICATORS`).
    province
        Province code to zoom to; ``""`` for the whole country.
    mode
        How the classes are cut: ``policy`` (the targets), ``quantiles`` or ``natural``.
    config
        Targets to classify against (the page's own choice); None for the data's targets.
    highlight
        Unit codes drawn with a bold outline.
    large
        Larger legend and tooltip text, for a projector.
    height
        Height of the map on screen, in pixels.
    key
        Streamlit key of the map widget (one per page, so each page keeps its own view).
    labels
        Names written on the map (communes of a province, else provinces), for a meeting.
    """

    scheme: str
    level: str
    column: str
    province: str = ""
    mode: ClassMode = "policy"
    config: t.Config | None = None
    highlight: frozenset[str] = field(default_factory=frozenset)
    large: bool = False
    height: int = 700
    key: str = "map"
    labels: bool = False


def indicator_view(data: DisplayData, request: MapRequest, *, lang: str) -> IndicatorView:
    """The classes and values of the requested indicator as the map and its print sheets draw them.

    Raises ``KeyError`` when ``request.column`` is not a map indicator.
    """
    indicator = next((i for i in MAP_INDICATORS if i.column == request.column), None)
    if indicator is None:
        known = [i.column for i in MAP_INDICATORS]
        raise KeyError(f"no map indicator {request.column!r}; known: {known}")
    texts = indicator_texts(lang)
    if request.column == s.UNCOVERED:
        texts = {**texts, "yes": text("uncovered_yes", lang), "no": text("uncovered_no", lang)}
    return view_indicator(
        indicator_table(data, request),
        indicator,
        title=text(f"ind_{request.column}", lang),
        texts=texts,
        target_pct=(request.config or data.config).threshold_pct(indicator.target),
        mode=request.mode,
        lang=lang,
    )


def indicator_table(data: DisplayData, request: MapRequest) -> pd.DataFrame:
    """The table the requested map is drawn from, its target columns evaluated for ``request.config``.

    The layers hold ``uncovered`` and ``n_uncovered`` for the data's own targets; a page that
    lets people choose other targets (the uncovered page) passes them in ``request.config``, and
    the map, its legend and its print sheets then count the communes that miss *those* targets,
    as :func:`geo.indicators.ranking.rank_uncovered` does for the page's table.
    """
    table = data.layer(request.scheme, request.level).table
    if request.config is None or request.column not in TARGET_COLUMNS:
        return table
    communes = evaluate_targets(data.layer(request.scheme, "commune").table, request.config)
    if request.level == "commune":
        return communes
    code = LEVEL_COLUMNS[request.level][0]
    if code not in communes:
        raise KeyError(
            f"the {request.scheme} communes have no column {code!r}: cannot count the communes "
            f"that miss the chosen targets per {request.level}; map level 'commune' instead"
        )
    counts = commune_counts(communes).groupby(code)[s.N_UNCOVERED].sum(min_count=1)
    return table.assign(**{s.N_UNCOVERED: table[code].map(counts).astype(float)})


def map_style(data: DisplayData, request: MapRequest, *, lang: str) -> MapStyle:
    """Tooltip labels, the "data as of" line under the legend, highlight and size of the map."""
    return MapStyle(
        tooltip_aliases=(
            text("tip_name", lang),
            text("tip_province", lang),
            text(f"ind_{request.column}", lang),
        ),
        legend_note=as_of_text(data, lang),
        highlight=request.highlight,
        large=request.large,
        height=request.height,
        lang=lang,
        credit=text("map_credit", lang),
        labels=request.labels,
    )


def sheet_stem(request: MapRequest) -> str:
    """File name (without suffix) of the print sheets: ``ban_do_<indicator>_<province or toan_quoc>``."""
    return f"ban_do_{request.column}_{request.province or 'toan_quoc'}"


def step_choice(options: Sequence[str], current: str, step: int) -> str:
    """The option ``step`` places after ``current`` (before, when negative), round the end.

    A presentation's next/previous buttons walk the provinces with it; an
    unknown ``current`` starts from the first option.

    Examples
    --------
    >>> step_choice(["", "08", "96"], "96", 1)
    ''
    >>> step_choice(["", "08", "96"], "", -1)
    '96'
    """
    if not options:
        raise ValueError("no options to step through")
    index = list(options).index(current) if current in options else 0
    return options[(index + step) % len(options)]


def clicked_code(result: dict | None) -> str | None:
    """Code of the unit last clicked on the map, from what ``st_folium`` returned (None if none)."""
    feature = (result or {}).get("last_active_drawing") or {}
    code = feature.get("id")
    return str(code) if code is not None else None
