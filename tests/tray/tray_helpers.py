"""Helpers shared by the tray tests (imported by name; tests/tray is on sys.path under pytest)."""

from __future__ import annotations

import os
from pathlib import Path


def app_env(tmp: Path) -> dict[str, str]:
    """Environment for a child app: its own data, config and autostart dirs; the xcb platform (Xvfb)."""
    env = dict(os.environ)
    env["QC_DATA_DIR"] = str(tmp / "data")
    env["QC_CONFIG_DIR"] = str(tmp / "config")
    env["XDG_CONFIG_HOME"] = str(tmp / "xdg-config")
    env["QT_QPA_PLATFORM"] = "xcb"
    env.pop("QT_QPA_PLATFORMTHEME", None)
    return env
