"""Print-ready map sheets (PNG/PDF) drawn server-side with matplotlib and geopandas.

A sheet has a title, the indicator and its unit, the map filled by class,
the legend drawn from the same :class:`~layers.classify.Classification` as
the fill, a scale bar, a north arrow, an inset of Viet Nam that always shows
the Hoàng Sa and Trường Sa archipelagos (DOMAIN.md §6), the data sources and
as-of dates, and an "approximate boundaries" / "demo data" mark when they apply.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from pyproj import Transformer

from geo import schema as s
from geo.errors import InputError
from geo.indicators import registry
from geo.indicators import targets as t
from geo.reading.atomic import atomic_path
from layers.choropleth import view_indicator
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
#: Codes of the two archipelagos (2025 special zones) and their labels.
ARCHIPELAGOS: Final[dict[str, str]] = {"20333": "Quần đảo Hoàng Sa", "22736": "Quần đảo Trường Sa"}
#: Where the parts of the panel sit, in figure fractions (left, bottom, width, height).
MAP_BOX: Final = (0.015, 0.035, 0.645, 0.80)
LEGEND_BOX: Final = (0.68, 0.575, 0.305, 0.26)
INSET_BOX: Final = (0.68, 0.215, 0.305, 0.335)
NOTES_BOX: Final = (0.68, 0.02, 0.305, 0.18)
#: Classes of ``uncovered`` on a sheet (Vietnamese, as the app's map says them).
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
    """

    units: gpd.GeoDataFrame
    column: str
    classification: Classification
    metadata: ExportMetadata
    title: str
    context: gpd.GeoDataFrame | None = None
    focus: str = ""


def indicator_classification(
    values: pd.Series, column: str, *, config: t.Config | None = None
) -> Classification:
    """Classes of an indicator, as the app's map draws them by default.

    A percentage with a target (``config``, default targets when None) is read
    against it (below 80 % of the target, 80–90 %, 90–100 %, met); another
    number gets quantiles (1 decimal for percentages); ``uncovered`` gets
    reached/missed.
    """
    known = registry.find_indicator(column)
    title = known.label("vi") if known is not None else column_info(column).label
    if column == s.UNCOVERED:
        labels = flags(values, missing=False).map(
            {True: UNCOVERED_LABELS[0], False: UNCOVERED_LABELS[1]}
        )
        labels = labels.where(values.notna(), None)
        return classify_categorical(labels, title=title, order=UNCOVERED_LABELS)
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
            texts=registry.class_texts("vi", column=column),
            target_pct=target,
        ).classification
    decimals = known.decimals if known is not None else 0
    return classify_quantiles(values, title=title, decimals=decimals)


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
    fig.patch.set_facecolor("white")
    units = sheet.units.to_crs(s.VN_EQUAL_AREA)
    context = sheet.context.to_crs(s.VN_EQUAL_AREA) if sheet.context is not None else None
    ax = fig.add_axes(MAP_BOX)
    if sheet.focus:
        units = units[units[s.PROVINCE_CODE].astype(str) == sheet.focus]
    classes = sheet.classification.assign(class_values(units, sheet.column))
    extent = draw_map(ax, units, classes, sheet.classification, context=context, focus=sheet.focus)
    draw_scale_bar(ax, side=emptier_side(ax, units))
    draw_north_arrow(ax)
    draw_title(fig, sheet)
    draw_legend(fig.add_axes(LEGEND_BOX), sheet.classification, classes)
    draw_inset(fig.add_axes(INSET_BOX), extent=None if not sheet.focus else extent)
    draw_notes(fig.add_axes(NOTES_BOX), sheet.metadata)
    return fig


