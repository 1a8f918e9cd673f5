"""The road-closed page: signed in, but the organisation opens no road to quarantine for this account.

Shown when the capability probe after sign-in (or a refused call later) says the account may not run
the quarantine commands. Plain words on what happened and what IT can do, the helpdesk contact from the
settings, "Copy details for IT", and a button that opens Microsoft's own quarantine page. There is no
"Try again": only IT can change this, and a button that cannot succeed would only teach people to
ignore buttons. "Sign out" is there for someone who has another (for example an admin) account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from quarantine_checker.core.messages import MICROSOFT_QUARANTINE_URL, UserMessage, road_closed_lines
from quarantine_checker.ui.icons import icon
from quarantine_checker.ui.plain_text import plain_label, set_plain


class RoadClosedView(QWidget):
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("road-closed-view")
        # Opens the browser; replaceable so a test can see the address without launching one.
        self.open_url: Callable[[QUrl], Any] = QDesktopServices.openUrl
        self._details = ""

        self.heading = plain_label("", self, accessible_name=self.tr("What happened"))
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.account = plain_label("", self, accessible_name=self.tr("Signed-in account"))
        self.explain = plain_label("", self, accessible_name=self.tr("Why your quarantine isn't shown"))
        self.it_text = plain_label("", self, accessible_name=self.tr("What your IT team can do"))
        self.helpdesk = plain_label("", self, accessible_name=self.tr("Your IT contact"))
        self.meanwhile = plain_label("", self, accessible_name=self.tr("Where to see your held mail"))

        self.portal_button = QPushButton(icon("app"), self.tr("Open Microsoft's quarantine page"), self)
        self.portal_button.setAccessibleName(self.tr("Open Microsoft's quarantine page in your browser"))
        self.portal_button.setToolTip(MICROSOFT_QUARANTINE_URL)
        self.portal_button.setDefault(True)
        self.portal_button.clicked.connect(self._open_portal)
        self.copy_button = QPushButton(self.tr("Copy details for IT"), self)
        self.copy_button.setAccessibleName(self.tr("Copy details for IT"))
        self.copy_button.clicked.connect(self._copy_details)
        self.sign_out_button = QPushButton(icon("sign-in"), self.tr("Sign out"), self)
        self.sign_out_button.setAccessibleName(self.tr("Sign out to use a different account"))
        self.sign_out_button.clicked.connect(self.sign_out_requested)

        column = QVBoxLayout()
        column.addStretch(1)
        for label in (self.heading, self.account, self.explain, self.it_text, self.helpdesk, self.meanwhile):
            column.addWidget(label)
            column.addSpacing(6)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.portal_button, self.copy_button, self.sign_out_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addSpacing(12)
        column.addLayout(buttons)
        column.addStretch(2)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 4)
        outer.addStretch(1)

    def show_closed(self, msg: UserMessage, *, helpdesk: str = "", account: str = "") -> None:
        """``msg`` is the core.messages.UserMessage of the NoDirectAccessError."""
        it_line, contact_line, meanwhile_line = road_closed_lines(helpdesk)
        set_plain(self.heading, msg.title)
        signed_in = self.tr("Signed in as {0}").format(account) if account else ""
        set_plain(self.account, signed_in, single_line=True)
        self.account.setVisible(bool(account))
        set_plain(self.explain, msg.text)
        set_plain(self.it_text, it_line)
        set_plain(self.helpdesk, contact_line)
        set_plain(self.meanwhile, meanwhile_line)
        self._details = msg.details_for_it
        self.copy_button.setVisible(bool(self._details))
        self.portal_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open_portal(self) -> None:
        self.open_url(QUrl(MICROSOFT_QUARANTINE_URL))

    def _copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self._details)
