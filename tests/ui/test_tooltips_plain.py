"""Hovering a cell in the list shows the subject or sender as typed: tooltips never render markup."""

from __future__ import annotations

from typing import Any

from PySide6 import QtGui
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel
from ui_helpers import add, select, signed_in

from quarantine_checker.ui.message_model import COL_SENDER, COL_SUBJECT

HOSTILE_SUBJECT = '<img src="file:///etc/passwd"><span style="font-size:1px">hidden</span>Pay now'
HOSTILE_NAME = "<b>IT Helpdesk</b>"


def _what_the_tooltip_shows(qtbot: Any, window: Any, ident: str, column: int) -> str:
    """Hover the cell the way a mouse does (a real help event) and read the tooltip the way Qt draws it."""
    table = window.list.table
    proxy_row = window.list.proxy.proxy_row_of(ident)
    rect = table.visualRect(window.list.proxy.index(proxy_row, column))
    pos = rect.center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, table.viewport().mapToGlobal(pos))
    QApplication.sendEvent(table.viewport(), event)

    def tip_label() -> QLabel | None:
        for w in QApplication.topLevelWidgets():
            if w.inherits("QTipLabel") and w.isVisible():
                return w  # type: ignore[return-value]
        return None

    qtbot.waitUntil(lambda: tip_label() is not None, timeout=5_000)
    label = tip_label()
    assert label is not None
    text = label.text()
    # QTipLabel is an AutoText QLabel: it renders HTML exactly when Qt.mightBeRichText says so.
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    if not rich:
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText().replace("\u00a0", " ")


def test_hostile_subject_and_sender_name_show_literally_in_tooltips(qtbot: Any, window: Any,
                                                                    tenant: Any) -> None:
    ident = add(tenant, HOSTILE_SUBJECT, name=HOSTILE_NAME)
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    # The sender checks read the display name from the From: header and put it in the sender cell.
    qtbot.waitUntil(lambda: window.list.model.row_for(ident).cells[COL_SENDER].startswith(HOSTILE_NAME),
                    timeout=10_000)

    assert _what_the_tooltip_shows(qtbot, window, ident, COL_SUBJECT) == HOSTILE_SUBJECT
    assert _what_the_tooltip_shows(qtbot, window, ident, COL_SENDER).startswith(HOSTILE_NAME + " <")
