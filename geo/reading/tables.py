"""Fibre and community-team tables (CSV or Excel) read and cleaned, one canonical row per data row.

Provincial tables arrive as Excel sheets with Vietnamese headers spread over
merged cells, a column-numbering row, subtotal and totals rows, and names
instead of codes (DOMAIN.md §4). :func:`read_table` finds the header block,
maps each column to a canonical field by its (diacritic-free) header text,
removes totals, subtotals and numbering rows *and reports them*, and fills
names that merged cells left only on the first row of a group.
:func:`geo.indicators.counts.match_table` then matches the rows to the
register and counts them per commune. A village's 4G column is read as yes/no ("Có",
"Không", "Trắng sóng", "Lõm sóng"); a "Thôn trắng sóng" column, whose yes
means *no* signal, is inverted into the same field. A row that
cannot be matched is kept in the report with the reason; none is dropped
silently.

Broken or hostile tables end in a clear error or a reported row, never in
numbers that quietly distort totals:

- a file that is not what its extension says, an empty file, or a header
  with no data row under it: :class:`~geo.errors.InputError`;
- an Excel formula is read as the value Excel last saved with it; a formula
  with no saved value (a file written by a program and never opened in
  Excel) is an error naming the sheet and cells;
- a merged cell is filled into every cell it spans when it holds text (a
  name, "Có"), but a merged *number* stays in its first cell only, so it is
  counted once;
- a count that is not a finite number ≥ 0 ("abc", "inf", "-5", "#DIV/0!"), or
  households with fibre above households, takes its row out of the counts
  with outcome ``invalid`` and the reason (column, value, what is allowed);
- a commune listed twice (commune tables), or a village row that repeats the row
  above it (village tables), is counted once (outcome ``duplicate``).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import numpy as np
import pandas as pd

from geo import schema as s
from geo.errors import InputError
from geo.reading import table_bounds
from geo.reading.sniff import check_file_kind
from geo.reading.vocabulary import IGNORE, check_mapping, detect_field, mapped_field
from geo.reference.codes import pad_code

Level = Literal["village", "commune"]
VintageChoice = Literal["auto", "2025", "legacy"]

# Canonical fields of a table (besides the indicator columns of geo.schema).
STT: Final = "_stt"
AS_OF: Final = "as_of"
FIBRE_TO_VILLAGE: Final = "fibre_to_village"
ROW: Final = "source_row"  # 1-based row number in the sheet / file
REASON: Final = "reason"
OUTCOME: Final = "outcome"
REMOVED: Final = "removed"
INVALID: Final = "invalid"
DUPLICATE: Final = "duplicate"
# (part, whole): a row whose part exceeds its whole is invalid.
PART_OF: Final = (
    (s.HOUSEHOLDS_FIBRE, s.HOUSEHOLDS),
    (s.HOUSEHOLDS_FIBRE_SUBSCRIBED, s.HOUSEHOLDS),
    (s.VILLAGES_WITH_TEAM, s.VILLAGES),
)
MAX_CELLS_NAMED: Final = 5  # cells listed in an error message
NAME_FIELDS: Final = (s.PROVINCE_NAME, s.DISTRICT_NAME, s.COMMUNE_NAME, s.VILLAGE_NAME)
COUNT_FIELDS: Final = (
    s.HOUSEHOLDS,
    s.HOUSEHOLDS_FIBRE,
    s.HOUSEHOLDS_FIBRE_SUBSCRIBED,
    s.VILLAGES,
    s.VILLAGES_WITH_TEAM,
    s.TEAMS,
    s.TEAM_MEMBERS,
)
BOOL_FIELDS: Final = (
    s.FIBRE_TO_COMMUNE,
    FIBRE_TO_VILLAGE,
    s.VILLAGE_HAS_4G,
    s.VILLAGE_NO_SIGNAL,
    s.HAS_TEAM,
)
COORD_FIELDS: Final = (s.LON, s.LAT)
#: What a village table keeps per village (MatchedTable.villages), those the table has.
VILLAGE_FIELDS: Final = (
    ROW,
    s.COMMUNE_CODE,
    s.PROVINCE_NAME,
    s.DISTRICT_NAME,
    s.COMMUNE_NAME,
    s.VILLAGE_NAME,
    s.TEAMS,
    s.TEAM_MEMBERS,
    s.VILLAGE_HAS_4G,
    s.LON,
    s.LAT,
)
HEADER_ROWS_SCANNED: Final = 15
#: Fields that make a table what it claims to be: a fibre table needs one of FIBRE_FIELDS, a team table one of TEAM_FIELDS.
FIBRE_FIELDS: Final = (
    s.HOUSEHOLDS_FIBRE,
    s.HOUSEHOLDS_FIBRE_SUBSCRIBED,
    s.FIBRE_TO_COMMUNE,
    FIBRE_TO_VILLAGE,
)
TEAM_FIELDS: Final = (s.TEAMS, s.HAS_TEAM, s.TEAM_MEMBERS, s.VILLAGES_WITH_TEAM)
KIND_FIELDS: Final = {s.FIBRE: FIBRE_FIELDS, s.TEAMS_INPUT: TEAM_FIELDS}
TableKind = Literal["fibre", "teams"]

_TOTALS: Final = re.compile(
    r"^(tong|tongcong|cong|total|grandtotal|subtotal|toan(tinh|huyen|xa|quoc))"
)
_NUMBERING: Final = re.compile(r"^\(?[0-9]{1,2}\)?$|^\(?[a-z]\)?$")
# A name in the finest column that is really a heading of the coarser unit ("I. Huyện Na Hang").
_HEADING: Final = {
    s.COMMUNE_NAME: re.compile(
        r"^\s*([IVX]+|\d+)?[.)]?\s*(huyện|quận|thị xã|thành phố|tỉnh)\s", re.IGNORECASE
    ),
    s.VILLAGE_NAME: re.compile(
        r"^\s*([IVX]+|\d+)?[.)]?\s*(xã|phường|thị trấn|đặc khu|huyện|quận|thị xã|thành phố|tỉnh)\s",
        re.IGNORECASE,
    ),
}
_TRUE: Final = frozenset({"co", "x", "yes", "y", "true", "1", "dacocapquang", "daco", "v", "✓"})
_FALSE: Final = frozenset({"khong", "no", "n", "false", "0", "chua", "chuaco", "-"})
# Extra words of a village's 4G cell: "Trắng sóng" (no signal) and "Lõm sóng" (weak, patchy signal) are both
# counted as no 4G, as provinces list both as villages still to be covered (DOMAIN.md §4).
_SIGNAL_TRUE: Final = frozenset(
    {"cosong", "cosong4g", "cophusong", "daphusong", "4g", "5g", "covered"}
)
_SIGNAL_FALSE: Final = frozenset(
    {
        "trangsong",
        "lomsong",
        "khongcosong",
        "chuacosong",
        "matsong",
        "nosignal",
        "weaksignal",
        "uncovered",
    }
)


@dataclass(frozen=True)
class TableRead:
    """A table as read: canonical columns, and the rows that were removed (with why).

    Attributes
    ----------
    rows
        One row per data row: the canonical fields found, plus ``source_row``.
    removed
        Totals, subtotal and numbering rows (outcome ``removed``) and rows with an
        unusable count (outcome ``invalid``): ``source_row``, ``reason``, the row's names.
    columns
        Canonical field → header text in the file.
    level
        "village" when the table has a village column, else "commune".
    path
        The file read.
    unknown
        Header texts of the columns no rule (and no mapping) named: not read.
    sheet
        The sheet read ("" for a CSV).
    notes
        What the reader chose and why: sheets skipped, a hidden sheet read or not read.
    """

    rows: pd.DataFrame
    removed: pd.DataFrame
    columns: dict[str, str]
    level: Level
    path: Path
    unknown: tuple[str, ...] = ()
    sheet: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """A sheet of a workbook: its name, position and whether Excel shows it."""

    name: str
    index: int
    visible: bool


class TableKindError(InputError):
    """A table cannot be what it was given as (a fibre table with no fibre column …).

    Attributes
    ----------
    columns
        Header text → field (None when no rule named the column), to show and reassign.
    """

    def __init__(self, message: str, columns: dict[str, str | None]) -> None:
        super().__init__(message)
        self.columns = columns

    def __reduce__(self) -> tuple[type, tuple[str, dict[str, str | None]]]:
        """Pickled with its columns (it crosses from the reading process, see :mod:`geo.reading.isolate`)."""
        return type(self), (str(self), self.columns)


def header_key(text: object) -> str:
    """Header text as a comparison key: "Số hộ (hộ)" → "soho"."""
    if not isinstance(text, str):
        text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    text = re.sub(r"\([^)]*\)", "", text.lower()).replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", text)


def field_of(header: str) -> str | None:
    """The canonical field a header names by the vocabulary of ``headers.toml``, or None."""
    return detect_field(header)


def read_raw(path: str | os.PathLike[str], *, sheet: str | int = 0) -> pd.DataFrame:
    """The cells of a CSV or Excel sheet as read, no header row, as objects (merged cells empty but the first).

    The file is checked against the caps of :mod:`geo.reading.table_bounds`
    first (bytes, used range, shared strings, fields per line): beyond them it
    is refused with an :class:`~geo.errors.InputError` before any reader runs.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"table not found: {path}; pass an existing .csv or .xlsx file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".csv", ".txt"):
        check_file_kind(path)
    if suffix in (".xlsx", ".xlsm"):
        extent = table_bounds.check_xlsx(path, sheet=sheet)
        return _read_excel(path, sheet=sheet, extent=extent)
    if suffix == ".xls":
        table_bounds.check_file_size(path)
        return _read_excel(path, sheet=sheet)
    if suffix in (".csv", ".txt"):
        table_bounds.check_csv(path)
        return _read_csv(path)
    raise InputError(f"{path}: unsupported table format {suffix!r}; use .csv, .xlsx or .xls")


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.read_bytes().strip():
        raise InputError(
            f"{path} is empty (no text, or only blank lines); export the table again with its header and rows"
        )
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return pd.read_csv(
                path,
                header=None,
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
                sep=None,
                engine="python",
            )
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, csv.Error) as error:
            raise InputError(table_bounds.csv_error_text(path, error)) from error
    raise InputError(f"{path}: cannot decode the CSV as UTF-8 or cp1258; save it as UTF-8")


