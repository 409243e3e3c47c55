"""A session's plain values over a plain dict (application.session)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from application import session as keys
from application.increment import TableUpload
from application.session import BOUNDARY_KEYS, Session, session_values
from geo import schema as s


@pytest.fixture
def state() -> dict[str, object]:
    return {}


def test_defaults_of_a_new_session(state: dict[str, object]) -> None:
    current = Session(state)
    assert (current.lang(), current.scheme(), current.province()) == ("vi", "2025", "")
    assert current.selected(s.VINTAGE_2025) is None and current.table_uploads() == ()
    assert not current.has_uploads() and current.boundaries() is None


def test_a_selection_belongs_to_its_scheme(state: dict[str, object]) -> None:
    current = Session(state)
    current.select("02266", s.VINTAGE_2025)
    assert current.selected(s.VINTAGE_2025) == "02266"
    assert current.selected(s.VINTAGE_LEGACY) is None


def test_a_click_selects_once(state: dict[str, object]) -> None:
    current = Session(state)
    current.click("00004", s.VINTAGE_2025)
    current.select("00008", s.VINTAGE_2025)  # a search after the click
    current.click("00004", s.VINTAGE_2025)  # st_folium reports the same click on the rerun
    assert current.selected(s.VINTAGE_2025) == "00008"
    current.click("00004", s.VINTAGE_LEGACY)  # the same code in the other scheme is a new click
    assert current.selected(s.VINTAGE_LEGACY) == "00004"


def test_a_choice_seeds_a_widget_per_language(state: dict[str, object]) -> None:
    current = Session(state)
    assert current.seed(keys.PROVINCE, "vi", "", options=["", "01"]) == "province.vi"
    assert state == {"province": "", "province.vi": ""}
    state["province.vi"] = "01"  # the person picks Hà Nội
    current.take(keys.PROVINCE, "province.vi")
    key = current.seed(keys.PROVINCE, "en", "", options=["", "01"], widget="unc_province")
    assert key == "unc_province.en" and state[key] == "01" and current.province() == "01"


def test_a_choice_no_longer_offered_falls_back_to_the_default(state: dict[str, object]) -> None:
    current = Session(state)
    state.update({keys.INDICATOR: s.N_UNCOVERED, "indicator.vi": s.N_UNCOVERED})
    current.seed(keys.INDICATOR, "vi", s.PCT_POP_4G, options=[s.PCT_POP_4G])
    assert state[keys.INDICATOR] == state["indicator.vi"] == s.PCT_POP_4G
    assert current.indicator([s.PCT_POP_4G], s.PCT_HOUSEHOLDS_FIBRE) == s.PCT_POP_4G


def test_each_scheme_keeps_its_own_province(state: dict[str, object]) -> None:
    current = Session(state)
    current.choose(keys.province_choice(s.VINTAGE_LEGACY), "02")
    assert current.province(s.VINTAGE_LEGACY) == "02" and current.province() == ""


def test_a_province_result_goes_to_the_province_and_closes_the_profile(
    state: dict[str, object],
) -> None:
    current = Session(state)
    current.select("02266", s.VINTAGE_2025)
    current.pick_place("province", "96", "96", scheme=s.VINTAGE_2025)
    assert current.province() == "96" and current.selected(s.VINTAGE_2025) is None


def test_a_commune_result_is_shown_at_commune_level_in_its_province(
    state: dict[str, object],
) -> None:
    current = Session(state)
    current.choose(keys.LEVEL, "province")
    current.choose(keys.PROVINCE, "01")
    current.pick_place("commune", "32248", "96", scheme=s.VINTAGE_2025)
    assert current.selected(s.VINTAGE_2025) == "32248"
    assert (state[keys.LEVEL], current.province()) == ("commune", "96")
    current.choose(keys.PROVINCE, "")
    current.pick_place("commune", "02266", "08", scheme=s.VINTAGE_2025)
    assert current.province() == ""  # the whole country holds it


def test_emptying_the_search_forgets_only_the_commune_it_selected(
    state: dict[str, object],
) -> None:
    current = Session(state)
    current.pick_place("commune", "02266", "08", scheme=s.VINTAGE_2025)
    current.search_cleared()
    assert current.selected(s.VINTAGE_2025) is None
    current.click("00004", s.VINTAGE_2025)
    current.search_cleared()
    assert current.selected(s.VINTAGE_2025) == "00004"


@pytest.mark.parametrize(
    ("level", "province", "shown"),
    [
        ("commune", "", "02266"),
        ("commune", "08", "02266"),
        ("commune", "01", None),
        ("province", "", None),
        ("district", "08", None),
    ],
)
def test_a_selection_is_shown_only_where_it_applies(
    state: dict[str, object], level: str, province: str, shown: str | None
) -> None:
    current = Session(state)
    current.select("02266", s.VINTAGE_2025)
    where = {"02266": "08", "00004": "01"}
    found = current.shown_selection(
        s.VINTAGE_2025, level=level, province=province, province_of=where
    )
    assert found == shown
    assert current.selected(s.VINTAGE_2025) == shown  # forgotten when it no longer applies


def test_a_selection_of_a_commune_not_on_the_map_is_forgotten(state: dict[str, object]) -> None:
    current = Session(state)
    current.select("99999", s.VINTAGE_2025)
    assert (
        current.shown_selection(s.VINTAGE_2025, level="commune", province="", province_of={})
        is None
    )


def test_tables_are_added_once_per_content_and_kind(
    state: dict[str, object], tmp_path: Path
) -> None:
    current = Session(state)
    table = tmp_path / "fibre.csv"
    table.write_text("x\n", encoding="utf-8")
    fibre = TableUpload("fibre", table, "aa", sheet="Báo cáo", mapping=(("Hộ", "households"),))
    assert current.add_table(fibre) and not current.add_table(fibre)
    assert current.add_table(TableUpload("teams", table, "aa"))  # the same bytes as another kind
    assert current.add_table(TableUpload("fibre", tmp_path / "gone.csv", "bb"))
    assert current.table_uploads() == (fibre, TableUpload("teams", table, "aa"))
    assert current.loaded("fibre", "aa") == fibre and current.loaded("fibre", "cc") is None
    assert current.uploaded_files() == {("fibre", "fibre.csv"), ("teams", "fibre.csv")}
    assert current.overridden() == set() and current.has_uploads()
    current.remove_table("fibre", "aa")
    assert current.table_uploads() == (TableUpload("teams", table, "aa"),)
    assert all(isinstance(v, (str, list, type(None))) for r in state["uploads"] for v in r.values())


def test_a_mapping_is_remembered_per_headers_and_a_pending_upload_per_kind(
    state: dict[str, object], tmp_path: Path
) -> None:
    current = Session(state)
    current.remember_mapping("so ho|xa", (("Hộ dùng cáp", "households_fibre"),))
    assert current.mapping_for("so ho|xa") == (("Hộ dùng cáp", "households_fibre"),)
    assert current.mapping_for("other") == ()
    table = tmp_path / "t.csv"
    table.write_text("x\n", encoding="utf-8")
    current.set_pending("fibre", table, "dd")
    assert current.pending("fibre") == (table, "dd") and current.pending("teams") is None
    current.set_pending("fibre", None, error="too large")
    assert current.pending("fibre") is None and current.pending_error("fibre") == "too large"


def _imported(tmp_path: Path) -> SimpleNamespace:
    merged, report = tmp_path / "merged.gpkg", tmp_path / "up.report.csv"
    merged.write_bytes(b"")
    report.write_text("feature\n", encoding="utf-8")
    return SimpleNamespace(
        merge=SimpleNamespace(path=merged, scheme=s.VINTAGE_2025),
        report=report,
        result=SimpleNamespace(summary_lines=lambda: ["3 matched", "0 unmatched"]),
    )


def test_an_imported_boundary_file_is_kept_as_plain_strings(
    state: dict[str, object], tmp_path: Path
) -> None:
    imported = _imported(tmp_path)
    values = session_values(imported, name="hn.geojson", token="hn.geojson:12")  # type: ignore[arg-type]
    assert set(values) <= set(BOUNDARY_KEYS) and all(isinstance(v, str) for v in values.values())
    current = Session(state)
    current.keep_boundaries(imported, name="hn.geojson", token="hn.geojson:12")  # type: ignore[arg-type]
    assert current.boundaries() == imported.merge.path
    assert (current.boundaries_name(), current.boundaries_scheme()) == ("hn.geojson", "2025")
    assert current.boundaries_report() == imported.report
    assert current.boundaries_summary() == "3 matched\n0 unmatched"
    assert current.overridden() == {"boundaries"}
    assert current.boundary_upload("hn.geojson:12") == "kept"
    assert current.boundary_upload("other.zip:5") == "new"


def test_a_failed_upload_keeps_its_message(state: dict[str, object], tmp_path: Path) -> None:
    current = Session(state)
    current.fail_boundaries("ab12:opts", "bad.zip: not a zip file", crs=["EPSG:9209"])
    assert current.boundary_upload("ab12:opts") == "failed"
    assert current.boundaries_error() == "bad.zip: not a zip file"
    assert current.boundaries_failed_for("ab12") and not current.boundaries_failed_for("cd34")
    assert current.boundaries_crs() == ["EPSG:9209"]
    current.keep_boundaries(_imported(tmp_path), name="good.zip", token="ab12:other")  # type: ignore[arg-type]
    assert not current.boundaries_failed_for("ab12") and current.boundaries_error() == ""


def test_discarding_uploads_removes_the_folder_and_every_key(
    state: dict[str, object], tmp_path: Path
) -> None:
    current = Session(state)
    folder = current.folder()
    assert folder.is_dir() and current.folder() == folder  # made once
    current.keep_boundaries(_imported(tmp_path), name="hn.geojson", token="t")  # type: ignore[arg-type]
    current.add_table(TableUpload("fibre", folder / "fibre.csv", "aa"))
    current.remember_mapping("k", (("a", "households"),))
    current.set_pending("teams", folder / "t.csv", "bb")
    state[keys.LANG] = "en"
    current.discard_uploads()
    assert not folder.exists()
    assert set(state) == {keys.LANG}
