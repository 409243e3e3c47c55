"""Mobile coverage inputs turned into one binary mask: raster, polygons, or BTS sites.

Three kinds of input say where 4G is available:

- a **raster**, either a binary mask (1 covered, 0 not) or signal strength
  (RSRP in dBm) read against a threshold such as −110 dBm;
- operator **coverage polygons** (any vector file :mod:`geo.reading.read` opens);
- a **BTS site list**, turned into predicted signal strength by the
  COST-231 Hata model (:func:`predict_rsrp`).

:func:`prepare_mask` reads a raster once, strip by strip, so a national
30 m raster never has to fit in memory. In that single pass it writes the
binary mask (same grid as the input; nodata inside the raster counts as *not
covered*, as operators leave no-signal areas empty) and, when a population
grid is given, the covered *fraction* of every population cell (the block
average of the mask over the cell, each mask cell assigned to the population
cell that holds its centre). Multiplying that fraction by the population is
how covered population is counted (see :mod:`geo.indicators.zonal`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import shapely
from affine import Affine
from rasterio.windows import Window

from geo import schema as s
from geo.errors import CRSError, InputError
from geo.indicators.targets import Propagation

STRIP_CELLS: Final = 8_000_000  # cells read per strip of the coverage raster
MASK_PROFILE: Final = {
    "driver": "GTiff",
    "dtype": "uint8",
    "count": 1,
    "tiled": True,
    "blockxsize": 256,
    "blockysize": 256,
    "compress": "deflate",
}


@dataclass(frozen=True)
class Grid:
    """A raster grid: CRS, affine transform and shape (rows, columns)."""

    crs: pyproj.CRS
    transform: Affine
    height: int
    width: int

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> Grid:
        """The grid of the raster at ``path``."""
        with open_raster(path) as dataset:
            return cls(
                crs=pyproj.CRS(dataset.crs),
                transform=dataset.transform,
                height=dataset.height,
                width=dataset.width,
            )


@dataclass(frozen=True)
class PreparedMask:
    """The binary coverage mask, and the covered fraction of each population cell.

    Attributes
    ----------
    mask
        GeoTIFF, uint8: 1 covered, 0 not covered; same grid as the input.
    fraction
        Covered share (0–1) of every cell of the population grid, float32,
        0 where the coverage raster has no cell; None without a population grid.
    observed
        True for population cells that hold at least one coverage cell.
    """

    mask: Path
    fraction: np.ndarray | None = None
    observed: np.ndarray | None = None


def open_raster(path: str | os.PathLike[str]) -> rasterio.DatasetReader:
    """Open a raster, with an error that names the file and says the fix."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"raster not found: {path}; pass an existing GeoTIFF")
    try:
        dataset = rasterio.open(path)
    except rasterio.errors.RasterioIOError as error:
        raise InputError(f"cannot open {path} as a raster ({error}); pass a GeoTIFF") from error
    if dataset.crs is None:
        dataset.close()
        raise CRSError(
            f"raster {path} has no CRS; write it with one (e.g. gdal_edit.py -a_srs EPSG:4326 {path.name})"
        )
    return dataset


def covered_cells(
    values: np.ndarray, valid: np.ndarray, *, threshold: float | None, where: str
) -> np.ndarray:
    """Binary coverage of raster values: ``value >= threshold``, or a 0/1 mask when ``threshold`` is None.

    Invalid (nodata) cells are not covered. A mask with other values than 0/1
    is an error: it is probably signal strength that needs a threshold.
    """
    if threshold is not None:
        return (valid & (values >= threshold)).astype(np.uint8)
    odd = valid & (values != 0) & (values != 1)
    if odd.any():
        example = values[odd].flat[0]
        raise InputError(
            f"raster {where} holds values other than 0 and 1 (e.g. {example}); if it is signal strength in dBm pass --mobile-threshold -110"
        )
    return (valid & (values == 1)).astype(np.uint8)


