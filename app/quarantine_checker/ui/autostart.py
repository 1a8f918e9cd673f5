"""Start at login: an XDG autostart entry (Linux), the per-user Run key (Windows), a LaunchAgent (macOS).

Each writer has a pure ``*_content`` function so what gets written can be tested on any system; only
the Linux file is actually written and removed in this project's tests (Windows registry and macOS
launchd can't be exercised on the Linux CI machine). The app starts minimised to the tray from there.
"""

from __future__ import annotations

import errno
import logging
import os
import plistlib
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from quarantine_checker import APP_ID, APP_NAME

MINIMIZED_FLAG = "--minimized"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = APP_NAME
LAUNCH_AGENT_LABEL = "org.quarantine-checker.agent"
log = logging.getLogger(__name__)
MOVE_TO_APPLICATIONS = ("Move Quarantine Checker to your Applications folder first, then turn this on. "
                        "It is running from the disk image or Downloads, where macOS gives it a "
                        "different temporary place each time, so it could not be started at login.")


def is_translocated(executable: str) -> bool:
    """macOS App Translocation: an app opened from a disk image or Downloads (quarantined, not moved by
    the user) runs from a random read-only path under .../AppTranslocation/..., different every launch.
    A LaunchAgent pointing there would start nothing after the next login."""
    return "/AppTranslocation/" in executable


# --- Windows: a Run value left behind -------------------------------------------------------------------
def run_value_program(value: str) -> str:
    """The program of a Run value (Windows command-line rules: a quoted first word, or up to a space)."""
    value = value.strip()
    if value.startswith('"'):
        end = value.find('"', 1)
        return value[1:end] if end > 0 else value[1:]
    return value.split(" ", 1)[0]


def remove_stale_run_value(read: Callable[[], str | None], delete: Callable[[], None],
                           exists: Callable[[str], bool] = os.path.exists) -> bool:
    """Uninstall can't reach each user's HKCU Run value; a value whose program is gone (an uninstalled
    or moved install) is removed at start. True if one was removed."""
    value = read()
    if not value or exists(run_value_program(value)):
        return False
    delete()
    log.info("removed a start-at-login entry whose program no longer exists")
    return True


def remove_stale_run_value_here() -> bool:  # pragma: no cover - Windows registry only
    """The real registry behind ``remove_stale_run_value`` (HKCU Run)."""
    if sys.platform != "win32":  # also tells mypy to check the rest only as Windows code
        raise OSError(errno.ENOSYS, "Windows only")
    import winreg

    def read() -> str | None:
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                value, _ = winreg.QueryValueEx(key, RUN_VALUE)
        except OSError:
            return None
        return str(value)

    def delete() -> None:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, RUN_VALUE)

    try:
        return remove_stale_run_value(read, delete)
    except OSError as exc:
        log.warning("couldn't check the start-at-login entry: %s", exc.strerror)
        return False


CLI_SUFFIX = "-cli.exe"


def launch_command(executable: str | None = None, frozen: bool | None = None) -> list[str]:
    """How to start this very installation again, minimised. On Windows the app may have been opened
    through the console executable (quarantine-checker-cli.exe): login starts the windowed one beside
    it, or a console window would open at every login."""
    executable = executable or sys.executable
    if getattr(sys, "frozen", False) if frozen is None else frozen:
        if executable.lower().endswith(CLI_SUFFIX):
            executable = executable[: -len(CLI_SUFFIX)] + ".exe"
        return [executable, MINIMIZED_FLAG]
    return [executable, "-m", "quarantine_checker", MINIMIZED_FLAG]


# --- content (pure) ------------------------------------------------------------------------------
def _desktop_quote(arg: str) -> str:
    # Desktop Entry spec: quote arguments with reserved characters; escape \ " ` $ inside quotes; % -> %%.
    arg = arg.replace("%", "%%")
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    return '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'


def desktop_entry_content(command: list[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={APP_NAME}\n"
        "Comment=Tells you when mail is held in quarantine\n"
        f"Exec={' '.join(_desktop_quote(a) for a in command)}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
        "X-GNOME-Autostart-Delay=5\n"
        "X-KDE-autostart-after=panel\n"
    )


def run_key_value(command: list[str]) -> str:
    """The REG_SZ value under HKCU\\...\\Run (Windows command-line quoting)."""
    import subprocess

    return subprocess.list2cmdline(command)


def launch_agent_content(command: list[str]) -> bytes:
    return plistlib.dumps({
        "Label": LAUNCH_AGENT_LABEL,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    })


# --- locations -------------------------------------------------------------------------------------------
def desktop_entry_path(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", str(Path.home()))) / ".config")
    return Path(base) / "autostart" / f"{APP_ID}.desktop"


def launch_agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


# --- doing it -------------------------------------------------------------------------------------------
class Autostart:
    """enable/disable/is_enabled for this platform. Errors are OSError (the settings dialog says so)."""

    def __init__(self, platform: str | None = None, command: list[str] | None = None) -> None:
        self.platform = platform or sys.platform
        self.command = command or launch_command()

    def describe(self) -> str:
        if self.platform.startswith("win"):
            return f"HKCU\\{RUN_KEY}\\{RUN_VALUE}"
        if self.platform == "darwin":
            return str(launch_agent_path())
        return str(desktop_entry_path())

    def is_enabled(self) -> bool:
        if self.platform.startswith("win"):
            if sys.platform != "win32":  # also tells mypy to check the rest only as Windows code
                raise OSError(errno.ENOSYS, "Windows only")
            try:
                import winreg

                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                    winreg.QueryValueEx(key, RUN_VALUE)
                return True
            except OSError:
                return False
        path = launch_agent_path() if self.platform == "darwin" else desktop_entry_path()
        return path.is_file()

    def enable(self) -> None:
        if self.platform.startswith("win"):
            if sys.platform != "win32":  # also tells mypy to check the rest only as Windows code
                raise OSError(errno.ENOSYS, "Windows only")
            import winreg

            with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, run_key_value(self.command))
            return
        if self.platform == "darwin":
            if is_translocated(self.command[0]):
                raise OSError(errno.EPERM, MOVE_TO_APPLICATIONS)
            _write(launch_agent_path(), launch_agent_content(self.command))
            return
        _write(desktop_entry_path(), desktop_entry_content(self.command).encode())

    def disable(self) -> None:
        if self.platform.startswith("win"):
            if sys.platform != "win32":  # also tells mypy to check the rest only as Windows code
                raise OSError(errno.ENOSYS, "Windows only")
            try:
                import winreg

                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
                    winreg.DeleteValue(key, RUN_VALUE)
            except FileNotFoundError:
                pass
            return
        path = launch_agent_path() if self.platform == "darwin" else desktop_entry_path()
        path.unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


__all__ = ["Autostart", "desktop_entry_content", "is_translocated", "launch_agent_content", "launch_command",
           "remove_stale_run_value", "run_key_value", "shlex"]
