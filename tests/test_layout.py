"""The layout shows the design: packages by kind, imports one way, no private module used from outside."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "geo.reference",
    "geo.reading",
    "geo.importing",
    "geo.indicators",
    "layers",
    "application",
    "builders",
    "cli",
)
#: What each top-level package may import from the project (besides itself).
ALLOWED = {
    "geo": {"geo"},
    "layers": {"geo"},
    "application": {"geo", "layers"},
    "builders": {"geo"},
    "cli": {"geo", "layers", "application", "builders"},
    "bench": {"geo", "layers", "application", "builders", "cli", "bench"},
}
PROJECT = {"geo", "layers", "application", "builders", "cli", "pages_app", "bench", "tests"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _files(top: str) -> list[Path]:
    return sorted((ROOT / top).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_its_job_in_a_line_and_lists_its_modules(package: str) -> None:
    module = importlib.import_module(package)
    doc = (module.__doc__ or "").strip()
    assert doc and doc.splitlines()[0].endswith(".")
    folder = ROOT / package.replace(".", "/")
    modules = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("__"))
    assert sorted(module.__all__) == modules


def test_the_geo_root_holds_only_schema_errors_and_the_sub_packages() -> None:
    entries = {p.name for p in (ROOT / "geo").iterdir() if p.name != "__pycache__"}
    packages = {p.split(".")[1] for p in PACKAGES if p.startswith("geo.")}
    assert entries == {"__init__.py", "__main__.py", "schema.py", "errors.py", *packages}
    # ``python -m geo`` only hands over to the command line.
    assert _imports(ROOT / "geo" / "__main__.py") == ["sys", "cli.commands", "cli.commands.main"]


@pytest.mark.parametrize("top", sorted(ALLOWED))
def test_imports_go_one_way(top: str) -> None:
    wrong = []
    for path in _files(top):
        if path == ROOT / "geo" / "__main__.py":
            continue
        for name in _imports(path):
            first = name.split(".")[0]
            if (
                first == "streamlit"
                or first == "streamlit_folium"
                or (first in PROJECT and first != top and first not in ALLOWED[top])
            ):
                wrong.append(f"{path.relative_to(ROOT)}: {name}")
    assert wrong == []


def test_no_private_module_of_geo_is_imported_from_outside_its_package() -> None:
    wrong = []
    for path in ROOT.glob("**/*.py"):
        if ".venv" in path.parts:
            continue
        here = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
        for name in _imports(path):
            parts = name.split(".")
            private = [
                i
                for i, part in enumerate(parts)
                if part.startswith("_") and not part.startswith("__")
            ]
            if parts[0] == "geo" and private and ".".join(parts[: private[0]]) != here:
                wrong.append(f"{path.relative_to(ROOT)}: {name}")
    assert wrong == []


def test_only_the_app_and_its_pages_import_streamlit() -> None:
    importers = {
        path.relative_to(ROOT).parts[0]
        for path in ROOT.glob("**/*.py")
        if ".venv" not in path.parts and any(n.split(".")[0] == "streamlit" for n in _imports(path))
    }
    assert importers <= {"app.py", "pages_app", "tests"}
