"""Where the app finds its data: one frozen ``Settings`` built from CLI, environment and default.

Precedence of the data folder, highest first:

1. the command-line option ``--data-dir PATH`` (for the app:
   ``streamlit run app.py -- --data-dir PATH``; the ``--`` hands the rest
   to the script instead of to Streamlit);
2. the environment variable ``VNCOVER_DATA_DIR``;
3. the folder ``data/`` of this project (it holds the embedded approximate
   boundaries, ``data/boundaries/vn_boundaries_approx.gpkg``).

A relative path given on the command line or in the environment is taken
relative to the current working directory; the default does not depend on it.
An empty ``VNCOVER_DATA_DIR`` counts as unset.

The largest upload the app accepts per file is ``VNCOVER_MAX_UPLOAD_MB``
(default 50). Streamlit's own ``server.maxUploadSize`` (.streamlit/config.toml)
is set higher on purpose: a file it refuses only gets an icon in the browser,
while one the app refuses gets a message naming the file and the limit.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geo.errors import InputError
from geo.schema import BOUNDARIES_FILE

ENV_DATA_DIR = "VNCOVER_DATA_DIR"
ENV_MAX_UPLOAD_MB = "VNCOVER_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 50
CLI_DATA_DIR = "--data-dir"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BOUNDARIES_SUBDIR = "boundaries"

Source = Literal["cli", "env", "default"]

_SOURCE_TEXT: dict[str, str] = {
    "cli": f"the command-line option {CLI_DATA_DIR}",
    "env": f"the environment variable {ENV_DATA_DIR}",
    "default": "the default (the project's data/ folder)",
}


@dataclass(frozen=True)
class Settings:
    """Everything the app and the command line need to know about their input.

    Attributes
    ----------
    data_dir
        Absolute path of the data folder.
    source
        Which of the command line, the environment or the default set ``data_dir``.
    max_upload_mb
        Largest upload accepted per file, in MB.
    """

    data_dir: Path
    source: Source = "default"
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB

    @property
    def boundaries_path(self) -> Path:
        """Path of the boundaries GeoPackage inside the data folder."""
        return self.data_dir / BOUNDARIES_SUBDIR / BOUNDARIES_FILE

    def describe_source(self) -> str:
        """Say in words where ``data_dir`` came from (for error messages)."""
        return _SOURCE_TEXT[self.source]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="app.py", add_help=False, allow_abbrev=False, exit_on_error=False
    )
    parser.add_argument(CLI_DATA_DIR, dest="data_dir", metavar="PATH", default=None)
    return parser


def resolve_settings(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings from command-line arguments, the environment and the default.

    Parameters
    ----------
    argv
        The script's own arguments (``sys.argv[1:]``); ``None`` means none.
    environ
        The environment (``os.environ``); ``None`` means an empty one.

    Returns
    -------
    Settings
        With ``data_dir`` made absolute; see the module docstring for precedence.

    Raises
    ------
    InputError
        When ``argv`` holds anything but ``--data-dir PATH`` with a non-empty path.
    """
    args = list(argv or [])
    try:
        parsed, unknown = _parser().parse_known_args(args)
    except argparse.ArgumentError as err:
        raise InputError(
            f"bad command-line arguments {args!r}: {err}; use {CLI_DATA_DIR} PATH"
        ) from err
    if unknown:
        raise InputError(
            f"unknown command-line arguments {unknown!r}; the only option is {CLI_DATA_DIR} PATH "
            f"(with Streamlit: streamlit run app.py -- {CLI_DATA_DIR} PATH)"
        )
    if parsed.data_dir is not None and not parsed.data_dir.strip():
        raise InputError(
            f"{CLI_DATA_DIR} was given an empty path; pass the data folder, e.g. {CLI_DATA_DIR} /srv/vncover"
        )
    env_value = (environ or {}).get(ENV_DATA_DIR, "").strip()
    limit = _max_upload_mb(environ or {})
    if parsed.data_dir is not None:
        return Settings(
            data_dir=Path(parsed.data_dir).expanduser().resolve(), source="cli", max_upload_mb=limit
        )
    if env_value:
        return Settings(
            data_dir=Path(env_value).expanduser().resolve(), source="env", max_upload_mb=limit
        )
    return Settings(data_dir=DEFAULT_DATA_DIR, source="default", max_upload_mb=limit)


def _max_upload_mb(environ: Mapping[str, str]) -> int:
    raw = environ.get(ENV_MAX_UPLOAD_MB, "").strip()
    if not raw:
        return DEFAULT_MAX_UPLOAD_MB
    if not raw.isdigit() or int(raw) < 1:
        raise InputError(
            f"{ENV_MAX_UPLOAD_MB}={raw!r} is not a whole number of MB ≥ 1; set it like {ENV_MAX_UPLOAD_MB}=50, or unset it for {DEFAULT_MAX_UPLOAD_MB}"
        )
    return int(raw)


def checked_boundaries(settings: Settings) -> Path:
    """The boundaries GeoPackage of ``settings``' data folder, checked to exist; the message says how the folder was set."""
    from geo.reading.boundaries import boundaries_file

    context = (
        f" (data folder {settings.data_dir}, set by {settings.describe_source()}; "
        f"streamlit run app.py -- {CLI_DATA_DIR} PATH, or set {ENV_DATA_DIR}=PATH)"
    )
    return boundaries_file(settings.boundaries_path, context=context)
