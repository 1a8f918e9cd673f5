"""The words test, window part: over the whole demo seed, selecting each message in turn, nothing a
person can read in the window holds a policy id, a raw GUID, a wire enum value or defanged link
notation (tests/plain_words.py). "Copy details for IT" (the clipboard) is meant for IT and not read here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLabel, QLineEdit, QPlainTextEdit, QWidget
from ui_helpers import make_services, select, signed_in

from plain_words import assert_plain, jargon_in
from quarantine_checker.cli.output import message_json
from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.ui.app import ensure_application
from quarantine_checker.ui.main_window import MainWindow
from quarantine_checker.ui.row_view import local_now


@pytest.fixture
def seeded_window(qtbot: Any, confirmations: Any) -> Iterator[tuple[Any, DemoTenant]]:
    ensure_application()
    with DemoTenant(seed=True, release_delay=0.3, end_user_cmdlets="allowed") as tenant:
        w = MainWindow(make_services(tenant))
        w.action_runner.confirm = confirmations
        qtbot.addWidget(w)
        w.resize(1366, 720)
        w.show()
        yield w, tenant
        w.tasks.cancel_all()
        w.tasks.wait_for_done(10_000)


def visible_texts(window: QWidget, where: str) -> Iterator[tuple[str, str]]:
    """Every text a person can see or hear in the window right now: labels, buttons, fields, tooltips,
    accessible names and descriptions, the title and every cell (and cell tooltip) of every list."""
    yield f"{where} title", window.windowTitle()
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        name = f"{where} {type(widget).__name__}({widget.objectName() or widget.accessibleName()})"
        if isinstance(widget, QLabel | QAbstractButton):
            yield name, widget.text()
        elif isinstance(widget, QLineEdit):
            yield name, widget.text() + "\n" + widget.placeholderText()
        elif isinstance(widget, QPlainTextEdit):
            yield name, widget.toPlainText()
        yield name + " tooltip", widget.toolTip()
        yield name + " accessible", widget.accessibleName() + "\n" + widget.accessibleDescription()
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount(QModelIndex())):
                for col in range(model.columnCount(QModelIndex())):
                    index = model.index(row, col)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                                 Qt.ItemDataRole.AccessibleTextRole):
                        value = index.data(role)
                        if isinstance(value, str):
                            yield f"{name} cell {row},{col}", value
            for col in range(model.columnCount(QModelIndex())):
                header = model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
                yield f"{name} header {col}", str(header or "")


def test_the_window_speaks_plainly_about_every_seeded_message(qtbot: Any, seeded_window: Any) -> None:
    window, _tenant = seeded_window
    with qtbot.waitSignal(window.refreshed, timeout=20_000):
        window.start()
        # The sign-in page, as it first shows: the organisation in words, not the tenant's raw GUID.
        read = assert_plain(visible_texts(window, "sign-in page"))
        assert window.sign_in.organisation.isVisible()
    identities = [window.list.proxy.source_row(i).identity for i in range(window.list.proxy.rowCount())]
    assert len(identities) >= 20, "the demo seed is the scope"
    read += assert_plain(visible_texts(window, "list"))
    for ident in identities:
        select(qtbot, window, ident)
        details = window.details
        qtbot.waitUntil(lambda d=details: "Checking" not in d.checks.text()
                        and "Loading" not in d.preview.toPlainText(), timeout=15_000)
        read += assert_plain(visible_texts(window, ident[:8]))
        # The technical detail is still there for IT, folded away (and out of this test's scope).
        assert jargon_in(details.it_details_text()) or not details.row.message.policy_name
    assert read > 1000


def test_window_and_command_line_say_the_same_status(qtbot: Any, seeded_window: Any) -> None:
    """One vocabulary: the list's Status cell is the CLI's status_text for every seeded message."""
    window, _tenant = seeded_window
    signed_in(qtbot, window)
    now = local_now()
    model = window.list.model
    checked = 0
    for i in range(window.list.proxy.rowCount()):
        row = window.list.proxy.source_row(i)
        assert row.cells[5] == message_json(row.message, now)["status_text"], row.message.subject
        assert row.cells[2] == message_json(row.message, now)["reason_text"]
        checked += 1
    assert checked >= 20 and model is not None
