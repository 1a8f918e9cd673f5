"""Start the desktop window: ``run_gui(services or a function building them) -> exit code``.

Native style, the OS light/dark palette (Qt 6 follows the platform colour scheme by itself; we only
avoid hard-coded colours), SVG icons for any DPI, translations from resources/i18n when present.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from quarantine_checker import APP_ID, APP_NAME, __version__
from quarantine_checker.ui.icons import icon, resources_dir

if TYPE_CHECKING:  # not imported for real: building the services is what loads MSAL and requests
    from quarantine_checker.wiring import Services


def ensure_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(icon("app"))
    _install_translators(app)
    return app


def _install_translators(app: QApplication) -> None:
    if getattr(app, "_qc_translators", None):
        return
    translators = []
    qt = QTranslator(app)
    if qt.load(QLocale(), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        translators.append(qt)
    root = resources_dir()
    if root is not None and (root / "i18n").is_dir():
        ours = QTranslator(app)
        if ours.load(QLocale(), APP_ID, "_", str(root / "i18n")):
            app.installTranslator(ours)
            translators.append(ours)
    app._qc_translators = translators  # type: ignore[attr-defined]  # keep them alive


def run_gui(services: Services | Callable[[], Services], *, minimized: bool = False, demo: bool = False,
            prepare: Callable[[], None] | None = None) -> int:
    """Open the main window and run until Quit.

    ``services`` is either a ``wiring.Services`` or a function that builds one. A function runs on the
    window's background helper after the window has been painted (ui/startup.py), so a slow or locked
    keyring, or the demo tenant starting, never keeps the window from appearing; ``demo`` titles the
    window until then. The tray controller keeps the app running in the tray when the window is closed
    (if there is a tray) and checks in the background; ``minimized`` (start at login) starts in the
    tray only. ``prepare`` (the log file) runs on the UI thread after the first paint, before the build.
    """
    app = ensure_application()
    from quarantine_checker.ui import crash_guard
    from quarantine_checker.ui.single_instance import SingleInstance

    crash_guard.install()  # a bug in a slot: plain words and "Copy details for IT", no traceback

    single = SingleInstance(parent=app)
    if not single.claim():
        if not callable(services):
            close = getattr(services, "close", None)
            if callable(close):
                close()
        return 0  # another instance was already running and has brought its window forward
    if sys.platform == "win32":  # pragma: no cover - Windows only (see the two modules' tests)
        from quarantine_checker.ui import autostart, windows_restart

        windows_restart.register_for_restart()  # an upgrade that closes us starts us again
        autostart.remove_stale_run_value_here()  # a start-at-login entry left by an uninstalled copy
    from quarantine_checker.ui.startup import Startup

    if prepare is not None and not callable(services):
        prepare()
        prepare = None
    startup = Startup(services if callable(services) else lambda: services, minimized=minimized, demo=demo,
                      prepare=prepare)
    single.show_requested.connect(startup.open)
    if callable(services):
        startup.begin()
    else:
        startup.use(services)
    code = app.exec()
    single.close()
    startup.shutdown()  # stops the checker and the helpers, then an in-process demo tenant this run started
    return int(code)
