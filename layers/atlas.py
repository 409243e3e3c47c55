"""The atlas: one PDF with a cover, a summary table of target status, and one map page per province.

With ``province``, the pages are one per commune of that province instead.
Every map page is a :mod:`layers.mapsheet` sheet drawn with the national
classes, so the colours mean the same on every page. Every word and number
is in the atlas's language (``lang``: :mod:`layers.sheet_texts`).
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Final

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geo import schema as s
from geo.errors import InputError
from geo.indicators import registry
from geo.indicators import targets as t
from geo.indicators.formatting import format_share
from geo.reading.atomic import atomic_path
from layers.classify import format_number
from layers.export import ExportMetadata, column_info, read_indicator_layer
from layers.mapsheet import (
    MARK_COLOR,
    RC,
    SIZES,
    Sheet,
    draw_inset,
    indicator_classification,
    render_sheet,
    source_lines,
)
from layers.sheet_texts import sheet_text

#: Indicators of the summary table, each beside the status of its target.
SUMMARY: Final = (s.PCT_POP_4G, s.PCT_HOUSEHOLDS_FIBRE, s.PCT_VILLAGES_TEAM)
#: Characters per line of a summary header (long indicator names wrap).
HEADER_WIDTH: Final = 22
UNKNOWN: Final = "—"
#: Vietnamese words of the summary table (the tests' and callers' names for them).
REACHED, MISSED = sheet_text("atlas_reached"), sheet_text("atlas_missed")


def target_status(
    provinces: pd.DataFrame, config: t.Config, *, lang: str = registry.DEFAULT_LANG
) -> pd.DataFrame:
    """One row per province: its indicators and, per enabled target, met / missed / — (unknown), in ``lang``."""
    reached, missed = sheet_text("atlas_reached", lang), sheet_text("atlas_missed", lang)
    rows = pd.DataFrame(
        {
            sheet_text("atlas_code", lang): provinces[s.PROVINCE_CODE].astype(str),
            sheet_text("atlas_province", lang): provinces[s.PROVINCE_NAME],
        }
    )
    if s.N_COMMUNES in provinces:
        rows[sheet_text("atlas_communes", lang)] = provinces[s.N_COMMUNES].map(
            lambda v: "" if pd.isna(v) else format_number(v, lang=lang)
        )
    for column in SUMMARY:
        indicator = registry.indicator(column)
        values = pd.to_numeric(
            provinces.get(column, pd.Series(np.nan, index=provinces.index)), errors="coerce"
        )
        target = config.target(indicator.target)
        rows[indicator.label(lang)] = values.map(
            lambda v, d=indicator.decimals: (
                UNKNOWN if pd.isna(v) else format_number(v, decimals=d, lang=lang)
            )
        )
        if target.enabled and target.min_pct is not None:
            rows[f"≥ {format_share(target.min_pct, lang=lang)}"] = values.map(
                lambda v, m=target.min_pct: (
                    UNKNOWN if pd.isna(v) else (reached if v >= m else missed)
                )
            )
    if s.N_UNCOVERED in provinces:
        rows[registry.indicator(s.N_UNCOVERED).name(lang)] = provinces[s.N_UNCOVERED].map(
            lambda v: UNKNOWN if pd.isna(v) else format_number(v, lang=lang)
        )
    return rows.reset_index(drop=True)


def cover_page(
    metadata: ExportMetadata, column: str, *, pages: int, lang: str = registry.DEFAULT_LANG
) -> Figure:
    """Title, indicator and unit, marks, sources, and the map of Viet Nam with its archipelagos."""
    fig = Figure(figsize=SIZES["a4"])
    fig.text(0.06, 0.88, sheet_text("atlas_title", lang), fontsize=28, fontweight="bold")
    fig.text(0.06, 0.80, indicator_name(column, lang), fontsize=16)
    scheme = metadata.scheme if metadata.scheme in (s.VINTAGE_2025, s.VINTAGE_LEGACY) else "2025"
    fig.text(
        0.06,
        0.75,
        " · ".join(
            (
                sheet_text(f"sheet_level_{metadata.level}", lang),
                sheet_text(f"sheet_scheme_{scheme}", lang),
                sheet_text("atlas_pages", lang, n=format_number(pages, lang=lang)),
                sheet_text("sheet_made", lang, date=metadata.created).rstrip("."),
            )
        ),
        fontsize=11,
        color="#333333",
    )
    marks = [
        sheet_text(key, lang)
        for key, on in (
            ("sheet_demo", metadata.demo),
            ("sheet_approximate_long", metadata.approximate_boundaries),
        )
        if on
    ]
    for i, mark in enumerate(marks):
        fig.text(0.06, 0.66 - i * 0.05, mark, fontsize=12, fontweight="bold", color=MARK_COLOR)
    sources = source_lines(metadata, lang) or [f"• {sheet_text('sheet_no_sources', lang)}"]
    fig.text(
        0.06,
        0.52,
        "\n".join([sheet_text("sheet_sources", lang), *sources]),
        fontsize=10,
        va="top",
        linespacing=1.5,
    )
    fig.text(
        0.06,
        0.08,
        textwrap.fill(sheet_text("atlas_licence", lang), 80),
        fontsize=7.5,
        color="#555555",
        va="bottom",
    )
    draw_inset(fig.add_axes((0.64, 0.08, 0.33, 0.62)), extent=None, lang=lang)
    return fig


def indicator_name(column: str, lang: str) -> str:
    """The indicator's name with its unit, in ``lang`` (an unknown column: its export header)."""
    known = registry.find_indicator(column)
    if known is not None:
        return known.label(lang)
    info = column_info(column)
    return info.header + (f" ({info.unit})" if info.unit else "")


