"""The legend is drawn from the classification: same labels, same colours, escaped text."""

from __future__ import annotations

import re

import folium

from layers.classify import NO_DATA, Classification, classify_categorical
from layers.legend import LEGEND_CLASS, LegendControl, legend_html


def _numeric() -> Classification:
    return Classification(
        title="Diện tích (km²)",
        kind="numeric",
        labels=("≤ 10", "10 – 20", "> 20"),
        colors=("#ffffcc", "#41b6c4", "#253494"),
        bins=(10.0, 20.0),
    )


def test_one_row_per_class_in_order_with_its_colour() -> None:
    html = legend_html(_numeric(), counts={0: 1, 1: 2, 2: 3, NO_DATA: 0})
    rows = [
        (c, t.strip()) for c, t in re.findall(r"background:(#[0-9a-f]{6});\"></span>([^<]*)", html)
    ]
    assert rows == [("#ffffcc", "≤ 10"), ("#41b6c4", "10 – 20"), ("#253494", "&gt; 20")]


def test_counts_follow_the_labels() -> None:
    html = legend_html(_numeric(), counts={0: 1, 1: 2, 2: 1234, NO_DATA: 0})
    assert "(1.234)" in html and "(2)" in html


def test_counts_in_english_use_a_comma_between_thousands() -> None:
    html = legend_html(_numeric(), counts={0: 3141, 1: 2, 2: 1, NO_DATA: 0}, lang="en")
    assert "(3,141)" in html and "3.141" not in html


def test_no_data_row_is_shown_when_some_value_is_missing() -> None:
    c = _numeric()
    assert c.no_data_label in legend_html(c, counts={0: 1, 1: 1, 2: 1, NO_DATA: 2})
    assert c.no_data_color in legend_html(c, counts={0: 1, 1: 1, 2: 1, NO_DATA: 2})


def test_no_data_row_is_hidden_when_no_value_is_missing() -> None:
    c = _numeric()
    assert c.no_data_label not in legend_html(c, counts={0: 1, 1: 1, 2: 1, NO_DATA: 0})


def test_no_data_row_is_shown_without_counts() -> None:
    assert _numeric().no_data_label in legend_html(_numeric())


def test_title_labels_and_note_are_escaped() -> None:
    c = classify_categorical(["<script>alert(1)</script>", "A & B"], title="<b>T</b>")
    html = legend_html(c, note="<i>n</i>")
    assert "<script>" not in html and "<b>T</b>" not in html and "<i>n</i>" not in html
    assert "&lt;script&gt;" in html and "A &amp; B" in html and "&lt;b&gt;T&lt;/b&gt;" in html


def test_legend_has_its_class_and_title() -> None:
    html = legend_html(_numeric())
    assert html.startswith(f'<div class="{LEGEND_CLASS}"') and "Diện tích (km²)" in html


def test_legend_control_renders_the_html_into_a_leaflet_control() -> None:
    m = folium.Map(tiles=None)
    LegendControl(legend_html(_numeric())).add_to(m)
    page = m.get_root().render()
    assert 'L.control({position: "bottomright"})' in page
    assert "vn-legend" in page and ".addTo(map_" in page
