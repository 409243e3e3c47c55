"""The command line shell: ``python -m geo``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from cli.commands import main


def test_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for subcommand in ("register", "crosswalk", "build-boundaries"):
        assert subcommand in out


def test_module_runs_as_a_program(project_root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "geo", "--help"], cwd=project_root, capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "subcommands" in done.stdout


def test_register_writes_a_csv_that_keeps_leading_zeros(tmp_path: Path) -> None:
    out = tmp_path / "communes.csv"
    assert main(["register", "--vintage", "legacy", "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert len(table) == 10035
    assert table.loc[0, "commune_code"] == "00001"
    assert table.loc[0, "district_code"] == "001"


def test_crosswalk_writes_one_row_per_pair(tmp_path: Path) -> None:
    out = tmp_path / "crosswalk.csv"
    assert main(["crosswalk", "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert table["new_commune_code"].nunique() == 3321


def test_a_wrong_combination_is_a_one_line_error_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "districts.csv"
    assert main(["register", "--vintage", "2025", "--level", "district", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--vintage legacy" in err
    assert not out.exists()


def test_build_boundaries_regenerates_every_layer_on_a_coarse_grid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "approx.gpkg"
    assert main(["build-boundaries", "--out", str(out), "--cell-m", "4000"]) == 0
    layers = dict(pyogrio.list_layers(out))
    assert set(layers) == {
        "communes_2025",
        "provinces_2025",
        "communes_legacy",
        "districts_legacy",
        "provinces_legacy",
    }
    assert pyogrio.read_info(out, layer="communes_2025")["features"] == 3321
    assert "contains_centroid_2025" in capsys.readouterr().out
