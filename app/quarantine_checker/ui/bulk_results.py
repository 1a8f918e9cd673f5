"""The results panel after a bulk release, request or delete: per message, what was done, what was not
and why, in plain words (a read-only text view), and Copy (with the facts for IT under the failures)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from quarantine_checker.core import bulk_report
from quarantine_checker.core.bulk_report import BulkReport
from quarantine_checker.ui.plain_text import plain_label, plain_text_view, set_plain_body


def _t(text: str) -> str:
    return QCoreApplication.translate(bulk_report.TRANSLATION_CONTEXT, text)


class BulkResultsDialog(QDialog):
    """Not modal: the list behind it stays usable (and shows each row's new status)."""

    def __init__(self, parent: QWidget | None, report: BulkReport) -> None:
        super().__init__(parent)
        self.report = report
        title = bulk_report.summary(report, _t)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.resize(620, 420)
        layout = QVBoxLayout(self)
        self.summary = plain_label(title, self, accessible_name=self.tr("What was done"))
        layout.addWidget(self.summary)
        if report.not_done():
            from quarantine_checker.ui.help_dialogs import contact_text

            self.contact = plain_label(contact_text(parent), self, accessible_name=self.tr("Who to contact"))
            layout.addWidget(self.contact)
        self.view = plain_text_view(self, accessible_name=self.tr("Result for each message"))
        set_plain_body(self.view, bulk_report.lines(report, _t))
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(self)
        self.copy_button = buttons.addButton(self.tr("Copy"), QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setAccessibleName(self.tr("Copy the results (with details for IT)"))
        self.copy_button.clicked.connect(self.copy)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(bulk_report.lines(self.report, _t, for_it=True))


def show_bulk_results(parent: QWidget | None, report: BulkReport) -> BulkResultsDialog:
    dialog = BulkResultsDialog(parent, report)
    dialog.show()
    dialog.raise_()
    return dialog
