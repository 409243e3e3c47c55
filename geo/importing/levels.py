"""Tell a file of districts or provinces from a file of communes, before matching it.

A district file matched as communes goes wrong quietly: every district becomes
its district-seat township (same name, centroid inside), with a high score.
Four pieces of evidence, any of which is enough to refuse the file:

- GADM's own columns: a ``NAME_2`` without ``NAME_3`` is GADM level 2 (districts);
- type words: a type column ("Huyện", "Quận", "Thànhphố", "District") or name
  prefixes ("Huyện An Phú") that name districts or provinces for most features;
- names and extent: most features are named after a legacy district (or a
  province) and contain most of its official commune centroids;
- size: the median feature contains many official commune centroids (a legacy
  commune holds one, a 2025 commune a few).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema as s
from geo.errors import InputError
from geo.importing.matching import MatchColumns, register_keys
from geo.reference.names import ascii_key, leading_type_levels, type_levels

MAJORITY: Final = 0.5  # share of features that must look like districts (or provinces)
TYPE_COLUMN_SHARE: Final = (
    0.8  # a column is a type column when this share of its values are type words
)
DISTRICT_CENTROIDS: Final = (
    8  # a median feature holding this many legacy commune centroids is no commune
)
PROVINCE_CENTROIDS: Final = 60  # ... and this many, a province
OWN_SHARE: Final = (
    0.5  # a feature named after a district is it when it holds this share of its communes
)
_GADM_NAME: Final = re.compile(r"^name_(\d)$", re.IGNORECASE)


@dataclass(frozen=True)
class LevelEvidence:
    """What the features look like: their level ("commune", "district", "province") and why."""

    level: str
    reasons: tuple[str, ...]


def check_commune_level(frame: gpd.GeoDataFrame, columns: MatchColumns, *, path: str) -> None:
    """Raise :class:`InputError` when ``frame`` (EPSG:4326) holds districts or provinces.

    Parameters
    ----------
    frame
        The features, placed in WGS 84.
    columns
        The name column found (used for type prefixes and district names).
    path
        The file, for the message.
    """
    evidence = detect_level(frame, columns)
    if evidence.level == "commune":
        return
    plural = "districts" if evidence.level == "district" else "provinces"
    raise InputError(
        f"{path} holds {plural}, not communes: {'; '.join(evidence.reasons)}. "
        "import-boundaries needs one polygon per commune (xã, phường, thị trấn, đặc khu), "
        "e.g. GADM level 3 for legacy communes"
    )


def detect_level(frame: gpd.GeoDataFrame, columns: MatchColumns) -> LevelEvidence:
    """The administrative level of the features in ``frame`` and the evidence for it."""
    found: dict[str, list[str]] = {"district": [], "province": []}
    for level, reason in (
        _gadm_level(frame),
        _type_level(frame, columns),
        _size_level(frame),
        _named_level(frame, columns),
    ):
        if level in found:
            found[level].append(reason)
    if found["province"]:
        return LevelEvidence("province", tuple(found["province"] + found["district"]))
    if found["district"]:
        return LevelEvidence("district", tuple(found["district"]))
    return LevelEvidence("commune", ())


def _gadm_level(frame: pd.DataFrame) -> tuple[str | None, str]:
    levels = {int(m.group(1)) for c in frame.columns if (m := _GADM_NAME.match(str(c)))}
    if not levels or 3 in levels or not any(str(c).upper().startswith("GID_") for c in frame):
        return None, ""
    deepest = max(levels)
    level = {1: "province", 2: "district"}.get(deepest)
    return level, f"its deepest GADM column is NAME_{deepest} (GADM level {deepest})"


def _type_level(frame: pd.DataFrame, columns: MatchColumns) -> tuple[str | None, str]:
    """Level named by a type column or by the names' own prefixes, for most features."""
    per_feature = pd.Series([frozenset()] * len(frame), index=frame.index)
    source = "type words"
    for column in frame.columns:
        if column == frame.geometry.name:
            continue
        levels = frame[column].map(type_levels)
        if (levels.map(len) > 0).mean() >= TYPE_COLUMN_SHARE:
            per_feature, source = levels, f"column {column!r}"
            break
    else:
        named = [columns.name] if columns.name is not None else _text_columns(frame)
        prefixed = {c: frame[c].map(leading_type_levels) for c in named}
        if prefixed:
            column = max(prefixed, key=lambda c: (prefixed[c].map(len) > 0).sum())
            per_feature, source = prefixed[column], f"the prefixes of {column!r}"
            columns = MatchColumns(name=column)
    not_commune = per_feature.map(lambda lv: bool(lv) and "commune" not in lv)
    if not_commune.mean() < MAJORITY:
        return None, ""
    province = per_feature.map(lambda lv: lv == frozenset({"province"})).mean() >= MAJORITY
    level = "province" if province else "district"
    examples = sorted({str(v) for v in frame.loc[not_commune, columns.name or frame.columns[0]]})
    return level, (
        f"{source} name {level} types for {not_commune.sum()} of {len(frame)} features"
        + (f" (e.g. {', '.join(examples[:3])})" if columns.name else "")
    )


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if c != frame.geometry.name and frame[c].map(lambda v: isinstance(v, str)).any()
    ]


