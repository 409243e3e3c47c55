"""Legacy → 2025 conversion of communes, as a many-to-many table.

Built offline from the conversion tables of the ``vietnamadminunits``
package: about 95% of legacy communes merged whole into one 2025 commune,
the others were split across two to five. The table has one row per
(legacy commune, 2025 commune) pair.

Some "splits" are artefacts: when provinces merged, a legacy commune was
linked by name to a 2025 commune that absorbed a *different*, same-named
legacy commune of another former province ("Phường 4" of Tân An linked to a
ward of Tây Ninh 90 km away). :func:`flag_artefacts` finds them — a
non-default target far outside the legacy commune's official bounding box
while a same-named legacy commune exists in the same 2025 province — and
:func:`read_crosswalk` drops them unless asked to keep them (flagged).
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd

from geo import schema as s
from geo.reference import register
from geo.reference.names import ascii_key, normalize_text

SUSPECT_ARTEFACT = "suspect_artefact"
# A non-default target this far beyond the legacy commune's box, and beyond
# this many times the target's own radius, cannot be a real split.
ARTEFACT_MIN_KM = 15.0
ARTEFACT_RADIUS_FACTOR = 2.5
_KM_PER_DEGREE = 111.32

COLUMNS = (
    s.LEGACY_COMMUNE_CODE,
    s.LEGACY_COMMUNE_NAME,
    s.LEGACY_DISTRICT_CODE,
    s.LEGACY_PROVINCE_CODE,
    s.NEW_COMMUNE_CODE,
    s.NEW_COMMUNE_NAME,
    s.NEW_PROVINCE_CODE,
    s.IS_DEFAULT,
    s.IS_SPLIT,
    s.N_TARGETS,
    SUSPECT_ARTEFACT,
)

_LEGACY_KEY = "_legacy_key"
_NEW_KEY = "_new_key"


def read_crosswalk(*, keep_artefacts: bool = False) -> pd.DataFrame:
    """The legacy → 2025 commune crosswalk.

    Parameters
    ----------
    keep_artefacts
        Keep the same-name artefacts (flagged in ``suspect_artefact``) instead
        of dropping them.

    Returns
    -------
    pandas.DataFrame
        legacy_commune_code (null for the five island districts that had no
        commune), legacy_commune_name, legacy_district_code,
        legacy_province_code, new_commune_code, new_commune_name,
        new_province_code, is_default (the 2025 commune that took the legacy
        commune's seat), is_split, n_targets, suspect_artefact.
    """
    table = flag_artefacts(_read_pairs())
    if not keep_artefacts:
        table = table[~table[SUSPECT_ARTEFACT]]
    table = _count_targets(table.reset_index(drop=True))[list(COLUMNS)]
    return table.sort_values([s.LEGACY_COMMUNE_CODE, s.NEW_COMMUNE_CODE], ignore_index=True)


def flag_artefacts(pairs: pd.DataFrame) -> pd.DataFrame:
    """Add ``suspect_artefact``: split targets that only a same-named commune explains."""
    legacy = register.read_communes_legacy().set_index(s.COMMUNE_CODE)
    new = register.read_communes_2025().set_index(s.COMMUNE_CODE)
    joined = pairs.join(legacy, on=s.LEGACY_COMMUNE_CODE).join(
        new.add_suffix("_new"), on=s.NEW_COMMUNE_CODE
    )
    beyond_km = _distance_outside_box_km(joined)
    radius_km = np.sqrt(joined[f"{s.AREA_KM2_OFFICIAL}_new"].fillna(0) / np.pi)
    far = (beyond_km > ARTEFACT_MIN_KM) & (beyond_km > ARTEFACT_RADIUS_FACTOR * radius_km)
    namesake = _has_namesake_in_new_province(pairs, legacy)
    flagged = pairs.copy()
    flagged[SUSPECT_ARTEFACT] = (far & namesake & ~pairs[s.IS_DEFAULT]).to_numpy()
    return flagged


@cache
def _read_pairs() -> pd.DataFrame:
    """All (legacy commune, 2025 commune) pairs of the package's conversion tables."""
    path = register.package_data_dir() / "converter_2025.json"
    tables = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        (new_province, new_ward, old, True)
        for new_province, wards in tables["DICT_PROVINCE_WARD_NO_DIVIDED"].items()
        for new_ward, olds in wards.items()
        for old in olds
    ]
    rows += [
        (new_province, target["newWardKey"], old, bool(target["isDefaultNewWard"]))
        for new_province, olds in tables["DICT_PROVINCE_WARD_DIVIDED"].items()
        for old, targets in olds.items()
        for target in targets
    ]
    pairs = pd.DataFrame(rows, columns=["_new_province_key", _NEW_KEY, _LEGACY_KEY, s.IS_DEFAULT])
    pairs[_NEW_KEY] = pairs["_new_province_key"] + "_" + pairs[_NEW_KEY]
    pairs = pairs.merge(_legacy_keys(), on=_LEGACY_KEY, how="left", validate="many_to_one")
    pairs = pairs.merge(_new_keys(), on=_NEW_KEY, how="left", validate="many_to_one")
    if pairs[s.NEW_COMMUNE_CODE].isna().any() or pairs[s.LEGACY_DISTRICT_CODE].isna().any():
        raise ValueError(
            f"{path}: keys that are not in the register; reinstall '{register.PACKAGE}'"
        )
    return pairs.drop(columns=["_new_province_key", _NEW_KEY, _LEGACY_KEY])


