"""Print-ready map sheets (PNG/PDF) drawn server-side with matplotlib and geopandas.

A sheet has a title, the indicator and its unit, the map filled by class,
the legend drawn from the same :class:`~layers.classify.Classification` as
the fill, a scale bar, a north arrow, an inset of Viet Nam that always shows
the Hoàng Sa and Trường Sa archipelagos (DOMAIN.md §6), the data sources and
as-of dates, and an "approximate boundaries" / "demo data" mark when they apply.
Every word is in the sheet's language (``Sheet.lang``: :mod:`layers.sheet_texts`),
numbers too (``3.141`` / ``3,141``). The header is laid out with the
renderer's own text extents: the title and subtitle shrink, then wrap, so
they never run under the marks or into the map, whatever the title's length.
A province sheet names its communes (a national sheet of provinces, its
provinces) where a name fits inside its unit without touching another name.

Maps are drawn in an Albers equal-area projection of Viet Nam
(``schema.VN_EQUAL_AREA``), so the scale bar holds across the sheet to about
1 %. Two sizes: A4 landscape (print, 300 dpi) and a 16:9 slide.
Text uses DejaVu Sans (shipped with matplotlib), which has every
Vietnamese letter.
"""

from __future__ import annotations

import functools
import io
import math
import os
import textwrap
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from pyproj import Transformer

from geo import schema as s
from geo.errors import InputError
from geo.indicators import registry
from geo.indicators import targets as t
from geo.reading.atomic import atomic_path
from geo.reference.names import strip_prefix
from layers.choropleth import LEVEL_COLUMNS, UNIT_NAME, short_name, view_indicator
from layers.classify import (
    NO_DATA,
    Classification,
    classify_categorical,
    classify_quantiles,
    format_number,
)
from layers.export import (
    FLAG_UNIT,
    ExportMetadata,
    Level,
    column_info,
    flags,
    read_indicator_layer,
)
from layers.sheet_texts import sheet_text

SheetSize = Literal["a4", "slide"]
SheetFormat = Literal["png", "pdf"]
#: Figure sizes in inches: A4 landscape and a 16:9 slide (PowerPoint's default 13.33 × 7.5 in).
SIZES: Final[dict[str, tuple[float, float]]] = {"a4": (11.69, 8.27), "slide": (13.333, 7.5)}
FONT: Final = "DejaVu Sans"
#: Matplotlib settings of every sheet; ``text.parse_math`` off: names, file names and notes come
#: from files and are text ("fibre_$\\badmacro{x}$.csv" is a file name, not mathematics).
RC: Final[dict[str, object]] = {
    "font.family": FONT,
    "pdf.fonttype": 42,
    "svg.fonttype": "none",
    "text.parse_math": False,
}
SEA: Final = "#f3f5f7"  # neutral: with no basemap, sea and foreign land look the same
CONTEXT_FILL: Final = "#e3e3e3"
MARK_COLOR: Final = "#b00020"
#: Codes of the two archipelagos (2025 special zones) and the keys of their labels.
ARCHIPELAGOS: Final[dict[str, str]] = {"20333": "sheet_hoang_sa", "22736": "sheet_truong_sa"}
#: Where the parts of the panel sit, in figure fractions (left, bottom, width, height).
MAP_BOX: Final = (0.015, 0.035, 0.645, 0.80)
LEGEND_BOX: Final = (0.68, 0.575, 0.305, 0.26)
INSET_BOX: Final = (0.68, 0.215, 0.305, 0.335)
NOTES_BOX: Final = (0.68, 0.02, 0.305, 0.18)
#: The header (title, subtitle, marks) fills the band between these heights, the page's
#: margins at either side, ``HEADER_GAP`` between its parts.
HEADER_TOP: Final = 0.975
HEADER_BOTTOM: Final = MAP_BOX[1] + MAP_BOX[3] + 0.012
HEADER_LEFT, HEADER_RIGHT, HEADER_GAP = 0.015, 0.985, 0.012
TITLE_SIZE, SUBTITLE_SIZE, MARK_SIZE = 17.0, 11.0, 10.0
#: Font scales tried in turn, largest first, until the header fits its band.
HEADER_SCALES: Final = (1.0, 0.9, 0.8, 0.72, 0.64, 0.56)
#: ``gid`` of the header's texts (a test finds them by it).
GID_TITLE, GID_SUBTITLE, GID_MARK, GID_LABEL = "title", "subtitle", "mark", "label"
#: Units named on the map at most (a sheet of every commune of the country names none).
MAX_LABELS: Final = 400
#: A name is written when at least this share of its box lies inside its unit.
LABEL_INSIDE: Final = 0.6
#: Classes of ``uncovered`` on a sheet: the values ``class_values`` assigns by (Vietnamese,
#: whatever the sheet's language; the legend shows ``Classification.labels``).
UNCOVERED_LABELS: Final = (
    registry.class_texts("vi", column=s.UNCOVERED)["yes"],
    registry.class_texts("vi", column=s.UNCOVERED)["no"],
)


