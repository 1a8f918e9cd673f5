"""Windows: come back after an installer closes the app for an upgrade.

The MSI closes a running app before replacing its files (util:CloseApplication / the Restart Manager,
packaging/windows/quarantine-checker.wxs). The Restart Manager starts again the applications that
registered with RegisterApplicationRestart, with the command line they gave: ours comes back minimised,
in the tray, as at login. Not after a crash or hang (the user chose nothing), nor after a reboot (the
start-at-login entry does that).

The kernel32 call cannot run on the Linux test machines: it sits behind ``register``, and the tests check
the arguments it is given, not that Windows restarts the app.
"""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Callable

from quarantine_checker.ui.autostart import MINIMIZED_FLAG

log = logging.getLogger(__name__)

RESTART_NO_CRASH = 0x1
RESTART_NO_HANG = 0x2
RESTART_NO_REBOOT = 0x8
FLAGS = RESTART_NO_CRASH | RESTART_NO_HANG | RESTART_NO_REBOOT  # RESTART_NO_PATCH (0x4) left out: upgrades


def _kernel32_register() -> Callable[[str, int], int]:  # pragma: no cover - Windows only
    if sys.platform != "win32":  # also tells mypy to check the rest only as Windows code
        raise OSError(errno.ENOSYS, "Windows only")
    import ctypes

    fn = ctypes.WinDLL("kernel32").RegisterApplicationRestart
    fn.argtypes = [ctypes.c_wchar_p, ctypes.c_uint32]
    fn.restype = ctypes.c_long
    return fn


def register_for_restart(register: Callable[[str, int], int] | None = None) -> bool:
    """True if Windows accepted. The command line is the arguments only (Windows adds the program)."""
    try:
        result = (register or _kernel32_register())(MINIMIZED_FLAG, FLAGS)
    except (OSError, AttributeError) as exc:
        log.warning("couldn't register for restart after updates: %s", type(exc).__name__)
        return False
    if result != 0:
        log.warning("couldn't register for restart after updates (HRESULT 0x%08x)", result & 0xFFFFFFFF)
        return False
    return True
