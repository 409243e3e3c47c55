"""Whether an imported polygon is only part of its commune.

A file drawn before mergers holds, for a commune that grew, only the piece it
had (or, for a commune merged away, the piece matched to its successor). The
register has no polygons, but it has each commune's official extent: the
bounding box (legacy) or the official area (2025). A polygon that covers
clearly less of it than a whole commune does is flagged ``is_part``.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema as s
from geo.reference import register

# A whole commune's polygon covers most of its official extent. Legacy: on GADM files of
# 2019-2021, communes matched by name cover a median 97 % of their official box, a quarter
# under 93 %; pieces of merged communes often 20-60 %. 2025: traced polygons of whole communes
# reach 86-100 % of the official area (coastal ones less: the official area counts some water).
PART_SHARE: Final = {s.VINTAGE_LEGACY: 0.75, s.VINTAGE_2025: 0.5}


def extent_share(communes: gpd.GeoDataFrame, vintage: s.Vintage) -> pd.Series:
    """Share (0-1) of each commune's official extent that its polygon covers; NaN when unknown.

    Legacy: the area of the polygon's bounding box inside the official bounding
    box, over the official box's area. 2025: the polygon's area (equal-area
    projection) over the official area, at most 1.

    Parameters
    ----------
    communes
        Polygons with ``commune_code`` of ``vintage``, in any CRS.
    vintage
        Register vintage of the codes.
    """
    codes = communes[s.COMMUNE_CODE].to_numpy()
    if vintage == s.VINTAGE_2025:
        official = register.read_communes_2025().set_index(s.COMMUNE_CODE)
        area = official[s.AREA_KM2_OFFICIAL].reindex(codes).to_numpy(dtype=float)
        drawn = communes.geometry.to_crs(s.VN_EQUAL_AREA).area.to_numpy() / 1e6
        share = np.minimum(drawn / area, 1.0)
    else:
        official = register.read_communes_legacy().set_index(s.COMMUNE_CODE).reindex(codes)
        corners = official[[s.BBOX_WEST, s.BBOX_SOUTH, s.BBOX_EAST, s.BBOX_NORTH]].to_numpy(float)
        box = shapely.box(*corners.T)
        drawn = shapely.envelope(communes.geometry.to_crs(s.WGS84).array)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = shapely.area(shapely.intersection(drawn, box)) / shapely.area(box)
    return pd.Series(share, index=communes.index, dtype=float).round(3)


def flag_parts(communes: gpd.GeoDataFrame, vintage: s.Vintage) -> gpd.GeoDataFrame:
    """``communes`` with ``extent_share`` and ``is_part``.

    ``is_part`` is true when the polygon covers some, but less than
    :data:`PART_SHARE` of the vintage, of its commune's official extent. It is
    false where the register gives no extent (share NaN), and where the polygon
    lies wholly outside the official box (share 0): that says the register's
    position disagrees with the file, not that the polygon is a part.
    """
    share = extent_share(communes, vintage)
    part = (share > 0) & (share < PART_SHARE[vintage])
    return communes.assign(**{s.EXTENT_SHARE: share, s.IS_PART: part.to_numpy()})
