"""Tables → counts: a read fibre or team table matched to the communes of one vintage and counted per commune.

:func:`match_table` matches the distinct (province, district, commune) of the
rows of a :class:`~geo.reading.tables.TableRead` to the register of one vintage
with :mod:`geo.importing.matching`, and :func:`rollup_communes` sums village rows
to one row per commune; the counted village rows themselves (names, teams,
members, 4G signal, coordinates) stay in ``MatchedTable.villages`` for the list
of villages not covered (:mod:`geo.indicators.villages`). A row that cannot be
matched is kept in the report with the reason; none is dropped silently. A
commune listed twice (commune tables), or a village row that repeats the row
above it (village tables), is counted once (outcome ``duplicate``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from geo import schema as s
from geo.errors import InputError, MatchError, VintageAmbiguityError
from geo.importing import matching
from geo.importing.matching import resolve_province
from geo.reading.tables import (
    AS_OF,
    COUNT_FIELDS,
    DUPLICATE,
    FIBRE_TO_VILLAGE,
    OUTCOME,
    REASON,
    ROW,
    VILLAGE_FIELDS,
    Level,
    TableKindError,
    TableRead,
    VintageChoice,
    joined_keys,
)


@dataclass(frozen=True)
class MatchedTable:
    """A table matched to one vintage: per-commune totals and the report of every other row."""

    communes: (
        pd.DataFrame
    )  # index commune_code; COUNT_FIELDS and fibre_to_commune that the table has
    report: (
        pd.DataFrame
    )  # source_row, outcome, reason, names: rows not counted (unmatched, ambiguous, removed)
    vintage: s.Vintage
    path: Path
    as_of: str
    #: Village tables: one row per counted village (``VILLAGE_FIELDS`` the table has; ``commune_code`` of
    #: ``vintage``). Empty for commune tables.
    villages: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame(columns=[s.COMMUNE_CODE])
    )
    #: Vintage tried → rows that matched one of its communes (the evidence of the choice).
    matched_rows: dict[str, int] = dataclasses.field(default_factory=dict)


def match_table(
    table: TableRead,
    *,
    vintage: VintageChoice = "auto",
    as_of: str | None = None,
) -> MatchedTable:
    """Match the rows of ``table`` to communes of one vintage and roll them up per commune.

    Parameters
    ----------
    table
        Output of :func:`read_table`.
    vintage
        "2025", "legacy", or "auto": the vintage that matches more rows (a
        district column means legacy: districts no longer exist in 2025).
    as_of
        As-of date to record; default the table's date column, else the file's modification date.

    Raises
    ------
    MatchError
        When no row matches, or "auto" cannot tell the vintages apart.
    """
    choices = (
        [vintage]
        if vintage != "auto"
        else (
            [s.VINTAGE_LEGACY]
            if s.DISTRICT_NAME in table.rows or s.DISTRICT_CODE in table.rows
            else [s.VINTAGE_2025, s.VINTAGE_LEGACY]
        )
    )
    results = [(v, match_rows(table.rows, v)) for v in choices]
    scores = [(int((m[OUTCOME] == matching.MATCHED).sum()), v) for v, m in results]
    best = max(scores)
    if best[0] == 0:
        raise MatchError(
            f"{table.path}: no row matched a commune of the {' or '.join(choices)} register; check the name/code columns {table.columns}"
        )
    if len(scores) > 1 and scores[0][0] == scores[1][0]:
        raise VintageAmbiguityError(
            f"{table.path}: {best[0]} rows match both the 2025 and the legacy register; say which with --tables-vintage 2025|legacy",
            {v: n for n, v in scores},
        )
    chosen, matched = next((v, m) for v, m in results if v == best[1])
    check_duplicates(matched, table)
    counted = matched[matched[OUTCOME] == matching.MATCHED]
    report = pd.concat(
        [matched[matched[OUTCOME] != matching.MATCHED], table.removed], ignore_index=True
    )
    villages = (
        counted[[c for c in VILLAGE_FIELDS if c in counted]].reset_index(drop=True)
        if table.level == "village"
        else pd.DataFrame(columns=[s.COMMUNE_CODE])
    )
    return MatchedTable(
        communes=rollup_communes(counted, table.level),
        report=report,
        vintage=chosen,
        path=table.path,
        as_of=as_of or _as_of(table),
        villages=villages,
        matched_rows={v: n for n, v in scores},
    )


def check_duplicates(matched: pd.DataFrame, table: TableRead) -> None:
    """Refuse a table where most matched rows would be dropped as duplicates (a village column not recognised).

    Raises
    ------
    TableKindError
        Naming the columns recognised and not, and the mapping to give.
    """
    outcome = matched[OUTCOME]
    duplicates = int((outcome == DUPLICATE).sum())
    considered = duplicates + int((outcome == matching.MATCHED).sum())
    if duplicates < 2 or duplicates * 2 <= considered:
        return
    found = {header: field for field, header in table.columns.items()}
    example = table.unknown[0] if table.unknown else "HEADER"
    unit = "a commune" if table.level == "commune" else "the row above"
    raise TableKindError(
        f"{table.path}: {duplicates} of {considered} rows repeat {unit} and would not be counted; "
        f"the table is probably one row per village with a village column that was not recognised; "
        f"columns recognised {found}, not recognised {list(table.unknown)}; map the village column: "
        f"--map-column '{example}={s.VILLAGE_NAME}' (python -m geo fields lists the fields)",
        {**found, **{header: None for header in table.unknown}},
    )


def match_rows(rows: pd.DataFrame, vintage: s.Vintage) -> pd.DataFrame:
    """``rows`` with ``commune_code``, ``outcome`` and ``reason``: their distinct communes matched to ``vintage``."""
    keys = [
        c
        for c in (
            s.PROVINCE_CODE,
            s.PROVINCE_NAME,
            s.DISTRICT_CODE,
            s.DISTRICT_NAME,
            s.COMMUNE_CODE,
            s.COMMUNE_NAME,
        )
        if c in rows
    ]
    key = joined_keys(rows[keys].astype(object).where(rows[keys].notna(), "").astype(str), "\x1f")
    distinct = (
        rows[keys]
        .astype(object)
        .where(rows[keys].notna(), None)
        .assign(_key=key.to_numpy())
        .drop_duplicates("_key")
        .set_index("_key")
    )
    found = pd.concat(
        [_match_scope(group, vintage, scope) for scope, group in _by_province(distinct, vintage)]
    )
    merged = rows.drop(columns=[s.COMMUNE_CODE], errors="ignore").copy()
    merged[OUTCOME] = key.map(found[matching.OUTCOME]).to_numpy()
    merged[REASON] = key.map(found[matching.REASON]).to_numpy()
    merged[s.COMMUNE_CODE] = key.map(found[s.COMMUNE_CODE]).to_numpy()
    if s.COMMUNE_CODE in rows:
        merged[matching.SOURCE_CODE] = rows[s.COMMUNE_CODE].to_numpy()
    return _mark_duplicates(merged)


def _mark_duplicates(merged: pd.DataFrame) -> pd.DataFrame:
    """Rows not counted twice: a second row for a commune (commune tables), or a village row that repeats the one above.

    Village names repeat within a 2025 commune (each merged legacy commune had its
    "Thôn 1"), so only an exact copy of the row just above (a copy-paste, a doubled
    line) is a duplicate there.
    """
    matched = merged[OUTCOME] == matching.MATCHED
    if table_level(merged) == "commune":
        duplicated = matched & merged[s.COMMUNE_CODE].duplicated(keep="first")
        unit = "commune"
    else:
        data = merged.drop(columns=[ROW, OUTCOME, REASON], errors="ignore").astype(object)
        data = data.where(data.notna(), "")  # an empty cell equals an empty cell
        duplicated = matched & data.eq(data.shift(1)).all(axis=1)
        unit = "village as the row above"
    merged.loc[duplicated, OUTCOME] = DUPLICATE
    merged.loc[duplicated, REASON] = (
        f"a second row for the same {unit}: not counted; merge the rows"
    )
    return merged


def table_level(rows: pd.DataFrame) -> Level:
    """Level of the rows: "village" when they have a village name column, else "commune"."""
    return "village" if s.VILLAGE_NAME in rows else "commune"


_NO_PROVINCE: Final = "?"


def _by_province(distinct: pd.DataFrame, vintage: s.Vintage) -> list[tuple[str, pd.DataFrame]]:
    """Split the distinct communes by the province codes they name ("" = no province column, "?" = unknown)."""
    if s.PROVINCE_CODE in distinct:
        scope = distinct[s.PROVINCE_CODE].map(
            lambda c: str(c).split(".")[0].zfill(2) if c is not None else _NO_PROVINCE
        )
    elif s.PROVINCE_NAME in distinct:
        codes = distinct[s.PROVINCE_NAME].map(
            lambda n: resolve_province(n, vintage, strict=False) if n else None
        )
        scope = codes.map(lambda c: ",".join(sorted(c)) if c else _NO_PROVINCE)
    else:
        return [("", distinct)]
    return [(label, group) for label, group in distinct.groupby(scope, sort=False)]


def _match_scope(group: pd.DataFrame, vintage: s.Vintage, scope: str) -> pd.DataFrame:
    """Match one province's distinct communes (index kept); an unknown province matches nothing."""
    if scope == _NO_PROVINCE:
        return pd.DataFrame(
            {
                matching.OUTCOME: matching.UNMATCHED,
                matching.REASON: f"province not found in the {vintage} register",
                s.COMMUNE_CODE: None,
            },
            index=group.index,
        )
    columns = matching.MatchColumns(
        name=s.COMMUNE_NAME if s.COMMUNE_NAME in group else None,
        code=s.COMMUNE_CODE if s.COMMUNE_CODE in group else None,
        district=s.DISTRICT_NAME
        if vintage == s.VINTAGE_LEGACY and s.DISTRICT_NAME in group
        else None,
    )
    provinces = frozenset(scope.split(",")) if scope else None
    return matching.match_communes(group, vintage, columns=columns, province_codes=provinces).table