@dataclass(frozen=True)
class Sheet:
    """What one map sheet shows.

    Attributes
    ----------
    units
        Polygons filled by class (communes, districts or provinces), any CRS.
    column
        Column of ``units`` holding the indicator.
    classification
        The classes of the fill; the legend is drawn from it.
    metadata
        Sources, as-of dates, approximate/demo flags.
    title
        Main title (e.g. the province's name).
    context
        Province polygons drawn around the units in grey and as outlines (optional).
    focus
        Province code the view fits and outlines in bold ("" = all units).
    lang
        Language of every word and number on the sheet (``"vi"`` or ``"en"``).
    """

    units: gpd.GeoDataFrame
    column: str
    classification: Classification
    metadata: ExportMetadata
    title: str
    context: gpd.GeoDataFrame | None = None
    focus: str = ""
    lang: str = registry.DEFAULT_LANG


def indicator_classification(
    values: pd.Series,
    column: str,
    *,
    config: t.Config | None = None,
    lang: str = registry.DEFAULT_LANG,
) -> Classification:
    """Classes of an indicator, as the app's map draws them by default.

    A percentage with a target (``config``, default targets when None) is read
    against it (below 80 % of the target, 80–90 %, 90–100 %, met); another
    number gets quantiles (1 decimal for percentages); ``uncovered`` gets
    reached/missed. Titles, labels and numbers are in ``lang``.
    """
    known = registry.find_indicator(column)
    title = known.label(lang) if known is not None else column_info(column).label
    if column == s.UNCOVERED:
        labels = flags(values, missing=False).map(
            {True: UNCOVERED_LABELS[0], False: UNCOVERED_LABELS[1]}
        )
        labels = labels.where(values.notna(), None)
        classes = classify_categorical(labels, title=title, order=UNCOVERED_LABELS)
        texts = registry.class_texts(lang, column=s.UNCOVERED)
        return replace(
            classes,
            labels=(texts["yes"], texts["no"], *classes.labels[2:]),
            no_data_label=texts["no_data"],
        )
    if not pd.api.types.is_numeric_dtype(values):
        raise InputError(
            f"--indicator {column!r} is not numeric (dtype {values.dtype}); choose an indicator column such as {s.PCT_POP_4G!r}"
        )
    target = (config or t.read_config()).threshold_pct(known.target if known else None)
    if known is not None and "policy" in known.schemes and target is not None:
        return view_indicator(
            values.to_frame(),
            known,
            title=title,
            texts=registry.class_texts(lang, column=column),
            target_pct=target,
            lang=lang,
        ).classification
    decimals = known.decimals if known is not None else 0
    return replace(
        classify_quantiles(values, title=title, decimals=decimals, lang=lang),
        no_data_label=registry.text("no_data", lang),
    )


def class_values(units: pd.DataFrame, column: str) -> pd.Series:
    """The values ``Classification.assign`` takes (``uncovered`` as its labels)."""
    values = units[column]
    if column == s.UNCOVERED:
        labels = flags(values, missing=False).map(
            {True: UNCOVERED_LABELS[0], False: UNCOVERED_LABELS[1]}
        )
        return labels.where(values.notna(), None)
    return values


# --- Drawing -------------------------------------------------------------------------------------


