"""Caps on table files (issue 15): far cells, huge merged ranges, shared strings, wide CSVs, long fields.

Every hostile file is built here, in a temporary folder; the big parts are
written lazily into the zip, so each test takes about a second.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pytest

from cli.commands import main
from geo.errors import InputError
from geo.reading import table_bounds
from geo.reading.tables import read_raw, read_table
from tests.geo.indicators.test_coverage import _three_squares

ROWS = [["Xã", "Số hộ"], ["Phường Minh Xuân", 300], ["Xã Ngọc Đường", 20]]


def write_xlsx(
    path: Path,
    *,
    cells: bytes = b"",
    merge: bytes = b"",
    parts: dict[str, Iterable[bytes]] | None = None,
) -> Path:
    """A three-row workbook; ``cells`` appended to its sheet data, ``merge`` a merged range, ``parts`` added lazily."""
    book = openpyxl.Workbook()
    for row in ROWS:
        book.active.append(row)
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    sheet = files["xl/worksheets/sheet1.xml"].replace(b"</sheetData>", cells + b"</sheetData>")
    if merge:
        sheet = sheet.replace(
            b"</sheetData>",
            b'</sheetData><mergeCells count="1"><mergeCell ref="' + merge + b'"/></mergeCells>',
        )
    files["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for name, chunks in (parts or {}).items():
            with archive.open(name, "w", force_zip64=True) as stream:
                for chunk in chunks:
                    stream.write(chunk)
    return path


def test_a_value_at_xfd1048576_is_refused_naming_the_cell_and_the_cap(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "far.xlsx", cells=b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    assert path.stat().st_size < 10_000
    with pytest.raises(
        InputError,
        match=r"far\.xlsx, sheet 'Sheet': its used range is A1:XFD1048576 \(17,179,869,184 cells.*3,000,000.*Ctrl\+End",
    ):
        read_table(path)


def test_a_styled_empty_cell_at_xfd1048576_is_read_as_what_it_holds(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "styled.xlsx", cells=b'<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    )
    assert read_raw(path).shape == (3, 2)
    assert read_table(path).rows["households"].tolist() == [300.0, 20.0]


def test_a_merged_range_to_xfd1048576_is_read_as_what_it_holds(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "merged.xlsx", merge=b"A3:XFD1048576")
    raw = read_raw(path)
    assert raw.shape == (3, 2)
    assert raw.iloc[2].tolist() == ["Xã Ngọc Đường", "Xã Ngọc Đường"]  # B3 lies under the merge


def test_a_sheet_beyond_the_cell_cap_is_refused(tmp_path: Path) -> None:
    block = b"<row><c><v>1</v></c><c><v>2</v></c></row>" * 100_000  # cells placed by position
    path = tmp_path / "tall.xlsx"
    write_xlsx(path)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    head, tail = files.pop("xl/worksheets/sheet1.xml").split(b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            stream.write(head)
            for _ in range(16):  # 3.2 million cells
                stream.write(block)
            stream.write(b"</sheetData>" + tail)
    with pytest.raises(
        InputError,
        match=r"tall\.xlsx, sheet 'Sheet': more than 3,000,000 cells \(3,0\d\d,\d\d\d read so far\)",
    ):
        read_raw(path)


def test_more_shared_strings_than_the_cap_are_refused(tmp_path: Path) -> None:
    n = table_bounds.MAX_SHARED_STRINGS + 1
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        *(b"<si><t/></si>" * 100_000 for _ in range(n // 100_000)),
        b"<si><t/></si>" * (n % 100_000),
        b"</sst>",
    )
    path = write_xlsx(tmp_path / "strings.xlsx", parts={"xl/sharedStrings.xml": strings})
    assert path.stat().st_size < 1_000_000
    with pytest.raises(InputError, match=r"strings\.xlsx: more than 3,000,000 shared strings"):
        read_table(path)


def test_xml_inflating_beyond_the_byte_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_bounds, "MAX_XLSX_XML_BYTES", 4 * 1024**2)
    padding = (b"<!--" + b" " * 1_000_000 + b"-->" for _ in range(5))
    path = write_xlsx(tmp_path / "big.xlsx", parts={"xl/padding.xml": padding})
    with pytest.raises(
        InputError, match=r"big\.xlsx: its XML inflates to more than 4 MiB.*xl/padding\.xml"
    ):
        read_table(path)


def test_a_part_whose_header_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "liar.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # Say the sheet is 100 bytes in the central directory and the local header: the stream is longer.
    for offset in (info.header_offset + 22, data.rfind(b"xl/worksheets/sheet1.xml") - 46 + 24):
        data[offset : offset + 4] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(
        InputError,
        match=r"cannot read .*liar\.xlsx.*Bad CRC-32 for file .xl/worksheets/sheet1.xml.",
    ):
        read_table(path)


def test_a_csv_line_with_two_million_commas_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(b"Xa,So ho" + b"," * 2_000_000 + b"\nPhuong Minh Xuan,300\n")
    with pytest.raises(
        InputError, match=r"wide\.csv, line 1: 2,000,002 fields, more than the 16,384"
    ):
        read_table(path)


def test_a_csv_field_longer_than_the_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text('Xã,Số hộ\n"Phường' + " x" * 70_000 + '",300\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"long\.csv: a field is longer than 131,072 characters"):
        read_table(path)


def test_a_csv_larger_than_the_byte_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_bounds, "MAX_TABLE_FILE_BYTES", 1024)
    path = tmp_path / "big.csv"
    path.write_text("Xã,Số hộ\n" + "Phường Minh Xuân,300\n" * 100, encoding="utf-8")
    with pytest.raises(InputError, match=r"big\.csv is 0 MiB, more than the 0 MiB"):
        read_table(path)


def test_the_command_line_exits_2_on_a_far_cell_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = write_xlsx(
        tmp_path / "far.xlsx", cells=b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    out = tmp_path / "out" / "ind.gpkg"
    out.parent.mkdir()
    code = main(
        [
            "build-indicators",
            "--boundaries",
            str(_three_squares(tmp_path / "b.gpkg")),
            "--out",
            str(out),
            "--fibre",
            str(table),
        ]
    )
    assert code == 2
    assert "A1:XFD1048576" in capsys.readouterr().err
    assert list(out.parent.iterdir()) == []
