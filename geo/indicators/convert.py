"""Move commune tables between vintages: legacy → 2025 and back.

The legacy → 2025 crosswalk is many-to-many (DOMAIN.md §1). A unit that went
whole into one unit of the other vintage passes its counts on unchanged
(method ``direct``). A unit that was split shares its counts out by
**weights**: the share of its population (or, without a population raster,
of its area) that lies in each target, measured on the polygons of both
vintages; without polygons the shares are equal (``equal-shares``, said so).
Counts are moved, never ratios: percentages are rebuilt afterwards from the
moved numerators and denominators. A target is missing when any unit that
feeds it is missing: a partial sum would look like a low value.
"""

from __future__ import annotations

from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema as s
from geo.reference.crosswalk import read_crosswalk

Direction = Literal["to_2025", "to_legacy"]
SOURCE: Final = "source_code"
TARGET: Final = "target_code"
DIRECT: Final = "direct"
EQUAL: Final = "equal-shares"
AREA: Final = "area-weighted"
POPULATION: Final = "population-weighted"


def crosswalk_pairs(direction: Direction, crosswalk: pd.DataFrame | None = None) -> pd.DataFrame:
    """(source, target) commune pairs of the crosswalk, in the direction of the conversion."""
    table = read_crosswalk() if crosswalk is None else crosswalk
    table = table[table[s.LEGACY_COMMUNE_CODE].notna()]
    source, target = (
        (s.LEGACY_COMMUNE_CODE, s.NEW_COMMUNE_CODE)
        if direction == "to_2025"
        else (s.NEW_COMMUNE_CODE, s.LEGACY_COMMUNE_CODE)
    )
    pairs = pd.DataFrame({SOURCE: table[source].to_numpy(), TARGET: table[target].to_numpy()})
    return pairs.drop_duplicates(ignore_index=True)


def pair_weights(
    pairs: pd.DataFrame, *, measure: pd.Series | None = None, method: str = AREA
) -> pd.DataFrame:
    """``pairs`` with ``weight`` (summing to 1 per source) and ``conversion_method``.

    Parameters
    ----------
    pairs
        Columns source_code, target_code.
    measure
        Overlap of each pair (area or population), same index as ``pairs``;
        used for sources with more than one target.
    method
        Name recorded for measured weights ("area-weighted", "population-weighted").
    """
    out = pairs.copy()
    n = out.groupby(SOURCE)[TARGET].transform("size")
    out[s.WEIGHT] = 1.0 / n
    out[s.CONVERSION_METHOD] = np.where(n == 1, DIRECT, EQUAL)
    if measure is not None:
        value = measure.reindex(out.index).fillna(0.0).clip(lower=0.0)
        total = value.groupby(out[SOURCE]).transform("sum")
        use = (n > 1) & (total > 0)
        out.loc[use, s.WEIGHT] = value[use] / total[use]
        out.loc[use, s.CONVERSION_METHOD] = method
    return out


def overlap_measure(
    pairs: pd.DataFrame,
    sources: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    *,
    population: str | None = None,
) -> pd.Series:
    """Area (km²) or population of source ∩ target for every pair whose source has several targets.

    ``sources`` and ``targets`` are polygons with ``commune_code``; pairs
    whose source has one target get NaN (they need no weight).
    """
    split = pairs.groupby(SOURCE)[TARGET].transform("size") > 1
    todo = pairs[split]
    a = sources.set_index(s.COMMUNE_CODE).geometry.to_crs(s.VN_EQUAL_AREA)
    b = targets.set_index(s.COMMUNE_CODE).geometry.to_crs(s.VN_EQUAL_AREA)
    known = todo[SOURCE].isin(a.index) & todo[TARGET].isin(b.index)
    todo = todo[known]
    pieces = shapely.intersection(
        shapely.make_valid(a.reindex(todo[SOURCE]).array),
        shapely.make_valid(b.reindex(todo[TARGET]).array),
    )
    measure = pd.Series(np.nan, index=pairs.index)
    if population is None:
        measure[todo.index] = shapely.area(pieces) / 1e6
        return measure
    from geo.indicators.zonal import population_stats

    frame = gpd.GeoDataFrame(
        {s.COMMUNE_CODE: [str(i) for i in todo.index]}, geometry=pieces, crs=s.VN_EQUAL_AREA
    )
    frame = frame[~frame.geometry.is_empty]
    people = (
        population_stats(frame, population)[s.POP_TOTAL] if len(frame) else pd.Series(dtype=float)
    )
    measure[todo.index] = [people.get(str(i), 0.0) for i in todo.index]
    return measure


