"""The shipped demo coverage set (data/coverage/): marked DEMO, readable by the pipeline, calibrated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import rasterio

from builders import demo_coverage as d
from geo import schema as s
from geo.indicators.counts import match_table
from geo.indicators.coverage import read_sites
from geo.reading.tables import read_table
from geo.reference.crosswalk import read_crosswalk
from geo.reference.register import read_communes_2025

ROOT = Path(__file__).resolve().parents[2]
COVERAGE = ROOT / "data" / "coverage"
BOUNDARIES = ROOT / "data" / "boundaries" / s.BOUNDARIES_FILE
FILES = (
    d.SITES_FILE,
    d.MASK_FILE,
    d.POPULATION_FILE,
    d.TEAMS_FILE,
    d.TEAMS_LEGACY_FILE,
    d.FIBRE_FILE,
)


def test_every_demo_file_exists_and_says_demo_in_its_name() -> None:
    for name in FILES:
        assert (COVERAGE / name).is_file(), name
        assert "DEMO" in name


def test_demo_files_stay_small_and_data_folder_within_25_mb() -> None:
    assert sum((COVERAGE / name).stat().st_size for name in FILES) <= 6 * 1024 * 1024
    assert (
        sum(p.stat().st_size for p in (ROOT / "data").rglob("*") if p.is_file()) <= 25 * 1024 * 1024
    )


@pytest.mark.parametrize("name", [d.MASK_FILE, d.POPULATION_FILE])
def test_rasters_are_tagged_demo(name: str) -> None:
    with rasterio.open(COVERAGE / name) as dataset:
        tags = dataset.tags()
        assert tags["DEMO"] == "true"
        assert tags["TIFFTAG_IMAGEDESCRIPTION"].startswith("DEMO")
        assert dataset.crs.to_epsg() == 4326
        assert dataset.compression.name.lower() == "deflate"


@pytest.mark.parametrize("name", [d.TEAMS_FILE, d.TEAMS_LEGACY_FILE, d.FIBRE_FILE])
def test_workbooks_carry_the_demo_notice(name: str) -> None:
    book = openpyxl.load_workbook(COVERAGE / name, read_only=True)
    try:
        first = next(book.worksheets[0].iter_rows(max_row=1, values_only=True))
        notes = [row[0] for row in book["Ghi chú"].iter_rows(values_only=True)]
    finally:
        book.close()
    assert first[0] == d.DEMO_NOTICE
    assert notes[0] == "Dữ liệu minh hoạ (DEMO) — không phải số liệu thật"


def test_sites_are_marked_demo_and_read_by_the_coverage_reader() -> None:
    raw = pd.read_csv(COVERAGE / d.SITES_FILE, dtype={s.COMMUNE_CODE: str})
    assert raw[s.DEMO].all()
    assert set(raw["operator"]) == {"Viettel", "VNPT", "MobiFone"}
    sites = read_sites(COVERAGE / d.SITES_FILE)
    assert len(sites) == (raw["technology"] == "4G").sum()  # 5G (NR) sites are kept apart
    assert sites["lon"].between(102, 117.5).all() and sites["lat"].between(6, 23.5).all()


def test_sites_are_denser_in_wards() -> None:
    raw = pd.read_csv(COVERAGE / d.SITES_FILE, dtype={s.COMMUNE_CODE: str})
    register = read_communes_2025().set_index(s.COMMUNE_CODE)
    per_km2 = raw.groupby(s.COMMUNE_CODE).size() / register[s.AREA_KM2_OFFICIAL]
    kind = register[s.COMMUNE_TYPE]
    assert per_km2[kind == "Phường"].median() > 5 * per_km2[kind == "Xã"].median()


def test_mask_and_population_share_one_grid_and_calibrated_4g() -> None:
    with (
        rasterio.open(COVERAGE / d.MASK_FILE) as mask,
        rasterio.open(COVERAGE / d.POPULATION_FILE) as population,
    ):
        assert mask.transform == population.transform and mask.shape == population.shape
        covered, people = mask.read(1), population.read(1).astype(np.float64)
    assert set(np.unique(covered)) == {0, 1}
    assert people.sum() == pytest.approx(101_300_000, rel=1e-4)
    assert 99.0 < 100 * (people * covered).sum() / people.sum() < 99.9  # published baseline 99.8%


@pytest.fixture(scope="module")
def teams() -> pd.DataFrame:
    """The national team workbook, read directly (the pipeline's reader takes minutes on 63,600 rows)."""
    book = openpyxl.load_workbook(COVERAGE / d.TEAMS_FILE, read_only=True)
    try:
        rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    finally:
        book.close()
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    return frame.rename(columns={v: k for k, v in d.TEAM_HEADERS.items()})


def test_team_table_reproduces_the_national_and_provincial_figures(teams: pd.DataFrame) -> None:
    assert len(teams) == 63_600
    register = read_communes_2025().set_index(s.COMMUNE_CODE)
    by_province = teams.groupby(teams[s.COMMUNE_CODE].map(register[s.PROVINCE_CODE]))[s.TEAMS].sum()
    assert by_province["08"] == 1_833  # Tuyên Quang after the merger
    assert (teams["mobile_4g"] == "Trắng sóng").sum() == 1_077  # villages without mobile broadband
    crosswalk = read_crosswalk()
    legacy = crosswalk.groupby(s.NEW_COMMUNE_CODE)[s.LEGACY_PROVINCE_CODE].agg(
        lambda v: v.value_counts().index[0]
    )
    ca_mau = teams[teams[s.COMMUNE_CODE].map(legacy) == "96"]  # legacy Cà Mau, 2022-23 figures
    assert ca_mau[[s.TEAMS, s.TEAM_MEMBERS]].sum().tolist() == [364, 1_729]


def test_legacy_binh_thuan_table_matches_with_a_team_in_every_village() -> None:
    matched = match_table(read_table(COVERAGE / d.TEAMS_LEGACY_FILE))
    assert matched.vintage == s.VINTAGE_LEGACY
    assert (matched.report["outcome"] != "matched").sum() == 0 and len(matched.report) == 0
    totals = matched.communes[[s.VILLAGES, s.VILLAGES_WITH_TEAM, s.TEAMS]].sum()
    assert totals.tolist() == [697.0, 697.0, 697.0]
    assert (matched.communes.index.str.len() == 5).all()


def test_fibre_table_matches_every_row_and_is_calibrated() -> None:
    matched = match_table(read_table(COVERAGE / d.FIBRE_FILE))
    assert matched.vintage == s.VINTAGE_2025 and len(matched.report) == 0
    assert len(matched.communes) == 3_320  # all but Hoàng Sa
    raw = pd.read_excel(COVERAGE / d.FIBRE_FILE, header=1, engine="openpyxl")
    subscribed = (
        raw[d.FIBRE_HEADERS["subscriptions"]].sum() / raw[d.FIBRE_HEADERS[s.HOUSEHOLDS]].sum()
    )
    assert round(100 * subscribed, 1) == 80.2
    assert (matched.communes[s.HOUSEHOLDS_FIBRE] <= matched.communes[s.HOUSEHOLDS]).all()


@pytest.fixture(scope="module")
def one_province() -> pd.DataFrame:
    """Lai Châu (38 communes): small enough to generate twice in a few seconds."""
    return d.read_demo_communes(BOUNDARIES, provinces=frozenset({"12"}))


def test_generation_is_deterministic_on_a_subset(
    one_province: pd.DataFrame, tmp_path: Path
) -> None:
    first, second = d.generate_demo(one_province, seed=7), d.generate_demo(one_province, seed=7)
    pd.testing.assert_frame_equal(first.sites, second.sites)
    pd.testing.assert_frame_equal(first.villages, second.villages)
    pd.testing.assert_frame_equal(first.fibre, second.fibre)
    assert np.array_equal(first.mask, second.mask) and np.array_equal(
        first.population, second.population
    )
    assert first.summary["villages"] == round(63_600 * len(one_province) / 3_321)
    path = d.write_demo_xlsx(
        d.team_rows_2025(first.villages, first.communes),
        d.TEAM_HEADERS,
        tmp_path / "DEMO_teams.xlsx",
        notes=[],
    )
    matched = match_table(
        read_table(path), vintage="2025"
    )  # one province: its codes and names fit both vintages
    assert len(matched.report) == 0 and matched.communes[s.TEAMS].sum() == first.summary["teams"]
