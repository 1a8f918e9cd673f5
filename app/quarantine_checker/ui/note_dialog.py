"""The optional note to IT that goes with "Request release" on the service road.

Only the organisation service carries a note (the direct road's cmdlet has no field for one), so the
window asks only there. The note is optional: Enter, or "Send request" with the field empty, sends the
request as one click would. The dialog is opened without blocking (``open``), so the window keeps painting
and answering while the person types.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

# The service takes at most this many characters (org-service.md: request-release note, max_length 1000).
NOTE_LIMIT = 1000


class NoteDialog(QDialog):
    """Ask for an optional note to IT; ``send(note)`` on "Send request", nothing on "Cancel"."""

    def __init__(self, parent: QWidget | None, count: int, send: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.setObjectName("request-note-dialog")
        title = self.tr("Request release")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        question = (self.tr("Ask IT to release this message?") if count == 1
                    else self.tr("Ask IT to release these {0} messages?").format(count))
        intro = QLabel(question + "\n" + self.tr(
            "You can add a note for IT, for example why you expect this mail. It is optional."), self)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.note = QLineEdit(self)
        self.note.setMaxLength(NOTE_LIMIT)
        self.note.setPlaceholderText(self.tr("Note for IT (optional)"))
        self.note.setAccessibleName(self.tr("Note for IT (optional)"))
        intro.setBuddy(self.note)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(self)
        self.send_button = buttons.addButton(self.tr("Send request"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setAccessibleName(self.send_button.text())
        self.cancel_button = buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setAccessibleName(self.cancel_button.text())
        # Enter in the field sends (with or without a note): the one-click path stays one key away.
        self.send_button.setDefault(True)
        self.note.returnPressed.connect(self.send_button.click)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.accepted.connect(lambda: send(self.note.text().strip()))


def ask_note(parent: QWidget, count: int, send: Callable[[str], None],
             cancelled: Callable[[], None]) -> NoteDialog:
    """Open the note dialog without blocking; exactly one of ``send`` / ``cancelled`` is called."""
    dialog = NoteDialog(parent, count, send)
    dialog.rejected.connect(cancelled)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    dialog.activateWindow()  # the field takes the typing, and Enter sends, at once
    dialog.note.setFocus()
    return dialog
