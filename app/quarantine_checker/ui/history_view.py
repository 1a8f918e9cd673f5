"""History: the employee's past held mail and what became of it (issue 13 item 4), on the service road.

A read-only table filled on the background helper (ui/tasks.py) from the service's history, which keeps
each message after Exchange deleted it. Every cell is plain text run through ``plain_text.visible``
(subjects and senders are attacker-controlled); a failure is said in the app's words with "Copy details
for IT". On the direct road there is no history to ask for, and the window says why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from quarantine_checker.core.expiry import format_date
from quarantine_checker.core.history import HistoryEntry
from quarantine_checker.core.messages import user_message
from quarantine_checker.core.reasons import reason_phrase
from quarantine_checker.ui.plain_text import plain_label, set_plain, visible
from quarantine_checker.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from quarantine_checker.wiring import Services

COLUMNS = ("Received", "From", "Subject", "Why it was held", "What became of it", "When")


class HistoryDialog(QDialog):
    def __init__(self, load: Callable[[], list[HistoryEntry]] | None, tasks: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("history-dialog")
        self.setWindowTitle(self.tr("History of your held mail"))
        self.setAccessibleName(self.tr("History of your held mail"))
        self._load = load
        self._tasks = tasks
        self.entries: list[HistoryEntry] = []
        self.status = plain_label("", self, accessible_name=self.tr("History status"))
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setAccessibleName(self.tr("Past held messages and what became of them"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.copy_details = QPushButton(self.tr("Copy details for IT"), self)
        self.copy_details.hide()
        self.copy_details.clicked.connect(self._copy)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.clicked.connect(self.refresh)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.accept)
        self._details = ""
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_details)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(900, 420)
        if load is None:
            self.refresh_button.setEnabled(False)
            self.refresh_button.setToolTip(self.tr("History comes from your organisation's quarantine "
                                                   "service, which isn't set up."))
            set_plain(self.status, self.tr(
                "History is kept by your organisation's quarantine service. This app goes straight to "
                "Microsoft 365 instead, so there is no history to show. Your IT team can set the "
                "service up."))
        else:
            self.refresh()

    def refresh(self) -> None:
        if self._load is None:
            return
        load = self._load
        set_plain(self.status, self.tr("Loading your history…"))
        self.refresh_button.setEnabled(False)
        self.refresh_button.setToolTip(self.tr("Loading…"))
        self._tasks.run(load, self._show, self._failed, key=("history",))

    def _show(self, entries: list[HistoryEntry]) -> None:
        self.refresh_button.setEnabled(True)
        self.refresh_button.setToolTip("")
        self.copy_details.hide()
        self.entries = sorted(entries, key=lambda h: h.received or datetime.min.replace(tzinfo=UTC),
                              reverse=True)
        now = datetime.now(UTC)
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            cells = (format_date(entry.received, now) if entry.received else "",
                     entry.sender, entry.subject or self.tr("(no subject)"), reason_phrase(entry.reason),
                     entry.outcome_text, format_date(entry.outcome_at, now) if entry.outcome_at else "")
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(visible(text)))
        count = len(self.entries)
        set_plain(self.status, self.tr("No held mail in your history yet.") if not count else
                  self.tr("%n held message(s), and what became of each.", "", count))

    def _failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.refresh_button.setToolTip("")
        msg = user_message(exc)
        set_plain(self.status, f"{msg.title}. {msg.text}")
        self._details = msg.details_for_it
        self.copy_details.show()

    def _copy(self) -> None:
        clipboard = QApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self._details)





def open_history(services: Services | None, tasks: TaskRunner, parent: QWidget) -> HistoryDialog:
    """The History window, shown: from the service on the service road; on the direct road it says why
    there is none (no ``load``)."""
    load = None
    if services is not None and services.config.service_url:
        def load() -> list[HistoryEntry]:
            road = services.mailbox_session().mailbox
            return road.history()  # type: ignore[attr-defined]  # only the service road has a history

    dialog = HistoryDialog(load, tasks, parent)
    dialog.show()
    return dialog