def _legacy_keys() -> pd.DataFrame:
    raw = register.read_package_table("admin_units_legacy")
    keys = raw["provinceKey"] + "_" + raw["districtKey"] + "_" + raw["wardKey"].fillna("")
    return pd.DataFrame(
        {
            _LEGACY_KEY: keys,
            s.LEGACY_COMMUNE_CODE: raw["wardCode"].map(
                lambda c: str(c).zfill(5), na_action="ignore"
            ),
            s.LEGACY_COMMUNE_NAME: raw["ward"].fillna(raw["district"]).map(normalize_text),
            s.LEGACY_DISTRICT_CODE: raw["districtCode"].map(lambda c: str(c).zfill(3)),
            s.LEGACY_PROVINCE_CODE: raw["provinceCode"].map(lambda c: str(c).zfill(2)),
        }
    )


def _new_keys() -> pd.DataFrame:
    raw = register.read_package_table("admin_units")
    return pd.DataFrame(
        {
            _NEW_KEY: raw["provinceKey"] + "_" + raw["wardKey"],
            s.NEW_COMMUNE_CODE: raw["wardCode"].map(lambda c: str(c).zfill(5)),
            s.NEW_COMMUNE_NAME: raw["ward"].map(normalize_text),
            s.NEW_PROVINCE_CODE: raw["provinceCode"].map(lambda c: str(c).zfill(2)),
        }
    )


def _count_targets(table: pd.DataFrame) -> pd.DataFrame:
    """(Re)compute n_targets and is_split per legacy unit after rows were dropped."""
    unit = table[s.LEGACY_COMMUNE_CODE].fillna("d" + table[s.LEGACY_DISTRICT_CODE])
    table[s.N_TARGETS] = table.groupby(unit)[s.NEW_COMMUNE_CODE].transform("size").astype(int)
    table[s.IS_SPLIT] = table[s.N_TARGETS] > 1
    table.loc[~table[s.IS_SPLIT], s.IS_DEFAULT] = True
    return table


def _distance_outside_box_km(joined: pd.DataFrame) -> pd.Series:
    """Distance from each 2025 commune centroid to the legacy commune's official box (0 inside)."""
    lon, lat = joined[f"{s.LON}_new"], joined[f"{s.LAT}_new"]
    dlon = np.maximum(joined[s.BBOX_WEST] - lon, 0) + np.maximum(lon - joined[s.BBOX_EAST], 0)
    dlat = np.maximum(joined[s.BBOX_SOUTH] - lat, 0) + np.maximum(lat - joined[s.BBOX_NORTH], 0)
    km = np.hypot(dlat * _KM_PER_DEGREE, dlon * _KM_PER_DEGREE * np.cos(np.radians(lat)))
    return km.fillna(0.0)


def _has_namesake_in_new_province(pairs: pd.DataFrame, legacy: pd.DataFrame) -> pd.Series:
    """True where another legacy commune with the same name also feeds the same 2025 province."""
    keys = legacy[s.COMMUNE_NAME].map(ascii_key)
    name = pairs[s.LEGACY_COMMUNE_CODE].map(keys)
    groups = pd.DataFrame(
        {"p": pairs[s.NEW_PROVINCE_CODE], "n": name, "c": pairs[s.LEGACY_COMMUNE_CODE]}
    )
    distinct = groups.dropna().drop_duplicates().groupby(["p", "n"])["c"].transform("nunique")
    return (distinct.reindex(groups.index).fillna(1) > 1).astype(bool)
