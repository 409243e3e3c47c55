"""Coordinate reference systems of Vietnamese data: VN-2000 and its zones.

Provincial GIS files usually come in VN-2000 (DOMAIN.md §2): geographic
(EPSG:4756), UTM 48N/49N, or a provincial TM-3 zone whose central meridian
depends on the province the data was *made for*. Two rules hold everywhere:

- VN-2000 → WGS 84 always uses the official transformation EPSG:6960
  (Quyết định 05/2007/QĐ-BTNMT), never whatever PROJ would pick;
- a file without a CRS is never silently read as WGS 84: either the
  evidence names one candidate (see ``geo.reading.crs_inference``) or the user
  passes ``--crs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pyproj.transformer import TransformerGroup

from geo import schema as s
from geo.errors import CRSError

VN2000_GEOGRAPHIC: Final = "EPSG:4756"
OFFICIAL_TRANSFORMATION: Final = ("EPSG", "6960")
UTM_EPSG: Final = {48: 3405, 49: 3406}
WGS84_UTM_EPSG: Final = {48: 32648, 49: 32649}  # GPS surveys and many city GIS files

# VN-2000 TM-3 zones (k = 0.9999, false easting 500 km) by central meridian.
TM3_EPSG: Final[dict[float, int]] = {
    102.0: 5896,
    103.0: 9205,
    104.0: 9206,
    104.5: 9207,
    104.75: 9208,
    105.0: 5897,
    105.5: 9209,
    105.75: 9210,
    106.0: 9211,
    106.25: 9212,
    106.5: 9213,
    107.0: 9214,
    107.25: 9215,
    107.5: 9216,
    107.75: 5899,
    108.0: 5898,
    108.25: 9217,
    108.5: 9218,
}

# Central meridian of each legacy province's TM-3 zone (Thông tư 973/2001/TT-TCĐC),
# keyed by legacy province code. After the 2025 merger new meridians apply to new
# products only, so data made for a former province keeps that province's meridian.
PROVINCE_MERIDIAN: Final[dict[str, float]] = {
    "01": 105.0,
    "02": 105.5,
    "04": 105.75,
    "06": 106.5,
    "08": 106.0,
    "10": 104.75,
    "11": 103.0,
    "12": 103.0,
    "14": 104.0,
    "15": 104.75,
    "17": 106.0,
    "19": 106.5,
    "20": 107.25,
    "22": 107.75,
    "24": 107.0,
    "25": 104.75,
    "26": 105.0,
    "27": 105.5,
    "30": 105.5,
    "31": 105.75,
    "33": 105.5,
    "34": 105.5,
    "35": 105.0,
    "36": 105.5,
    "37": 105.0,
    "38": 105.0,
    "40": 104.75,
    "42": 105.5,
    "44": 106.0,
    "45": 106.25,
    "46": 107.0,
    "48": 107.75,
    "49": 107.75,
    "51": 108.0,
    "52": 108.25,
    "54": 108.5,
    "56": 108.25,
    "58": 108.25,
    "60": 108.5,
    "62": 107.5,
    "64": 108.5,
    "66": 108.5,
    "67": 108.5,
    "68": 107.75,
    "70": 106.25,
    "72": 105.5,
    "74": 105.75,
    "75": 107.75,
    "77": 107.75,
    "79": 105.75,
    "80": 105.75,
    "82": 105.75,
    "83": 105.75,
    "84": 105.5,
    "86": 105.5,
    "87": 105.0,
    "89": 104.75,
    "91": 104.5,
    "92": 105.0,
    "93": 105.0,
    "94": 105.5,
    "95": 105.0,
    "96": 104.5,
}


@dataclass(frozen=True)
class CandidateCRS:
    """One way a file's coordinates might be meant.

    ``swapped`` means the columns hold (northing, easting) — survey tables label
    X = northing — and must be swapped before ``crs`` applies.
    """

    crs: pyproj.CRS
    label: str
    swapped: bool = False


def official_vn2000_transformer() -> pyproj.Transformer:
    """VN-2000 geographic → WGS 84 through EPSG:6960 only (lon/lat order)."""
    return _official_transformer()


@cache
def _official_transformer() -> pyproj.Transformer:
    group = TransformerGroup(VN2000_GEOGRAPHIC, s.WGS84, always_xy=True)
    for transformer in group.transformers:
        if OFFICIAL_TRANSFORMATION in _operation_ids(transformer):
            return transformer
    raise CRSError(
        "PROJ on this machine does not offer the official VN-2000 → WGS 84 transformation "
        "EPSG:6960; reinstall pyproj (pip install -r requirements.txt)"
    )


def _operation_ids(transformer: pyproj.Transformer) -> set[tuple[str, str]]:
    ids = set()
    for operation in transformer.operations or ():
        identifier = operation.to_json_dict().get("id")
        if identifier:
            ids.add((identifier["authority"], str(identifier["code"])))
    return ids


def is_vn2000(crs: pyproj.CRS | None) -> bool:
    """True when ``crs`` is based on the VN-2000 datum (geographic or projected)."""
    if crs is None:
        return False
    geodetic = crs.geodetic_crs
    datum = geodetic.datum.name if geodetic is not None and geodetic.datum is not None else ""
    return datum == "Vietnam 2000"


def tm3_crs(meridian: float) -> pyproj.CRS:
    """The VN-2000 TM-3 zone with this central meridian (degrees, e.g. 105.5 for 105°30′)."""
    if meridian not in TM3_EPSG:
        allowed = ", ".join(f"{m:g}" for m in TM3_EPSG)
        raise CRSError(f"no VN-2000 TM-3 zone has central meridian {meridian:g}°; known: {allowed}")
    return pyproj.CRS.from_epsg(TM3_EPSG[meridian])


def to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to WGS 84 lon/lat; VN-2000 goes through EPSG:6960 and nothing else.

    Raises
    ------
    CRSError
        When ``frame`` has no CRS: reading it as WGS 84 could be silently wrong.
    """
    if frame.crs is None:
        raise CRSError(
            "the layer has no coordinate reference system; pass --crs EPSG:NNNN (or, for a shapefile, add its .prj)"
        )
    if not is_vn2000(frame.crs):
        return frame.to_crs(s.WGS84)
    geographic = frame.to_crs(VN2000_GEOGRAPHIC)  # a pure inverse projection, same datum
    transformer = official_vn2000_transformer()
    geometry = shapely.transform(
        geographic.geometry.array,
        lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])),
    )
    return geographic.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=s.WGS84))


