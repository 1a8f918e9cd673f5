"""``quarantine-checker --self-test``: can this installation actually run here?

Built for installers and IT: after a silent install (or in CI, on the frozen build) one command says, as
JSON on stdout, whether the things a frozen app typically loses are present and usable:

- ``qt``: the Qt platform plugin that loaded (``xcb``, ``wayland``, ``windows``, ``cocoa``); ``offscreen``
  and ``minimal`` are not usable because nobody would see the window;
- ``tray``: ``QSystemTrayIcon.isSystemTrayAvailable()`` (waited for briefly: at login the panel may
  come up after us);
- ``keyring``: the pinned backend (storage/keyring_facade.py) and a real round trip of a key-sized
  secret; a frozen app that lost keyring's backends fails here, not at the first sign-in;
- ``config``: where the settings come from and whether they load;
- ``resources``: the icons directory was found and the app icon renders (needs Qt's SVG plugin);
- ``network``: msal and msal-extensions import and requests has a CA bundle to verify TLS with;
- ``notifications``: a desktop notification service answers (``org.freedesktop.Notifications``'
  ``GetServerInformation`` on the session bus; Qt's tray messages on Windows and macOS). Without one the
  app falls back to Qt's tray message, which on most Linux panels needs that same service;
- ``autostart``: the command a login would run (start at login) names an executable that exists.

The JSON goes to stdout and, if ``QC_SELF_TEST_OUT`` names a file, there too (a windowed executable on
Windows may have no stdout).

Exit code 0 only if every check is usable, otherwise 7 (setup problem, docs/cli.md). Qt is imported
inside ``run`` only, so the command line stays Qt-free everywhere else.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from quarantine_checker import APP_NAME, __version__

EXIT_OK = 0
EXIT_SETUP = 7  # cli.exit_codes.ExitCode.SETUP; not imported to keep this module light
UNUSABLE_PLATFORMS = {"offscreen", "minimal", "minimalegl", "vnc", "linuxfb"}
TRAY_WAIT_SECONDS = 3.0
NOTIFY_WAIT_SECONDS = 3.0


def _guard(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    # One broken part must not hide what the others would have said.
    try:
        return check()
    except Exception as exc:
        return {"usable": False, "error": f"{type(exc).__name__}: {exc}"[:300]}


def check_keyring() -> dict[str, Any]:
    from quarantine_checker.storage.keyring_facade import SecretStore

    store = SecretStore()
    status = store.self_test()
    result: dict[str, Any] = {"backend": status.backend, "usable": status.available}
    if status.reason:
        result["reason"] = status.reason
    return result


def check_config(demo: bool) -> dict[str, Any]:
    from quarantine_checker import paths
    from quarantine_checker.config import load_config

    system_file = paths.system_config_file()
    if demo:
        return {"source": "demo tenant (in-process)", "usable": True, "system_file": str(system_file),
                "system_file_present": system_file.is_file()}
    config = load_config()
    labels = sorted(set(config.sources.values())) or ["defaults"]
    return {
        "source": labels,
        "usable": True,
        "needs_tenant": config.needs_tenant,  # not a failure: the first-run screen asks for it
        "system_file": str(system_file),
        "system_file_present": system_file.is_file(),
        "notes": list(config.notes),
    }


def check_network_stack() -> dict[str, Any]:
    import msal
    import msal_extensions  # noqa: F401  # the token cache needs it; frozen apps can lose it
    import requests.utils

    ca_bundle = requests.utils.DEFAULT_CA_BUNDLE_PATH
    ok = bool(ca_bundle) and os.path.isfile(ca_bundle)
    return {"msal": msal.__version__, "ca_bundle": ca_bundle, "usable": ok}


def check_notifications() -> dict[str, Any]:
    """Whether a notification the app sends would reach the screen (the notifier's own path)."""
    if sys.platform.startswith(("win", "darwin")):
        from PySide6.QtWidgets import QSystemTrayIcon

        supported = QSystemTrayIcon.supportsMessages()
        return {"backend": "tray-message", "usable": supported}
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return {"backend": "freedesktop", "usable": False, "reason": "no session bus"}
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import unwrap_msg

    from quarantine_checker.ui.notifier import BUS_NAME, INTERFACE, OBJECT_PATH

    addr = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=INTERFACE)
    with open_dbus_connection(bus="SESSION") as conn:
        try:
            body = unwrap_msg(conn.send_and_get_reply(new_method_call(addr, "GetServerInformation"),
                                                      timeout=NOTIFY_WAIT_SECONDS))
        except Exception as exc:  # no service on the bus, or it doesn't answer
            return {"backend": "freedesktop", "usable": False,
                    "reason": f"no notification service answers ({type(exc).__name__})"}
    server = body[0] if body and isinstance(body[0], str) else "?"
    return {"backend": "freedesktop", "server": server[:80], "usable": True}


