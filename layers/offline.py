"""Serve the map's JavaScript and CSS from this machine instead of public CDNs.

folium points every map at Leaflet, jQuery, Bootstrap, Font Awesome and
Leaflet.awesome-markers on public CDNs; with no internet the map stays blank.
The only library our maps need is Leaflet itself (GeoJSON, tooltips and a
control with inline-styled HTML). It comes from the PyPI package
``XStatic-Leaflet`` (the same Leaflet 1.9.3 folium 0.20 asks for, BSD-2
licence), which ``pip install -r requirements.txt`` installs.

``vendor_assets`` copies those files into the app's static folder (served
by Streamlit at ``/app/static/…`` with ``server.enableStaticServing``);
``use_local_assets`` points a folium map at them, replacing every CDN link;
``remote_links`` lists any link to another host that is left, so a test or
the app can refuse to send a map that would reach out. ``Attribution``
replaces Leaflet's default credit (a flag icon and a link to leafletjs.com)
with the project's own, Leaflet named in plain text.
"""

from __future__ import annotations

import filecmp
import html
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Element, MacroElement
from jinja2 import Template
from xstatic.pkg import leaflet as xstatic_leaflet

LEAFLET_VERSION: str = xstatic_leaflet.VERSION
#: Sub-folder of the static folder the files are copied to (git-ignored: /static/vendor/).
VENDOR_SUBDIR = f"vendor/leaflet-{LEAFLET_VERSION}"
_FILES = ("leaflet.js", "leaflet.css")
_IMAGES = "images"


#: The credit of a map when its page gives none (plain text).
DEFAULT_CREDIT = "Bản đồ hạ tầng số theo xã/phường · Leaflet"


class Attribution(MacroElement):
    """The map's credit in its bottom-right corner, in place of Leaflet's flag and link.

    Parameters
    ----------
    credit
        Plain text (escaped here: Leaflet inserts the prefix as HTML), e.g.
        "Bản đồ hạ tầng số theo xã/phường · Leaflet".
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix({{ this.credit|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, credit: str = DEFAULT_CREDIT) -> None:
        super().__init__()
        self._name = "Attribution"
        self.credit = html.escape(credit)


class RemoteAssetError(RuntimeError):
    """A map still links to a script, stylesheet or tile on another host."""


@dataclass(frozen=True)
class OfflineAssets:
    """Local URLs of the map's scripts and stylesheets.

    Attributes
    ----------
    js
        ``(name, url)`` pairs, in load order (folium's ``default_js`` format).
    css
        ``(name, url)`` pairs (folium's ``default_css`` format).
    """

    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]


def leaflet_source_dir() -> Path:
    """Folder of the installed XStatic-Leaflet files."""
    return Path(xstatic_leaflet.BASE_DIR)


def vendor_assets(static_dir: Path) -> Path:
    """Copy Leaflet's files into ``static_dir/vendor/leaflet-<version>/`` unless already there.

    The copy goes to a temporary folder first and is renamed into place, so
    a crash or a second process never leaves a half-written folder behind.

    Parameters
    ----------
    static_dir
        The app's static folder (``static/`` next to ``app.py``).

    Returns
    -------
    pathlib.Path
        The vendor folder.
    """
    target = static_dir / VENDOR_SUBDIR
    if _is_complete_copy(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".leaflet-", dir=target.parent))
    try:
        for name in _FILES:
            shutil.copy2(leaflet_source_dir() / name, staging / name)
        shutil.copytree(leaflet_source_dir() / _IMAGES, staging / _IMAGES)
        if target.exists():
            shutil.rmtree(target)
        _rename_into_place(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


def _rename_into_place(staging: Path, target: Path) -> None:
    try:
        staging.rename(target)
    except OSError:
        # Another process put a copy in place between our check and our rename.
        if not _is_complete_copy(target):
            raise


def _is_complete_copy(target: Path) -> bool:
    source = leaflet_source_dir()
    names = [*_FILES, *(f"{_IMAGES}/{p.name}" for p in (source / _IMAGES).iterdir())]
    return all(
        (target / n).is_file() and filecmp.cmp(source / n, target / n, shallow=True) for n in names
    )


def local_assets(base_url: str = "") -> OfflineAssets:
    """URLs of the vendored files as served by Streamlit's static file serving.

    Parameters
    ----------
    base_url
        Streamlit's ``server.baseUrlPath`` ("" when the app is served at /).
    """
    prefix = "/" + "/".join(p for p in (base_url.strip("/"), "app/static", VENDOR_SUBDIR) if p)
    return OfflineAssets(
        js=(("leaflet", f"{prefix}/leaflet.js"),),
        css=(("leaflet_css", f"{prefix}/leaflet.css"),),
    )


def use_local_assets(m: folium.Map, assets: OfflineAssets) -> folium.Map:
    """Point a map at local files: only Leaflet, nothing from a CDN.

    Sets the map's own ``default_js``/``default_css`` (instance attributes, so
    folium's class-level lists, shared by every map in the process, stay
    untouched) and adds a style rule so that a map with no tiles has a
    light background.
    """
    m.default_js = list(assets.js)
    m.default_css = list(assets.css)
    m.get_root().header.add_child(
        Element("<style>.leaflet-container{background:#f4f7fa;}</style>"),
        name="vn_offline_background",
    )
    return m


def remote_links(m: folium.Map) -> list[str]:
    """Every script, stylesheet or tile URL of the map that points to another host.

    Looks at what streamlit-folium and folium's own renderer read: the
    ``default_js``/``default_css`` of every element, and tile layer URLs.
    """
    found: list[str] = []
    for element in _walk(m):
        for _, url in [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]:
            found.append(url)
        if isinstance(element, folium.TileLayer):
            found.append(element.tiles)
    return [url for url in dict.fromkeys(found) if _is_remote(url)]


def check_offline(m: folium.Map) -> folium.Map:
    """Return the map unchanged, or raise ``RemoteAssetError`` naming the remote links."""
    links = remote_links(m)
    if links:
        raise RemoteAssetError(
            f"the map would load {links} from other hosts; use layers.offline.use_local_assets"
        )
    return m


def _walk(element: object) -> Iterator[object]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _is_remote(url: str) -> bool:
    lowered = url.strip().lower()
    return lowered.startswith(("http:", "https:", "//", "ftp:"))