def swap_xy(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Swap the two coordinates of every vertex (X = northing tables)."""
    geometry = shapely.transform(frame.geometry.array, lambda xy: xy[:, ::-1])
    return frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs))


def candidate_crs() -> list[CandidateCRS]:
    """Every CRS a Vietnamese file without a .prj is likely to be in, each also with X/Y swapped."""
    plain = [
        CandidateCRS(pyproj.CRS(s.WGS84), "WGS 84 lon/lat (EPSG:4326)"),
        *(
            CandidateCRS(pyproj.CRS.from_epsg(code), f"WGS 84 / UTM {zone}N (EPSG:{code})")
            for zone, code in WGS84_UTM_EPSG.items()
        ),
        CandidateCRS(pyproj.CRS(VN2000_GEOGRAPHIC), "VN-2000 lon/lat (EPSG:4756)"),
        *(
            CandidateCRS(pyproj.CRS.from_epsg(code), f"VN-2000 / UTM {zone}N (EPSG:{code})")
            for zone, code in UTM_EPSG.items()
        ),
        *(
            CandidateCRS(tm3_crs(m), f"VN-2000 / TM-3 {_dms(m)} (EPSG:{code})")
            for m, code in TM3_EPSG.items()
        ),
    ]
    swapped = [CandidateCRS(c.crs, f"{c.label}, X/Y swapped", swapped=True) for c in plain]
    return plain + swapped


def _dms(meridian: float) -> str:
    degrees = int(meridian)
    minutes = round((meridian - degrees) * 60)
    return f"{degrees}°{minutes:02d}′"
