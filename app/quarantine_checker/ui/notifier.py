"""Desktop notifications, with a click that opens the window on the message.

* Linux and other freedesktop systems: ``org.freedesktop.Notifications`` over the session D-Bus,
  spoken with jeepney on a worker thread. QtDBus can't be used from Python for this: PySide6 marshals
  ``Notify``'s arguments with the wrong signature (int as ``i``, list as ``av``), and a synchronous
  QtDBus call would hold the GIL. The worker also listens for ``ActionInvoked`` (the click) and
  ``NotificationClosed`` (forget the target).
* Windows and macOS (or Linux without a notification service): ``QSystemTrayIcon.showMessage`` and
  its ``messageClicked``. Only one tray message is visible at a time there, so a click opens the
  latest one's target.

If no notification service answers (none running, or ``Notify`` fails), a notice is not lost: it is
shown with Qt's tray message instead (if the tray supports it) and kept (the last few) to be sent again
when a notification service appears on the bus (``NameOwnerChanged``).

Text is plain: it has already passed ``core.watch.clean_text``. If the server renders markup
(``body-markup`` capability) the body is escaped, so a subject like ``<b>x</b>`` shows as typed.
"""

from __future__ import annotations

import html
import logging
import queue
import sys
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from quarantine_checker import APP_ID, APP_NAME
from quarantine_checker.core.watch import EventKind, Notice

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
TIMEOUT_MS = -1           # the server's default; errors stay until dismissed on servers that honour urgency
CALL_TIMEOUT = 5.0
KEEP_UNSENT = 5           # notices kept for when a notification service appears (older ones are stale)
_RESEND = object()        # outbox marker: a notification service appeared


def _category(notice: Notice) -> str:
    """The freedesktop category: new mail only for a newly held message; nothing for app notices."""
    if notice.kind is None:
        return ""
    return "email.arrived" if notice.kind is EventKind.HELD else "email"


def _kind_name(notice: Notice) -> str:
    return notice.kind.value if notice.kind is not None else "app"


class Notifier(QObject):
    clicked = Signal(str)   # identity to open ("" = the list)
    backend = "none"

    def show(self, notice: Notice) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class NullNotifier(Notifier):
    backend = "none"

    def show(self, notice: Notice) -> None:
        log.info("notification not shown (no notification service): %s", _kind_name(notice))


