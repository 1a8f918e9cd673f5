"""A fake desktop for tests: the StatusNotifierWatcher (tray) and the notification server, on jeepney.

Run as its own process (never a thread in the test process: Qt's synchronous D-Bus calls hold the
GIL, so an in-process fake could never answer them):

    python fake_desktop_bus.py EVENTS.jsonl

It owns ``org.kde.StatusNotifierWatcher`` and ``org.freedesktop.Notifications`` on the session bus,
appends every ``RegisterStatusNotifierItem`` (``{"kind": "tray_item", "pid": …}``) and ``Notify``
(``{"kind": "notify", ...}``) as one JSON line to EVENTS.jsonl, prints READY once both names are
owned, and exits when its stdin is closed. A JSON line on stdin ``{"cmd": "invoke", "id": N}`` makes
it behave like a user clicking notification N: it emits ``ActionInvoked(N, "default")`` and then
``NotificationClosed(N, 2)``. ``{"cmd": "notify_service", "on": false}`` gives up the notification
service's name (as if no notification daemon ran) and ``"on": true`` takes it again (one appearing);
``{"cmd": "refuse_notify", "count": N}`` answers the next N ``Notify`` calls with an error (recorded as
``notify_refused``), like a daemon that is there but broken.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection as open_blocking_connection
from jeepney.io.threading import open_dbus_connection

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
NOTIFY = "org.freedesktop.Notifications"
NOTIFY_PATH = "/org/freedesktop/Notifications"
PROPS = "org.freedesktop.DBus.Properties"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"

WATCHER_XML = f"""<node><interface name="{WATCHER}">
<method name="RegisterStatusNotifierItem"><arg name="service" type="s" direction="in"/></method>
<method name="RegisterStatusNotifierHost"><arg name="service" type="s" direction="in"/></method>
<property name="RegisteredStatusNotifierItems" type="as" access="read"/>
<property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
<property name="ProtocolVersion" type="i" access="read"/>
<signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
<signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
<signal name="StatusNotifierHostRegistered"/>
</interface></node>"""
NOTIFY_XML = f"""<node><interface name="{NOTIFY}">
<method name="Notify"><arg type="s" direction="in"/><arg type="u" direction="in"/>
<arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="s" direction="in"/>
<arg type="as" direction="in"/>
<arg type="a{{sv}}" direction="in"/><arg type="i" direction="in"/><arg type="u" direction="out"/></method>
<method name="GetCapabilities"><arg type="as" direction="out"/></method>
<method name="GetServerInformation"><arg type="s" direction="out"/><arg type="s" direction="out"/>
<arg type="s" direction="out"/><arg type="s" direction="out"/></method>
<method name="CloseNotification"><arg type="u" direction="in"/></method>
<signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
<signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
</interface></node>"""


class FakeDesktop:
    def __init__(self, out_path: str) -> None:
        self.out = open(out_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - open for the process's life
        self.conn = open_dbus_connection(bus="SESSION")
        # A second connection for questions to the bus itself, so their replies never mix with calls.
        self.lookup = open_blocking_connection(bus="SESSION")
        self.items: list[str] = []
        self.next_id = 0
        self.refuse = 0
        self.lock = threading.Lock()

    def record(self, event: dict) -> None:
        event["t"] = time.time()
        with self.lock:
            self.out.write(json.dumps(event) + "\n")

    def own(self, name: str) -> None:
        reply = self._call(message_bus.RequestName(name, 4))  # DO_NOT_QUEUE
        if reply.body[0] != 1:
            raise SystemExit(f"could not own {name}: RequestName returned {reply.body[0]}")

    def _call(self, msg):  # a simple synchronous call, before the loop starts
        serial = next(self.conn.outgoing_serial)
        self.conn.send(msg, serial=serial)
        while True:
            reply = self.conn.receive(timeout=5)
            if reply.header.fields.get(HeaderFields.reply_serial) == serial:
                return reply

    def send(self, msg) -> None:
        self.conn.send(msg)

    # --- method calls ----------------------------------------------------------------------------------
    def handle(self, msg) -> None:
        h = msg.header
        if h.message_type is not MessageType.method_call:
            return
        iface = h.fields.get(HeaderFields.interface)
        member = h.fields.get(HeaderFields.member)
        path = h.fields.get(HeaderFields.path)
        try:
            reply = self.dispatch(msg, path, iface, member)
        except Exception as exc:  # answer, never crash the fake
            reply = new_error(msg, "org.freedesktop.DBus.Error.Failed", "s", (repr(exc),))
        if reply is not None:
            self.send(reply)

    def watcher_props(self) -> dict:
        return {"RegisteredStatusNotifierItems": ("as", list(self.items)),
                "IsStatusNotifierHostRegistered": ("b", True), "ProtocolVersion": ("i", 0)}

    def dispatch(self, msg, path, iface, member):
        if member == "Introspect":
            xml = WATCHER_XML if path == WATCHER_PATH else NOTIFY_XML if path == NOTIFY_PATH else "<node/>"
            return new_method_return(msg, "s", (xml,))
        if iface == PROPS and path == WATCHER_PATH:
            if member == "Get":
                _, prop = msg.body
                props = self.watcher_props()
                if prop in props:
                    return new_method_return(msg, "v", (props[prop],))
                return new_error(msg, "org.freedesktop.DBus.Error.InvalidArgs", "s", (prop,))
            if member == "GetAll":
                return new_method_return(msg, "a{sv}", (self.watcher_props(),))
        if member == "RegisterStatusNotifierItem":
            service = msg.body[0] if msg.body else ""
            sender = msg.header.fields.get(HeaderFields.sender, "")
            if service.startswith("/"):  # some clients pass an object path: the sender is the service
                service = sender
            self.items.append(service)
            # The registering process, so a test can tell its app's icon from any other.
            pid = self.lookup.send_and_get_reply(message_bus.GetConnectionUnixProcessID(sender)).body[0]
            self.record({"kind": "tray_item", "service": service, "sender": sender, "pid": pid})
            self.send(new_signal(DBusAddress(WATCHER_PATH, interface=WATCHER), "StatusNotifierItemRegistered",
                                 "s", (service,)))
            return new_method_return(msg)
        if member == "RegisterStatusNotifierHost":
            return new_method_return(msg)
        if iface == NOTIFY or path == NOTIFY_PATH:
            if member == "Notify":
                app, replaces, icon, summary, body, actions, hints, timeout = msg.body
                with self.lock:
                    refused = self.refuse > 0
                    self.refuse -= 1 if refused else 0
                if refused:
                    self.record({"kind": "notify_refused", "summary": summary})
                    return new_error(msg, "org.freedesktop.DBus.Error.Failed", "s", ("refused by the test",))
                with self.lock:
                    self.next_id += 1
                    nid = self.next_id
                self.record({"kind": "notify", "id": nid, "app": app, "replaces": replaces, "icon": icon,
                             "summary": summary, "body": body, "actions": list(actions),
                             "hints": sorted(hints), "timeout": timeout,
                             "category": hints.get("category", ("s", ""))[1]})
                return new_method_return(msg, "u", (nid,))
            if member == "GetCapabilities":
                return new_method_return(msg, "as", (["body", "actions", "icon-static"],))
            if member == "GetServerInformation":
                return new_method_return(msg, "ssss", ("fake-desktop-bus", "tests", "1.0", "1.2"))
            if member == "CloseNotification":
                return new_method_return(msg)
        return new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (f"{iface}.{member}",))

    # --- stdin commands ----------------------------------------------------------------------------------
    def commands(self) -> None:
        for line in sys.stdin:
            try:
                cmd = json.loads(line)
            except ValueError:
                continue
            if cmd.get("cmd") == "invoke":
                nid = int(cmd["id"])
                addr = DBusAddress(NOTIFY_PATH, interface=NOTIFY)
                self.send(new_signal(addr, "ActionInvoked", "us", (nid, cmd.get("action", "default"))))
                self.send(new_signal(addr, "NotificationClosed", "uu", (nid, 2)))
                self.record({"kind": "invoked", "id": nid})
            elif cmd.get("cmd") == "notify_service":
                if cmd.get("on"):
                    self.send(message_bus.RequestName(NOTIFY, 4))
                else:
                    self.send(message_bus.ReleaseName(NOTIFY))
                self.record({"kind": "notify_service", "on": bool(cmd.get("on"))})
            elif cmd.get("cmd") == "refuse_notify":
                with self.lock:
                    self.refuse = int(cmd.get("count", 1))
                self.record({"kind": "refuse_notify", "count": self.refuse})
        os._exit(0)  # stdin closed: the test is done with us

    def run(self) -> None:
        self.own(WATCHER)
        self.own(NOTIFY)
        print("READY", flush=True)
        threading.Thread(target=self.commands, daemon=True).start()
        while True:
            self.handle(self.conn.receive())


if __name__ == "__main__":
    FakeDesktop(sys.argv[1]).run()
