"""How every browser test starts Chromium: Debian's build, never a downloaded one.

The flags keep Chromium from reaching out on its own (updates, sync, field
trials), so a test that records requests sees only the page's.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
