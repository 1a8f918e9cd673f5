"""Where Quarantine Checker keeps its files on each operating system.

Everything goes through these functions so tests and the demo can redirect the whole app with two
environment variables: ``QC_DATA_DIR`` (data, logs, state and cache all live under it) and
``QC_CONFIG_DIR`` (the user's ``config.toml``). Nothing here creates directories; callers that write
create what they need, so merely asking for a path never touches the disk.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from platformdirs import PlatformDirs

APP_DIR_NAME = "quarantine-checker"
CONFIG_FILE_NAME = "config.toml"
DESKTOP_SETTINGS_NAME = "desktop.json"
TOLD_RECORD_PATTERN = "told-*.json"
DEMO_SUBDIR = "demo"  # the demo's own records sit in a folder of their own, never mixed with real ones

_DATA_ENV = "QC_DATA_DIR"
_CONFIG_ENV = "QC_CONFIG_DIR"


def _dirs() -> PlatformDirs:
    # appauthor=False: no "<vendor>\" level on Windows; the app name alone is unique enough.
    return PlatformDirs(APP_DIR_NAME, appauthor=False)


def _override(env: Mapping[str, str] | None, name: str) -> Path | None:
    value = (os.environ if env is None else env).get(name, "").strip()
    return Path(value).expanduser() if value else None


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """Per-user data: the encrypted token cache and other encrypted records."""
    return _override(env, _DATA_ENV) or Path(_dirs().user_data_dir)


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """Per-user configuration directory (holds ``config.toml``)."""
    return _override(env, _CONFIG_ENV) or Path(_dirs().user_config_dir)


def user_config_file(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / CONFIG_FILE_NAME


def log_dir(env: Mapping[str, str] | None = None) -> Path:
    # With an override, logs follow the data dir so a test or demo run leaves nothing behind elsewhere.
    base = _override(env, _DATA_ENV)
    return base / "logs" if base else Path(_dirs().user_log_dir)


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """Small non-secret state (window geometry, last check time)."""
    base = _override(env, _DATA_ENV)
    return base / "state" if base else Path(_dirs().user_state_dir)


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Disposable files only; never anything secret or any mail content."""
    base = _override(env, _DATA_ENV)
    return base / "cache" if base else Path(_dirs().user_cache_dir)


def system_config_file(platform: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The machine-wide file an IT department deploys (read-only for the app)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        program_data = (os.environ if env is None else env).get("ProgramData") or r"C:\ProgramData"
        return Path(program_data) / "Quarantine Checker" / CONFIG_FILE_NAME
    if platform == "darwin":
        return Path("/Library/Application Support/Quarantine Checker") / CONFIG_FILE_NAME
    return Path("/etc/xdg") / APP_DIR_NAME / CONFIG_FILE_NAME


def desktop_settings_file(env: Mapping[str, str] | None = None) -> Path:
    """The desktop app's preferences (notification kinds, muted senders as salted hashes)."""
    return config_dir(env) / DESKTOP_SETTINGS_NAME


def told_record_dir(demo: bool, env: Mapping[str, str] | None = None) -> Path:
    """Where the "already told you about these" records live, one ``told-<hash>.json`` per account."""
    base = state_dir(env)
    return base / DEMO_SUBDIR if demo else base


def told_record_file(directory: Path, account_digest: str) -> Path:
    return directory / TOLD_RECORD_PATTERN.replace("*", account_digest)


def sign_out_files(demo: bool, env: Mapping[str, str] | None = None) -> list[Path]:
    """The per-person files sign-out removes besides the token cache (which storage removes itself).

    The demo's sign-out leaves the real account's records and preferences alone.
    """
    files = sorted(told_record_dir(demo, env).glob(TOLD_RECORD_PATTERN))
    return files if demo else [*files, desktop_settings_file(env)]
