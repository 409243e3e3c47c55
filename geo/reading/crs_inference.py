"""Decide which CRS a boundary file is in: from its .prj, from ``--crs``, or from evidence.

A file without a CRS is never read as WGS 84 by default (DOMAIN.md §2).
Instead every candidate of :func:`geo.reference.crs.candidate_crs` (degrees or
metres, WGS 84 or VN-2000, UTM or each TM-3 meridian, X/Y swapped or not) is
tried on the features' centroids and scored against the **official
centroids** of the register: the commune of the same code when the file has
codes (``codes``), else the same-named commune (``names``), else the nearest
commune. Each score holds the median distance in metres and the systematic
offset (length of the median offset vector) with its standard error.

The rules, in order:

1. **Far apart.** Candidates that put the features more than ``TWIN_M`` from
   where the best one puts them are told apart by distance: the runner-up
   must lie ``CLEAR_FACTOR`` × farther (``CONSISTENT_FACTOR`` when the choice
   is the TM-3 zone of the province the features fall in), and the best
   within ``MAX_BEST_M``.
2. **Close together** (*twins*: WGS 84 vs VN-2000 is ~150–500 m, UTM vs
   TM-3 on one meridian a 0.03 % scale, i.e. ~300 m in northing): the
   median distance is dominated by how far a polygon's centroid lies from
   the official point, so only the systematic offset can tell them apart.
   The twin with the smallest offset wins if every twin that places the
   features more than ``SAME_M`` away has an offset larger by at least
   ``BIAS_M + Z_SE × SE``. ``BIAS_M`` is the offset the *right* CRS itself
   shows on real files (polygon centroids vs the register's official points:
   a property of the data, not chance). Measured 2026-12-07 on the 25
   real-world files under their known CRS: 1–29 m on the twelve 2025
   province files (by code, name or nearest centroid), 23 ± 20 m on HCMC's
   2019 wards (by code), 15–76 m on the twelve GADM files by nearest centroid
   (standard error 25–98 m; 196 ± 188 m for Điện Biên's few large
   communes). Hence ``BIAS_M`` = 100 m, and ``Z_SE`` = 3 for the chance part.
   A wrong twin can only win by ``BIAS_M`` if the right one is offset by more
   than ``BIAS_M``, which real files do not show. Otherwise the file is
   refused (exit 2) naming both twins and ``--crs``: no default is chosen
   for the user, since a wrong one moves every commune by hundreds of metres.
3. A declared CRS (.prj, a GeoPackage SRS, GeoJSON's WGS 84) is honoured but
   checked: if it puts the features more than ``MAX_BEST_M`` from their
   communes (by code or name, and by nearest centroid) the file is refused.
"""

from __future__ import annotations

import dataclasses
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
from geo.errors import CRSError, InputError
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
SAME_M: Final = 5.0  # candidates placing the features closer than this are the same on the ground
BIAS_M: Final = 100.0  # systematic offset the right CRS itself shows on real files (module rule 2)
Z_SE: Final = 3.0  # standard errors of the offsets a twin must also be beaten by
CLEAR_FACTOR: Final = 2.0
CONSISTENT_FACTOR: Final = (
    1.25  # enough when the choice is also the TM-3 zone of the province it lands in
)
MAX_BEST_M: Final = 15_000.0
MIN_POINTS: Final = 3
MAX_POINTS: Final = 400
MIN_KEYED_SHARE: Final = 0.2  # codes or names must place this share of the points to be used
_M_PER_DEGREE: Final = 111_320.0
_SE_MEDIAN: Final = 1.2533  # standard error of a median = 1.2533 σ / √n (normal errors)
_MAD_SIGMA: Final = 1.4826  # σ = 1.4826 × median absolute deviation

CRSSource = Literal["file", "argument", "inferred"]
Method = Literal["code", "name", "nearest"]


