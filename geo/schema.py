"""Column names, vintages and file names shared by the whole project.

Every module refers to these constants rather than repeating string literals,
so a column is renamed in one place.
"""

from __future__ import annotations

from typing import Final, Literal

Vintage = Literal["2025", "legacy"]
VINTAGE_2025: Final = "2025"
VINTAGE_LEGACY: Final = "legacy"

# Codes are zero-padded strings: province 2 digits, district 3, commune 5.
PROVINCE_CODE_WIDTH: Final = 2
DISTRICT_CODE_WIDTH: Final = 3
COMMUNE_CODE_WIDTH: Final = 5

# Identity columns of a commune (both vintages).
COMMUNE_CODE: Final = "commune_code"
COMMUNE_NAME: Final = "commune_name"  # full name with type prefix: "Phường Hồng Hà"
COMMUNE_SHORT_NAME: Final = "commune_short_name"  # without prefix: "Hồng Hà"
COMMUNE_TYPE: Final = "commune_type"  # Xã, Phường, Đặc khu (2025); Xã, Phường, Thị trấn (legacy)
DISTRICT_CODE: Final = "district_code"
DISTRICT_NAME: Final = "district_name"
DISTRICT_TYPE: Final = "district_type"
PROVINCE_CODE: Final = "province_code"
PROVINCE_NAME: Final = "province_name"  # full name: "Thành phố Hà Nội"
PROVINCE_SHORT_NAME: Final = "province_short_name"  # "Hà Nội"
VINTAGE: Final = "vintage"

# Official position and size from the register.
LON: Final = "lon"
LAT: Final = "lat"
AREA_KM2_OFFICIAL: Final = "area_km2_official"
BBOX_WEST: Final = "bbox_west"
BBOX_SOUTH: Final = "bbox_south"
BBOX_EAST: Final = "bbox_east"
BBOX_NORTH: Final = "bbox_north"

# Derived attributes of the embedded approximate boundaries.
AREA_KM2: Final = "area_km2"  # area of the polygon as drawn (equal-area projection)
N_COMMUNES: Final = "n_communes"  # 2025 communes in a province (provinces_2025 layer)
N_LEGACY_COMMUNES: Final = (
    "n_legacy_communes"  # legacy communes that merged (wholly or partly) into a 2025 commune
)
APPROXIMATE: Final = "approximate"  # True when the polygon is generated, not surveyed
# Imported boundaries (the ``communes`` layer of ``python -m geo import-boundaries``).
EXTENT_SHARE: Final = (
    "extent_share"  # 0-1: share of the official extent the polygon covers (legacy bbox, 2025 area)
)
IS_PART: Final = "is_part"  # True: the polygon is only part of its commune (extent_share low, see geo.importing.parts)
NEW_COMMUNE_CODES: Final = (
    "new_commune_codes"  # ";"-joined 2025 communes a legacy commune feeds (communes_legacy layer)
)

# Legacy -> 2025 crosswalk.
LEGACY_COMMUNE_CODE: Final = "legacy_commune_code"
LEGACY_DISTRICT_CODE: Final = "legacy_district_code"
LEGACY_PROVINCE_CODE: Final = "legacy_province_code"
LEGACY_COMMUNE_NAME: Final = "legacy_commune_name"
NEW_COMMUNE_CODE: Final = "new_commune_code"
NEW_PROVINCE_CODE: Final = "new_province_code"
NEW_COMMUNE_NAME: Final = "new_commune_name"
IS_SPLIT: Final = "is_split"  # the legacy commune went to more than one 2025 commune
IS_DEFAULT: Final = "is_default"  # the 2025 commune that took the legacy commune's seat
N_TARGETS: Final = "n_targets"  # how many 2025 communes the legacy commune feeds

# Layers of a boundaries GeoPackage (the embedded default and any --data-dir).
BOUNDARIES_FILE: Final = "vn_boundaries_approx.gpkg"
LAYER_COMMUNES_2025: Final = "communes_2025"
LAYER_PROVINCES_2025: Final = "provinces_2025"
LAYER_COMMUNES_LEGACY: Final = "communes_legacy"
LAYER_DISTRICTS_LEGACY: Final = "districts_legacy"
LAYER_PROVINCES_LEGACY: Final = "provinces_legacy"

WGS84: Final = "EPSG:4326"
# Equal-area projection for areas over the whole of Vietnam (Albers, standard parallels 11°N and 21°N).
VN_EQUAL_AREA: Final = "+proj=aea +lat_0=16 +lon_0=106 +lat_1=11 +lat_2=21 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"

