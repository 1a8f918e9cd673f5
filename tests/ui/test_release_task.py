"""The task a person launches the app for, done as they would do it: on a real X server (Xvfb) with real
input events (xdotool), from launch, find the held invoice and ask IT to release it in at most 3 actions —
once with the mouse, once with the keyboard only. The outcome is checked where it counts: the demo tenant's
request log (through its control API) shows the release request for that invoice, not pixels.

The window runs in a child process (task_window.py) that only reports what is on screen.
Under CI=true a missing xdotool or X display fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from quarantine_checker.demo.seed import INVOICE_IDENTITY

HERE = Path(__file__).resolve().parent
MAX_ACTIONS = 3


def _need(thing: str, present: bool) -> None:
    if present:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{thing} is missing (add it to APT_PACKAGES / run via tests/run-suite.sh)")
    pytest.skip(f"needs {thing}")


class Desk:
    """The window in its own process, what it shows, and a person's hands (xdotool)."""

    def __init__(self, tmp: Path) -> None:
        self.state_file, self.stop_file = tmp / "state.json", tmp / "stop"
        env = dict(os.environ, QT_QPA_PLATFORM="xcb",
                   PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "task_window.py"), str(self.state_file), str(self.stop_file)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.actions: list[str] = []

    def state(self) -> dict[str, Any]:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    def wait_for(self, what: str, condition: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the window exited: {self.proc.stderr.read()[-2000:]}")
            s = self.state()
            if s and condition(s):
                return s
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; on screen: {self.state()}")

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], check=True, timeout=20)

    def focus_window(self) -> None:
        # No window manager under Xvfb: give the window the X input focus, as clicking into it would.
        self.xdotool("windowfocus", "--sync", str(self.state()["wid"]))

    # One user action each:
    def click(self, what: str, rect: list[int]) -> None:
        x, y, w, h = rect
        self.xdotool("mousemove", "--sync", str(x + min(w // 2, 60)), str(y + h // 2), "click", "1")
        self.actions.append(f"click {what}")

    def keys(self, what: str, *sequence: str) -> None:
        """A keystroke sequence: key names, or text to type when prefixed with 'type:'."""
        for step in sequence:
            if step.startswith("type:"):
                self.xdotool("type", "--delay", "30", step[5:])
            else:
                self.xdotool("key", step)
        self.actions.append(f"keys {what}")

    def log(self) -> list[dict[str, Any]]:
        s = self.state()
        with requests.Session() as session:
            session.trust_env = False
            return session.get(f"{s['control_url']}/log", verify=s["ca_file"], timeout=10).json()

    def release_requests(self) -> list[dict[str, Any]]:
        def names(r: dict[str, Any]) -> list[str]:
            return [r["parameters"].get("Identity"), *(r["parameters"].get("Identities") or [])]

        return [
            r for r in self.log()
            if r.get("cmdlet") == "Release-QuarantineMessage"
            and str((r.get("parameters") or {}).get("ActionType", "")).lower() == "request"
            and INVOICE_IDENTITY in names(r)
            and r.get("status") == 200
        ]

    def close(self) -> None:
        self.stop_file.touch()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    _need("an X display", bool(os.environ.get("DISPLAY")))
    _need("xdotool", shutil.which("xdotool") is not None)
    d = Desk(tmp_path)
    try:
        d.wait_for("the first listing", lambda s: s.get("listed"))
        assert d.release_requests() == [], "nothing requested before the person acts"
        yield d
    finally:
        d.close()


def _request_was_received(desk: Desk) -> None:
    deadline = time.monotonic() + 20
    while not desk.release_requests() and time.monotonic() < deadline:
        time.sleep(0.2)
    sent = [(r.get("cmdlet"), r.get("parameters")) for r in desk.log() if r.get("method") == "POST"]
    assert len(desk.release_requests()) == 1, (
        f"the demo tenant received no (or more than one) release request: {sent[-5:]}; "
        f"on screen: {desk.state()}"
    )
    assert len(desk.actions) <= MAX_ACTIONS, desk.actions


@pytest.mark.xvfb
def test_request_the_invoice_release_with_the_mouse(desk: Desk) -> None:
    s = desk.wait_for("the invoice in view", lambda s: s.get("invoice_row"))
    desk.click("the invoice row", s["invoice_row"])
    s = desk.wait_for(
        "the invoice's details with Request release",
        lambda s: s["selected_subject"].startswith("Invoice 4471") and s["primary_enabled"],
    )
    assert s["primary_text"] == "Request release"
    desk.click("Request release", s["primary"])
    _request_was_received(desk)


@pytest.mark.xvfb
def test_request_the_invoice_release_with_the_keyboard_only(desk: Desk) -> None:
    desk.focus_window()
    desk.keys("find: Ctrl+F and type", "ctrl+f", "type:invoice 4471")
    desk.keys("go to the first match", "Down")
    desk.wait_for("the invoice selected", lambda s: s["selected_subject"].startswith("Invoice 4471")
                  and s["primary_enabled"])
    desk.keys("request its release", "Return")
    _request_was_received(desk)