def list_sheets(path: str | os.PathLike[str]) -> list[Sheet]:
    """The sheets of a workbook, in the workbook's order, with their visibility; one unnamed sheet for a CSV."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        return [Sheet(name="", index=0, visible=True)]
    import python_calamine as calamine

    check_file_kind(path)
    if path.suffix.lower() == ".xls":
        table_bounds.check_file_size(path)
    else:
        table_bounds.check_xlsx(path, sheet=None)
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        metadata = book.sheets_metadata
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, OSError) as error:
        raise InputError(
            f"cannot read {path} as an Excel workbook ({error}); open it in Excel or LibreOffice and save it as .xlsx"
        ) from error
    return [
        Sheet(name=m.name, index=i, visible=m.visible == calamine.SheetVisibleEnum.Visible)
        for i, m in enumerate(metadata)
        if m.typ == calamine.SheetTypeEnum.WorkSheet
    ]


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    mapping: Mapping[str, str] | None = None,
    kind: TableKind | None = None,
) -> TableRead:
    """Read a fibre or team table: find the header, map the columns, remove totals and invalid rows.

    Parameters
    ----------
    path
        CSV or Excel file.
    sheet
        Sheet name or position; default the first *visible* sheet that has a
        commune, code or village column (a cover sheet is skipped, a hidden
        sheet never read without being named; :attr:`TableRead.notes` says so).
    mapping
        Header text → field (or ``ignore``), applied before the vocabulary
        (``--map-column``); a header absent from this table is not an error.
    kind
        "fibre" or "teams": refuse a table that has none of that kind's fields.

    Raises
    ------
    InputError
        When the file is empty, has no data row, or no header row names a
        commune, village or code column; :class:`TableKindError` when the
        table cannot be of ``kind``.
    """
    mapping = dict(mapping or {})
    check_mapping(mapping)
    raw, chosen, notes = _choose_sheet(Path(path), sheet, mapping)
    depth, columns = find_header(raw, mapping)
    if not _names_a_unit(columns):
        found = [str(v) for v in raw.iloc[:HEADER_ROWS_SCANNED].stack().dropna().tolist()[:30]]
        raise InputError(
            f"{path}{_sheet_text(chosen)}: no header row names a commune or a commune code; found {found}; "
            "add a column 'Xã' / 'commune' (name) or 'Mã xã' / 'commune_code', or map one: "
            "--map-column 'HEADER=commune_name'"
        )
    mapped = {field: _header_text(raw, depth, i) for i, field in columns.items() if field != STT}
    unknown = _unknown_headers(raw, depth, columns, mapping)
    if kind is not None:
        check_kind(mapped, unknown, kind=kind, where=f"{path}{_sheet_text(chosen)}")
    body = raw.iloc[depth:].rename(columns={i: field for i, field in columns.items()})[
        list(columns.values())
    ]
    if body.isna().all(axis=None):
        raise InputError(
            f"{path} has a header ({list(mapped.values())}) but no data row under it; add one row per commune or village"
        )
    body[ROW] = np.arange(depth + 1, depth + 1 + len(body))
    rows, removed = clean_rows(body)
    rows, invalid = split_invalid(_teams_from_marks(rows), mapped)
    if rows.empty:
        reasons = pd.concat([invalid, removed], ignore_index=True)
        first = "; ".join(
            f"row {r}: {why}" for r, why in zip(reasons[ROW].head(3), reasons[REASON].head(3))
        )
        raise InputError(
            f"{path}: no row can be counted ({len(invalid)} invalid, {len(removed)} totals or headings): {first}"
        )
    level: Level = "village" if s.VILLAGE_NAME in rows else "commune"
    return TableRead(
        rows=parse_values(rows),
        removed=pd.concat([removed, invalid], ignore_index=True),
        columns=mapped,
        level=level,
        path=Path(path),
        unknown=unknown,
        sheet=chosen,
        notes=tuple(notes),
    )


def _sheet_text(sheet: str) -> str:
    return f", sheet {sheet!r}" if sheet else ""


def _names_a_unit(columns: dict[int, str]) -> bool:
    return any(c in columns.values() for c in (s.COMMUNE_NAME, s.COMMUNE_CODE, s.VILLAGE_NAME))


def _prepared_raw(path: Path, sheet: str | int, *, named: bool = True) -> pd.DataFrame:
    """The cells of one sheet with every empty cell None (see :func:`read_raw`)."""
    raw = read_raw(path, sheet=sheet)
    # Empty cells must be None: left as NaN (CSV columns are read as strings, and map() re-infers the dtype),
    # an empty count would be taken for "not a finite number" instead of missing.
    raw = raw.astype(object).map(_blank_to_none)
    raw = raw.astype(object).where(raw.notna(), None)  # map() turns the Nones back into NaN
    if raw.isna().all(axis=None):
        raise InputError(
            f"{path}{_sheet_text(str(sheet) if named and isinstance(sheet, str) else '')} is empty: no cell holds a value; "
            "export the table again with its header and rows"
        )
    return raw


def _choose_sheet(
    path: Path, sheet: str | int | None, mapping: Mapping[str, str]
) -> tuple[pd.DataFrame, str, list[str]]:
    """The cells of the sheet to read, its name, and notes on the sheets not read (see :func:`read_table`)."""
    sheets = list_sheets(path)
    if sheet is not None or len(sheets) == 1:
        wanted = sheet if sheet is not None else 0
        named = next(
            (
                x
                for x in sheets
                if x.name == wanted or (isinstance(wanted, int) and x.index == wanted)
            ),
            None,
        )
        if named is None:
            raise InputError(
                f"{path} has no sheet {wanted!r}; its sheets are {[x.name for x in sheets]}; pass one of them (--sheet)"
            )
        notes = (
            []
            if named.visible
            else [f"sheet {named.name!r} is hidden: read because it was asked for"]
        )
        raw = _prepared_raw(path, named.name or 0, named=len(sheets) > 1)
        return raw, named.name if len(sheets) > 1 else "", notes
    return _first_table_sheet(path, sheets, mapping)


def _first_table_sheet(
    path: Path, sheets: list[Sheet], mapping: Mapping[str, str]
) -> tuple[pd.DataFrame, str, list[str]]:
    """The first visible sheet whose header names a commune, code or village; the others named in notes."""
    notes: list[str] = []
    chosen: tuple[pd.DataFrame, str] | None = None
    others: list[str] = []
    for candidate in (x for x in sheets if x.visible):
        try:
            raw = _prepared_raw(path, candidate.name)
        except InputError:
            notes.append(f"sheet {candidate.name!r} skipped: empty")
            continue
        has_table = _names_a_unit(find_header(raw, mapping)[1])
        if chosen is None and has_table:
            chosen = (raw, candidate.name)
        elif has_table:
            others.append(candidate.name)
        else:
            notes.append(
                f"sheet {candidate.name!r} skipped: no commune, code or village column (a cover or notes sheet?)"
            )
    hidden = [x.name for x in sheets if not x.visible]
    if hidden:
        notes.append(
            f"hidden sheets {hidden} not read (hidden sheets are often old copies); name one to read it (--sheet)"
        )
    if others:
        notes.append(f"other sheets with a table not read: {others}; name one to read it (--sheet)")
    if chosen is None:
        raise InputError(
            f"{path}: no visible sheet has a commune, code or village column; visible sheets "
            f"{[x.name for x in sheets if x.visible]}, hidden sheets {hidden}; name the sheet to read (--sheet)"
        )
    notes.insert(0, f"sheet {chosen[1]!r} read")
    return chosen[0], chosen[1], notes


def check_kind(
    columns: dict[str, str], unknown: tuple[str, ...], *, kind: TableKind, where: str
) -> None:
    """Refuse a table that has none of the fields of ``kind`` (:class:`TableKindError`, naming the columns)."""
    needed = KIND_FIELDS[kind]
    if any(field in columns for field in needed):
        return
    found = {header: field for field, header in columns.items()}
    listing: dict[str, str | None] = {**found, **{header: None for header in unknown}}
    raise TableKindError(
        f"{where} was given as a {kind} table but has no {kind} column (one of {list(needed)}); "
        f"columns recognised {found}, not recognised {list(unknown)}; if one of them is a {kind} "
        f"column, map it: --map-column 'HEADER={needed[0]}' (python -m geo fields lists the fields)",
        listing,
    )


def _teams_from_marks(rows: pd.DataFrame) -> pd.DataFrame:
    """A yes/no team column counted as 1/0 teams: "Có tổ CNSCĐ", or "x" marks in a "Tổ CNSCĐ (x)" column."""
    out = rows.copy()
    if s.TEAMS in out:
        out[s.TEAMS] = _objects(
            out[s.TEAMS].map(
                lambda v: _mark(v) if isinstance(v, str) and np.isnan(parse_count(v)) else v
            )
        )
    if s.HAS_TEAM in out:
        teams = _objects(out[s.HAS_TEAM].map(lambda v: v if v is None else _mark(v)))
        out[s.TEAMS] = out[s.TEAMS].where(out[s.TEAMS].notna(), teams) if s.TEAMS in out else teams
    return out


def _objects(values: pd.Series) -> pd.Series:
    """``values`` as objects with None for empty (``map`` turns None into NaN)."""
    values = values.astype(object)
    return values.where(values.notna(), None)


def _mark(value: object) -> object:
    """1 for a yes ("Có", "x"), 0 for a no, the value itself (reported as invalid) otherwise."""
    answer = parse_bool(value)
    return value if answer is pd.NA else int(bool(answer))


def _unknown_headers(
    raw: pd.DataFrame, depth: int, columns: dict[int, str], mapping: Mapping[str, str]
) -> tuple[str, ...]:
    """Header texts of the columns neither the vocabulary nor the mapping named (ignored ones aside)."""
    out = []
    for position in range(raw.shape[1]):
        text = _header_text(raw, depth, position)
        if position in columns or not text:
            continue
        labels = [str(v) for v in raw.iloc[:depth, position].tolist() if v is not None]
        if mapped_field(labels, mapping) != IGNORE:
            out.append(text)
    return tuple(out)


def split_invalid(rows: pd.DataFrame, headers: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows whose counts can be used, and the others with why (outcome ``invalid``).

    A count must be empty or a finite number ≥ 0, and a part (households with
    fibre, villages with a team) no larger than its whole.
    """
    reasons = pd.Series("", index=rows.index)
    usable = pd.DataFrame(index=rows.index)
    for column in (c for c in COUNT_FIELDS if c in rows):
        problem = rows[column].map(count_problem)
        usable[column] = problem.isna()
        shown = rows[column].map(lambda v: repr(v) if isinstance(v, str) else str(v))
        text = (
            f"{headers.get(column, column)!r} = "
            + shown
            + " "
            + problem.fillna("")
            + " (a count is a number ≥ 0, or empty)"
        )
        reasons = reasons.where(problem.isna(), reasons + "; " + text)
    for part, whole in ((p, w) for p, w in PART_OF if p in rows and w in rows):
        a, b = rows[part].map(parse_count), rows[whole].map(parse_count)
        over = (a > b) & usable[part] & usable[whole]
        text = (
            f"{headers.get(part, part)!r} "
            + a.map("{:g}".format)
            + f" is more than {headers.get(whole, whole)!r} "
            + b.map("{:g}".format)
        )
        reasons = reasons.where(~over, reasons + "; " + text)
    bad = reasons != ""
    fix = ": row not counted; correct the cells and load the table again"
    names = [c for c in (ROW, *NAME_FIELDS, s.COMMUNE_CODE) if c in rows]
    invalid = rows.loc[bad, names].assign(
        **{REASON: reasons[bad].str.lstrip("; ") + fix, OUTCOME: INVALID}
    )
    return rows[~bad].reset_index(drop=True), invalid.reset_index(drop=True)