def _size_level(frame: gpd.GeoDataFrame) -> tuple[str | None, str]:
    """Level implied by how many official legacy commune centroids a median feature holds."""
    counts = _centroid_counts(frame)
    median = float(np.median(counts)) if len(counts) else 0.0
    if median < DISTRICT_CENTROIDS:
        return None, ""
    level = "province" if median >= PROVINCE_CENTROIDS else "district"
    return level, (
        f"a median feature contains {median:.0f} official commune centroids "
        "(a legacy commune contains one, a 2025 commune a few)"
    )


def _centroid_counts(frame: gpd.GeoDataFrame) -> np.ndarray:
    points = _legacy_centroids()
    tree = shapely.STRtree(points)
    polygons, _ = tree.query(frame.geometry.array, predicate="contains")
    return np.bincount(polygons, minlength=len(frame))


def _named_level(frame: gpd.GeoDataFrame, columns: MatchColumns) -> tuple[str | None, str]:
    """Features named after a legacy district that contain most of that district's communes."""
    if columns.name is None:
        return None, ""
    legacy = register_keys(s.VINTAGE_LEGACY)
    points = _legacy_centroids()
    by_key = legacy.groupby(legacy[s.DISTRICT_NAME].map(lambda n: ascii_key(n, level="district")))
    groups = by_key.indices
    own = []
    for name, geometry in zip(frame[columns.name], frame.geometry.array):
        rows = groups.get(ascii_key(name, level="district")) if isinstance(name, str) else None
        own.append(rows is not None and _holds_most(geometry, legacy, points, rows))
    share = float(np.mean(own)) if own else 0.0
    if share < MAJORITY:
        return None, ""
    return "district", (
        f"{sum(own)} of {len(frame)} features are named after a legacy district and contain "
        "most of its official commune centroids"
    )


def _holds_most(
    geometry: shapely.Geometry, legacy: pd.DataFrame, points: np.ndarray, rows: np.ndarray
) -> bool:
    """Whether ``geometry`` holds at least OWN_SHARE of the communes of one district among ``rows``."""
    codes = legacy[s.DISTRICT_CODE].to_numpy()[rows]
    inside = shapely.contains(geometry, points[rows])
    return any(inside[codes == code].mean() >= OWN_SHARE for code in set(codes))


@cache
def _legacy_centroids() -> np.ndarray:
    legacy = register_keys(s.VINTAGE_LEGACY)
    return shapely.points(legacy[s.LON].to_numpy(), legacy[s.LAT].to_numpy())
