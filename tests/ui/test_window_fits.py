"""The window fits the screens people have: from 800×560 up nothing is clipped and no label's text is cut
where the layout could wrap or scroll; the default size fits a 1366×768 laptop with a panel. The first
screenful of the details says what a person needs; policy names are folded away in "Details for IT".

Runs the window on a real X server (Xvfb, xcb) in a child process (fit_window.py), which also saves a
screenshot per size to $QC_ARTIFACTS/screenshots/window-<size>.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from test_screenshot import artifacts_dir

HERE = Path(__file__).resolve().parent
SIZES = ("1366x768", "1024x640", "800x560")


@pytest.fixture(scope="module")
def fit_report() -> dict:
    if not os.environ.get("DISPLAY"):
        if os.environ.get("CI") == "true":
            pytest.fail("no X display under CI: run via tests/run-suite.sh")
        pytest.skip("needs an X display: run via tests/run-suite.sh")
    out = artifacts_dir() / "screenshots"
    for size in SIZES:
        (out / f"window-{size}.png").unlink(missing_ok=True)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="xcb",
        PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    )
    proc = subprocess.run(
        [sys.executable, str(HERE / "fit_window.py"), str(out), *SIZES],
        env=env, capture_output=True, text=True, timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.xvfb
def test_default_window_fits_a_laptop_screen(fit_report: dict) -> None:
    width, height = fit_report["default"]
    assert height <= 720, f"default window is {height} px high (menu bar included); 1366×768 has ~720"
    assert 800 <= width <= 1366


@pytest.mark.xvfb
@pytest.mark.parametrize("size", SIZES)
def test_nothing_clipped_or_cut(fit_report: dict, size: str) -> None:
    entry = fit_report[size]
    assert entry["size"] == [int(n) for n in size.split("x")], "the window refused to get this small"
    assert entry["folded"] == [], "\n".join(entry["folded"])
    assert entry["unfolded"] == [], "with Details for IT open:\n" + "\n".join(entry["unfolded"])
    shot = QImage(str(artifacts_dir() / "screenshots" / f"window-{size}.png"))
    assert (shot.width(), shot.height()) == tuple(entry["size"])


@pytest.mark.xvfb
def test_policy_is_folded_away_for_it(fit_report: dict) -> None:
    policy = fit_report["policy"]
    assert policy, "the demo invoice has a policy name to hide"
    for size in SIZES:
        words = fit_report[size]["details_words"]
        assert policy not in words and "Held by" not in words.splitlines(), words
        assert "What happens if you release it?" in words and "Is the sender who they say they are?" in words
        assert policy in fit_report[size]["unfolded_words"]
