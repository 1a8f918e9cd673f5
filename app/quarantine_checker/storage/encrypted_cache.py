"""AES-GCM encrypted files whose key lives in the OS keyring.

The keyring holds one random 256-bit key (small enough for every OS store, see keyring_facade); the
data itself sits next to the app's other data in ``0600`` files. Anything that cannot be decrypted
(damaged, truncated, written under a key that has since been deleted) reads as "nothing stored": for the
token cache that simply means "signed out", never a crash.

File layout: ``b"QCE1"`` | 12-byte random nonce | ciphertext+tag. The associated data names the app,
the record's purpose and the format version, so a file can't be swapped for another record of ours
and still decrypt. It deliberately does not name the app version: an upgrade must not sign people out.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import logging
import math
import os
import secrets
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from msal_extensions.persistence import BasePersistence, PersistenceNotFound
from msal_extensions.token_cache import CrossPlatLock, LockError

from quarantine_checker.core.errors import SecureStorageUnavailable
from quarantine_checker.storage.keyring_facade import SecretStore
from quarantine_checker.storage.private_files import (
    NotARegularFile,
    ensure_private_dir,
    read_regular,
    remove_path,
    write_private,
)

log = logging.getLogger(__name__)

MAGIC = b"QCE1"
NONCE_BYTES = 12
KEY_ENTRY = "data-key"
KEY_LOCK_NAME = "data-key.lock"
# A lock is held for milliseconds; one older than this was left behind by a process that died.
STALE_LOCK_SECONDS = 30.0
# An MSAL cache for one account is a few KB; a record of ours far beyond this is not ours.
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_LOCK_BYTES = 4096


class UndecryptableError(Exception):
    """The bytes are not something we wrote with this key for this purpose."""


def _aad(purpose: str) -> bytes:
    return f"quarantine-checker/{purpose}/{MAGIC.decode()}".encode()


def encrypt(key: bytes, plaintext: bytes, purpose: str) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)  # fresh per write; never reused with the same key
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, _aad(purpose))


def decrypt(key: bytes, blob: bytes, purpose: str) -> bytes:
    if len(blob) < len(MAGIC) + NONCE_BYTES + 16 or not blob.startswith(MAGIC):
        raise UndecryptableError("not one of our encrypted files")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], _aad(purpose))
    except (InvalidTag, ValueError) as exc:
        raise UndecryptableError("wrong key or damaged file") from exc


# --- files --------------------------------------------------------------------------------------------
atomic_write = write_private  # the name the rest of this module (and older callers) know it by


def remove_file(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _lock_is_stale(path: Path) -> bool:
    try:
        raw, st = read_regular(path, MAX_LOCK_BYTES)
    except NotARegularFile:
        # A link (the lock would be taken on, and written into, its target), a FIFO or a folder: never a
        # lock of ours, and it would block every sign-in until removed.
        return True
    except OSError:
        return False
    age = time.time() - st.st_mtime
    content = raw.decode("utf-8", errors="replace").split(" ", 1)[0]
    if age > STALE_LOCK_SECONDS:
        return True
    # os.kill(pid, 0) is a harmless probe on POSIX only; on Windows signal 0 is CTRL_C_EVENT.
    if sys.platform != "win32" and content.isdigit():
        try:
            os.kill(int(content), 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
    return False


def remove_if_stale_lock(path: Path) -> bool:
    """Remove a lock file a crashed process left behind. True if one was removed."""
    if _lock_is_stale(path):
        log.warning("removing a stale or foreign lock file: %s", path.name)
        return remove_path(path) is None
    return False


@contextlib.contextmanager
def cross_process_lock(path: Path) -> Iterator[None]:
    """msal-extensions' file lock, recovering once from a lock a crashed process left behind."""
    ensure_private_dir(path.parent)
    remove_if_stale_lock(path)
    try:
        lock = CrossPlatLock(str(path))
        lock.__enter__()
    except LockError:
        if not remove_if_stale_lock(path):
            raise
        lock = CrossPlatLock(str(path))
        lock.__enter__()
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