def render_sheet(sheet: Sheet, *, size: SheetSize = "a4") -> Figure:
    """The whole sheet as a matplotlib ``Figure`` (not registered with pyplot)."""
    if size not in SIZES:
        raise InputError(f"sheet size {size!r} is not known; choose one of {list(SIZES)}")
    fig = Figure(figsize=SIZES[size])
    renderer = FigureCanvasAgg(fig).get_renderer()  # measures text as it will be drawn
    fig.patch.set_facecolor("white")
    lang = sheet.lang
    units = sheet.units.to_crs(s.VN_EQUAL_AREA)
    context = sheet.context.to_crs(s.VN_EQUAL_AREA) if sheet.context is not None else None
    ax = fig.add_axes(MAP_BOX)
    if sheet.focus:
        units = units[units[s.PROVINCE_CODE].astype(str) == sheet.focus]
    classes = sheet.classification.assign(class_values(units, sheet.column))
    extent = draw_map(
        ax, units, classes, sheet.classification, context=context, focus=sheet.focus, lang=lang
    )
    side = emptier_side(ax, units)
    draw_scale_bar(ax, side=side, lang=lang)
    draw_north_arrow(ax, lang=lang)
    if sheet.focus or sheet.metadata.level == "province":
        draw_unit_names(ax, units, renderer, level=sheet.metadata.level)
    draw_title(fig, sheet, renderer)
    draw_legend(fig.add_axes(LEGEND_BOX), sheet.classification, classes, lang=lang)
    draw_inset(fig.add_axes(INSET_BOX), extent=None if not sheet.focus else extent, lang=lang)
    draw_notes(fig.add_axes(NOTES_BOX), sheet.metadata, lang=lang)
    return fig


def draw_map(
    ax: Axes,
    units: gpd.GeoDataFrame,
    classes: np.ndarray,
    classification: Classification,
    *,
    context: gpd.GeoDataFrame | None,
    focus: str,
    lang: str = registry.DEFAULT_LANG,
) -> tuple[float, float, float, float]:
    """Fill the units by class over grey context provinces (bold outline: ``focus``); fit the view; return its extent."""
    _blank(ax)
    shown, shown_classes = units, classes
    if context is not None:
        context.plot(ax=ax, color=CONTEXT_FILL, edgecolor="white", linewidth=0.6, zorder=1)
    colors = [classification.color(int(i)) for i in shown_classes]
    line = 0.15 if len(shown) > 500 else 0.35
    shown.plot(ax=ax, color=colors, edgecolor="#5a5a5a", linewidth=line, zorder=2)
    if context is not None:
        context.boundary.plot(ax=ax, color="#222222", linewidth=0.6, zorder=3)
        selected = context[context[s.PROVINCE_CODE].astype(str) == focus]
        if len(selected):
            selected.boundary.plot(ax=ax, color="black", linewidth=1.6, zorder=4)
    _label_archipelagos(ax, fontsize=7, lang=lang)
    return _fit_view(ax, _padded_bounds(shown.total_bounds))


def _blank(ax: Axes) -> None:
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])


