"""Small pieces of the main window that need no state of its own: the "Starting…" shell, the keyboard
shortcuts, the "Last checked" words, and keeping the list's rows in step with the shared session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

# Imported before the first paint (the shell): the rest is imported where it is used.
if TYPE_CHECKING:
    from quarantine_checker.core.mailbox import Change
    from quarantine_checker.core.mailbox_session import MailboxSession
    from quarantine_checker.ui.message_model import MessageTableModel


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def starting_shell(parent: QWidget) -> QWidget:
    """A fixed, translated text (no message data), centred by stretches rather than Qt.AlignmentFlag:
    this runs before the first paint, which must not pay for building Qt's enum namespace."""
    page = QWidget(parent)
    text = QLabel(_tr("Starting…"), page)
    text.setAccessibleName(_tr("Starting…"))
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(text)
    row.addStretch(1)
    column = QVBoxLayout(page)
    column.addStretch(1)
    column.addLayout(row)
    column.addStretch(1)
    return page


def last_checked_text(last: datetime | None, now: datetime) -> str:
    if last is None:
        return _tr("Not checked yet")
    minutes = int((now - last).total_seconds() // 60)
    if minutes < 1:
        return _tr("Last checked just now")
    if minutes == 1:
        return _tr("Last checked 1 minute ago")
    if minutes < 60:
        return _tr("Last checked {0} minutes ago").format(minutes)
    return _tr("Last checked at {0:%H:%M}").format(last)


def install_shortcuts(window: QWidget, search: QWidget, table: QWidget, details: QWidget, *,
                      focus_search: Callable[[], None], clear_search: Callable[[], None],
                      refresh: Callable[[], None], primary: Callable[[], None],
                      delete: Callable[[], None]) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    find = QAction(_tr("Search"), window)
    find.setShortcut(QKeySequence.StandardKey.Find)
    find.triggered.connect(focus_search)
    window.addAction(find)
    again = QAction(_tr("Check now"), window)
    again.setShortcuts([*QKeySequence.keyBindings(QKeySequence.StandardKey.Refresh), QKeySequence("Ctrl+R")])
    again.triggered.connect(refresh)
    window.addAction(again)
    # Enter/Return on the list or the details pane = the primary action; Delete = delete (confirmed).
    for widget in (table, details):
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sc = QShortcut(QKeySequence(key), widget)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(primary)
    gone = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), table)
    gone.setContext(Qt.ShortcutContext.WidgetShortcut)
    gone.activated.connect(delete)
    escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), search)
    escape.setContext(Qt.ShortcutContext.WidgetShortcut)
    escape.activated.connect(clear_search)


def follow_change(model: MessageTableModel, change: Change, mailbox: MailboxSession, now: datetime) -> bool:
    """Bring the rows in step with ``change`` in place; True when it needs the whole list rebuilt
    (a listing, or a message the list does not have yet)."""
    from quarantine_checker.core.mailbox import ChangeKind
    from quarantine_checker.ui.row_view import session_row

    if change.kind is ChangeKind.REMOVED:
        model.remove_identities(change.identities)
        return False
    if change.kind is ChangeKind.LISTED:
        return True
    if change.kind is not ChangeKind.UPDATED:
        return False
    if any(model.row_for(m.identity) is None for m in change.messages):
        return True
    for message in change.messages:
        old = model.row_for(message.identity)
        if old is not None and old.message is not message:
            row = session_row(message, mailbox, now)
            row.pending, row.error = old.pending, old.error  # an action in flight keeps its progress
            model.replace_row(row)
    return False