def prepare_mask(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    threshold: float | None = None,
    population_grid: Grid | None = None,
) -> PreparedMask:
    """Write the binary mask of ``source`` to ``out`` in one strip-wise pass (see the module docstring).

    Parameters
    ----------
    source
        Coverage raster: 0/1 mask, or signal strength with ``threshold``.
    out
        GeoTIFF to write (uint8, tiled, deflate).
    threshold
        Covered where ``value >= threshold`` (e.g. −110 dBm); None for a 0/1 mask.
    population_grid
        Grid on which to accumulate the covered fraction (the population raster's).
    """
    with open_raster(source) as dataset:
        profile = {
            **MASK_PROFILE,
            "crs": dataset.crs,
            "transform": dataset.transform,
            "width": dataset.width,
            "height": dataset.height,
        }
        accumulate = (
            _Accumulator(Grid.of(source), population_grid) if population_grid is not None else None
        )
        with rasterio.open(out, "w", **profile) as sink:
            rows = max(1, STRIP_CELLS // dataset.width)
            for top in range(0, dataset.height, rows):
                window = Window(0, top, dataset.width, min(rows, dataset.height - top))
                band = dataset.read(1, window=window, masked=True)
                valid = ~np.ma.getmaskarray(band) & np.isfinite(band.filled(0))
                mask = covered_cells(band.data, valid, threshold=threshold, where=str(source))
                sink.write(mask, 1, window=window)
                if accumulate is not None:
                    accumulate.add(mask, top)
    if accumulate is None:
        return PreparedMask(mask=Path(out))
    fraction, observed = accumulate.result()
    return PreparedMask(mask=Path(out), fraction=fraction, observed=observed)


class _Accumulator:
    """Sums covered and total mask cells per population cell (by cell centre)."""

    def __init__(self, mask_grid: Grid, population_grid: Grid) -> None:
        self.mask_grid, self.grid = mask_grid, population_grid
        size = population_grid.height * population_grid.width
        self.covered = np.zeros(size, dtype=np.float64)
        self.total = np.zeros(size, dtype=np.float64)
        self.same_crs = mask_grid.crs == population_grid.crs
        self.transformer = (
            None
            if self.same_crs
            else pyproj.Transformer.from_crs(mask_grid.crs, population_grid.crs, always_xy=True)
        )

    def add(self, mask: np.ndarray, top: int) -> None:
        rows, cols = mask.shape
        t = self.mask_grid.transform
        x = t.c + t.a * (np.arange(cols) + 0.5)
        y = t.f + t.e * (top + np.arange(rows) + 0.5)
        if self.same_crs and t.b == 0 and t.d == 0:
            index = self._index(
                np.broadcast_to(x, mask.shape), np.broadcast_to(y[:, None], mask.shape)
            )
        else:
            xx, yy = np.meshgrid(x, y)
            xx, yy = self.transformer.transform(xx, yy) if self.transformer else (xx, yy)
            index = self._index(xx, yy)
        inside = index >= 0
        size = self.covered.size
        self.covered += np.bincount(
            index[inside], weights=mask[inside].astype(np.float64), minlength=size
        )
        self.total += np.bincount(index[inside], minlength=size)

    def _index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        inverse = ~self.grid.transform
        col = inverse.a * x + inverse.b * y + inverse.c
        row = inverse.d * x + inverse.e * y + inverse.f
        col, row = np.floor(col).astype(np.int64), np.floor(row).astype(np.int64)
        ok = (col >= 0) & (col < self.grid.width) & (row >= 0) & (row < self.grid.height)
        return np.where(ok, row * self.grid.width + col, -1)

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        shape = (self.grid.height, self.grid.width)
        observed = self.total > 0
        fraction = np.divide(
            self.covered, self.total, out=np.zeros_like(self.covered), where=observed
        )
        return fraction.reshape(shape).astype(np.float32), observed.reshape(shape)


def read_coverage_polygons(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Operator coverage polygons, in WGS 84 (VN-2000 through the official transformation)."""
    from geo.reading.isolate import read_isolated
    from geo.reading.read import read_source
    from geo.reference.crs import to_wgs84

    layer = read_isolated(read_source, path, what=str(path))  # memory- and time-capped child
    if layer.frame.crs is None:
        raise CRSError(
            f"coverage polygons {path} have no CRS; write them again with one (a shapefile: add its .prj)"
        )
    frame = to_wgs84(layer.frame)
    return frame[~frame.geometry.is_empty & frame.geometry.notna()]


def union_polygons(polygons: gpd.GeoDataFrame) -> shapely.Geometry:
    """One (multi)polygon: everywhere any coverage polygon reaches, valid."""
    return shapely.union_all(shapely.make_valid(polygons.geometry.array))


# --- BTS sites → predicted signal strength (COST-231 Hata) -------------------------------------

SITE_COLUMNS: Final = {
    "lon": ("lon", "longitude", "lng", "kinhdo"),
    "lat": ("lat", "latitude", "vido"),
    "x": ("x", "toadox"),
    "y": ("y", "toadoy"),
    "technology": (
        "technology",
        "tech",
        "radio",
        "rat",
        "congnghe",
        "loaitram",
        "loaicongnghe",
        "thehe",
        "generation",
        "mang",
    ),
    "height_m": ("height", "heightm", "docao", "docaoanten", "antennaheight"),
    "azimuth_deg": ("azimuth", "azimuthdeg", "huong", "gocphuongvi"),
    "environment": ("environment", "moitruong", "clutter"),
    "site_id": ("siteid", "id", "station", "matram", "tram", "tentram"),
    "mcc": ("mcc",),
    "net": ("net", "mnc"),
    "area": ("area", "lac", "tac"),
    "cell": ("cell", "cellid", "ci", "eci", "nci"),
}
#: Columns of OpenCelliD's cell exports (``cell_towers.csv``; the per-country files have no header row).
OPENCELLID_COLUMNS: Final = (
    "radio",
    "mcc",
    "net",
    "area",
    "cell",
    "unit",
    "lon",
    "lat",
    "range",
    "samples",
    "changeable",
    "created",
    "updated",
    "averageSignal",
)
#: Words of a technology cell (folded) → generation. "2G/3G/4G" is a site of three generations.
TECHNOLOGY_WORDS: Final = {
    "2G": ("2g", "gsm", "gprs", "edge", "dcs", "bts2g"),
    "3G": ("3g", "umts", "wcdma", "hspa", "hsdpa", "hspap", "cdma", "nodeb", "bts3g"),
    "4G": ("4g", "lte", "ltea", "lteadvanced", "enodeb", "enb", "volte", "bts4g"),
    "5G": ("5g", "nr", "gnodeb", "gnb", "5gnr", "nrsa", "nrnsa", "bts5g"),
}
MOBILE_4G: Final = "4G"
NODATA_DBM: Final = -32768
KM_PER_DEGREE: Final = 111.32
SITE_ROW: Final = "source_row"
#: Outcomes of site rows that are not used (``SiteList.report``) or used with a note.
NO_COORDINATES: Final = "no coordinates"
UNKNOWN_TECHNOLOGY: Final = "unknown technology"
DUPLICATE_SITE: Final = "duplicate"
OUTSIDE: Final = "outside the boundaries"


@dataclass(frozen=True)
class SiteList:
    """A BTS site list as read: the usable sites of every technology, and the rows not used.

    Attributes
    ----------
    sites
        ``lon``/``lat`` (WGS 84), ``technology`` ("2G", "3G", "4G", "5G", "/"-joined
        for a site of several; "4G" for every site when the list has no technology
        column), ``height_m``, ``azimuth_deg``, ``environment``, ``source_row`` and
        any of ``site_id``, ``mcc``, ``net``, ``area``, ``cell``.
    report
        ``source_row``, ``outcome`` (no coordinates, unknown technology,
        duplicate) and ``reason`` of every row not in ``sites``.
    technology_column
        The header the technology was read from; None when the list has none.
    path
        The file read.
    """

    sites: pd.DataFrame
    report: pd.DataFrame
    technology_column: str | None
    path: Path

    def of_technology(self, technology: str) -> pd.DataFrame:
        """The sites that carry ``technology`` ("4G": LTE only; 2G, 3G and 5G/NR sites are not 4G)."""
        carries = self.sites[s.TECHNOLOGY].str.split("/").map(lambda parts: technology in parts)
        return self.sites[carries.astype(bool)].reset_index(drop=True)

    def counts(self) -> dict[str, int]:
        """Sites per technology ("4G": 12 …), and rows not used per outcome."""
        techs = self.sites[s.TECHNOLOGY].str.split("/").explode().value_counts()
        return {**techs.to_dict(), **self.report["outcome"].value_counts().to_dict()}


def site_technology(value: object) -> str | None:
    """The generations a technology cell names: "LTE" → "4G", "GSM" → "2G", "2G/3G/4G"; None when unknown."""
    from geo.reading.vocabulary import header_words

    words = set(header_words(value)) if value is not None else set()
    words |= {"".join(header_words(value))} if value is not None else set()
    found = [g for g, names in TECHNOLOGY_WORDS.items() if words & set(names)]
    return "/".join(found) if found else None


def read_sites(
    path: str | os.PathLike[str], *, crs: str | None = None, environment: str = "suburban"
) -> pd.DataFrame:
    """The 4G sites of a BTS site list (see :func:`read_site_list`): 2G, 3G and 5G-only sites left out."""
    return read_site_list(path, crs=crs, environment=environment).of_technology(MOBILE_4G)


def read_site_list(
    path: str | os.PathLike[str], *, crs: str | None = None, environment: str = "suburban"
) -> SiteList:
    """A BTS site list as lon/lat (WGS 84) with technology, height, azimuth and environment.

    Coordinates are ``lon``/``lat`` (WGS 84), or VN-2000 ``X``/``Y`` in the
    projected CRS given by ``crs`` or a ``crs``/``epsg`` column; survey
    tables label X = northing, so the larger of the two is taken as the
    northing. The technology column (technology, radio, RAT, công nghệ, loại
    trạm …) is read as generations (GSM 2G, UMTS 3G, LTE 4G, NR 5G); OpenCelliD
    exports are read with or without their header row. Rows without
    coordinates, with an unknown technology, or repeating a row above are left
    out and reported.
    """
    frame, headers = _site_frame(Path(path))
    found = {
        field: next((c for c in frame.columns if c in names), None)
        for field, names in SITE_COLUMNS.items()
    }
    sites = pd.DataFrame({f: frame[c] for f, c in found.items() if c is not None})
    sites[SITE_ROW] = frame[SITE_ROW].to_numpy()
    sites = _site_coordinates(sites, frame, crs=crs, path=path, headers=headers)
    sites[s.TECHNOLOGY] = (
        sites.pop("technology").map(site_technology) if "technology" in sites else MOBILE_4G
    )
    sites["height_m"] = _numbers(sites, "height_m")
    sites["azimuth_deg"] = _numbers(sites, "azimuth_deg")
    sites["environment"] = (
        sites["environment"].fillna(environment).astype(str)
        if "environment" in sites
        else environment
    )
    kept, report = _site_report(sites)
    column = headers.get(found["technology"]) if found["technology"] else None
    return SiteList(sites=kept, report=report, technology_column=column, path=Path(path))


def _site_frame(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Cells under folded header keys, ``source_row`` (1-based), and folded key → header text."""
    from geo.reading.isolate import read_isolated
    from geo.reading.tables import header_key

    raw = read_isolated(_first_visible_sheet, path, what=str(path))  # memory- and time-capped child
    first = [header_key(v) if v is not None else "" for v in raw.iloc[0]]
    if first and first[0] in ("gsm", "umts", "lte", "nr", "cdma") and raw.shape[1] in (13, 14):
        names, start = list(OPENCELLID_COLUMNS[: raw.shape[1]]), 0  # OpenCelliD without header
    else:
        names, start = ["" if v is None else str(v) for v in raw.iloc[0]], 1
    keys = [header_key(n) for n in names]
    frame = raw.iloc[start:].set_axis(keys, axis=1).reset_index(drop=True)
    frame[SITE_ROW] = np.arange(start + 1, start + 1 + len(frame))
    return frame, {k: str(n) for k, n in zip(keys, names)}


def _first_visible_sheet(path: Path) -> pd.DataFrame:
    """The cells of the first visible sheet (the only one of a CSV), as :func:`read_raw` reads them."""
    from geo.reading.tables import list_sheets, read_raw

    visible = [x for x in list_sheets(path) if x.visible]
    return read_raw(path, sheet=visible[0].name or 0 if visible else 0)


def _numbers(sites: pd.DataFrame, column: str) -> pd.Series | float:
    return pd.to_numeric(sites[column], errors="coerce") if column in sites else np.nan


def _site_coordinates(
    sites: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    crs: str | None,
    path: object,
    headers: dict[str, str],
) -> pd.DataFrame:
    """``sites`` with float ``lon``/``lat`` in WGS 84 (NaN where a row has none), x/y dropped."""
    from geo.reading.tables import parse_coordinate

    out = sites.copy()
    if "lon" in out and "lat" in out:
        lon, lat = out.pop("lon").map(parse_coordinate), out.pop("lat").map(parse_coordinate)
    elif "x" in out and "y" in out:
        x, y = out.pop("x").map(parse_coordinate), out.pop("y").map(parse_coordinate)
        lon, lat = _vn2000_to_lonlat(x, y, crs or _crs_column(frame, path))
    else:
        raise InputError(
            f"site list {path} has no lon/lat or X/Y columns; found {list(headers.values())}; add 'lon' and 'lat' (WGS 84) or 'X' and 'Y' (VN-2000)"
        )
    out["lon"], out["lat"] = lon.astype(float).to_numpy(), lat.astype(float).to_numpy()
    return out


def _site_report(sites: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sites that can be used, and the rows that cannot with why (no coordinates, technology, duplicate)."""
    reason = pd.Series("", index=sites.index)
    outcome = pd.Series("", index=sites.index)
    valid = sites["lon"].between(-180, 180) & sites["lat"].between(-90, 90)
    outcome[~valid] = NO_COORDINATES
    reason[~valid] = "no usable longitude/latitude (empty, not a number or out of range): not used"
    unknown = valid & sites[s.TECHNOLOGY].isna()
    outcome[unknown] = UNKNOWN_TECHNOLOGY
    reason[unknown] = (
        "technology not one of GSM/2G, UMTS/3G, LTE/4G, NR/5G: not used; correct the cell"
    )
    identity = [c for c in sites.columns if c not in (SITE_ROW,)]
    ok = outcome == ""
    repeated = ok & sites[identity].astype(str).duplicated(keep="first")
    outcome[repeated] = DUPLICATE_SITE
    reason[repeated] = "the same site as a row above (every column equal): counted once"
    used = outcome == ""
    report = pd.DataFrame(
        {SITE_ROW: sites.loc[~used, SITE_ROW], "outcome": outcome[~used], "reason": reason[~used]}
    )
    return sites[used].reset_index(drop=True), report.reset_index(drop=True)


def sites_outside(sites: pd.DataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Report rows (``source_row``, ``outcome``, ``reason``) of the sites in no commune of ``communes``."""
    points = gpd.GeoSeries(gpd.points_from_xy(sites["lon"], sites["lat"]), crs=s.WGS84)
    polygons = communes.to_crs(s.WGS84) if communes.crs is not None else communes
    inside = np.zeros(len(sites), dtype=bool)
    hit, _ = polygons.sindex.query(points, predicate="intersects")
    inside[hit] = True
    return pd.DataFrame(
        {
            SITE_ROW: sites.loc[~inside, SITE_ROW].to_numpy(),
            "outcome": OUTSIDE,
            "reason": "site in no commune of the boundaries: used only where its predicted signal reaches them",
        }
    )


def _crs_column(frame: pd.DataFrame, path: object) -> str:
    column = next((c for c in frame.columns if c in ("crs", "epsg")), None)
    values = frame[column].dropna().astype(str).unique() if column else []
    if len(values) != 1:
        raise CRSError(
            f"site list {path} has VN-2000 X/Y but no single CRS; pass crs='EPSG:9209' (the province's TM-3 zone) or add an 'epsg' column"
        )
    value = values[0]
    return value if ":" in value else f"EPSG:{value}"


def _vn2000_to_lonlat(x: pd.Series, y: pd.Series, crs: str) -> tuple[pd.Series, pd.Series]:
    from geo.reference.crs import to_wgs84

    x, y = pd.to_numeric(x).reset_index(drop=True), pd.to_numeric(y).reset_index(drop=True)
    northing, easting = (x, y) if x.median() > y.median() else (y, x)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(easting, northing), crs=crs)
    wgs = to_wgs84(points)
    return pd.Series(wgs.geometry.x.to_numpy()), pd.Series(wgs.geometry.y.to_numpy())


def cost231_path_loss(
    distance_km: np.ndarray,
    *,
    frequency_mhz: float,
    base_height_m: float,
    mobile_height_m: float,
    clutter_db: float,
) -> np.ndarray:
    """COST-231 Hata path loss (dB) for a medium city, plus a clutter correction.

    L = 46.3 + 33.9 log f − 13.82 log h_b − a(h_m) + (44.9 − 6.55 log h_b) log d + C,
    a(h_m) = (1.1 log f − 0.7) h_m − (1.56 log f − 0.8). Valid for f 1,500–2,000 MHz,
    d 1–20 km, h_b 30–200 m; distances under 100 m are taken as 100 m.
    """
    log_f = math.log10(frequency_mhz)
    a_hm = (1.1 * log_f - 0.7) * mobile_height_m - (1.56 * log_f - 0.8)
    log_hb = math.log10(max(base_height_m, 1.0))
    log_d = np.log10(np.maximum(distance_km, 0.1))
    return 46.3 + 33.9 * log_f - 13.82 * log_hb - a_hm + (44.9 - 6.55 * log_hb) * log_d + clutter_db


def sector_loss(
    bearing_deg: np.ndarray, azimuth_deg: float, *, beamwidth_deg: float, front_to_back_db: float
) -> np.ndarray:
    """3GPP horizontal antenna pattern: min(12 (θ/θ3dB)², A_m) dB; 0 for an omni site (azimuth NaN)."""
    if not np.isfinite(azimuth_deg):
        return np.zeros_like(bearing_deg)
    theta = (bearing_deg - azimuth_deg + 180.0) % 360.0 - 180.0
    return np.minimum(12.0 * (theta / beamwidth_deg) ** 2, front_to_back_db)


def predict_rsrp(
    sites: pd.DataFrame,
    out: str | os.PathLike[str],
    *,
    bounds: tuple[float, float, float, float],
    propagation: Propagation,
    resolution_deg: float = 0.005,
    tags: dict[str, str] | None = None,
) -> Path:
    """Write the best-server RSRP (dBm, int16, WGS 84) predicted from ``sites`` over ``bounds``.

    RSRP = rs_power + antenna_gain − cable_loss − COST-231 Hata loss −
    clutter(environment) − sector pattern loss, the maximum over all sites;
    nodata (−32768) beyond every site's reach (``max_range_km``). Each site
    only touches the cells within its reach, so the cost grows with the
    number of sites, not with the grid.
    """
    west, south, east, north = bounds
    width, height = (
        math.ceil((east - west) / resolution_deg),
        math.ceil((north - south) / resolution_deg),
    )
    best = np.full((height, width), -np.inf, dtype=np.float32)
    reach_deg = propagation.max_range_km / KM_PER_DEGREE
    for site in sites.itertuples(index=False):
        rows, cols = _window(
            site.lat, site.lon, reach_deg, west, north, resolution_deg, height, width
        )
        if rows.start >= rows.stop or cols.start >= cols.stop:
            continue
        lat = north - (np.arange(rows.start, rows.stop) + 0.5) * resolution_deg
        lon = west + (np.arange(cols.start, cols.stop) + 0.5) * resolution_deg
        dy = (lat[:, None] - site.lat) * KM_PER_DEGREE
        dx = (lon[None, :] - site.lon) * KM_PER_DEGREE * math.cos(math.radians(site.lat))
        rsrp = _site_rsrp(
            np.hypot(dx, dy), np.degrees(np.arctan2(dx, dy)) % 360.0, site, propagation
        )
        np.maximum(best[rows, cols], rsrp, out=best[rows, cols])
    values = np.where(np.isfinite(best), np.round(best), NODATA_DBM).astype(np.int16)
    transform = Affine(resolution_deg, 0.0, west, 0.0, -resolution_deg, north)
    profile = {
        **MASK_PROFILE,
        "dtype": "int16",
        "nodata": NODATA_DBM,
        "crs": s.WGS84,
        "transform": transform,
        "width": width,
        "height": height,
        "predictor": 2,
    }
    with rasterio.open(out, "w", **profile) as sink:
        sink.write(values, 1)
        sink.update_tags(
            model="COST-231 Hata, best server RSRP in dBm",
            threshold_dbm=str(propagation.threshold_dbm),
            **(tags or {}),
        )
    return Path(out)


def _window(
    lat: float,
    lon: float,
    reach: float,
    west: float,
    north: float,
    res: float,
    height: int,
    width: int,
) -> tuple[slice, slice]:
    widen = reach / max(math.cos(math.radians(lat)), 0.1)
    r0, r1 = int((north - lat - reach) / res), int(math.ceil((north - lat + reach) / res))
    c0, c1 = int((lon - widen - west) / res), int(math.ceil((lon + widen - west) / res))
    return slice(max(r0, 0), min(r1, height)), slice(max(c0, 0), min(c1, width))


def _site_rsrp(
    distance_km: np.ndarray, bearing_deg: np.ndarray, site: object, p: Propagation
) -> np.ndarray:
    height = getattr(site, "height_m", np.nan)
    height = p.default_site_height_m if not np.isfinite(height) else float(height)
    loss = cost231_path_loss(
        distance_km,
        frequency_mhz=p.frequency_mhz,
        base_height_m=height,
        mobile_height_m=p.mobile_height_m,
        clutter_db=p.clutter(str(getattr(site, "environment", "suburban"))),
    )
    pattern = sector_loss(
        bearing_deg,
        float(getattr(site, "azimuth_deg", np.nan)),
        beamwidth_deg=p.beamwidth_deg,
        front_to_back_db=p.front_to_back_db,
    )
    rsrp = p.rs_power_dbm + p.antenna_gain_dbi - p.cable_loss_db - loss - pattern
    return np.where(distance_km <= p.max_range_km, rsrp, -np.inf).astype(np.float32)
