"""Communes that miss the chosen targets, ranked by how many people they leave out.

Which communes miss a target is decided by ``geo.indicators.evaluate_targets``
(the pipeline's own check); this module only ranks them and says why in the
reader's language. Ranking: people without 4G, then households without
fibre, then villages without a team (all largest first), then code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import schema as s
from geo import targets as t
from geo.indicators import evaluate_targets
from layers.classify import format_number
from layers.i18n import text

POP_UNCOVERED = "pop_uncovered_4g"
HOUSEHOLDS_NO_FIBRE = "households_no_fibre"
VILLAGES_NO_TEAM = "villages_no_team"
REASONS = "reasons"
RANK = "rank"
_CHECKS: dict[str, str] = {t.POP_4G: s.PCT_POP_4G, t.FIBRE_HOUSEHOLDS: s.PCT_HOUSEHOLDS_FIBRE, t.VILLAGES_TEAM: s.PCT_VILLAGES_TEAM}


def rank_uncovered(communes: pd.DataFrame, config: t.Config, *, province_code: str = "", lang: str = "vi") -> pd.DataFrame:
    """The communes that miss an enabled target of ``config``, ranked, with their reasons.

    Parameters
    ----------
    communes
        Commune indicator table (2025 or legacy scheme), without geometry.
    config
        Targets as chosen on the page (``geo.app_data.with_targets``).
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
    table = table.sort_values([*order, s.COMMUNE_CODE], ascending=[False, False, False, True], na_position="last")
    table.insert(0, RANK, np.arange(1, len(table) + 1))
    keep = [RANK, s.COMMUNE_CODE, s.COMMUNE_NAME, s.PROVINCE_CODE, s.PROVINCE_NAME, *order,
            s.PCT_POP_4G, s.PCT_HOUSEHOLDS_FIBRE, s.FIBRE_TO_COMMUNE, s.PCT_VILLAGES_TEAM, REASONS]  # fmt: skip
    return table[[c for c in keep if c in table]].reset_index(drop=True)


def _gap(table: pd.DataFrame, total: str, reached: str) -> pd.Series:
    if total not in table or reached not in table:
        return pd.Series(np.nan, index=table.index)
    return (pd.to_numeric(table[total], errors="coerce") - pd.to_numeric(table[reached], errors="coerce")).clip(lower=0)


def reasons_of(row: pd.Series, config: t.Config, *, lang: str = "vi") -> str:
    """The failed targets of one commune, in words ("; "-joined); known values only."""
    reasons = []
    for target in config.enabled:
        if target.name == t.FIBRE_TO_COMMUNE:
            flag = row.get(s.FIBRE_TO_COMMUNE)
            if flag is not None and not pd.isna(flag) and not bool(flag):
                reasons.append(text("reason_fibre_to_commune", lang))
            continue
        value = pd.to_numeric(row.get(_CHECKS[target.name]), errors="coerce")
        if target.min_pct is not None and not pd.isna(value) and value < target.min_pct:
            reasons.append(text(f"reason_{target.name}", lang, value=format_number(value, decimals=1), target=f"{target.min_pct:g}"))
    return "; ".join(reasons)


def ranked_features(ranked: pd.DataFrame, communes: pd.DataFrame, features: dict[str, dict]) -> "gpd.GeoDataFrame":
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

    extra = [c for c in communes.columns if c not in ranked.columns and (c.startswith(("source_", "as_of_", "pct_")) or c in (s.POP_TOTAL, s.HOUSEHOLDS, s.VILLAGES, s.TEAMS))]
    table = ranked.join(communes.set_index(s.COMMUNE_CODE)[extra], on=s.COMMUNE_CODE)
    shapes = [shapely.geometry.shape(features[c]["geometry"]) if c in features and features[c]["geometry"] else None for c in table[s.COMMUNE_CODE]]
    return gpd.GeoDataFrame(table, geometry=shapes, crs=s.WGS84)
