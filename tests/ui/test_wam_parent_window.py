"""The window's sign-in hands its own window handle to the session, so on Windows the broker's (WAM's)
sign-in window opens over the app instead of behind it. Real window, real demo sign-in; WAM itself cannot
run here, so what is checked is the handle the session will give MSAL, not where Windows puts the window."""

from __future__ import annotations

from typing import Any

import msal
from ui_helpers import signed_in


def test_the_window_sign_in_parents_wam_to_the_main_window(qtbot: Any, window: Any) -> None:
    auth = window.services.auth
    assert auth.parent_window_handle is None
    signed_in(qtbot, window)  # the demo signs in through the window's own sign-in flow
    assert auth.parent_window_handle == int(window.winId())
    assert auth.parent_window_handle != msal.PublicClientApplication.CONSOLE_WINDOW_HANDLE