def _fit_view(
    ax: Axes, bounds: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """Widen ``bounds`` to the axes box's shape (so 1 m is as long across as up) and show them."""
    xmin, ymin, xmax, ymax = bounds
    aspect = _axes_aspect(ax)
    width, height = xmax - xmin, ymax - ymin
    if height / width < aspect:
        grow = (width * aspect - height) / 2
        ymin, ymax = ymin - grow, ymax + grow
    else:
        grow = (height / aspect - width) / 2
        xmin, xmax = xmin - grow, xmax + grow
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("")
    ax.set_ylabel("")
    return (xmin, ymin, xmax, ymax)


def _padded_bounds(bounds: np.ndarray, pad: float = 0.04) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    margin = max(xmax - xmin, ymax - ymin, 2_000.0) * pad
    return (xmin - margin, ymin - margin, xmax + margin, ymax + margin)


def _label_archipelagos(
    ax: Axes, *, fontsize: float, markersize: float = 1.6, lang: str = registry.DEFAULT_LANG
) -> None:
    """Dots on every island of Hoàng Sa and Trường Sa and their names, so they show at any scale."""
    islands = archipelagos()
    for code, key in ARCHIPELAGOS.items():
        points = islands[code]
        label = sheet_text(key, lang)
        ax.plot(
            points[:, 0],
            points[:, 1],
            linestyle="none",
            marker="o",
            markersize=markersize,
            color="#333333",
            zorder=5,
            clip_on=True,
        )
        x, y = points[:, 0].mean(), points[:, 1].max()
        ax.annotate(
            label,
            (x, y),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=fontsize,
            style="italic",
            color="#333333",
            zorder=6,
            annotation_clip=True,
        )


def draw_scale_bar(
    ax: Axes, *, side: Literal["left", "right"] = "left", lang: str = registry.DEFAULT_LANG
) -> None:
    """A bar of 1/2/5 × 10ⁿ km, about a fifth of the map's width, in a bottom corner, on a white box."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    w, h = x1 - x0, y1 - y0
    length_km = nice_length(w / 5 / 1000)
    length = length_km * 1000
    left = x0 + 0.04 * w if side == "left" else x1 - 0.08 * w - length
    base, height = y0 + 0.045 * h, 0.012 * h
    ax.add_patch(
        Rectangle(
            (left - 0.015 * w, base - 0.03 * h),
            length + 0.065 * w,
            0.085 * h,
            facecolor="white",
            edgecolor="none",
            alpha=0.85,
            zorder=7,
        )
    )
    for i in range(4):
        color = "black" if i % 2 == 0 else "white"
        ax.add_patch(
            Rectangle(
                (left + i * length / 4, base),
                length / 4,
                height,
                facecolor=color,
                edgecolor="black",
                linewidth=0.6,
                zorder=8,
            )
        )
    for fraction in (0, 0.5, 1):
        value = length_km * fraction
        decimals = 0 if value == 0 or float(value).is_integer() else 1
        text = format_number(value, decimals=decimals, lang=lang)
        ax.text(
            left + fraction * length,
            base + 1.6 * height,
            text,
            ha="center",
            va="bottom",
            fontsize=7,
            zorder=9,
        )
    ax.text(left + length + 0.012 * w, base, "km", ha="left", va="bottom", fontsize=7, zorder=9)


def emptier_side(ax: Axes, units: gpd.GeoDataFrame) -> Literal["left", "right"]:
    """The bottom corner (left or right) where the scale bar covers less of the units."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    corners = {
        "left": shapely.box(x0, y0, x0 + 0.32 * (x1 - x0), y0 + 0.13 * (y1 - y0)),
        "right": shapely.box(x1 - 0.32 * (x1 - x0), y0, x1, y0 + 0.13 * (y1 - y0)),
    }
    union = units.geometry.to_numpy()
    covered = {
        side: float(shapely.area(shapely.intersection(union, box)).sum())
        for side, box in corners.items()
    }
    return "left" if covered["left"] <= covered["right"] else "right"


