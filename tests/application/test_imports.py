"""The direction of imports: no Streamlit in the application layer, no page module in the benchmarks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [("application", ("streamlit", "streamlit_folium", "pages_app")), ("bench", ("pages_app",))],
)
def test_folder_does_not_import(folder: str, forbidden: tuple[str, ...]) -> None:
    found = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in _imported(path)
        if name.split(".")[0] in forbidden
    }
    assert not found, f"{folder}/ must not import {forbidden}; found {sorted(found)}"
