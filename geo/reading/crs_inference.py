"""Decide which CRS a boundary file is in: from its .prj, from ``--crs``, or from evidence.

A file without a .prj is never read as WGS 84 by default (DOMAIN.md §2).
Instead every candidate of :func:`geo.reference.crs.candidate_crs` (degrees or metres,
WGS 84 or VN-2000, UTM or each TM-3 meridian, X/Y swapped or not) is tried
on the features' centroids, and scored by how close it puts them to the
**official centroids** of the register: the same-named commune when a name
is known (``name_key``), else the nearest commune. The score of a candidate
is the median distance in metres.

The rules, in order:

1. Candidates whose points lie within ``TWIN_M`` of the best candidate's
   points are *twins* that centroids cannot reliably tell apart (WGS 84 vs
   VN-2000 lon/lat: ~225 m; UTM 48N vs TM-3 105°: a 0.03 % scale). Among
   twins, a systematic shift decides: the twin whose median offset vector is
   smallest wins if it is at least ``SHIFT_FACTOR`` times smaller and
   ``SHIFT_MIN_M`` smaller than the default's; otherwise the default wins,
   which is WGS 84 for degrees (the usual meaning of unlabelled lon/lat, and
   the datum of GPS, KML and GeoJSON) and, for metres, the TM-3 zone of the
   province the data was made for (``PROVINCE_MERIDIAN``), else a TM-3 zone
   over UTM (provincial data is made in TM-3).
2. The best candidate must be clearly better than the best candidate that
   is not its twin: ``runner-up ≥ CLEAR_FACTOR × best`` and
   ``best ≤ MAX_BEST_M``; otherwise the evidence is ambiguous and a
   :class:`~geo.errors.CRSError` asks for ``--crs``.
3. A declared CRS (.prj, a GeoPackage SRS) is honoured, but checked: if it
   puts the features more than ``MAX_BEST_M`` from their communes the file
   is refused (a wrong .prj is as bad as none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.spatial import cKDTree

from geo import schema as s
from geo.errors import CRSError
from geo.reference.crs import (
    PROVINCE_MERIDIAN,
    TM3_EPSG,
    VN2000_GEOGRAPHIC,
    CandidateCRS,
    candidate_crs,
    is_vn2000,
    official_vn2000_transformer,
    swap_xy,
    to_wgs84,
)

TWIN_M: Final = 1500.0
SHIFT_FACTOR: Final = 3.0
SHIFT_MIN_M: Final = 100.0
CLEAR_FACTOR: Final = 2.0
CONSISTENT_FACTOR: Final = (
    1.25  # enough when the choice is also the TM-3 zone of the province it lands in
)
MAX_BEST_M: Final = 15_000.0
MIN_POINTS: Final = 3
MAX_POINTS: Final = 400
_M_PER_DEGREE: Final = 111_320.0

CRSSource = Literal["file", "argument", "inferred"]


@dataclass(frozen=True)
class CentroidReference:
    """Official centroids to score candidates against: lon/lat, a name key and a province per commune."""

    lon: np.ndarray
    lat: np.ndarray
    keys: tuple[str, ...]
    province_codes: tuple[str, ...]
    tree: cKDTree = field(repr=False, compare=False)
    by_key: dict[str, np.ndarray] = field(repr=False, compare=False)

    @classmethod
    def from_register(cls, register: pd.DataFrame, *, key_column: str) -> CentroidReference:
        """Build from a register frame with lon, lat, province_code and a key column."""
        kept = register.dropna(subset=[s.LON, s.LAT]).reset_index(drop=True)
        lon, lat = kept[s.LON].to_numpy(float), kept[s.LAT].to_numpy(float)
        keys = kept[key_column].astype(str)
        return cls(
            lon=lon,
            lat=lat,
            keys=tuple(keys),
            province_codes=tuple(kept[s.PROVINCE_CODE].astype(str)),
            tree=cKDTree(_scaled(lon, lat)),
            by_key={str(k): np.asarray(v) for k, v in keys.groupby(keys).groups.items()},
        )


@dataclass(frozen=True)
class CandidateScore:
    """How close one candidate puts the features to their official centroids."""

    label: str
    median_m: float
    shift_m: float  # length of the median offset vector: a systematic shift
    n_points: int
    method: str = "nearest"  # "name": same-named communes; "nearest": nearest centroid


@dataclass(frozen=True)
class CRSChoice:
    """The CRS chosen for a file, where it came from, and the evidence.

    Attributes
    ----------
    crs, swapped
        Apply ``crs`` after swapping X/Y when ``swapped``.
    label
        Human-readable name of the choice.
    source
        "file" (.prj or layer SRS), "argument" (``--crs``) or "inferred".
    evidence
        One sentence: best and runner-up distances, and any rule applied.
    best_m, runner_up_m, runner_up_label
        Median distance to the official centroids under the choice and under
        the best non-twin alternative (None when not computed).
    method
        "name" (same-named communes) or "nearest" (nearest centroid).
    """

    crs: pyproj.CRS
    label: str
    swapped: bool
    source: CRSSource
    evidence: str
    best_m: float | None = None
    runner_up_label: str | None = None
    runner_up_m: float | None = None
    method: str | None = None


def choose_crs(
    frame: gpd.GeoDataFrame,
    *,
    declared: bool,
    reference: CentroidReference,
    forced: str | None = None,
    names: pd.Series | None = None,
    province_code: str | None = None,
) -> CRSChoice:
    """Decide the CRS of ``frame``: ``forced``, else the declared one (checked), else inferred.

    Parameters
    ----------
    frame
        Features as read; ``frame.crs`` is the declared CRS if ``declared``.
    declared
        Whether the file itself declares its CRS.
    reference
        Official centroids (see :class:`CentroidReference`).
    forced
        A CRS given by the user (``--crs EPSG:NNNN``); used as given.
    names
        Name keys of the features (aligned with ``frame``), or None.
    province_code
        Legacy province the data was made for (``--province``), to prefer its TM-3 meridian.
    """
    points = _sample_points(frame)
    keys = None if names is None else [names.iloc[i] for i in points.index_positions]
    if forced is not None:
        crs = _parse_crs(forced)
        score = score_candidate(points.xy, CandidateCRS(crs, crs.name), reference, keys=keys)
        return CRSChoice(
            crs,
            crs.name,
            False,
            "argument",
            f"given with --crs; features lie {_km(score.median_m)} from their communes",
            score.median_m,
        )
    if declared and frame.crs is not None:
        return _check_declared(frame.crs, points.xy, reference, keys)
    return infer_crs(points.xy, reference=reference, keys=keys, province_code=province_code)


def infer_crs(
    xy: np.ndarray,
    *,
    reference: CentroidReference,
    keys: list[str] | None = None,
    province_code: str | None = None,
) -> CRSChoice:
    """Infer the CRS of raw coordinates ``xy`` (n × 2) from the official centroids.

    Raises
    ------
    CRSError
        When no candidate is clearly best (see the module rules).
    """
    if len(xy) < MIN_POINTS:
        raise CRSError(
            f"the file has {len(xy)} features, too few to infer its CRS; pass --crs EPSG:NNNN or add a .prj"
        )
    candidates = candidate_crs()
    lonlat = [transform_points(xy, c) for c in candidates]
    scores = [score_points(p, reference, keys=keys) for p in lonlat]
    order = np.argsort([sc.median_m for sc in scores])
    best = int(order[0])
    twins = [i for i in order if _median_gap(lonlat[best], lonlat[i]) < TWIN_M]
    meridian = _meridian(province_code, lonlat[best], reference)
    chosen, rule = _pick_twin(twins, candidates, scores, meridian=meridian)
    others = [i for i in order if i not in twins and np.isfinite(scores[i].median_m)]
    runner = int(others[0]) if others else None
    consistent = meridian is not None and candidates[chosen].crs.to_epsg() == TM3_EPSG.get(meridian)
    factor = CONSISTENT_FACTOR if consistent else CLEAR_FACTOR
    if consistent:
        rule += f"; it is the TM-3 zone of the province the data is for ({meridian:g}°), so a {factor:g}× margin suffices"
    runner_pair = None if runner is None else (candidates[runner], scores[runner])
    return _decide(candidates[chosen], scores[chosen], runner_pair, rule, factor=factor)


def _decide(
    chosen: CandidateCRS,
    score: CandidateScore,
    runner: tuple[CandidateCRS, CandidateScore] | None,
    rule: str,
    *,
    factor: float = CLEAR_FACTOR,
) -> CRSChoice:
    runner_m = runner[1].median_m if runner else float("inf")
    runner_label = runner[0].label if runner else None
    evidence = (
        f"{chosen.label}: features lie {_km(score.median_m)} (median of {score.n_points} points, {score.method} "
        f"match) from their official centroids; runner-up {runner_label or 'none'} at {_km(runner_m)}; {rule}"
    )
    if (
        not np.isfinite(score.median_m)
        or score.median_m > MAX_BEST_M
        or runner_m < factor * score.median_m
    ):
        raise CRSError(
            f"cannot tell the file's coordinate system from its coordinates ({evidence}); "
            "pass --crs EPSG:NNNN (e.g. --crs EPSG:9209 for VN-2000 TM-3 105°30′) or add the .prj file"
        )
    return CRSChoice(
        chosen.crs,
        chosen.label,
        chosen.swapped,
        "inferred",
        evidence,
        score.median_m,
        runner_label,
        runner_m,
        score.method,
    )


def _pick_twin(
    twins: list[int],
    candidates: list[CandidateCRS],
    scores: list[CandidateScore],
    *,
    meridian: float | None,
) -> tuple[int, str]:
    """Among candidates centroids cannot separate, apply the default or a clear systematic shift."""
    default = _default_twin(twins, candidates, meridian=meridian)
    if len(twins) == 1:
        return twins[0], "no other candidate comes within 1.5 km of it"
    sharpest = min(twins, key=lambda i: scores[i].shift_m)
    shift_default, shift_best = scores[default].shift_m, scores[sharpest].shift_m
    names = ", ".join(candidates[i].label for i in twins)
    if (
        sharpest != default
        and shift_best * SHIFT_FACTOR <= shift_default
        and shift_default - shift_best >= SHIFT_MIN_M
    ):
        return sharpest, (
            f"twins [{names}] differ by a systematic shift: {_km(shift_best)} for the choice vs "
            f"{_km(shift_default)} for {candidates[default].label}"
        )
    return default, (
        f"twins [{names}] cannot be told apart by centroids (systematic shift {_km(scores[default].shift_m)} vs "
        f"{_km(shift_best)}); chose the default {candidates[default].label}"
    )


def _default_twin(
    twins: list[int], candidates: list[CandidateCRS], *, meridian: float | None
) -> int:
    """WGS 84 for degrees; the province's TM-3 zone, else any TM-3 zone, for metres."""

    def rank(i: int) -> tuple[int, int]:
        crs = candidates[i].crs
        if crs.is_geographic:
            return (0 if not is_vn2000(crs) else 1, twins.index(i))
        code = crs.to_epsg()
        if meridian is not None and code == TM3_EPSG.get(meridian):
            return (0, twins.index(i))
        return (1 if code in TM3_EPSG.values() else 2, twins.index(i))

    return min(twins, key=rank)


