"""National targets the indicators are read against, and the propagation settings.

Both come from one small TOML file; the defaults ship as
``geo/indicators/targets_default.toml`` (DOMAIN.md §5). A user file need only hold the
values it changes: it is laid over the defaults key by key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Final

from geo.errors import InputError

DEFAULT_TARGETS_FILE: Final = Path(__file__).with_name("targets_default.toml")

FIBRE_HOUSEHOLDS: Final = "fibre_households"
FIBRE_TO_COMMUNE: Final = "fibre_to_commune"
POP_4G: Final = "pop_4g"
VILLAGES_TEAM: Final = "villages_team"
TARGET_NAMES: Final = (FIBRE_HOUSEHOLDS, FIBRE_TO_COMMUNE, POP_4G, VILLAGES_TEAM)


@dataclass(frozen=True)
class Target:
    """One target: whether it counts, and its threshold in percent (None for yes/no targets)."""

    name: str
    enabled: bool
    min_pct: float | None = None


@dataclass(frozen=True)
class Propagation:
    """Parameters of the COST-231 Hata model (see :mod:`geo.indicators.coverage`)."""

    frequency_mhz: float
    rs_power_dbm: float
    antenna_gain_dbi: float
    cable_loss_db: float
    mobile_height_m: float
    default_site_height_m: float
    threshold_dbm: float
    max_range_km: float
    beamwidth_deg: float
    front_to_back_db: float
    clutter_db: tuple[tuple[str, float], ...]

    def clutter(self, environment: str) -> float:
        """Clutter correction (dB) of ``environment``; raises for an unknown one."""
        table = dict(self.clutter_db)
        if environment not in table:
            raise InputError(
                f"unknown environment {environment!r}; known: {sorted(table)}; add it to [propagation.clutter_db]"
            )
        return table[environment]


@dataclass(frozen=True)
class Config:
    """Targets plus propagation settings, and the file(s) they came from."""

    targets: tuple[Target, ...]
    propagation: Propagation
    source: str

    def target(self, name: str) -> Target:
        """The target called ``name`` (one of ``TARGET_NAMES``)."""
        return next(t for t in self.targets if t.name == name)

    def threshold_pct(self, name: str | None) -> float | None:
        """The percentage a map reads against target ``name`` (100 for a yes/no target); None when off or absent."""
        if name is None:
            return None
        target = self.target(name)
        if not target.enabled:
            return None
        return 100.0 if target.min_pct is None else target.min_pct

    @property
    def enabled(self) -> tuple[Target, ...]:
        """The targets that decide ``uncovered``."""
        return tuple(t for t in self.targets if t.enabled)


def read_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read the default targets, overlaid with ``path`` when given.

    Raises
    ------
    InputError
        When the file is missing, is not TOML, or holds unknown keys or bad values.
    """
    raw = _load(DEFAULT_TARGETS_FILE)
    source = str(DEFAULT_TARGETS_FILE.name)
    if path is not None:
        raw = _overlay(raw, _load(Path(path)), where=str(path))
        source = str(path)
    return Config(
        targets=_targets(raw["targets"], source),
        propagation=_propagation(raw["propagation"], source),
        source=source,
    )


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(
            f"targets file not found: {path}; pass an existing TOML file to --targets (see {DEFAULT_TARGETS_FILE.name})"
        )
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InputError(
            f"targets file {path} is not valid TOML: {error}; fix the line shown"
        ) from error


def _overlay(base: dict[str, Any], extra: dict[str, Any], *, where: str) -> dict[str, Any]:
    """``base`` with the values of ``extra``; keys unknown to ``base`` are an error (typos)."""
    merged = dict(base)
    for key, value in extra.items():
        if key not in base:
            raise InputError(f"{where}: unknown key {key!r}; allowed: {sorted(base)}")
        merged[key] = (
            _overlay(base[key], value, where=f"{where} [{key}]")
            if isinstance(value, dict) and key != "clutter_db"
            else value
        )
        if key == "clutter_db":
            merged[key] = {**base[key], **value}
    return merged


def _targets(raw: dict[str, Any], source: str) -> tuple[Target, ...]:
    targets = []
    for name in TARGET_NAMES:
        entry = raw.get(name, {})
        minimum = entry.get("min_pct")
        if minimum is not None and not (isinstance(minimum, (int, float)) and 0 <= minimum <= 100):
            raise InputError(
                f"{source}: [targets.{name}] min_pct = {minimum!r}; give a percentage between 0 and 100"
            )
        targets.append(
            Target(
                name=name,
                enabled=bool(entry.get("enabled", True)),
                min_pct=None if minimum is None else float(minimum),
            )
        )
    return tuple(targets)


def _propagation(raw: dict[str, Any], source: str) -> Propagation:
    values: dict[str, Any] = {}
    for field in fields(Propagation):
        if field.name == "clutter_db":
            values[field.name] = tuple(
                sorted((str(k), float(v)) for k, v in raw[field.name].items())
            )
            continue
        value = raw.get(field.name)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise InputError(f"{source}: [propagation] {field.name} = {value!r}; give a number")
        values[field.name] = float(value)
    return Propagation(**values)