def count_problem(value: object) -> str | None:
    """Why ``value`` cannot be a count ("is not a number", "is negative", …), or None when it can (or is empty)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_, dt.date, dt.time, dt.timedelta)):
        return f"is a {type(value).__name__}, not a number"
    number = parse_count(value)
    if np.isnan(number) and not (isinstance(value, float) and np.isnan(value)):
        return "is not a number"
    if np.isinf(number) or (isinstance(value, float) and np.isnan(value)):
        return "is not a finite number"
    return "is negative" if number < 0 else None


def _blank_to_none(value: object) -> object:
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).strip()
        return value or None
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _read_excel(
    path: Path, *, sheet: str | int, extent: table_bounds.SheetExtent | None = None
) -> pd.DataFrame:
    """Cells of one sheet: formulas as last saved, merged text filled over its range, merged numbers once.

    Read with calamine (Rust): the 63,600-village demo table takes about a
    second, against a minute for openpyxl, which is only used to name formula
    cells that have no saved value.
    """
    import python_calamine as calamine  # only needed for Excel input

    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        if isinstance(sheet, str) and sheet not in book.sheet_names:
            raise InputError(f"{path} has no sheet {sheet!r}; found {book.sheet_names}")
        ws = (
            book.get_sheet_by_name(sheet)
            if isinstance(sheet, str)
            else book.get_sheet_by_index(sheet)
        )
        cells = ws.to_python(skip_empty_area=False)
        merged = ws.merged_cell_ranges or []
    except (
        calamine.CalamineError,
        calamine.PasswordError,
        calamine.XmlError,
        calamine.ZipError,
        IndexError,
        OSError,
    ) as error:
        raise InputError(
            f"cannot read {path} as an Excel workbook ({error}); open it in Excel or LibreOffice and save it as .xlsx"
        ) from error
    grid, merged = _rectangle(cells, merged, path=path)
    if _has_error_cells(path):
        _add_error_values(path, ws.name, grid, extent)
    if _has_formulas(path):
        _check_saved_values(path, ws.name, grid, extent)
    for (r0, c0), (r1, c1) in merged:
        value = grid[r0][c0]
        if np.isfinite(parse_count(value)):
            continue  # a number is counted once, in its first cell
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                grid[r][c] = value
    return pd.DataFrame(grid, dtype=object)


def _rectangle(
    cells: list[list[object]], merged: list[tuple[tuple[int, int], tuple[int, int]]], *, path: Path
) -> tuple[list[list[object]], list[tuple[tuple[int, int], tuple[int, int]]]]:
    """Rows of equal width from cell A1, empty cells None, and the merged ranges within them.

    The grid is wide and tall enough for every merged range (a header merged
    past the last value is filled over its columns) as long as it stays within
    :data:`~geo.reading.table_bounds.MAX_SHEET_CELLS`; beyond that a merged range
    is read as what it holds: clipped to the rows and columns that hold a
    value, so a range to XFD1048576 over a three-row table costs three rows.
    """
    height = max([len(cells), *(r1 + 1 for (_, _), (r1, _) in merged)])
    width = max([0, *(len(row) for row in cells), *(c1 + 1 for (_, _), (_, c1) in merged)])
    if height * width > table_bounds.MAX_SHEET_CELLS:
        height, width = len(cells), max([0, *(len(row) for row in cells)])
    clipped = [
        ((r0, c0), (min(r1, height - 1), min(c1, width - 1)))
        for (r0, c0), (r1, c1) in merged
        if r0 < height and c0 < width
    ]
    covered = sum((r1 - r0 + 1) * (c1 - c0 + 1) for (r0, c0), (r1, c1) in clipped)
    if covered > table_bounds.MAX_MERGED_CELLS:
        raise InputError(
            f"{path}: its merged ranges cover {covered:,} cells of the table, more than the "
            f"{table_bounds.MAX_MERGED_CELLS:,} allowed (overlapping merged ranges?); unmerge the cells "
            "in Excel or LibreOffice and save it again"
        )
    grid = [[_cell(v) for v in row] + [None] * (width - len(row)) for row in cells]
    return grid + [[None] * width for _ in range(height - len(grid))], clipped


def _cell(value: object) -> object:
    """Empty as None; a whole number as int, as Excel shows it (calamine reads every number as float)."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _open_workbook(path: Path, *, data_only: bool, read_only: bool = False):  # noqa: ANN202 - an openpyxl Workbook
    import openpyxl  # only needed for Excel input

    try:
        return openpyxl.load_workbook(path, data_only=data_only, read_only=read_only)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise InputError(
            f"cannot open {path} as an Excel workbook ({error}); save it as .xlsx"
        ) from error