# --- the key ------------------------------------------------------------------------------------------
class DataKey:
    """The 256-bit key in the keyring, fetched once and kept in memory for this process.

    Keeping it in memory means a token refresh hours later doesn't depend on the keyring still being
    unlocked. ``reload()`` re-reads it when a file written by another process won't decrypt (that
    process may have signed out and in again, creating a new key).
    """

    def __init__(self, store: SecretStore, lock_path: Path, entry: str = KEY_ENTRY) -> None:
        # ``entry``: the demo's key has a name of its own, so signing out of the demo can't delete the
        # key of the real sign-in (and with it the real sign-in).
        self._store = store
        self._lock_path = lock_path
        self._entry = entry
        self._key: bytes | None = None

    @staticmethod
    def _decode(text: str | None) -> bytes | None:
        if not text:
            return None
        try:
            key = base64.urlsafe_b64decode(text.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            return None
        return key if len(key) == 32 else None

    def current(self) -> bytes | None:
        """The key, or None if none was ever created. Raises SecureStorageUnavailable."""
        if self._key is None:
            self._key = self._decode(self._store.get(self._entry))
        return self._key

    def reload(self) -> bytes | None:
        """Re-read the key; if the keyring can't be asked right now, keep the one we have."""
        try:
            self._key = self._decode(self._store.get(self._entry))
        except SecureStorageUnavailable:
            log.warning("couldn't re-read the data key from the keyring; keeping the one in memory")
        return self._key

    def ensure(self) -> bytes:
        """The key, creating and storing one if needed. Raises SecureStorageUnavailable."""
        key = self.current()
        if key is not None:
            return key
        # Under a lock, so two processes starting together agree on one key instead of each
        # overwriting the other's and then failing to read each other's files.
        with cross_process_lock(self._lock_path):
            key = self._decode(self._store.get(self._entry))
            if key is None:
                key = AESGCM.generate_key(bit_length=256)
                self._store.set(self._entry, base64.urlsafe_b64encode(key).decode("ascii"))
            self._key = key
        return key

    def forget(self) -> None:
        """Delete the key from the keyring: everything encrypted with it becomes unreadable."""
        self._key = None
        self._store.delete(self._entry)


def _read_and_decrypt(
    path: Path, keys: DataKey, purpose: str
) -> tuple[bytes | None, os.stat_result | None]:
    """(plaintext or None if unreadable, stat of the file read). Raises FileNotFoundError."""
    try:
        blob, st = read_regular(path, MAX_FILE_BYTES)
    except NotARegularFile as exc:
        log.warning("the %s file %s; reading it as empty", purpose, exc.strerror)
        return None, None
    key = keys.current()
    for attempt in (1, 2):
        if key is not None:
            try:
                return decrypt(key, blob, purpose), st
            except UndecryptableError:
                pass
        if attempt == 1:
            fresh = keys.reload()
            if fresh == key:
                break
            key = fresh
    log.warning("the encrypted %s file can't be read (damaged or from an old key); starting empty", purpose)
    return None, st


def _signature(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_mtime_ns, st.st_size)


# --- the msal-extensions persistence -------------------------------------------------------------------
class EncryptedFilePersistence(BasePersistence):  # type: ignore[misc]  # msal_extensions ships no types
    """``BasePersistence`` for ``msal_extensions.PersistedTokenCache``: an AES-GCM file, key in keyring."""

    is_encrypted = True

    def __init__(self, location: Path, keys: DataKey, purpose: str = "token-cache") -> None:
        self._path = Path(location)
        self._keys = keys
        self._purpose = purpose
        self._seen: tuple[int, int, int] | None = None

    def get_location(self) -> str:
        return str(self._path)

    def save(self, content: str) -> None:
        try:
            blob = encrypt(self._keys.ensure(), content.encode("utf-8"), self._purpose)
            self._seen = _signature(atomic_write(self._path, blob))
        except (SecureStorageUnavailable, OSError, LockError) as exc:
            # MSAL has already updated its in-memory cache, so this run keeps working; only "staying
            # signed in next time" is lost. Failing the sign-in over it would be worse.
            log.warning("couldn't save the sign-in for next time: %s", type(exc).__name__)

    def load(self) -> str:
        try:
            plaintext, st = _read_and_decrypt(self._path, self._keys, self._purpose)
        except FileNotFoundError:
            if self._seen is not None:
                # It existed and is gone: another process signed out. Empty means signed out here too.
                self._seen = None
                return ""
            raise PersistenceNotFound(location=str(self._path)) from None
        self._seen = _signature(st) if st else None
        if plaintext is None:
            return ""
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError:
            return ""

    def time_last_modified(self) -> float:
        # PersistedTokenCache reloads when this is newer than its last sync (a wall-clock time). Comparing
        # mtimes with time.time() misses writes another process made within the kernel's timestamp
        # granularity, so we answer from the file's identity instead: "infinitely new" if it changed since
        # we last read or wrote it, "ancient" if not. Atomic renames give every write a new inode.
        try:
            st = self._path.lstat()
        except FileNotFoundError:
            if self._seen is not None:
                return math.inf
            raise PersistenceNotFound(location=str(self._path)) from None
        if not stat.S_ISREG(st.st_mode):
            # Not a file we wrote (a folder, FIFO, link): nothing new to read. Keep what's in memory,
            # so a sign-in that couldn't be saved still lasts this run.
            return 0.0
        return math.inf if _signature(st) != self._seen else 0.0


# --- a generic encrypted record -------------------------------------------------------------------------
class EncryptedBlobStore:
    """One encrypted record (bytes) in ``path``, sharing the token cache's key.

    Meant for small local records, e.g. which quarantined messages the user was already told about.
    Unreadable or missing reads as None. ``update`` is a read-modify-write under a cross-process lock.
    """

    def __init__(self, path: Path, keys: DataKey, purpose: str) -> None:
        self.path = Path(path)
        self._keys = keys
        self._purpose = f"blob/{purpose}"
        self._lock_path = self.path.with_name(self.path.name + ".lockfile")

    def read(self) -> bytes | None:
        try:
            plaintext, _ = _read_and_decrypt(self.path, self._keys, self._purpose)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EISDIR, errno.EPERM):
                log.warning("can't read %s: %s", self.path.name, exc.strerror)
                return None
            raise
        return plaintext

    def write(self, data: bytes) -> None:
        with cross_process_lock(self._lock_path):
            atomic_write(self.path, encrypt(self._keys.ensure(), data, self._purpose))

    def update(self, change: Callable[[bytes | None], bytes]) -> bytes:
        with cross_process_lock(self._lock_path):
            new = change(self.read())
            atomic_write(self.path, encrypt(self._keys.ensure(), new, self._purpose))
            return new

    def delete(self) -> None:
        with cross_process_lock(self._lock_path):
            remove_file(self.path)