class TrayMessageNotifier(Notifier):
    """Qt's own tray balloon / Notification Center path (Windows, macOS)."""

    backend = "tray-message"

    def __init__(self, tray: QSystemTrayIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._target = ""
        tray.messageClicked.connect(lambda: self.clicked.emit(self._target))

    def show(self, notice: Notice) -> None:
        self._target = notice.identity
        icon = (QSystemTrayIcon.MessageIcon.Warning if notice.kind in (EventKind.HELD, EventKind.EXPIRING)
                else QSystemTrayIcon.MessageIcon.Information)
        self._tray.showMessage(notice.title, notice.body, icon, 15_000)

    def can_show(self) -> bool:
        return self._tray.isVisible() and QSystemTrayIcon.supportsMessages()


class _Relay(QObject):
    invoked = Signal(str)
    undelivered = Signal(object)   # Notice the notification service did not take


class FreedesktopNotifier(Notifier):
    """org.freedesktop.Notifications via jeepney on its own threads (see module docstring)."""

    backend = "freedesktop"

    def __init__(self, parent: QObject | None = None, *, icon: str = "",
                 tray: QSystemTrayIcon | None = None) -> None:
        super().__init__(parent)
        self._icon = icon
        self._targets: dict[int, str] = {}
        self._lock = threading.Lock()
        self._outbox: queue.Queue[Any] = queue.Queue()
        self._ready = threading.Event()
        self._markup = False
        self.failed = False
        self.sent: list[int] = []          # ids the server gave us (tests, diagnostics)
        self._unsent: list[Notice] = []    # sender thread only
        self._router: Any = None
        self._signals: Any = None
        self._relay = _Relay(self)         # Qt queues the emit from our thread to the UI thread
        self._relay.invoked.connect(self._on_invoked)
        self._fallback = TrayMessageNotifier(tray, self) if tray is not None else None
        if self._fallback is not None:
            self._fallback.clicked.connect(self.clicked)
        self._relay.undelivered.connect(self._show_fallback)
        self._sender = threading.Thread(target=self._send_loop, name="qc-notify", daemon=True)
        self._sender.start()

    # --- UI thread -------------------------------------------------------------------------------
    def show(self, notice: Notice) -> None:
        self._outbox.put(notice)

    def close(self) -> None:
        self._outbox.put(None)
        if self._signals is not None:
            self._signals.put(None)
        self._sender.join(timeout=2)
        if self._router is not None:
            try:
                self._router.close()
            except Exception as exc:  # closing a dead connection: nothing left to do
                log.debug("closing the D-Bus connection: %s", type(exc).__name__)

    def _on_invoked(self, target: str) -> None:
        self.clicked.emit(target)

    def _show_fallback(self, notice: Notice) -> None:
        if self._fallback is not None and self._fallback.can_show():
            log.info("notification shown as a tray message instead: %s", _kind_name(notice))
            self._fallback.show(notice)
        else:
            log.info("notification kept until a notification service appears: %s", _kind_name(notice))

    # --- worker threads -----------------------------------------------------------------------------
    def _connect(self) -> bool:
        """The bus, our signal subscriptions and (if one runs) the notification service's capabilities.

        Without a session bus nothing can work (False). Without a service the connection stays, so
        ``NameOwnerChanged`` tells us when one appears.
        """
        from jeepney import MatchRule, message_bus
        from jeepney.io.threading import DBusRouter, open_dbus_connection

        try:
            self._router = DBusRouter(open_dbus_connection(bus="SESSION"))
            rule = MatchRule(type="signal", interface=INTERFACE, path=OBJECT_PATH)
            owner = MatchRule(type="signal", sender="org.freedesktop.DBus", interface="org.freedesktop.DBus",
                              member="NameOwnerChanged", path="/org/freedesktop/DBus")
            owner.add_arg_condition(0, BUS_NAME)
            self._signals = queue.Queue()
            self._router.filter(rule, queue=self._signals, bufsize=64)
            self._router.filter(owner, queue=self._signals, bufsize=8)
            self._router.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT)
            self._router.send_and_get_reply(message_bus.AddMatch(owner), timeout=CALL_TIMEOUT)
        except Exception as exc:
            log.warning("session bus not reachable for notifications: %s", type(exc).__name__)
            self.failed = True
            return False
        threading.Thread(target=self._signal_loop, name="qc-notify-signals", daemon=True).start()
        self._capabilities()
        return True

    def _capabilities(self) -> bool:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        addr = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=INTERFACE)
        try:
            # unwrap_msg: an error reply (no such service) raises instead of passing for an answer
            reply = unwrap_msg(self._router.send_and_get_reply(new_method_call(addr, "GetCapabilities"),
                                                               timeout=CALL_TIMEOUT))
        except Exception as exc:
            log.warning("desktop notification service not reachable: %s", type(exc).__name__)
            self.failed = True
            return False
        caps = reply[0] if reply and isinstance(reply[0], list) else []
        self._markup = "body-markup" in caps
        self.failed = False
        return True

    def _send_loop(self) -> None:
        connected = self._connect()
        self._ready.set()
        while True:
            item = self._outbox.get()
            if item is None:
                return
            if item is _RESEND:
                if connected and self._capabilities():
                    waiting, self._unsent = self._unsent, []
                    log.info("a notification service appeared: sending %d kept notification(s)", len(waiting))
                    for notice in waiting:
                        self._deliver(notice, fallback=False)
                continue
            if not connected:
                connected = self._connect()  # the bus may have come up since
            if connected:
                self._deliver(item, fallback=True)
            else:
                self._undelivered(item, fallback=True)

    def _deliver(self, notice: Notice, *, fallback: bool) -> None:
        if not self._notify(notice):
            self._undelivered(notice, fallback=fallback)

    def _undelivered(self, notice: Notice, *, fallback: bool) -> None:
        self._unsent = [*self._unsent, notice][-KEEP_UNSENT:]
        if fallback:
            self._relay.undelivered.emit(notice)

    def _notify(self, notice: Notice) -> bool:
        from jeepney import DBusAddress, new_method_call

        addr = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=INTERFACE)
        from jeepney.wrappers import unwrap_msg

        body = html.escape(notice.body, quote=False) if self._markup else notice.body
        summary = notice.title
        hints: dict[str, tuple[str, Any]] = {"desktop-entry": ("s", APP_ID), "urgency": ("y", 1)}
        category = _category(notice)
        if category:
            hints["category"] = ("s", category)
        args = (APP_NAME, 0, self._icon, summary, body, ["default", "Open"], hints, TIMEOUT_MS)
        msg = new_method_call(addr, "Notify", "susssasa{sv}i", args)
        try:
            nid = int(unwrap_msg(self._router.send_and_get_reply(msg, timeout=CALL_TIMEOUT))[0])
        except Exception as exc:
            log.warning("Notify failed: %s", type(exc).__name__)
            return False
        with self._lock:
            self._targets[nid] = notice.identity
            if len(self._targets) > 200:  # servers that never send NotificationClosed
                for old in list(self._targets)[:100]:
                    del self._targets[old]
        self.sent.append(nid)
        return True

    def _signal_loop(self) -> None:
        from jeepney import HeaderFields

        q = self._signals
        while True:
            msg = q.get()
            if msg is None:
                return
            member = msg.header.fields.get(HeaderFields.member)
            body = msg.body if isinstance(msg.body, tuple) else ()
            if member == "NameOwnerChanged":
                if len(body) == 3 and body[0] == BUS_NAME and body[2]:
                    self._outbox.put(_RESEND)
                continue
            if len(body) < 1 or not isinstance(body[0], int):
                continue  # a malformed signal from some other program
            if member == "ActionInvoked" and len(body) == 2 and body[1] in ("default", "Open"):
                # Look the target up here: the NotificationClosed that follows the click would
                # otherwise remove it before the UI thread gets to it.
                with self._lock:
                    target = self._targets.pop(int(body[0]), None)
                if target is not None:  # a notification of ours, not another app's
                    self._relay.invoked.emit(target)
            elif member == "NotificationClosed":
                with self._lock:
                    self._targets.pop(int(body[0]), None)


def pick_notifier(tray: QSystemTrayIcon | None, parent: QObject | None = None) -> Notifier:
    """freedesktop on Linux/BSD with a session bus; Qt tray messages elsewhere; else nothing."""
    import os

    if not sys.platform.startswith(("win", "darwin")) and os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return FreedesktopNotifier(parent, icon=APP_ID, tray=tray)
    if tray is not None and QSystemTrayIcon.supportsMessages():
        return TrayMessageNotifier(tray, parent)
    return NullNotifier(parent)
