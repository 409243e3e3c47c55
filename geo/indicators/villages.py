"""Villages of a team table placed in the communes of the boundaries' vintage.

A village table (one row per thôn, ấp, bản, tổ dân phố) is matched to
communes of its own vintage by :func:`geo.indicators.counts.match_table`, which keeps
its rows in ``MatchedTable.villages``. :func:`place_villages` gives each of
them the commune of the boundaries' vintage: directly when the vintages
agree, else through the crosswalk when the old commune went to exactly one
new commune. A village whose commune was split among several is not guessed
into one of them: its ``commune_code`` stays empty and ``candidate_codes``
names the possible communes. Villages outside the boundaries (another
province than the boundaries cover) are left out.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from geo import schema as s

#: Columns of a placed village table, in this order (the facts the table did not have are missing).
COLUMNS: Final = (
    s.PROVINCE_CODE,
    s.PROVINCE_NAME,
    s.COMMUNE_CODE,
    s.COMMUNE_NAME,
    s.VILLAGE_NAME,
    s.TEAMS,
    s.TEAM_MEMBERS,
    s.VILLAGE_HAS_4G,
    s.LON,
    s.LAT,
    s.SOURCE_COMMUNE_CODE,
    s.CANDIDATE_CODES,
    "source_row",
    "table",
)


def empty_villages() -> pd.DataFrame:
    """A village table with no row (inputs without a village table)."""
    return _typed(pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS}))


def place_villages(
    villages: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    source: s.Vintage,
    target: s.Vintage,
    crosswalk: pd.DataFrame | None = None,
    table: str = "",
) -> pd.DataFrame:
    """The villages of a matched table with the communes of ``target``, names from ``communes``.

    Parameters
    ----------
    villages
        ``MatchedTable.villages`` (``commune_code`` of ``source``).
    communes
        The boundaries' communes: ``commune_code``, ``commune_name``, ``province_code``, ``province_name``.
    source, target
        Vintage of the table and of the boundaries.
    crosswalk
        The legacy ↔ 2025 crosswalk (default: the embedded one); used only when the vintages differ.
    table
        File name of the table, recorded per row.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, one row per village inside the boundaries (or split between their communes).
    """
    if villages.empty:
        return empty_villages()
    out = villages.drop(columns=[s.PROVINCE_NAME, s.DISTRICT_NAME], errors="ignore").copy()
    names = (
        out.pop(s.COMMUNE_NAME)
        if s.COMMUNE_NAME in out
        else pd.Series(None, index=out.index, dtype=object)
    )
    if source == target:
        out[s.SOURCE_COMMUNE_CODE] = None
        out[s.CANDIDATE_CODES] = None
    else:
        targets = _targets(source, target, crosswalk)
        found = out[s.COMMUNE_CODE].map(targets)
        out[s.SOURCE_COMMUNE_CODE] = out[s.COMMUNE_CODE]
        out[s.COMMUNE_CODE] = found.map(
            lambda codes: codes[0] if isinstance(codes, tuple) and len(codes) == 1 else None
        )
        out[s.CANDIDATE_CODES] = found.map(
            lambda codes: ";".join(codes) if isinstance(codes, tuple) and len(codes) > 1 else None
        )
    register = communes.drop_duplicates(s.COMMUNE_CODE).set_index(s.COMMUNE_CODE)
    known = set(register.index)
    inside = out[s.COMMUNE_CODE].isin(known) | out[s.CANDIDATE_CODES].map(
        lambda c: isinstance(c, str) and bool(known & set(c.split(";")))
    )
    out, names = out[inside].copy(), names[inside]
    province = out[s.COMMUNE_CODE].where(
        out[s.COMMUNE_CODE].notna(),
        out[s.CANDIDATE_CODES].map(lambda c: c.split(";")[0] if isinstance(c, str) else None),
    )
    out[s.PROVINCE_CODE] = (
        province.map(register[s.PROVINCE_CODE]) if s.PROVINCE_CODE in register else None
    )
    provinces = (
        register.drop_duplicates(s.PROVINCE_CODE).set_index(s.PROVINCE_CODE)[s.PROVINCE_NAME]
        if s.PROVINCE_NAME in register
        else pd.Series(dtype=object)
    )
    out[s.PROVINCE_NAME] = out[s.PROVINCE_CODE].map(provinces)
    # Placed: the boundaries' name; not placed (split commune): the name as the table wrote it.
    out[s.COMMUNE_NAME] = (
        out[s.COMMUNE_CODE].map(register[s.COMMUNE_NAME]).where(out[s.COMMUNE_CODE].notna(), names)
    )
    out["table"] = table
    for column in COLUMNS:
        if column not in out:
            out[column] = None
    return _typed(out[list(COLUMNS)].reset_index(drop=True))


def _targets(
    source: s.Vintage, target: s.Vintage, crosswalk: pd.DataFrame | None
) -> dict[str, tuple[str, ...]]:
    """Source commune → the sorted communes of ``target`` it went to (the crosswalk's pairs)."""
    from geo.indicators import convert

    pairs = convert.crosswalk_pairs(
        "to_2025" if target == s.VINTAGE_2025 else "to_legacy", crosswalk
    )
    return {
        code: tuple(sorted(group)) for code, group in pairs.groupby(convert.SOURCE)[convert.TARGET]
    }


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts and coordinates as floats, 4G as a nullable boolean (missing stays missing)."""
    out = frame.copy()
    for column in (s.TEAMS, s.TEAM_MEMBERS, s.LON, s.LAT):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out[s.VILLAGE_HAS_4G] = out[s.VILLAGE_HAS_4G].astype("boolean")
    return out
