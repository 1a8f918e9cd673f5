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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msal
from msal_extensions.token_cache import LockError, PersistedTokenCache

from quarantine_checker.core.errors import SecureStorageUnavailable
from quarantine_checker.storage.encrypted_cache import (
    KEY_LOCK_NAME,
    DataKey,
    EncryptedBlobStore,
    EncryptedFilePersistence,
    cross_process_lock,
    remove_file,
    remove_if_stale_lock,
)
from quarantine_checker.storage.keyring_facade import MSG_LOCKED, SecretStore, StorageStatus

log = logging.getLogger(__name__)

CACHE_FILE_NAME = "token_cache.bin"
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


def cache_file(data_dir: Path) -> Path:
    return Path(data_dir) / CACHE_FILE_NAME


def data_key(data_dir: Path, store: SecretStore) -> DataKey:
    """The keyring-held key shared by the token cache and every ``EncryptedBlobStore`` in ``data_dir``."""
    return DataKey(store, Path(data_dir) / KEY_LOCK_NAME)


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
    data_dir: Path, store: SecretStore, *, checked: StorageStatus | None = None
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
    keys = data_key(data_dir, store)
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


def wipe_token_cache(data_dir: Path, store: SecretStore) -> None:
    """Sign-out's storage part: delete the cache file, its lock and the key.

    Deleting the key also makes every ``EncryptedBlobStore`` record in ``data_dir`` unreadable (it then
    reads as empty), which is what a sign-out should do. Call ``app.remove_account`` first.
    """
    path = cache_file(data_dir)
    lock = path.with_name(path.name + LOCK_SUFFIX)
    if Path(data_dir).is_dir():
        with cross_process_lock(lock):
            remove_file(path)
    remove_file(lock)
    try:
        DataKey(store, Path(data_dir) / KEY_LOCK_NAME).forget()
    except SecureStorageUnavailable as exc:
        # The file is already gone, so the tokens are unrecoverable even though the key stays behind.
        log.warning("couldn't delete the data key from the keyring: %s", exc)


def open_blob_store(data_dir: Path, store: SecretStore, name: str) -> EncryptedBlobStore:
    """An encrypted record ``<name>.bin`` in ``data_dir``, under the same key as the token cache."""
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError("blob store names are plain words")
    return EncryptedBlobStore(Path(data_dir) / f"{name}.bin", data_key(data_dir, store), purpose=name)
