"""The tray icon: all clear / N waiting / attention needed, and a menu rebuilt each time it opens.

States use resources/icons/state-*.svg; the count is drawn onto the held icon (and is always in the
tooltip, since some panels scale icons down to a few pixels). If no tray exists yet at login (the
panel starts after us), it retries every second for a while (QTBUG-61898); if there is none at all,
``unavailable`` is emitted and the app keeps an ordinary window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from quarantine_checker import APP_NAME
from quarantine_checker.core.watch import clean_text
from quarantine_checker.ui.icons import icon

LATEST_IN_MENU = 5
RETRY_MS = 1000
RETRY_FOR_MS = 120_000


class TrayKind:
    CLEAR = "clear"
    HELD = "held"
    ATTENTION = "attention"


@dataclass(frozen=True)
class TrayState:
    kind: str = TrayKind.CLEAR
    count: int = 0
    tooltip: str = ""
    latest: tuple[tuple[str, str], ...] = ()   # (identity, menu label)
    paused_until: datetime | None = None
    signed_in: bool = True
    extra: tuple[str, ...] = field(default=())


def count_icon(base: QIcon, count: int, size: int = 64) -> QIcon:
    """``base`` with the count in a badge (99+ above 99)."""
    pix = base.pixmap(size, size)
    if pix.isNull():
        pix = QPixmap(size, size)
        pix.fill(QColor("#2f6fb3"))
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    text = "99+" if count > 99 else str(count)
    badge = QRectF(size * 0.38, size * 0.38, size * 0.62, size * 0.62)
    painter.setBrush(QColor("#d13438"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(badge)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * (0.36 if len(text) < 3 else 0.26)))
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pix)


class TrayIcon(QObject):
    open_requested = Signal(str)       # identity ("" = just the window)
    check_requested = Signal()
    pause_requested = Signal(object)   # datetime | None (None = resume)
    settings_requested = Signal()
    sign_out_requested = Signal()
    quit_requested = Signal()
    available = Signal()
    unavailable = Signal()

    def __init__(self, parent: QObject | None = None, *, now: object = None) -> None:
        super().__init__(parent)
        self.tray = QSystemTrayIcon(self)
        self.menu = QMenu()
        self.menu.aboutToShow.connect(self._rebuild)
        self.tray.setContextMenu(self.menu)
        self.tray.activated.connect(self._activated)
        self.state = TrayState()
        self._shown_kind: tuple[str, int] | None = None
        self._now = now
        self._waited = 0
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._try_show)
        self.set_state(TrayState())
        self._rebuild()

    # --- showing -------------------------------------------------------------------------------------
    def show_when_available(self) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.show()
            self.available.emit()
            return
        self._waited = 0
        self._retry.start()

    def _try_show(self) -> None:
        self._waited += RETRY_MS
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._retry.stop()
            self.tray.show()
            self.available.emit()
        elif self._waited >= RETRY_FOR_MS:
            self._retry.stop()
            self.unavailable.emit()

    def is_visible(self) -> bool:
        return self.tray.isVisible()

    def hide(self) -> None:
        self._retry.stop()
        self.tray.hide()

    # --- state ---------------------------------------------------------------------------------------
    def set_state(self, state: TrayState) -> None:
        self.state = state
        key = (state.kind, state.count if state.kind == TrayKind.HELD else 0)
        if key != self._shown_kind:  # only repaint when it changes (no work on an idle check)
            self._shown_kind = key
            if state.kind == TrayKind.HELD:
                self.tray.setIcon(count_icon(icon("state-held"), state.count))
            elif state.kind == TrayKind.ATTENTION:
                self.tray.setIcon(icon("state-attention"))
            else:
                self.tray.setIcon(icon("state-clear"))
        self.tray.setToolTip(state.tooltip or APP_NAME)

    # --- menu -------------------------------------------------------------------------------------------
    def _add(self, text: str, slot: object, *, enabled: bool = True) -> QAction:
        action = self.menu.addAction(text)
        action.setEnabled(enabled)
        action.triggered.connect(slot)
        return action

    def _rebuild(self) -> None:
        """Rebuilt on every open, so counts and the latest messages are never stale."""
        self.menu.clear()
        s = self.state
        self._add(self.tr("Open Quarantine Checker"), lambda: self.open_requested.emit(""))
        # A greyed-out entry must say why: menus show no tooltips, so the reason goes in the label.
        self._add(self.tr("Check now") if s.signed_in else self.tr("Check now (sign in first)"),
                  self.check_requested.emit, enabled=s.signed_in)
        if s.latest:
            self.menu.addSeparator()
            header = self.menu.addAction(self.tr("Waiting for you:"))
            header.setEnabled(False)
            for identity, label in s.latest[:LATEST_IN_MENU]:
                # QMenu treats "&" as a shortcut marker; a subject must show as typed.
                text = clean_text(label, 60).replace("&", "&&")
                self._add(text, lambda _=False, i=identity: self.open_requested.emit(i))
        self.menu.addSeparator()
        if s.paused_until is not None:
            self._add(self.tr("Resume notifications (paused until {0:%H:%M})").format(s.paused_until),
                      lambda: self.pause_requested.emit(None))
        else:
            self._add(self.tr("Pause notifications for 1 hour"),
                      lambda: self.pause_requested.emit(timedelta(hours=1)))
            self._add(self.tr("Pause notifications until tomorrow"),
                      lambda: self.pause_requested.emit("tomorrow"))
        self._add(self.tr("Settings…"), self.settings_requested.emit)
        self._add(self.tr("Sign out") if s.signed_in else self.tr("Sign out (not signed in)"),
                  self.sign_out_requested.emit, enabled=s.signed_in)
        self.menu.addSeparator()
        self._add(self.tr("Quit"), self.quit_requested.emit)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit("")

    def menu_texts(self) -> list[str]:
        """What the menu says right now (tests, accessibility checks)."""
        self._rebuild()
        return [a.text() for a in self.menu.actions() if not a.isSeparator()]

    def trigger(self, text_start: str) -> bool:
        """Click the first menu entry starting with ``text_start`` (tests)."""
        self._rebuild()
        for a in self.menu.actions():
            if a.text().startswith(text_start) and a.isEnabled():
                a.trigger()
                return True
        return False
