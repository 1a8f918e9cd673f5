"""Where the keyboard is: right after launch (and after the list empties) it is on the list or the search
box, never on a button that a stray Space would press ("Sign out")."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import add, select, signed_in


def _still_signed_in(qtbot: Any, window: Any) -> bool:
    qtbot.wait(500)  # sign-out runs on the background helper; give it time to show
    return window.main.isVisible() and window.account_label.text().startswith("Signed in as")


@pytest.mark.parametrize("held", [0, 2])
def test_space_right_after_launch_does_not_sign_out(qtbot: Any, window: Any, tenant: Any, held: int) -> None:
    for i in range(held):
        add(tenant, f"Held message {i}")
    window.activateWindow()
    signed_in(qtbot, window)
    focus = QApplication.focusWidget()
    assert focus in (window.list.table, window.list.search), focus and focus.accessibleName()
    if held:
        assert focus is window.list.table  # the list is there: arrows move through it at once
    qtbot.keyClick(focus, Qt.Key.Key_Space)
    assert _still_signed_in(qtbot, window)


def test_deleting_the_last_message_leaves_the_keyboard_on_the_list(
    qtbot: Any, window: Any, tenant: Any
) -> None:
    ident = add(tenant, "Weekly deals", kind="Bulk")
    window.activateWindow()
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    window.list.table.setFocus()
    qtbot.keyClick(window.list.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.list.model.row_for(ident) is None, timeout=15_000)
    focus = QApplication.focusWidget()
    assert focus is window.list.search, focus and focus.accessibleName()
    qtbot.keyClick(focus, Qt.Key.Key_Space)
    assert _still_signed_in(qtbot, window)