def summary_page(table: pd.DataFrame, *, title: str, lang: str = registry.DEFAULT_LANG) -> Figure:
    """The target-status table on one page, misses in red."""
    fig = Figure(figsize=SIZES["a4"])
    fig.text(0.04, 0.955, title, fontsize=15, fontweight="bold", va="top")
    ax = fig.add_axes((0.04, 0.03, 0.92, 0.87))
    ax.set_axis_off()
    province = sheet_text("atlas_province", lang)
    widths = [0.22 if c == province else 0.78 / (len(table.columns) - 1) for c in table.columns]
    missed = sheet_text("atlas_missed", lang)
    headers = [textwrap.fill(str(c), HEADER_WIDTH) for c in table.columns]
    cells = ax.table(
        cellText=table.to_numpy(),
        colLabels=headers,
        colWidths=widths,
        cellLoc="center",
        bbox=(0.0, 0.0, 1.0, 1.0),
    )
    cells.auto_set_font_size(False)
    cells.set_fontsize(7.5 if len(table) > 25 else 9)
    lines = max(h.count("\n") + 1 for h in headers)
    for (row, _col), cell in cells.get_celld().items():
        cell.set_edgecolor("#bbbbbb")
        if row == 0:
            # The bbox scales all rows alike: a header row of n lines keeps n body rows' height.
            cell.set_height(cell.get_height() * lines)
            cell.set_text_props(fontweight="bold")
            cell.set_facecolor("#e8eef4")
        elif cell.get_text().get_text() == missed:
            cell.get_text().set_color(MARK_COLOR)
    return fig


def write_atlas(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    column: str,
    province: str | None = None,
    lang: str = registry.DEFAULT_LANG,
) -> int:
    """Write the atlas PDF atomically; return the number of pages.

    Parameters
    ----------
    path
        Indicators GeoPackage (``build-indicators``).
    out
        PDF to write.
    column
        Indicator the maps are coloured by.
    province
        One page per commune of this province instead of one per province.
    lang
        Language of every word and number (``"vi"`` or ``"en"``).
    """
    if lang not in registry.LANGS:
        raise InputError(f"--lang {lang!r} is not known; choose one of {list(registry.LANGS)}")
    communes, metadata = read_indicator_layer(path)
    provinces, _ = read_indicator_layer(path, level="province")
    if column not in communes:
        raise InputError(
            f"--indicator {column!r} is not a column of the commune layer of {path}; columns: {sorted(communes.columns.drop('geometry'))}"
        )
    classification = indicator_classification(communes[column], column, lang=lang)
    sheets = _sheets(
        communes,
        provinces,
        column=column,
        classification=classification,
        metadata=metadata,
        province=province,
        lang=lang,
    )
    # The targets of the default config (the file records only its name).
    table = target_status(provinces, t.read_config(None), lang=lang)
    pdf_title = sheet_text("atlas_pdf_title", lang, indicator=indicator_name(column, lang))
    out = Path(out)
    with (
        matplotlib.rc_context(RC),
        atomic_path(out) as temporary,
        PdfPages(temporary, metadata={"Title": pdf_title}) as pdf,
    ):
        pdf.savefig(cover_page(metadata, column, pages=len(sheets) + 2, lang=lang))
        pdf.savefig(summary_page(table, title=sheet_text("atlas_summary", lang), lang=lang))
        for sheet in sheets:
            pdf.savefig(render_sheet(sheet))
    return len(sheets) + 2


def _sheets(
    communes: gpd.GeoDataFrame,
    provinces: gpd.GeoDataFrame,
    *,
    column: str,
    classification: object,
    metadata: ExportMetadata,
    province: str | None,
    lang: str,
) -> list[Sheet]:
    names = dict(zip(provinces[s.PROVINCE_CODE].astype(str), provinces[s.PROVINCE_NAME]))
    common = {
        "column": column,
        "classification": classification,
        "metadata": metadata,
        "context": provinces,
        "lang": lang,
    }
    if province is None:
        return [
            Sheet(units=communes, title=names[code], focus=code, **common) for code in sorted(names)
        ]  # type: ignore[arg-type]
    code = str(province).zfill(s.PROVINCE_CODE_WIDTH)
    if code not in names:
        raise InputError(
            f"--province {province!r} is not in the layer; known codes: {sorted(names)}"
        )
    rows = communes[communes[s.PROVINCE_CODE].astype(str) == code].sort_values(s.COMMUNE_CODE)
    return [
        Sheet(
            units=rows.iloc[[i]], title=f"{rows[s.COMMUNE_NAME].iloc[i]} ({names[code]})", **common
        )
        for i in range(len(rows))
    ]  # type: ignore[arg-type]