def check_autostart() -> dict[str, Any]:
    """What a login would start (the tray helper's autostart entry), and whether that program exists."""
    try:
        from quarantine_checker.ui.autostart import launch_command
    except ModuleNotFoundError:  # a build without start-at-login: nothing that could be broken
        return {"usable": True, "note": "start at login is not part of this build"}
    command = launch_command()
    target = command[0]
    ok = os.path.isfile(target) and os.access(target, os.X_OK)
    return {"command": command, "usable": ok}


def _check_qt_and_resources() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    from PySide6.QtCore import QCoreApplication, QThread
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    app = QApplication.instance() or QApplication(sys.argv[:1])
    platform = QGuiApplication.platformName()
    qt = {"platform": platform, "usable": bool(platform) and platform not in UNUSABLE_PLATFORMS}

    deadline = time.monotonic() + TRAY_WAIT_SECONDS
    available = QSystemTrayIcon.isSystemTrayAvailable()
    while not available and qt["usable"] and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        QThread.msleep(100)
        available = QSystemTrayIcon.isSystemTrayAvailable()
    tray = {"available": available, "usable": available}

    resources = _guard(_check_resources)
    del app  # keep the QApplication alive until here; it is torn down with the process
    return qt, tray, resources


def _check_resources() -> dict[str, Any]:
    from quarantine_checker.ui.icons import icon_path, resources_dir

    root = resources_dir()
    path = icon_path("app")
    rendered = False
    if path is not None:
        from PySide6.QtGui import QIcon

        rendered = not QIcon(str(path)).pixmap(32, 32).isNull()
    return {"dir": str(root) if root else None, "app_icon_renders": rendered, "usable": rendered}


def collect(*, demo: bool = False) -> dict[str, Any]:
    report: dict[str, Any] = {
        "app": APP_NAME,
        "version": __version__,
        "frozen": bool(getattr(sys, "frozen", False)),
        "executable": sys.executable,
        "platform": sys.platform,
    }
    try:
        qt, tray, resources = _check_qt_and_resources()
    except Exception as exc:  # Qt itself would not load: every Qt-dependent check fails with the reason
        broken = {"usable": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        qt, tray, resources = broken, dict(broken, available=False), broken
    report["qt"] = qt
    report["tray"] = tray
    report["keyring"] = _guard(check_keyring)
    report["config"] = _guard(lambda: check_config(demo))
    report["resources"] = resources
    report["network"] = _guard(check_network_stack)
    report["notifications"] = _guard(check_notifications)
    report["autostart"] = _guard(check_autostart)
    checks = ("qt", "tray", "keyring", "config", "resources", "network", "notifications", "autostart")
    report["failed"] = [name for name in checks if not report[name].get("usable")]
    report["ok"] = not report["failed"]
    return report


def run(*, demo: bool = False, out: TextIO | None = None) -> int:
    """Print the report as JSON and return the exit code (0 only if everything is usable)."""
    report = collect(demo=demo)
    text = json.dumps(report, indent=2) + "\n"
    # A windowed Windows/macOS executable may have no stdout at all: CI and IT scripts can ask for a file.
    target = os.environ.get("QC_SELF_TEST_OUT", "").strip()
    if target:
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(text)
    stream = out or sys.stdout
    if stream is not None:
        stream.write(text)
        stream.flush()
    return EXIT_OK if report["ok"] else EXIT_SETUP
