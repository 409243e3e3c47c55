"""The official register of administrative units, read offline.

The register is the SQLite table shipped inside the PyPI package
``vietnamadminunits`` (MIT): 34 provinces and 3,321 communes of the 2025
system with official centroid and area, and 63 provinces, 696 districts and
10,035 communes of the legacy system with centroid and bounding box. We read
its files directly and never import the package's modules: its address
converter can geocode *online*, and the product must make no network call.

Every frame carries codes as zero-padded strings and a ``vintage`` column,
because a code means nothing without its vintage (DOMAIN.md §1).
"""

from __future__ import annotations

import importlib.util
import sqlite3
from functools import cache
from pathlib import Path

import pandas as pd

from geo import schema as s
from geo.errors import InputError
from geo.reference.codes import CODE_WIDTHS, pad_code
from geo.reference.names import normalize_text, strip_prefix

PACKAGE = "vietnamadminunits"

_COLUMNS_2025 = {
    "wardCode": s.COMMUNE_CODE,
    "ward": s.COMMUNE_NAME,
    "wardType": s.COMMUNE_TYPE,
    "provinceCode": s.PROVINCE_CODE,
    "province": s.PROVINCE_NAME,
    "provinceShort": s.PROVINCE_SHORT_NAME,
    "wardLon": s.LON,
    "wardLat": s.LAT,
    "wardAreaKm2": s.AREA_KM2_OFFICIAL,
}
_COLUMNS_LEGACY = {
    "wardCode": s.COMMUNE_CODE,
    "ward": s.COMMUNE_NAME,
    "wardType": s.COMMUNE_TYPE,
    "districtCode": s.DISTRICT_CODE,
    "district": s.DISTRICT_NAME,
    "districtType": s.DISTRICT_TYPE,
    "provinceCode": s.PROVINCE_CODE,
    "province": s.PROVINCE_NAME,
    "provinceShort": s.PROVINCE_SHORT_NAME,
    "wardLon": s.LON,
    "wardLat": s.LAT,
    "wardBounds": "_bounds",
}


def package_data_dir() -> Path:
    """Folder of the register files inside the installed ``vietnamadminunits`` package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(
            f"the official register package '{PACKAGE}' is not installed; "
            "run: pip install -r requirements.txt"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def read_communes_2025() -> pd.DataFrame:
    """The 3,321 communes of the 2025 two-level system, one row each.

    Columns: commune_code, commune_name ("Phường Hồng Hà"), commune_short_name,
    commune_type (Xã, Phường, Đặc khu), province_code, province_name,
    province_short_name, lon, lat (official centroid), area_km2_official
    (null where the register has none or
    writes 0: four communes), vintage = "2025".
    """
    frame = _finish(_query("admin_units", _COLUMNS_2025), s.VINTAGE_2025)
    # The register writes 0 where it has no area (e.g. Phường Kỳ Lừa): that is missing, not zero.
    area = frame[s.AREA_KM2_OFFICIAL]
    frame[s.AREA_KM2_OFFICIAL] = area.where(area > 0)
    return frame.sort_values(s.COMMUNE_CODE, ignore_index=True)


def read_communes_legacy() -> pd.DataFrame:
    """The 10,035 communes of the legacy three-level system (before 1 July 2025).

    Columns as :func:`read_communes_2025` without the area, plus district_code,
    district_name, district_type and the official bounding box
    (bbox_west, bbox_south, bbox_east, bbox_north). The five island districts
    that have no commune (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) are
    in :func:`read_districts_legacy` only.
    """
    raw = _query("admin_units_legacy", _COLUMNS_LEGACY)
    raw = raw[raw[s.COMMUNE_CODE].notna()].copy()
    raw[[s.BBOX_SOUTH, s.BBOX_WEST, s.BBOX_NORTH, s.BBOX_EAST]] = _parse_bounds(raw.pop("_bounds"))
    frame = _finish(raw, s.VINTAGE_LEGACY)
    return frame.sort_values(s.COMMUNE_CODE, ignore_index=True)


def read_districts_legacy() -> pd.DataFrame:
    """The 696 legacy districts: codes, names, type, province, official centroid and bbox."""
    columns = {
        "districtCode": s.DISTRICT_CODE,
        "district": s.DISTRICT_NAME,
        "districtType": s.DISTRICT_TYPE,
        "provinceCode": s.PROVINCE_CODE,
        "province": s.PROVINCE_NAME,
        "districtLon": s.LON,
        "districtLat": s.LAT,
        "districtBounds": "_bounds",
    }
    raw = _query("admin_units_legacy", columns).drop_duplicates(s.DISTRICT_CODE)
    raw[[s.BBOX_SOUTH, s.BBOX_WEST, s.BBOX_NORTH, s.BBOX_EAST]] = _parse_bounds(raw.pop("_bounds"))
    frame = _finish(raw, s.VINTAGE_LEGACY)
    return frame.sort_values(s.DISTRICT_CODE, ignore_index=True)


def read_provinces(vintage: s.Vintage) -> pd.DataFrame:
    """Provinces of one vintage (34 for "2025", 63 for "legacy") with their commune counts."""
    communes = read_communes_2025() if vintage == s.VINTAGE_2025 else read_communes_legacy()
    grouped = communes.groupby(s.PROVINCE_CODE, as_index=False).agg(
        **{
            s.PROVINCE_NAME: (s.PROVINCE_NAME, "first"),
            s.PROVINCE_SHORT_NAME: (s.PROVINCE_SHORT_NAME, "first"),
            "n_communes": (s.COMMUNE_CODE, "size"),
        }
    )
    grouped[s.VINTAGE] = vintage
    return grouped


@cache
def read_package_table(table: str) -> pd.DataFrame:
    """One raw table of the package's SQLite register, as stored (cached, read-only)."""
    path = package_data_dir() / "dataset.db"
    if not path.is_file():
        raise InputError(f"register file {path} is missing; reinstall '{PACKAGE}'")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return pd.read_sql_query(f"SELECT * FROM [{table}]", connection)


def _query(table: str, columns: dict[str, str]) -> pd.DataFrame:
    return read_package_table(table)[list(columns)].rename(columns=columns).copy()


def _finish(frame: pd.DataFrame, vintage: s.Vintage) -> pd.DataFrame:
    """Zero-pad codes, NFC-normalise names, add the short name and the vintage."""
    for column, width in CODE_WIDTHS.items():
        if column in frame:
            frame[column] = frame[column].map(
                lambda code, w=width: pad_code(code, w), na_action="ignore"
            )
    for column in frame.columns:
        if column.endswith(("_name", "_type")):
            frame[column] = frame[column].map(normalize_text, na_action="ignore")
    if s.COMMUNE_NAME in frame:
        frame.insert(2, s.COMMUNE_SHORT_NAME, frame[s.COMMUNE_NAME].map(strip_prefix))
    frame[s.VINTAGE] = vintage
    return frame.reset_index(drop=True)


def _parse_bounds(bounds: pd.Series) -> pd.DataFrame:
    """Parse the register's "lat,lon – lat,lon" boxes into four float columns (S, W, N, E)."""
    parts = bounds.str.replace("–", ",", regex=False).str.split(",", expand=True)
    return parts.astype(float).set_axis(range(4), axis=1)[[0, 1, 2, 3]].to_numpy()
