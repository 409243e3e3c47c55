"""The indicator registry: every fact declared once, consistent with the schema and the targets, read by every view."""

from __future__ import annotations

import io
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from geo import schema as s
from geo.errors import InputError
from geo.indicators import registry
from geo.indicators import targets as t
from geo.indicators.aggregate import RATIOS
from geo.indicators.formatting import format_number
from geo.indicators.registry import INDICATORS, indicator

SCHEMA_COLUMNS = {v for k, v in vars(s).items() if k.isupper() and isinstance(v, str)}
ROOT = Path(__file__).resolve().parents[3]


def _ids(items: tuple[registry.Indicator, ...]) -> list[str]:
    return [i.column for i in items]


@pytest.mark.parametrize("item", INDICATORS, ids=_ids(INDICATORS))
def test_every_indicator_column_is_a_schema_column(item: registry.Indicator) -> None:
    assert item.column in SCHEMA_COLUMNS


def test_each_column_is_declared_once() -> None:
    assert [c for c, n in Counter(i.column for i in INDICATORS).items() if n > 1] == []


RATIO_ITEMS = tuple(i for i in INDICATORS if i.kind == "percent")


@pytest.mark.parametrize("item", RATIO_ITEMS, ids=_ids(RATIO_ITEMS))
def test_every_percentage_is_a_ratio_of_two_declared_counts(item: registry.Indicator) -> None:
    assert item.is_ratio
    for part in (item.numerator, item.denominator):
        assert part in SCHEMA_COLUMNS
        assert indicator(part).kind in ("count", "area")


def test_the_roll_ups_rebuild_exactly_the_registry_ratios() -> None:
    assert RATIOS == {
        s.PCT_POP_4G: (s.POP_COVERED_4G, s.POP_TOTAL),
        s.PCT_AREA_4G: (s.AREA_COVERED_4G_KM2, s.AREA_OBSERVED_KM2),
        s.PCT_HOUSEHOLDS_FIBRE: (s.HOUSEHOLDS_FIBRE, s.HOUSEHOLDS),
        s.PCT_COMMUNES_FIBRE: (s.COMMUNES_WITH_FIBRE, s.COMMUNES_FIBRE_KNOWN),
        s.PCT_VILLAGES_TEAM: (s.VILLAGES_WITH_TEAM, s.VILLAGES),
    }


def test_every_target_named_is_in_the_default_targets_file() -> None:
    shipped = tomllib.loads(t.DEFAULT_TARGETS_FILE.read_text(encoding="utf-8"))["targets"]
    named = {i.target for i in INDICATORS if i.target is not None}
    assert named <= set(shipped)
    assert named == set(t.TARGET_NAMES)  # and every target is read by some indicator


@pytest.mark.parametrize("target", t.TARGET_NAMES)
def test_each_target_is_decided_by_one_commune_indicator(target: str) -> None:
    decider = registry.deciding_indicator(target)
    assert decider.target == target
    assert "policy" in decider.schemes or decider.kind == "flag"


@pytest.mark.parametrize("item", INDICATORS, ids=_ids(INDICATORS))
def test_both_languages_are_given_and_differ(item: registry.Indicator) -> None:
    assert item.name_vi.strip() and item.name_en.strip()
    assert item.name_vi != item.name_en
    assert (item.unit_vi == "") == (item.unit_en == "")


@pytest.mark.parametrize("lang", registry.LANGS)
def test_no_two_indicators_share_a_name(lang: str) -> None:
    names = Counter(i.name(lang) for i in INDICATORS)
    assert [n for n, count in names.items() if count > 1] == []


def test_schemes_fit_the_kind() -> None:
    for item in INDICATORS:
        if "policy" in item.schemes:
            assert item.kind == "percent" and item.target is not None, item.column
        if item.kind == "flag":
            assert item.schemes == ("yes_no",), item.column


def test_an_unknown_column_is_an_input_error_that_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"'pct_pop_5g' is not an indicator column.*'pct_pop_4g'"):
        indicator("pct_pop_5g")
    assert registry.find_indicator(s.COMMUNE_CODE) is None


def test_values_are_written_as_the_reader_writes_them() -> None:
    assert indicator(s.PCT_POP_4G).format(99.54) == "99,5 %"
    assert indicator(s.PCT_POP_4G).format(99.54, "en") == "99.5 %"
    assert indicator(s.POP_TOTAL).format(1234567.0) == "1.234.567"
    assert indicator(s.FIBRE_TO_COMMUNE).format(False, "en") == "No"
    assert format_number(1234.5, decimals=1) == "1.234,5"
    assert format_number(1234.5, decimals=1, lang="en") == "1,234.5"