@dataclass(frozen=True)
class CentroidReference:
    """Official centroids to score candidates against: lon/lat, name key, code and province per commune."""

    lon: np.ndarray
    lat: np.ndarray
    keys: tuple[str, ...]
    province_codes: tuple[str, ...]
    tree: cKDTree = field(repr=False, compare=False)
    by_key: dict[str, np.ndarray] = field(repr=False, compare=False)
    by_code: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_register(cls, register: pd.DataFrame, *, key_column: str) -> CentroidReference:
        """Build from a register frame with lon, lat, province_code, commune_code and a key column.

        Both vintages may be stacked: a code then points at up to two communes
        (3,316 new codes re-use a legacy code), and the nearer one is used.
        """
        kept = register.dropna(subset=[s.LON, s.LAT]).reset_index(drop=True)
        lon, lat = kept[s.LON].to_numpy(float), kept[s.LAT].to_numpy(float)
        keys = kept[key_column].astype(str)
        codes = kept[s.COMMUNE_CODE].astype(str) if s.COMMUNE_CODE in kept else pd.Series(dtype=str)
        return cls(
            lon=lon,
            lat=lat,
            keys=tuple(keys),
            province_codes=tuple(kept[s.PROVINCE_CODE].astype(str)),
            tree=cKDTree(_scaled(lon, lat)),
            by_key=_positions(keys),
            by_code=_positions(codes),
        )


def _positions(values: pd.Series) -> dict[str, np.ndarray]:
    return {str(k): np.asarray(v) for k, v in values.groupby(values).groups.items()}


@dataclass(frozen=True)
class CandidateScore:
    """How close one candidate puts the features to their official centroids.

    ``shift_m`` is the length of the median offset vector (a systematic
    shift) and ``shift_se_m`` its standard error.
    """

    label: str
    median_m: float
    shift_m: float
    n_points: int
    method: Method = "nearest"
    shift_se_m: float = 0.0


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
        One sentence: the fits of the choice and of the runner-up, and the rule applied.
    best_m, runner_up_m, runner_up_label
        Median distance to the official centroids under the choice and under
        the runner-up (None when not computed).
    method
        "code", "name" or "nearest": how features were paired with official centroids.
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


@dataclass(frozen=True)
class _Evidence:
    """Raw coordinates of the sampled features and what pairs them with official centroids."""

    xy: np.ndarray
    keys: list[str] | None
    codes: list[str] | None
    fix: str  # how the user supplies the CRS for this file's format
    columns: dict[str, str | None] = field(default_factory=dict)  # "code"/"name" → its column
    given: frozenset[str] = frozenset()  # "code"/"name" when the user named that column


def crs_fix(driver: str | None) -> str:
    """How a user gives a file of this GDAL driver its CRS: ``--crs``; a .prj only for shapefiles."""
    if driver == "ESRI Shapefile":
        return "pass --crs EPSG:NNNN or add the shapefile's .prj"
    if driver == "GeoJSON":
        return (
            "pass --crs EPSG:NNNN (a GeoJSON file has no .prj: its coordinates are WGS 84 "
            'lon/lat unless a "crs" member says otherwise)'
        )
    if driver == "GPKG":
        return "pass --crs EPSG:NNNN or write the GeoPackage again with its layer's SRS"
    return "pass --crs EPSG:NNNN or write the file again with its CRS"


