"""Numbers as each language writes them: thousands, decimals, percentages, thresholds."""

from __future__ import annotations

import pytest

from geo.indicators.formatting import format_number, format_percent, format_share


@pytest.mark.parametrize(
    ("value", "decimals", "vi", "en"),
    [
        (3141, 0, "3.141", "3,141"),
        (1234567.25, 2, "1.234.567,25", "1,234,567.25"),
        (79.2, 1, "79,2", "79.2"),
        (0, 1, "0,0", "0.0"),
        (999.96, 1, "1.000,0", "1,000.0"),
        (-1500, 0, "-1.500", "-1,500"),
        (2.675, 2, "2,68", "2.68"),  # rounded on the digits as written, not on the binary float
    ],
)
def test_numbers_take_the_separators_of_the_language(
    value: float, decimals: int, vi: str, en: str
) -> None:
    assert format_number(value, decimals=decimals) == vi
    assert format_number(value, decimals=decimals, lang="vi") == vi
    assert format_number(value, decimals=decimals, lang="en") == en


def test_percentages_keep_a_space_before_the_sign() -> None:
    assert format_percent(79.2) == "79,2 %"
    assert format_percent(79.2, lang="en") == "79.2 %"
    assert format_percent(100, decimals=0, lang="en") == "100 %"


def test_shares_drop_the_decimals_of_a_whole_number() -> None:
    assert format_share(80.0) == "80 %"
    assert format_share(64.8) == "64,8 %"
    assert format_share(64.8, lang="en") == "64.8 %"


def test_an_unknown_language_writes_vietnamese_numbers() -> None:
    assert format_number(3141, lang="fr") == "3.141"


def test_negative_decimals_are_refused() -> None:
    with pytest.raises(ValueError, match="decimals must be 0 or more, got -1"):
        format_number(1.0, decimals=-1)