def test_reasons_are_written_in_the_reader_s_language() -> None:
    target = t.Target(t.POP_4G, enabled=True, min_pct=99.0)
    assert registry.reason(target, 80.0) == "phủ sóng 4G 80,0% dân số < 99%"
    assert registry.reason(target, 80.0, "en") == "4G covers 80.0% of people < 99%"


def test_uncovered_classes_say_missed_and_met() -> None:
    assert registry.class_texts("vi", column=s.UNCOVERED)["yes"] == "Chưa đạt"
    assert registry.class_texts("vi")["yes"] == "Có"


def test_the_app_strings_do_not_repeat_the_registry() -> None:
    from application import i18n

    assert set(i18n._APP_STRINGS) & set(registry.indicator_strings()) == set()
    assert i18n.text("ind_pct_pop_4g", "en") == "Share of the population covered by 4G (%)"


@pytest.mark.parametrize(
    "module", ["geo.indicators.ranking", "geo.indicators.build", "layers.mapsheet"]
)
def test_the_data_core_and_the_sheets_do_not_import_the_app_layer(module: str) -> None:
    forbidden = ("application", "layers") if module.startswith("geo") else ("application",)
    code = (
        f"import sys, {module}; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# --- One name wherever pct_pop_4g is shown -------------------------------------------------------

NAME = "Tỷ lệ dân số được phủ sóng 4G"
LABEL = f"{NAME} (%)"


def test_the_registry_name_of_pct_pop_4g() -> None:
    assert indicator(s.PCT_POP_4G).name("vi") == NAME
    assert indicator(s.PCT_POP_4G).label("vi") == LABEL


def test_the_map_shows_the_registry_name() -> None:
    from application.i18n import text
    from layers.choropleth import MAP_INDICATORS, view_indicator

    (mapped,) = [i for i in MAP_INDICATORS if i.column == s.PCT_POP_4G]
    assert mapped is indicator(s.PCT_POP_4G)
    title = text(f"ind_{s.PCT_POP_4G}")  # the selector option and legend title of the map page
    view = view_indicator(
        pd.DataFrame({s.PCT_POP_4G: [50.0, 99.5]}),
        mapped,
        title=title,
        texts=registry.class_texts("vi"),
        target_pct=99.0,
    )
    assert view.classification.title == LABEL


def test_the_export_headers_show_the_registry_name(tmp_path: Path) -> None:
    from layers import export
    from tests.layers.test_export import ind_layers

    data = export.export_bytes(ind_layers()["commune"], "xlsx")
    table = pd.read_excel(io.BytesIO(data), sheet_name=export.DATA_SHEET, engine="calamine")
    assert LABEL in table.columns
    assert export.column_info(s.PCT_POP_4G).header == NAME


def test_the_profile_shows_the_registry_name() -> None:
    from application.profile import commune_profile

    row = pd.Series({s.COMMUNE_CODE: "00100", s.PCT_POP_4G: 99.5})
    crosswalk = pd.DataFrame(
        columns=[
            s.LEGACY_COMMUNE_CODE,
            s.LEGACY_COMMUNE_NAME,
            s.NEW_COMMUNE_CODE,
            s.NEW_COMMUNE_NAME,
        ]
    )
    profile = commune_profile(row, scheme="2025", crosswalk=crosswalk, config=t.read_config())
    assert profile.indicators == ((LABEL, "99,5 %"),)


def test_the_print_sheet_and_the_atlas_show_the_registry_name(tmp_path: Path) -> None:
    from matplotlib.legend import Legend

    from layers import atlas, mapsheet
    from tests.layers.test_export import ind_layers, write_ind

    sheet = mapsheet.sheet_from_gpkg(write_ind(tmp_path / "ind.gpkg"), column=s.PCT_POP_4G)
    figure = mapsheet.render_sheet(sheet)
    (legend,) = figure.findobj(Legend)
    assert legend.get_title().get_text() == LABEL
    assert any(text.get_text().startswith(f"{LABEL} · cấp xã") for text in figure.texts)
    assert LABEL in atlas.target_status(ind_layers()["province"], t.read_config()).columns


def test_an_unknown_target_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"'pop_5g' is not decided by any indicator"):
        registry.deciding_indicator("pop_5g")


def test_labels_carry_measurement_units_and_counts_their_bare_name() -> None:
    assert indicator(s.AREA_KM2).label("en") == "Area within the boundary (km²)"
    assert indicator(s.HOUSEHOLDS).label("vi") == "Số hộ gia đình"
    assert indicator(s.UNCOVERED).label("vi") == "Chưa đạt chỉ tiêu"
