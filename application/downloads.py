"""The uncovered page's selection, computed once, and the files it downloads.

The page reads its widgets into target choices and a province; :func:`select_uncovered`
turns them into one :class:`UncoveredSelection`: the ranked communes (heading and
table), the map request (map and legend, evaluated for the same targets by
:func:`application.map_request.indicator_table`) and, through
:func:`uncovered_export`, the frame every download writes. All of them read the
same config, so they count the same communes.

File names say what, where and when: ``xa_chua_dat_ca-mau_2025-10-01.xlsx``
(:func:`download_stem`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import pandas as pd

from application.app_data import with_targets
from application.display import DisplayData, province_names
from application.i18n import text
from application.map_request import MapRequest
from geo import schema as s
from geo.indicators import ranking as r
from geo.indicators import targets as t
from layers.choropleth import province_sort_key
from layers.export import ExportMetadata, metadata_from_frame

if TYPE_CHECKING:
    import geopandas as gpd

#: Slug of the whole country in file names.
WHOLE_COUNTRY: Final = "toan-quoc"
#: Communes outlined in bold on the map: the top of the ranked list.
TOP_HIGHLIGHTED: Final = 20
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")

#: Target choices of the page: target name → (enabled, threshold in % or None).
Choices = dict[str, tuple[bool, float | None]]


@dataclass(frozen=True)
class UncoveredSelection:
    """What the uncovered page shows for one choice of targets and province.

    Attributes
    ----------
    config
        The data's targets with the page's choices applied.
    province, province_name
        Province code ("" for the whole country) and its name ("" for the whole country).
    ranked
        :func:`geo.indicators.ranking.rank_uncovered` for ``config`` and ``province``.
    total
        Communes of the province (or the country) on the map.
    request
        The map of ``uncovered`` for ``config``, the top of ``ranked`` outlined.
    """

    config: t.Config
    province: str
    province_name: str
    ranked: pd.DataFrame
    total: int
    request: MapRequest


def select_uncovered(
    data: DisplayData, choices: Choices, *, province: str, lang: str
) -> UncoveredSelection:
    """The ranked communes and the map of one choice of targets and province.

    Parameters
    ----------
    data
        The data on screen.
    choices
        Target name → (enabled, threshold) from the page's checkboxes and number boxes.
    province
        Province code of the 2025 scheme, "" for the whole country.
    lang
        Language of the reasons in ``ranked``.
    """
    config = with_targets(data.config, choices)
    layer = data.layer(s.VINTAGE_2025, "commune")
    ranked = r.rank_uncovered(layer.table, config, province_code=province, lang=lang)
    names = province_names(data.layer(s.VINTAGE_2025, "province"))
    request = MapRequest(
        scheme=s.VINTAGE_2025,
        level="commune",
        column=s.UNCOVERED,
        province=province,
        config=config,
        highlight=frozenset(ranked[s.COMMUNE_CODE].head(TOP_HIGHLIGHTED)),
        height=560,
        key="uncovered_map",
    )
    return UncoveredSelection(
        config=config,
        province=province,
        province_name=names.get(province, ""),
        ranked=ranked,
        total=int(layer.rows(province).sum()),
        request=request,
    )


def uncovered_export(
    data: DisplayData, selection: UncoveredSelection, *, lang: str
) -> tuple[gpd.GeoDataFrame, ExportMetadata]:
    """The ranked communes of ``selection`` as a layer to download, and its metadata in ``lang``.

    One row per row of ``selection.ranked`` (the page's table), in the same order, with
    the indicator and source columns joined back and the map's province-view geometry.
    """
    layer = data.layer(s.VINTAGE_2025, "commune")
    frame = r.ranked_features(selection.ranked, layer.table, {f["id"]: f for f in layer.fine})
    read = metadata_from_frame(frame)
    meta = ExportMetadata(
        title=_title("uncovered_title", selection.province_name, lang),
        sources=read.sources,
        as_of=read.as_of,
        demo=data.is_demo or read.demo,
        targets=targets_text(selection.config, lang),
    )
    return frame, meta


def villages_export(
    listed: pd.DataFrame, *, province_name: str, demo: bool, lang: str
) -> tuple[gpd.GeoDataFrame, ExportMetadata]:
    """The listed villages (:func:`geo.indicators.ranking.uncovered_villages`) as points, with metadata in ``lang``."""
    tables = sorted(set(listed["table"].dropna().astype(str)))
    meta = ExportMetadata(
        title=_title("villages_title", province_name, lang),
        sources={s.TEAMS_INPUT: "; ".join(tables)},
        demo=demo,
    )
    return r.village_features(listed), meta


def _title(key: str, province_name: str, lang: str) -> str:
    return f"{text(key, lang)} — {province_name or text('whole_country_short', lang)}"


def targets_text(config: t.Config, lang: str) -> dict[str, str]:
    """The enabled targets as the exports' metadata lists them: name in ``lang`` → threshold."""
    return {
        text(f"target_{target.name}", lang): (
            f"≥ {target.min_pct:g}%" if target.min_pct is not None else text("flag_yes", lang)
        )
        for target in config.enabled
    }


def place_slug(province_name: str) -> str:
    """ASCII slug of a province for file names: "Tỉnh Cà Mau" → ``ca-mau``; "" → ``toan-quoc``."""
    if not province_name.strip():
        return WHOLE_COUNTRY
    name = province_sort_key(province_name.strip()).replace("đ", "d")
    folded = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or WHOLE_COUNTRY


def download_stem(what: str, *, province_name: str, as_of: str | None) -> str:
    """File name without suffix: what, where and the data's date, ``xa_chua_dat_ca-mau_2025-10-01``.

    ``as_of`` is the data's latest report date (:attr:`DisplayData.as_of`); a date that is
    unknown or not ``YYYY-MM-DD`` is left out rather than guessed.
    """
    parts = [what, place_slug(province_name)]
    if as_of and _ISO_DATE.fullmatch(as_of[:10]):
        parts.append(as_of[:10])
    return "_".join(parts)