def rollup_communes(rows: pd.DataFrame, level: Level) -> pd.DataFrame:
    """One row per commune: counts summed (missing only when every row is missing), villages counted."""
    grouped = rows.groupby(s.COMMUNE_CODE, sort=True)
    out = pd.DataFrame(index=pd.Index(sorted(rows[s.COMMUNE_CODE].unique()), name=s.COMMUNE_CODE))
    for column in COUNT_FIELDS:
        if column in rows:
            out[column] = grouped[column].sum(min_count=1)
    if level == "village":
        out[s.VILLAGES] = grouped.size().astype(float)
        if s.TEAMS in rows:
            has_team = rows[s.TEAMS].gt(0).where(rows[s.TEAMS].notna())
            out[s.VILLAGES_WITH_TEAM] = has_team.groupby(rows[s.COMMUNE_CODE]).sum(min_count=1)
        if FIBRE_TO_VILLAGE in rows:
            out[s.FIBRE_TO_COMMUNE] = (
                rows[FIBRE_TO_VILLAGE]
                .groupby(rows[s.COMMUNE_CODE])
                .agg(_any_known)
                .astype("boolean")
            )
    if s.FIBRE_TO_COMMUNE in rows and s.FIBRE_TO_COMMUNE not in out:
        out[s.FIBRE_TO_COMMUNE] = (
            rows[s.FIBRE_TO_COMMUNE].groupby(rows[s.COMMUNE_CODE]).agg(_any_known).astype("boolean")
        )
    return out


