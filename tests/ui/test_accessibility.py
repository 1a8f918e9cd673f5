"""What a screen reader hears, checked over the real accessibility bus (AT-SPI), and the Tab order.

The window runs in its own process on Xvfb (``a11y_window.py``) with Qt's AT-SPI bridge on; the tree is
walked from the system Python with Debian's python3-pyatspi (``atspi_walk.py``), the same library Orca
uses. Two rules, for every object on screen:

- anything that can take focus has a name (an unnamed button or field is read as just "button");
- every label that shows text exposes that text, in its name or its description. A value label named
  only by its caption ("Subject", "From") is read as the caption, never the subject or the sender.

Labels are matched to their AT-SPI objects by their rectangle on screen, which both sides compute.
Needs Xvfb, a D-Bus session (tests/run-suite.sh), at-spi2-core and python3-pyatspi; under CI=true a
missing piece fails the test instead of skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"accessibility test needs {what} (see Makefile APT_PACKAGES and tests/run-suite.sh)")
    pytest.skip(f"needs {what}")


def _require_components() -> None:
    if not os.environ.get("DISPLAY"):
        _missing("an X display (Xvfb)")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        _missing("a D-Bus session")
    if not Path("/usr/libexec/at-spi-bus-launcher").exists():
        _missing("at-spi2-core (the accessibility bus)")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True)
    if probe.returncode != 0:
        _missing("python3-pyatspi for the system Python")
    if shutil.which("dbus-send") is None:
        _missing("dbus-send")


def _start_accessibility_bus() -> None:
    # Asking for its address starts the accessibility bus (D-Bus activation of at-spi-bus-launcher) before
    # the window starts: Qt's bridge only connects to a bus that is already there.
    subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus", "/org/a11y/bus",
         "org.a11y.Bus.GetAddress"],
        check=True, capture_output=True, timeout=30,
    )


def _norm(text: str) -> str:
    # Wrapping labels carry zero-width break opportunities; speech ignores them and line breaks.
    return " ".join(text.replace("\u200b", "").split())


def walk_window(mode: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the Qt labels on screen, the AT-SPI objects of the app) for the window in ``mode``."""
    _require_components()
    _start_accessibility_bus()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="xcb",
        QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
        QT_ACCESSIBILITY="1",
        PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    )
    app = subprocess.Popen(
        [sys.executable, str(HERE / "a11y_window.py"), mode],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert app.stdout is not None and app.stdin is not None
        line = app.stdout.readline()
        if not line:
            pytest.fail(f"the window process ended early: {app.stderr.read()[-2000:] if app.stderr else ''}")
        shown = json.loads(line)
        walked = subprocess.run(
            [SYSTEM_PYTHON, str(HERE / "atspi_walk.py"), str(shown["pid"])],
            capture_output=True, text=True, timeout=180,
        )
        assert walked.returncode == 0, walked.stderr[-2000:]
        return shown["labels"], json.loads(walked.stdout)
    finally:
        if app.stdin is not None:
            app.stdin.close()
        try:
            app.wait(timeout=60)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


def problems(labels: list[dict[str, Any]], objects: list[dict[str, Any]]) -> list[str]:
    found = []
    for obj in objects:
        if obj["showing"] and obj["focusable"] and not obj["name"].strip():
            where = (obj["x"], obj["y"], obj["w"], obj["h"])
            found.append(f"unnamed focusable {obj['role']} at {obj['path']} {where}")
    by_rect: dict[tuple[int, int, int, int], list[dict[str, Any]]] = {}
    for obj in objects:
        by_rect.setdefault((obj["x"], obj["y"], obj["w"], obj["h"]), []).append(obj)
    for label in labels:
        value = _norm(label["text"])
        candidates = [o for o in by_rect.get((label["x"], label["y"], label["w"], label["h"]), [])
                      if o["role"] in ("label", "static", "text", "heading")]
        if not candidates:
            found.append(f"label {value[:60]!r} has no accessible object")
        elif not any(value in _norm(o["name"]) or value in _norm(o["description"]) for o in candidates):
            names = [o["name"] for o in candidates]
            found.append(f"label {value[:60]!r} is heard only as its caption {names}")
    return found


@pytest.mark.xvfb
def test_window_with_the_invoice_selected_says_every_value() -> None:
    labels, objects = walk_window("main")
    assert len(labels) > 15 and len(objects) > 50, "the walk saw too little of the window"
    names = " ".join(o["name"] + " " + o["description"] for o in objects)
    assert "Invoice" in names, "the selected invoice's subject is not on the accessibility bus"
    found = problems(labels, objects)
    print(f"AT-SPI: {len(objects)} objects, {len(labels)} labels, {len(found)} unnamed or caption-only")
    assert found == [], "\n".join(found)


@pytest.mark.xvfb
def test_help_and_about_say_every_value() -> None:
    labels, objects = walk_window("help")
    names = " ".join(o["name"] + " " + o["description"] for o in objects)
    assert "it-admin@northwind.example" in names, "Help's contact line is not on the accessibility bus"
    found = problems(labels, objects)
    assert found == [], "\n".join(found)


def test_tab_goes_search_filters_list_details_actions(qtbot: Any, window: Any, tenant: Any) -> None:
    """Real Tab key presses from the search box, with a message selected: the filters (the reason chips,
    rebuilt after each listing, then the status chips), the list, the details, and then the buttons."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QToolButton
    from ui_helpers import add, select, signed_in

    invoice = add(tenant, "Invoice 4471", kind="Phish")
    add(tenant, "Weekly deals", kind="Bulk")
    window.activateWindow()
    signed_in(qtbot, window)
    with qtbot.waitSignal(window.refreshed, timeout=15_000):
        window.refresh()  # a second listing rebuilds the reason chips: the order must survive it
    select(qtbot, window, invoice)
    qtbot.wait(100)  # a layout shows newly added chips from the event loop, as it does for the user
    window.list.search.setFocus()
    seen = [QApplication.focusWidget()]
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    lst, d = window.list, window.details
    chips = [w for w in seen if isinstance(w, QToolButton)]
    assert seen[0] is lst.search
    assert len(chips) == 6 and seen[1:7] == chips, [w.accessibleName() for w in seen]  # 2 reasons, 4 statuses
    # The reasons first (they come first on screen), then the statuses.
    assert [c.accessibleName() for c in chips[2:]] == [
        "Show only: Waiting for you", "Show only: Waiting for IT", "Show only: Released",
        "Show only: IT declined",
    ]
    assert seen[7:10] == [lst.table, d.body, d.action_bar.primary], [w.accessibleName() for w in seen]
    assert d.action_bar.primary.isEnabled(), d.action_bar.primary.accessibleDescription()


def test_find_the_invoice_and_request_its_release_by_keyboard_only(
    qtbot: Any, window: Any, tenant: Any
) -> None:
    """Ctrl+F, type, Down, Enter: real key events only, no mouse and no selecting from the test."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    from ui_helpers import add, signed_in, status_of

    invoice = add(tenant, "Invoice 4471 — payment due", sender="billing@partner.example",
                  kind="HighConfPhish")
    for i in range(5):
        add(tenant, f"Cheap watches {i}", sender=f"deals{i}@spam.example", kind="Spam")
    window.activateWindow()
    signed_in(qtbot, window)

    def keys(*presses: Any) -> None:
        for key, mods in presses:
            qtbot.keyClick(QApplication.focusWidget(), key, mods)

    none = Qt.KeyboardModifier.NoModifier
    keys((Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier))
    assert QApplication.focusWidget() is window.list.search
    qtbot.keyClicks(window.list.search, "invoice 4471")
    keys((Qt.Key.Key_Down, none))
    assert QApplication.focusWidget() is window.list.table
    assert [r.identity for r in window.list.selected_rows()] == [invoice]
    assert window.details.action_bar.primary.text() == "Request release"
    keys((Qt.Key.Key_Return, none))  # one message, a clearly named action: no extra question
    qtbot.waitUntil(lambda: status_of(window, invoice) == "Waiting for IT", timeout=15_000)


def test_every_tab_stop_shows_it_has_the_keyboard(qtbot: Any, window: Any, tenant: Any) -> None:
    """Tab once around the whole window: each control looks different once the keyboard reaches it."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    from ui_helpers import add, select, signed_in

    invoice = add(tenant, "Invoice 4471", kind="Phish")
    add(tenant, "Invoice 4471 reminder", kind="Bulk")  # same sender: "Select all 2 from this sender" shows
    window.activateWindow()
    signed_in(qtbot, window)
    select(qtbot, window, invoice)
    qtbot.wait(100)
    window.list.search.setFocus()
    unmarked, stops = [], 0
    while stops < 40:
        widget = QApplication.focusWidget().nextInFocusChain()
        while not (widget.isVisible() and widget.isEnabled()
                   and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            widget = widget.nextInFocusChain()
        before = widget.grab().toImage()
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # a real key: styles mark keyboard focus
        assert QApplication.focusWidget() is widget
        stops += 1
        if widget.grab().toImage() == before:
            unmarked.append(widget.accessibleName() or widget.metaObject().className())
        if widget is window.list.search:
            break
    assert stops > 10 and not unmarked, f"no visible focus on: {unmarked}"
