"""Uploads of one session, without Streamlit: saved by content, checked before use, explained in the page's language.

An upload is known by the SHA-256 of its bytes (:func:`content_digest`): it is
saved under ``<session folder>/<kind>/<digest>/<its name>``, so a corrected
file under the same name and size is a new upload, and a fibre and a team
table of the same name never overwrite each other.

A table is checked (:func:`check_table`) before it changes the map: the
sheets of its workbook, the columns detected (each reassignable), the
register its names match and the evidence, and what it would update. Every
message is for the page (:func:`page_message`): the uploaded file's name
instead of the server path, the page's controls instead of command-line flags.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

import pandas as pd

from application.i18n import STRINGS, text
from application.increment import TableUpload, boundary_context, read_upload
from geo import schema as s
from geo.errors import CoverageError, VintageAmbiguityError
from geo.indicators.build import TablePart
from geo.reading.atomic import atomic_path
from geo.reading.crs_inference import candidate_crs
from geo.reading.isolate import read_isolated
from geo.reading.tables import (
    KIND_FIELDS,
    Sheet,
    TableKindError,
    header_key,
    list_sheets,
    read_table,
)
from geo.reading.vocabulary import field_meanings

#: Name of a saved upload whose own name is unusable (empty, or only dots).
FALLBACK_NAME: Final = "upload"
#: Command-line hints in the data core's messages → the page control that makes that choice.
_FLAG_HINTS: Final = (
    (r"\s*\(python -m geo fields lists (?:the fields|them)[^)]*\)", None),
    (r"(?:if one of them is an? \w+ column, )?map it: --map-column '[^']*'", "ctl_columns"),
    (r"(?:, or map one: )?--map-column '[^']*'", "ctl_columns"),
    (r"say which with --tables-vintage 2025\|legacy", "ctl_vintage"),
    (
        r"\(?(?:pass one of them|name one to read it|name the sheet to read) \(--sheet\)\)?",
        "ctl_sheet",
    ),
    (r"pass one of them \(--sheet\)|\(--sheet\)|--sheet", "ctl_sheet"),
    (
        r"pass (?:one of them|the one to import) with --layer(?: NAME)?|--layer(?: NAME)?",
        "ctl_layer",
    ),
    (r"\s*\(e\.g\. --crs [^)]*\)", None),
    (
        r"(?:pass )?--crs EPSG:\S+(?: or --crs EPSG:[0-9]+)*(?: or add the shapefile's \.prj)?",
        "ctl_crs",
    ),
    (r"--crs '[^']*'", "ctl_crs"),
    (r"--province(?: \S+)?", "ctl_province"),
    (r"--code-column(?: \S+)?", "ctl_code_column"),
    (r"--name-column(?: \S+)?", "ctl_name_column"),
    (r"--encoding(?: \S+)?", "ctl_encoding"),
    (r"--scheme(?: \S+)?", "ctl_scheme"),
)
_EPSG = re.compile(r"EPSG:([0-9]{4,5})")


def content_digest(content: bytes) -> str:
    """SHA-256 (hex) of an upload's bytes: what the upload is known by."""
    return hashlib.sha256(content).hexdigest()


def save_upload(folder: Path, kind: str, name: str, content: bytes) -> Path:
    """Write an upload to ``folder/kind/<digest>/<name>`` (once: the same bytes are never written again).

    Parameters
    ----------
    folder
        The session's folder.
    kind
        ``boundaries``, ``fibre`` or ``teams``: uploads of different kinds never share a path.
    name
        The uploaded file's name (any folder part is dropped).
    content
        Its bytes.
    """
    safe = Path(name.replace("\\", "/")).name.strip() or FALLBACK_NAME
    if set(safe) <= {"."}:
        safe = FALLBACK_NAME
    path = folder / kind / content_digest(content)[:24] / safe
    if not path.is_file():
        with atomic_path(path) as staging:
            staging.write_bytes(content)
    return path


