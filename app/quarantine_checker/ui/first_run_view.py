"""First run without configuration: ask which organisation to sign in to (domain or tenant id)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from quarantine_checker.ui.plain_text import plain_label, set_plain

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$")


def normalise_tenant(text: str) -> str | None:
    """Return the domain (lower-case) or tenant id the user typed, or None if it is neither.

    People paste their email address or a URL, so take the part after "@" or the host of a URL.
    """
    s = text.strip()
    if "@" in s:
        s = s.rsplit("@", 1)[1]
    s = re.sub(r"^[a-z]+://", "", s, flags=re.IGNORECASE).split("/", 1)[0].strip().rstrip(".")
    if _GUID.match(s):
        return s.lower()
    s = s.lower()
    return s if _DOMAIN.match(s) else None


class FirstRunView(QWidget):
    tenant_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first-run-view")
        self.heading = plain_label(
            self.tr("Which organisation do you work for?"),
            self,
            selectable=False,
            accessible_name=self.tr("Heading"),
        )
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.explain = plain_label(
            self.tr(
                "Type your work email address or your organisation's domain (for example "
                "contoso.com). IT may also have given you a tenant id — that works too. You only "
                "need to do this once."
            ),
            self,
            selectable=False,
            accessible_name=self.tr("Explanation"),
        )
        self.input = QLineEdit(self)
        self.input.setPlaceholderText(self.tr("name@company.com or company.com"))
        self.input.setAccessibleName(self.tr("Work email, domain or tenant id"))
        self.input.setClearButtonEnabled(True)
        self.input.returnPressed.connect(self._submit)
        self.input.textChanged.connect(self._clear_error)
        self.continue_button = QPushButton(self.tr("Continue"), self)
        self.continue_button.setAccessibleName(self.tr("Continue"))
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self._submit)
        self.error = plain_label("", self, accessible_name=self.tr("Problem with what you typed"))
        self.error.hide()
        # Which road to the quarantine the app will take and why (config.road_reason), set by the window.
        self.road = plain_label("", self, selectable=False,
                                accessible_name=self.tr("How the app reaches your quarantine"))
        self.road.hide()

        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(self.heading)
        column.addWidget(self.explain)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.continue_button)
        column.addLayout(row)
        column.addWidget(self.error)
        column.addWidget(self.road)
        column.addStretch(2)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 4)
        outer.addStretch(1)
        self.setFocusProxy(self.input)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignLeft)

    def set_road(self, text: str) -> None:
        set_plain(self.road, text)
        self.road.setVisible(bool(text))

    def show_error(self, text: str) -> None:
        set_plain(self.error, text)
        self.error.show()

    def _clear_error(self) -> None:
        self.error.hide()

    def _submit(self) -> None:
        value = normalise_tenant(self.input.text())
        if value is None:
            self.show_error(
                self.tr(
                    "That doesn't look like an email address, a domain such as contoso.com, "
                    "or a tenant id. Please check it and try again."
                )
            )
            return
        self.tenant_chosen.emit(value)
