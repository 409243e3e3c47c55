"""Atomic writes leave either the new file or the old one, never a half."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.reading.atomic import atomic_path


def test_success_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with atomic_path(target) as temporary:
        temporary.write_text("new")
    assert target.read_text() == "new"
    assert list(tmp_path.iterdir()) == [target]


def test_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"), atomic_path(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]