def _meridian(
    province_code: str | None, lonlat: np.ndarray, reference: CentroidReference
) -> float | None:
    """TM-3 meridian of the given province, else of the province most points fall in (if ≥ 80%)."""
    if province_code is not None:
        return PROVINCE_MERIDIAN.get(province_code)
    finite = lonlat[np.isfinite(lonlat).all(axis=1)]
    if len(finite) == 0:
        return None
    _, index = reference.tree.query(_scaled(finite[:, 0], finite[:, 1]))
    provinces = pd.Series([reference.province_codes[i] for i in index])
    top = provinces.value_counts()
    if top.iloc[0] < 0.8 * len(provinces):
        return None
    return PROVINCE_MERIDIAN.get(str(top.index[0]))


def _check_declared(
    crs: pyproj.CRS, xy: np.ndarray, reference: CentroidReference, keys: list[str] | None
) -> CRSChoice:
    score = score_candidate(xy, CandidateCRS(crs, crs.name), reference, keys=keys)
    if not np.isfinite(score.median_m) or score.median_m > MAX_BEST_M:
        raise CRSError(
            f"the file declares {crs.name} but under it the features lie {_km(score.median_m)} from their communes; "
            "the .prj is wrong: pass the right one with --crs EPSG:NNNN (or delete the .prj to let the CRS be inferred)"
        )
    evidence = f"declared by the file; features lie {_km(score.median_m)} (median) from their official centroids"
    return CRSChoice(crs, crs.name, False, "file", evidence, score.median_m)


