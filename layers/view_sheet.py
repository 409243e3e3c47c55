"""A print map sheet of what the app's map shows: same units, same classes, same legend.

The app's map draws a :class:`~layers.choropleth.UnitLayer` classified by
:func:`~layers.choropleth.view_indicator`; :func:`view_sheet` turns the
same layer and the same :class:`~layers.choropleth.IndicatorView` into a
:class:`~layers.mapsheet.Sheet`, which :func:`~layers.mapsheet.sheet_bytes`
draws server-side (PNG or PDF, A4 landscape or 16:9).
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import shapely.geometry

from geo import schema as s
from layers.choropleth import IndicatorView, UnitLayer
from layers.export import Level, metadata_from_frame
from layers.mapsheet import UNCOVERED_LABELS, Sheet


def _frame(layer: UnitLayer, *, fine: bool) -> gpd.GeoDataFrame:
    """The layer's polygons (feature ``i`` is row ``i`` of its table) with its attributes."""
    features = layer.fine if fine else layer.coarse
    geometry = [shapely.geometry.shape(f["geometry"]) for f in features]
    return gpd.GeoDataFrame(layer.table.reset_index(drop=True), geometry=geometry, crs=s.WGS84)


def view_sheet(
    units: UnitLayer,
    outlines: UnitLayer,
    view: IndicatorView,
    *,
    column: str,
    title: str,
    scheme: str,
    communes: UnitLayer,
    province: str = "",
    lang: str = "vi",
) -> Sheet:
    """The sheet of one map view.

    Parameters
    ----------
    units, outlines
        The layer filled by class and the province layer around it (as on screen).
    view
        The classification and the values the screen's fill was assigned from.
    column
        The indicator column.
    title
        The sheet's title (as on screen, e.g. "Tỷ lệ dân số được phủ sóng 4G (%) — Tỉnh Tuyên Quang").
    scheme
        ``"2025"`` or ``"legacy"``.
    communes
        The commune layer of the scheme: sources, dates and whether the shown
        communes' boundaries are approximate are read off it.
    province
        Province code the sheet shows ("" = the whole country).
    lang
        Language of the sheet's words and numbers (the screen's: ``view`` is classified in it).
    """
    frame = _frame(units, fine=bool(province))
    classification = view.classification
    if column == s.UNCOVERED:
        # The sheet assigns ``uncovered`` by its own labels (layers.mapsheet.class_values);
        # the screen's categories are renamed to them, its labels and colours kept.
        classification = replace(classification, categories=UNCOVERED_LABELS)
    else:
        frame[column] = view.values.to_numpy()
    shown = communes.table.loc[communes.rows(province)]
    level: Level = units.level  # type: ignore[assignment]
    metadata = replace(metadata_from_frame(shown, level="commune"), level=level, scheme=scheme)
    context = _frame(outlines, fine=bool(province))
    return Sheet(
        units=frame,
        column=column,
        classification=classification,
        metadata=metadata,
        title=title,
        context=context,
        focus=province,
        lang=lang,
    )
