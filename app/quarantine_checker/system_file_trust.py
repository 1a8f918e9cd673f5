"""Whether the machine-wide settings file may be believed: who owns it.

That file sets the organisation, the helpdesk and locked settings for every user of the computer, so one
that any local user could have planted (e.g. in a ProgramData folder created before the installer, or in
/etc/xdg by a misconfigured image) must not be used. Trusted owners: the system (root; on Windows SYSTEM
or the Administrators group, which owns what elevated administrators and installers create), or the
person running the app, who could put the same values in their own settings file anyway. Anything else
is ignored and named in the diagnostics IT sees.

The Windows owner comes from GetNamedSecurityInfoW through ctypes, behind ``windows_owner_sid``: that call
cannot run on the Linux test machines, which test the rule, not the call.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

SYSTEM_SID = "S-1-5-18"
ADMINISTRATORS_SID = "S-1-5-32-544"
TRUSTED_WINDOWS_OWNERS = {SYSTEM_SID: "SYSTEM", ADMINISTRATORS_SID: "Administrators"}


def windows_owner_sid(path: Path) -> str:  # pragma: no cover - Windows only
    if sys.platform != "win32":  # also tells mypy to check the rest only as Windows code
        raise OSError(errno.ENOSYS, "Windows only")
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    owner = ctypes.c_void_p()
    descriptor = ctypes.c_void_p()
    se_file_object, owner_security_information = 1, 1
    err = advapi32.GetNamedSecurityInfoW(wintypes.LPCWSTR(str(path)), se_file_object,
                                         owner_security_information, ctypes.byref(owner), None, None, None,
                                         ctypes.byref(descriptor))
    if err:
        raise OSError(err, "GetNamedSecurityInfoW failed", str(path))
    text = wintypes.LPWSTR()
    try:
        if not advapi32.ConvertSidToStringSidW(owner, ctypes.byref(text)):
            raise ctypes.WinError(ctypes.get_last_error())
        sid = text.value or ""
        kernel32.LocalFree(text)
    finally:
        kernel32.LocalFree(descriptor)
    return sid


def current_user_sid() -> str:  # pragma: no cover - Windows only
    """The running user's SID (OpenProcessToken + GetTokenInformation(TokenUser)); no console program is
    started, which would flash a window from the windowed app."""
    if sys.platform != "win32":  # also tells mypy to check the rest only as Windows code
        raise OSError(errno.ENOSYS, "Windows only")
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.GetCurrentProcess.restype = wintypes.HANDLE
    token = wintypes.HANDLE()
    token_query, token_user = 0x0008, 1
    if not advapi32.OpenProcessToken(kernel32.GetCurrentProcess(), token_query, ctypes.byref(token)):
        raise ctypes.WinError(ctypes.get_last_error())
    try:
        size = wintypes.DWORD()
        advapi32.GetTokenInformation(token, token_user, None, 0, ctypes.byref(size))
        buf = ctypes.create_string_buffer(size.value)
        if not advapi32.GetTokenInformation(token, token_user, buf, size, ctypes.byref(size)):
            raise ctypes.WinError(ctypes.get_last_error())
        sid = ctypes.c_void_p.from_buffer(buf).value  # TOKEN_USER starts with SID_AND_ATTRIBUTES.Sid
        text = wintypes.LPWSTR()
        if not advapi32.ConvertSidToStringSidW(ctypes.c_void_p(sid), ctypes.byref(text)):
            raise ctypes.WinError(ctypes.get_last_error())
        value = text.value or ""
        kernel32.LocalFree(text)
        return value
    finally:
        kernel32.CloseHandle(token)


def distrust_reason(path: Path, platform: str | None = None, *,
                    owner_sid: Callable[[Path], str] | None = None,
                    user_sid: Callable[[], str] | None = None) -> str | None:
    """None if the file may be used (or does not exist); else why not, in words for IT."""
    platform = platform or sys.platform
    if not os.path.lexists(path):
        return None  # absent: nothing to trust or distrust
    try:
        if platform.startswith("win"):
            sid = (owner_sid or windows_owner_sid)(path)
            if sid in TRUSTED_WINDOWS_OWNERS or sid == (user_sid or current_user_sid)():
                return None
            return (f"owned by {sid or 'nobody'}, not SYSTEM or Administrators (make it theirs: "
                    f"icacls \"{path}\" /setowner *{ADMINISTRATORS_SID})")
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"its owner can't be checked ({exc.strerror or type(exc).__name__})"
    # os.getuid exists only off Windows, which this branch is (the ignore is for mypy --platform win32).
    if st.st_uid not in (0, os.getuid()):  # type: ignore[attr-defined, unused-ignore]
        return f"owned by user id {st.st_uid}, not root (sudo chown root: \"{path}\")"
    if stat.S_IMODE(st.st_mode) & 0o002:
        return f"anyone can change it (sudo chmod o-w \"{path}\")"
    return None
