"""Map sheets: sizes, legend drawn from the fill's classes, marks, inset archipelagos, files."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from cli.commands import main
from geo import schema as s
from geo.errors import InputError
from layers import mapsheet
from layers.export import ExportMetadata
from tests.layers.test_export import write_ind

DPI = 30  # small and fast; the CLI and the benchmark render at 300 dpi


@pytest.fixture
def ind(tmp_path: Path) -> Path:
    return write_ind(tmp_path / "ind.gpkg")


def _texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text"))]


def test_legend_rows_are_the_classes_of_the_fill(ind: Path) -> None:
    sheet = mapsheet.sheet_from_gpkg(ind, column=s.PCT_HOUSEHOLDS_FIBRE)
    figure = mapsheet.render_sheet(sheet)
    (legend,) = figure.findobj(Legend)
    classification = sheet.classification
    legend_colors = [to_hex(p.get_facecolor()) for p in legend.get_patches()]
    assert legend_colors == [*classification.colors, classification.no_data_color]
    labels = [t.get_text() for t in legend.get_texts()]
    assert [label.rsplit("  (", 1)[0] for label in labels] == [
        *classification.labels,
        classification.no_data_label,
    ]
    map_axes = figure.axes[0]
    fill = {to_hex(c) for collection in map_axes.collections for c in collection.get_facecolor()}
    counts = [int(label.rsplit("(", 1)[1].rstrip(")")) for label in labels]
    assert {c for c, n in zip(legend_colors, counts) if n} <= fill | {"#e3e3e3"}
    assert sum(counts) == len(sheet.units)


def test_a_percentage_with_a_target_is_read_against_it_as_in_the_app(ind: Path) -> None:
    sheet = mapsheet.sheet_from_gpkg(ind, column=s.PCT_HOUSEHOLDS_FIBRE)
    assert sheet.classification.bins == (
        64.0,
        72.0,
        80.0,
    )  # 80 %, 90 %, 100 % of the 80 % fibre target
    assert sheet.classification.labels[-1] == "Đạt chỉ tiêu (≥ 80 %)"
    assert (
        mapsheet.sheet_from_gpkg(ind, column=s.POP_TOTAL).classification.labels[0].startswith("≤")
    )


def test_legend_counts_only_the_province_shown(ind: Path) -> None:
    figure = mapsheet.render_sheet(
        mapsheet.sheet_from_gpkg(ind, column=s.PCT_POP_4G, province="96")
    )
    (legend,) = figure.findobj(Legend)
    counts = [int(t.get_text().rsplit("(", 1)[1].rstrip(")")) for t in legend.get_texts()]
    assert sum(counts) == 2


def test_marks_sources_and_archipelagos_are_on_the_sheet(ind: Path) -> None:
    texts = _texts(
        mapsheet.render_sheet(mapsheet.sheet_from_gpkg(ind, column=s.PCT_POP_4G, province="08"))
    )
    joined = "\n".join(texts)
    assert "RANH GIỚI GẦN ĐÚNG" in texts and any(
        t.startswith("SỐ LIỆU MINH HOẠ (DEMO)") for t in texts
    )
    assert "DEMO_sites.csv (ngày 2025-06-30)" in joined
    assert joined.count("Quần đảo Hoàng Sa") >= 1 and joined.count("Quần đảo Trường Sa") >= 1
    assert "Tỉnh Tuyên Quang" in texts and "km" in texts and "B" in texts


def test_no_marks_when_data_is_real_and_surveyed(ind: Path) -> None:
    sheet = mapsheet.sheet_from_gpkg(ind, column=s.PCT_POP_4G)
    real = mapsheet.Sheet(
        **{**sheet.__dict__, "metadata": ExportMetadata(approximate_boundaries=False, demo=False)}
    )
    texts = _texts(mapsheet.render_sheet(real))
    assert "RANH GIỚI GẦN ĐÚNG" not in texts and not any("DEMO" in t for t in texts)


@pytest.mark.parametrize(("size", "pixels"), [("a4", (350, 248)), ("slide", (399, 225))])
def test_png_has_the_sheet_size(ind: Path, size: str, pixels: tuple[int, int]) -> None:
    from PIL import Image

    data = mapsheet.sheet_bytes(
        mapsheet.sheet_from_gpkg(ind, column=s.UNCOVERED), fmt="png", size=size, dpi=DPI
    )  # type: ignore[arg-type]
    image = Image.open(io.BytesIO(data))
    assert image.size == pixels


def test_pdf_sheet(ind: Path, tmp_path: Path) -> None:
    path = mapsheet.write_sheet(
        mapsheet.sheet_from_gpkg(ind, column=s.PCT_POP_4G), tmp_path / "vn.pdf", dpi=DPI
    )
    assert path.read_bytes().startswith(b"%PDF")


#: A file name that matplotlib's mathtext would parse (and fail on) if text were read as mathematics.
MATH_NAME = r"fibre_$\badmacro{x}$.csv"


def test_a_file_name_with_dollars_is_text_on_a_pdf_sheet(tmp_path: Path) -> None:
    ind = write_ind(tmp_path / "ind.gpkg", source=MATH_NAME)
    sheet = mapsheet.sheet_from_gpkg(ind, column=s.PCT_POP_4G)
    path = mapsheet.write_sheet(sheet, tmp_path / "vn.pdf", dpi=DPI)
    assert path.read_bytes().startswith(b"%PDF")
    assert any(MATH_NAME in t for t in _texts(mapsheet.render_sheet(sheet)))


def test_unknown_indicator_names_the_columns(ind: Path) -> None:
    with pytest.raises(InputError, match=r"--indicator 'pct_5g' is not a column.*'pct_pop_4g'"):
        mapsheet.sheet_from_gpkg(ind, column="pct_5g")


def test_unsupported_suffix_writes_nothing(ind: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="choose 'png' or 'pdf'"):
        mapsheet.write_sheet(
            mapsheet.sheet_from_gpkg(ind, column=s.PCT_POP_4G), tmp_path / "x.svg", dpi=DPI
        )
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize(
    ("target", "expected"), [(0.05, 0.1), (3.7, 2), (9.99, 5), (10, 10), (260, 200), (480, 200)]
)
def test_scale_bar_length_is_1_2_or_5(target: float, expected: float) -> None:
    assert mapsheet.nice_length(target) == expected


def test_north_points_up_on_the_central_meridian() -> None:
    from pyproj import Transformer

    x, y = Transformer.from_crs(s.WGS84, s.VN_EQUAL_AREA, always_xy=True).transform(106.0, 16.0)
    assert mapsheet.north_angle((x, y)) == pytest.approx(0.0, abs=1e-9)
    east = Transformer.from_crs(s.WGS84, s.VN_EQUAL_AREA, always_xy=True).transform(114.0, 10.0)
    assert np.degrees(mapsheet.north_angle(east)) == pytest.approx(-2.2, abs=0.3)


def test_archipelagos_have_islands() -> None:
    islands = mapsheet.archipelagos()
    assert len(islands["20333"]) >= 10 and len(islands["22736"]) >= 20


def test_cli_export_png(ind: Path, tmp_path: Path) -> None:
    out = tmp_path / "cm.png"
    assert (
        main(
            [
                "export",
                str(ind),
                "--out",
                str(out),
                "--province",
                "96",
                "--indicator",
                "pct_villages_team",
                "--dpi",
                str(DPI),
            ]
        )
        == 0
    )
    assert out.read_bytes().startswith(b"\x89PNG")
