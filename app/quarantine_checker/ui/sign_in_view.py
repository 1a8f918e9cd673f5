"""The sign-in screen: one button, what happens next, progress while waiting, Cancel, plain errors."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from quarantine_checker.ui.help_dialogs import contact_text
from quarantine_checker.ui.icons import icon
from quarantine_checker.ui.plain_text import plain_label, set_plain


class SignInView(QWidget):
    sign_in_requested = Signal()
    cancel_requested = Signal()
    change_organisation_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sign-in-view")
        self._details = ""

        logo = QLabel(self)
        logo.setTextFormat(Qt.TextFormat.PlainText)
        logo.setPixmap(icon("app").pixmap(64, 64))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        logo.setAccessibleName(self.tr("Quarantine Checker logo"))

        self.heading = plain_label(
            self.tr("See the mail that is being held for you"),
            self,
            selectable=False,
            accessible_name=self.tr("Heading"),
        )
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.explain = plain_label(
            self.tr(
                "Sign in with the account you use for work email. Your browser will open so you can "
                "sign in there; come back here when it says you are done."
            ),
            self,
            selectable=False,
            accessible_name=self.tr("What happens when you sign in"),
        )
        self.explain.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.organisation = plain_label("", self, selectable=True, accessible_name=self.tr("Organisation"))
        self.organisation.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.sign_in_button = QPushButton(icon("sign-in"), self.tr("Sign in with your work account"), self)
        self.sign_in_button.setAccessibleName(self.tr("Sign in with your work account"))
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAutoDefault(True)
        self.sign_in_button.clicked.connect(self._on_sign_in)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy indicator: we cannot know how long the user takes
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(self.tr("Waiting for sign-in to finish"))
        self.waiting_text = plain_label(
            self.tr(
                "Your browser has opened. Finish signing in there — this window will continue by itself."
            ),
            self,
            selectable=False,
            accessible_name=self.tr("Sign-in progress"),
        )
        self.waiting_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setAccessibleName(self.tr("Cancel sign-in"))
        self.cancel_button.clicked.connect(self.cancel_requested)

        self.error_title = plain_label("", self, accessible_name=self.tr("Sign-in problem"))
        efont = self.error_title.font()
        efont.setBold(True)
        self.error_title.setFont(efont)
        self.error_text = plain_label("", self, accessible_name=self.tr("What went wrong and what to do"))
        self.copy_button = QPushButton(self.tr("Copy details for IT"), self)
        self.copy_button.setAccessibleName(self.tr("Copy details for IT"))
        self.copy_button.clicked.connect(self._copy_details)
        self.contact = plain_label("", self, accessible_name=self.tr("Who to contact"))

        self.change_org_button = QPushButton(self.tr("Use a different organisation…"), self)
        self.change_org_button.setFlat(True)
        self.change_org_button.setAccessibleName(self.tr("Use a different organisation"))
        self.change_org_button.clicked.connect(self.change_organisation_requested)

        column = QVBoxLayout()
        column.addStretch(1)
        for w in (logo, self.heading, self.explain, self.organisation):
            column.addWidget(w)
        column.addSpacing(12)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        column.addWidget(self.waiting_text)
        column.addSpacing(12)
        column.addWidget(self.error_title)
        column.addWidget(self.error_text)
        column.addWidget(self.contact)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_button)
        copy_row.addStretch(1)
        column.addLayout(copy_row)
        column.addStretch(2)
        column.addWidget(self.change_org_button, 0, Qt.AlignmentFlag.AlignCenter)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 4)
        outer.addStretch(1)
        self.show_idle()

    # --- states -------------------------------------------------
    def set_organisation(self, text: str) -> None:
        set_plain(self.organisation, text, single_line=True)
        self.organisation.setVisible(bool(text))

    def show_idle(self) -> None:
        self._set_waiting(False)
        self._set_error("", "", "")

    def show_waiting(self, text: str = "") -> None:
        """Waiting for sign-in; ``text`` says what for (plain words, no message data)."""
        self._set_error("", "", "")
        self._set_waiting(True)
        if text:
            set_plain(self.waiting_text, text)

    def allow_change_organisation(self, allowed: bool) -> None:
        self.change_org_button.setVisible(allowed)

    def focus_sign_in(self) -> None:
        self.sign_in_button.setFocus()

    def show_starting(self, text: str, *, busy: bool = True) -> None:
        """Before the app's parts are ready (settings, keyring): what is happening, nothing to press yet.

        The session flow's ``show_idle``/``show_waiting`` bring the buttons back once it takes over."""
        self._set_error("", "", "")
        self._set_waiting(busy)
        self.sign_in_button.setEnabled(False)
        self.sign_in_button.setVisible(False)
        self.cancel_button.setVisible(False)
        self.change_org_button.setVisible(False)
        self.waiting_text.setVisible(True)
        set_plain(self.waiting_text, text)

    def show_error(self, title: str, text: str, details: str = "") -> None:
        self._set_waiting(False)
        self._set_error(title, text, details)
        self.sign_in_button.setText(self.tr("Try signing in again"))

    def is_waiting(self) -> bool:
        return self.progress.isVisible() or not self.sign_in_button.isEnabled()

    def error_shown(self) -> str:
        return self.error_title.text()

    def _set_waiting(self, waiting: bool) -> None:
        self.sign_in_button.setVisible(True)
        self.sign_in_button.setEnabled(not waiting)
        self.progress.setVisible(waiting)
        self.waiting_text.setVisible(waiting)
        self.cancel_button.setVisible(waiting)
        if waiting:
            self.cancel_button.setFocus()
        else:
            self.sign_in_button.setText(self.tr("Sign in with your work account"))

    def _set_error(self, title: str, text: str, details: str) -> None:
        set_plain(self.error_title, title)
        set_plain(self.error_text, text)
        self._details = details
        self.error_title.setVisible(bool(title))
        self.error_text.setVisible(bool(text))
        self.copy_button.setVisible(bool(details))
        set_plain(self.contact, contact_text(self.window()) if details else "")
        self.contact.setVisible(bool(details))

    def _on_sign_in(self) -> None:
        if self.sign_in_button.isEnabled():
            self.sign_in_requested.emit()

    def _copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self._details)
