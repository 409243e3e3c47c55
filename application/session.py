"""A session's plain values: the session-state keys the pages share, and what each holds.

Streamlit keeps one ``st.session_state`` per browser session; the pages read and
write the keys below only through :class:`Session`, a view over any mutable
mapping (so a test uses a dict). Values are plain: the language, codes,
choices, paths as strings; never GeoDataFrames or folium objects.

An uploaded boundary file becomes the session's boundaries: the Data page
merges it into a copy of the embedded boundaries in the session's folder
(:mod:`geo.importing.merge_boundaries`) and keeps that file's path under
:data:`BOUNDARIES`; the pages compute the indicators on it from the next rerun on.
The choices that follow the person from page to page and across a language switch
(scheme, level, indicator, classes, province, targets, search) are kept under keys no
widget owns (:data:`SCHEME` …, :func:`target_on` …): Streamlit deletes a widget's key
when a page without that widget runs, and the browser sends back a select widget's
value as its *label*, which a language switch changes. So each page draws each choice
with a widget of its own per language (:func:`widget_key`), seeded from the choice
(:meth:`Session.seed`) and writing it back when the person changes it
(:meth:`Session.take`); code that changes a choice writes the choice only.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from application.i18n import DEFAULT_LANG
from application.increment import TableUpload
from application.session_files import session_folder
from geo import schema as s
from geo.importing.merge_boundaries import SessionBoundaries

LANG: Final = "lang"  # the sidebar's language switch (language-neutral labels: its own key)
# Choices every page reads (plain values, no widget owns these keys).
SCHEME: Final = "scheme"
LEVEL: Final = "level"
INDICATOR: Final = "indicator"
CLASS_MODE: Final = "class_mode"
PROVINCE: Final = "province"  # a 2025 province ("" the whole country), on every page
LEGACY_PROVINCE: Final = "province_legacy"  # a legacy province, on the map page's legacy scheme
SEARCH: Final = "search"  # what was typed in the map page's search box
SEARCH_PICK: Final = "search_pick"  # the search result chosen ("commune/02266", "province/08")
# The commune whose profile is shown, the scheme its code belongs to, how it was chosen
# ("click" or "search"), the last click seen.
SELECTED: Final = "selected"
SELECTED_SCHEME: Final = "selected_scheme"
SELECTED_BY: Final = "selected_by"
LAST_CLICK: Final = "last_click"
# This session's uploads: its folder, its tables (a list of plain records, see _plain_upload),
# the column mapping chosen per set of headers, and the upload of each kind being checked.
SESSION_DIR: Final = "session_dir"
UPLOADS: Final = "uploads"
MAPPINGS: Final = "column_mappings"
PENDING: Final = "pending_uploads"
#: Session-state keys of an uploaded boundary file (all plain strings).
BOUNDARIES: Final = "boundaries"
BOUNDARY_KEYS: Final = (
    BOUNDARIES,
    "boundaries_name",
    "boundaries_scheme",
    "boundaries_report",
    "boundaries_summary",
    "boundaries_upload",
    "boundaries_failed",
    "boundaries_error",
    "boundaries_crs",
)

UploadSeen = Literal["new", "kept", "failed"]
Kind = Literal["province", "commune"]


def widget_key(widget: str, lang: str) -> str:
    """The key of the widget ``widget`` drawn in ``lang`` ("province.en"): a new widget per language."""
    return f"{widget}.{lang}"


def province_choice(scheme: str) -> str:
    """The choice holding the province of ``scheme`` (:data:`PROVINCE` for 2025)."""
    return PROVINCE if scheme == s.VINTAGE_2025 else LEGACY_PROVINCE


def target_on(target: str) -> str:
    """The choice: is target ``target`` checked on the uncovered page."""
    return f"on_{target}"


def target_pct(target: str) -> str:
    """The choice: the threshold (%) of target ``target``."""
    return f"pct_{target}"


def village_reason(reason: str) -> str:
    """The choice: are villages missing for ``reason`` listed."""
    return f"village_{reason}"


def _plain_upload(upload: TableUpload) -> dict[str, Any]:
    """A table upload as session state keeps it (strings and lists only)."""
    return {
        "kind": upload.kind,
        "path": str(upload.path),
        "digest": upload.digest,
        "sheet": upload.sheet,
        "mapping": [list(pair) for pair in upload.mapping],
        "vintage": upload.vintage,
    }


def _table_upload(value: dict[str, Any]) -> TableUpload:
    return TableUpload(
        kind=value["kind"],
        path=Path(value["path"]),
        digest=value["digest"],
        sheet=value.get("sheet"),
        mapping=tuple(tuple(pair) for pair in value.get("mapping", ())),  # type: ignore[misc]
        vintage=value.get("vintage", "auto"),
    )


def session_values(imported: SessionBoundaries, *, name: str, token: str) -> dict[str, str]:
    """What session state keeps of an uploaded boundary file (plain strings, see :data:`BOUNDARY_KEYS`).

    Parameters
    ----------
    imported
        The import merged into the session's copy of the boundaries.
    name
        The uploaded file's name, as the person chose it.
    token
        The SHA-256 of the upload's bytes, so that the same upload is not imported again on a
        rerun and a corrected one (same name and size) is.
    """
    return {
        BOUNDARIES: str(imported.merge.path),
        "boundaries_name": name,
        "boundaries_scheme": imported.merge.scheme,
        "boundaries_report": str(imported.report),
        "boundaries_summary": "\n".join(imported.result.summary_lines()),
        "boundaries_upload": token,
    }


@dataclass(frozen=True)
class Session:
    """The plain values of one session, read and written in its ``state`` (``st.session_state``)."""

    state: MutableMapping[str, Any]
    #: The browser session's id, naming its folder (:mod:`application.session_files`).
    owner: str | None = None

    # Language and the map page's choices.

    def lang(self) -> str:
        """The language chosen in the sidebar (Vietnamese by default)."""
        return str(self.state.get(LANG, DEFAULT_LANG))

    def scheme(self) -> str:
        """The scheme chosen on the map page (2025 until one is chosen)."""
        return str(self.state.get(SCHEME, s.VINTAGE_2025))

    def choice(self, name: str, default: Any) -> Any:
        """The value of choice ``name`` (``default`` before any is made)."""
        return self.state.get(name, default)

    def choose(self, name: str, value: Any) -> None:
        """Set choice ``name``; its widgets show it from the next rerun on."""
        self.state[name] = value

    def seed(
        self,
        name: str,
        lang: str,
        default: Any,
        *,
        options: Iterable[Any] | None = None,
        widget: str = "",
    ) -> str:
        """Key of the widget showing choice ``name`` in ``lang``, set to the choice before it is drawn.

        Parameters
        ----------
        name
            The choice (:data:`PROVINCE` …).
        lang
            The language the widget's labels are in.
        default
            The value before any choice, and when the choice is not one of ``options``
            (which then becomes the choice).
        options
            What the widget offers now (None: any value, e.g. a text).
        widget
            The widget's own name when it is not ``name`` (one per page: "unc_province").
        """
        key = widget_key(widget or name, lang)
        value = self.state.get(name, default)
        if options is not None and value not in set(options):
            value = default
        self.state[name] = value
        if key not in self.state or self.state[key] != value:
            self.state[key] = value
        return key

    def take(self, name: str, key: str) -> None:
        """The widget ``key`` changed: make its value choice ``name`` (an ``on_change`` callback)."""
        self.state[name] = self.state[key]

    def province(self, scheme: str = s.VINTAGE_2025) -> str:
        """The province chosen for ``scheme`` (``""``: the whole country)."""
        return str(self.state.get(province_choice(scheme), ""))

    def indicator(self, columns: Iterable[str], default: str) -> str:
        """The indicator chosen on the map page when ``columns`` has it, else ``default``."""
        column = self.state.get(INDICATOR, default)
        return column if column in set(columns) else default

    # The commune whose profile is shown. Codes of the two schemes overlap ("00004" is a
    # different commune in each): a selection belongs to the scheme it was made in.

    def select(self, code: str, scheme: str, *, by: Literal["click", "search"] = "click") -> None:
        """Show the profile of commune ``code`` of ``scheme``."""
        self.state[SELECTED] = code
        self.state[SELECTED_SCHEME] = scheme
        self.state[SELECTED_BY] = by

    def clear_selection(self) -> None:
        """Show no profile (the profile's close button, or a selection that no longer applies)."""
        for key in (SELECTED, SELECTED_SCHEME, SELECTED_BY):
            self.state.pop(key, None)

    def click(self, code: str, scheme: str) -> None:
        """Select a clicked commune, once: ``st_folium`` reports the last click on every rerun."""
        if f"{scheme}/{code}" != self.state.get(LAST_CLICK):
            self.state[LAST_CLICK] = f"{scheme}/{code}"
            self.select(code, scheme)

    def pick_place(self, kind: Kind, code: str, province_code: str, *, scheme: str) -> None:
        """Go to a search result: a province becomes the province shown; a commune is selected.

        A commune is shown at commune level, in its province when another one was chosen.
        """
        self.state[SEARCH_PICK] = f"{kind}/{code}"
        if kind == "province":
            self.choose(province_choice(scheme), code)
            self.clear_selection()
            return
        self.select(code, scheme, by="search")
        self.choose(LEVEL, "commune")
        if self.province(scheme) not in ("", province_code):
            self.choose(province_choice(scheme), province_code)

    def search_cleared(self) -> None:
        """The search box was emptied: forget its result and the commune it selected."""
        self.state.pop(SEARCH_PICK, None)
        if self.state.get(SELECTED_BY) == "search":
            self.clear_selection()

    def shown_selection(
        self, scheme: str, *, level: str, province: str, province_of: dict[str, str]
    ) -> str | None:
        """The selected commune when it still applies to the map on screen, else None (forgotten).

        Parameters
        ----------
        scheme, level, province
            What the map shows.
        province_of
            Commune code → province code, of ``scheme``'s communes.
        """
        code = self.selected(scheme)
        if code is None:
            return None
        where = province_of.get(code)
        if level != "commune" or where is None or province not in ("", where):
            self.clear_selection()
            return None
        return code

    def selected(self, scheme: str) -> str | None:
        """Code of the selected commune when it was selected in ``scheme``, else None."""
        if self.state.get(SELECTED_SCHEME) != scheme:
            return None
        return self.state.get(SELECTED)

    # Uploads.

    def folder(self) -> Path:
        """This session's own folder for uploads (created when missing, e.g. removed after a long absence)."""
        path = self.state.get(SESSION_DIR)
        if not path or not Path(path).is_dir():
            path = str(session_folder(self.owner))
            self.state[SESSION_DIR] = path
        return Path(path)

    def table_uploads(self) -> tuple[TableUpload, ...]:
        """This session's uploaded fibre and team tables that still exist, in the order they were added."""
        kept = [_table_upload(v) for v in self.state.get(UPLOADS, [])]
        return tuple(u for u in kept if u.path.is_file())

    def add_table(self, upload: TableUpload) -> bool:
        """Add ``upload`` to this session's tables; False when that content is already loaded as that kind."""
        kept = list(self.state.get(UPLOADS, []))
        if any(v["kind"] == upload.kind and v["digest"] == upload.digest for v in kept):
            return False
        self.state[UPLOADS] = [*kept, _plain_upload(upload)]
        return True

    def remove_table(self, kind: str, digest: str) -> None:
        """Take the table ``kind``/``digest`` off this session's tables (its file stays in the folder)."""
        kept = self.state.get(UPLOADS, [])
        self.state[UPLOADS] = [v for v in kept if (v["kind"], v["digest"]) != (kind, digest)]

    def loaded(self, kind: str, digest: str) -> TableUpload | None:
        """The loaded table of that kind and content, if any."""
        return next((u for u in self.table_uploads() if (u.kind, u.digest) == (kind, digest)), None)

    def remember_mapping(self, headers: str, mapping: tuple[tuple[str, str], ...]) -> None:
        """Keep the column mapping chosen for a set of headers (:func:`application.uploads.headers_key`)."""
        self.state[MAPPINGS] = {**self.state.get(MAPPINGS, {}), headers: [list(p) for p in mapping]}

    def mapping_for(self, headers: str) -> tuple[tuple[str, str], ...]:
        """The mapping chosen last for a table with these headers (empty when none was)."""
        return tuple(tuple(p) for p in self.state.get(MAPPINGS, {}).get(headers, ()))  # type: ignore[misc]

    def set_pending(self, kind: str, path: Path | None, digest: str = "", error: str = "") -> None:
        """The upload of ``kind`` being checked (None: the uploader was emptied), or why it was refused."""
        pending = dict(self.state.get(PENDING, {}))
        pending[kind] = {"path": str(path) if path else "", "digest": digest, "error": error}
        self.state[PENDING] = pending

    def pending(self, kind: str) -> tuple[Path, str] | None:
        """Path and digest of the upload of ``kind`` being checked, when there is one."""
        value = self.state.get(PENDING, {}).get(kind) or {}
        path = value.get("path")
        return (Path(path), value["digest"]) if path and Path(path).is_file() else None

    def pending_error(self, kind: str) -> str:
        """Why the last upload of ``kind`` was refused before it was read (too large …), else ``""``."""
        return str((self.state.get(PENDING, {}).get(kind) or {}).get("error", ""))

    def has_uploads(self) -> bool:
        """Whether this session uploaded a table or a boundary file."""
        return bool(self.state.get(UPLOADS) or self.state.get(BOUNDARIES))

    def overridden(self) -> set[str]:
        """Inputs this session replaced by an upload (``"boundaries"``; tables are added, not replaced)."""
        return {BOUNDARIES} if self.state.get(BOUNDARIES) else set()

    def uploaded_files(self) -> set[tuple[str, str]]:
        """(kind, file name) of every table this session added."""
        return {(u.kind, u.name) for u in self.table_uploads()}

    def boundaries(self) -> Path | None:
        """This session's boundaries (the embedded ones with its uploaded communes), if they exist."""
        path = self.state.get(BOUNDARIES)
        return Path(path) if path and Path(path).is_file() else None

    def boundaries_name(self) -> str | None:
        """Name of the boundary file this session uploaded, if any."""
        return self.state.get("boundaries_name") or None

    def boundaries_scheme(self) -> str | None:
        """Scheme (``2025`` or ``legacy``) of the boundary file this session uploaded, if any."""
        return self.state.get("boundaries_scheme") or None

    def boundaries_report(self) -> Path | None:
        """The import report of this session's boundary file, when both still exist."""
        report = self.state.get("boundaries_report", "")
        return Path(report) if self.state.get(BOUNDARIES) and Path(report).is_file() else None

    def boundaries_summary(self) -> str:
        """The import's summary lines (``""`` before any import)."""
        return str(self.state.get("boundaries_summary", ""))

    def keep_boundaries(self, imported: SessionBoundaries, *, name: str, token: str) -> None:
        """Make an imported boundary file this session's boundaries (see :func:`session_values`)."""
        self.state.update(session_values(imported, name=name, token=token))
        for key in ("boundaries_failed", "boundaries_error", "boundaries_crs"):
            self.state.pop(key, None)

    def fail_boundaries(self, token: str, message: str, crs: Iterable[str] = ()) -> None:
        """Keep why the upload ``token`` failed (and the CRS its error named), for the reruns."""
        self.state["boundaries_failed"] = token
        self.state["boundaries_error"] = message
        self.state["boundaries_crs"] = list(crs)

    def boundaries_failed_for(self, digest: str) -> bool:
        """Whether the last boundary upload that failed is the file of this content (any options)."""
        return str(self.state.get("boundaries_failed", "")).startswith(f"{digest}:")

    def boundaries_crs(self) -> list[str]:
        """The CRS (``EPSG:NNNN``) the last failed boundary upload's error named."""
        return list(self.state.get("boundaries_crs", []))

    def boundary_upload(self, token: str) -> UploadSeen:
        """Whether the upload ``token`` is new, already this session's boundaries, or failed before."""
        if token == self.state.get("boundaries_failed"):
            return "failed"
        if token == self.state.get("boundaries_upload"):
            return "kept"
        return "new"

    def boundaries_error(self) -> str:
        """Why the last boundary upload failed (``""`` when none did)."""
        return str(self.state.get("boundaries_error", ""))

    def discard_uploads(self) -> None:
        """Forget this session's uploads and remove its folder."""
        path = self.state.pop(SESSION_DIR, None)
        for key in (UPLOADS, MAPPINGS, PENDING, *BOUNDARY_KEYS):
            self.state.pop(key, None)
        if path:
            shutil.rmtree(path, ignore_errors=True)