def _has_formulas(path: Path) -> bool:
    """True when a worksheet of the .xlsx holds a formula (an ``<f>`` element), without parsing the sheets.

    An .xls keeps its formulas' last values in the file itself; it is not checked.
    """
    return _sheets_hold(path, (b"<f>", b"<f "))


def _has_error_cells(path: Path) -> bool:
    """True when a worksheet of the .xlsx holds an error cell (``#DIV/0!``, ``#N/A`` …: ``t="e"``)."""
    return _sheets_hold(path, (b't="e"',))


def _sheets_hold(path: Path, needles: tuple[bytes, ...]) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        sheets = [
            n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
        ]
        return any(
            any(needle in data for needle in needles) for data in (archive.read(n) for n in sheets)
        )


def _add_error_values(
    path: Path, title: str, grid: list[list[object]], extent: table_bounds.SheetExtent | None
) -> None:
    """Put Excel's error values (``#DIV/0!`` …), which calamine reads as empty, back into ``grid``."""
    from openpyxl.cell.cell import ERROR_CODES

    book = _open_workbook(path, data_only=True, read_only=True)
    for r, row in enumerate(_grid_rows(book[title], grid, extent)):
        for c, value in enumerate(row):
            if value in ERROR_CODES and r < len(grid) and c < len(grid[r]):
                grid[r][c] = value
    book.close()


