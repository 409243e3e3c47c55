"""The atlas: pages, target status table, atomic write."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.commands import main
from geo import schema as s
from geo.errors import InputError
from geo.indicators import targets as t
from layers import atlas
from tests.layers.test_export import ind_layers, write_ind


def test_target_status_per_province() -> None:
    table = atlas.target_status(ind_layers()["province"], t.read_config(None))
    assert table["Mã"].tolist() == ["08", "96"]
    assert table["≥ 99 %"].tolist() == [atlas.MISSED, atlas.REACHED]
    assert table["≥ 80 %"].tolist() == [atlas.MISSED, atlas.MISSED]
    assert table["Tỷ lệ thôn có tổ công nghệ số cộng đồng (%)"].tolist() == [
        atlas.UNKNOWN,
        atlas.UNKNOWN,
    ]
    assert table["Tỷ lệ dân số được phủ sóng 4G (%)"].tolist() == ["95,6", "100,0"]


def test_target_status_in_english_has_english_headers_words_and_numbers() -> None:
    table = atlas.target_status(ind_layers()["province"], t.read_config(None), lang="en")
    assert table["Code"].tolist() == ["08", "96"]
    assert table["≥ 99 %"].tolist() == ["Missed", "Met"]
    assert table["Share of the population covered by 4G (%)"].tolist() == ["95.6", "100.0"]


def test_atlas_has_cover_summary_and_a_page_per_province(tmp_path: Path) -> None:
    out = tmp_path / "atlas.pdf"
    assert (
        atlas.write_atlas(write_ind(tmp_path / "ind.gpkg"), out, column=s.PCT_HOUSEHOLDS_FIBRE) == 4
    )
    assert out.read_bytes().startswith(b"%PDF")


def test_atlas_of_one_province_has_a_page_per_commune(tmp_path: Path) -> None:
    assert (
        atlas.write_atlas(
            write_ind(tmp_path / "ind.gpkg"), tmp_path / "a.pdf", column=s.PCT_POP_4G, province="96"
        )
        == 4
    )


def test_a_file_name_with_dollars_is_text_in_the_atlas(tmp_path: Path) -> None:
    ind = write_ind(tmp_path / "ind.gpkg", source=r"fibre_$\badmacro{x}$.csv")
    out = tmp_path / "atlas.pdf"
    assert atlas.write_atlas(ind, out, column=s.PCT_POP_4G) == 4
    assert out.read_bytes().startswith(b"%PDF")


def test_failed_atlas_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ind = write_ind(tmp_path / "ind.gpkg")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(atlas, "render_sheet", broken)
    with pytest.raises(RuntimeError, match="renderer failed"):
        atlas.write_atlas(ind, tmp_path / "a.pdf", column=s.PCT_POP_4G)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ind.gpkg"]


def test_unknown_indicator_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--indicator 'x' is not a column"):
        atlas.write_atlas(write_ind(tmp_path / "ind.gpkg"), tmp_path / "a.pdf", column="x")


def test_cli_atlas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.pdf"
    assert (
        main(
            [
                "atlas",
                str(write_ind(tmp_path / "ind.gpkg")),
                "--indicator",
                "uncovered",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "wrote 4 pages" in capsys.readouterr().out