def share_counts(
    table: pd.DataFrame, weights: pd.DataFrame, *, counts: list[str], flags: list[str] | None = None
) -> pd.DataFrame:
    """Move a table indexed by source code onto target codes.

    Counts are multiplied by the pair weight and summed; yes/no ``flags``
    are true when any feeding unit's flag is. A target is missing when a
    unit that feeds it (with weight > 0) is missing from ``table`` or has
    no value. Adds ``conversion_method`` and ``conversion_weights``
    ("source:weight;…" for the units that were shared out).
    """
    flags = flags or []
    feeding = weights[weights[TARGET].isin(weights.loc[weights[SOURCE].isin(table.index), TARGET])]
    feeding = feeding[feeding[s.WEIGHT] > 0]
    joined = feeding.join(table[counts + flags], on=SOURCE)
    grouped = joined.groupby(TARGET, sort=True)
    out = pd.DataFrame(index=pd.Index(sorted(joined[TARGET].unique()), name=s.COMMUNE_CODE))
    for column in counts:
        moved = joined[column] * joined[s.WEIGHT]
        out[column] = (
            moved.groupby(joined[TARGET])
            .sum()
            .where(joined[column].notna().groupby(joined[TARGET]).all())
        )
    for column in flags:
        out[column] = joined.groupby(TARGET)[column].agg(_any_or_missing).astype("boolean")
    out[s.CONVERSION_METHOD] = grouped[s.CONVERSION_METHOD].agg(_method)
    shared = joined[joined[s.CONVERSION_METHOD] != DIRECT]
    text = shared[SOURCE] + ":" + shared[s.WEIGHT].round(4).astype(str)
    out[s.CONVERSION_WEIGHTS] = (
        text.groupby(shared[TARGET]).agg(";".join).reindex(out.index).fillna("")
    )
    return out


def _any_or_missing(values: pd.Series) -> object:
    if values.isna().any():
        return True if values.dropna().astype(bool).any() else pd.NA
    return bool(values.astype(bool).any())


def _method(methods: pd.Series) -> str:
    shared = sorted(set(methods) - {DIRECT})
    return "+".join(shared) if shared else DIRECT


def dominant_districts(weights_to_legacy: pd.DataFrame) -> pd.Series:
    """For each 2025 commune, the legacy district that holds most of it (by the conversion weights)."""
    legacy = read_crosswalk()[[s.LEGACY_COMMUNE_CODE, s.LEGACY_DISTRICT_CODE]].drop_duplicates(
        s.LEGACY_COMMUNE_CODE
    )
    district = weights_to_legacy[TARGET].map(
        legacy.set_index(s.LEGACY_COMMUNE_CODE)[s.LEGACY_DISTRICT_CODE]
    )
    summed = (
        weights_to_legacy.assign(_d=district.to_numpy())
        .groupby([SOURCE, "_d"])[s.WEIGHT]
        .sum()
        .reset_index()
    )
    best = summed.sort_values(
        [SOURCE, s.WEIGHT, "_d"], ascending=[True, False, True]
    ).drop_duplicates(SOURCE)
    return best.set_index(SOURCE)["_d"].rename(s.DISTRICT_CODE)
