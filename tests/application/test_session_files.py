"""Sessions' upload folders: one per session, kept while it is connected and for the grace, then removed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from application.session import Session
from application.session_files import (
    SEEN_MARK,
    grace_seconds,
    mark_seen,
    session_folder,
    sweep_seconds,
    sweep_sessions,
)

SESSION_A = "0f8fad5b-d9cb-469f-a165-70867728950e"
SESSION_B = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def _with_upload(folder: Path) -> Path:
    (folder / "fibre" / "abc").mkdir(parents=True)
    (folder / "fibre" / "abc" / "cap_quang.csv").write_text("Mã xã,Số hộ\n", encoding="utf-8")
    return folder


def test_a_session_folder_is_named_by_the_session_and_found_again(tmp_path: Path) -> None:
    first = session_folder(SESSION_A, tmp_path)
    assert first == tmp_path / SESSION_A and (first / SEEN_MARK).is_file()
    assert session_folder(SESSION_A, tmp_path) == first


@pytest.mark.parametrize("owner", [None, "", "../../etc", "a/b", "x" * 200])
def test_an_owner_that_is_not_a_session_id_gets_a_fresh_folder_inside_the_root(
    tmp_path: Path, owner: str | None
) -> None:
    folder = session_folder(owner, tmp_path)
    assert folder.parent == tmp_path and folder.name.startswith("local-")
    assert session_folder(owner, tmp_path) != folder


def test_the_sweep_keeps_connected_sessions_and_removes_ended_ones_after_the_grace(
    tmp_path: Path,
) -> None:
    now = time.time()
    alive = _with_upload(session_folder(SESSION_A, tmp_path))
    ended = _with_upload(session_folder(SESSION_B, tmp_path))
    mark_seen(alive, now - 3600)  # connected, though not marked for an hour: kept and marked
    mark_seen(ended, now - 30)  # ended 30 s ago: within the grace

    first = sweep_sessions({SESSION_A}.__contains__, root=tmp_path, grace_s=60, now=now)
    assert first.removed == () and first.kept == 2 and ended.is_dir()
    assert (alive / SEEN_MARK).stat().st_mtime == pytest.approx(now)

    later = sweep_sessions({SESSION_A}.__contains__, root=tmp_path, grace_s=60, now=now + 61)
    assert later.removed == (SESSION_B,) and not ended.exists()
    assert (alive / "fibre" / "abc" / "cap_quang.csv").is_file()


def test_another_process_seeing_its_session_keeps_the_folder(tmp_path: Path) -> None:
    folder = _with_upload(session_folder(SESSION_A, tmp_path))
    now = time.time()
    mark_seen(folder, now - 10)  # marked 10 s ago by the process that serves it
    assert sweep_sessions(lambda _: False, root=tmp_path, grace_s=60, now=now).removed == ()


def test_a_session_reaches_its_folder_again_after_it_was_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = Session({}, owner=SESSION_A)
    root = tmp_path / "sessions"
    monkeypatch.setenv("VNCOVER_SESSIONS_DIR", str(root))
    folder = session.folder()
    assert folder == root / SESSION_A
    sweep_sessions(lambda _: False, root=root, grace_s=0, now=time.time() + 1)
    assert not folder.exists()
    assert session.folder() == folder and folder.is_dir()


def test_the_times_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VNCOVER_SESSION_GRACE_S", "5")
    monkeypatch.setenv("VNCOVER_SESSION_SWEEP_S", "0")
    assert grace_seconds() == 5 and sweep_seconds() == 0.1
    monkeypatch.setenv("VNCOVER_SESSION_GRACE_S", "soon")
    assert grace_seconds() == 600
