"""The GUI's start: the window first, then the parts behind it on the background helper.

Building ``wiring.Services`` imports MSAL and requests, reads the settings, round-trips the keyring
(which may be locked, or wait on an unlock prompt) and, for ``--demo``, starts the demo tenant. None of
that may hold the window back, so ``Startup`` shows the window in its "Starting…" state, waits for its
first paint, and only then runs the build through the window's ``TaskRunner``. When the services arrive
they go to the window, the session flow (sign-in) and the tray's ``WatchController``; if the build
fails, the window says so in plain words with "Copy details for IT" and Retry.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from quarantine_checker.ui.main_window import MainWindow

if TYPE_CHECKING:  # imported for real only once built: MSAL and requests must not delay the first paint
    from quarantine_checker.ui.watch_controller import WatchController
    from quarantine_checker.wiring import Services

log = logging.getLogger(__name__)

# If a platform never paints a shown window (it should), build anyway after this long.
PAINT_FALLBACK_MS = 500


class _Handover:
    """Services built on a worker go to the UI thread, or are closed if the app quit in the meantime
    (an in-process demo tenant must not outlive the window that started it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self._services: Services | None = None

    def keep(self, services: Services) -> Services:  # worker thread
        with self._lock:
            if not self._closed:
                self._services = services
                return services
        _close(services)
        return services

    def close(self) -> None:  # UI thread, at exit
        with self._lock:
            self._closed = True
            services, self._services = self._services, None
        if services is not None:
            _close(services)


def _close(services: Services) -> None:
    close = getattr(services, "close", None)
    if callable(close):
        close()


class Startup(QObject):
    ready = Signal(object)  # the services, once the window, the session flow and the tray have them
    failed = Signal(object)  # core.messages.UserMessage of a failed build

    def __init__(self, build: Callable[[], Services], *, minimized: bool = False, demo: bool = False,
                 prepare: Callable[[], None] | None = None, parent: QObject | None = None) -> None:
        """``prepare`` runs once on the UI thread after the first paint, before the build starts (the
        log file: nothing before the paint needs it, and the build must find it set up)."""
        super().__init__(parent)
        self._build_services = build
        self._prepare = prepare
        self.minimized = minimized
        self.window = MainWindow(demo=demo)
        self.watch: WatchController | None = None
        self.services: Services | None = None
        self._handover = _Handover()
        self._waiting_for_paint = False
        self._fallback = QTimer(self)
        self._fallback.setSingleShot(True)
        self._fallback.setInterval(PAINT_FALLBACK_MS)
        self._fallback.timeout.connect(self._painted)

    # --- start -------------------------------------------------------------------------------------
    def begin(self) -> None:
        """Show the window (unless starting minimized) and build the services once it has been painted."""
        if self.minimized:
            self.build()
            return
        self._waiting_for_paint = True
        self.window.installEventFilter(self)
        self._fallback.start()
        self.window.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Paint and self._waiting_for_paint:
            # Queued, so this paint finishes before the worker starts competing for the interpreter.
            QTimer.singleShot(0, self._painted)
        return False

    def _painted(self) -> None:
        if not self._waiting_for_paint:
            return
        self._waiting_for_paint = False
        self._fallback.stop()
        self.window.removeEventFilter(self)
        self.build()

    def build(self) -> None:
        """Build the services in the background (again, after a failure: the banner's Retry)."""
        prepare, self._prepare = self._prepare, None
        if prepare is not None:
            prepare()
        # The window's list and details pane, after its first paint: on screen sooner, built before the
        # services can arrive (their hand-over is queued behind this).
        self.window.complete()
        self.window.show_starting()
        build, handover = self._build_services, self._handover
        self.window.tasks.run(lambda: handover.keep(build()), self._ready, self._failed, key="start")

    def use(self, services: Services) -> None:
        """Services that are already built (tests): straight to the window."""
        self._handover.keep(services)
        self._ready(services)

    def _ready(self, services: Services) -> None:
        from quarantine_checker.ui.watch_controller import WatchController

        self.services = services
        self.window.set_services(services)
        self.watch = WatchController(self.window, services, minimized=self.minimized)
        self.watch.start()
        self.window.start()
        self.ready.emit(services)

    def _failed(self, exc: BaseException) -> None:
        from quarantine_checker.core.messages import user_message

        # The class name goes to the log (TaskRunner); the user gets words, IT gets the facts.
        msg = user_message(exc, action="start")
        self.window.show_start_failed(msg, retry=self.build)
        if not self.window.isVisible():
            self.window.show()  # started minimized: there is no tray yet to say it, so say it here
        self.failed.emit(msg)

    # --- while running ---------------------------------------------------------------------------------
    def open(self) -> None:
        """Another launch asked for the window."""
        if self.watch is not None:
            self.watch.open_on("")
            return
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def shutdown(self) -> None:
        """After the event loop: stop the checker and the helpers, then close the services (the demo)."""
        if self.watch is not None:
            self.watch.shutdown()
        self.window.tasks.cancel_all()
        self.window.tasks.wait_for_done(5_000)
        self._handover.close()
