"""Communes that miss the chosen targets, ranked by how many people they leave out.

Which communes miss a target is decided by ``geo.indicators.build.evaluate_targets``
(the pipeline's own check); this module only ranks them and says why in the
reader's language. Ranking: people without 4G, then households without
fibre, then villages without a team (all largest first), then code.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo import schema as s
from geo.indicators import registry
from geo.indicators import targets as t
from geo.indicators.build import evaluate_targets
from geo.indicators.registry import text

if TYPE_CHECKING:
    import geopandas as gpd

POP_UNCOVERED = "pop_uncovered_4g"
HOUSEHOLDS_NO_FIBRE = "households_no_fibre"
VILLAGES_NO_TEAM = "villages_no_team"
REASONS = "reasons"
RANK = "rank"


def rank_uncovered(
    communes: pd.DataFrame, config: t.Config, *, province_code: str = "", lang: str = "vi"
) -> pd.DataFrame:
    """The communes that miss an enabled target of ``config``, ranked, with their reasons.

    Parameters
    ----------
    communes
        Commune indicator table (2025 or legacy scheme), without geometry.
    config
        Targets as chosen on the page (``application.app_data.with_targets``).
    province_code
        Only this province ("" for all).
    lang
        Language of the reasons.

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``commune_code``, ``commune_name``, ``province_name``, the
        gap columns, the indicators and ``reasons``; one row per commune.
    """
    table = evaluate_targets(pd.DataFrame(communes), config)
    if province_code:
        table = table[table[s.PROVINCE_CODE] == province_code]
    table = table[table[s.UNCOVERED].fillna(False).astype(bool)].copy()
    table[POP_UNCOVERED] = _gap(table, s.POP_TOTAL, s.POP_COVERED_4G)
    table[HOUSEHOLDS_NO_FIBRE] = _gap(table, s.HOUSEHOLDS, s.HOUSEHOLDS_FIBRE)
    table[VILLAGES_NO_TEAM] = _gap(table, s.VILLAGES, s.VILLAGES_WITH_TEAM)
    table[REASONS] = [reasons_of(row, config, lang=lang) for _, row in table.iterrows()]
    order = [POP_UNCOVERED, HOUSEHOLDS_NO_FIBRE, VILLAGES_NO_TEAM]
    table = table.sort_values(
        [*order, s.COMMUNE_CODE], ascending=[False, False, False, True], na_position="last"
    )
    table.insert(0, RANK, np.arange(1, len(table) + 1))
    keep = [
        RANK,
        s.COMMUNE_CODE,
        s.COMMUNE_NAME,
        s.PROVINCE_CODE,
        s.PROVINCE_NAME,
        *order,
        s.PCT_POP_4G,
        s.PCT_HOUSEHOLDS_FIBRE,
        s.FIBRE_TO_COMMUNE,
        s.PCT_VILLAGES_TEAM,
        REASONS,
    ]
    return table[[c for c in keep if c in table]].reset_index(drop=True)


def _gap(table: pd.DataFrame, total: str, reached: str) -> pd.Series:
    if total not in table or reached not in table:
        return pd.Series(np.nan, index=table.index)
    return (
        pd.to_numeric(table[total], errors="coerce")
        - pd.to_numeric(table[reached], errors="coerce")
    ).clip(lower=0)


def reasons_of(row: pd.Series, config: t.Config, *, lang: str = "vi") -> str:
    """The failed targets of one commune, in words ("; "-joined); known values only."""
    reasons = []
    for target in config.enabled:
        value = row.get(registry.deciding_indicator(target.name).column)
        if value is None or pd.isna(value):
            continue
        if target.min_pct is None:
            if not bool(value):
                reasons.append(registry.reason(target, None, lang))
            continue
        number = pd.to_numeric(value, errors="coerce")
        if not pd.isna(number) and number < target.min_pct:
            reasons.append(registry.reason(target, float(number), lang))
    return "; ".join(reasons)


def ranked_features(
    ranked: pd.DataFrame, communes: pd.DataFrame, features: dict[str, dict]
) -> gpd.GeoDataFrame:
    """The ranked list as a layer for export: indicator and source columns joined back, display geometry.

    Parameters
    ----------
    ranked
        From :func:`rank_uncovered`.
    communes
        The commune indicator table it was ranked from (adds ``source_*``/``as_of_*``).
    features
        Commune code → GeoJSON feature (the map's province-view geometry, ~165 m simplified).
    """
    import geopandas as gpd
    import shapely.geometry

    extra = [
        c
        for c in communes.columns
        if c not in ranked.columns
        and (
            c.startswith(("source_", "as_of_", "pct_"))
            or c in (s.POP_TOTAL, s.HOUSEHOLDS, s.VILLAGES, s.TEAMS)
        )
    ]
    table = ranked.join(communes.set_index(s.COMMUNE_CODE)[extra], on=s.COMMUNE_CODE)
    shapes = [
        shapely.geometry.shape(features[c]["geometry"])
        if c in features and features[c]["geometry"]
        else None
        for c in table[s.COMMUNE_CODE]
    ]
    return gpd.GeoDataFrame(table, geometry=shapes, crs=s.WGS84)


# --- Villages --------------------------------------------------------------------------------------

NO_TEAM = "no_team"
NO_4G = "no_4g"
VILLAGE_REASONS: tuple[str, ...] = (NO_TEAM, NO_4G)
NOTES = "notes"


def uncovered_villages(
    villages: pd.DataFrame,
    *,
    reasons: tuple[str, ...] = VILLAGE_REASONS,
    province_code: str = "",
    lang: str = "vi",
) -> pd.DataFrame:
    """The villages with no community digital-technology team and/or no 4G, by province, commune, village.

    A village is listed for ``no_team`` when its table gives 0 teams, and for
    ``no_4g`` when its 4G cell says no ("Không", "Trắng sóng", "Lõm sóng").
    An empty cell is unknown, not no: it lists nothing, and is said in
    ``notes`` of a village listed for the other reason.

    Parameters
    ----------
    villages
        ``AppData.villages`` (:func:`geo.indicators.villages.place_villages`).
    reasons
        Which of ``no_team``, ``no_4g`` list a village.
    province_code
        Only this province ("" for all).
    lang
        Language of ``reasons`` and ``notes``.

    Returns
    -------
    pandas.DataFrame
        The village columns, ``reasons`` and ``notes``; one row per listed village.
    """
    unknown = [r for r in reasons if r not in VILLAGE_REASONS]
    if unknown:
        raise ValueError(
            f"village reasons {unknown} are not known; choose from {list(VILLAGE_REASONS)}"
        )
    table = villages if not province_code else villages[villages[s.PROVINCE_CODE] == province_code]
    teams = pd.to_numeric(table[s.TEAMS], errors="coerce")
    has_4g = table[s.VILLAGE_HAS_4G].astype("boolean")
    failed = {
        NO_TEAM: (teams == 0).to_numpy(),
        NO_4G: has_4g.eq(False).fillna(False).to_numpy(dtype=bool),  # NA-aware: unknown is not "no"
    }
    listed = np.zeros(len(table), dtype=bool)
    for reason in reasons:
        listed |= failed[reason]
    out = table[listed].copy()
    words = {
        NO_TEAM: text("reason_village_no_team", lang),
        NO_4G: text("reason_village_no_4g", lang),
    }
    out[REASONS] = [
        "; ".join(words[r] for r in reasons if failed[r][i]) for i in np.flatnonzero(listed)
    ]
    out[NOTES] = [_village_notes(row, lang) for _, row in out.iterrows()]
    order = out[s.VILLAGE_NAME].map(_natural_key)
    out = out.assign(_order=order).sort_values(
        [s.PROVINCE_CODE, s.COMMUNE_CODE, "_order"], na_position="last", kind="stable"
    )
    return out.drop(columns="_order").reset_index(drop=True)


def _village_notes(row: pd.Series, lang: str) -> str:
    notes = []
    if pd.isna(row[s.TEAMS]):
        notes.append(text("village_teams_unknown", lang))
    if pd.isna(row[s.VILLAGE_HAS_4G]):
        notes.append(text("village_4g_unknown", lang))
    if isinstance(row[s.CANDIDATE_CODES], str):
        notes.append(
            text(
                "village_split",
                lang,
                code=row[s.SOURCE_COMMUNE_CODE],
                codes=row[s.CANDIDATE_CODES].replace(";", ", "),
            )
        )
    return "; ".join(notes)


def _natural_key(name: object) -> str:
    """Numbers zero-padded for sorting: "Thôn 2" before "Thôn 10"."""
    return re.sub(r"\d+", lambda m: m.group().zfill(6), str(name or "").casefold())


def village_features(listed: pd.DataFrame) -> gpd.GeoDataFrame:
    """The listed villages as points (WGS 84) for export; a village without coordinates has no geometry."""
    import geopandas as gpd

    known = listed[s.LON].notna() & listed[s.LAT].notna()
    points = gpd.points_from_xy(
        listed[s.LON].where(known, 0.0), listed[s.LAT].where(known, 0.0), crs=s.WGS84
    )
    shapes = [p if k else None for p, k in zip(points, known)]
    return gpd.GeoDataFrame(listed.reset_index(drop=True), geometry=shapes, crs=s.WGS84)
