"""The signed-in page's layout: who is signed in, when the quarantine was last checked, Check now and
Sign out above the list of held messages and the details pane."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSplitter, QVBoxLayout, QWidget

from quarantine_checker.ui.details_pane import DetailsPane
from quarantine_checker.ui.icons import icon
from quarantine_checker.ui.list_view import MessageListView
from quarantine_checker.ui.plain_text import plain_label


class MainPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.account_label = plain_label("", self, wrap=False, accessible_name=self.tr("Signed-in account"))
        self.last_checked_label = plain_label(
            "", self, selectable=False, wrap=False,
            accessible_name=self.tr("When the quarantine was last checked"),
        )
        self.check_now = QPushButton(icon("refresh"), self.tr("Check now"), self)
        self.check_now.setAccessibleName(self.tr("Check now"))
        self.check_now.setAutoDefault(False)
        self.sign_out_button = QPushButton(self.tr("Sign out"), self)
        self.sign_out_button.setAccessibleName(self.tr("Sign out"))
        self.sign_out_button.setAutoDefault(False)
        header = QHBoxLayout()
        header.addWidget(self.account_label, 1)
        for widget in (self.last_checked_label, self.check_now, self.sign_out_button):
            header.addWidget(widget)

        self.list = MessageListView(self)
        self.details = DetailsPane(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([690, 510])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.splitter, 1)
        self.setTabOrder(self.list.search, self.list.table)
        self.setTabOrder(self.list.table, self.details.action_bar.primary)