def score_candidate(
    xy: np.ndarray,
    candidate: CandidateCRS,
    reference: CentroidReference,
    *,
    keys: list[str] | None = None,
) -> CandidateScore:
    """Score one candidate on raw coordinates ``xy``."""
    return score_points(
        transform_points(xy, candidate), reference, keys=keys, label=candidate.label
    )


def score_points(
    lonlat: np.ndarray,
    reference: CentroidReference,
    *,
    keys: list[str] | None = None,
    label: str = "",
) -> CandidateScore:
    """Median distance (m) from ``lonlat`` to the same-named, else the nearest, official centroid."""
    ok = np.isfinite(lonlat).all(axis=1)
    if ok.sum() < MIN_POINTS:
        return CandidateScore(label, float("inf"), float("inf"), int(ok.sum()))
    offsets = _named_offsets(lonlat, reference, keys) if keys is not None else None
    method = "name" if offsets is not None else "nearest"
    if offsets is None:
        _, index = reference.tree.query(_scaled(lonlat[ok, 0], lonlat[ok, 1]))
        offsets = _offsets(lonlat[ok], reference.lon[index], reference.lat[index])
    distance = np.hypot(offsets[:, 0], offsets[:, 1])
    shift = float(np.hypot(*np.median(offsets, axis=0)))
    return CandidateScore(label, float(np.median(distance)), shift, len(distance), method)


