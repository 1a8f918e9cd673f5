"""What goes into the frozen app on each platform, as plain data the spec builds from (and tests read).

The spec can only run on the platform it builds for; this module answers "what would the Windows bundle
hold?" on any machine, so the Windows-only parts (the WAM broker's native files, the console entry
point) are checked here on Linux. Imported by packaging/quarantine-checker.spec at build time only.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quarantine_checker import APP_ID

BROKER_PACKAGE = "pymsalruntime"
CLI_NAME = f"{APP_ID}-cli"


@dataclass(frozen=True)
class Executable:
    name: str
    console: bool


def executables(platform: str) -> list[Executable]:
    """The app's executables. On Windows a windowed exe has no stdout/stderr and cmd does not wait for
    it (exit codes are lost), so the command line gets its own console exe beside the windowed one,
    built from the same analysis into the same folder (one copy of Python and Qt)."""
    exes = [Executable(APP_ID, console=False)]
    if platform.startswith("win"):
        exes.append(Executable(CLI_NAME, console=True))
    return exes


def broker_hiddenimports(platform: str) -> list[str]:
    """MSAL imports the WAM broker lazily (inside a function), so the analysis would not see it; the
    package's native part is a submodule (pymsalruntime.pymsalruntime, a .pyd)."""
    if not platform.startswith("win"):
        return []
    return [BROKER_PACKAGE, f"{BROKER_PACKAGE}.pymsalruntime", "msal.broker"]


def broker_binaries(platform: str,
                    find_spec: Callable[[str], Any] = importlib.util.find_spec) -> list[tuple[str, str]]:
    """msalruntime.dll, which the .pyd loads from its own folder (PyInstaller has no hook for it).
    A Windows build without the broker would send every user to the browser: fail the build instead."""
    if not platform.startswith("win"):
        return []
    spec = find_spec(BROKER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{BROKER_PACKAGE} is not installed: the Windows bundle would have no WAM sign-in "
                         "(pip install -e '.[package]' on Windows installs it)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    dlls = sorted(folder.glob("*.dll"))
    if not dlls:
        raise SystemExit(f"no native library in {folder}: the broker could not load")
    return [(str(dll), BROKER_PACKAGE) for dll in dlls]