def nice_length(target_km: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ not above ``target_km`` (at least 0.1 km)."""
    if target_km <= 0.1:
        return 0.1
    power = 10 ** math.floor(math.log10(target_km))
    return max(step * power for step in (1, 2, 5) if step * power <= target_km)


def draw_north_arrow(ax: Axes, *, lang: str = registry.DEFAULT_LANG) -> None:
    """An arrow to true north at the map's centre (Albers meridians lean away from 106° E), marked "B" (Bắc) or "N"."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    angle = north_angle(((x0 + x1) / 2, (y0 + y1) / 2))
    size = 0.07
    tip = (0.95, 0.93)
    tail = (
        tip[0] - size * math.sin(angle) * (y1 - y0) / (x1 - x0) * _axes_aspect(ax),
        tip[1] - size * math.cos(angle),
    )
    ax.annotate(
        "",
        xy=tip,
        xytext=tail,
        xycoords="axes fraction",
        arrowprops={
            "arrowstyle": "-|>,head_width=0.35,head_length=0.7",
            "color": "black",
            "linewidth": 1.6,
        },
        zorder=9,
    )
    ax.text(
        tail[0],
        tail[1] - 0.01,
        sheet_text("sheet_north", lang),
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=10,
        fontweight="bold",
        zorder=9,
    )


def _axes_aspect(ax: Axes) -> float:
    """Height over width of the axes box (to turn a map angle into axes fractions)."""
    box = ax.get_position(original=True)
    width, height = ax.figure.get_size_inches()
    return (box.height * height) / (box.width * width)


def north_angle(point: tuple[float, float]) -> float:
    """Angle (radians, clockwise from the map's up) of true north at a point of the Albers map."""
    to_geo = Transformer.from_crs(s.VN_EQUAL_AREA, s.WGS84, always_xy=True)
    to_map = Transformer.from_crs(s.WGS84, s.VN_EQUAL_AREA, always_xy=True)
    lon, lat = to_geo.transform(*point)
    x, y = to_map.transform(lon, min(lat + 0.1, 89.0))
    return math.atan2(x - point[0], y - point[1])


def draw_title(fig: Figure, sheet: Sheet, renderer: RendererBase | None = None) -> None:
    """The header: marks (demo, approximate) at the top right, title and subtitle left of them.

    The title and subtitle take the largest font of :data:`HEADER_SCALES` at
    which each wraps to at most two lines that end left of the marks and end
    above the map and legend, measured with ``renderer`` (the figure's own).
    """
    renderer = renderer or FigureCanvasAgg(fig).get_renderer()
    right = draw_marks(fig, marks_of(sheet.metadata, sheet.lang), renderer)
    width = right - HEADER_LEFT
    lines = (sheet.title, subtitle_of(sheet))
    for scale in HEADER_SCALES:
        placed = _header_lines(fig, renderer, lines, width=width, scale=scale)
        if placed is not None:
            return
    _header_lines(fig, renderer, lines, width=width, scale=HEADER_SCALES[-1], force=True)


def subtitle_of(sheet: Sheet) -> str:
    """The indicator (with its unit), the level and the administrative units, in the sheet's language."""
    lang = sheet.lang
    known = registry.find_indicator(sheet.column)
    if known is not None:
        indicator = known.label(lang)
    else:
        info = column_info(sheet.column)
        unit = info.unit if info.unit and info.unit != FLAG_UNIT else ""
        indicator = info.header + (
            f" — {sheet_text('sheet_unit', lang, unit=unit)}" if unit else ""
        )
    level = sheet_text(f"sheet_level_{sheet.metadata.level}", lang)
    scheme = (
        sheet.metadata.scheme
        if sheet.metadata.scheme in (s.VINTAGE_2025, s.VINTAGE_LEGACY)
        else s.VINTAGE_2025
    )
    return f"{indicator} · {level} · {sheet_text(f'sheet_scheme_{scheme}', lang)}"


def marks_of(metadata: ExportMetadata, lang: str) -> list[str]:
    """The red marks a sheet carries: demo data, approximate boundaries."""
    marks = []
    if metadata.demo:
        marks.append(sheet_text("sheet_demo", lang))
    if metadata.approximate_boundaries:
        marks.append(sheet_text("sheet_approximate", lang))
    return marks


def draw_marks(fig: Figure, marks: list[str], renderer: RendererBase) -> float:
    """Marks stacked right-aligned under the top edge; the left edge of the widest (figure fraction)."""
    box = {
        "boxstyle": "round,pad=0.3",
        "facecolor": "white",
        "edgecolor": MARK_COLOR,
        "linewidth": 1.2,
    }
    pad = 0.3 * MARK_SIZE / 72 * fig.dpi  # the box's padding, in pixels
    top, left = HEADER_TOP - _pixels_to_height(fig, pad), HEADER_RIGHT
    for mark in marks:
        artist = fig.text(
            HEADER_RIGHT - _pixels_to_width(fig, pad),
            top,
            mark,
            fontsize=MARK_SIZE,
            fontweight="bold",
            color=MARK_COLOR,
            ha="right",
            va="top",
            bbox=box,
            gid=GID_MARK,
        )
        extent = artist.get_window_extent(renderer).padded(pad)
        left = min(left, extent.x0 / fig.bbox.width)
        top = extent.y0 / fig.bbox.height - HEADER_GAP / 2 - _pixels_to_height(fig, pad)
    return left - HEADER_GAP if marks else HEADER_RIGHT


def _pixels_to_width(fig: Figure, pixels: float) -> float:
    return pixels / fig.bbox.width


def _pixels_to_height(fig: Figure, pixels: float) -> float:
    return pixels / fig.bbox.height


def _header_lines(
    fig: Figure,
    renderer: RendererBase,
    lines: tuple[str, str],
    *,
    width: float,
    scale: float,
    force: bool = False,
) -> list[Text] | None:
    """Title and subtitle at ``scale``, each wrapped to ``width``; None (nothing left drawn) if they do not fit."""
    drawn: list[Text] = []
    top = HEADER_TOP
    styles = (
        {"fontsize": TITLE_SIZE * scale, "fontweight": "bold", "gid": GID_TITLE},
        {"fontsize": SUBTITLE_SIZE * scale, "color": "#333333", "gid": GID_SUBTITLE},
    )
    for line, style in zip(lines, styles):
        wrapped = wrap_to_width(fig, renderer, line, width=width, **style)
        artist = fig.text(HEADER_LEFT, top, "\n".join(wrapped), va="top", ha="left", **style)
        drawn.append(artist)
        extent = artist.get_window_extent(renderer)
        fits = len(wrapped) <= 2 and extent.x1 / fig.bbox.width <= HEADER_LEFT + width
        top = extent.y0 / fig.bbox.height - HEADER_GAP / 2
        if not force and (not fits or extent.y0 / fig.bbox.height < HEADER_BOTTOM):
            for artist in drawn:
                artist.remove()
            return None
    return drawn


def wrap_to_width(
    fig: Figure, renderer: RendererBase, text: str, *, width: float, **style: object
) -> list[str]:
    """``text`` cut between words into lines no wider than ``width`` (figure fraction) in ``style``.

    A single word wider than ``width`` stays whole on its own line (the caller shrinks the font).
    """
    probe = fig.text(0, 0, "", **style)  # type: ignore[arg-type]
    limit = width * fig.bbox.width

    def wide(candidate: str) -> bool:
        probe.set_text(candidate)
        return probe.get_window_extent(renderer).width > limit

    lines: list[str] = []
    for word in text.split():
        if lines and not wide(f"{lines[-1]} {word}"):
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    probe.remove()
    return lines or [""]


def draw_unit_names(
    ax: Axes, units: gpd.GeoDataFrame, renderer: RendererBase, *, level: str
) -> int:
    """Write each unit's name (without its type word) where it fits; return how many were written.

    Names go at the units' representative points, largest unit first; a name
    is skipped when less than :data:`LABEL_INSIDE` of its box lies inside its
    unit, when it leaves the map, or when it would touch a name already written.
    """
    column = UNIT_NAME if UNIT_NAME in units else LEVEL_COLUMNS[level][1]
    if column not in units or len(units) > MAX_LABELS:
        return 0
    fontsize = 7.0 if level == "province" else 5.5
    halo = [patheffects.withStroke(linewidth=1.8, foreground="white")]
    to_data = ax.transData.inverted()
    axes_box = ax.get_window_extent(renderer)
    placed: list = []
    order = units.geometry.area.sort_values(ascending=False).index
    for index in order:
        geometry, name = units.geometry.loc[index], units[column].loc[index]
        if geometry is None or geometry.is_empty or not isinstance(name, str):
            continue
        point = shapely.point_on_surface(geometry)
        artist = ax.text(
            point.x,
            point.y,
            short_name(name, level=level),
            fontsize=fontsize,
            ha="center",
            va="center",
            color="#1a1a1a",
            path_effects=halo,
            zorder=6,
            gid=GID_LABEL,
        )
        extent = artist.get_window_extent(renderer)
        (x0, y0), (x1, y1) = to_data.transform([(extent.x0, extent.y0), (extent.x1, extent.y1)])
        box = shapely.box(x0, y0, x1, y1)
        inside = shapely.area(shapely.intersection(box, geometry)) / max(box.area, 1e-9)
        if (
            inside < LABEL_INSIDE
            or not axes_box.contains(extent.x0, extent.y0)
            or not axes_box.contains(extent.x1, extent.y1)
            or any(extent.overlaps(other) for other in placed)
        ):
            artist.remove()
            continue
        placed.append(extent)
    return len(placed)


def draw_legend(
    ax: Axes, classification: Classification, classes: np.ndarray, *, lang: str = "vi"
) -> None:
    """Legend from the classification: one row per class, then no data if any; counts in brackets."""
    ax.set_axis_off()
    rows = [*range(len(classification.labels))]
    if (classes == NO_DATA).any() or not rows:
        rows.append(NO_DATA)
    handles = [
        Patch(
            facecolor=classification.color(i),
            edgecolor="#555555",
            linewidth=0.6,
            label=f"{classification.label(i)}  ({format_number(int((classes == i).sum()), lang=lang)})",
        )
        for i in rows
    ]
    title = textwrap.fill(classification.title, 38)
    legend = ax.legend(
        handles=handles,
        title=title,
        loc="upper left",
        frameon=False,
        fontsize=9,
        title_fontsize=10,
        alignment="left",
        borderaxespad=0.0,
        handlelength=1.8,
        handleheight=1.1,
    )
    legend.get_title().set_fontweight("bold")


def draw_inset(
    ax: Axes,
    *,
    extent: tuple[float, float, float, float] | None,
    lang: str = registry.DEFAULT_LANG,
) -> None:
    """Viet Nam with Hoàng Sa and Trường Sa; a red box shows the main map's extent (province sheets)."""
    outline = viet_nam_outline()
    _blank(ax)
    gpd.GeoSeries([outline], crs=s.VN_EQUAL_AREA).plot(
        ax=ax, color="#bdbdbd", edgecolor="#555555", linewidth=0.3
    )
    _label_archipelagos(ax, fontsize=6, markersize=1.2, lang=lang)
    if extent is not None:
        x0, y0, x1, y1 = extent
        ax.add_patch(
            Rectangle(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                fill=False,
                edgecolor=MARK_COLOR,
                linewidth=1.2,
                zorder=7,
            )
        )
    _fit_view(ax, _padded_bounds(np.array(outline.bounds), pad=0.06))
    ax.text(
        0.04,
        0.04,
        sheet_text("sheet_country", lang),
        transform=ax.transAxes,
        fontsize=8,
        fontweight="bold",
        va="bottom",
    )


def source_lines(metadata: ExportMetadata, lang: str) -> list[str]:
    """One line per input with a source: its name in ``lang``, the file, the as-of date."""
    lines = []
    for name in s.INPUTS:
        if name in metadata.sources:
            as_of = metadata.as_of.get(name)
            date = f" ({sheet_text('sheet_as_of', lang, date=as_of)})" if as_of else ""
            lines.append(
                f"• {sheet_text(f'sheet_source_{name}', lang)}: {metadata.sources[name]}{date}"
            )
    return lines


def draw_notes(ax: Axes, metadata: ExportMetadata, *, lang: str = registry.DEFAULT_LANG) -> None:
    """Sources and as-of dates, the boundaries note, the date made."""
    ax.set_axis_off()
    lines = [sheet_text("sheet_sources", lang), *source_lines(metadata, lang)]
    if len(lines) == 1:
        lines.append(f"• {sheet_text('sheet_no_sources', lang)}")
    if metadata.approximate_boundaries:
        lines.append(sheet_text("sheet_approximate_note", lang))
    lines.append(sheet_text("sheet_counts_note", lang))
    lines.append(sheet_text("sheet_made", lang, date=metadata.created))
    text = "\n".join(textwrap.fill(line, 62, subsequent_indent="  ") for line in lines)
    ax.text(
        0.0,
        1.0,
        text,
        transform=ax.transAxes,
        fontsize=6.8,
        va="top",
        ha="left",
        color="#333333",
        linespacing=1.35,
    )


# --- Viet Nam and its archipelagos (from the embedded boundaries) ----------------------------------


@functools.cache
def _embedded_communes() -> gpd.GeoDataFrame:
    from geo.reading.boundaries import read_boundary_layer

    path = Path(__file__).resolve().parent.parent / "data" / "boundaries" / s.BOUNDARIES_FILE
    return read_boundary_layer(path, s.LAYER_COMMUNES_2025)[[s.COMMUNE_CODE, "geometry"]]


@functools.cache
def viet_nam_outline() -> shapely.Geometry:
    """The whole country (islands and archipelagos included), simplified, in the Albers projection."""
    communes = _embedded_communes().to_crs(s.VN_EQUAL_AREA)
    return shapely.simplify(shapely.coverage_union_all(communes.geometry.to_numpy()), 1_500)


@functools.cache
def archipelagos() -> dict[str, np.ndarray]:
    """Code → one point per island (Albers x, y) of Hoàng Sa and Trường Sa (read-only arrays)."""
    communes = _embedded_communes()
    out: dict[str, np.ndarray] = {}
    for code in ARCHIPELAGOS:
        geometry = communes.loc[communes[s.COMMUNE_CODE] == code].to_crs(s.VN_EQUAL_AREA).geometry
        parts = shapely.get_parts(geometry.to_numpy())
        points = shapely.get_coordinates(shapely.point_on_surface(parts))
        points.setflags(write=False)
        out[code] = points
    return out


# --- Output --------------------------------------------------------------------------------------


def sheet_bytes(
    sheet: Sheet, *, fmt: SheetFormat = "png", size: SheetSize = "a4", dpi: int = 300
) -> bytes:
    """The sheet as PNG or PDF bytes."""
    if fmt not in ("png", "pdf"):
        raise InputError(f"map sheet format {fmt!r} is not supported; choose 'png' or 'pdf'")
    buffer = io.BytesIO()
    metadata = (
        {"Title": sheet.title}
        if fmt == "pdf"
        else {"Title": sheet.title, "Software": "python -m geo export"}
    )
    with matplotlib.rc_context(RC):
        render_sheet(sheet, size=size).savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def write_sheet(
    sheet: Sheet, path: str | os.PathLike[str], *, size: SheetSize = "a4", dpi: int = 300
) -> Path:
    """Write the sheet atomically; the format comes from the suffix (``.png`` or ``.pdf``)."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    data = sheet_bytes(sheet, fmt=fmt, size=size, dpi=dpi)  # type: ignore[arg-type]
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
    return path


def sheet_from_gpkg(
    path: str | os.PathLike[str],
    *,
    column: str,
    level: Level = "commune",
    province: str | None = None,
    lang: str = registry.DEFAULT_LANG,
) -> Sheet:
    """A sheet of an indicators GeoPackage: classes over the whole country, view on one province if given.

    Every word and number of the sheet is in ``lang`` (``"vi"`` or ``"en"``).
    """
    if lang not in registry.LANGS:
        raise InputError(f"--lang {lang!r} is not known; choose one of {list(registry.LANGS)}")
    units, metadata = read_indicator_layer(path, level=level)
    if column not in units:
        raise InputError(
            f"--indicator {column!r} is not a column of the {level} layer of {path}; columns: {sorted(units.columns.drop('geometry'))}"
        )
    context, _ = read_indicator_layer(path, level="province")
    focus = str(province).zfill(s.PROVINCE_CODE_WIDTH) if province else ""
    if focus and focus not in set(units[s.PROVINCE_CODE].astype(str)):
        raise InputError(
            f"--province {province!r} is not in {path}; known codes: {sorted(units[s.PROVINCE_CODE].astype(str).unique())}"
        )
    classification = indicator_classification(units[column], column, lang=lang)
    names = dict(zip(context[s.PROVINCE_CODE].astype(str), context[s.PROVINCE_NAME]))
    title = (
        place_name(names.get(focus, focus), lang) if focus else sheet_text("sheet_country", lang)
    )
    return Sheet(
        units=units,
        column=column,
        classification=classification,
        metadata=metadata,
        title=title,
        context=context,
        focus=focus,
        lang=lang,
    )


def place_name(name: str, lang: str) -> str:
    """A province as a sheet's title names it: in full in Vietnamese, without "Tỉnh"/"Thành phố" in English."""
    return strip_prefix(name, level="province") if lang == "en" else name


def write_mapsheet_from_gpkg(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    column: str,
    level: Level = "commune",
    province: str | None = None,
    size: SheetSize = "a4",
    dpi: int = 300,
    lang: str = registry.DEFAULT_LANG,
) -> Path:
    """``python -m geo export … --format png|pdf``: one sheet of the country or of a province, in ``lang``."""
    return write_sheet(
        sheet_from_gpkg(path, column=column, level=level, province=province, lang=lang),
        out,
        size=size,
        dpi=dpi,
    )
