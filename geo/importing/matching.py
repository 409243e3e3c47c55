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

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema as s
from geo.errors import InputError
from geo.reference import codes, register
from geo.reference.names import ascii_key, name_key

NEAR_M: Final = 5_000.0  # a polygon this far from the official centroid cannot be that commune on the name alone
FAR_M: Final = 50_000.0  # ... but can be when code and name, or name and district, agree (register centroids err)
FAR_SCORE: Final = 0.6
CODE_SCORE: Final = 1.0
NAME_SCORE: Final = 0.95
ASCII_SCORE: Final = 0.85
POSITION_SCORE: Final = 0.6
MIN_COLUMN_SHARE: Final = 0.3  # a column names communes when this share of its values does

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
_KEY, _AKEY, _DKEY = NAME_KEY, "_akey", "_dkey"


@dataclass(frozen=True)
class MatchColumns:
    """Which input columns hold the commune name, its code and (legacy) its district."""

    name: str | None = None
    code: str | None = None
    district: str | None = None


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
    frame[_AKEY] = frame[s.COMMUNE_NAME].map(ascii_key)
    if s.DISTRICT_NAME in frame:
        frame[_DKEY] = frame[s.DISTRICT_NAME].map(lambda n: ascii_key(n, level="district"))
    return frame


def known_name_keys() -> frozenset[str]:
    """Name keys of every commune, district and province of both vintages (evidence for decoding)."""
    keys: set[str] = set()
    for vintage in (s.VINTAGE_2025, s.VINTAGE_LEGACY):
        frame = register_keys(vintage)
        keys |= set(frame[_KEY]) | set(frame[s.PROVINCE_NAME].map(name_key))
        if s.DISTRICT_NAME in frame:
            keys |= set(frame[s.DISTRICT_NAME].map(lambda n: name_key(n, level="district")))
    return frozenset(keys)


def detect_columns(
    frame: pd.DataFrame, vintage: s.Vintage, *, name: str | None = None, code: str | None = None
) -> MatchColumns:
    """Find the name, code and district columns of ``frame`` from their values.

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
    reg = register_keys(vintage)
    text = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)]
    code = code or _best_column(frame, text, lambda v: pad_code(v) in _codes(vintage))
    keys = set(reg[_KEY])
    name = name or _best_column(
        frame, [c for c in text if c != code], lambda v: name_key(str(v)) in keys
    )
    district = None
    if vintage == s.VINTAGE_LEGACY:
        dkeys = set(reg[_DKEY])
        district = _best_column(
            frame, [c for c in text if c not in (code, name)], lambda v: _district_key(v) in dkeys
        )
    return MatchColumns(name=name, code=code, district=district)


def _best_column(
    frame: pd.DataFrame, columns: list[str], hit: Callable[[object], bool]
) -> str | None:
    """The column with most distinct values for which ``hit`` holds (at least ``MIN_COLUMN_SHARE``)."""
    best, best_hits = None, 0
    for column in columns:
        values = frame[column].dropna()
        values = values[
            values.map(lambda v: isinstance(v, (str, int, np.integer)))
        ].drop_duplicates()
        if values.empty:
            continue
        hits = int(values.head(3000).map(hit).sum())
        if hits > best_hits and hits >= MIN_COLUMN_SHARE * min(len(values), 3000):
            best, best_hits = column, hits
    return best


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
    _resolve_conflicts(table, rows)
    return MatchResult(table=_attach_register(table, reg), vintage=vintage, columns=columns)


def _prepare(frame: pd.DataFrame, columns: MatchColumns) -> pd.DataFrame:
    rows = pd.DataFrame(index=frame.index)
    names = (
        frame[columns.name] if columns.name else pd.Series(None, index=frame.index, dtype=object)
    )
    rows[SOURCE_NAME] = names.map(lambda v: str(v) if isinstance(v, str) and v.strip() else None)
    rows[_KEY] = rows[SOURCE_NAME].map(name_key, na_action="ignore")
    rows[_AKEY] = rows[SOURCE_NAME].map(ascii_key, na_action="ignore")
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
    table[REASON] = np.where(
        rows[SOURCE_NAME].isna() & rows[SOURCE_CODE].isna(),
        "no name and no code",
        "no commune of this name in the register",
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
    """Every (row, same-named register commune) pair: name key first, ASCII key where none."""
    left = todo.reset_index(names="_row")
    by_key = left.merge(reg, left_on=_KEY, right_on=_KEY, suffixes=("_row", ""))
    by_key["_method"] = "name"
    rest = left[~left["_row"].isin(by_key["_row"])]
    by_ascii = rest.merge(reg, left_on=_AKEY, right_on=_AKEY, suffixes=("_row", ""))
    by_ascii["_method"] = "ascii name"
    pairs = pd.concat([by_key, by_ascii], ignore_index=True)
    if _DKEY not in pairs:
        pairs[_DKEY] = ""
    if "_dkey_row" not in pairs:
        pairs["_dkey_row"] = pairs.get(_DKEY + "_row", "")
    return pairs


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
    method = group["_method"].iloc[0]
    base = NAME_SCORE if method == "name" else ASCII_SCORE
    if group["_district_ok"].any():
        group = group[group["_district_ok"]]
        method += "+district"
    if has_geometry:
        near = group[group[DISTANCE_M] <= NEAR_M]
        if (
            near.empty
            and len(group) == 1
            and group["_district_ok"].all()
            and group[DISTANCE_M].iloc[0] <= FAR_M
        ):
            best = group.iloc[0]
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
        if near.empty:
            table.at[index, REASON] = (
                f"{len(group)} same-named commune(s), none within {NEAR_M / 1000:g} km of the polygon"
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


def _resolve_conflicts(table: pd.DataFrame, rows: pd.DataFrame) -> None:
    """No commune matched twice: dissolve same-named pieces, else keep the best score."""
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
            else:
                table.at[loser, OUTCOME] = AMBIGUOUS
                table.at[loser, REASON] = (
                    f"commune {code} is also claimed by row {winner} with a higher score"
                )
                table.at[loser, s.COMMUNE_CODE] = None


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