def _grid_rows(sheet, grid: list[list[object]], extent: table_bounds.SheetExtent | None):  # noqa: ANN001, ANN202 - openpyxl's sheet and rows
    """The rows openpyxl reads of ``sheet``, within the grid and the cells the sheet's XML holds.

    Bounded so that a styled empty cell at XFD1048576 is not walked to (openpyxl
    would yield a million rows of 16,384 cells); a formula cell without a
    value, which calamine leaves out of the grid, is within ``extent``.
    """
    rows = max(len(grid), extent.rows if extent else 0)
    columns = max(len(grid[0]) if grid else 0, extent.columns if extent else 0)
    if not rows or not columns:
        return iter(())
    return sheet.iter_rows(min_row=1, max_row=rows, min_col=1, max_col=columns, values_only=True)


def _check_saved_values(
    path: Path, title: str, grid: list[list[object]], extent: table_bounds.SheetExtent | None
) -> None:
    """Refuse formula cells that have no value saved with them (the file was never opened in Excel)."""
    from openpyxl.utils import get_column_letter

    book = _open_workbook(path, data_only=False, read_only=True)
    missing = []
    for r, row in enumerate(_grid_rows(book[title], grid, extent)):
        for c, formula in enumerate(row):
            saved = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
            if isinstance(formula, str) and formula.startswith("=") and saved is None:
                missing.append(f"{get_column_letter(c + 1)}{r + 1} ({formula})")
    book.close()
    if missing:
        shown = ", ".join(missing[:MAX_CELLS_NAMED]) + (
            f" and {len(missing) - MAX_CELLS_NAMED} more" if len(missing) > MAX_CELLS_NAMED else ""
        )
        raise InputError(
            f"{path}, sheet {title!r}: formula cells without a saved value: {shown}; the file was written by "
            "a program and never calculated: open it in Excel or LibreOffice, save it, and load it again"
        )


