"""The signed-in page's layout: who is signed in, when the quarantine was last checked, Check now and
Sign out above the list of held messages and the details pane."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSplitter, QVBoxLayout, QWidget

from quarantine_checker.ui.details_pane import DetailsPane
from quarantine_checker.ui.icons import icon
from quarantine_checker.ui.list_view import MessageListView
from quarantine_checker.ui.plain_text import plain_label

# The narrowest the details pane may be beside the list; below that it goes under the list instead, so
# nothing is clipped from 800 px wide up (the list's search and filters set the list's own minimum).
DETAILS_MIN_WIDTH = 360


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
        # Past held mail and what became of it (the organisation service's record; ui/history_view.py).
        self.history_button = QPushButton(self.tr("History"), self)
        self.history_button.setAccessibleName(self.tr("History of your held mail"))
        self.history_button.setAutoDefault(False)
        self.sign_out_button = QPushButton(self.tr("Sign out"), self)
        self.sign_out_button.setAccessibleName(self.tr("Sign out"))
        self.sign_out_button.setAutoDefault(False)
        header = QHBoxLayout()
        header.addWidget(self.account_label, 1)
        for widget in (self.last_checked_label, self.check_now, self.history_button, self.sign_out_button):
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
        self._fit_orientation(self.width())
        self.setTabOrder(self.list.table, self.details.action_bar.primary)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_orientation(event.size().width())
        super().resizeEvent(event)

    def _fit_orientation(self, width: int) -> None:
        """Side by side when both fit, else the details under the list (each then scrolls on its own)."""
        beside = self.list.minimumSizeHint().width() + self.splitter.handleWidth() + DETAILS_MIN_WIDTH
        wanted = Qt.Orientation.Horizontal if width >= beside else Qt.Orientation.Vertical
        if self.splitter.orientation() == wanted:
            return
        self.splitter.setOrientation(wanted)
        # Share the space once the splitter has its new size (the user can drag the handle afterwards).
        QTimer.singleShot(0, self._share_space)

    def _share_space(self) -> None:
        if self.splitter.orientation() == Qt.Orientation.Horizontal:
            self.splitter.setSizes([690, 510])
        else:  # under the list the details get a little more: they are what is read
            total = max(self.splitter.height(), 2)
            self.splitter.setSizes([total * 9 // 20, total - total * 9 // 20])
        current = self.list.table.currentIndex()
        if current.isValid():  # the selected row stays in view through the change
            self.list.table.scrollTo(current)
