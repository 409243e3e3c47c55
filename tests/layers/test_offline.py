"""The map's scripts and stylesheets come from this machine, never from a CDN."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import pytest

from layers.offline import (
    LEAFLET_VERSION,
    VENDOR_SUBDIR,
    RemoteAssetError,
    check_offline,
    leaflet_source_dir,
    local_assets,
    remote_links,
    use_local_assets,
    vendor_assets,
)


def test_the_installed_leaflet_is_the_version_folium_asks_for() -> None:
    folium_leaflet = dict(folium.Map.default_js)["leaflet"]
    assert f"leaflet@{LEAFLET_VERSION}/" in folium_leaflet
    assert f"Leaflet {LEAFLET_VERSION}" in (leaflet_source_dir() / "leaflet.js").read_text()[:200]


def test_vendor_assets_copies_scripts_styles_and_images(tmp_path: Path) -> None:
    target = vendor_assets(tmp_path)
    assert target == tmp_path / VENDOR_SUBDIR
    assert (target / "leaflet.js").read_bytes() == (
        leaflet_source_dir() / "leaflet.js"
    ).read_bytes()
    assert (target / "leaflet.css").is_file() and (target / "images" / "layers.png").is_file()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".leaflet-")]


def test_vendor_assets_is_idempotent_and_repairs_a_damaged_copy(tmp_path: Path) -> None:
    target = vendor_assets(tmp_path)
    (target / "leaflet.js").write_text("broken")
    vendor_assets(tmp_path)
    assert (target / "leaflet.js").read_bytes() == (
        leaflet_source_dir() / "leaflet.js"
    ).read_bytes()


def test_local_urls_are_under_streamlit_static_serving() -> None:
    assets = local_assets()
    assert assets.js == (("leaflet", f"/app/static/{VENDOR_SUBDIR}/leaflet.js"),)
    assert assets.css == (("leaflet_css", f"/app/static/{VENDOR_SUBDIR}/leaflet.css"),)


def test_local_urls_follow_the_base_url_path() -> None:
    assert (
        local_assets("/tools/vncover/").js[0][1]
        == f"/tools/vncover/app/static/{VENDOR_SUBDIR}/leaflet.js"
    )


def test_a_plain_folium_map_links_to_cdns() -> None:
    links = remote_links(folium.Map())
    assert any("leaflet.js" in link for link in links)
    assert any("tile.openstreetmap.org" in link for link in links)
    with pytest.raises(RemoteAssetError, match="use_local_assets"):
        check_offline(folium.Map())


def test_a_local_map_renders_no_link_to_another_host() -> None:
    m = use_local_assets(folium.Map(tiles=None), local_assets())
    assert remote_links(m) == []
    page = m.get_root().render()
    assert re.findall(r"(?:src|href)=\"(https?:)?//", page) == []
    assert f"/app/static/{VENDOR_SUBDIR}/leaflet.js" in page


def test_use_local_assets_leaves_foliums_class_defaults_alone() -> None:
    before = list(folium.Map.default_js)
    use_local_assets(folium.Map(tiles=None), local_assets())
    assert folium.Map.default_js == before
