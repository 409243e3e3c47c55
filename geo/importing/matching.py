"""Match rows that name a commune (polygons, or table rows) to the register of one vintage.

Works on any table: boundary features, or later an Excel sheet keyed by
name. Geometry, when given, is only used to check a match against the
official centroid, never to invent one. The steps:

1. **By code**, when a code column exists: zero-padded, looked up in the
   register, and kept when the name agrees or the feature lies near the
   official centroid (a code far away under another name is rejected and
   the row goes on to step 2).
2. **By name** within the province scope (and the district, for the legacy
   vintage, whose ~200 repeated (province, name) pairs need it): same
   :func:`~geo.reference.names.name_key`, else same :func:`~geo.reference.names.ascii_key`;
   among same-named communes the one whose official centroid lies in or
   nearest the polygon wins, if within ``NEAR_M``.
3. **By position** only when the table has neither names nor codes: the
   one official centroid the polygon contains.
4. **Conflicts**: a commune claimed twice is resolved. Features that share
   the name (pieces of one commune, or a copy) are marked
   ``duplicate-dissolved``; otherwise the higher score keeps the commune
   and the others become ``ambiguous``.

Each row gets an outcome (``matched``, ``ambiguous``, ``unmatched``,
``duplicate-dissolved``), the method, a score in [0, 1], the candidates
considered and the reason.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema as s
from geo.errors import InputError
from geo.reference import codes, crosswalk, register
from geo.reference.names import (
    ascii_key,
    commune_type_key,
    compact_key,
    name_key,
    strip_prefix,
)

NEAR_M: Final = 5_000.0  # a polygon this far from the official centroid cannot be that commune on the name alone
FAR_M: Final = 50_000.0  # ... but can be when code and name, or name and district, agree (register centroids err)
FAR_SCORE: Final = 0.6
CODE_SCORE: Final = 1.0
NAME_SCORE: Final = 0.95
ASCII_SCORE: Final = 0.85
POSITION_SCORE: Final = 0.6
MIN_COLUMN_SHARE: Final = 0.3  # a column names communes when this share of its values does
MIN_DISTINCT_SHARE: Final = 0.2  # ... and has at least this many distinct values per feature
MIN_CODE_SHARE: Final = 0.9  # without a name column, codes must nearly all be in the register

MATCHED: Final = "matched"
AMBIGUOUS: Final = "ambiguous"
UNMATCHED: Final = "unmatched"
DISSOLVED: Final = "duplicate-dissolved"

# Columns of the match table (one row per input row, same index).
OUTCOME: Final = "outcome"
METHOD: Final = "match_method"
SCORE: Final = "match_score"
DISTANCE_M: Final = "distance_m"
CANDIDATES: Final = "candidates"
REASON: Final = "reason"
SOURCE_NAME: Final = "source_name"
SOURCE_CODE: Final = "source_code"
NAME_KEY: Final = "_key"  # register column holding name_key(commune_name)
_KEY, _CKEY, _AKEY, _DKEY, _TKEY = NAME_KEY, "_ckey", "_akey", "_dkey", "_tkey"


@dataclass(frozen=True)
class MatchColumns:
    """Which input columns hold the commune name, its code and (legacy) its district.

    ``weighed`` says how they were chosen: the columns considered with their
    evidence, and the ones refused (constant, KML styling, GADM ids/types).
    ``unsure`` is true when no name or code column was found, or a runner-up came close.
    """

    name: str | None = None
    code: str | None = None
    district: str | None = None
    weighed: str = field(default="", compare=False)
    unsure: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class MatchResult:
    """The match of every input row to one vintage of the register.

    Attributes
    ----------
    table
        One row per input row (same index): outcome, commune_code and the
        register's names and codes, match_method, match_score, distance_m
        (polygon to official centroid), candidates, reason, source_name,
        source_code.
    vintage
        "2025" or "legacy".
    columns
        The input columns used.
    """

    table: pd.DataFrame
    vintage: s.Vintage
    columns: MatchColumns

    @property
    def n_matched(self) -> int:
        """Rows whose outcome is ``matched``."""
        return int((self.table[OUTCOME] == MATCHED).sum())


@cache
def register_keys(vintage: s.Vintage) -> pd.DataFrame:
    """The register of ``vintage`` with name keys (commune and, for legacy, district)."""
    frame = (
        register.read_communes_2025()
        if vintage == s.VINTAGE_2025
        else register.read_communes_legacy()
    )
    frame = frame.copy()
    frame[_KEY] = frame[s.COMMUNE_NAME].map(name_key)
    frame[_CKEY] = frame[s.COMMUNE_NAME].map(compact_key)
    frame[_AKEY] = frame[s.COMMUNE_NAME].map(ascii_key)
    frame[_TKEY] = frame[s.COMMUNE_TYPE].map(commune_type_key)
    if s.DISTRICT_NAME in frame:
        frame[_DKEY] = frame[s.DISTRICT_NAME].map(lambda n: ascii_key(n, level="district"))
    return frame


def known_name_keys() -> frozenset[str]:
    """Name keys of every commune, district and province of both vintages (evidence for decoding).

    Each also without spaces: GADM writes "BếnTre", "BaTri", and a column of such
    names must count as names when its encoding is decided.
    """
    keys: set[str] = set()
    for vintage in (s.VINTAGE_2025, s.VINTAGE_LEGACY):
        frame = register_keys(vintage)
        keys |= set(frame[_KEY]) | set(frame[s.PROVINCE_NAME].map(name_key))
        if s.DISTRICT_NAME in frame:
            keys |= set(frame[s.DISTRICT_NAME].map(lambda n: name_key(n, level="district")))
    return frozenset(keys | {key.replace(" ", "") for key in keys})


def detect_columns(
    frame: pd.DataFrame, vintage: s.Vintage, *, name: str | None = None, code: str | None = None
) -> MatchColumns:
    """Find the name, code and district columns of ``frame`` from their values, as a person would.

    A column with one value, or a few values over many features (a province, a
    type, KML's ``tessellate``), is never a name or code; KML styling fields and
    GADM's ids and types are never names; GADM's ``NAME_3``/``NAME_2`` are the
    commune and district. Among the rest, the name column is the one whose
    distinct values most often are commune names of ``vintage`` (by name key,
    key without spaces or ASCII key), and the code column the one whose codes
    are in the register and, when there is a name column, agree with its names.

    Parameters
    ----------
    frame
        The input table.
    vintage
        Register to compare against.
    name, code
        Columns given by the user (``--name-column``, ``--code-column``); checked, not guessed.
    """
    for given, flag in ((name, "--name-column"), (code, "--code-column")):
        if given is not None and given not in frame.columns:
            raise InputError(
                f"the file has no column {given!r}; found {list(map(str, frame.columns))}; fix {flag}"
            )
    columns = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)]
    refused = {c: why for c in columns if (why := _never_a_name(frame, c))}
    open_columns = [c for c in columns if c not in refused]
    gadm = _gadm_columns(columns)
    names = _rank_names(frame, [c for c in open_columns if c != code], vintage)
    if name is None:
        name = gadm.get("name") or (names[0][0] if names else None)
    code = code or _best_code(frame, [c for c in open_columns if c != name], vintage, name)
    district = None
    if vintage == s.VINTAGE_LEGACY:
        grouping = [
            c for c in columns if c not in (code, name) and refused.get(c, "").endswith("features")
        ]
        district = gadm.get("district") or _best_district(frame, grouping)
    unsure = (name is None and code is None) or (
        len(names) > 1 and names[1][1] >= 0.8 * names[0][1] and not gadm
    )
    return MatchColumns(
        name=name,
        code=code,
        district=district,
        weighed=_weighed(names, refused),
        unsure=unsure,
    )


# Fields GDAL's KML/LIBKML drivers add to every placemark: styling and time, never names.
KML_FIELDS: Final = frozenset(
    {
        "tessellate",
        "extrude",
        "visibility",
        "begin",
        "end",
        "altitudemode",
        "draworder",
        "icon",
        "description",
        "timestamp",
        "snippet",
        "styleurl",
    }
)
_GADM_NOT_NAMES: Final = re.compile(
    r"^(gid|type|engtype|nl_name|cc|hasc|varname)_\d$|^(gid_0|country)$", re.IGNORECASE
)
_GADM_NAME: Final = re.compile(r"^name_(\d)$", re.IGNORECASE)


def _never_a_name(frame: pd.DataFrame, column: str) -> str | None:
    """Why ``column`` cannot hold commune names or codes, or None if it might."""
    if str(column).lower() in KML_FIELDS:
        return "KML field"
    if _GADM_NOT_NAMES.match(str(column)):
        return "GADM id/type"
    values = frame[column].dropna()
    distinct = values.nunique()
    if len(frame) > 1 and distinct <= 1:
        return f"{distinct} value" if distinct else "empty"
    if len(frame) >= 10 and distinct < MIN_DISTINCT_SHARE * len(frame):
        return f"{distinct} values over {len(frame)} features"
    return None


def _gadm_columns(columns: list[str]) -> dict[str, str]:
    """GADM's own columns: ``NAME_3`` names the commune, ``NAME_2`` the district."""
    levels = {int(m.group(1)): c for c in columns if (m := _GADM_NAME.match(str(c)))}
    if 3 in levels and any(str(c).upper() == "GID_3" for c in columns):
        return {"name": levels[3], **({"district": levels[2]} if 2 in levels else {})}
    return {}


def _rank_names(
    frame: pd.DataFrame, columns: list[str], vintage: s.Vintage
) -> list[tuple[str, float, int, int]]:
    """Columns that may name communes, best first: (column, weight, hits, distinct values)."""
    reg = register_keys(vintage)
    keys = {k: frozenset(reg[k]) for k in (_KEY, _CKEY, _AKEY)}
    ranked = []
    for column in columns:
        values = _distinct_text(frame[column])
        if values.empty:
            continue
        hits = values.map(lambda v: _name_hit(v, keys))
        accented = values.map(lambda v: v != ascii_key(v)).mean() * 0.01  # tie: the accented copy
        if (hits > 0).sum() >= MIN_COLUMN_SHARE * len(values):
            ranked.append(
                (column, float(hits.sum()) + accented, int((hits > 0).sum()), len(values))
            )
    return sorted(ranked, key=lambda r: -r[1])


def _distinct_text(series: pd.Series) -> pd.Series:
    values = series.dropna()
    values = values[values.map(lambda v: isinstance(v, str) and bool(v.strip()))]
    return values.drop_duplicates().head(3000)


def _name_hit(value: str, keys: dict[str, frozenset[str]]) -> float:
    """1 for a commune name by its key, 0.95 without spaces, 0.85 by its ASCII key, else 0."""
    if name_key(value) in keys[_KEY]:
        return 1.0
    if compact_key(value) in keys[_CKEY]:
        return 0.95
    return 0.85 if ascii_key(value) in keys[_AKEY] else 0.0


def _best_code(
    frame: pd.DataFrame, columns: list[str], vintage: s.Vintage, name: str | None
) -> str | None:
    """The column of register codes; with a name column, the one whose codes agree with it."""
    reg = register_keys(vintage).set_index(s.COMMUNE_CODE)
    best, best_score = None, 0.0
    for column in columns:
        values = frame[column]
        padded = values.map(
            lambda v: pad_code(v) if isinstance(v, (str, int, np.integer)) else None
        )
        known = padded[padded.isin(reg.index)]
        if known.empty or known.nunique() < MIN_COLUMN_SHARE * padded.notna().sum():
            continue
        score = len(known) / len(frame)
        if name is not None:
            agree = known.map(reg[_AKEY]) == frame.loc[known.index, name].map(
                lambda v: ascii_key(v) if isinstance(v, str) else ""
            )
            score = float(agree.mean()) if agree.mean() >= MIN_COLUMN_SHARE else 0.0
        elif score < MIN_CODE_SHARE:
            continue
        if score > best_score:
            best, best_score = column, score
    return best


def _best_district(frame: pd.DataFrame, columns: list[str]) -> str | None:
    """The column whose distinct values most often are legacy district names."""
    dkeys = set(register_keys(s.VINTAGE_LEGACY)[_DKEY])
    best, best_hits = None, 0
    for column in columns:
        values = _distinct_text(frame[column])
        if values.empty:
            continue
        hits = int(values.map(lambda v: _district_key(v) in dkeys).sum())
        if hits > best_hits and hits >= MIN_COLUMN_SHARE * len(values):
            best, best_hits = column, hits
    return best


def _weighed(names: list[tuple[str, float, int, int]], refused: dict[str, str]) -> str:
    """The columns considered for the name, and the ones refused, in words."""
    parts = [
        f"{c!r} {hits} of {n} distinct values are commune names" for c, _, hits, n in names[:4]
    ]
    if refused:
        parts.append(
            "not names: " + ", ".join(f"{c!r} ({why})" for c, why in list(refused.items())[:8])
        )
    return "; ".join(parts) if parts else "no column holds commune names"


@cache
def _codes(vintage: s.Vintage) -> frozenset[str]:
    return frozenset(register_keys(vintage)[s.COMMUNE_CODE])


def pad_code(value: object) -> str | None:
    """A commune code as a 5-digit string ("31825", 1234 → "01234"), or None if it is not one."""
    return codes.pad_code(value, s.COMMUNE_CODE_WIDTH, strict=True)


def _district_key(value: object) -> str:
    return ascii_key(str(value), level="district") if isinstance(value, str) else ""


def match_communes(
    frame: pd.DataFrame,
    vintage: s.Vintage,
    *,
    columns: MatchColumns,
    province_codes: frozenset[str] | None = None,
) -> MatchResult:
    """Match every row of ``frame`` to one commune of the ``vintage`` register.

    Parameters
    ----------
    frame
        Rows to match; a GeoDataFrame in EPSG:4326 enables the spatial check.
    vintage
        Register vintage.
    columns
        Input columns to use (see :func:`detect_columns`).
    province_codes
        Restrict matches to these provinces of ``vintage`` (``--province``).
    """
    if columns.name is None and columns.code is None and not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(
            f"the table has no commune name or code column; found {list(frame.columns)}; pass --name-column or --code-column"
        )
    reg = register_keys(vintage)
    if province_codes:
        reg = reg[reg[s.PROVINCE_CODE].isin(province_codes)]
    rows = _prepare(frame, columns)
    metric = _metric_geometry(frame)
    table = _empty_table(rows)
    if columns.code is not None:
        _match_by_code(table, rows, reg, metric)
    if columns.name is not None:
        _match_by_name(table, rows, reg, metric, use_district=columns.district is not None)
    if columns.name is None and columns.code is None:
        _match_by_position(table, reg, metric)
    _resolve_conflicts(table, rows, metric)
    if columns.name is not None and metric is not None and vintage == s.VINTAGE_LEGACY:
        _place_vanished(table, rows, reg, metric)  # 2025: legacy names vanish by design (crosswalk)
    return MatchResult(table=_attach_register(table, reg), vintage=vintage, columns=columns)


def _prepare(frame: pd.DataFrame, columns: MatchColumns) -> pd.DataFrame:
    rows = pd.DataFrame(index=frame.index)
    names = (
        frame[columns.name] if columns.name else pd.Series(None, index=frame.index, dtype=object)
    )
    rows[SOURCE_NAME] = names.map(lambda v: str(v) if isinstance(v, str) and v.strip() else None)
    rows[_KEY] = rows[SOURCE_NAME].map(name_key, na_action="ignore")
    rows[_CKEY] = rows[SOURCE_NAME].map(compact_key, na_action="ignore")
    rows[_AKEY] = rows[SOURCE_NAME].map(ascii_key, na_action="ignore")
    rows[_TKEY] = rows[SOURCE_NAME].map(commune_type_key)
    rows[_DKEY] = frame[columns.district].map(_district_key) if columns.district else ""
    rows[SOURCE_CODE] = frame[columns.code].map(pad_code) if columns.code else None
    return rows


def _metric_geometry(frame: pd.DataFrame) -> np.ndarray | None:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
        return None
    return frame.geometry.to_crs(s.VN_EQUAL_AREA).array


@cache
def _metric_centroids(vintage: s.Vintage) -> pd.Series:
    reg = register_keys(vintage)
    points = gpd.GeoSeries(
        gpd.points_from_xy(reg[s.LON], reg[s.LAT]), index=reg[s.COMMUNE_CODE], crs=s.WGS84
    )
    return points.to_crs(s.VN_EQUAL_AREA)


def _distances(
    metric: np.ndarray | None, positions: np.ndarray, codes: pd.Series, vintage: s.Vintage
) -> np.ndarray:
    """Metres from the polygons at ``positions`` to the official centroids of ``codes`` (NaN without geometry)."""
    if metric is None:
        return np.full(len(codes), np.nan)
    centroids = _metric_centroids(vintage).reindex(codes.to_numpy()).array
    return shapely.distance(metric[positions], centroids)


def _empty_table(rows: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(index=rows.index)
    table[OUTCOME] = UNMATCHED
    table[s.COMMUNE_CODE] = None
    table[METHOD] = None
    table[SCORE] = np.nan
    table[DISTANCE_M] = np.nan
    table[CANDIDATES] = ""
    table[REASON] = np.select(
        [rows[SOURCE_NAME].isna() & rows[SOURCE_CODE].isna(), rows[SOURCE_NAME].isna()],
        ["no name and no code", "code not in the register, and no name to match by"],
        VANISHED,
    )
    table[SOURCE_NAME] = rows[SOURCE_NAME]
    table[SOURCE_CODE] = rows[SOURCE_CODE]
    table["_pos"] = np.arange(len(rows))
    return table


def _match_by_code(
    table: pd.DataFrame, rows: pd.DataFrame, reg: pd.DataFrame, metric: np.ndarray | None
) -> None:
    vintage = reg[s.VINTAGE].iloc[0] if len(reg) else s.VINTAGE_2025
    lookup = reg.set_index(s.COMMUNE_CODE)
    coded = rows[rows[SOURCE_CODE].isin(lookup.index)]
    if coded.empty:
        return
    found = lookup.loc[coded[SOURCE_CODE]]
    distance = _distances(
        metric, table.loc[coded.index, "_pos"].to_numpy(), coded[SOURCE_CODE], vintage
    )
    same_name = (found[_KEY].to_numpy() == coded[_KEY].to_numpy()) | (
        found[_AKEY].to_numpy() == coded[_AKEY].to_numpy()
    )
    no_name = coded[_KEY].isna().to_numpy()
    near = np.isnan(distance) | (distance <= NEAR_M)
    accept = (
        same_name
        | ((no_name | ~same_name) & near & ~np.isnan(distance))
        | (no_name & np.isnan(distance))
    )
    score = np.where(same_name | no_name, CODE_SCORE, 0.8) * np.where(near, 1.0, FAR_SCORE)
    for index, ok, code, name, dist, sc, agrees in zip(
        coded.index, accept, coded[SOURCE_CODE], found[s.COMMUNE_NAME], distance, score, same_name
    ):
        table.at[index, CANDIDATES] = f"{code} {name} ({_fmt_m(dist)})"
        if ok:
            why = "code found; name agrees" if agrees else "code found; name differs"
            why += "" if np.isnan(dist) else f"; {_centroid_text(dist)}"
            _set_match(table, index, code, "code", sc, dist, why)
        else:
            table.at[index, REASON] = (
                f"code {code} is {name}, {_fmt_m(dist)} away under another name: rejected"
            )


def _centroid_text(distance_m: float) -> str:
    """Where the official centroid is, as measured: inside the polygon, or so far from it."""
    if distance_m == 0:
        return "the polygon contains the official centroid"
    return f"the official centroid is {_fmt_m(distance_m)} from the polygon"


def _match_by_name(
    table: pd.DataFrame,
    rows: pd.DataFrame,
    reg: pd.DataFrame,
    metric: np.ndarray | None,
    *,
    use_district: bool,
) -> None:
    todo = rows[(table[OUTCOME] == UNMATCHED) & rows[_KEY].notna()]
    if todo.empty or reg.empty:
        return
    pairs = _name_pairs(todo, reg)
    if pairs.empty:
        return
    vintage = reg[s.VINTAGE].iloc[0]
    pairs[DISTANCE_M] = _distances(
        metric, table.loc[pairs["_row"], "_pos"].to_numpy(), pairs[s.COMMUNE_CODE], vintage
    )
    pairs["_district_ok"] = (pairs["_dkey_row"] == pairs[_DKEY]) if use_district else False
    for index, group in pairs.groupby("_row", sort=False):
        _choose_by_name(table, index, group, has_geometry=metric is not None)


def _name_pairs(todo: pd.DataFrame, reg: pd.DataFrame) -> pd.DataFrame:
    """Every (row, same-named register commune) pair, with the rank of the key that finds it.

    The name key (rank 0), the key without spaces ("HiệpThành", rank 1) and the
    ASCII key ("Xa An Khanh", "Tiền Tiến" for the register's "Tiên Tiến", rank 2)
    are all tried: a pair found by a looser key still counts when it is the only
    one in the row's district (see :func:`_choose_by_name`).
    """
    left = todo.reset_index(names="_row")
    found = []
    for rank, key in enumerate((_KEY, _CKEY, _AKEY)):
        pairs = left.merge(reg, on=key, suffixes=("_row", ""))
        pairs["_rank"] = rank
        found.append(pairs)
    pairs = pd.concat(found, ignore_index=True).sort_values("_rank", kind="stable")
    pairs = pairs.drop_duplicates(["_row", s.COMMUNE_CODE])
    pairs["_method"] = np.where(pairs["_rank"] < 2, "name", "ascii name")
    if _DKEY not in pairs:
        pairs[_DKEY] = ""
    if "_dkey_row" not in pairs:
        pairs["_dkey_row"] = pairs.get(_DKEY + "_row", "")
    return pairs


def _narrow(group: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The candidates that count, and how they were found.

    Those in the row's district when there are any (by whatever key), else all;
    among them those of the best key.
    """
    method = ""
    if group["_district_ok"].any():
        group, method = group[group["_district_ok"]], "+district"
    group = group[group["_rank"] == group["_rank"].min()]
    return group, group["_method"].iloc[0] + method


def _by_type(group: pd.DataFrame, method: str) -> tuple[pd.DataFrame, str]:
    """Among several candidates, those of the type the row's name states, if any.

    "TrạmTấu(Thịtrấn)" is the thị trấn of that name, not the xã beside it.
    """
    if len(group) < 2 or _TKEY + "_row" not in group:
        return group, method
    stated = group[_TKEY + "_row"].iloc[0]
    if stated and (group[_TKEY] == stated).any():
        return group[group[_TKEY] == stated], method + "+type"
    return group, method


def _choose_by_name(
    table: pd.DataFrame, index: object, group: pd.DataFrame, *, has_geometry: bool
) -> None:
    group = group.sort_values(
        [DISTANCE_M, "_district_ok"], ascending=[True, False], na_position="last"
    )
    table.at[index, CANDIDATES] = "; ".join(
        f"{c} {n}, {d} ({_fmt_m(m)})"
        for c, n, d, m in zip(
            group[s.COMMUNE_CODE],
            group[s.COMMUNE_NAME],
            group.get(s.DISTRICT_NAME, group[s.PROVINCE_NAME]),
            group[DISTANCE_M],
        )
    )
    group, method = _narrow(group)
    base = NAME_SCORE if group["_rank"].iloc[0] < 2 else ASCII_SCORE
    if has_geometry:
        near, method = _by_type(group[group[DISTANCE_M] <= NEAR_M], method)
        far = group[group[DISTANCE_M] <= FAR_M]  # same-named districts of other provinces drop out
        far, far_method = _by_type(far, method)
        if near.empty and len(far) == 1 and group["_district_ok"].all():
            best, method = far.iloc[0], far_method
            why = f"same name and district, the only one; official centroid {_fmt_m(best[DISTANCE_M])} away"
            _set_match(
                table,
                index,
                best[s.COMMUNE_CODE],
                f"{method}+far",
                base * FAR_SCORE,
                best[DISTANCE_M],
                why,
            )
            return
        if near.empty and not group["_district_ok"].any():
            nearest = group.iloc[0]
            table.at[index, REASON] = (
                f"{ELSEWHERE}: {len(group)}, the nearest {nearest[s.COMMUNE_CODE]} "
                f"{nearest[s.COMMUNE_NAME]} {_fmt_m(nearest[DISTANCE_M])} away"
            )
            return
        if near.empty:
            table.at[index, REASON] = (
                f"{len(group)} same-named commune(s) in its district, none within "
                f"{NEAR_M / 1000:g} km of the polygon"
            )
            return
        inside = near[near[DISTANCE_M] == 0]
        if len(inside) > 1:
            table.at[index, OUTCOME] = AMBIGUOUS
            table.at[index, REASON] = (
                f"the polygon contains the official centroids of {len(inside)} same-named communes"
            )
            return
        best = near.iloc[0]
        score = base * (1.0 - 0.5 * best[DISTANCE_M] / NEAR_M)
        _set_match(
            table,
            index,
            best[s.COMMUNE_CODE],
            f"{method}+position",
            score,
            best[DISTANCE_M],
            "same name; official centroid in or near the polygon",
        )
        return
    group, method = _by_type(group, method)
    if len(group) > 1:
        table.at[index, OUTCOME] = AMBIGUOUS
        table.at[index, REASON] = (
            f"{len(group)} communes share this name; add a district or code column, or --province"
        )
        return
    _set_match(
        table,
        index,
        group[s.COMMUNE_CODE].iloc[0],
        method,
        base,
        np.nan,
        "same name, only one in scope",
    )


def _match_by_position(table: pd.DataFrame, reg: pd.DataFrame, metric: np.ndarray | None) -> None:
    """No names, no codes: the single official centroid each polygon contains."""
    if metric is None or reg.empty:
        return
    centroids = _metric_centroids(reg[s.VINTAGE].iloc[0]).reindex(reg[s.COMMUNE_CODE].to_numpy())
    tree = shapely.STRtree(centroids.array)
    poly_index, point_index = tree.query(metric, predicate="contains")
    hits = pd.Series(centroids.index[point_index], index=poly_index)
    for position, inside in hits.groupby(level=0):
        index = table.index[position]
        table.at[index, CANDIDATES] = "; ".join(inside)
        if len(inside) == 1:
            _set_match(
                table,
                index,
                inside.iloc[0],
                "position",
                POSITION_SCORE,
                0.0,
                "the only official centroid inside the polygon",
            )
        else:
            table.at[index, OUTCOME] = AMBIGUOUS
            table.at[index, REASON] = (
                f"the polygon contains {len(inside)} official centroids and the file has no names"
            )


VANISHED: Final = "no commune of this name in the register"
ELSEWHERE: Final = "no commune of this name in its district; same-named communes elsewhere"
TOUCH_M: Final = 50.0  # a vanished commune's polygon this close to its successor's is its neighbour


def _place_vanished(
    table: pd.DataFrame, rows: pd.DataFrame, reg: pd.DataFrame, metric: np.ndarray
) -> None:
    """Say where features whose commune is not in the register went, by their position.

    A commune merged or renamed before the register's date is absent from it,
    though its name may live on elsewhere (Bến Tre's "Phường 1" merged in 2020;
    other towns still have one). Its point lies in the official box of the
    commune that took it, the successor: among the communes whose box holds the
    point, those of its own district first (when the file names districts),
    then the nearest official centroid. When the
    file has the successor, the vanished pieces touching it (directly or through
    one another) are dissolved into it ("merged into"). When it does not, the one
    piece holding the successor's official centroid is matched to it by position
    ("renamed to", or "merged into" with the pieces touching it). Others stay
    unmatched, with the successor named.
    """
    todo = table.index[
        (table[OUTCOME] == UNMATCHED) & table[REASON].str.startswith((VANISHED, ELSEWHERE))
    ]
    if todo.empty or reg.empty:
        return
    vintage = reg[s.VINTAGE].iloc[0]
    centroids = _metric_centroids(vintage).reindex(reg[s.COMMUNE_CODE].to_numpy())
    official = reg.set_index(s.COMMUNE_CODE)
    claimed = table[table[OUTCOME] == MATCHED]
    claimed_at = dict(zip(claimed[s.COMMUNE_CODE], claimed.index))
    successors: dict[str, list[object]] = {}
    boxes = _official_boxes(vintage).reindex(reg[s.COMMUNE_CODE].to_numpy())
    district = reg[_DKEY].to_numpy() if _DKEY in reg else np.full(len(reg), "")
    for index in todo:
        point = shapely.point_on_surface(metric[table.at[index, "_pos"]])
        distance = shapely.distance(point, centroids.array)
        inside = shapely.contains(boxes.array, point) | boxes.isna().to_numpy()
        own = inside & (district == rows.at[index, _DKEY]) & bool(rows.at[index, _DKEY])
        order = np.argsort(np.where(own, 0.0, np.where(inside, 1e9, np.inf)) + distance)
        found = bool(inside[order[0]])
        code = centroids.index[order[0] if found else int(np.argmin(distance))]
        table.at[index, REASON] = (
            f"{_vanished_where(table, index, vintage)}; it lies nearest "
            f"{code} {official.at[code, s.COMMUNE_NAME]} ({_fmt_m(float(distance[order[0]]))})"
            + ("" if found else ", in no commune's official box")
            + ", not matched"
        )
        if found:
            successors.setdefault(code, []).append(index)
    for code, pieces in successors.items():
        label = f"{code} {official.at[code, s.COMMUNE_NAME]}"
        anchor = claimed_at.get(code)
        if anchor is None:
            anchor = _renamed(table, pieces, code, label, metric, centroids.loc[code])
        if anchor is not None:
            _dissolve_touching(
                table, anchor, [i for i in pieces if i != anchor], code, label, metric
            )


def _vanished_where(table: pd.DataFrame, index: object, vintage: s.Vintage) -> str:
    """E.g. "'Phường1' is not in the legacy register in its district (merged or renamed before it)"."""
    here = " in its district" if table.at[index, REASON].startswith(ELSEWHERE) else ""
    return (
        f"{table.at[index, SOURCE_NAME]!r} is not in the {vintage} register{here} "
        "(merged or renamed before it)"
    )


def _renamed(
    table: pd.DataFrame,
    pieces: list[object],
    code: str,
    label: str,
    metric: np.ndarray,
    centroid: shapely.Point,
) -> object | None:
    """Match to ``code`` the one vanished piece holding its official centroid; its index, or None."""
    holders = [i for i in pieces if shapely.contains(metric[table.at[i, "_pos"]], centroid)]
    if len(holders) != 1:
        return None
    index = holders[0]
    where = table.at[index, REASON].split("; it lies nearest")[0]
    _set_match(
        table,
        index,
        code,
        "position",
        POSITION_SCORE,
        0.0,
        f"{where}; renamed to {label}: its official centroid is inside",
    )
    return index


def _dissolve_touching(
    table: pd.DataFrame,
    anchor: object,
    pieces: list[object],
    code: str,
    label: str,
    metric: np.ndarray,
) -> None:
    """Dissolve into ``anchor`` the pieces that touch it, directly or through each other."""
    joined = [metric[table.at[anchor, "_pos"]]]
    names: list[str] = []
    remaining = list(pieces)
    grown = True
    while grown and remaining:
        grown = False
        for index in list(remaining):
            polygon = metric[table.at[index, "_pos"]]
            if min(shapely.distance(polygon, other) for other in joined) > TOUCH_M:
                continue
            where = table.at[index, REASON].split("; it lies nearest")[0]
            table.at[index, OUTCOME] = DISSOLVED
            table.at[index, s.COMMUNE_CODE] = code
            table.at[index, METHOD] = "position"
            table.at[index, REASON] = f"{where}; merged into {label}, which it touches: dissolved"
            joined.append(polygon)
            names.append(repr(table.at[index, SOURCE_NAME]))
            remaining.remove(index)
            grown = True
    if names:
        table.at[anchor, REASON] = (
            table.at[anchor, REASON].replace("; renamed to", "; merged into")
            + f"; {', '.join(names)} (not in the register) merged into it: dissolved in"
        )


@cache
def _official_boxes(vintage: s.Vintage) -> gpd.GeoSeries:
    """The register's official bounding boxes in equal-area metres (missing for 2025)."""
    reg = register_keys(vintage)
    if s.BBOX_WEST not in reg:
        return gpd.GeoSeries([None] * len(reg), index=reg[s.COMMUNE_CODE], crs=s.VN_EQUAL_AREA)
    boxes = shapely.box(reg[s.BBOX_WEST], reg[s.BBOX_SOUTH], reg[s.BBOX_EAST], reg[s.BBOX_NORTH])
    return gpd.GeoSeries(boxes, index=reg[s.COMMUNE_CODE], crs=s.WGS84).to_crs(s.VN_EQUAL_AREA)


def _set_match(
    table: pd.DataFrame,
    index: object,
    code: str,
    method: str,
    score: float,
    distance: float,
    reason: str,
) -> None:
    table.at[index, OUTCOME] = MATCHED
    table.at[index, s.COMMUNE_CODE] = code
    table.at[index, METHOD] = method
    table.at[index, SCORE] = round(float(score), 3)
    table.at[index, DISTANCE_M] = distance
    table.at[index, REASON] = reason


def _resolve_conflicts(
    table: pd.DataFrame, rows: pd.DataFrame, metric: np.ndarray | None = None
) -> None:
    """No commune matched twice: dissolve same-named pieces and merged predecessors, else keep the best score.

    A loser is dissolved into the winner when it shares the winner's name (a piece
    of one commune, or a copy), or when it holds the commune's code under another
    name and touches the winner: a commune merged into the winner, whose code the
    merged commune kept (Hồ Chí Minh City's Quận 4 "Phường 6", code 27265, is now
    part of "Phường 9", code 27265).
    """
    matched = table[table[OUTCOME] == MATCHED]
    claimed = matched[matched[s.COMMUNE_CODE].duplicated(keep=False)]
    for code, group in claimed.groupby(s.COMMUNE_CODE):
        order = group.sort_values(
            [SCORE, DISTANCE_M], ascending=[False, True], na_position="last"
        ).index
        winner = order[0]
        for loser in order[1:]:
            same = rows.at[loser, _KEY] == rows.at[winner, _KEY] or (
                rows.at[loser, _KEY] is None and rows.at[loser, SOURCE_CODE] == code
            )
            if same:
                table.at[loser, OUTCOME] = DISSOLVED
                table.at[loser, REASON] = (
                    f"another piece of commune {code} (row {winner}); dissolved into it"
                )
            elif _merged_by_code(table, rows, loser, winner, code, metric):
                table.at[loser, OUTCOME] = DISSOLVED
                table.at[loser, REASON] = (
                    f"its code {code} is now another commune's: merged into it, which row "
                    f"{winner} matches by name and which it touches: dissolved"
                )
            else:
                table.at[loser, OUTCOME] = AMBIGUOUS
                table.at[loser, REASON] = (
                    f"commune {code} is also claimed by row {winner} with a higher score"
                )
                table.at[loser, s.COMMUNE_CODE] = None


def _merged_by_code(
    table: pd.DataFrame,
    rows: pd.DataFrame,
    loser: object,
    winner: object,
    code: str,
    metric: np.ndarray | None,
) -> bool:
    """Whether ``loser`` holds ``code`` under another name and touches ``winner``, matched by name."""
    if metric is None or rows.at[loser, SOURCE_CODE] != code or table.at[loser, METHOD] != "code":
        return False
    if not str(table.at[winner, METHOD]).startswith(("name", "ascii name")):
        return False
    pieces = metric[table.at[loser, "_pos"]], metric[table.at[winner, "_pos"]]
    return bool(shapely.distance(*pieces) <= TOUCH_M)


def _attach_register(table: pd.DataFrame, reg: pd.DataFrame) -> pd.DataFrame:
    keep = [
        c
        for c in (
            s.COMMUNE_NAME,
            s.COMMUNE_TYPE,
            s.DISTRICT_CODE,
            s.DISTRICT_NAME,
            s.PROVINCE_CODE,
            s.PROVINCE_NAME,
        )
        if c in reg
    ]
    info = reg.set_index(s.COMMUNE_CODE)[keep]
    attached = table.drop(columns="_pos").join(info, on=s.COMMUNE_CODE)
    unresolved = attached[OUTCOME] != MATCHED
    attached.loc[unresolved & (attached[OUTCOME] != DISSOLVED), keep] = None
    return attached


def _fmt_m(metres: float) -> str:
    if metres is None or not np.isfinite(metres):
        return "no geometry"
    return (
        "inside"
        if metres == 0
        else (f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.1f} km")
    )


def resolve_province(
    province: str, vintage: s.Vintage, *, strict: bool = True
) -> frozenset[str] | None:
    """Province codes of ``vintage`` named by ``province`` (a code like "96" or a name like "Cà Mau")."""
    by_key = _province_codes_by_key(vintage)
    text = province.strip()
    if text.isdigit() and any(text.zfill(2) in codes for codes in by_key.values()):
        return frozenset({text.zfill(2)})
    found = by_key.get(name_key(text, level="province"), frozenset())
    if found or not strict:
        return found or None
    names = sorted(set(register_keys(vintage)[s.PROVINCE_NAME]))
    raise InputError(
        f"--province {province!r} is not a {vintage} province; use a code or one of: {', '.join(names)}"
    )


@cache
def _province_codes_by_key(vintage: s.Vintage) -> dict[str, frozenset[str]]:
    """Province name key → province codes of ``vintage`` (built once: tables name provinces on every row)."""
    provinces = register_keys(vintage)[[s.PROVINCE_CODE, s.PROVINCE_NAME]].drop_duplicates()
    codes: dict[str, set[str]] = {}
    for code, name in zip(provinces[s.PROVINCE_CODE], provinces[s.PROVINCE_NAME]):
        codes.setdefault(name_key(name, level="province"), set()).add(code)
    return {key: frozenset(found) for key, found in codes.items()}


@dataclass(frozen=True)
class ProvinceScope:
    """The provinces ``--province`` means, in both vintages.

    A 2025 province that merged legacy ones covers all of them for a legacy file
    ("Cà Mau" is legacy Cà Mau + Bạc Liêu); a legacy province means itself for a
    legacy file and the 2025 province it merged into for a 2025 file.
    """

    given: str
    legacy: frozenset[str]
    new: frozenset[str]
    named_legacy: frozenset[
        str
    ]  # legacy provinces named by the text itself (for the TM-3 meridian)

    def codes(self, vintage: s.Vintage) -> frozenset[str]:
        """Province codes of ``vintage`` in scope."""
        return self.new if vintage == s.VINTAGE_2025 else self.legacy

    def describe(self) -> str:
        """E.g. "'Cà Mau' = 2025 Cà Mau (96) = legacy Bạc Liêu (95) + Cà Mau (96)"."""
        new, legacy = _province_names(s.VINTAGE_2025), _province_names(s.VINTAGE_LEGACY)
        return (
            f"--province {self.given!r} = 2025 "
            + " + ".join(f"{new[c]} ({c})" for c in sorted(self.new))
            + " = legacy "
            + " + ".join(f"{legacy[c]} ({c})" for c in sorted(self.legacy))
        )


def province_scope(province: str) -> ProvinceScope:
    """The provinces of both vintages that ``province`` (a legacy or 2025 name or code) means.

    Raises
    ------
    InputError
        When ``province`` names no province of either vintage; the message lists near matches.
    """
    text = province.strip()
    named = {v: _named_provinces(text, v) for v in (s.VINTAGE_2025, s.VINTAGE_LEGACY)}
    if not named[s.VINTAGE_2025] and not named[s.VINTAGE_LEGACY]:
        raise InputError(
            f"--province {province!r} is not a province name or code of either vintage; "
            f"nearest: {', '.join(_near_provinces(text))}"
        )
    to_new = _legacy_to_new_province()
    new = named[s.VINTAGE_2025] | {to_new[c] for c in named[s.VINTAGE_LEGACY] if c in to_new}
    legacy = named[s.VINTAGE_LEGACY] | {c for c, n in to_new.items() if n in named[s.VINTAGE_2025]}
    return ProvinceScope(
        given=text,
        legacy=frozenset(legacy),
        new=frozenset(new),
        named_legacy=named[s.VINTAGE_LEGACY],
    )


def _named_provinces(text: str, vintage: s.Vintage) -> frozenset[str]:
    """Codes of ``vintage`` named by ``text``: a code, a name, or a name without diacritics."""
    found = resolve_province(text, vintage, strict=False)
    if found:
        return found
    key = ascii_key(text, level="province")
    names = _province_names(vintage)
    return frozenset(c for c, n in names.items() if ascii_key(n, level="province") == key)


def _near_provinces(text: str, n: int = 6) -> list[str]:
    """Province names with their codes closest to ``text``, by ASCII key and initials."""
    choices: dict[str, str] = {}
    only_2025 = set(_province_names(s.VINTAGE_2025).items()) - set(
        _province_names(s.VINTAGE_LEGACY).items()
    )
    for vintage in (s.VINTAGE_2025, s.VINTAGE_LEGACY):
        for code, name in _province_names(vintage).items():
            both = (code, name) not in only_2025 and vintage == s.VINTAGE_2025
            label = f"{name} ({code}{'' if both else ', ' + vintage})"
            if (code, name) in _province_names(
                s.VINTAGE_2025
            ).items() and vintage != s.VINTAGE_2025:
                continue
            choices.setdefault(label, ascii_key(name, level="province"))
    key = ascii_key(text, level="province")
    initials = {label: _initials(label.split(" (")[0]) for label in choices}
    by_initials = [label for label, i in initials.items() if key and i == key]
    close = difflib.get_close_matches(key, list(choices.values()), n=n, cutoff=0.5)
    by_spelling = [label for k in close for label, v in choices.items() if v == k]
    found = list(dict.fromkeys(by_initials + by_spelling))[:n]
    return found or ["none; use a two-digit code (e.g. 96) or a name such as Cà Mau"]


def _initials(name: str) -> str:
    """First letters of a province name's words, without its type word ("Hà Nội" → "hn")."""
    return "".join(ascii_key(w)[:1] for w in strip_prefix(name, level="province").split())


@cache
def _province_names(vintage: s.Vintage) -> dict[str, str]:
    provinces = register_keys(vintage)[[s.PROVINCE_CODE, s.PROVINCE_NAME]].drop_duplicates()
    return dict(zip(provinces[s.PROVINCE_CODE], provinces[s.PROVINCE_NAME]))


@cache
def _legacy_to_new_province() -> dict[str, str]:
    """Legacy province code → the 2025 province most of its communes went to."""
    pairs = crosswalk.read_crosswalk()[[s.LEGACY_PROVINCE_CODE, s.NEW_PROVINCE_CODE]].dropna()
    counts = pairs.value_counts().reset_index().drop_duplicates(s.LEGACY_PROVINCE_CODE)
    return dict(zip(counts[s.LEGACY_PROVINCE_CODE], counts[s.NEW_PROVINCE_CODE]))
