"""Legacy → 2025 crosswalk: shape, splits, artefacts, and agreement with an independent source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo import schema as s
from geo.reference import register
from geo.reference.crosswalk import SUSPECT_ARTEFACT, read_crosswalk


@pytest.fixture(scope="module")
def crosswalk() -> pd.DataFrame:
    return read_crosswalk()


def test_every_legacy_and_every_2025_commune_appears(crosswalk: pd.DataFrame) -> None:
    assert set(crosswalk[s.LEGACY_COMMUNE_CODE].dropna()) == set(
        register.read_communes_legacy()[s.COMMUNE_CODE]
    )
    assert set(crosswalk[s.NEW_COMMUNE_CODE]) == set(register.read_communes_2025()[s.COMMUNE_CODE])


def test_pairs_are_unique_and_codes_zero_padded(crosswalk: pd.DataFrame) -> None:
    assert not crosswalk.duplicated(
        [s.LEGACY_COMMUNE_CODE, s.LEGACY_DISTRICT_CODE, s.NEW_COMMUNE_CODE]
    ).any()
    assert crosswalk[s.NEW_COMMUNE_CODE].str.fullmatch(r"\d{5}").all()
    assert crosswalk[s.LEGACY_COMMUNE_CODE].dropna().str.fullmatch(r"\d{5}").all()


def test_most_legacy_communes_merge_whole_and_a_few_hundred_split(crosswalk: pd.DataFrame) -> None:
    per_legacy = crosswalk.dropna(subset=[s.LEGACY_COMMUNE_CODE]).groupby(s.LEGACY_COMMUNE_CODE)
    n_targets = per_legacy.size()
    assert (n_targets == per_legacy[s.N_TARGETS].first()).all()
    assert (n_targets == 1).mean() > 0.94
    assert 400 <= (n_targets > 1).sum() <= 480
    assert n_targets.max() <= 5
    assert (per_legacy[s.IS_SPLIT].first() == (n_targets > 1)).all()


def test_each_legacy_commune_has_exactly_one_default_target(crosswalk: pd.DataFrame) -> None:
    defaults = crosswalk.groupby(
        crosswalk[s.LEGACY_COMMUNE_CODE].fillna(crosswalk[s.LEGACY_DISTRICT_CODE])
    )[s.IS_DEFAULT].sum()
    assert (defaults == 1).all()


def test_island_districts_without_communes_map_to_their_dac_khu(crosswalk: pd.DataFrame) -> None:
    islands = crosswalk[crosswalk[s.LEGACY_COMMUNE_CODE].isna()]
    assert len(islands) == 5
    assert islands[s.NEW_COMMUNE_NAME].str.startswith("Đặc khu").all()
    assert "Đặc khu Hoàng Sa" in set(islands[s.NEW_COMMUNE_NAME])


def test_same_name_artefacts_are_flagged_and_dropped_by_default(crosswalk: pd.DataFrame) -> None:
    full = read_crosswalk(keep_artefacts=True)
    flagged = full[full[SUSPECT_ARTEFACT]]
    assert 10 <= len(flagged) <= 40
    assert not flagged[s.IS_DEFAULT].any()
    # Phường 4 of the former Tây Ninh city (district 703) linked to a ward of the old Long An, 90 km away.
    tay_ninh_ward_4 = flagged[
        (flagged[s.LEGACY_DISTRICT_CODE] == "703") & (flagged[s.LEGACY_COMMUNE_NAME] == "Phường 4")
    ]
    assert list(tay_ninh_ward_4[s.NEW_COMMUNE_NAME]) == ["Phường Long An"]
    assert not crosswalk[SUSPECT_ARTEFACT].any()
    assert len(full) - len(crosswalk) == len(flagged)


@pytest.mark.parametrize(
    ("legacy_provinces", "new_province", "n_new"),
    [
        (("96", "95"), "96", 64),
        (("60", "68", "67"), "68", 124),
        (("83", "86", "84"), "86", 124),
        (("08", "02"), "08", 124),
    ],
)
def test_seed_provinces_map_as_domain_notes_say(
    crosswalk: pd.DataFrame, legacy_provinces: tuple[str, ...], new_province: str, n_new: int
) -> None:
    rows = crosswalk[crosswalk[s.LEGACY_PROVINCE_CODE].isin(legacy_provinces)]
    assert set(rows[s.NEW_PROVINCE_CODE]) == {new_province}
    assert rows[s.NEW_COMMUNE_CODE].nunique() == n_new


@pytest.mark.shared
def test_agrees_with_the_independent_dvhcvn_crosswalk(
    crosswalk: pd.DataFrame, shared_data: Path
) -> None:
    other = pd.read_csv(
        shared_data / "boundaries/crosswalk/legacy_commune_to_2025_dvhcvn.csv", dtype=str
    )
    # The dvhcvn table uses the July 2025 codes; two communes were re-coded in 2026 (SOURCES.md §1).
    ours = set(zip(crosswalk[s.LEGACY_COMMUNE_CODE], crosswalk[s.NEW_COMMUNE_CODE]))
    theirs = set(
        zip(other["old_commune_code"].str.zfill(5), other["new_commune_code"].str.zfill(5))
    )
    assert len(ours & theirs) / len(theirs) > 0.95
    whole_ours = set(crosswalk.loc[~crosswalk[s.IS_SPLIT], s.LEGACY_COMMUNE_CODE].dropna())
    whole_theirs = set(other.loc[other["merge_type"] == "full", "old_commune_code"].str.zfill(5))
    assert len(whole_ours & whole_theirs) / len(whole_theirs) > 0.97
