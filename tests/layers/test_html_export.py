"""The offline HTML map: self-contained, and drawn by Chromium with every network request blocked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.commands import main
from geo import schema as s
from geo.errors import InputError
from layers import html_export
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.layers.test_export import ind_layers, write_ind


@pytest.fixture
def page_path(tmp_path: Path) -> Path:
    communes = ind_layers()["commune"]
    return html_export.write_html(
        communes, tmp_path / "map.html", column=s.PCT_POP_4G, title="Thử <b>bản đồ</b>"
    )


def test_page_loads_nothing_from_elsewhere(page_path: Path) -> None:
    text = page_path.read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", text)
    assert "url(images/" not in text and "sourceMappingURL" not in text
    assert "L.geoJson" in text or "L.geoJSON" in text
    assert "Thử &lt;b&gt;bản đồ&lt;/b&gt;" in text


def test_unknown_indicator_is_refused() -> None:
    with pytest.raises(InputError, match="--indicator 'nope' is not a column"):
        html_export.html_bytes(ind_layers()["commune"], column="nope")


def test_cli_export_html(tmp_path: Path) -> None:
    out = tmp_path / "cm.html"
    assert (
        main(
            ["export", str(write_ind(tmp_path / "ind.gpkg")), "--out", str(out), "--province", "96"]
        )
        == 0
    )
    assert json.dumps("Đặc khu Thử")[1:-1] in out.read_text(
        encoding="utf-8"
    )  # folium writes \\u escapes


@pytest.fixture
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.browser
def test_chromium_draws_polygons_legend_and_tooltips_offline(browser, page_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 800}, service_workers="block")
    attempted: list[str] = []

    def guard(route, request) -> None:
        if request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            attempted.append(request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:")) else attempted.append(r.url),
    )
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri())
    page.wait_for_selector("path.leaflet-interactive", timeout=15_000)
    assert page.locator("path.leaflet-interactive").count() == 4
    legend = page.locator(".vn-legend")
    assert legend.is_visible()
    assert "Tỷ lệ dân số được phủ sóng 4G (%)" in legend.inner_text()
    assert "RANH GIỚI GẦN ĐÚNG" in page.locator(".vn-title").inner_text()
    page.locator("path.leaflet-interactive").nth(2).hover(force=True)
    page.wait_for_selector(".leaflet-tooltip", timeout=20_000)
    assert "Xã Đất Mũi" in page.locator(".leaflet-tooltip").inner_text()
    assert errors == [] and attempted == []
    context.close()
