"""Write one benchmark's section of BENCHMARKS.md, stamped with the machine and the date.

Each benchmark owns the text between ``<!-- bench:NAME:start -->`` and
``<!-- bench:NAME:end -->``; running it again replaces that section only.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import tempfile
from pathlib import Path

BENCHMARKS_FILE = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
_TITLE = "# Benchmarks\n\nWritten by the scripts in `bench/`; each section is replaced when its script runs again.\n"


def machine_summary() -> str:
    """One line: CPU model, cores, RAM and Python version of this machine."""
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {_ram_gb():.0f} GB RAM, "
        f"Python {platform.python_version()}"
    )


def write_section(name: str, markdown: str, *, path: Path = BENCHMARKS_FILE) -> Path:
    """Replace (or append) the section ``name`` of ``path`` with ``markdown`` plus a machine/date stamp.

    Parameters
    ----------
    name
        Section name, letters, digits, ``-`` and ``_`` only.
    markdown
        The section body (its own heading included).
    path
        The benchmarks file; ``BENCHMARKS.md`` at the project root by default.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(
            f"benchmark section name {name!r} may only hold letters, digits, '-' and '_'"
        )
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    stamp = f"_Measured {dt.date.today().isoformat()} on {machine_summary()}._"
    section = f"{start}\n{markdown.rstrip()}\n\n{stamp}\n{end}"
    text = path.read_text(encoding="utf-8") if path.is_file() else _TITLE
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), flags=re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = f"{text.rstrip()}\n\n{section}\n"
    _write_atomically(path, text)
    return path


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")
