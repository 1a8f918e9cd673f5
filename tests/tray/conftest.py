"""Fixtures for the tray tests: a fake desktop bus in its own process, a demo tenant over HTTPS, and the
real app in a child process under Xvfb (xcb), so the rest of the suite can stay on offscreen Qt.

Nothing of ours is mocked: the child runs the shipped window, checker, tray and notifier; the only
stand-in is the desktop itself (tray watcher + notification server), which doesn't exist on CI.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tray_helpers import app_env

from plain_words import assert_plain

HERE = Path(__file__).resolve().parent
ALICE = "alice@northwind.example"


def needs_desktop() -> None:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip("needs a private D-Bus session (tests/run-suite.sh)")
    if not os.environ.get("DISPLAY"):
        pytest.skip("tray needs the xcb platform (Xvfb): run under tests/run-suite.sh")


class FakeBus:
    def __init__(self, path: Path, proc: subprocess.Popen[str]) -> None:
        self.path = path
        self.proc = proc

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]
        return [e for e in out if kind is None or e["kind"] == kind]

    def wait_for(self, kind: str, pred: Callable[[dict[str, Any]], bool] = lambda e: True,
                 timeout: float = 10.0, count: int = 1) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events(kind) if pred(e)]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no {kind} event within {timeout}s; have: {self.events()}")

    def click(self, nid: int) -> None:
        self.send(cmd="invoke", id=nid)

    def send(self, **cmd: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def notification_service(self, on: bool) -> None:
        """Take the notification daemon away (or bring one back) and wait until the bus says so."""
        from jeepney import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.send(cmd="notify_service", on=on)
        deadline = time.monotonic() + 10
        with open_dbus_connection(bus="SESSION") as conn:
            while time.monotonic() < deadline:
                ask = message_bus.NameHasOwner("org.freedesktop.Notifications")
                owned = conn.send_and_get_reply(ask).body[0]
                if bool(owned) == on:
                    return
                time.sleep(0.05)
        raise AssertionError(f"notification service still {'absent' if on else 'present'}")


@pytest.fixture(scope="session")
def fake_bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeBus]:
    needs_desktop()
    path = tmp_path_factory.mktemp("bus") / "events.jsonl"
    proc = subprocess.Popen([sys.executable, str(HERE / "fake_desktop_bus.py"), str(path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "READY":
        proc.kill()
        pytest.fail(f"fake desktop bus did not start: {line!r}")
    try:
        yield FakeBus(path, proc)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def _plain_in_event(e: dict[str, Any]) -> None:
    """The words test, tray part: every tray state and details reading a test takes is checked too."""
    if e["event"] == "state":
        assert_plain([("tray tooltip", e.get("tooltip") or ""),
                      *(("tray menu", m) for m in e.get("menu") or ())])
    elif e["event"] == "details":
        assert_plain([("details status", e.get("status") or ""), ("details note", e.get("note") or "")])


@pytest.fixture(autouse=True)
def notifications_are_plain(request: pytest.FixtureRequest) -> Iterator[None]:
    """The words test, notifications part: every notification a tray test captures on the fake desktop
    bus is checked for policy ids, GUIDs, wire enums and defanged links, after the test."""
    if "fake_bus" not in request.fixturenames:
        yield
        return
    bus: FakeBus = request.getfixturevalue("fake_bus")
    before = len(bus.events("notify"))
    yield
    notes = bus.events("notify")[before:]
    assert_plain((f"notification {n['id']}", f"{n['summary']}\n{n['body']}") for n in notes)


class AppProcess:
    """The child app: its stdout events arrive on a queue; commands go to its stdin."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.seen: list[dict[str, Any]] = []
        self._q: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self._q.put(json.loads(line))
            except ValueError:
                continue

    def wait_for(self, event: str, pred: Callable[[dict[str, Any]], bool] = lambda e: True,
                 timeout: float = 30.0) -> dict[str, Any]:
        for e in self.seen:
            if e["event"] == event and pred(e) and not e.get("_used"):
                e["_used"] = True
                return e
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                e = self._q.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(e)
            if e["event"] == event and pred(e):
                e["_used"] = True
                _plain_in_event(e)
                return e
        raise AssertionError(f"no {event} event within {timeout}s; saw {[x['event'] for x in self.seen]}")

    def send(self, **cmd: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def stop(self) -> int:
        if self.proc.poll() is None:
            try:
                self.send(cmd="quit")
                return self.proc.wait(10)
            except (subprocess.TimeoutExpired, BrokenPipeError):
                self.proc.kill()
        return self.proc.wait(5)


@pytest.fixture
def tenant() -> Iterator[Any]:
    from quarantine_checker.demo.tenant import DemoTenant

    with DemoTenant(seed=False, release_delay=0.3, end_user_cmdlets="allowed") as t:
        yield t


@pytest.fixture
def start_app(fake_bus: FakeBus, tenant: Any, tmp_path: Path) -> Iterator[Callable[..., AppProcess]]:
    apps: list[AppProcess] = []

    def start(**opts: Any) -> AppProcess:
        opts.setdefault("demo", tenant.describe())
        proc = subprocess.Popen([sys.executable, str(HERE / "tray_app.py"), json.dumps(opts)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                env=app_env(tmp_path))
        app = AppProcess(proc)
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.stop()
