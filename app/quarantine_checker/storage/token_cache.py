"""The MSAL token cache, kept encrypted between runs and shared safely by the app and the CLI.

``open_token_cache`` gives the ``token_cache`` for the one long-lived ``PublicClientApplication``:
- normally an ``msal_extensions.PersistedTokenCache`` over an AES-GCM file (key in the keyring), so
  every change is written at once under a cross-process lock and other processes' changes are
  picked up before each read or write;
- if the keyring doesn't work, a memory-only cache and a sentence telling the user they'll have to sign
  in again next time. Nothing is written to disk then: no plaintext fallback, ever.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msal
from msal_extensions.token_cache import LockError, PersistedTokenCache

from quarantine_checker.core.errors import SecureStorageUnavailable
from quarantine_checker.storage.encrypted_cache import (
    KEY_ENTRY,
    KEY_LOCK_NAME,
    DataKey,
    EncryptedBlobStore,
    EncryptedFilePersistence,
    cross_process_lock,
    remove_if_stale_lock,
)
from quarantine_checker.storage.keyring_facade import MSG_LOCKED, SecretStore, StorageStatus
from quarantine_checker.storage.private_files import remove_path

log = logging.getLogger(__name__)

CACHE_FILE_NAME = "token_cache.bin"
# The demo's key sits beside the real one under its own name: a demo sign-out must not delete the key
# that the real sign-in's cache is encrypted with.
DEMO_KEY_ENTRY = "demo-data-key"
LOCK_SUFFIX = ".lockfile"  # msal-extensions' default: <cache file>.lockfile

MSG_NO_STORE = (
    "Your computer has no working password store, so you'll need to sign in again next time "
    "Quarantine Checker starts."
)
MSG_LOCKED_STORE = (
    "Your computer's password store is locked, so you'll need to sign in again next time "
    "Quarantine Checker starts."
)


@dataclass(frozen=True)
class CacheStatus:
    persistent: bool
    message: str


@dataclass(frozen=True)
class SignOutReport:
    """What sign-out could not remove from this computer, in plain words (empty: nothing is left)."""

    left_behind: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.left_behind

    def __add__(self, other: SignOutReport) -> SignOutReport:
        return SignOutReport(self.left_behind + other.left_behind)


def cache_file(data_dir: Path) -> Path:
    return Path(data_dir) / CACHE_FILE_NAME


def data_key(data_dir: Path, store: SecretStore, entry: str = KEY_ENTRY) -> DataKey:
    """The keyring-held key shared by the token cache and every ``EncryptedBlobStore`` in ``data_dir``."""
    return DataKey(store, Path(data_dir) / KEY_LOCK_NAME, entry)


class _RecoveringTokenCache(PersistedTokenCache):  # type: ignore[misc]  # msal_extensions ships no types
    """PersistedTokenCache that gets past a lock file left by a process that crashed mid-write.

    Without this, msal-extensions' file lock (portalocker isn't installed) would time out after 5 s and
    raise on every later token refresh until someone deleted the file by hand.
    """

    def modify(self, credential_type: Any, old_entry: Any, new_key_value_pairs: Any = None) -> None:
        remove_if_stale_lock(Path(self._lock_location))  # cheap check; saves a 5 s wait after a crash
        try:
            super().modify(credential_type, old_entry, new_key_value_pairs=new_key_value_pairs)
        except LockError:
            if not remove_if_stale_lock(Path(self._lock_location)):
                raise
            super().modify(credential_type, old_entry, new_key_value_pairs=new_key_value_pairs)


def open_token_cache(
    data_dir: Path, store: SecretStore, *, checked: StorageStatus | None = None, key_entry: str = KEY_ENTRY
) -> tuple[msal.TokenCache, CacheStatus]:
    """The token cache to hand to MSAL, and whether it will survive a restart.

    ``checked`` is the result of a ``store.self_test()`` the caller already ran (the composition root
    does, to report the keyring); without it the store is tested here. Each self-test is a write, a read
    and a delete over D-Bus (and may wake an unlock prompt), so a start-up runs it once, not twice.

    Blocks on the keyring (D-Bus), so call it off the UI thread.
    """
    status = checked if checked is not None else store.self_test()
    if not status.available:
        return _memory_only(status.reason, locked=status.reason == MSG_LOCKED)
    keys = data_key(data_dir, store, key_entry)
    try:
        keys.ensure()
    except SecureStorageUnavailable as exc:
        return _memory_only(str(exc), locked=exc.details.get("kind") == "locked")
    except (LockError, OSError) as exc:  # data dir not writable, or its lock stuck
        return _memory_only(type(exc).__name__, locked=False)
    persistence = EncryptedFilePersistence(cache_file(data_dir), keys)
    return _RecoveringTokenCache(persistence), CacheStatus(True, "")


def _memory_only(reason: str, *, locked: bool) -> tuple[msal.TokenCache, CacheStatus]:
    log.warning("secure storage unavailable, keeping sign-in in memory only: %s", reason)
    message = MSG_LOCKED_STORE if locked else MSG_NO_STORE
    return msal.SerializableTokenCache(), CacheStatus(False, message)


def wipe_token_cache(data_dir: Path, store: SecretStore, *, key_entry: str = KEY_ENTRY) -> SignOutReport:
    """Sign-out's storage part: delete the cache file, its lock and the key, whatever state the keyring
    is in, and say what could not be removed. Call ``app.remove_account`` first.

    The file goes first and without the keyring: with the keyring locked or unreachable, the key stays
    behind, but without the file there is nothing left for it to unlock. Deleting the key also makes
    every ``EncryptedBlobStore`` record in ``data_dir`` unreadable (it then reads as empty).
    """
    path = cache_file(data_dir)
    lock = path.with_name(path.name + LOCK_SUFFIX)
    left: list[str] = []
    try:
        if not Path(data_dir).is_dir():  # nothing was ever saved here; don't create the folder now
            raise FileNotFoundError(str(data_dir))
        with cross_process_lock(lock):
            why = remove_path(path)
    except FileNotFoundError:
        why = None
    except (LockError, OSError) as exc:  # another process stuck holding it, or the folder not ours
        log.warning("signing out without the cache lock: %s", type(exc).__name__)
        why = remove_path(path)
    if why:
        left.append(f"the saved sign-in file {path} ({why})")
    remove_path(lock)
    try:
        DataKey(store, Path(data_dir) / KEY_LOCK_NAME, key_entry).forget()
    except SecureStorageUnavailable as exc:
        log.warning("couldn't delete the data key from the keyring: %s", exc.details.get("kind"))
        state = "it is locked" if exc.details.get("kind") == "locked" else "it didn't respond"
        if not left:
            state += "; with the saved sign-in file gone, the key no longer unlocks anything"
        left.append(f"the encryption key in your password store ({state})")
    return SignOutReport(tuple(left))


def remove_files(files: Iterable[Path]) -> SignOutReport:
    """Remove small local records at sign-out; report the ones that couldn't be removed."""
    left = []
    for path in files:
        why = remove_path(path)
        if why:
            left.append(f"{path} ({why})")
    return SignOutReport(tuple(left))


def open_blob_store(data_dir: Path, store: SecretStore, name: str,
                    key_entry: str = KEY_ENTRY) -> EncryptedBlobStore:
    """An encrypted record ``<name>.bin`` in ``data_dir``, under the same key as the token cache."""
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError("blob store names are plain words")
    return EncryptedBlobStore(Path(data_dir) / f"{name}.bin", data_key(data_dir, store, key_entry),
                              purpose=name)
