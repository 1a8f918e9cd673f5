"""Windows WAM (Web Account Manager) through MSAL's broker, kept behind a few small functions.

On Windows, WAM signs in with the work account already on the PC (no prompt at all when it is
still valid), satisfies device-based Conditional Access and keeps the refresh token out of our cache.
It cannot run on the Linux machines where the tests run, so everything WAM-specific is here and
nowhere else: tests check that the right arguments reach MSAL, and the browser flow stays the
fallback whenever WAM is not in use or fails to load.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import msal

from quarantine_checker.core.errors import SignInCancelled

from . import sign_in_errors as codes

log = logging.getLogger(__name__)

# MSAL's sentinel for "the console window": right for the command line only. The GUI passes its main
# window's HWND; a windowed exe has no console, so the sentinel would parent WAM's window to the desktop.
CONSOLE_WINDOW = msal.PublicClientApplication.CONSOLE_WINDOW_HANDLE
POLL_SECONDS = 0.1


def load_runtime() -> bool:
    """Import the broker for real, as MSAL will. ``find_spec`` would only prove that the file exists:
    a native library that fails to load (missing VC++ runtime, wrong architecture, an old Windows)
    raises ImportError/OSError/RuntimeError at import, and MSAL lets an ImportError out of the
    ``PublicClientApplication`` constructor, which would break every sign-in instead of using the browser."""
    try:
        importlib.import_module("pymsalruntime")
        importlib.import_module("msal.broker")  # what MSAL imports when it opts in
    except Exception as exc:  # any load failure means: no broker, use the browser
        log.info("Windows sign-in broker not available (%s); the browser will be used", type(exc).__name__)
        return False
    return True


def broker_app_kwargs(platform: str | None = None, *,
                      has_runtime: Callable[[], bool] = load_runtime) -> dict[str, Any]:
    """Extra ``PublicClientApplication`` arguments: opt in to WAM on Windows only, and only when the
    broker runtime really loads."""
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
    parent_window_handle: int,
    login_hint: str | None,
    select_account: bool,
    timeout: float,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """WAM sign-in. No ``prompt`` means "use the Windows account silently if it still works";
    ``select_account`` is for switching accounts. ``parent_window_handle``: the main window's HWND from
    the GUI (``int(window.winId())``), or ``CONSOLE_WINDOW`` from the command line.

    MSAL's broker call ignores ``timeout`` and has no cancel: it blocks until WAM's window closes. It
    runs on a daemon thread here so the app's Cancel and the timeout end the wait (SignInCancelled);
    a WAM window left open then has nobody waiting for it and its result is dropped."""
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def call() -> None:
        try:
            outcome["result"] = app.acquire_token_interactive(
                scopes,
                parent_window_handle=parent_window_handle,
                login_hint=login_hint,
                prompt=msal.Prompt.SELECT_ACCOUNT if select_account else None,
                timeout=timeout,
            )
        except BaseException as exc:  # handed to the waiting thread, which raises it there
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=call, name="wam-sign-in", daemon=True).start()
    deadline = time.monotonic() + timeout
    while not done.wait(POLL_SECONDS):
        if cancel is not None and cancel.is_set():
            raise SignInCancelled("Sign-in was cancelled.", code=codes.CANCELLED)
        if time.monotonic() >= deadline:
            raise SignInCancelled("Sign-in timed out waiting for the Windows sign-in window.",
                                  code=codes.TIMEOUT, timeout_seconds=timeout)
    if "error" in outcome:
        raise outcome["error"]
    result: dict[str, Any] = outcome["result"]  # msal is untyped: its reply is a dict
    return result