def page_message(error: BaseException, *, name: str, folder: Path | None, lang: str) -> str:
    """``error`` as the page says it: the file's name for any server path, page controls for flags.

    Parameters
    ----------
    error
        What the data core raised.
    name
        The uploaded file's name, shown instead of where the server saved it.
    folder
        The session's folder: any path under it becomes ``name``.
    lang
        The page's language (for the names of the controls).
    """
    message = str(error)
    if folder is not None:
        message = re.sub(re.escape(str(folder)) + r"[^\s'\",;:)]*", name, message)
    for pattern, control in _FLAG_HINTS:
        replacement = (
            "" if control is None else text("use_control", lang, control=text(control, lang))
        )
        message = re.sub(pattern, replacement, message)
    return text("upload_failed", lang, name=name, error=message)


#: Characters Streamlit's Markdown gives a meaning to anywhere in a line (``:`` opens emoji and
#: icon shortcodes, ``$`` LaTeX, ``<`` HTML), and what starts a heading, list or quote at a line's start.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>$~|:#])")
_LINE_START = re.compile(r"^(\s*|\s*[0-9]+)((?<![0-9])[-+=]|(?<=[0-9])[.)])", flags=re.MULTILINE)


def escape_markdown(value: str) -> str:
    """``value`` shown as it is by ``st.markdown``, ``st.error``…: Markdown, LaTeX, HTML and shortcodes escaped."""
    escaped = _MARKDOWN.sub(r"\\\1", value)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def escape_cells(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose texts (cells, column names) :func:`escape_markdown` has escaped."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: escape_markdown(v) if isinstance(v, str) else v)
    return out.rename(columns=lambda c: escape_markdown(c) if isinstance(c, str) else c)


def crs_choices(error: BaseException) -> list[str]:
    """The EPSG codes an error names (``EPSG:9209`` …), in order, each once: the CRS to offer first."""
    return list(dict.fromkeys(f"EPSG:{code}" for code in _EPSG.findall(str(error))))


def crs_options(named: list[str]) -> dict[str, str]:
    """CRS a boundary file may be in: those an error named first, then every candidate of the inference.

    Returns ``"EPSG:NNNN"`` → its label ("VN-2000 / TM-3 105°30′ (EPSG:9209)").
    """
    labels = {f"EPSG:{c.crs.to_epsg()}": c.label for c in candidate_crs() if not c.swapped}
    return {code: labels.get(code, code) for code in [*named, *labels]}


@dataclass(frozen=True)
class TableCheck:
    """What a table would bring, before it changes the map.

    Attributes
    ----------
    sheets
        The workbook's sheets (one unnamed sheet for a CSV).
    part
        The table read and matched; None when it cannot be (see ``error``).
    columns
        (header in the file, field or None when no rule named it), as read.
    ambiguous
        Register → rows matched, when the names match both registers equally (a choice to make).
    error
        Why the table cannot be used as it is, for the page; None when it can.
    """

    sheets: tuple[Sheet, ...]
    part: TablePart | None
    columns: tuple[tuple[str, str | None], ...] = ()
    ambiguous: dict[str, int] = field(default_factory=dict)
    error: str | None = None


def check_table(
    upload: TableUpload,
    boundaries: Path,
    population: Path | None,
    *,
    folder: Path | None,
    lang: str,
) -> TableCheck:
    """Read and match an upload with its choices (remembered per upload and choice), or say why not."""
    name = upload.name
    try:
        sheets = tuple(list_sheets(upload.path))
    except CoverageError as error:
        return TableCheck((), None, error=page_message(error, name=name, folder=folder, lang=lang))
    try:
        part = table_part(upload, boundaries, population)
    except VintageAmbiguityError as error:
        # The columns for the page, read in the capped child as every user file is (geo.reading.isolate).
        read = read_isolated(
            read_table, upload.path, sheet=upload.sheet, mapping=dict(upload.mapping), what=name
        )
        found = tuple((header, field) for field, header in read.columns.items())
        columns = found + tuple((h, None) for h in read.unknown)
        return TableCheck(sheets, None, columns=columns, ambiguous=dict(error.matched))
    except TableKindError as error:
        columns = tuple(error.columns.items())
        return TableCheck(sheets, None, columns=columns, error=kind_message(upload, error, lang))
    except (CoverageError, OSError) as error:
        return TableCheck(
            sheets, None, error=page_message(error, name=name, folder=folder, lang=lang)
        )
    found = tuple((header, field) for field, header in part.columns.items())
    return TableCheck(sheets, part, columns=found + tuple((h, None) for h in part.unknown))


def kind_message(upload: TableUpload, error: TableKindError, lang: str) -> str:
    """Why a table cannot be of its kind, in ``lang``: the fields it needs, the columns found, the control."""
    labels = field_labels(lang)
    needed = ", ".join(labels[f] for f in KIND_FIELDS[upload.kind] if f in labels)
    found = ", ".join(f"«{h}»" for h, f in error.columns.items() if f is not None) or "—"
    unknown = ", ".join(f"«{h}»" for h, f in error.columns.items() if f is None) or "—"
    return text(
        "kind_missing",
        lang,
        name=upload.name,
        kind=text(f"input_{upload.kind}", lang),
        needed=needed,
        found=found,
        unknown=unknown,
        control=text("ctl_columns", lang),
    )


@lru_cache(maxsize=32)
def table_part(upload: TableUpload, boundaries: Path, population: Path | None) -> TablePart:
    """:func:`application.increment.read_upload`, once per upload (its content), choices and boundaries.

    Raises what the reader raises (:class:`geo.errors.CoverageError`, ``OSError``).
    """
    return read_upload(upload, boundary_context(boundaries), population)


def date_text(as_of: str, lang: str) -> str:
    """A report date for the page: "2026-12-07 (file date)" says "file date" in ``lang``."""
    return as_of.replace("(file date)", f"({text('file_date', lang)})")


def headers_key(headers: list[str] | tuple[str, ...]) -> str:
    """A key of a set of headers, to remember a column mapping for the next table with the same headers."""
    return "|".join(sorted(header_key(h) for h in headers))


def field_labels(lang: str) -> dict[str, str]:
    """Field → "field — meaning" in ``lang``, with ``ignore`` last: the choices of a column."""
    column = 1 if lang == "vi" else 2
    return {row[0]: f"{row[column]} ({row[0]})" for row in field_meanings()}


def table_report(report: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """The rows of an upload not counted, for the page: source row, names, outcome and reason in ``lang``."""
    columns = [
        c
        for c in ("table", "source_row", s.PROVINCE_NAME, s.COMMUNE_NAME, s.VILLAGE_NAME)
        if c in report
    ]
    out = report[columns].copy()
    if "source_row" in out:
        out["source_row"] = out["source_row"].astype("Int64")
    outcome = report.get("outcome", pd.Series("", index=report.index))
    out["outcome"] = outcome.map(
        lambda v: text(f"outcome_{v}", lang) if f"outcome_{v}" in STRINGS else v
    )
    reason = report.get("reason", pd.Series("", index=report.index)).fillna("").astype(str)
    out["reason"] = reason.map(lambda v: reason_text(v, lang))
    return out.rename(columns={c: text(f"trep_{c}", lang) for c in out.columns})


#: Reasons of the data core (English) → key of their text in the page's language.
_REASONS: Final = (
    (re.compile(r"^a second row for the same commune"), "reason_duplicate"),
    (re.compile(r"^no commune of this name in the register"), "reason_unmatched"),
    (re.compile(r"^totals row"), "reason_totals"),
    (re.compile(r"^'(?P<header>[^']*)' = '(?P<value>[^']*)' is not a number"), "reason_not_number"),
)


def reason_text(reason: str, lang: str) -> str:
    """A reason in ``lang`` when its form is known, else as the data core wrote it."""
    for pattern, key in _REASONS:
        found = pattern.search(reason)
        if found:
            return text(key, lang, **found.groupdict())
    return reason
