"""A real screenshot of the main window under Xvfb, kept as a CI artifact.

Written to $QC_ARTIFACTS/screenshots/main-window.png (default ./artifacts/screenshots/main-window.png).
The window is drawn by the xcb platform on a real X server in a child process, because this test
process runs Qt offscreen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

HERE = Path(__file__).resolve().parent


def artifacts_dir() -> Path:
    return Path(os.environ.get("QC_ARTIFACTS") or Path.cwd() / "artifacts")


@pytest.mark.xvfb
@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs an X display: run via tests/run-suite.sh")
def test_main_window_screenshot_is_not_blank() -> None:
    out = artifacts_dir() / "screenshots" / "main-window.png"
    if out.exists():
        out.unlink()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="xcb",
        PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    )
    proc = subprocess.run(
        [sys.executable, str(HERE / "screenshot_main_window.py"), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    # Not blank: many distinct colours across a grid of samples (text, icons, table, banner).
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 30, f"screenshot looks blank ({len(colours)} colours)"
