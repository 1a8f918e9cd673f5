"""The desktop app's own preferences: a small JSON file next to config.toml. No mail content.

What lives here: which kinds of notification are on, muted senders (as salted hashes, so the file
never names anyone), "start at login", a notification pause, and whether the "still running in the
tray" note was shown. The check interval stays in config.toml (``check_interval_minutes``), where IT
can set or lock it.

Also the "already told" record (``core.watch.ToldRecord``): identities and timestamps only, one file
per account under the state directory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from quarantine_checker import paths
from quarantine_checker.core.watch import ALL_KINDS, EventKind, ToldRecord, WatchPrefs, sender_key
from quarantine_checker.storage.private_files import read_regular, write_private

log = logging.getLogger(__name__)

FILE_NAME = paths.DESKTOP_SETTINGS_NAME
MAX_FILE_BYTES = 256 * 1024
MAX_MUTED = 1000


@dataclass
class DesktopSettings:
    categories: set[EventKind] = field(default_factory=lambda: set(ALL_KINDS))
    muted_sender_keys: set[str] = field(default_factory=set)
    salt: str = field(default_factory=lambda: secrets.token_hex(16))
    start_at_login: bool | None = None      # None: not decided yet (turned on after the first sign-in)
    paused_until: datetime | None = None
    tray_note_shown: bool = False

    def prefs(self) -> WatchPrefs:
        return WatchPrefs(frozenset(self.categories), frozenset(self.muted_sender_keys), self.salt,
                          self.paused_until)

    def mute_sender(self, address: str) -> None:
        if len(self.muted_sender_keys) < MAX_MUTED:
            self.muted_sender_keys.add(sender_key(address, self.salt))

    def is_muted(self, address: str) -> bool:
        return sender_key(address, self.salt) in self.muted_sender_keys

    def to_json(self) -> dict[str, Any]:
        return {
            "categories": sorted(k.value for k in self.categories),
            "muted_sender_keys": sorted(self.muted_sender_keys),
            "salt": self.salt,
            "start_at_login": self.start_at_login,
            "paused_until": self.paused_until.isoformat() if self.paused_until else None,
            "tray_note_shown": self.tray_note_shown,
        }

    @classmethod
    def from_json(cls, raw: Any) -> DesktopSettings:
        s = cls()
        if not isinstance(raw, dict):
            return s
        cats = raw.get("categories")
        if isinstance(cats, list):
            s.categories = {EventKind(c) for c in cats if c in {k.value for k in EventKind}}
        keys = raw.get("muted_sender_keys")
        if isinstance(keys, list):
            s.muted_sender_keys = {k for k in keys[:MAX_MUTED] if isinstance(k, str) and len(k) == 32}
        if isinstance(raw.get("salt"), str) and 8 <= len(raw["salt"]) <= 128:
            s.salt = raw["salt"]
        if isinstance(raw.get("start_at_login"), bool):
            s.start_at_login = raw["start_at_login"]
        if isinstance(raw.get("paused_until"), str):
            try:
                moment = datetime.fromisoformat(raw["paused_until"])
                s.paused_until = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            except ValueError:
                pass
        s.tray_note_shown = raw.get("tray_note_shown") is True
        return s


def _atomic_write(path: Path, data: bytes) -> None:
    write_private(path, data)  # 0600 in a 0700 folder: who you muted and when you were told is yours


class SettingsStore:
    """Load/save ``DesktopSettings``; an unreadable file reads as the defaults (never a crash)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.desktop_settings_file()

    def load(self) -> DesktopSettings:
        try:
            raw, _ = read_regular(self.path, MAX_FILE_BYTES)
            return DesktopSettings.from_json(json.loads(raw.decode("utf-8")))
        except (OSError, ValueError):
            return DesktopSettings()

    def save(self, settings: DesktopSettings) -> None:
        try:
            _atomic_write(self.path, json.dumps(settings.to_json(), indent=1).encode())
        except OSError as exc:
            log.warning("couldn't save desktop settings: %s", exc.strerror)


class RecordStore:
    """The told-record for one account: identities and timestamps only (see core.watch)."""

    def __init__(self, account: str, directory: Path | None, *, memory_only: bool = False) -> None:
        digest = hashlib.sha256(account.strip().lower().encode()).hexdigest()[:16]
        self.path = None if memory_only or directory is None else paths.told_record_file(directory, digest)
        self._memory: bytes | None = None

    def load(self) -> ToldRecord:
        if self.path is None:
            return ToldRecord.from_bytes(self._memory)
        try:
            return ToldRecord.from_bytes(read_regular(self.path, 8 * 1024 * 1024)[0])
        except OSError:
            return ToldRecord()

    def save(self, record: ToldRecord) -> None:
        data = record.to_bytes()
        if self.path is None:
            self._memory = data
            return
        try:
            _atomic_write(self.path, data)
        except OSError as exc:
            log.warning("couldn't save the notification record: %s", exc.strerror)

    def delete(self) -> None:
        self._memory = None
        if self.path is not None:
            try:
                self.path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("couldn't delete the notification record: %s", exc.strerror)