def find_header(
    raw: pd.DataFrame, mapping: Mapping[str, str] | None = None
) -> tuple[int, dict[int, str]]:
    """Header depth (rows) and column → field, choosing the depth that recognises most columns.

    Merged cells were filled by :func:`read_raw`, so a column's label is
    built from the cells above the data: all of them joined (a "Cáp quang"
    group over "Số hộ"), then the lowest, then the upper ones. A column that
    ``mapping`` names gets the mapping's field (none when it says ``ignore``).
    """
    best: tuple[int, int, dict[int, str]] = (0, 0, {})
    for depth in range(1, min(HEADER_ROWS_SCANNED, len(raw)) + 1):
        columns = _map_columns(raw.iloc[:depth], mapping or {})
        if len(columns) > best[0]:
            best = (len(columns), depth, columns)
    return best[1], best[2]


def _map_columns(header: pd.DataFrame, mapping: Mapping[str, str]) -> dict[int, str]:
    labels = {
        position: list(dict.fromkeys(str(v) for v in header[column].tolist() if v is not None))
        for position, column in enumerate(header.columns)
    }
    columns: dict[int, str] = {}
    ignored: set[int] = set()
    for position, cells in labels.items():
        field = mapped_field(cells, mapping) if cells and mapping else None
        if field == IGNORE:
            ignored.add(position)
        elif field is not None and field not in columns.values():
            columns[position] = field
    for position, cells in labels.items():
        if not cells or position in columns or position in ignored:
            continue
        for label in [" ".join(cells), *reversed(cells)]:
            field = field_of(label)
            if field is not None and field not in columns.values():
                columns[position] = field
                break
    return columns


