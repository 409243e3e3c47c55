"""Caps on what a table file may make the readers hold, checked before the readers run.

An .xlsx is a zip of XML parts, and the Excel reader (calamine) builds a
dense grid from cell A1 to the farthest cell holding a value: one number at
XFD1048576 in a 5 KB file asks for 17 billion cells (512 GiB). A CSV of two
lines with two million commas makes the CSV parser hold millions of fields.
So before a table is read, its bytes are scanned once, cheaply, and a file
beyond any of these caps is refused with an :class:`~geo.errors.InputError`
naming the file, the cap and what to do:

============================  =================  ==========================================
cap                           value              what it bounds
============================  =================  ==========================================
``MAX_TABLE_FILE_BYTES``      256 MiB            a CSV or .xls file on disk
``MAX_XLSX_XML_BYTES``        512 MiB            the XML of an .xlsx, counted while inflating
                                                 (the sizes in the zip's headers are not trusted)
``MAX_SHEET_CELLS``           3,000,000          a sheet's used range (rows × columns from A1
                                                 to the farthest cell holding a value)
``MAX_SHARED_STRINGS``        3,000,000          the workbook's shared strings
``MAX_MERGED_CELLS``          3,000,000          the cells the merged ranges cover (each range
                                                 clipped to the cells that hold data)
``MAX_FIELDS_PER_ROW``        16,384             fields of a CSV line (Excel's column count)
``MAX_FIELD_CHARS``           131,072            characters of a CSV field (the csv module's
                                                 own limit, named in the message)
============================  =================  ==========================================

The province tables the product is built for are far inside them: the
63,600-village national demo table is 0.7 million cells. The cell caps are set
so that the largest sheet they let through is read within the default time
and memory limits of :mod:`geo.reading.isolate` (60 s, 2 GiB) on a loaded
2-core machine (3 M cells: see BENCHMARKS.md). A merged range is read as
what it holds, not as the rectangle it spans (see
:func:`geo.reading.tables.read_raw`): a range to XFD1048576 over a
three-row table costs three rows.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final
from xml.etree import ElementTree

from geo.errors import InputError

MAX_TABLE_FILE_BYTES: Final = 256 * 1024**2
MAX_XLSX_XML_BYTES: Final = 512 * 1024**2
MAX_SHEET_CELLS: Final = 3_000_000
MAX_SHARED_STRINGS: Final = 3_000_000
MAX_MERGED_CELLS: Final = 3_000_000
MAX_FIELDS_PER_ROW: Final = 16_384
MAX_FIELD_CHARS: Final = 131_072  # csv.field_size_limit()'s default, which the CSV parser applies
CHUNK_BYTES: Final = 1024**2
#: Bytes of XML without a ``>`` after which a part is not XML that Excel writes (a cell holds ≤ 32,767 chars).
MAX_TAG_GAP_BYTES: Final = 1024**2

# A cell start tag that holds something (not self-closing), with its reference: <c r="AB12" t="s">.
_VALUED_CELL: Final = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(?<!/)>')
_ANY_CELL: Final = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROW_REF: Final = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="([0-9]{1,7})"')
_SHARED_STRING: Final = re.compile(rb"<(?:\w+:)?si[\s>/]")
_NS: Final = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_FIX_XLSX: Final = (
    "open it in Excel or LibreOffice, delete what lies beyond the table "
    "(Ctrl+End shows the last cell), keep only the sheets needed, and save it again"
)


@dataclass(frozen=True)
class SheetExtent:
    """What a worksheet part holds: its valued cells, and the used range from A1 they make."""

    cells: int
    rows: int
    columns: int

    @property
    def area(self) -> int:
        """Cells of the rectangle from A1 to the farthest valued cell."""
        return self.rows * self.columns


def check_file_size(path: Path) -> None:
    """Refuse a CSV or .xls larger than :data:`MAX_TABLE_FILE_BYTES` on disk."""
    size = path.stat().st_size
    if size > MAX_TABLE_FILE_BYTES:
        raise InputError(
            f"{path} is {size / 1024**2:,.0f} MiB, more than the {MAX_TABLE_FILE_BYTES // 1024**2} MiB "
            "a table may have; a province's table is a few MiB: remove other data from it, or split it"
        )


def check_csv(path: Path) -> None:
    """Refuse a CSV beyond the caps on bytes, fields per line and cells, before it is parsed.

    Fields are counted per physical line, for each usual delimiter (``,``,
    ``;``, tab, ``|``), so the check needs no dialect; a delimiter inside
    quotes counts too, which only matters far beyond any real table.
    """
    check_file_size(path)
    cells = 0
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            fields = 1 + max(line.count(d) for d in (b",", b";", b"\t", b"|"))
            if fields > MAX_FIELDS_PER_ROW:
                raise InputError(
                    f"{path}, line {number}: {fields:,} fields, more than the {MAX_FIELDS_PER_ROW:,} a "
                    "table row may have (Excel's column count); check the delimiter, or remove the empty "
                    "columns at the end of the lines and save it again"
                )
            cells += fields
            if cells > MAX_SHEET_CELLS:
                raise InputError(
                    f"{path}: more than {MAX_SHEET_CELLS:,} cells by line {number:,} (the cap on a "
                    "table's cells); split the table or remove the columns the product does not read"
                )


def csv_error_text(path: Path, error: Exception) -> str:
    """The message for a CSV the parser refused, naming the field-length cap when that was the cause."""
    if "field larger than field limit" in str(error):
        return (
            f"{path}: a field is longer than {MAX_FIELD_CHARS:,} characters (the cap on a CSV field); "
            "a quote left open makes the rest of the file one field: check the quotes, or save the "
            "table from Excel as 'CSV UTF-8' or as .xlsx"
        )
    return f"{path} cannot be read as CSV ({error}); save it from Excel as 'CSV UTF-8' or as .xlsx"


def check_xlsx(path: Path, *, sheet: str | int | None) -> SheetExtent | None:
    """Scan an .xlsx's XML once, inflating it chunk by chunk, and refuse it beyond the caps.

    Returns the extent of ``sheet`` (a name or a position among the worksheets;
    None scans every worksheet, and returns None). The whole workbook's XML
    counts towards :data:`MAX_XLSX_XML_BYTES`; the shared strings towards
    :data:`MAX_SHARED_STRINGS`; each scanned sheet's used range towards
    :data:`MAX_SHEET_CELLS`.
    """
    extents: dict[str, SheetExtent] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _chosen_parts(archive, sheet)
            budget = [MAX_XLSX_XML_BYTES]
            for name in archive.namelist():
                if name in parts:
                    extents[name] = _scan_sheet(path, archive, name, budget, title=parts[name])
                elif name.endswith("sharedStrings.xml"):
                    _check_shared_strings(path, archive, name, budget)
                elif name.endswith((".xml", ".rels")):
                    for _ in _chunks(path, archive, name, budget):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError) as error:
        raise InputError(
            f"cannot read {path} as an Excel workbook ({error}); open it in Excel or LibreOffice "
            "and save it as .xlsx"
        ) from error
    missing = [name for part, name in parts.items() if part not in extents]
    if missing:
        raise InputError(
            f"{path}: the workbook lists sheets {missing} it does not hold; {_FIX_XLSX}"
        )
    return extents.popitem()[1] if sheet is not None else None


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, zip member holding its XML) of each worksheet, from xl/workbook.xml and its relationships."""
    book = _small_xml(archive, "xl/workbook.xml")
    rels = _small_xml(archive, "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iterfind("p:Relationship", _NS)}
    sheets = [
        (s.get("name", ""), targets.get(s.get(f"{{{_NS['r']}}}id"), ""))
        for s in book.iterfind("m:sheets/m:sheet", _NS)
    ]
    return [
        (
            name,
            target.lstrip("/")
            if target.startswith("/")
            else str(PurePosixPath("xl", target)).replace("xl/../", ""),
        )
        for name, target in sheets
        if "worksheets/" in target
    ]


def _chosen_parts(archive: zipfile.ZipFile, sheet: str | int | None) -> dict[str, str]:
    """Zip member → sheet name of the sheets to scan: ``sheet``, or every worksheet when None."""
    sheets = _sheet_parts(archive)
    if sheet is None:
        return {part: name for name, part in sheets}
    chosen = [
        (name, part)
        for i, (name, part) in enumerate(sheets)
        if name == sheet or (isinstance(sheet, int) and i == sheet)
    ]
    if not chosen:
        raise InputError(
            f"{archive.filename} has no sheet {sheet!r}; found {[name for name, _ in sheets]}"
        )
    return {chosen[0][1]: chosen[0][0]}


def _small_xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    """A small part (the workbook, its relationships) parsed, refused when it inflates beyond 16 MiB."""
    data = b"".join(_chunks(Path(str(archive.filename)), archive, name, [16 * 1024**2]))
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise InputError(
            f"cannot read {archive.filename} as an Excel workbook ({name}: {error}); save it as .xlsx"
        ) from error


def _chunks(path: Path, archive: zipfile.ZipFile, name: str, budget: list[int]) -> Iterator[bytes]:
    """``name``'s inflated bytes chunk by chunk, counted against ``budget[0]``.

    Python's zip reader stops at the declared size and checks the CRC, so a
    stream that inflates beyond what its header says ends in BadZipFile.
    """
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise InputError(
                    f"{path}: its XML inflates to more than {MAX_XLSX_XML_BYTES // 1024**2} MiB (the "
                    f"cap on an .xlsx, reached in {name}); {_FIX_XLSX}"
                )
            yield chunk


def _tags(path: Path, archive: zipfile.ZipFile, name: str, budget: list[int]) -> Iterator[bytes]:
    """``name``'s inflated XML in pieces that each end at a ``>``, so no tag is cut in two."""
    carry = b""
    for chunk in _chunks(path, archive, name, budget):
        data = carry + chunk
        end = data.rfind(b">") + 1
        carry = data[end:]
        if len(carry) > MAX_TAG_GAP_BYTES:
            raise InputError(
                f"{path}: {name} has more than {MAX_TAG_GAP_BYTES // 1024**2} MiB without a tag "
                f"(a cell holds at most 32,767 characters); {_FIX_XLSX}"
            )
        yield data[:end]


def _scan_sheet(
    path: Path, archive: zipfile.ZipFile, name: str, budget: list[int], *, title: str
) -> SheetExtent:
    cells = rows = columns = 0
    referenced = 0
    last_row = 0
    for piece in _tags(path, archive, name, budget):
        cells += piece.count(b"<c ") + piece.count(b"<c>") or len(_ANY_CELL.findall(piece))
        found = _VALUED_CELL.findall(piece)
        referenced += len(found)
        if found:
            rows = max(rows, max(int(r) for _, r in found))
            columns = max(columns, max(_column_number(c) for c in {c for c, _ in found}))
        last = _ROW_REF.search(piece, max(0, piece.rfind(b"row ") - 8))
        if last:
            last_row = max(last_row, int(last.group(1)))
        extent = SheetExtent(cells, rows, columns)
        if cells > MAX_SHEET_CELLS or extent.area > MAX_SHEET_CELLS:
            _refuse_extent(path, title, extent)
    if cells > referenced:  # cells without a reference: placed after the row's own number
        rows = max(rows, last_row)
        columns = max(columns, 1)
    extent = SheetExtent(cells, rows, columns)
    if extent.area > MAX_SHEET_CELLS:
        _refuse_extent(path, title, extent)
    return extent


def _refuse_extent(path: Path, title: str, extent: SheetExtent) -> None:
    if extent.area <= MAX_SHEET_CELLS:  # too many cells written, wherever they are
        raise InputError(
            f"{path}, sheet {title!r}: more than {MAX_SHEET_CELLS:,} cells ({extent.cells:,} read "
            f"so far), the cap on a table's cells; split the table or remove the columns the "
            f"product does not read; {_FIX_XLSX}"
        )
    far = f"{_column_letters(extent.columns)}{extent.rows}"
    raise InputError(
        f"{path}, sheet {title!r}: its used range is A1:{far} ({extent.area:,} cells; {extent.cells:,} "
        f"cells written), more than the {MAX_SHEET_CELLS:,} a table may have (a value far from the "
        f"table, such as one at {far}, makes the sheet that large); {_FIX_XLSX}"
    )


def _check_shared_strings(
    path: Path, archive: zipfile.ZipFile, name: str, budget: list[int]
) -> None:
    count = 0
    for piece in _tags(path, archive, name, budget):
        count += len(_SHARED_STRING.findall(piece))
        if count > MAX_SHARED_STRINGS:
            raise InputError(
                f"{path}: more than {MAX_SHARED_STRINGS:,} shared strings (the cap on a workbook's "
                f"distinct texts); {_FIX_XLSX}"
            )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters or "A"
