"""Print sheet layout: title, subtitle, marks and legend never overlap; communes are named where they fit."""

from __future__ import annotations

import itertools

import geopandas as gpd
import pytest
import shapely
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox

from application.display import map_title
from application.i18n import text
from geo import schema as s
from geo.reference.register import read_provinces
from layers import mapsheet
from layers.choropleth import MAP_INDICATORS
from layers.classify import classify_quantiles
from layers.export import ExportMetadata

LONGEST_PROVINCE = max(read_provinces(s.VINTAGE_2025)[s.PROVINCE_NAME], key=len)


def squares(names: list[str], *, size: float = 0.25, province: str = "96") -> gpd.GeoDataFrame:
    """One square commune per name in a row of three, ``size`` degrees wide, near Cà Mau."""
    geometry = [
        shapely.box(
            104.8 + (i % 3) * size,
            8.8 + (i // 3) * size,
            104.8 + (i % 3 + 1) * size,
            8.8 + (i // 3 + 1) * size,
        )
        for i in range(len(names))
    ]
    return gpd.GeoDataFrame(
        {
            s.COMMUNE_CODE: [f"{i:05d}" for i in range(len(names))],
            s.COMMUNE_NAME: names,
            s.PROVINCE_CODE: province,
            s.PCT_POP_4G: [float(10 * i) for i in range(len(names))],
        },
        geometry=geometry,
        crs=s.WGS84,
    )


def sheet_of(units: gpd.GeoDataFrame, *, title: str, lang: str, focus: str = "") -> mapsheet.Sheet:
    return mapsheet.Sheet(
        units=units,
        column=s.PCT_POP_4G,
        classification=classify_quantiles(units[s.PCT_POP_4G], title="x" * 30, lang=lang),
        metadata=ExportMetadata(demo=True, approximate_boundaries=True),
        title=title,
        focus=focus,
        lang=lang,
    )


def header_boxes(figure: Figure) -> dict[str, list[Bbox]]:
    """Window extents of the header's parts, the legend and the map, after a full draw."""
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    by_gid: dict[str, list[Bbox]] = {}
    for artist in figure.texts:
        gid = artist.get_gid()
        box = artist.get_window_extent(renderer)
        if gid == mapsheet.GID_MARK:
            box = artist.get_bbox_patch().get_window_extent(renderer)
        by_gid.setdefault(gid, []).append(box)
    (legend,) = figure.findobj(Legend)
    by_gid["legend"] = [legend.get_window_extent(renderer)]
    by_gid["map"] = [figure.axes[0].get_window_extent(renderer)]
    return by_gid


def longest_titles(lang: str) -> list[str]:
    """The longest indicator with the longest province, and with the whole country, as the app titles them."""
    indicator = max(MAP_INDICATORS, key=lambda i: len(text(f"ind_{i.column}", lang))).column
    return [
        map_title(indicator, LONGEST_PROVINCE, lang),
        map_title(indicator, text("whole_country", lang, n=34), lang),
    ]


@pytest.mark.parametrize("size", ["a4", "slide"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_title_marks_and_legend_do_not_overlap_at_the_longest_titles(size: str, lang: str) -> None:
    for title in longest_titles(lang):
        figure = mapsheet.render_sheet(
            sheet_of(squares(["A", "B"]), title=title, lang=lang), size=size
        )
        boxes = header_boxes(figure)
        parts = [
            (gid, box)
            for gid in (
                mapsheet.GID_TITLE,
                mapsheet.GID_SUBTITLE,
                mapsheet.GID_MARK,
                "legend",
                "map",
            )
            for box in boxes[gid]
        ]
        assert len(boxes[mapsheet.GID_MARK]) == 2 and len(boxes[mapsheet.GID_TITLE]) == 1
        for (a, box_a), (b, box_b) in itertools.combinations(parts, 2):
            if {a, b} != {"legend", "map"}:
                assert not box_a.overlaps(box_b), f"{a} and {b} overlap on {title!r} ({size})"
        page = figure.bbox
        for gid, box in parts:
            assert page.x0 <= box.x0 and box.x1 <= page.x1 and box.y1 <= page.y1, gid
        (title_text,) = [t for t in figure.texts if t.get_gid() == mapsheet.GID_TITLE]
        assert title_text.get_text().replace("\n", " ") == title  # shrunk or wrapped, never cut


def test_a_short_title_keeps_the_full_font() -> None:
    figure = mapsheet.render_sheet(sheet_of(squares(["A"]), title="Tỉnh Cà Mau", lang="vi"))
    (title,) = [t for t in figure.texts if t.get_gid() == mapsheet.GID_TITLE]
    assert title.get_fontsize() == mapsheet.TITLE_SIZE and "\n" not in title.get_text()


def test_a_title_too_long_for_one_line_wraps_or_shrinks() -> None:
    long = map_title(s.PCT_HOUSEHOLDS_FIBRE, LONGEST_PROVINCE, "vi")
    figure = mapsheet.render_sheet(sheet_of(squares(["A"]), title=long, lang="vi"))
    (title,) = [t for t in figure.texts if t.get_gid() == mapsheet.GID_TITLE]
    assert "\n" in title.get_text() or title.get_fontsize() < mapsheet.TITLE_SIZE


def labels_of(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.axes[0].texts if t.get_gid() == mapsheet.GID_LABEL]


def test_a_province_sheet_names_its_communes_without_their_type_word() -> None:
    units = squares(["Xã Đầm Dơi", "Phường 1", "Xã Đất Mũi", "Xã Tân Tiến"])
    figure = mapsheet.render_sheet(sheet_of(units, title="Tỉnh Cà Mau", lang="vi", focus="96"))
    assert set(labels_of(figure)) == {"Phường 1", "Tân Tiến", "Đầm Dơi", "Đất Mũi"}


def test_names_that_do_not_fit_their_commune_or_touch_another_are_left_out() -> None:
    big = squares(["Xã Đầm Dơi", "Xã Tân Tiến"], size=0.3)
    tiny = squares(["Xã Có Một Cái Tên Rất Dài Không Vừa"], size=0.004).set_index(gpd.pd.Index([9]))
    tiny[s.COMMUNE_CODE] = "00009"
    # Mid-map, clear of the big ones: left out only for being too small.
    tiny.geometry = tiny.geometry.translate(0.3, 0.7)
    units = gpd.GeoDataFrame(gpd.pd.concat([big, tiny]), crs=s.WGS84)
    figure = mapsheet.render_sheet(sheet_of(units, title="Tỉnh Cà Mau", lang="vi", focus="96"))
    assert set(labels_of(figure)) == {"Tân Tiến", "Đầm Dơi"}
    renderer = figure.canvas.get_renderer()
    extents = [
        t.get_window_extent(renderer) for t in figure.axes[0].texts if t.get_gid() == "label"
    ]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(extents, 2))


def test_a_national_sheet_of_communes_names_none() -> None:
    figure = mapsheet.render_sheet(
        sheet_of(squares(["Xã Đầm Dơi", "Xã Tân Tiến"]), title="Việt Nam", lang="vi")
    )
    assert labels_of(figure) == []
