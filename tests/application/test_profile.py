"""A commune's profile: indicators, target status, communes of the other scheme, sources; escaped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from application.profile import commune_profile, profile_html, related_communes
from geo import schema as s
from geo.indicators.targets import read_config

EVIL = '<img src=x onerror="alert(1)">'


@pytest.fixture
def crosswalk() -> pd.DataFrame:
    return pd.DataFrame(
        {
            s.LEGACY_COMMUNE_CODE: ["00010", "00011", "00012"],
            s.LEGACY_COMMUNE_NAME: ["Xã Cũ Một", EVIL, "Xã Cũ Ba"],
            s.NEW_COMMUNE_CODE: ["00100", "00100", "00200"],
            s.NEW_COMMUNE_NAME: ["Xã Mới", "Xã Mới", "Xã Khác"],
        }
    )


@pytest.fixture
def row() -> pd.Series:
    return pd.Series(
        {
            s.COMMUNE_CODE: "00100",
            s.COMMUNE_NAME: f"Xã {EVIL}",
            s.PROVINCE_NAME: "Tỉnh A",
            s.POP_TOTAL: 1234.0,
            s.PCT_POP_4G: 99.5,
            s.PCT_HOUSEHOLDS_FIBRE: 70.0,
            s.FIBRE_TO_COMMUNE: True,
            s.PCT_VILLAGES_TEAM: np.nan,
            s.TEAMS: 3.0,
            s.source_column(s.FIBRE): "DEMO_fibre.xlsx",
            s.as_of_column(s.FIBRE): "2025-10-01",
        }
    )


def test_indicators_and_target_status(row: pd.Series, crosswalk: pd.DataFrame) -> None:
    profile = commune_profile(row, scheme="2025", crosswalk=crosswalk, config=read_config())
    values = dict(profile.indicators)
    assert values["Dân số"] == "1.234"
    assert values["Tỷ lệ dân số được phủ sóng 4G (%)"] == "99,5 %"
    assert values["Cáp quang đến xã"] == "Có"
    assert values["Tỷ lệ thôn có tổ công nghệ số cộng đồng (%)"] == "Không có số liệu"
    status = {name: state for name, _, state in profile.targets}
    assert status == {
        "Hộ có thể sử dụng cáp quang": "Chưa đạt",
        "Cáp quang đến xã": "Đạt",
        "Phủ sóng 4G theo dân số": "Đạt",
        "Thôn có tổ công nghệ số cộng đồng": "Chưa có số liệu",
    }


def test_numbers_and_thresholds_in_english(row: pd.Series, crosswalk: pd.DataFrame) -> None:
    profile = commune_profile(
        row, scheme="2025", crosswalk=crosswalk, config=read_config(), lang="en"
    )
    values = dict(profile.indicators)
    assert values["Population"] == "1,234"
    assert values["Share of the population covered by 4G (%)"] == "99.5 %"
    thresholds = {name: threshold for name, threshold, _ in profile.targets}
    assert thresholds["4G population coverage"] == "≥ 99 %"
    vi = commune_profile(row, scheme="2025", crosswalk=crosswalk, config=read_config())
    assert {n: th for n, th, _ in vi.targets}["Phủ sóng 4G theo dân số"] == "≥ 99 %"


def test_legacy_communes_of_a_2025_commune_and_back(crosswalk: pd.DataFrame) -> None:
    assert related_communes("00100", scheme="2025", crosswalk=crosswalk) == (
        ("00010", "Xã Cũ Một"),
        ("00011", EVIL),
    )
    assert related_communes("00012", scheme="legacy", crosswalk=crosswalk) == (
        ("00200", "Xã Khác"),
    )


def test_sources_and_dates(row: pd.Series, crosswalk: pd.DataFrame) -> None:
    profile = commune_profile(
        row, scheme="2025", crosswalk=crosswalk, config=read_config(), lang="en"
    )
    sources = {name: (file, date) for name, file, date in profile.sources}
    assert sources["Fibre"] == ("DEMO_fibre.xlsx", "2025-10-01")
    assert sources["Mobile coverage"] == ("not loaded", "")


def test_html_escapes_every_data_string(row: pd.Series, crosswalk: pd.DataFrame) -> None:
    page = profile_html(
        commune_profile(row, scheme="2025", crosswalk=crosswalk, config=read_config())
    )
    assert "<img" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert page.startswith('<div class="vn-profile">')
