"""The window's menu bar: File (settings, pausing notifications, quit) and Help.

Stock GNOME shows no tray menu, so everything the tray menu offers that is not about one message must be
reachable from the window too. Settings, pausing and quitting belong to the tray's ``WatchController``;
until it exists (the first seconds of start-up, or a window without one) those items are greyed out and
say why. ``build_help_menu(window)`` is the one call the window makes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolButton

from quarantine_checker import APP_NAME
from quarantine_checker.ui.help_dialogs import AboutDialog, HelpDialog, copy_details_for_it

if TYPE_CHECKING:
    from quarantine_checker.ui.watch_controller import WatchController


class WindowMenus(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.watch: WatchController | None = None
        bar = window.menuBar()
        bar.setAccessibleName(self.tr("Menu bar"))
        for overflow in bar.findChildren(QToolButton):  # shown when the window is too narrow for the menus
            overflow.setAccessibleName(self.tr("More menus"))

        self.file_menu = bar.addMenu(self.tr("&File"))
        self.file_menu.setToolTipsVisible(True)  # a greyed-out item says why when hovered
        self.settings = self._add(self.file_menu, self.tr("&Settings…"), self._open_settings, "Ctrl+,")
        self.pause_menu = QMenu(self.tr("&Pause notifications"), self.file_menu)
        self.pause_menu.setToolTipsVisible(True)
        self.pause_hour = self._add(
            self.pause_menu, self.tr("For 1 hour"), lambda: self._pause(timedelta(hours=1))
        )
        self.pause_tomorrow = self._add(self.pause_menu, self.tr("Until tomorrow morning"),
                                        lambda: self._pause("tomorrow"))
        self.resume = self._add(self.pause_menu, self.tr("Resume notifications"), lambda: self._pause(None))
        self.file_menu.addMenu(self.pause_menu)
        self.file_menu.addSeparator()
        self.quit = self._add(self.file_menu, self.tr("&Quit"), self._quit, QKeySequence.StandardKey.Quit)

        self.help_menu = bar.addMenu(self.tr("&Help"))
        self.help = self._add(
            self.help_menu, self.tr("&Help"), self.show_help, QKeySequence.StandardKey.HelpContents
        )
        self.copy_details = self._add(
            self.help_menu, self.tr("&Copy details for IT"), self.copy_details_for_it
        )
        self.help_menu.addSeparator()
        self.about = self._add(self.help_menu, self.tr("&About {0}").format(APP_NAME), self.show_about)
        self._needs_watch = (self.settings, self.pause_hour, self.pause_tomorrow, self.resume, self.quit)
        for action in self._needs_watch:
            action.setEnabled(False)
            action.setToolTip(self.tr("Available once the app has finished starting."))

    def _add(self, menu: QMenu, text: str, slot: Callable[[], object],
             shortcut: str | QKeySequence.StandardKey | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.window.addAction(action)  # shortcuts work while the menu bar is closed
        return action

    def connect_watch(self, watch: WatchController) -> None:
        """The tray's controller is ready: settings, pausing and quitting now work from the window."""
        self.watch = watch
        for action in self._needs_watch:
            action.setEnabled(True)
            action.setToolTip("")

    # --- items ---------------------------------------------------------------------------------------
    def _open_settings(self) -> None:
        if self.watch is not None:
            self.watch.open_settings()

    def _pause(self, until: timedelta | str | None) -> None:
        if self.watch is not None:
            self.watch.pause(until)

    def _quit(self) -> None:
        if self.watch is not None:
            self.watch.quit()

    def show_help(self) -> HelpDialog:
        dialog = HelpDialog(self.window)
        dialog.open()
        return dialog

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self.window)
        dialog.open()
        return dialog

    def copy_details_for_it(self) -> str:
        return copy_details_for_it(self.window)


def build_help_menu(window: QMainWindow) -> WindowMenus:
    return WindowMenus(window)
