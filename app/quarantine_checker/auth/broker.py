"""Windows WAM (Web Account Manager) through MSAL's broker, kept behind two small functions.

On Windows, WAM signs in with the work account already on the PC (no prompt at all when it is
still valid), satisfies device-based Conditional Access and keeps the refresh token out of our cache.
It cannot run on the Linux machines where the tests run, so everything WAM-specific is here and
nowhere else: tests check that the right arguments reach MSAL, and the browser flow stays the
fallback whenever WAM is not in use.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import Any

import msal


def _has_pymsalruntime() -> bool:
    return importlib.util.find_spec("pymsalruntime") is not None


def broker_app_kwargs(platform: str | None = None, *,
                      has_runtime: Callable[[], bool] = _has_pymsalruntime) -> dict[str, Any]:
    """Extra ``PublicClientApplication`` arguments: opt in to WAM on Windows only.

    MSAL *raises* if we opt in while ``pymsalruntime`` (the ``msal[broker]`` extra) is missing, so we only
    opt in when it is importable; without it the app simply uses the browser.
    """
    if (platform or sys.platform) != "win32" or not has_runtime():
        return {}
    return {"enable_broker_on_windows": True}


def broker_in_use(app: msal.PublicClientApplication) -> bool:
    """Whether MSAL actually initialised the broker (it silently falls back when WAM is unusable).

    ``_enable_broker`` is MSAL's own record of that decision; if a future MSAL renames it we read
    False and use the browser flow, which always works.
    """
    return bool(getattr(app, "_enable_broker", False))


def acquire_interactive_via_broker(
    app: Any,
    scopes: list[str],
    *,
    parent_window_handle: int | None,
    login_hint: str | None,
    select_account: bool,
    timeout: float,
) -> dict[str, Any]:
    """WAM sign-in. No ``prompt`` means "use the Windows account silently if it still works";
    ``select_account`` is for switching accounts. The native window needs a parent: the main window's
    HWND from the GUI (``int(window.winId())``), or MSAL's console sentinel from the command line."""
    handle = parent_window_handle if parent_window_handle is not None else (
        msal.PublicClientApplication.CONSOLE_WINDOW_HANDLE)
    result: dict[str, Any] = app.acquire_token_interactive(  # msal is untyped: its reply is a dict
        scopes,
        parent_window_handle=handle,
        login_hint=login_hint,
        prompt=msal.Prompt.SELECT_ACCOUNT if select_account else None,
        timeout=timeout,
    )
    return result
