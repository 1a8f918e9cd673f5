"""Run by test_window_fits.py in its own process on a real X display (Xvfb): opens the window on the demo
tenant, selects the held invoice and, at each size given, lists every visible widget that is clipped (not
inside its parent, or outside the window) and every label or button whose text does not fit where the
layout could have wrapped or scrolled; saves a screenshot per size. Prints one JSON object.

Usage: QT_QPA_PLATFORM=xcb DISPLAY=:N python fit_window.py OUT_DIR 1366x768 1024x640 800x560
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QAbstractScrollArea, QLabel, QWidget
from screenshot_main_window import wait_until
from ui_helpers import make_services

from quarantine_checker.demo.seed import INVOICE_IDENTITY
from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.ui.app import ensure_application
from quarantine_checker.ui.main_window import MainWindow

SLACK = 1  # px: rounding of fractional font metrics


def describe(w: QWidget) -> str:
    text = w.text() if isinstance(w, (QLabel, QAbstractButton)) else ""
    name = w.objectName() or w.accessibleName() or type(w).__name__
    return f"{type(w).__name__} {name!r} {text[:40]!r}"


def is_scroll_viewport(w: QWidget) -> bool:
    parent = w.parent()
    return isinstance(parent, QAbstractScrollArea) and parent.viewport() is w


def clipped(window: QWidget) -> list[str]:
    """Every visible widget must lie inside its parent (so, by induction, inside the window); inside a
    scroll area's viewport only the width must fit: what is below the fold scrolls."""
    problems = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.isWindow():
            continue
        parent = w.parentWidget()
        if parent is None:
            continue
        outer = parent.rect()
        g = w.geometry()
        if is_scroll_viewport(parent):
            ok = g.left() >= outer.left() - SLACK and g.right() <= outer.right() + SLACK
        else:
            ok = outer.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(g)
        if not ok:
            problems.append(f"{describe(w)} at {g.getRect()} outside {describe(parent)} {outer.getRect()}")
    return problems


def in_item_view(w: QWidget) -> bool:
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, QAbstractItemView):
            return True
        p = p.parentWidget()
    return False


def cut_text(window: QWidget) -> list[str]:
    """Labels and buttons whose text does not fit. The list's cells are left out: a table elides by design
    (its cells have tooltips and the details pane shows the whole text)."""
    problems = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or in_item_view(w):
            continue
        if isinstance(w, QLabel) and w.text():
            room = w.contentsRect()
            if w.wordWrap():
                need_h = w.heightForWidth(room.width() + 2 * w.margin()) - 2 * w.margin()
                if need_h > room.height() + SLACK:
                    problems.append(f"{describe(w)}: needs {need_h} px high, has {room.height()}")
            else:
                need = max(w.fontMetrics().horizontalAdvance(line) for line in w.text().splitlines() or [""])
                if need > room.width() + SLACK:
                    problems.append(f"{describe(w)}: needs {need} px wide, has {room.width()}")
        elif isinstance(w, QAbstractButton) and w.text() and w.sizeHint().width() > w.width() + SLACK:
            problems.append(f"{describe(w)}: needs {w.sizeHint().width()} px wide, has {w.width()}")
    return problems


def shoot(window: QWidget, out: Path) -> None:
    # The window drawn into an image, not the screen's pixels: the suite's X screen (1280×800) is smaller
    # than 1366×768 plus nothing else, and a grab of the screen would cut the window off at its edge.
    if not window.grab().save(str(out), "PNG"):
        raise RuntimeError(f"could not save {out}")


def visible_words(pane: QWidget) -> str:
    return "\n".join(w.text() for w in pane.findChildren(QLabel) if w.isVisible() and w.text())


def main(out_dir: Path, sizes: list[str]) -> int:
    app = ensure_application()
    report: dict[str, object] = {}
    with DemoTenant(seed=True, release_delay=0.5, end_user_cmdlets="allowed") as tenant:
        window = MainWindow(make_services(tenant))
        report["default"] = [window.width(), window.height()]
        window.show()
        window.start()
        if not wait_until(lambda: window.last_checked is not None, 60):
            print("window never finished its first refresh", file=sys.stderr)
            return 2
        window.list.select_identities([INVOICE_IDENTITY])
        mailbox = window.mailbox
        wait_until(lambda: mailbox.cached_preview(INVOICE_IDENTITY) is not None
                   and mailbox.cached_sender_check(INVOICE_IDENTITY) is not None, 30)
        assert window.details.row is not None
        report["policy"] = window.details.row.message.policy_name
        out_dir.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            width, height = (int(n) for n in size.split("x"))
            window.resize(width, height)
            wait_until(lambda: False, 0.6)  # layouts settle, the last paint reaches the X server
            entry: dict[str, object] = {"size": [window.width(), window.height()]}
            entry["folded"] = clipped(window) + cut_text(window)
            entry["details_words"] = visible_words(window.details)
            shoot(window, out_dir / f"window-{size}.png")
            toggle = window.details.it_toggle
            toggle.setChecked(True)  # the IT section unfolded must fit too
            wait_until(lambda: False, 0.3)
            entry["unfolded"] = clipped(window) + cut_text(window)
            entry["unfolded_words"] = visible_words(window.details)
            window.details.body.ensureWidgetVisible(window.details.it_details)
            wait_until(lambda: False, 0.3)
            shoot(window, out_dir / f"window-{size}-for-it.png")
            toggle.setChecked(False)
            report[size] = entry
        window.close()
        window.tasks.cancel_all()
        window.tasks.wait_for_done(10_000)
    app.processEvents()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