def _any_known(values: pd.Series) -> object:
    known = values.dropna()
    return pd.NA if known.empty else bool(known.any())


def _as_of(table: TableRead) -> str:
    if AS_OF in table.rows:
        known = table.rows[AS_OF].dropna()
        if not known.empty:
            return str(known.iloc[0])[:10]
    return dt.date.fromtimestamp(table.path.stat().st_mtime).isoformat() + " (file date)"


SOURCE: Final = "source"  # per commune: the table its values came from (merge_latest)


@dataclass(frozen=True)
class MergedCounts:
    """Per-commune values after a table was merged in, and which communes it changed.

    Attributes
    ----------
    communes
        Index ``commune_code``; the value columns, ``as_of`` and ``source`` of each commune.
    updated
        Communes whose values now come from the update.
    kept
        Communes of the update that kept values of a later report date.
    """

    communes: pd.DataFrame
    updated: pd.Index
    kept: pd.Index


def merge_latest(current: pd.DataFrame, update: pd.DataFrame) -> MergedCounts:
    """Merge a table's communes into per-commune values: for each commune the latest report date wins.

    Both frames are indexed by ``commune_code`` and carry ``as_of`` (ISO date,
    possibly followed by " (file date)") and ``source`` next to their values. A
    commune of ``update`` takes the update's whole row (values of one report are
    not mixed with another's) unless ``current`` holds a later date for it; on the
    same date the update wins, as the table loaded last. Every commune the
    update does not cover keeps its values, date and source.

    Raises
    ------
    InputError
        When a frame lacks ``as_of`` or ``source``.
    """
    for name, frame in (("current", current), ("update", update)):
        missing = [c for c in (AS_OF, SOURCE) if c not in frame]
        if missing:
            raise InputError(f"merge_latest: {name} has no column {missing}; add them per commune")
    old = current[AS_OF].reindex(update.index).map(_date_key)
    wins = old.isna() | (update[AS_OF].map(_date_key) >= old.fillna(""))
    updated, kept = update.index[wins.to_numpy()], update.index[~wins.to_numpy()]
    columns = list(dict.fromkeys([*current.columns, *update.columns]))
    merged = current.reindex(columns=columns).drop(index=updated, errors="ignore")
    merged = pd.concat([merged, update.loc[updated].reindex(columns=columns)]).sort_index()
    return MergedCounts(communes=merged, updated=updated, kept=kept)


def _date_key(value: object) -> object:
    """The ISO date of an ``as_of`` text ("2025-10-01 (file date)" → "2025-10-01"); None when empty."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)[:10]