def _named_offsets(
    lonlat: np.ndarray, reference: CentroidReference, keys: list[str]
) -> np.ndarray | None:
    """Offsets to the nearest same-named centroid, or None when too few names are known."""
    by_key = reference.by_key
    rows = []
    for (lon, lat), key in zip(lonlat, keys):
        found = by_key.get(key)
        if found is None or not np.isfinite(lon) or not np.isfinite(lat):
            continue
        offsets = _offsets(
            np.array([[lon, lat]]).repeat(len(found), axis=0),
            reference.lon[found],
            reference.lat[found],
        )
        rows.append(offsets[np.argmin(np.hypot(offsets[:, 0], offsets[:, 1]))])
    if len(rows) < max(MIN_POINTS, 0.2 * len(keys)):
        return None
    return np.array(rows)


def _offsets(lonlat: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    dx = (lonlat[:, 0] - lon) * _M_PER_DEGREE * np.cos(np.radians(lat))
    dy = (lonlat[:, 1] - lat) * _M_PER_DEGREE
    return np.column_stack([dx, dy])


def transform_points(xy: np.ndarray, candidate: CandidateCRS) -> np.ndarray:
    """Raw coordinates → WGS 84 lon/lat under ``candidate`` (non-finite where impossible)."""
    xy = xy[:, ::-1] if candidate.swapped else xy
    crs = candidate.crs
    if crs.is_geographic and not (
        (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()
    ):
        return np.full_like(xy, np.nan, dtype=float)
    if crs.is_projected and (np.abs(xy) < 1000).all():
        return np.full_like(xy, np.nan, dtype=float)  # degrees are not metres
    lon, lat = _transformer(crs.to_wkt()).transform(xy[:, 0], xy[:, 1], errcheck=False)
    if is_vn2000(crs):
        lon, lat = official_vn2000_transformer().transform(lon, lat, errcheck=False)
    out = np.column_stack([lon, lat]).astype(float)
    out[~np.isfinite(out).all(axis=1) | (np.abs(out[:, 0]) > 180) | (np.abs(out[:, 1]) > 90)] = (
        np.nan
    )
    return out


@cache
def _transformer(wkt: str) -> pyproj.Transformer:
    """To the CRS's own geographic CRS (VN-2000 lon/lat for VN-2000), a pure inverse projection."""
    crs = pyproj.CRS.from_wkt(wkt)
    target = VN2000_GEOGRAPHIC if is_vn2000(crs) else s.WGS84
    return pyproj.Transformer.from_crs(crs, target, always_xy=True)


def apply_crs(frame: gpd.GeoDataFrame, choice: CRSChoice) -> gpd.GeoDataFrame:
    """Put ``frame`` in WGS 84 under ``choice`` (swap, set the CRS, reproject via EPSG:6960)."""
    raw = frame.set_crs(None, allow_override=True) if frame.crs is not None else frame
    if choice.swapped:
        raw = swap_xy(raw)
    return to_wgs84(raw.set_crs(choice.crs, allow_override=True))


@dataclass(frozen=True)
class _Points:
    xy: np.ndarray
    index_positions: list[int]


def _sample_points(frame: gpd.GeoDataFrame) -> _Points:
    """Centroids of up to ``MAX_POINTS`` non-empty features, evenly spread through the file."""
    geometry = frame.geometry.array
    usable = np.flatnonzero(~(shapely.is_empty(geometry) | shapely.is_missing(geometry)))
    if len(usable) > MAX_POINTS:
        usable = usable[np.linspace(0, len(usable) - 1, MAX_POINTS).astype(int)]
    centroids = shapely.centroid(geometry[usable])
    return _Points(
        np.column_stack([shapely.get_x(centroids), shapely.get_y(centroids)]), usable.tolist()
    )


def _median_gap(a: np.ndarray, b: np.ndarray) -> float:
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    if not ok.any():
        return float("inf")
    offsets = _offsets(a[ok], b[ok, 0], b[ok, 1])
    return float(np.median(np.hypot(offsets[:, 0], offsets[:, 1])))


def _parse_crs(text: str) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError as error:
        raise CRSError(
            f"--crs {text!r} is not a CRS PROJ knows; pass e.g. EPSG:9209 (VN-2000 TM-3 105°30′) or EPSG:4326"
        ) from error


def _scaled(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return np.column_stack([lon * np.cos(np.radians(16.0)), lat])


def _km(metres: float) -> str:
    if not np.isfinite(metres):
        return "nowhere near"
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.1f} km"
