"""Where the data folder comes from: --data-dir, then VNCOVER_DATA_DIR, then data/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from application.settings import (
    DEFAULT_DATA_DIR,
    ENV_DATA_DIR,
    Settings,
    checked_boundaries,
    resolve_settings,
)
from geo.errors import InputError
from geo.schema import BOUNDARIES_FILE


def test_default_is_the_projects_data_folder(project_root: Path) -> None:
    settings = resolve_settings([], {})
    assert settings == Settings(data_dir=project_root / "data", source="default")
    assert DEFAULT_DATA_DIR == project_root / "data"


def test_environment_overrides_the_default(tmp_path: Path) -> None:
    settings = resolve_settings([], {ENV_DATA_DIR: str(tmp_path)})
    assert settings == Settings(data_dir=tmp_path, source="env")


def test_command_line_overrides_the_environment(tmp_path: Path) -> None:
    cli, env = tmp_path / "cli", tmp_path / "env"
    settings = resolve_settings(["--data-dir", str(cli)], {ENV_DATA_DIR: str(env)})
    assert settings == Settings(data_dir=cli, source="cli")


def test_equals_form_of_the_option(tmp_path: Path) -> None:
    assert resolve_settings([f"--data-dir={tmp_path}"], {}).data_dir == tmp_path


def test_empty_environment_variable_counts_as_unset() -> None:
    assert resolve_settings([], {ENV_DATA_DIR: "  "}).source == "default"


def test_relative_path_is_taken_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_settings(["--data-dir", "mydata"], {}).data_dir == tmp_path / "mydata"


def test_boundaries_path_is_inside_the_data_folder(tmp_path: Path) -> None:
    assert Settings(tmp_path).boundaries_path == tmp_path / "boundaries" / BOUNDARIES_FILE


@pytest.mark.parametrize("argv", [["--verbose"], ["--data", "x"], ["extra"]])
def test_unknown_arguments_are_an_error(argv: list[str]) -> None:
    with pytest.raises(InputError, match="the only option is --data-dir PATH"):
        resolve_settings(argv, {})


def test_option_without_a_path_is_an_error() -> None:
    with pytest.raises(InputError, match="expected one argument"):
        resolve_settings(["--data-dir"], {})


def test_option_with_an_empty_path_is_an_error() -> None:
    with pytest.raises(InputError, match="empty path"):
        resolve_settings(["--data-dir", ""], {})


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = Settings(tmp_path)
    with pytest.raises(AttributeError):
        settings.data_dir = Path("/elsewhere")  # type: ignore[misc]


def test_source_is_described_for_error_messages() -> None:
    assert ENV_DATA_DIR in Settings(Path("/x"), source="env").describe_source()


def test_the_upload_limit_comes_from_the_environment() -> None:
    from application.settings import DEFAULT_MAX_UPLOAD_MB, ENV_MAX_UPLOAD_MB

    assert resolve_settings([], {}).max_upload_mb == DEFAULT_MAX_UPLOAD_MB == 50
    assert resolve_settings(["--data-dir", "/tmp"], {ENV_MAX_UPLOAD_MB: "5"}).max_upload_mb == 5
    for bad in ("0", "-3", "ten", "2.5"):
        with pytest.raises(
            InputError, match=f"{ENV_MAX_UPLOAD_MB}='{re.escape(bad)}' is not a whole number"
        ):
            resolve_settings([], {ENV_MAX_UPLOAD_MB: bad})


def test_checked_boundaries_names_the_folder_and_how_it_was_set(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"not found: .*vn_boundaries_approx.gpkg \(data folder .*, set by .*--data-dir PATH",
    ):
        checked_boundaries(Settings(tmp_path))


def test_checked_boundaries_says_which_setting_chose_the_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"VNCOVER_DATA_DIR"):
        checked_boundaries(Settings(tmp_path, source="env"))
    with pytest.raises(InputError, match="set by the command-line option --data-dir"):
        checked_boundaries(Settings(tmp_path, source="cli"))
