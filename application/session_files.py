"""Each session's folder of uploads: made for the session, kept while it lives, removed after it ends.

A browser session's uploads and what is derived from them (merged boundaries,
import reports) live in one folder, ``<root>/<session id>``, under
:func:`sessions_root`. Streamlit says which sessions are connected; a sweep
(:func:`sweep_sessions`, run by the app every :func:`sweep_seconds`)
marks the folders of connected sessions as seen and removes every folder not
seen for :func:`grace_seconds` (a browser that reconnects within that time finds
its uploads again, as Streamlit keeps a disconnected session for two minutes).
Several app processes may share the root: each marks only its own sessions, and
a folder is removed only when no process has seen it for the grace period.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

#: Environment variable: the folder holding the sessions' folders (default: the system's temp folder).
ROOT_ENV: Final = "VNCOVER_SESSIONS_DIR"
#: Environment variable: seconds a folder outlives its session (default :data:`DEFAULT_GRACE_S`).
GRACE_ENV: Final = "VNCOVER_SESSION_GRACE_S"
#: Longer than Streamlit's ``server.disconnectedSessionTTL`` (120 s), so a reconnecting tab keeps its files.
DEFAULT_GRACE_S: Final = 600
#: Environment variable: seconds between two sweeps (default :data:`DEFAULT_SWEEP_S`).
SWEEP_ENV: Final = "VNCOVER_SESSION_SWEEP_S"
DEFAULT_SWEEP_S: Final = 60
#: The file whose modification time says when a folder's session was last seen connected.
SEEN_MARK: Final = ".last_seen"
# Streamlit's session ids are UUIDs; anything else becomes a fresh random name.
_SAFE_OWNER = re.compile(r"^[0-9A-Za-z-]{8,64}$")


@dataclass(frozen=True)
class Sweep:
    """What one sweep did: folders kept (their session connected or within the grace) and removed."""

    kept: int
    removed: tuple[str, ...]


def sessions_root() -> Path:
    """The folder of every session's folder (``$VNCOVER_SESSIONS_DIR``, else ``<temp>/vncover-sessions``)."""
    return Path(os.environ.get(ROOT_ENV) or Path(tempfile.gettempdir()) / "vncover-sessions")


def grace_seconds() -> float:
    """Seconds a session's folder is kept after the session was last seen (``$VNCOVER_SESSION_GRACE_S``)."""
    return _seconds(GRACE_ENV, DEFAULT_GRACE_S, least=0.0)


def sweep_seconds() -> float:
    """Seconds between two sweeps (``$VNCOVER_SESSION_SWEEP_S``, at least a tenth of a second)."""
    return _seconds(SWEEP_ENV, DEFAULT_SWEEP_S, least=0.1)


def _seconds(variable: str, default: float, *, least: float) -> float:
    """A number of seconds from the environment; the default when unset or not a number."""
    value = os.environ.get(variable, "")
    try:
        return max(least, float(value)) if value else float(default)
    except ValueError:
        return float(default)


def session_folder(owner: str | None, root: Path | None = None) -> Path:
    """Make (or find) the folder of session ``owner``, marked as seen now.

    An owner that is not a session id (None in tests, or anything with other
    characters) gets a new random folder, which the sweep removes once it is
    older than the grace period.
    """
    base = root or sessions_root()
    base.mkdir(parents=True, exist_ok=True)
    name = owner if owner and _SAFE_OWNER.match(owner) else f"local-{uuid.uuid4().hex}"
    folder = base / name
    folder.mkdir(exist_ok=True)
    mark_seen(folder)
    return folder


def mark_seen(folder: Path, when: float | None = None) -> None:
    """Say that ``folder``'s session is alive (at ``when``, default now)."""
    mark = folder / SEEN_MARK
    mark.touch()
    if when is not None:
        os.utime(mark, (when, when))


def last_seen(folder: Path) -> float:
    """When ``folder``'s session was last seen (its mark, else the folder's own modification time)."""
    mark = folder / SEEN_MARK
    try:
        return mark.stat().st_mtime
    except OSError:
        return folder.stat().st_mtime


def sweep_sessions(
    is_active: Callable[[str], bool],
    *,
    root: Path | None = None,
    grace_s: float | None = None,
    now: float | None = None,
) -> Sweep:
    """Mark the folders of active sessions as seen; remove those not seen for ``grace_s`` seconds.

    Parameters
    ----------
    is_active
        True for a session id this process has connected (Streamlit's runtime).
    root
        Folder of the sessions' folders (default :func:`sessions_root`).
    grace_s
        Seconds a folder outlives its session (default :func:`grace_seconds`).
    now
        The time of the sweep (default now; tests pass their own).
    """
    base = root or sessions_root()
    grace = grace_seconds() if grace_s is None else grace_s
    moment = time.time() if now is None else now
    if not base.is_dir():
        return Sweep(0, ())
    kept, removed = 0, []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        try:
            if is_active(folder.name):
                mark_seen(folder, moment)
            elif moment - last_seen(folder) > grace:
                shutil.rmtree(folder)
                removed.append(folder.name)
                continue
        except OSError:
            continue  # removed meanwhile by another process, or not ours to touch: next sweep
        kept += 1
    return Sweep(kept, tuple(removed))
