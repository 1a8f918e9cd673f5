"""The actions for the selected message(s): one primary button, Delete, "Release and report as not junk"
(a release too, so it says so), headers.

Buttons never disappear because an action is not allowed: they turn grey and the reason is written
under them (and read out by screen readers), so nobody is left wondering where "Release" went.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, Qt, Signal, SignalInstance
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from quarantine_checker.core import vocabulary
from quarantine_checker.core.vocabulary import Action
from quarantine_checker.ui.icons import icon
from quarantine_checker.ui.plain_text import plain_label, set_plain


@dataclass
class ButtonState:
    text: str = ""
    enabled: bool = False
    reason: str = ""  # shown under the button while it is disabled
    visible: bool = True
    icon: str = ""


@dataclass
class ActionBarState:
    primary: ButtonState = field(default_factory=ButtonState)
    delete: ButtonState = field(default_factory=ButtonState)
    not_junk: ButtonState = field(default_factory=lambda: ButtonState(visible=False))
    headers: ButtonState = field(default_factory=ButtonState)


def _words(action: Action) -> str:
    """The one vocabulary's name for the action (the CLI uses the same)."""
    return QCoreApplication.translate(vocabulary.TRANSLATION_CONTEXT, vocabulary.ACTION_WORDS[action])


class ActionBar(QWidget):
    primary_clicked = Signal()
    delete_clicked = Signal()
    not_junk_clicked = Signal()
    headers_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Actions for the selected message"))
        self.primary = self._button(_words(Action.RELEASE), "release", self.primary_clicked)
        self.primary.setObjectName("primary-action")
        font = self.primary.font()
        font.setBold(True)
        self.primary.setFont(font)
        self.delete = self._button(_words(Action.DELETE), "delete", self.delete_clicked)
        self.delete.setObjectName("delete-action")
        self.not_junk = self._button(_words(Action.REPORT_NOT_JUNK), "not-junk", self.not_junk_clicked)
        self.not_junk.setObjectName("not-junk-action")
        self.headers = self._button(_words(Action.VIEW_HEADERS), "headers", self.headers_clicked)
        self.headers.setObjectName("headers-action")
        self._buttons = [self.primary, self.delete, self.not_junk, self.headers]
        self.reasons: dict[QPushButton, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for col, button in enumerate(self._buttons):
            reason = plain_label("", self, selectable=False, wrap=True)
            reason.setObjectName(button.objectName() + "-reason")
            reason.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            reason.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
            small = reason.font()
            small.setPointSizeF(small.pointSizeF() * 0.9)
            reason.setFont(small)
            reason.hide()
            self.reasons[button] = reason
            # Two buttons per row keeps the pane narrow enough to sit beside the list.
            row, column = 2 * (col // 2), col % 2
            grid.addWidget(button, row, column)
            grid.addWidget(reason, row + 1, column)
            grid.setColumnStretch(column, 1)
        self.set_state(ActionBarState())

    def _button(self, text: str, icon_name: str, signal: SignalInstance) -> QPushButton:
        button = QPushButton(icon(icon_name), text, self)
        button.setAccessibleName(text)
        button.setAutoDefault(False)
        button.clicked.connect(signal)
        return button

    def set_state(self, state: ActionBarState) -> None:
        for button, s in (
            (self.primary, state.primary),
            (self.delete, state.delete),
            (self.not_junk, state.not_junk),
            (self.headers, state.headers),
        ):
            self._apply(button, s)

    def _apply(self, button: QPushButton, state: ButtonState) -> None:
        button.setVisible(state.visible)
        if state.text:
            button.setText(state.text)
            button.setAccessibleName(state.text)
        if state.icon:
            button.setIcon(icon(state.icon))
        button.setEnabled(state.enabled)
        reason = self.reasons[button]
        show_reason = state.visible and not state.enabled and bool(state.reason)
        set_plain(reason, state.reason if show_reason else "")
        reason.setVisible(show_reason)
        # Screen readers announce the description with the greyed-out button; hover shows it too.
        button.setAccessibleDescription(state.reason if show_reason else "")
        button.setToolTip(state.reason if show_reason else "")

    def reason_for(self, button: QPushButton) -> str:
        label = self.reasons[button]
        return label.text() if label.isVisibleTo(self) else ""
