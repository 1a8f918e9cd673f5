"""SVG icons from resources/icons, found the same way from a checkout, an install or a frozen bundle.

Icons are vector (SVG) so they stay sharp at any device-pixel ratio. A missing icon is never an
error: the UI shows text on every control, so an empty ``QIcon`` only loses decoration.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

ICON_NAMES = (
    "app",
    "state-clear",
    "state-held",
    "state-attention",
    "release",
    "request-release",
    "delete",
    "not-junk",
    "refresh",
    "headers",
    "search",
    "sign-in",
    "demo",
)


def _candidates() -> list[Path]:
    found: list[Path] = []
    override = os.environ.get("QC_RESOURCES")
    if override:
        found.append(Path(override))
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller unpack dir
    if bundle:
        found.append(Path(bundle) / "resources")
    if getattr(sys, "frozen", False):
        found.append(Path(sys.executable).resolve().parent / "resources")
    # A source checkout or an editable install: <root>/app/quarantine_checker/ui/icons.py -> <root>/resources
    found.append(Path(__file__).resolve().parents[3] / "resources")
    found.append(Path(sys.prefix) / "share" / "quarantine-checker" / "resources")
    return found


@cache
def resources_dir() -> Path | None:
    for candidate in _candidates():
        if (candidate / "icons").is_dir():
            return candidate
    return None


def icon_path(name: str) -> Path | None:
    root = resources_dir()
    if root is None:
        return None
    path = root / "icons" / f"{name}.svg"
    return path if path.is_file() else None


@cache
def icon(name: str) -> QIcon:
    path = icon_path(name)
    return QIcon(str(path)) if path else QIcon()