def _header_text(raw: pd.DataFrame, depth: int, column: int) -> str:
    return " / ".join(str(v) for v in raw.iloc[:depth, column].tolist() if v is not None)


def clean_rows(body: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove blank, numbering, totals and subtotal rows (reported), then fill merged name cells down."""
    names = [c for c in NAME_FIELDS if c in body]
    finest = (
        s.VILLAGE_NAME
        if s.VILLAGE_NAME in body
        else (s.COMMUNE_NAME if s.COMMUNE_NAME in body else None)
    )
    data = body.drop(columns=[ROW, STT], errors="ignore")
    blank = data.isna().all(axis=1)
    keys = body[[*names, STT] if STT in body else names].map(
        lambda v: header_key(v) if v is not None else ""
    )
    # Cell by cell, then across the row: a row-wise apply takes minutes on 63,600 villages.
    totals = keys.map(lambda k: _TOTALS.match(k) is not None).any(axis=1)
    numbered = data.map(
        lambda v: (
            v is None
            or (isinstance(v, float) and np.isnan(v))
            or _NUMBERING.match(str(v).strip().lower()) is not None
        )
    )
    numbering = numbered.all(axis=1) & ~blank
    coded = (
        body[s.COMMUNE_CODE].notna()
        if s.COMMUNE_CODE in body
        else pd.Series(False, index=body.index)
    )
    subtotal = (body[finest].isna() & ~coded) if finest else pd.Series(False, index=body.index)
    if finest:
        subtotal |= body[finest].map(
            lambda v: isinstance(v, str) and _HEADING[finest].match(v) is not None
        )
    subtotal &= ~blank & ~totals & ~numbering
    reasons = pd.Series(None, index=body.index, dtype=object)
    reasons[subtotal] = f"subtotal or group heading (no {finest} name): removed"
    reasons[numbering] = "column-numbering row: removed"
    reasons[totals] = "totals row: removed"
    removed = body.loc[reasons.notna(), [ROW, *names]].assign(
        **{REASON: reasons[reasons.notna()], OUTCOME: REMOVED}
    )
    kept = body[reasons.isna() & ~blank].drop(columns=[STT], errors="ignore")
    fill = [
        c for c in (s.PROVINCE_NAME, s.DISTRICT_NAME, s.PROVINCE_CODE, s.DISTRICT_CODE) if c in kept
    ]
    if finest == s.VILLAGE_NAME:
        fill += [c for c in (s.COMMUNE_NAME, s.COMMUNE_CODE) if c in kept]
    kept[fill] = _fill_down(body, fill).loc[kept.index]
    return kept.reset_index(drop=True), removed.reset_index(drop=True)


def _fill_down(body: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Fill names down (merged cells), the finer ones restarting whenever a coarser one changes."""
    filled = body[columns].copy()
    for position, column in enumerate(columns):
        coarser = columns[:position]
        group = (
            joined_keys(filled[coarser].astype(str), "|")
            if coarser
            else pd.Series(0, index=body.index)
        )
        filled[column] = filled[column].groupby(group, sort=False).ffill()
    return filled


def joined_keys(frame: pd.DataFrame, sep: str) -> pd.Series:
    """Each row's text cells joined by ``sep`` (vectorised ``sep.join`` across the columns)."""
    columns = [frame[c].astype(object) for c in frame.columns]
    return columns[0].str.cat(columns[1:], sep=sep) if len(columns) > 1 else columns[0]


def parse_values(rows: pd.DataFrame) -> pd.DataFrame:
    """Counts as floats ("1.234" is a thousand), yes/no as nullable booleans, names as text."""
    parsed = rows.copy()
    for column in COUNT_FIELDS:
        if column in parsed:
            parsed[column] = parsed[column].map(parse_count).astype(float)
    for column in BOOL_FIELDS:
        if column in parsed:
            parse = (
                parse_signal if column in (s.VILLAGE_HAS_4G, s.VILLAGE_NO_SIGNAL) else parse_bool
            )
            parsed[column] = parsed[column].map(parse).astype("boolean")
    if s.VILLAGE_NO_SIGNAL in parsed:
        inverted = ~parsed.pop(s.VILLAGE_NO_SIGNAL)  # "Thôn trắng sóng: Có" = no 4G; NA stays NA
        parsed[s.VILLAGE_HAS_4G] = (
            parsed[s.VILLAGE_HAS_4G].fillna(inverted) if s.VILLAGE_HAS_4G in parsed else inverted
        )
    for column in COORD_FIELDS:
        if column in parsed:
            parsed[column] = parsed[column].map(parse_coordinate).astype(float)
    for column in (*NAME_FIELDS, AS_OF):
        if column in parsed:
            parsed[column] = parsed[column].map(lambda v: None if v is None else str(v))
    if s.COMMUNE_CODE in parsed:
        parsed[s.COMMUNE_CODE] = parsed[s.COMMUNE_CODE].map(lambda v: pad_code(v, strict=True))
    return parsed


def parse_count(value: object) -> float:
    """A count written any common way: 1234, "1.234", "1,234", "1 234"; NaN when empty or not a number."""
    if value is None:
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value).replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        return float(re.sub(r"[.,]", "", text))
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return np.nan


def parse_bool(value: object) -> object:
    """Yes/no as written in Vietnamese or English tables ("Có", "x", "Không"); NA when unknown."""
    if value is None:
        return pd.NA
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    key = header_key(str(value))
    return True if key in _TRUE else False if key in _FALSE else pd.NA


def parse_signal(value: object) -> object:
    """A village's 4G cell: the yes/no words of :func:`parse_bool` plus "Trắng sóng"/"Lõm sóng" (no 4G); NA when unknown."""
    key = header_key(str(value)) if isinstance(value, str) else ""
    if key in _SIGNAL_TRUE:
        return True
    if key in _SIGNAL_FALSE:
        return False
    return parse_bool(value)


def parse_coordinate(value: object) -> float:
    """A longitude or latitude in decimal degrees ("105,8342" or 105.8342); NaN when empty or not a number.

    Not :func:`parse_count`: "105.834" is a coordinate here, not a hundred thousand.
    """
    if value is None or isinstance(value, (bool, np.bool_)):
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value) if np.isfinite(value) else np.nan
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return np.nan
    return number if np.isfinite(number) else np.nan
