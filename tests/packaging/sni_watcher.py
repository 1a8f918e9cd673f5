"""A stand-in desktop panel for the session bus: a StatusNotifierWatcher that says a tray host is present.

Qt on Linux shows tray icons through the StatusNotifierItem (SNI) protocol when
``org.kde.StatusNotifierWatcher`` is on the session bus and reports ``IsStatusNotifierHostRegistered``;
only then is ``QSystemTrayIcon.isSystemTrayAvailable()`` true under Xvfb. This process plays that
watcher (no tray program is needed) and appends one JSON line per registered item to ``--log``, so a test
can check that an app's tray icon really registered. Run it as its own process on the test's bus:

    python sni_watcher.py --log items.jsonl     # prints "READY" once the name is owned

Written for this project with jeepney (ideas from the SNI spec, no code from panel implementations).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from jeepney import HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.wrappers import DBusAddress

NAME = "org.kde.StatusNotifierWatcher"
PATH = "/StatusNotifierWatcher"
IFACE = "org.kde.StatusNotifierWatcher"
DO_NOT_QUEUE = 4

INTROSPECTION = f"""<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
  <interface name="{IFACE}">
    <method name="RegisterStatusNotifierItem"><arg name="service" type="s" direction="in"/></method>
    <method name="RegisterStatusNotifierHost"><arg name="service" type="s" direction="in"/></method>
    <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
    <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
    <property name="ProtocolVersion" type="i" access="read"/>
    <signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
    <signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
    <signal name="StatusNotifierHostRegistered"/>
  </interface>
  <interface name="org.freedesktop.DBus.Properties">
    <method name="Get"><arg type="s" direction="in"/><arg type="s" direction="in"/>
      <arg type="v" direction="out"/></method>
    <method name="GetAll"><arg type="s" direction="in"/><arg type="a{{sv}}" direction="out"/></method>
  </interface>
  <interface name="org.freedesktop.DBus.Introspectable">
    <method name="Introspect"><arg type="s" direction="out"/></method>
  </interface>
</node>
"""


def serve(log_path: str) -> None:
    conn = open_dbus_connection(bus="SESSION")
    reply = conn.send_and_get_reply(message_bus.RequestName(NAME, DO_NOT_QUEUE))
    if reply.body[0] != 1:  # 1 = primary owner
        sys.exit(f"{NAME} is already owned on this bus")
    lookup = open_dbus_connection(bus="SESSION")  # a second connection: replies to it don't mix with calls
    items: list[str] = []
    emitter = DBusAddress(PATH, interface=IFACE)
    print("READY", flush=True)

    def properties() -> dict[str, tuple[str, object]]:
        return {
            "RegisteredStatusNotifierItems": ("as", list(items)),
            "IsStatusNotifierHostRegistered": ("b", True),
            "ProtocolVersion": ("i", 0),
        }

    while True:
        try:
            msg = conn.receive()
        except ConnectionError:  # the test's bus went away: our job is done
            return
        if msg.header.message_type != MessageType.method_call:
            continue
        fields = msg.header.fields
        iface, member = fields.get(HeaderFields.interface), fields.get(HeaderFields.member)
        if member == "Introspect":
            conn.send(new_method_return(msg, "s", (INTROSPECTION,)))
        elif iface == "org.freedesktop.DBus.Properties" and member == "Get":
            value = properties().get(msg.body[1])
            if value is None:
                conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownProperty", "s", (msg.body[1],)))
            else:
                conn.send(new_method_return(msg, "v", (value,)))
        elif iface == "org.freedesktop.DBus.Properties" and member == "GetAll":
            conn.send(new_method_return(msg, "a{sv}", (properties(),)))
        elif member == "RegisterStatusNotifierItem":
            service = msg.body[0]
            sender = fields.get(HeaderFields.sender, "")
            # Items may register by path only; then the sender's bus name is the service.
            full = service if not service.startswith("/") else f"{sender}{service}"
            items.append(full)
            pid = lookup.send_and_get_reply(message_bus.GetConnectionUnixProcessID(sender)).body[0]
            record = {"service": service, "sender": sender, "pid": pid, "time": time.time()}
            with open(log_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")
            conn.send(new_method_return(msg))
            conn.send(new_signal(emitter, "StatusNotifierItemRegistered", "s", (full,)))
        elif member == "RegisterStatusNotifierHost":
            conn.send(new_method_return(msg))
        else:
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (str(member),)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", required=True, help="append one JSON line per registered tray item here")
    serve(parser.parse_args().log)


if __name__ == "__main__":
    main()
