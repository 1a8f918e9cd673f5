"""Run by test_release_task.py in its own process on a real X display (Xvfb): the window on the demo
tenant (allowed world: people may request releases), as a person would launch it. It does nothing a user
would do; it only tells the test what is on screen, the way eyes would: every 100 ms it writes a JSON
state file (where the held invoice's row is, where the primary button is and what it says, the X window
id) and the demo tenant's control URL, so the test can send real X input (xdotool) and check the outcome
through the control API. It stops when STOP_FILE appears (or after 3 minutes).

Usage: QT_QPA_PLATFORM=xcb DISPLAY=:N python task_window.py STATE_FILE STOP_FILE
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from ui_helpers import make_services

from quarantine_checker.demo.seed import INVOICE_IDENTITY
from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.ui.app import ensure_application
from quarantine_checker.ui.main_window import MainWindow


def on_screen(widget: QWidget, rect: QRect | None = None) -> list[int] | None:
    if not widget.isVisible():
        return None
    r = rect if rect is not None else widget.rect()
    top_left = widget.mapToGlobal(r.topLeft())
    return [top_left.x(), top_left.y(), r.width(), r.height()]


def invoice_row(window: MainWindow) -> list[int] | None:
    """The invoice's row where it is drawn in the list, or None when it is not in view."""
    table = window.list.table
    model = window.list.model
    position = next((i for i, r in enumerate(model.rows()) if r.identity == INVOICE_IDENTITY), None)
    if position is None:
        return None
    index = window.list.proxy.mapFromSource(model.index(position, 1))
    if not index.isValid():
        return None
    rect = table.visualRect(index)
    if not rect.isValid() or not table.viewport().rect().contains(rect.center()):
        return None
    return on_screen(table.viewport(), rect)


def state(window: MainWindow, tenant: DemoTenant) -> dict[str, object]:
    bar = getattr(window, "details", None)
    primary = bar.action_bar.primary if bar is not None else None
    listed = window.last_checked is not None
    focus = QApplication.focusWidget()
    return {
        "pid": os.getpid(),
        "wid": int(window.winId()),
        "control_url": tenant.control_url,
        "ca_file": str(tenant.ca_file),
        "listed": listed,
        "invoice_row": invoice_row(window) if listed else None,
        "primary": on_screen(primary) if primary is not None else None,
        "primary_text": primary.text() if primary is not None else "",
        "primary_enabled": bool(primary and primary.isEnabled()),
        "selected_subject": bar.row.message.subject if bar is not None and bar.row is not None else "",
        "focus": focus.accessibleName() if focus is not None else "",
        "active_modal": bool(QApplication.activeModalWidget()),
        "pending": window.details.note_shown() if bar is not None else "",
    }


def main(state_file: Path, stop_file: Path) -> int:
    app = ensure_application()
    with DemoTenant(seed=True, release_delay=0.5, end_user_cmdlets="allowed") as tenant:
        window = MainWindow(make_services(tenant))
        window.move(QPoint(0, 0))
        window.show()
        window.start()
        deadline = time.monotonic() + 180

        def tick() -> None:
            if stop_file.exists() or time.monotonic() > deadline:
                app.quit()
                return
            tmp = state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(state(window, tenant)))
            tmp.replace(state_file)

        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(100)
        app.exec()
        window.close()
        window.tasks.cancel_all()
        window.tasks.wait_for_done(10_000)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
