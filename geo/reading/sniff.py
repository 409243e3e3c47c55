"""What a file really is, from its first bytes, before any reader touches it.

A PNG renamed ``.gpkg`` or a Word file renamed ``.xlsx`` should be named as
such, not reported as a cryptic GDAL or openpyxl failure; a GeoPackage or a
shapefile cut short in a download should be called truncated. Only the
header is read (``HEAD_BYTES``), so checking costs nothing on large files.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import Final

from geo.errors import InputError

HEAD_BYTES: Final = 512
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
SHAPEFILE_MAGIC: Final = b"\x00\x00\x27\x0a"  # file code 9994, big-endian
SQLITE_HEADER_BYTES: Final = 100
SHAPEFILE_HEADER_BYTES: Final = 100

# First bytes → what the file is, for the message (most specific first).
_KINDS: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (or .xlsx/.docx/.kmz)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.xls/.doc)"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (SQLITE_MAGIC, "an SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"fgb\x03", "a FlatGeobuf file"),
    (SHAPEFILE_MAGIC, "the .shp part of a shapefile"),
)


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(prefixes)


def _text_starting(*first: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(first)


# Suffix → (format name, what its first bytes must be).
_EXPECTED: Final[dict[str, tuple[str, Callable[[bytes], bool]]]] = {
    ".gpkg": ("a GeoPackage", _starts(SQLITE_MAGIC)),
    ".shp": ("a shapefile .shp", _starts(SHAPEFILE_MAGIC)),
    ".zip": ("a zip archive", _starts(b"PK\x03\x04", b"PK\x05\x06")),
    ".kmz": ("a KMZ (zipped KML)", _starts(b"PK\x03\x04")),
    ".xlsx": ("an Excel .xlsx workbook", _starts(b"PK\x03\x04")),
    ".xlsm": ("an Excel .xlsm workbook", _starts(b"PK\x03\x04")),
    ".xls": ("an Excel 97–2003 .xls workbook", _starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")),
    ".fgb": ("a FlatGeobuf file", _starts(b"fgb\x03")),
    ".parquet": ("a GeoParquet file", _starts(b"PAR1")),
    ".geoparquet": ("a GeoParquet file", _starts(b"PAR1")),
    ".geojson": ("a GeoJSON document", _text_starting(b"{")),
    ".json": ("a GeoJSON document", _text_starting(b"{")),
    ".kml": ("a KML document", _text_starting(b"<")),
    ".csv": ("a CSV table", lambda head: b"\x00" not in head and _kind(head) is None),
    ".txt": ("a CSV table", lambda head: b"\x00" not in head and _kind(head) is None),
}


def check_file_kind(path: Path) -> None:
    """Raise when ``path``'s first bytes contradict its extension, or it is cut short.

    Unknown extensions pass: the reader that follows refuses them by name.

    Raises
    ------
    InputError
        Naming the file, what it really is, what was expected and the fix.
    """
    suffix = path.suffix.lower()
    if suffix not in _EXPECTED:
        return
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    check_head_kind(head, suffix, str(path))
    _check_complete(path, suffix, head)


def check_head_kind(head: bytes, suffix: str, where: str) -> None:
    """Raise when the first bytes ``head`` of a file (or archive member) contradict its extension ``suffix``.

    ``where`` names the file (and member) in the message. Unknown extensions pass.
    """
    if suffix not in _EXPECTED:
        return
    expected, matches = _EXPECTED[suffix]
    if not head:
        raise InputError(
            f"{where} is empty (0 bytes), not {expected}; copy or export the file again"
        )
    if not matches(head):
        raise InputError(
            f"{where} is {_describe(head)}, not {expected} as its extension says; "
            f"give the right file, or rename it to its real extension"
        )


def _describe(head: bytes) -> str:
    r"""What the bytes look like, in words: "a PNG image (first bytes b'\\x89PNG…')", "plain text ('Danh sách xã')"."""
    kind = _kind(head)
    if kind is None and _is_text(head):
        return f"plain text ({(_text(head) or '').strip()[:40]!r})"
    return f"{kind or 'of an unknown kind'} (first bytes {head[:8]!r})"


def _kind(head: bytes) -> str | None:
    return next((kind for magic, kind in _KINDS if head.startswith(magic)), None)


def _is_text(head: bytes) -> bool:
    return b"\x00" not in head and _text(head) is not None


def _text(head: bytes) -> str | None:
    """``head`` as UTF-8 (a character cut at the end of the head is dropped), or None."""
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None


def _check_complete(path: Path, suffix: str, head: bytes) -> None:
    """A GeoPackage or .shp shorter than its own header says was cut short (an interrupted copy)."""
    declared = _declared_size(suffix, head)
    actual = path.stat().st_size
    if declared is not None and actual < declared:
        raise InputError(
            f"{path} is truncated: its header says {declared:,} bytes but the file has {actual:,}; "
            "copy or download it again"
        )


def _declared_size(suffix: str, head: bytes) -> int | None:
    if suffix == ".gpkg":
        if len(head) < SQLITE_HEADER_BYTES:
            return SQLITE_HEADER_BYTES
        page_size = int.from_bytes(head[16:18], "big")
        pages = int.from_bytes(head[28:32], "big")
        trusted = head[92:96] == head[24:28]  # SQLite: the page count is valid when these agree
        return (65536 if page_size == 1 else page_size) * pages if trusted and pages else None
    if suffix == ".shp":
        if len(head) < SHAPEFILE_HEADER_BYTES:
            return SHAPEFILE_HEADER_BYTES
        return int.from_bytes(head[24:28], "big") * 2  # length in 16-bit words
    return None
