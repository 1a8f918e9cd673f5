"""Confirmations and error/headers windows. Every text that may contain message data is plain."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from quarantine_checker.ui.plain_text import plain_label, plain_text_view, set_plain_body, visible


def _plain_box(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, informative: str = ""
) -> QMessageBox:
    box = QMessageBox(icon, title, "", QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(box.textFormat().PlainText)
    box.setText(visible(text, single_line=False, limit=4000))
    if informative:
        box.setInformativeText(visible(informative, single_line=False, limit=4000))
    box.setAccessibleName(title)
    return box


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    informative: str = "",
    yes: str,
    no: str = "",
    warning: bool = False,
) -> bool:
    """Ask once, naming exactly what will happen on the "yes" button. Default is "no"."""
    box = _plain_box(
        parent, QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Question, title, text, informative
    )
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    yes_button.setAccessibleName(yes)
    no_button = box.addButton(
        no or QCoreApplication.translate("dialogs", "Cancel"), QMessageBox.ButtonRole.RejectRole
    )
    no_button.setAccessibleName(no_button.text())
    box.setDefaultButton(no_button)
    box.setEscapeButton(no_button)
    box.exec()
    return box.clickedButton() is yes_button


class ErrorDialog(QDialog):
    """An error in words, with "Copy details for IT" (never a traceback)."""

    def __init__(self, parent: QWidget | None, title: str, text: str, details: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self._details = details
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(title, self, accessible_name=self.tr("Problem")))
        layout.addWidget(plain_label(text, self, accessible_name=self.tr("What to do")))
        if details:
            from quarantine_checker.ui.help_dialogs import contact_text

            self.contact = plain_label(contact_text(parent), self, accessible_name=self.tr("Who to contact"))
            layout.addWidget(self.contact)
        row = QHBoxLayout()
        self.copy_button = QPushButton(self.tr("Copy details for IT"), self)
        self.copy_button.setAccessibleName(self.tr("Copy details for IT"))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self._details))
        self.copy_button.setVisible(bool(details))
        row.addWidget(self.copy_button)
        row.addStretch(1)
        close = QPushButton(self.tr("Close"), self)
        close.setAccessibleName(self.tr("Close"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        row.addWidget(close)
        layout.addLayout(row)


class HeadersDialog(QDialog):
    """The raw message headers, read-only but selectable, with a Copy button."""

    def __init__(self, parent: QWidget | None, subject: str, headers: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Message headers"))
        self.setAccessibleName(self.tr("Message headers"))
        self.resize(760, 520)
        self._headers = headers
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                self.tr(
                    "These are the technical details your mail system recorded for “{0}”. IT may ask you "
                    "for them."
                ).format(visible(subject, limit=120)),
                self,
                accessible_name=self.tr("About"),
            )
        )
        self.view = plain_text_view(self, monospace=True, accessible_name=self.tr("Headers text"))
        set_plain_body(self.view, headers)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(self)
        copy = buttons.addButton(self.tr("Copy all"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.setAccessibleName(self.tr("Copy all headers"))
        # Copy what was received, unaltered, so IT sees the real bytes (the view shows hidden characters).
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self._headers))
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)
