"""Per-commune counts: several tables merged, the latest report date winning per commune."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import schema as s
from geo.errors import InputError
from geo.indicators.counts import SOURCE, merge_latest


def _values(rows: dict[str, tuple[float, float]], as_of: str, source: str) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(
        rows, orient="index", columns=[s.HOUSEHOLDS, s.HOUSEHOLDS_FIBRE]
    ).rename_axis(s.COMMUNE_CODE)
    return frame.assign(as_of=as_of, **{SOURCE: source})


NATIONAL = _values(
    {"31825": (100, 50), "31834": (200, 100), "02215": (1000, 900)}, "2025-06-30", "national.xlsx"
)


def test_a_newer_table_updates_its_communes_and_leaves_the_others() -> None:
    update = _values({"31825": (100, 99)}, "2025-10-01", "ca_mau.xlsx")
    merged = merge_latest(NATIONAL, update)
    table = merged.communes
    assert merged.updated.tolist() == ["31825"] and merged.kept.empty
    assert table.loc["31825", s.HOUSEHOLDS_FIBRE] == 99
    assert table.loc["31825", "as_of"] == "2025-10-01"
    assert table.loc["31834"].tolist() == [200, 100, "2025-06-30", "national.xlsx"]
    assert table.loc["02215", SOURCE] == "national.xlsx"
    assert table.index.tolist() == ["02215", "31825", "31834"]


def test_an_older_table_does_not_overwrite_a_later_report() -> None:
    older = _values({"31825": (100, 10), "31840": (300, 30)}, "2024-12-31 (file date)", "old.csv")
    merged = merge_latest(NATIONAL, older)
    assert merged.kept.tolist() == ["31825"] and merged.updated.tolist() == ["31840"]
    assert merged.communes.loc["31825", s.HOUSEHOLDS_FIBRE] == 50  # the later report stays
    assert merged.communes.loc["31840", s.HOUSEHOLDS_FIBRE] == 30  # a new commune is added


def test_the_winning_row_is_taken_whole() -> None:
    update = _values({"31825": (np.nan, 70)}, "2025-10-01", "u.csv")
    merged = merge_latest(NATIONAL, update).communes
    assert np.isnan(merged.loc["31825", s.HOUSEHOLDS])  # not mixed with the older report's 100


def test_frames_without_dates_are_an_error() -> None:
    with pytest.raises(InputError, match=r"update has no column \['as_of'\]"):
        merge_latest(NATIONAL, NATIONAL.drop(columns=["as_of"]))


def test_names_of_both_registers_are_a_structured_choice(tmp_path) -> None:
    from geo.errors import VintageAmbiguityError
    from geo.indicators.counts import match_table
    from geo.reading.tables import read_table

    path = tmp_path / "ten_xa.csv"
    path.write_text("Tỉnh,Xã,Số hộ,Số hộ có cáp quang\nTuyên Quang,Xã Thượng Lâm,5,4\n", "utf-8")
    with pytest.raises(VintageAmbiguityError, match="--tables-vintage") as caught:
        match_table(read_table(path))
    assert caught.value.matched == {"2025": 1, "legacy": 1}
    chosen = match_table(read_table(path), vintage="2025")
    assert chosen.vintage == "2025" and chosen.matched_rows == {"2025": 1}
