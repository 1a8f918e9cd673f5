"""Run by test_screenshot.py in its own process on a real X display (Xvfb): opens the window on a demo
tenant, signs in, selects the held invoice and saves a screenshot of what is really on screen.

Usage: QT_QPA_PLATFORM=xcb DISPLAY=:N python screenshot_main_window.py OUT.png
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication
from ui_helpers import add, make_services

from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.ui.app import ensure_application
from quarantine_checker.ui.main_window import MainWindow


def wait_until(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    while time.monotonic() < deadline:
        if condition():
            return True
        QTimer.singleShot(50, loop.quit)
        loop.exec()
    return condition()


def main(out: Path) -> int:
    app = ensure_application()
    with DemoTenant(seed=True, release_delay=0.5, end_user_cmdlets="allowed") as tenant:
        try:  # the demo's own story: show its held invoice, as a new user would see it
            from quarantine_checker.demo.seed import INVOICE_IDENTITY

            invoice = INVOICE_IDENTITY
        except ImportError:  # before the story existed: a stand-in invoice
            invoice = add(
                tenant,
                "Invoice INV-2291 — payment due Friday",
                sender="billing@contoso-supplies.example",
                name="Contoso Supplies Billing",
                kind="HighConfPhish",
                body="Hello Alice,\n\nPlease find invoice INV-2291 attached.\n\nRegards,\nContoso Billing",
            )
        window = MainWindow(make_services(tenant))
        window.resize(1280, 760)
        window.show()
        window.start()
        if not wait_until(lambda: window.last_checked is not None, 60):
            print("window never finished its first refresh", file=sys.stderr)
            return 2
        window.list.select_identities([invoice])
        mailbox = window.mailbox
        wait_until(lambda: mailbox.cached_preview(invoice) is not None
                   and mailbox.cached_sender_check(invoice) is not None, 30)
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
