"""The real desktop app (window + tray controller) in a child process, for the tray tests.

    python tray_app.py '<json options>'

Options: ``demo`` (DemoTenant.describe() of a tenant the test runs), ``interval`` and ``heartbeat``
(seconds), ``minimized``. It signs in through the demo IdP like the real app, then reports on stdout
as JSON lines: ready / check (kind) / checked (ok) / opened (identity) / tray (available). On stdin it
takes ``{"cmd": "jump", "seconds": N}`` (move the wall clock the checker sees, like a suspend or a
clock change), ``request`` (select a message and press "Request release"), ``details`` (what the details
pane says), ``close_window``, ``menu``, ``settings``, ``state`` and ``{"cmd": "quit"}``. Only the clock
and the interval are test knobs; everything else is the shipped code.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from datetime import timedelta

os.environ["QT_QPA_PLATFORM"] = "xcb"


def main() -> int:
    opts = json.loads(sys.argv[1])
    from PySide6.QtCore import QObject, Signal

    from quarantine_checker import wiring
    from quarantine_checker.core.watch import EventKind
    from quarantine_checker.ui.app import ensure_application
    from quarantine_checker.ui.main_window import MainWindow
    from quarantine_checker.ui.watch_controller import WatchController

    app = ensure_application()
    config = wiring.demo_config(opts["demo"])
    if opts.get("service"):  # the service road: the organisation service the test runs beside the tenant
        from dataclasses import replace

        config = replace(config, service_url=opts["service"]["url"], service_scope=opts["service"]["scope"])
    services = wiring.build_services(config)
    offset = [0.0]

    def emit(**event: object) -> None:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()

    class Commands(QObject):
        got = Signal(dict)

    commands = Commands()
    window = MainWindow(services)
    watch = WatchController(window, services, minimized=bool(opts.get("minimized")),
                            interval_seconds=float(opts.get("interval", 2)),
                            heartbeat_seconds=float(opts.get("heartbeat", 0.5)),
                            wall=lambda: time.time() + offset[0],
                            pending_every=timedelta(seconds=float(opts.get("pending_every", 300))))
    c = watch.checker
    c.check_started.connect(lambda kind: emit(event="check", kind=kind, t=time.time()))
    c.check_finished.connect(lambda ok: emit(event="checked", ok=ok, failures=c.failures, t=time.time()))
    watch.opened.connect(lambda ident: emit(event="opened", identity=ident,
                                            selected=[r.identity for r in window.list.selected_rows()]))
    watch.tray.available.connect(lambda: emit(event="tray", available=True))
    watch.tray.unavailable.connect(lambda: emit(event="tray", available=False))
    window.refreshed.connect(lambda: emit(event="refreshed",
                                          selected=[r.identity for r in window.list.selected_rows()]))
    window.signed_in.connect(lambda ident: emit(event="signed_in", upn=ident.upn))

    def on_command(cmd: dict) -> None:
        if cmd.get("cmd") == "jump":
            offset[0] += float(cmd["seconds"])
        elif cmd.get("cmd") == "quit":
            watch.quit()
        elif cmd.get("cmd") == "menu":
            emit(event="menu", clicked=watch.tray.trigger(cmd["text"]))
        elif cmd.get("cmd") == "settings":
            from PySide6.QtWidgets import QPushButton

            from quarantine_checker.ui.autostart import desktop_entry_path
            from quarantine_checker.ui.settings_dialog import SettingsDialog

            dialog = SettingsDialog(watch.settings_context())
            dialog.start_at_login.setChecked(bool(cmd["start_at_login"]))
            dialog.categories[EventKind(cmd["off"])].setChecked(False) if cmd.get("off") else None
            dialog.interval.setValue(int(cmd.get("minutes", 5)))
            ok = dialog.apply()
            emit(event="settings", ok=ok, autostart_file=desktop_entry_path().is_file(),
                 interval=watch.checker.interval, copied=dialog.copy_diagnostics()[:40],
                 disabled_without_reason=[b.text() for b in dialog.findChildren(QPushButton)
                                          if not b.isEnabled() and not b.toolTip()])
            dialog.deleteLater()
        elif cmd.get("cmd") == "request":
            # What a person does: select the message and press the details pane's main button.
            selected = window.list.select_identities([cmd["identity"]])
            primary = window.details.action_bar.primary
            clicked = bool(selected) and primary.isEnabled() and primary.text().startswith("Request release")
            if clicked:
                primary.click()
            emit(event="request", clicked=clicked, button=primary.text())
        elif cmd.get("cmd") == "details":
            emit(event="details", status=window.details.status.text(),
                 note=window.details.note_text.text() if window.details.note.isVisible() else "")
        elif cmd.get("cmd") == "close_window":
            window.close()
            emit(event="closed", window_visible=window.isVisible())
        elif cmd.get("cmd") == "window":
            emit(event="window", banners={k: b.title.text() for k, b in window.banners._banners.items()},
                 rows={r.identity: r.status_key for r in window.list.model.rows()})
        elif cmd.get("cmd") == "state":
            emit(event="state", tooltip=watch.tray.state.tooltip, kind=watch.tray.state.kind,
                 count=watch.tray.state.count, menu=watch.tray.menu_texts(),
                 window_visible=window.isVisible(), diagnostics=watch.diagnostics())

    commands.got.connect(on_command)

    def read_stdin() -> None:
        for line in sys.stdin:
            try:
                commands.got.emit(json.loads(line))
            except ValueError:
                continue
        commands.got.emit({"cmd": "quit"})

    threading.Thread(target=read_stdin, daemon=True).start()
    watch.start()
    window.start()
    emit(event="ready")
    code = app.exec()
    watch.shutdown()
    window.tasks.cancel_all()
    window.tasks.wait_for_done(5000)
    emit(event="exit", code=code)
    return code


if __name__ == "__main__":
    sys.exit(main())