# Layers of an indicators GeoPackage (python -m geo build-indicators).
LAYER_COMMUNES: Final = "communes"
LAYER_DISTRICTS: Final = "districts"
LAYER_PROVINCES: Final = "provinces"

# Indicator columns (issue 5). Counts are people, households, villages, teams,
# members; percentages are 0-100 and rebuilt from numerator / denominator.
POP_TOTAL: Final = "pop_total"  # people living in the unit (population raster, area-weighted)
POP_COVERED_4G: Final = "pop_covered_4g"  # of those, people living where 4G is predicted/measured
PCT_POP_4G: Final = "pct_pop_4g"
AREA_COVERED_4G_KM2: Final = (
    "area_covered_4g_km2"  # km² of the unit with 4G (numerator of pct_area_4g)
)
AREA_OBSERVED_KM2: Final = (
    "area_observed_km2"  # km² of the unit inside the coverage data (denominator)
)
PCT_AREA_4G: Final = "pct_area_4g"
HOUSEHOLDS: Final = "households"
HOUSEHOLDS_FIBRE: Final = "households_fibre"  # households able to subscribe to fibre broadband
HOUSEHOLDS_FIBRE_SUBSCRIBED: Final = (
    "households_fibre_subscribed"  # households subscribed to fibre (FTTH subscriptions)
)
PCT_HOUSEHOLDS_FIBRE: Final = "pct_households_fibre"
FIBRE_TO_COMMUNE: Final = "fibre_to_commune"  # bool: fibre reaches the commune
COMMUNES_WITH_FIBRE: Final = (
    "communes_with_fibre"  # count of fibre_to_commune (districts, provinces)
)
COMMUNES_FIBRE_KNOWN: Final = "communes_fibre_known"  # communes whose fibre_to_commune is known
PCT_COMMUNES_FIBRE: Final = "pct_communes_fibre"
VILLAGES: Final = "villages"
VILLAGES_WITH_TEAM: Final = "villages_with_team"
PCT_VILLAGES_TEAM: Final = "pct_villages_team"
TEAMS: Final = "teams"  # community digital-technology teams (Tổ công nghệ số cộng đồng)
TEAM_MEMBERS: Final = "team_members"
HAS_TEAM: Final = "has_team"  # a table's yes/no "Có tổ CNSCĐ" column as read; counted as 1/0 teams
UNCOVERED: Final = "uncovered"  # bool: at least one chosen target fails
UNCOVERED_REASONS: Final = "uncovered_reasons"  # "; "-joined failed targets
N_UNCOVERED: Final = "n_uncovered"  # uncovered communes (districts, provinces)

# Where each input came from and when it was valid: SOURCE_<input>, AS_OF_<input>.
MOBILE: Final = "mobile"
POPULATION: Final = "population"
FIBRE: Final = "fibre"
TEAMS_INPUT: Final = "teams"
INPUTS: Final = (MOBILE, POPULATION, FIBRE, TEAMS_INPUT)


def source_column(name: str) -> str:
    """Column holding the file an input came from ("source_fibre")."""
    return f"source_{name}"


def as_of_column(name: str) -> str:
    """Column holding the as-of date (ISO) of an input ("as_of_fibre")."""
    return f"as_of_{name}"


# Vintage conversion of tables (legacy <-> 2025), recorded per target unit.
CONVERSION_METHOD: Final = (
    "conversion_method"  # "direct", "population-weighted", "area-weighted", "equal-shares"
)
CONVERSION_WEIGHTS: Final = (
    "conversion_weights"  # "source:weight;..." for the units that were shared out
)
WEIGHT: Final = "weight"  # share of a source unit that goes to a target unit, in [0, 1]

# Table rows before they are rolled up to communes.
VILLAGE_NAME: Final = "village_name"
VILLAGE_HAS_4G: Final = "village_has_4g"  # bool per village: 4G signal reaches it (False for "thôn trắng sóng"/"lõm sóng")
VILLAGE_NO_SIGNAL: Final = "village_no_signal"  # a "Thôn trắng sóng" column as read (yes = NO signal); inverted into VILLAGE_HAS_4G
SOURCE_COMMUNE_CODE: Final = "source_commune_code"  # a village's commune in its table's vintage, when that differs from the boundaries'
CANDIDATE_CODES: Final = "candidate_codes"  # ";"-joined communes a village may be in when its legacy commune was split (commune_code empty)
TECHNOLOGY: Final = (
    "technology"  # a site's radio technology: "2G", "3G", "4G", "5G" ("/"-joined when several)
)
DEMO: Final = "demo"  # True in every demo file and layer