def choose_crs(
    frame: gpd.GeoDataFrame,
    *,
    declared: bool,
    reference: CentroidReference,
    forced: str | None = None,
    names: pd.Series | None = None,
    codes: pd.Series | None = None,
    province_code: str | None = None,
    driver: str | None = None,
    columns: dict[str, str | None] | None = None,
    given: frozenset[str] = frozenset(),
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
    names, codes
        Name keys / zero-padded commune codes of the features (aligned with
        ``frame``), or None.
    province_code
        Legacy province the data was made for (``--province``), to name its TM-3 meridian.
    driver
        GDAL driver of the file, so that advice fits the format (a .prj only for shapefiles).
    columns, given
        For messages: the column of ``codes`` and ``names`` (keys "code", "name"), and
        which of them the user named (``--code-column``/``--name-column``).
    """
    points = _sample_points(frame)
    evidence = _Evidence(
        points.xy,
        None if names is None else [names.iloc[i] for i in points.index_positions],
        None if codes is None else [codes.iloc[i] for i in points.index_positions],
        crs_fix(driver),
        columns or {},
        given,
    )
    if forced is not None:
        crs = _parse_crs(forced)
        score = _score(evidence, CandidateCRS(crs, crs.name), reference)
        return CRSChoice(
            crs,
            crs.name,
            False,
            "argument",
            f"given with --crs; features lie {_km(score.median_m)} from their communes",
            score.median_m,
        )
    if declared and frame.crs is not None:
        return _check_declared(frame.crs, evidence, reference)
    return _infer(evidence, reference, province_code)


def infer_crs(
    xy: np.ndarray,
    *,
    reference: CentroidReference,
    keys: list[str] | None = None,
    codes: list[str] | None = None,
    province_code: str | None = None,
    driver: str | None = None,
) -> CRSChoice:
    """Infer the CRS of raw coordinates ``xy`` (n × 2) from the official centroids.

    Raises
    ------
    CRSError
        When no candidate is clearly best (see the module rules).
    """
    return _infer(_Evidence(xy, keys, codes, crs_fix(driver)), reference, province_code)


def _infer(
    evidence: _Evidence, reference: CentroidReference, province_code: str | None
) -> CRSChoice:
    if len(evidence.xy) < MIN_POINTS:
        raise CRSError(
            f"the file has {len(evidence.xy)} features, too few to infer its CRS; {evidence.fix}"
        )
    candidates = candidate_crs()
    lonlat = [transform_points(evidence.xy, c) for c in candidates]
    scores = [score_points(p, reference, keys=evidence.keys, codes=evidence.codes) for p in lonlat]
    order = [int(i) for i in np.argsort([sc.median_m for sc in scores])]
    best = order[0]
    twins = [i for i in order if _median_gap(lonlat[best], lonlat[i]) < TWIN_M]
    meridian = _meridian(province_code, lonlat[best], reference)
    plausible = scores[best].median_m <= MAX_BEST_M  # else no candidate fits: _decide refuses
    chosen, twin_runner, rule = (
        _pick_twin(twins, candidates, scores, lonlat, fix=evidence.fix, meridian=meridian)
        if plausible
        else (best, None, "no candidate puts the features near Vietnam's communes")
    )
    others = [i for i in order if i not in twins and np.isfinite(scores[i].median_m)]
    runner = others[0] if others else None
    consistent = meridian is not None and candidates[chosen].crs.to_epsg() == TM3_EPSG.get(meridian)
    factor = CONSISTENT_FACTOR if consistent else CLEAR_FACTOR
    if consistent:
        rule += (
            f"; it is the TM-3 zone of the province the data is for ({meridian:g}°), "
            f"so a {factor:g}× margin over the far candidates suffices"
        )
    runner_pair = None if runner is None else (candidates[runner], scores[runner])
    choice = _decide(
        candidates[chosen], scores[chosen], runner_pair, rule, factor=factor, fix=evidence.fix
    )
    if twin_runner is None:
        return choice
    return dataclasses.replace(
        choice,
        runner_up_label=candidates[twin_runner].label,
        runner_up_m=scores[twin_runner].median_m,
    )


def _decide(
    chosen: CandidateCRS,
    score: CandidateScore,
    runner: tuple[CandidateCRS, CandidateScore] | None,
    rule: str,
    *,
    factor: float,
    fix: str,
) -> CRSChoice:
    runner_m = runner[1].median_m if runner else float("inf")
    runner_label = runner[0].label if runner else None
    evidence = (
        f"{chosen.label}: features lie {_km(score.median_m)} (median of {score.n_points} points, "
        f"{score.method} match) from their official centroids, systematic offset "
        f"{_km(score.shift_m)} ± {_km(score.shift_se_m)}; {rule}; best farther candidate "
        f"{runner_label or 'none'} at {_km(runner_m)}"
    )
    if (
        not np.isfinite(score.median_m)
        or score.median_m > MAX_BEST_M
        or runner_m < factor * score.median_m
    ):
        raise CRSError(
            f"cannot tell the file's coordinate system from its coordinates ({evidence}); "
            f"{fix} (e.g. --crs EPSG:9209 for VN-2000 TM-3 105°30′)"
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
    lonlat: list[np.ndarray],
    *,
    fix: str,
    meridian: float | None = None,
) -> tuple[int, int | None, str]:
    """Among candidates within ``TWIN_M`` of each other, the one the systematic offset supports.

    Returns the chosen candidate, the closest rival (None when there is none)
    and the rule applied. Raises :class:`CRSError` when the offsets do not
    separate the choice from a twin that places the features differently.
    """
    by_shift = sorted(twins, key=lambda i: scores[i].shift_m)
    chosen = by_shift[0]
    rivals = [i for i in by_shift[1:] if _median_gap(lonlat[chosen], lonlat[i]) >= SAME_M]
    if not rivals:
        return chosen, None, f"no other candidate comes within {_km(TWIN_M)} of it"
    rival = rivals[0]
    best, other = scores[chosen], scores[rival]
    margin = BIAS_M + Z_SE * float(np.hypot(best.shift_se_m, other.shift_se_m))
    apart = _median_gap(lonlat[chosen], lonlat[rival])
    if other.shift_m - best.shift_m < margin:
        pair = (candidates[chosen], candidates[rival])
        raise CRSError(
            f"the file's coordinates fit two coordinate systems that place the communes {_km(apart)} "
            f"apart, and the official centroids cannot tell which is right ({best.method} match of "
            f"{best.n_points} points): {pair[0].label} leaves a systematic offset of "
            f"{_km(best.shift_m)} ± {_km(best.shift_se_m)}, {pair[1].label} {_km(other.shift_m)} ± "
            f"{_km(other.shift_se_m)}, and a difference of at least {_km(margin)} would be needed; "
            + fix.replace("--crs EPSG:NNNN", " or ".join(f"--crs EPSG:{_epsg(c)}" for c in pair), 1)
            + (" (the coordinates are X/Y swapped in the file)" if pair[0].swapped else "")
            + _zone_hint(pair, meridian)
        )
    return (
        chosen,
        rival,
        f"runner-up {candidates[rival].label} places the features {_km(apart)} away and leaves an "
        f"offset of {_km(other.shift_m)} ± {_km(other.shift_se_m)}, worse by more than the "
        f"{_km(margin)} margin ({BIAS_M:g} m the right CRS itself shows on real files + "
        f"{Z_SE:g} standard errors)",
    )


def _zone_hint(pair: tuple[CandidateCRS, ...], meridian: float | None) -> str:
    """Names the TM-3 zone of the province the features fall in, when it is one of ``pair``."""
    zone = TM3_EPSG.get(meridian) if meridian is not None else None
    if zone is None or zone not in {c.crs.to_epsg() for c in pair}:
        return ""
    return f"; EPSG:{zone} is the TM-3 zone of the province the features lie in ({meridian:g}°), the usual one for provincial data"


def _epsg(candidate: CandidateCRS) -> str:
    code = candidate.crs.to_epsg()
    return str(code) if code is not None else "NNNN"


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
    crs: pyproj.CRS, evidence: _Evidence, reference: CentroidReference
) -> CRSChoice:
    """The declared CRS, unless the features lie far from their communes under it.

    Far from the communes their codes or names point at, yet near official
    centroids, means the code/name column is not what it seems, not that the
    CRS is wrong: that is an :class:`~geo.errors.InputError` about the column.
    """
    candidate = CandidateCRS(crs, crs.name)
    score = _score(evidence, candidate, reference)
    if _far(score) and score.method != "nearest":
        nearest = score_candidate(evidence.xy, candidate, reference)
        if not _far(nearest):
            raise InputError(_wrong_column_message(crs, score, nearest, evidence))
    if _far(score):
        raise CRSError(
            f"the file declares {crs.name} but under it the features lie {_km(score.median_m)} "
            f"from their communes: the declared CRS is wrong; {evidence.fix}"
        )
    text = (
        f"declared by the file; features lie {_km(score.median_m)} (median, {score.method} "
        "match) from their official centroids"
    )
    return CRSChoice(crs, crs.name, False, "file", text, score.median_m, method=score.method)


def _far(score: CandidateScore) -> bool:
    return not np.isfinite(score.median_m) or score.median_m > MAX_BEST_M


def _wrong_column_message(
    crs: pyproj.CRS, keyed: CandidateScore, nearest: CandidateScore, evidence: _Evidence
) -> str:
    column = evidence.columns.get(keyed.method)
    option = f"--{keyed.method}-column"
    advice = (
        f"the {option} given, {column!r}, does not hold them; give the column that does"
        if keyed.method in evidence.given
        else f"pass {option} with the column that holds them"
    )
    return (
        f"under the declared {crs.name} the features lie {_km(nearest.median_m)} (median) from the "
        f"nearest official commune centroid, so the CRS fits, but {_km(keyed.median_m)} from the "
        f"communes their {keyed.method}s in column {column!r} point at: that column does not "
        f"hold these features' commune {keyed.method}s; {advice}"
    )


def _score(
    evidence: _Evidence, candidate: CandidateCRS, reference: CentroidReference
) -> CandidateScore:
    return score_candidate(
        evidence.xy, candidate, reference, keys=evidence.keys, codes=evidence.codes
    )


def score_candidate(
    xy: np.ndarray,
    candidate: CandidateCRS,
    reference: CentroidReference,
    *,
    keys: list[str] | None = None,
    codes: list[str] | None = None,
) -> CandidateScore:
    """Score one candidate on raw coordinates ``xy``."""
    return score_points(
        transform_points(xy, candidate), reference, keys=keys, codes=codes, label=candidate.label
    )


def score_points(
    lonlat: np.ndarray,
    reference: CentroidReference,
    *,
    keys: list[str] | None = None,
    codes: list[str] | None = None,
    label: str = "",
) -> CandidateScore:
    """Distances (m) from ``lonlat`` to the same-coded, else same-named, else nearest official centroid."""
    ok = np.isfinite(lonlat).all(axis=1)
    if ok.sum() < MIN_POINTS:
        return CandidateScore(label, float("inf"), float("inf"), int(ok.sum()))
    method: Method = "nearest"
    offsets = None
    for name, values, lookup in (
        ("code", codes, reference.by_code),
        ("name", keys, reference.by_key),
    ):
        if values is not None and offsets is None:
            offsets = _keyed_offsets(lonlat, reference, values, lookup)
            method = name if offsets is not None else method
    if offsets is None:
        _, index = reference.tree.query(_scaled(lonlat[ok, 0], lonlat[ok, 1]))
        offsets = _offsets(lonlat[ok], reference.lon[index], reference.lat[index])
    distance = np.hypot(offsets[:, 0], offsets[:, 1])
    shift = np.median(offsets, axis=0)
    spread = _MAD_SIGMA * np.median(np.abs(offsets - shift), axis=0)
    se = float(np.hypot(*(_SE_MEDIAN * spread / np.sqrt(len(offsets)))))
    return CandidateScore(
        label, float(np.median(distance)), float(np.hypot(*shift)), len(distance), method, se
    )


def _keyed_offsets(
    lonlat: np.ndarray,
    reference: CentroidReference,
    values: list[str],
    lookup: dict[str, np.ndarray],
) -> np.ndarray | None:
    """Offsets to the nearest official centroid carrying the same key, or None when too few are known."""
    rows = []
    for (lon, lat), value in zip(lonlat, values):
        found = lookup.get(value) if isinstance(value, str) else None
        if found is None or not np.isfinite(lon) or not np.isfinite(lat):
            continue
        offsets = _offsets(
            np.array([[lon, lat]]).repeat(len(found), axis=0),
            reference.lon[found],
            reference.lat[found],
        )
        rows.append(offsets[np.argmin(np.hypot(offsets[:, 0], offsets[:, 1]))])
    if len(rows) < max(MIN_POINTS, MIN_KEYED_SHARE * len(values)):
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
            f"--crs {text!r} is not a CRS PROJ knows; give e.g. EPSG:9209 (VN-2000 TM-3 105°30′) or EPSG:4326"
        ) from error


def _scaled(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return np.column_stack([lon * np.cos(np.radians(16.0)), lat])


def _km(metres: float) -> str:
    if not np.isfinite(metres):
        return "nowhere near"
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.1f} km"