def draw_map(
    ax: Axes,
    units: gpd.GeoDataFrame,
    classes: np.ndarray,
    classification: Classification,
    *,
    context: gpd.GeoDataFrame | None,
    focus: str,
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
    _label_archipelagos(ax, fontsize=7)
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


def _label_archipelagos(ax: Axes, *, fontsize: float, markersize: float = 1.6) -> None:
    """Dots on every island of Hoàng Sa and Trường Sa and their names, so they show at any scale."""
    islands = archipelagos()
    for code, label in ARCHIPELAGOS.items():
        points = islands[code]
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


def draw_scale_bar(ax: Axes, *, side: Literal["left", "right"] = "left") -> None:
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
        text = format_number(value, decimals=0 if value == 0 or float(value).is_integer() else 1)
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


def draw_north_arrow(ax: Axes) -> None:
    """An arrow to true north at the map's centre (Albers meridians lean away from 106° E), marked "B" (Bắc)."""
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
        "B",
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


def draw_title(fig: Figure, sheet: Sheet) -> None:
    """Title, the indicator with its unit, and the approximate/demo marks."""
    info = column_info(sheet.column)
    fig.text(0.015, 0.965, sheet.title, fontsize=17, fontweight="bold", va="top")
    unit = f" — đơn vị: {info.unit}" if info.unit and info.unit != FLAG_UNIT else ""
    level = {"commune": "cấp xã", "district": "cấp huyện (cũ)", "province": "cấp tỉnh"}[
        sheet.metadata.level
    ]
    fig.text(
        0.015,
        0.905,
        f"{info.header}{unit} · {level} · đơn vị hành chính {sheet.metadata.scheme}",
        fontsize=11,
        va="top",
        color="#333333",
    )
    marks = []
    if sheet.metadata.demo:
        marks.append("SỐ LIỆU MINH HOẠ (DEMO) — không phải số liệu thật")
    if sheet.metadata.approximate_boundaries:
        marks.append("RANH GIỚI GẦN ĐÚNG")
    box = {
        "boxstyle": "round,pad=0.3",
        "facecolor": "white",
        "edgecolor": MARK_COLOR,
        "linewidth": 1.2,
    }
    for i, mark in enumerate(marks):
        fig.text(
            0.985,
            0.965 - i * 0.05,
            mark,
            fontsize=10,
            fontweight="bold",
            color=MARK_COLOR,
            ha="right",
            va="top",
            bbox=box,
        )


def draw_legend(ax: Axes, classification: Classification, classes: np.ndarray) -> None:
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
            label=f"{classification.label(i)}  ({format_number(int((classes == i).sum()))})",
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


def draw_inset(ax: Axes, *, extent: tuple[float, float, float, float] | None) -> None:
    """Viet Nam with Hoàng Sa and Trường Sa; a red box shows the main map's extent (province sheets)."""
    outline = viet_nam_outline()
    _blank(ax)
    gpd.GeoSeries([outline], crs=s.VN_EQUAL_AREA).plot(
        ax=ax, color="#bdbdbd", edgecolor="#555555", linewidth=0.3
    )
    _label_archipelagos(ax, fontsize=6, markersize=1.2)
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
        0.04, 0.04, "Việt Nam", transform=ax.transAxes, fontsize=8, fontweight="bold", va="bottom"
    )


def draw_notes(ax: Axes, metadata: ExportMetadata) -> None:
    """Sources and as-of dates, the boundaries note, the date made."""
    ax.set_axis_off()
    lines = ["Nguồn số liệu:"]
    for name in s.INPUTS:
        if name in metadata.sources:
            as_of = metadata.as_of.get(name)
            lines.append(
                f"• {name}: {metadata.sources[name]}" + (f" (ngày {as_of})" if as_of else "")
            )
    if len(lines) == 1:
        lines.append("• chưa có số liệu phủ sóng, cáp quang hay tổ CNS")
    if metadata.approximate_boundaries:
        lines.append(
            "Ranh giới gần đúng, do dự án dựng từ danh mục hành chính; không dùng cho mục đích pháp lý."
        )
    lines.append("Số trong ngoặc ở chú giải: số đơn vị hành chính trên bản đồ.")
    lines.append(f"Lập ngày {metadata.created}.")
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
) -> Sheet:
    """A sheet of an indicators GeoPackage: classes over the whole country, view on one province if given."""
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
    classification = indicator_classification(units[column], column)
    names = dict(zip(context[s.PROVINCE_CODE].astype(str), context[s.PROVINCE_NAME]))
    title = names.get(focus, focus) if focus else "Việt Nam"
    return Sheet(
        units=units,
        column=column,
        classification=classification,
        metadata=metadata,
        title=title,
        context=context,
        focus=focus,
    )


def write_mapsheet_from_gpkg(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    column: str,
    level: Level = "commune",
    province: str | None = None,
    size: SheetSize = "a4",
    dpi: int = 300,
) -> Path:
    """``python -m geo export … --format png|pdf``: one sheet of the country or of a province."""
    return write_sheet(
        sheet_from_gpkg(path, column=column, level=level, province=province),
        out,
        size=size,
        dpi=dpi,
    )
