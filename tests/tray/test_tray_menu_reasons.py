"""Every greyed-out tray menu entry says why in its own words (menus show no tooltips)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from typing import Any

from quarantine_checker.ui.tray import TrayIcon, TrayKind, TrayState


def test_signed_out_menu_entries_say_why_they_are_greyed_out(qtbot: Any) -> None:
    from quarantine_checker.ui.app import ensure_application

    ensure_application()
    tray = TrayIcon()
    tray.set_state(TrayState(TrayKind.ATTENTION, 0, "signed out", signed_in=False))
    tray.menu_texts()  # rebuild as on opening
    disabled = [a.text() for a in tray.menu.actions() if not a.isSeparator() and not a.isEnabled()]
    assert disabled == ["Check now (sign in first)", "Sign out (not signed in)"]

    tray.set_state(TrayState(TrayKind.CLEAR, 0, "all clear", signed_in=True))
    texts = tray.menu_texts()
    assert "Check now" in texts and "Sign out" in texts
    assert all(a.isEnabled() for a in tray.menu.actions() if not a.isSeparator())
    tray.hide()
