"""Sites and target areas of the approximate boundaries, from the register and crosswalk.

Private plumbing of :mod:`builders.approx_boundaries`. Every legacy commune that
feeds a 2025 commune becomes a *piece* of it; the pieces are the finest
units drawn, and every layer is a dissolve of pieces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo import schema as s
from geo.reference import crosswalk, register

REGION: str = "region"  # row number of the 2025 commune a site or piece belongs to
X: str = "x"
Y: str = "y"
TARGET_M2: str = "target_m2"
ESTIMATE_M2: str = "estimate_m2"
IS_HOME: str = "is_home"  # the piece holds its legacy commune's official centroid
REMOTE: str = "remote"  # Hoàng Sa and Trường Sa: drawn from islets, not on the grid
AREA_ESTIMATED: str = "area_estimated"  # the register gives no area; target estimated
# False for a legacy commune whose register centroid (and box) is a copy of another's: a
# geocoding fallback to the district. The first of each such group keeps the point.
LOCATED: str = "located"

_KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Sites:
    """Everything the tessellation needs to know about the units to draw.

    Attributes
    ----------
    communes
        2025 communes (row number = region), register columns plus x, y
        (projected centroid), target_m2, area_estimated, remote.
    legacy
        Legacy communes, register columns plus x, y, region (the 2025
        commune that holds the legacy centroid: its only or default target)
        and located.
    districts
        Legacy districts from the register.
    pieces
        One row per (legacy commune, 2025 commune) pair, plus one row with a
        null legacy code for each 2025 commune no legacy commune feeds (the
        island districts): commune_code (legacy, nullable), region, is_home
        (the piece is drawn around its legacy commune's centroid), x, y
        (legacy centroid, nullable), estimate_m2.
    crosswalk
        The crosswalk as read (including the island-district rows).
    """

    communes: pd.DataFrame
    legacy: pd.DataFrame
    districts: pd.DataFrame
    pieces: pd.DataFrame
    crosswalk: pd.DataFrame


def read_sites(*, remote_west: float) -> Sites:
    """Read the register and crosswalk and derive sites, pieces and target areas.

    Parameters
    ----------
    remote_west
        Communes whose centroid lies east of this longitude (the offshore
        archipelagos) are flagged ``remote``.
    """
    to_metric = Transformer.from_crs(s.WGS84, s.VN_EQUAL_AREA, always_xy=True)
    communes = _with_xy(register.read_communes_2025(), to_metric)
    legacy = _with_xy(register.read_communes_legacy(), to_metric)
    pairs = crosswalk.read_crosswalk()
    region_of = pd.Series(communes.index, index=communes[s.COMMUNE_CODE])
    legacy[REGION] = _home_regions(legacy, pairs, region_of)
    legacy[LOCATED] = ~legacy.duplicated([s.LON, s.LAT], keep="first")
    shared_box = legacy.duplicated([s.LON, s.LAT], keep=False)
    legacy[ESTIMATE_M2] = np.where(shared_box, np.nan, _bbox_area_m2(legacy))
    communes[REMOTE] = communes[s.LON] > remote_west
    pieces = _pieces(legacy, pairs, region_of, len(communes))
    ratio = _area_to_bbox_ratio(communes, pieces)
    pieces[ESTIMATE_M2] = pieces[ESTIMATE_M2] * ratio
    # A commune whose box is a district's fallback gets the median piece of its 2025 commune.
    regional = pieces.groupby(REGION)[ESTIMATE_M2].transform("median")
    pieces[ESTIMATE_M2] = pieces[ESTIMATE_M2].fillna(regional).fillna(pieces[ESTIMATE_M2].median())
    communes[AREA_ESTIMATED] = communes[s.AREA_KM2_OFFICIAL].isna()
    estimate = pieces.groupby(REGION)[ESTIMATE_M2].sum().reindex(communes.index)
    communes[TARGET_M2] = (communes[s.AREA_KM2_OFFICIAL] * 1e6).fillna(estimate).clip(lower=0.05e6)
    return Sites(communes, legacy, register.read_districts_legacy(), pieces, pairs)


def _with_xy(frame: pd.DataFrame, to_metric: Transformer) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame[X], frame[Y] = to_metric.transform(frame[s.LON].to_numpy(), frame[s.LAT].to_numpy())
    return frame


def _home_regions(legacy: pd.DataFrame, pairs: pd.DataFrame, region_of: pd.Series) -> np.ndarray:
    """The 2025 commune each legacy centroid is drawn in: the only target, else the default one."""
    linked = pairs[pairs[s.LEGACY_COMMUNE_CODE].notna()]
    ranked = linked.sort_values([s.LEGACY_COMMUNE_CODE, s.IS_DEFAULT], ascending=[True, False])
    home = ranked.drop_duplicates(s.LEGACY_COMMUNE_CODE).set_index(s.LEGACY_COMMUNE_CODE)
    codes = home[s.NEW_COMMUNE_CODE].reindex(legacy[s.COMMUNE_CODE])
    return region_of.reindex(codes.to_numpy()).to_numpy()


def _bbox_area_m2(legacy: pd.DataFrame) -> np.ndarray:
    """Area of each legacy commune's official bounding box, in m²."""
    height = (legacy[s.BBOX_NORTH] - legacy[s.BBOX_SOUTH]).abs() * _KM_PER_DEGREE
    width = (
        (legacy[s.BBOX_EAST] - legacy[s.BBOX_WEST]).abs()
        * _KM_PER_DEGREE
        * np.cos(np.radians(legacy[s.LAT]))
    )
    return (height * width * 1e6).clip(lower=0.05e6, upper=3000e6).to_numpy()


def _pieces(
    legacy: pd.DataFrame, pairs: pd.DataFrame, region_of: pd.Series, n_regions: int
) -> pd.DataFrame:
    """One row per (legacy, 2025) pair, plus a bare piece for each 2025 commune nothing feeds."""
    linked = pairs[pairs[s.LEGACY_COMMUNE_CODE].notna()]
    by_code = legacy.set_index(s.COMMUNE_CODE)
    codes = linked[s.LEGACY_COMMUNE_CODE].to_numpy()
    pieces = pd.DataFrame(
        {
            s.COMMUNE_CODE: codes,
            REGION: region_of.reindex(linked[s.NEW_COMMUNE_CODE].to_numpy()).to_numpy(),
            X: by_code[X].reindex(codes).to_numpy(),
            Y: by_code[Y].reindex(codes).to_numpy(),
            ESTIMATE_M2: by_code[ESTIMATE_M2].reindex(codes).to_numpy()
            / linked[s.N_TARGETS].to_numpy(),
        }
    )
    home = pieces[REGION].to_numpy() == by_code[REGION].reindex(codes).to_numpy()
    pieces[IS_HOME] = home & by_code[LOCATED].reindex(codes).to_numpy()
    bare = sorted(set(range(n_regions)) - set(pieces[REGION]))
    filler = pd.DataFrame(
        {
            s.COMMUNE_CODE: None,
            REGION: bare,
            X: np.nan,
            Y: np.nan,
            ESTIMATE_M2: np.nan,
            IS_HOME: False,
        }
    )
    pieces = pd.concat([pieces, filler], ignore_index=True)
    pieces[s.COMMUNE_CODE] = pieces[s.COMMUNE_CODE].astype("string")
    return pieces


def _area_to_bbox_ratio(communes: pd.DataFrame, pieces: pd.DataFrame) -> float:
    """Median ratio of official area to the summed bounding-box areas of the feeding communes."""
    summed = pieces.groupby(REGION)[ESTIMATE_M2].sum(min_count=1)
    official = communes[s.AREA_KM2_OFFICIAL].reindex(summed.index) * 1e6
    ratio = (official / summed).replace([np.inf, -np.inf], np.nan).dropna()
    return float(ratio[ratio > 0].median())
