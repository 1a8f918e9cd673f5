"""Run by test_accessibility.py in its own process on Xvfb, with the accessibility bus up: opens the real
window on a seeded demo tenant, signs in, selects the held invoice, waits for its details, optionally opens
the Help dialogs, then prints one JSON line describing what is on screen and waits until stdin closes (the
test walks the AT-SPI tree meanwhile, from the system Python).

The JSON lists every visible QLabel that shows text, with its screen rectangle: the test matches each one
to its AT-SPI object by position and checks that the object carries the text (the value) in its name or
description, not just a caption. Nothing here decides pass or fail.

Usage: QT_QPA_PLATFORM=xcb python a11y_window.py main|help
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from ui_helpers import make_services

from quarantine_checker.demo.seed import INVOICE_IDENTITY
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


def shown_labels(top: list[QWidget]) -> list[dict[str, object]]:
    found = []
    for root in top:
        for label in [root, *root.findChildren(QLabel)]:
            if not isinstance(label, QLabel) or not label.isVisible() or not label.text().strip():
                continue
            corner = label.mapToGlobal(label.rect().topLeft())
            found.append({
                "text": label.text(), "caption": label.accessibleName(),
                "x": corner.x(), "y": corner.y(), "w": label.width(), "h": label.height(),
            })
    return found


def main(mode: str) -> int:
    app = ensure_application()
    with DemoTenant(seed=True, release_delay=0.5, end_user_cmdlets="allowed") as tenant:
        window = MainWindow(make_services(tenant))
        window.resize(1280, 720)
        window.show()
        window.start()
        if not wait_until(lambda: window.last_checked is not None, 60):
            print("window never finished its first refresh", file=sys.stderr)
            return 2
        window.list.select_identities([INVOICE_IDENTITY])
        invoice = INVOICE_IDENTITY
        mailbox = window.mailbox
        wait_until(lambda: mailbox.cached_preview(invoice) is not None
                   and mailbox.cached_sender_check(invoice) is not None, 30)
        tops: list[QWidget] = [window]
        if mode == "help":
            from quarantine_checker.ui.help_dialogs import AboutDialog, HelpDialog

            for dialog in (HelpDialog(window), AboutDialog(window)):
                dialog.show()
                tops.append(dialog)
        wait_until(lambda: False, 1.0)  # let layouts settle and the bridge register the objects
        print(json.dumps({"pid": os.getpid(), "labels": shown_labels(tops)}), flush=True)
        done = threading.Event()
        threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
        wait_until(done.is_set, 300)
        for w in QApplication.topLevelWidgets():
            w.hide()
        window.tasks.cancel_all()
        window.tasks.wait_for_done(10_000)
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "main"))
