"""A map request and what is drawn from it (application.map_request)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

from application.app_data import with_targets
from application.display import DisplayData
from application.i18n import text
from application.map_request import (
    MapRequest,
    clicked_code,
    indicator_view,
    map_style,
    sheet_stem,
)
from geo import schema as s
from geo.indicators.ranking import rank_uncovered


def test_a_request_is_frozen_with_the_defaults_of_the_map_page() -> None:
    request = MapRequest(scheme=s.VINTAGE_2025, level="commune", column=s.PCT_POP_4G)
    assert (request.province, request.mode, request.height, request.key) == (
        "",
        "policy",
        700,
        "map",
    )
    assert request.highlight == frozenset() and request.config is None and not request.large
    with pytest.raises(FrozenInstanceError):
        request.province = "01"  # type: ignore[misc]


def test_view_classifies_the_requested_layer_in_the_language(display: DisplayData) -> None:
    request = MapRequest(scheme=s.VINTAGE_2025, level="commune", column=s.PCT_POP_4G)
    view = indicator_view(display, request, lang="en")
    assert len(view.values) == 4
    assert view.classification.title == text("ind_pct_pop_4g", "en")
    province = indicator_view(display, replace(request, level="province"), lang="en")
    assert len(province.values) == 2


def test_uncovered_says_not_met_rather_than_yes(display: DisplayData) -> None:
    request = MapRequest(scheme=s.VINTAGE_2025, level="commune", column=s.UNCOVERED)
    labels = " ".join(indicator_view(display, request, lang="vi").classification.labels)
    assert "Chưa đạt" in labels and "Có" not in labels.split()


def test_the_requested_targets_set_the_policy_classes(display: DisplayData) -> None:
    request = MapRequest(scheme=s.VINTAGE_2025, level="commune", column=s.PCT_HOUSEHOLDS_FIBRE)
    default = indicator_view(display, request, lang="vi").classification.labels
    lower = with_targets(display.config, {"fibre_households": (True, 50.0)})
    chosen = indicator_view(
        display, replace(request, config=lower), lang="vi"
    ).classification.labels
    # The first class is "below 80 % of the target": < 64 % of a target of 80 %, < 40 % of 50 %.
    assert default[0].endswith("(< 64 %)") and chosen[0].endswith("(< 40 %)")


def test_unknown_indicator_names_the_known_ones(display: DisplayData) -> None:
    request = MapRequest(scheme=s.VINTAGE_2025, level="commune", column="pct_nothing")
    with pytest.raises(KeyError, match="no map indicator 'pct_nothing'; known: .*pct_pop_4g"):
        indicator_view(display, request, lang="vi")


def test_style_carries_texts_highlight_and_size(display: DisplayData) -> None:
    request = MapRequest(
        scheme=s.VINTAGE_2025,
        level="commune",
        column=s.PCT_HOUSEHOLDS_FIBRE,
        highlight=frozenset({"00008"}),
        large=True,
        height=820,
    )
    style = map_style(display, request, lang="vi")
    assert style.tooltip_aliases == (
        "Tên",
        "Tỉnh/thành phố",
        text("ind_pct_households_fibre", "vi"),
    )
    assert style.legend_note == "Số liệu đến ngày 2026-06-30"
    assert (style.highlight, style.large, style.height) == (frozenset({"00008"}), True, 820)


def test_sheet_stem_names_the_indicator_and_the_place() -> None:
    request = MapRequest(scheme=s.VINTAGE_2025, level="commune", column=s.PCT_POP_4G)
    assert sheet_stem(request) == "ban_do_pct_pop_4g_toan_quoc"
    assert sheet_stem(replace(request, province="08")) == "ban_do_pct_pop_4g_08"


@pytest.mark.parametrize(
    ("result", "code"),
    [
        (None, None),
        ({}, None),
        ({"last_active_drawing": None}, None),
        ({"last_active_drawing": {"id": "02266"}}, "02266"),
        ({"last_active_drawing": {"id": 4}}, "4"),
    ],
)
def test_clicked_code(result: dict | None, code: str | None) -> None:
    assert clicked_code(result) == code


def test_step_choice_walks_round_the_end() -> None:
    from application.map_request import step_choice

    options = ["", "08", "96"]
    assert step_choice(options, "", 1) == "08"
    assert step_choice(options, "96", 1) == ""
    assert step_choice(options, "", -1) == "96"
    assert step_choice(options, "99", 1) == "08"  # unknown: from the first
    with pytest.raises(ValueError, match="no options"):
        step_choice([], "", 1)


#: Target choices (name → (enabled, threshold)) and the fixture communes that miss them.
CHOICES = [
    ({}, ["00008", "02266", "02269"]),
    ({"fibre_households": (False, 80.0)}, ["02266", "02269"]),
    ({"fibre_households": (True, 50.0)}, ["02266", "02269"]),
    (
        {
            "fibre_households": (False, 80.0),
            "fibre_to_commune": (False, None),
            "pop_4g": (False, 99.0),
        },
        ["02266"],
    ),
]


@pytest.mark.parametrize(("choices", "codes"), CHOICES)
def test_the_uncovered_map_counts_the_communes_of_the_chosen_targets(
    display: DisplayData, choices: dict, codes: list[str]
) -> None:
    config = with_targets(display.config, choices)
    request = MapRequest(scheme=s.VINTAGE_2025, level="commune", column=s.UNCOVERED, config=config)
    view = indicator_view(display, request, lang="vi")
    table = display.layer(s.VINTAGE_2025, "commune").table
    red = sorted(table["code"][view.values == text("uncovered_yes", "vi")])
    assert red == codes
    assert sorted(rank_uncovered(table, config)[s.COMMUNE_CODE]) == codes


def test_the_province_map_counts_the_communes_of_the_chosen_targets(
    display: DisplayData,
) -> None:
    config = with_targets(display.config, {"fibre_households": (False, 80.0)})
    request = MapRequest(
        scheme=s.VINTAGE_2025, level="province", column=s.N_UNCOVERED, config=config
    )
    view = indicator_view(display, request, lang="vi")
    assert list(view.values) == [0.0, 2.0]  # Hà Nội: 00008 met once fibre is off; Tuyên Quang: 2
    default = indicator_view(display, replace(request, config=None), lang="vi")
    assert list(default.values) == [1.0, 2.0]
