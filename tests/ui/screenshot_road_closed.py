"""Run by test_road_closed.py in its own process on a real X display (Xvfb): opens the window on a demo
tenant in the "denied" world (employees may not run the quarantine cmdlets), lets the demo employee sign
in, and saves a screenshot of the road-closed page that follows.

Usage: QT_QPA_PLATFORM=xcb DISPLAY=:N python screenshot_road_closed.py OUT.png
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from screenshot_main_window import wait_until
from ui_helpers import add, make_services

from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.ui.app import ensure_application
from quarantine_checker.ui.main_window import MainWindow


def main(out: Path) -> int:
    app = ensure_application()
    with DemoTenant(seed=False, end_user_cmdlets="denied") as tenant:
        add(tenant, "Invoice INV-2291 — payment due Friday")  # held, but the app may not see it
        window = MainWindow(make_services(tenant))
        window.resize(1280, 760)
        window.show()
        window.start()

        def shown() -> bool:
            page = window.flow._road_closed
            return page is not None and window.stack.currentWidget() is page

        if not wait_until(shown, 60):
            print("the road-closed page never appeared", file=sys.stderr)
            return 2
        wait_until(lambda: False, 0.5)  # let the last paint reach the X server
        screen = window.screen() or QGuiApplication.primaryScreen()
        image = screen.grabWindow(window.winId())
        out.parent.mkdir(parents=True, exist_ok=True)
        ok = image.save(str(out), "PNG")
        window.close()
        window.tasks.cancel_all()
        window.tasks.wait_for_done(10_000)
    app.processEvents()
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
