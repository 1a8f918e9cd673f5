"""Help and About windows, and what "Copy details for IT" puts on the clipboard from the Help menu.

Words come from ``core.help_text`` and ``core.messages`` (the helpdesk line); every label is a plain label
with a caption, so a screen reader hears "Released: the message has been delivered…", not just "Status".
"""

from __future__ import annotations

import platform
import sys

from PySide6.QtCore import QCoreApplication, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from quarantine_checker import APP_NAME, __version__, paths
from quarantine_checker.core import help_text, messages, vocabulary
from quarantine_checker.ui.plain_text import plain_label


def _t(text: str) -> str:
    return QCoreApplication.translate(help_text.TRANSLATION_CONTEXT, text)


def helpdesk_of(window: QWidget | None) -> str:
    """The helpdesk IT configured for this window's organisation ("" before the settings are read)."""
    config = getattr(getattr(window, "services", None), "config", None)
    return str(getattr(config, "helpdesk", "") or "")


def contact_text(window: QWidget | None) -> str:
    """The "Your IT contact: …" line shown beside every "Copy details for IT"."""
    line = messages.helpdesk_line(helpdesk_of(window))
    return QCoreApplication.translate(messages.TRANSLATION_CONTEXT, line)


def _heading(text: str, parent: QWidget) -> QLabel:
    label = plain_label(text, parent, selectable=False)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


def _close_buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    close = buttons.button(QDialogButtonBox.StandardButton.Close)
    close.setAccessibleName(dialog.tr("Close"))
    buttons.rejected.connect(dialog.reject)
    return buttons


class HelpDialog(QDialog):
    """What quarantine is, what each status means, who to contact, and the keyboard shortcuts."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle(self.tr("{0} help").format(APP_NAME))
        self.setAccessibleName(self.windowTitle())
        self.resize(620, 560)
        body = QWidget(self)
        column = QVBoxLayout(body)

        column.addWidget(_heading(self.tr("What is quarantine?"), body))
        self.what = plain_label(
            _t(help_text.WHAT_IS_QUARANTINE), body, accessible_name=self.tr("What is quarantine?")
        )
        column.addWidget(self.what)

        column.addWidget(_heading(self.tr("What each status means"), body))
        statuses = QFormLayout()
        self.statuses: dict[str, QLabel] = {}
        for name, meaning in help_text.status_meanings():
            shown = QCoreApplication.translate(vocabulary.TRANSLATION_CONTEXT, name)
            value = plain_label(_t(meaning), body, accessible_name=shown)
            statuses.addRow(plain_label(shown, body, selectable=False, wrap=False), value)
            self.statuses[shown] = value
        column.addLayout(statuses)

        column.addWidget(_heading(self.tr("Who to contact"), body))
        self.contact = plain_label(contact_text(window), body, accessible_name=self.tr("Who to contact"))
        column.addWidget(self.contact)

        column.addWidget(_heading(self.tr("Keyboard shortcuts"), body))
        keys = QFormLayout()
        self.shortcuts: dict[str, QLabel] = {}
        for combo, what in help_text.SHORTCUTS:
            value = plain_label(_t(what), body, accessible_name=combo)
            keys.addRow(plain_label(combo, body, selectable=False, wrap=False), value)
            self.shortcuts[combo] = value
        column.addLayout(keys)
        column.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.setAccessibleName(self.tr("Help text"))
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(_close_buttons(self))


def details_for_it(window: QWidget) -> str:
    """What Help ▸ Copy details for IT copies: versions, where the logs are, the settings and where each
    came from, and the background checker's state. No tokens, no mail, no message identities."""
    watch = getattr(getattr(window, "menus", None), "watch", None)
    diagnostics = getattr(watch, "diagnostics", None)
    if callable(diagnostics):  # the tray controller's report already holds versions and settings
        lines = diagnostics().splitlines()
    else:
        lines = [
            f"{APP_NAME} {__version__}",
            f"Python {sys.version.split()[0]} on {platform.platform()}",
            f"Qt {qVersion()}",
        ]
        config = getattr(getattr(window, "services", None), "config", None)
        describe = getattr(config, "describe_for_it", None)
        if callable(describe):
            lines.append("settings:")
            lines.extend("  " + line for line in describe().splitlines())
    lines.insert(1, f"log folder: {paths.log_dir()}")
    lines.insert(2, f"signed in: {'yes' if getattr(window, 'identity', None) is not None else 'no'}")
    return "\n".join(lines)


def copy_details_for_it(window: QWidget) -> str:
    text = details_for_it(window)
    QGuiApplication.clipboard().setText(text)
    return text


class AboutDialog(QDialog):
    """Version, licences, where the logs are, and who to contact."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle(self.tr("About {0}").format(APP_NAME))
        self.setAccessibleName(self.windowTitle())
        self.resize(520, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(_heading(APP_NAME, self))
        form = QFormLayout()
        self.version = plain_label(
            self.tr("{0} (Qt {1}, Python {2})").format(__version__, qVersion(), sys.version.split()[0]),
            self, accessible_name=self.tr("Version"),
        )
        self.logs = plain_label(str(paths.log_dir()), self, accessible_name=self.tr("Log files"))
        self.contact = plain_label(contact_text(window), self, accessible_name=self.tr("Who to contact"))
        self.licences = plain_label(_t(help_text.LICENCE_TEXT), self, accessible_name=self.tr("Licences"))
        for caption, value in (
            (self.tr("Version"), self.version),
            (self.tr("Log files"), self.logs),
            (self.tr("Contact"), self.contact),
            (self.tr("Licences"), self.licences),
        ):
            form.addRow(plain_label(caption, self, selectable=False, wrap=False), value)
        layout.addLayout(form)
        layout.addWidget(_close_buttons(self))
