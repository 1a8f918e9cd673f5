"""Settings: how often to check, which notifications, start at login, sign out, diagnostics for IT."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from quarantine_checker.core.schedule import (
    MAX_INTERVAL_MINUTES,
    MIN_INTERVAL_MINUTES,
    clamp_interval_minutes,
)
from quarantine_checker.core.watch import EventKind
from quarantine_checker.ui.plain_text import plain_label

if TYPE_CHECKING:
    from quarantine_checker.config import AppConfig
    from quarantine_checker.ui.autostart import Autostart
    from quarantine_checker.ui.settings_store import DesktopSettings

CATEGORY_LABELS = {
    EventKind.HELD: "A new message is held for me",
    EventKind.APPROVED: "IT released a message I asked for",
    EventKind.DECLINED: "IT declined a release I asked for",
    EventKind.EXPIRING: "A held message will be deleted within 2 days",
    EventKind.SYSTEM_RELEASED: "Microsoft released mail it held by mistake",
}


@dataclass(frozen=True)
class SettingsContext:
    """What the dialog works with, and nothing more (the tray controller builds it)."""

    settings: DesktopSettings
    save: Callable[[], None]                     # keep ``settings``
    config: AppConfig
    interval_seconds: float                      # how often the checker checks now
    autostart: Autostart
    signed_in: bool
    selected_sender: Callable[[], str]           # the one selected message's sender, or ""
    diagnostics: Callable[[], str]
    sign_out: Callable[[], None]                 # forget what the watch knew, then sign out
    set_interval_minutes: Callable[[int], None]
    applied: Callable[[], None]                  # settings changed: the tray shows it


class SettingsDialog(QDialog):
    def __init__(self, context: SettingsContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.c = context
        self.setWindowTitle(self.tr("Quarantine Checker settings"))
        s = context.settings
        layout = QVBoxLayout(self)

        form = QFormLayout()
        self.interval = QSpinBox(self)
        self.interval.setRange(MIN_INTERVAL_MINUTES, MAX_INTERVAL_MINUTES)
        self.interval.setSuffix(self.tr(" min"))
        self.interval.setValue(clamp_interval_minutes(round(context.interval_seconds / 60)))
        self.interval.setAccessibleName(self.tr("Check every (minutes)"))
        # IT pinned it (config notes say so when a later layer was ignored), or an environment variable
        # sets it for this run: a saved value would not take effect, so don't pretend it can be changed.
        config = context.config
        notes = " ".join(getattr(config, "notes", ()))
        source = str(getattr(config, "sources", {}).get("check_interval_minutes", ""))
        locked = "check_interval_minutes" in notes and "locked by IT" in notes
        self.interval.setEnabled(not locked and not source.startswith("environment"))
        if not self.interval.isEnabled():
            hint = self.tr("Set by your IT department or the environment ({0}).").format(source)
            self.interval.setToolTip(hint)
        form.addRow(self.tr("Check for held mail every"), self.interval)
        layout.addLayout(form)

        group = QGroupBox(self.tr("Tell me when…"), self)
        box = QVBoxLayout(group)
        self.categories: dict[EventKind, QCheckBox] = {}
        for kind, label in CATEGORY_LABELS.items():
            check = QCheckBox(self.tr(label), group)
            check.setChecked(kind in s.categories)
            box.addWidget(check)
            self.categories[kind] = check
        muted = len(s.muted_sender_keys)
        row = QHBoxLayout()
        self.muted_label = QLabel(self.tr("Senders you muted: {0}").format(muted), group)
        self.unmute = QPushButton(self.tr("Unmute all"), group)
        self._show_muted(muted)
        self.unmute.clicked.connect(self._unmute_all)
        row.addWidget(self.muted_label, 1)
        row.addWidget(self.unmute)
        box.addLayout(row)
        self.mute_selected = QPushButton(
            self.tr("Don't notify me about the selected message's sender"), group
        )
        self.mute_selected.clicked.connect(self._mute_selected)
        box.addWidget(self.mute_selected)
        layout.addWidget(group)

        self.start_at_login = QCheckBox(self.tr("Start when I log in (in the tray)"), self)
        self.start_at_login.setChecked(bool(context.autostart.is_enabled()))
        layout.addWidget(self.start_at_login)
        self.error = plain_label("", self)
        self.error.hide()
        layout.addWidget(self.error)

        actions = QHBoxLayout()
        self.copy_diag = QPushButton(self.tr("Copy diagnostic information"), self)
        self.copy_diag.setToolTip(
            self.tr("Versions, settings and recent errors for IT. No passwords, no mail.")
        )
        self.copy_diag.clicked.connect(self.copy_diagnostics)
        self.sign_out = QPushButton(self.tr("Sign out"), self)
        signed_in = context.signed_in
        self.sign_out.setEnabled(signed_in)
        if not signed_in:
            self.sign_out.setToolTip(self.tr("You are not signed in."))
        self.sign_out.clicked.connect(self._sign_out)
        actions.addWidget(self.copy_diag)
        actions.addStretch(1)
        actions.addWidget(self.sign_out)
        layout.addLayout(actions)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.apply_and_close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _mute_selected(self) -> None:
        sender = self.c.selected_sender()
        if not sender:
            self._say(self.tr("Select one message in the main window first."))
            return
        self.c.settings.mute_sender(sender)
        self.c.save()
        self._show_muted(len(self.c.settings.muted_sender_keys))

    def _unmute_all(self) -> None:
        self.c.settings.muted_sender_keys.clear()
        self.c.save()
        self._show_muted(0)

    def _show_muted(self, count: int) -> None:
        self.muted_label.setText(self.tr("Senders you muted: {0}").format(count))
        self.unmute.setEnabled(count > 0)
        # A disabled button always says why.
        self.unmute.setToolTip("" if count else self.tr("You haven't muted any sender."))

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def copy_diagnostics(self) -> str:
        text = self.c.diagnostics()
        clipboard = QApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)
        return text

    def _sign_out(self) -> None:
        self.c.sign_out()
        self.accept()

    def apply_and_close(self) -> None:
        if self.apply():
            self.accept()

    def apply(self) -> bool:
        s = self.c.settings
        s.categories = {k for k, box in self.categories.items() if box.isChecked()}
        minutes = self.interval.value()
        if self.interval.isEnabled():
            try:
                from quarantine_checker.config import save_user_config

                save_user_config({"check_interval_minutes": minutes})
            except Exception as exc:  # unwritable config dir: keep the value for this run and say so
                self._say(
                    self.tr("The interval applies until you quit, but couldn't be saved ({0}).").format(
                        type(exc).__name__
                    )
                )
            self.c.set_interval_minutes(minutes)
        wanted = self.start_at_login.isChecked()
        try:
            if wanted != self.c.autostart.is_enabled():
                (self.c.autostart.enable if wanted else self.c.autostart.disable)()
            s.start_at_login = wanted
        except OSError as exc:
            self._say(
                self.tr("Start at login couldn't be changed: {0}").format(exc.strerror or type(exc).__name__)
            )
            self.c.save()
            return False
        self.c.save()
        self.c.applied()
        return True
