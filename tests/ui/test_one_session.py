"""The window, the tray's checker and the command line share one session per account (issue 11, item 3).

Against the demo tenant over HTTPS with the real window, the real tray controller and checker, and the
real session: a check is one listing request (the window shows what it found without listing again), a
Check now in the window is one listing (the tray learns from it), and a release made through the plain
blocking calls the command line uses shows in the window and in the tray, from the same object.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_helpers import add, signed_in, status_of

from quarantine_checker.demo.tenant import DemoTenant


def list_requests(tenant: DemoTenant) -> list[Any]:
    return [r for r in tenant.requests_log
            if r.cmdlet == "Get-QuarantineMessage" and "Identity" not in r.parameters]


def waiting(watch: Any) -> list[str]:
    return [m.identity for m in watch.checker.waiting()]


@pytest.fixture
def watch(window: Any, tmp_path: Path) -> Iterator[Any]:
    from quarantine_checker.ui.settings_store import SettingsStore
    from quarantine_checker.ui.watch_controller import WatchController

    # Long intervals: only the checks this test asks for run.
    controller = WatchController(window, window.services, settings_store=SettingsStore(tmp_path / "s.json"),
                                 interval_seconds=3600, heartbeat_seconds=3600)
    yield controller
    controller.shutdown()


def test_window_tray_and_cli_share_one_session(qtbot: Any, window: Any, watch: Any,
                                               tenant: DemoTenant) -> None:
    first = add(tenant, "Invoice 4471 for May")
    signed_in(qtbot, window)
    checker = watch.checker
    qtbot.waitUntil(lambda: checker.stats.checks >= 1 and not checker.tasks.is_running("check"),
                    timeout=20_000)
    session = window.services.mailbox_session()
    assert window.mailbox is session and checker.bridge.session is session, "one object, watched by both"
    assert waiting(watch) == [first]

    # The tray's check: one request, and the window shows the new message without listing again.
    tenant.clear_log()
    second = add(tenant, "Signed contract")
    with qtbot.waitSignal(checker.check_finished, timeout=20_000):
        checker.check_now("test")
    qtbot.waitUntil(lambda: window.list.model.row_for(second) is not None, timeout=10_000)
    qtbot.wait(500)  # a second listing (the window refreshing after the notification) would be out by now
    assert len(list_requests(tenant)) == 1
    assert sorted(waiting(watch)) == sorted([first, second])

    # The window's Check now: one request, and the tray's watch takes it as its own full listing.
    tenant.clear_log()
    full_checks = checker.stats.full_checks
    with qtbot.waitSignal(window.refreshed, timeout=20_000):
        window.refresh()
    qtbot.wait(300)
    assert len(list_requests(tenant)) == 1
    assert checker.stats.full_checks == full_checks, "the checker sent nothing of its own"

    # The command line's calls (plain, blocking, off the UI thread) on the same session.
    assert status_of(window, first) == "You can release it"
    done = threading.Event()
    threading.Thread(target=lambda: (session.release(first), done.set()), daemon=True).start()
    assert done.wait(20)
    qtbot.waitUntil(lambda: status_of(window, first) == "Released", timeout=10_000)
    qtbot.waitUntil(lambda: waiting(watch) == [second], timeout=10_000)
    assert "1 message is waiting for you" in watch.tray.state.tooltip

    # A request sent from the command line's calls is watched by the tray for IT's answer, and the window
    # shows it as asked for, though neither listed it since it arrived.
    third = add(tenant, "Signed NDA", kind="HighConfPhish")
    threading.Thread(target=lambda: session.request_release(third), daemon=True).start()
    qtbot.waitUntil(lambda: window.list.model.row_for(third) is not None, timeout=10_000)
    qtbot.waitUntil(lambda: status_of(window, third) == "Waiting for IT", timeout=10_000)
    qtbot.waitUntil(lambda: checker.watcher.record.has(third, "requested"), timeout=10_000)
    assert checker.watcher.oldest_pending() is not None, "the next checks reach back to it"
