"""The GUI start: the window is on screen (and keeps painting) while the services are still being built
on the background helper; a failed build is plain words with "Copy details for IT" and Retry.

The build functions here are the real ones (wiring over an in-process demo tenant, load_config over a
real settings file); the only thing a test adds is an Event that holds the build back until the test
has looked at the window, the way a slow keyring or an unlock prompt would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from ui_helpers import make_services

from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.ui.app import ensure_application
from quarantine_checker.ui.startup import Startup


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


@pytest.fixture
def own_dirs(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    # The tray controller reads and writes desktop settings; keep them out of the real home.
    monkeypatch.setenv("QC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QC_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path


@pytest.fixture
def started() -> Iterator[list[Startup]]:
    ensure_application()
    made: list[Startup] = []
    yield made
    for s in made:
        s.shutdown()
        s.window.close_to_tray = None
        s.window.close()
        s.window.deleteLater()


def test_window_is_painted_and_responsive_before_the_services_are_built(
    qtbot: Any, own_dirs: Any, started: list[Startup]
) -> None:
    release = threading.Event()
    building: list[threading.Thread] = []
    with DemoTenant(seed=True, release_delay=0.3, end_user_cmdlets="allowed") as tenant:

        def build() -> Any:
            building.append(threading.current_thread())
            assert release.wait(30), "the test never released the build"
            return make_services(tenant)

        startup = Startup(build, demo=True)
        started.append(startup)
        window = startup.window
        counter = PaintCounter()
        window.installEventFilter(counter)
        startup.begin()

        qtbot.waitUntil(lambda: window.isVisible() and counter.paints > 0, timeout=5_000)
        qtbot.waitUntil(lambda: bool(building), timeout=5_000)  # the build has started, and waits
        assert building[0] is not threading.main_thread()
        assert window.services is None
        assert window.sign_in.waiting_text.text() == "Starting…"
        assert "DEMO" in window.windowTitle()
        assert not window.sign_in.sign_in_button.isVisible()  # nothing to press that needs services
        # Still answering while the build is held: a repaint request is served (a blocked UI thread
        # would never paint again until the build returned, and the build waits for this test).
        before = counter.paints
        window.update()
        qtbot.waitUntil(lambda: counter.paints > before, timeout=5_000)
        window.resize(window.width() - 40, window.height())
        qtbot.waitUntil(lambda: counter.paints > before + 1, timeout=5_000)

        with qtbot.waitSignal(startup.ready, timeout=20_000):
            release.set()
        assert window.services is not None and startup.watch is not None
        with qtbot.waitSignal(window.refreshed, timeout=30_000):
            pass  # the demo signs in by itself and lists the quarantine
        assert window.list.model.rowCount() > 0


def test_a_failed_build_says_so_plainly_and_retry_builds_again(
    qtbot: Any, own_dirs: Any, started: list[Startup]
) -> None:
    from quarantine_checker import wiring
    from quarantine_checker.config import load_config

    settings = own_dirs / "config" / "config.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text("tenant_id = [unclosed\n", encoding="utf-8")  # a broken settings file

    startup = Startup(lambda: wiring.build_services(load_config()))
    started.append(startup)
    window = startup.window
    with qtbot.waitSignal(startup.failed, timeout=20_000):
        startup.begin()
    banner = window.banners.banner("start")
    assert banner is not None and banner.isVisible()
    assert banner.title.text() == "Quarantine Checker couldn't start"
    assert banner.text.text() and "Traceback" not in banner.text.text()
    assert banner.copy_button.isVisible() and banner.retry_button.isVisible()
    assert "ConfigurationError" in banner.details() and "Traceback" not in banner.details()
    assert window.services is None

    settings.write_text("", encoding="utf-8")  # IT fixed the file: Retry goes on to the first-run screen
    with qtbot.waitSignal(startup.ready, timeout=20_000):
        banner.retry_button.click()
    assert window.banners.banner("start") is None
    assert window.stack.currentWidget() is window.first_run
    # The first-run screen says which road the app will take, and why (no service set up: direct).
    assert window.first_run.road.isVisible() and "no organisation service" in window.first_run.road.text()

    # The person types their organisation: the window and the tray checker both move to the new services.
    first = window.services
    assert startup.watch is not None and startup.watch.services is first
    window.first_run.tenant_chosen.emit("northwind.example")
    qtbot.waitUntil(lambda: window.services is not first, timeout=20_000)
    assert startup.watch.services is window.services
    assert window.services.config.tenant_id == "northwind.example"
