"""Help where it is needed: the window's Help menu (what quarantine is, what each status means, who to
contact, the shortcuts, About, Copy details for IT), the helpdesk IT configured beside every "Copy
details for IT", and settings and pausing reachable from the window (stock GNOME shows no tray menu)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import add, signed_in

from quarantine_checker.core.vocabulary import STATUS_WORDS

HELPDESK = "it-admin@northwind.example"  # the demo organisation's configured helpdesk (wiring.demo_config)


def _open_dialog(qtbot: Any, kind: type) -> Any:
    def shown() -> bool:
        return any(isinstance(w, kind) and w.isVisible() for w in QApplication.topLevelWidgets())

    qtbot.waitUntil(shown, timeout=5_000)
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible())


def test_f1_opens_help_with_statuses_contact_and_shortcuts(qtbot: Any, window: Any) -> None:
    from quarantine_checker.ui.help_dialogs import HelpDialog

    window.activateWindow()
    signed_in(qtbot, window)
    qtbot.keyClick(window.list.search, Qt.Key.Key_F1)
    dialog = _open_dialog(qtbot, HelpDialog)
    assert "holds back mail" in dialog.what.text()
    assert set(dialog.statuses) == set(STATUS_WORDS.values())  # every status the list can show
    assert all(label.text() for label in dialog.statuses.values())
    assert HELPDESK in dialog.contact.text()
    # The shortcuts Help lists are the ones the window binds.
    assert "Ctrl+F" in dialog.shortcuts and "F1" in dialog.shortcuts
    dialog.close()


def test_about_says_version_licences_and_where_the_logs_are(qtbot: Any, window: Any) -> None:
    from quarantine_checker import __version__, paths
    from quarantine_checker.ui.help_dialogs import AboutDialog

    window.menus.about.trigger()
    dialog = _open_dialog(qtbot, AboutDialog)
    assert __version__ in dialog.version.text()
    assert str(paths.log_dir()) in dialog.logs.text()
    assert "MIT" in dialog.licences.text() and "LGPL" in dialog.licences.text()
    assert HELPDESK in dialog.contact.text()
    dialog.close()


def test_copy_details_for_it_from_the_help_menu(qtbot: Any, window: Any) -> None:
    from quarantine_checker import __version__, paths

    signed_in(qtbot, window)
    QApplication.clipboard().clear()
    window.menus.copy_details.trigger()
    copied = QApplication.clipboard().text()
    assert __version__ in copied and str(paths.log_dir()) in copied
    assert "signed in: yes" in copied and "tenant_id" in copied  # the settings and where they came from


def test_every_copy_details_for_it_names_the_helpdesk(qtbot: Any, window: Any) -> None:
    from quarantine_checker.ui.banner import BannerKind
    from quarantine_checker.ui.dialogs import ErrorDialog

    signed_in(qtbot, window)
    banner = window.banners.show_banner("service", BannerKind.ERROR, "Couldn't check", "Try again.",
                                        details="Error: ServiceError")
    assert banner.copy_button.isVisibleTo(banner) and HELPDESK in banner.contact.text()
    quiet = window.banners.show_banner("info", BannerKind.INFO, "Note", "Nothing for IT here.")
    assert not quiet.contact.isVisibleTo(quiet)
    dialog = ErrorDialog(window, "Couldn't show the message details", "Try again.", "Error: X")
    assert HELPDESK in dialog.contact.text()
    window.details.show_note("Couldn't release the message", details="Error: CommandError", retry=True)
    assert HELPDESK in window.details.note_contact.text()
    window.sign_in.show_error("Sign-in didn't work", "Try again.", "Error: SignInError")
    assert HELPDESK in window.sign_in.contact.text()


def test_settings_and_pause_are_in_the_window_menu(
    qtbot: Any, window: Any, tenant: Any, tmp_path: Any
) -> None:
    from quarantine_checker.ui.settings_dialog import SettingsDialog
    from quarantine_checker.ui.settings_store import SettingsStore
    from quarantine_checker.ui.watch_controller import WatchController

    add(tenant, "Weekly deals", kind="Bulk")
    menus = window.menus
    # Before the tray's controller exists the items are greyed out, and say why.
    assert not menus.settings.isEnabled() and menus.settings.toolTip()
    watch = WatchController(window, window.services, settings_store=SettingsStore(tmp_path / "s.json"))
    try:
        assert menus.settings.isEnabled()
        menus.settings.trigger()
        dialog = _open_dialog(qtbot, SettingsDialog)
        dialog.close()
        menus.pause_hour.trigger()
        assert watch.settings.paused_until is not None
        menus.resume.trigger()
        assert watch.settings.paused_until is None
    finally:
        watch.shutdown()


def test_the_shortcuts_help_lists_are_bound(qtbot: Any, window: Any) -> None:
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    from quarantine_checker.core.help_text import SHORTCUTS

    def portable(seq: QKeySequence) -> str:
        return seq.toString(QKeySequence.SequenceFormat.PortableText)

    bound = {portable(seq) for a in window.findChildren(QAction) for seq in a.shortcuts()}
    bound |= {portable(s.key()) for s in window.findChildren(QShortcut)}
    listed = {part.strip() for keys, _ in SHORTCUTS for part in keys.replace(" or ", "/").split("/")}
    # Tab, the arrows in the list and Alt for the menus are Qt's own; the rest the window binds itself.
    single = {portable(QKeySequence(k)) for k in listed
              if k and " " not in k and k not in ("Tab", "Shift+Tab", "Up", "Alt")}
    assert single, listed
    assert single <= bound, f"listed in Help but not bound: {sorted(single - bound)}"
