"""Targets and propagation settings from TOML."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.errors import InputError
from geo.indicators.targets import FIBRE_HOUSEHOLDS, POP_4G, VILLAGES_TEAM, read_config


def test_defaults_follow_the_national_programme() -> None:
    config = read_config()
    assert config.target(FIBRE_HOUSEHOLDS).min_pct == 80.0
    assert config.target(POP_4G).min_pct == 99.0
    assert config.target(VILLAGES_TEAM).min_pct == 100.0
    assert len(config.enabled) == 4
    assert config.propagation.threshold_dbm == -110.0


def test_a_user_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        "[targets.pop_4g]\nmin_pct = 95\n[targets.villages_team]\nenabled = false\n[propagation.clutter_db]\nrural = -20\n",
        encoding="utf-8",
    )
    config = read_config(path)
    assert config.target(POP_4G).min_pct == 95.0
    assert not config.target(VILLAGES_TEAM).enabled
    assert config.target(FIBRE_HOUSEHOLDS).min_pct == 80.0
    assert config.propagation.clutter("rural") == -20.0
    assert config.propagation.clutter("urban") == 0.0


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text("[targets.pop_5g]\nmin_pct = 95\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown key 'pop_5g'"):
        read_config(path)


def test_bad_percentage_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text("[targets.pop_4g]\nmin_pct = 120\n", encoding="utf-8")
    with pytest.raises(InputError, match="between 0 and 100"):
        read_config(path)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_config(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[targets\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        read_config(bad)


def test_threshold_of_a_map_reads_100_for_a_yes_no_target_and_none_when_off() -> None:
    from dataclasses import replace

    from geo.indicators.targets import FIBRE_TO_COMMUNE

    config = read_config()
    assert config.threshold_pct(POP_4G) == 99.0 and config.threshold_pct(FIBRE_TO_COMMUNE) == 100.0
    assert config.threshold_pct(None) is None
    off = replace(
        config, targets=tuple(replace(t, enabled=t.name != POP_4G) for t in config.targets)
    )
    assert off.threshold_pct(POP_4G) is None
