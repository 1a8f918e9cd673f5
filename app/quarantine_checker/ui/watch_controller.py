"""Always on watch: ties the window, the background checker, the tray icon and notifications together.

Signed in -> the checker runs (the window's own timer is switched off); signed out -> it pauses and
the tray asks for attention. The checker and the window share the account's ``MailboxSession``: one
listing per check, and whatever either does shows in both. A notification or tray-menu click opens
the window on that message. Closing the window keeps the app in the tray (said once); with no tray at
all it behaves like an ordinary window and quits on close.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from quarantine_checker import APP_NAME, paths
from quarantine_checker.core.schedule import clamp_interval_minutes
from quarantine_checker.core.watch import Notice, clean_text
from quarantine_checker.ui.autostart import Autostart
from quarantine_checker.ui.checker import Attention, BackgroundChecker
from quarantine_checker.ui.notifier import Notifier, pick_notifier
from quarantine_checker.ui.settings_store import DesktopSettings, RecordStore, SettingsStore
from quarantine_checker.ui.tray import TrayIcon, TrayKind, TrayState

if TYPE_CHECKING:
    from quarantine_checker.core.account import UserIdentity
    from quarantine_checker.core.errors import NoDirectAccessError
    from quarantine_checker.core.mailbox_session import MailboxSession
    from quarantine_checker.core.messages import UserMessage
    from quarantine_checker.core.watch import WatchPrefs
    from quarantine_checker.ui.main_window import MainWindow
    from quarantine_checker.ui.settings_dialog import SettingsContext
    from quarantine_checker.wiring import Services

log = logging.getLogger(__name__)

MORNING_HOUR = 8  # "until tomorrow" means until 08:00 tomorrow


def tomorrow_morning(now_local: datetime) -> datetime:
    day = (now_local + timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, MORNING_HOUR, tzinfo=now_local.tzinfo)


class WatchController(QObject):
    opened = Signal(str)        # the window was brought forward on this identity ("" = just the window)

    def __init__(
        self,
        window: MainWindow,
        services: Services,
        *,
        minimized: bool = False,
        interval_seconds: float | None = None,
        heartbeat_seconds: float = 30.0,
        wall: Callable[[], float] = time.time,
        settings_store: SettingsStore | None = None,
        autostart: Autostart | None = None,
        notifier: Notifier | None = None,
        full_every: timedelta | None = None,
        pending_every: timedelta | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.services = services
        self.minimized = minimized
        self.store = settings_store or SettingsStore()
        self.settings: DesktopSettings = self.store.load()
        self.autostart = autostart or Autostart()
        self.quitting = False
        minutes = clamp_interval_minutes(getattr(services.config, "check_interval_minutes", 5))
        self.tray = TrayIcon(self)
        self.notifier = notifier or pick_notifier(self.tray.tray, self)
        self.notifier.clicked.connect(self.open_on)
        extra: dict[str, Any] = {}
        if full_every is not None:
            extra["full_every"] = full_every
        if pending_every is not None:
            extra["pending_every"] = pending_every
        self.checker = BackgroundChecker(
            self._mailbox, RecordStore("", None, memory_only=True), self._prefs,
            interval_seconds=interval_seconds or minutes * 60.0, heartbeat_seconds=heartbeat_seconds,
            wall=wall, parent=self, **extra,
        )
        self.checker.notices_ready.connect(self._notify)
        self.checker.changed.connect(self.update_tray)
        self.checker.sign_in_needed.connect(self._sign_in_needed)
        self.checker.road_closed.connect(self._road_closed)
        from quarantine_checker.ui.service_watch import ServiceWatch

        self.service_watch = ServiceWatch(self)

        t = self.tray
        t.open_requested.connect(self.open_on)
        t.check_requested.connect(lambda: self.checker.check_now("tray menu"))
        t.pause_requested.connect(self.pause)
        t.settings_requested.connect(self.open_settings)
        t.sign_out_requested.connect(lambda: self.window.flow.sign_out())
        t.quit_requested.connect(self.quit)
        t.available.connect(self._tray_available)
        t.unavailable.connect(self._tray_unavailable)

        window.set_auto_refresh(False)
        window.close_to_tray = self._close_to_tray
        window.signed_in.connect(self.on_signed_in)
        window.signed_out.connect(self.on_signed_out)
        window.flow.services_replaced.connect(self._use_services)
        menus = getattr(window, "menus", None)
        if menus is not None:  # the window's File menu offers settings and pausing (GNOME has no tray menu)
            menus.connect_watch(self)
        self.update_tray()

    # --- start -------------------------------------------------------------------------------------
    def start(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setQuitOnLastWindowClosed(False)
        self.tray.show_when_available()
        if not self.minimized:
            self.window.show()

    def _tray_available(self) -> None:
        log.info("tray icon shown (%s notifications)", self.notifier.backend)
        self.update_tray()

    def _tray_unavailable(self) -> None:
        log.info("no system tray on this desktop: keeping an ordinary window")
        if not self.window.isVisible():
            self.window.show()

    # --- the account's session the checker lists through ------------------------------------------------
    def _use_services(self, services: Services) -> None:
        self.services = services  # a new organisation: its sessions are its own

    def _mailbox(self) -> MailboxSession:
        # Called on the checker's worker thread: the same session (and client) as the window's.
        return self.services.mailbox_session()

    def _prefs(self) -> WatchPrefs:
        return self.settings.prefs()

    # --- sign-in / sign-out ---------------------------------------------------------------------------------
    def _record_dir(self) -> Path | None:
        if getattr(self.services, "demo", None) is not None:
            return None  # an in-process demo keeps nothing
        base = paths.state_dir()
        return base / "demo" if getattr(self.services.config, "demo", False) else base

    def on_signed_in(self, identity: UserIdentity) -> None:
        account = f"{getattr(identity, 'tenant_id', '')}/{getattr(identity, 'upn', '')}"
        directory = self._record_dir()
        records = RecordStore(account, directory, memory_only=directory is None)
        self.checker._records = records
        from quarantine_checker.core.watch import Watcher

        self.checker.watcher = Watcher(records.load())
        self.checker.last_until = self.checker.last_full = self.checker.last_pending = None
        self.checker.start()
        session = self.services.mailbox_session()
        self.checker.follow(session)
        self.service_watch.follow(session)  # the service road's live events (nothing on the direct road)
        self._first_sign_in_autostart()
        self.update_tray()

    def on_signed_out(self) -> None:
        self.service_watch.stop()
        self.checker.stop(Attention.SIGNED_OUT)
        self.update_tray()

    def _first_sign_in_autostart(self) -> None:
        if self.settings.start_at_login is not None or getattr(self.services.config, "demo", False):
            return
        try:
            self.autostart.enable()
            self.settings.start_at_login = True
        except OSError as exc:
            log.warning("couldn't turn on start at login: %s", exc.strerror)
            self.settings.start_at_login = False
        self.store.save(self.settings)

    def _sign_in_needed(self, msg: UserMessage) -> None:
        self.window.flow.need_sign_in(msg)
        self.update_tray()

    def _road_closed(self, exc: NoDirectAccessError) -> None:
        self.window.flow.show_road_closed(exc)
        self.update_tray()

    # --- notifications ------------------------------------------------------------------------------------
    def _notify(self, found: list[Notice]) -> None:
        # The window needs no refresh of its own: the check that found this went through the session
        # it shows, so it already has the news.
        for notice in found:
            self.notifier.show(notice)

    def pause(self, until: timedelta | str | None) -> None:
        now = datetime.now().astimezone()
        if until is None:
            self.settings.paused_until = None
        elif until == "tomorrow":
            self.settings.paused_until = tomorrow_morning(now)
        elif isinstance(until, timedelta):
            self.settings.paused_until = now + until
        self.store.save(self.settings)
        self.update_tray()

    # --- window ---------------------------------------------------------------------------------------------
    def open_on(self, identity: str = "") -> None:
        w = self.window
        w.showNormal()
        w.raise_()
        w.activateWindow()
        if identity and w.identity is not None:
            w.open_message(identity)
        self.opened.emit(identity or "")

    def _close_to_tray(self) -> bool:
        if self.quitting:
            return False
        if not self.tray.is_visible():
            QTimer.singleShot(0, self._quit_app)
            return False
        if not self.settings.tray_note_shown:
            self.settings.tray_note_shown = True
            self.store.save(self.settings)
            self.notifier.show(Notice(
                None, self.tr("{0} is still running").format(APP_NAME),
                self.tr("It keeps checking for held mail in the background. Open it from its icon in the "
                        "system tray; Quit is in that icon's menu."), "", ()))
        return True

    def quit(self) -> None:
        self.quitting = True
        self.checker.stop(Attention.NONE)
        self.tray.hide()
        self.window.close()
        self._quit_app()

    def _quit_app(self) -> None:
        self.quitting = True
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def shutdown(self) -> None:
        self.service_watch.stop()
        self.checker.stop(Attention.NONE)
        self.checker.tasks.cancel_all()
        self.checker.tasks.wait_for_done(5_000)
        self.notifier.close()
        self.tray.hide()

    # --- settings -----------------------------------------------------------------------------------------
    def open_settings(self) -> None:
        from quarantine_checker.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings_context(), self.window if self.window.isVisible() else None)
        dialog.open()

    def settings_context(self) -> SettingsContext:
        """Only what the settings dialog needs, not this controller."""
        from quarantine_checker.ui.settings_dialog import SettingsContext

        def sign_out() -> None:
            self.checker.forget()
            self.window.flow.sign_out()

        return SettingsContext(
            settings=self.settings, save=lambda: self.store.save(self.settings), config=self.services.config,
            interval_seconds=self.checker.interval, autostart=self.autostart,
            signed_in=self.window.identity is not None, selected_sender=self.window.selected_sender,
            diagnostics=self.diagnostics, sign_out=sign_out, set_interval_minutes=self.set_interval_minutes,
            applied=self.update_tray,
        )

    def set_interval_minutes(self, minutes: int) -> None:
        self.checker.set_interval(clamp_interval_minutes(minutes) * 60.0)

    # --- tray ---------------------------------------------------------------------------------------
    def update_tray(self) -> None:
        signed_in = self.window.identity is not None and self.checker.running
        paused = self.settings.paused_until
        if paused is not None and paused <= datetime.now().astimezone():
            paused = self.settings.paused_until = None
        waiting = self.checker.waiting() if signed_in else []
        latest = tuple((m.identity, f"{clean_text(m.subject, 40) or '(no subject)'} — "
                                    f"{clean_text(m.sender_address, 40)}") for m in waiting[:5])
        att = self.checker.attention
        last = self.checker.stats.last_success
        checked = self.tr(" Last checked {0:%H:%M}.").format(last.astimezone()) if last else ""
        name = APP_NAME
        if not signed_in:
            text = self.tr("{0}: signed out — open to sign in").format(name)
            state = TrayState(TrayKind.ATTENTION, 0, text, signed_in=False, paused_until=paused)
        elif att == Attention.REFUSED:
            text = self.tr("{0}: Microsoft 365 isn't answering our checks.{1}").format(name, checked)
            state = TrayState(TrayKind.ATTENTION, len(waiting), text, latest, paused)
        elif att == Attention.OFFLINE:
            state = TrayState(TrayKind.ATTENTION, len(waiting),
                              self.tr("{0}: offline — will check again when the network is back.{1}")
                              .format(APP_NAME, checked), latest, paused)
        elif waiting:
            text = (self.tr("1 message is waiting for you") if len(waiting) == 1
                    else self.tr("{0} messages are waiting for you").format(len(waiting)))
            state = TrayState(TrayKind.HELD, len(waiting), f"{APP_NAME}: {text}.{checked}", latest, paused)
        else:
            text = self.tr("{0}: nothing is held for you.{1}").format(name, checked)
            state = TrayState(TrayKind.CLEAR, 0, text, (), paused)
        if paused is not None:
            note = self.tr(" Notifications paused until {0:%H:%M}.").format(paused)
            state = TrayState(state.kind, state.count, state.tooltip + note, state.latest, paused,
                              state.signed_in)
        self.tray.set_state(state)

    # --- diagnostics --------------------------------------------------------------------------------
    def diagnostics(self) -> str:
        """For "Copy diagnostic information": versions, where settings came from, checker state and the
        last errors. No tokens, no subjects or senders, no message identities."""
        import platform
        import sys

        import PySide6
        from PySide6.QtCore import qVersion
        from PySide6.QtWidgets import QSystemTrayIcon

        from quarantine_checker import __version__

        c = self.checker
        s = c.stats
        lines = [
            f"{APP_NAME} {__version__}",
            f"Python {sys.version.split()[0]} on {platform.platform()}",
            f"Qt {qVersion()}, PySide6 {PySide6.__version__}, platform plugin "
            f"{QApplication.platformName() if QApplication.instance() else '?'}",
            f"tray available: {QSystemTrayIcon.isSystemTrayAvailable()}, shown: {self.tray.is_visible()}",
            f"notifications: {self.notifier.backend}"
            + (" (no service answering: tray messages instead)" if getattr(self.notifier, "failed", False)
               else ""),
            f"checking: {'on' if c.running else 'paused'}, every {c.interval:.0f} s, "
            f"overlap {c.overlap.total_seconds() / 60:.0f} min",
            f"checks: {s.checks} ({s.full_checks} full), failures: {s.failures_total}, "
            f"consecutive: {c.failures}, attention: {c.attention or 'none'}",
            f"last success: {s.last_success.isoformat() if s.last_success else 'never'}",
            f"last error: {s.last_error or 'none'}"
            + (f" at {s.last_error_at.isoformat()}" if s.last_error_at else ""),
            f"next check: {c.next_due.isoformat() if c.next_due else '-'}",
            f"messages waiting: {len(c.waiting())}, told-record entries: {len(c.watcher.record.entries)}",
            f"notification kinds on: {', '.join(sorted(k.value for k in self.settings.categories)) or 'none'}"
            "; "
            f"muted senders: {len(self.settings.muted_sender_keys)}",
            f"start at login: {self.settings.start_at_login} ({self.autostart.describe()})",
            "settings:",
        ]
        describe = getattr(self.services.config, "describe_for_it", None)
        if callable(describe):
            lines.extend("  " + line for line in describe().splitlines())
        return "\n".join(lines)
