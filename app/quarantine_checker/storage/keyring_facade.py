"""The one door to the operating system's password store (keyring).

Only small secrets go through here (the 32-byte key that encrypts the token cache). The token cache
itself never does: Windows Credential Manager refuses blobs over 2560 bytes (UTF-16, so ~1280
characters) with an unhelpful "The stub received bad data", and an MSAL cache is several KB.

Design (ideas after Maestral's credential storage, not its code):
- the backend is pinned per OS instead of trusting keyring's auto-discovery, which in frozen apps or
  with keyrings.alt installed can silently pick a different (even plaintext) store;
- ``PYTHON_KEYRING_BACKEND`` is honoured so IT, tests and the demo can choose, but plaintext and
  "no-op" backends are refused: there is never a silent plaintext fallback;
- keyring is imported lazily because importing a backend talks to D-Bus / the OS;
- every failure becomes ``SecureStorageUnavailable`` with a sentence a person can read and a
  ``details["kind"]`` ("missing", "locked", "refused", "failed") the UI and diagnostics can use.

Calls may block (a desktop keyring can pop up an unlock prompt), so keep them off the UI thread.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from quarantine_checker.core.errors import SecureStorageUnavailable

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

_P = ParamSpec("_P")
_T = TypeVar("_T")

SERVICE_NAME = "quarantine-checker"

# Windows Credential Manager caps a credential at 2560 bytes of UTF-16. Staying at 1 KB of UTF-8 keeps a
# wide margin whatever the characters; anything bigger belongs in an encrypted file, not the keyring.
MAX_SECRET_BYTES = 1024

_PINNED_BACKENDS = {
    "linux": "keyring.backends.SecretService.Keyring",
    "win32": "keyring.backends.Windows.WinVaultKeyring",
    "darwin": "keyring.backends.macOS.Keyring",
}

# Backends that would store secrets readably on disk, or not at all.
_REFUSED_BACKENDS = {
    "keyrings.alt.file.PlaintextKeyring": "it would keep passwords in a plain text file",
    "keyring.backends.fail.Keyring": "there is no password store on this computer",
    "keyring.backends.null.Keyring": "it throws passwords away",
}

_SELF_TEST_ENTRY = "self-test"

MSG_MISSING = "Your computer has no working password store (keyring), so secrets can't be kept safely."
MSG_LOCKED = "Your computer's password store (keyring) is locked. Unlock it, then try again."
MSG_FAILED = "Your computer's password store (keyring) didn't respond as expected."


@dataclass(frozen=True)
class StorageStatus:
    available: bool
    backend: str
    reason: str


def _qualname(obj: Any) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _platform_key(platform: str) -> str:
    if platform.startswith("win"):
        return "win32"
    if platform == "darwin":
        return "darwin"
    return "linux"


def _refusal(backend: Any) -> str | None:
    """Why this backend is unacceptable, or None if it is fine."""
    name = _qualname(backend)
    if name in _REFUSED_BACKENDS:
        return _REFUSED_BACKENDS[name]
    if "plaintext" in name.lower():
        return "it would keep passwords in a plain text file"
    # A chain would quietly fall through to its weakest member when a better one fails.
    for member in getattr(backend, "backends", ()) or ():
        why = _refusal(member)
        if why:
            return why
    return None


_VANISHED_RETRY_S = 0.05


def _vanished_item(exc: BaseException) -> bool:
    """secretstorage's "no such item" for an item that existed a moment ago (see ``_call``)."""
    return type(exc).__name__ == "ItemNotFoundException"


def _classify(exc: BaseException) -> tuple[str, str]:
    """(kind, plain reason) for any exception a keyring backend can throw."""
    try:
        from keyring import errors as kr_errors
    except ImportError:  # keyring itself missing: nothing to classify against
        return "missing", MSG_MISSING
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 5:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    names = {type(e).__name__ for e in chain}
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, kr_errors.KeyringLocked) or "LockedException" in names:
        return "locked", MSG_LOCKED
    # gnome-keyring without a way to show its unlock/create prompt answers "Prompt dismissed".
    if "PromptDismissedException" in names or "prompt dismissed" in text:
        return "locked", MSG_LOCKED
    if isinstance(exc, kr_errors.NoKeyringError) or "SecretServiceNotAvailableException" in names:
        return "missing", MSG_MISSING
    if isinstance(exc, EOFError):  # keyrings.alt asking for a master password on a non-terminal
        return "missing", MSG_MISSING
    if "dbus" in text or isinstance(exc, (ConnectionError, KeyError)):
        return "missing", MSG_MISSING
    return "failed", MSG_FAILED


class SecretStore:
    """Small secrets under the service name ``quarantine-checker``.

    ``backend`` may be given explicitly (a keyring backend instance); otherwise it is chosen from
    ``PYTHON_KEYRING_BACKEND`` or pinned for the OS the first time it is needed.
    """

    # keyring backends are not documented as thread-safe; the app calls us from worker threads.
    _lock = threading.RLock()

    def __init__(
        self,
        service: str = SERVICE_NAME,
        *,
        backend: KeyringBackend | None = None,
        env: dict[str, str] | None = None,
        platform: str | None = None,
    ) -> None:
        self.service = service
        self._backend = backend
        self._env = os.environ if env is None else env
        self._platform = platform or sys.platform

    # --- backend choice ------------------------------------------------------------------------
    @property
    def backend_name(self) -> str:
        """The backend's dotted class name, without loading it if it isn't loaded yet."""
        if self._backend is not None:
            return _qualname(self._backend)
        return self._env.get("PYTHON_KEYRING_BACKEND") or _PINNED_BACKENDS[_platform_key(self._platform)]

    def _load_backend(self) -> KeyringBackend:
        if self._backend is not None:
            backend = self._backend
        else:
            name = self.backend_name
            try:
                from keyring.core import load_keyring

                backend = load_keyring(name)
            except Exception as exc:
                kind, reason = _classify(exc)
                if kind == "failed":  # an unknown class name, a missing module: there is no store
                    kind, reason = "missing", MSG_MISSING
                raise SecureStorageUnavailable(
                    reason, kind=kind, backend=name, error=type(exc).__name__
                ) from exc
            self._tune(backend)
        why = _refusal(backend)
        if why:
            raise SecureStorageUnavailable(
                f"The password store that is set up can't be used, because {why}.",
                kind="refused",
                backend=_qualname(backend),
            )
        self._backend = backend
        return backend

    @staticmethod
    def _tune(backend: Any) -> None:
        # keyring writes Windows credentials with "enterprise" persistence, which roams to other PCs.
        # A wrapping key for a file on this PC has no business roaming. (Not verified on Windows here.)
        if _qualname(backend) == _PINNED_BACKENDS["win32"] and hasattr(backend, "persist"):
            try:
                backend.persist = "local machine"
            except Exception:  # an older keyring without the setter: keep its default
                log.debug("could not set Windows credential persistence")

    def _call(self, op: str, fn: Callable[Concatenate[KeyringBackend, _P], _T],
              *args: _P.args, **kwargs: _P.kwargs) -> _T:
        with self._lock:
            backend = self._load_backend()
            try:
                try:
                    return fn(backend, *args, **kwargs)
                except Exception as exc:
                    if not _vanished_item(exc):
                        raise
                    # Secret Service: an item found by a search (or just created) can be gone by the
                    # time it is read, when another process writes or deletes items at that moment
                    # (the app and the CLI starting together). That is a race, not a broken keyring:
                    # one more try, rather than falling back to a sign-in kept only in memory.
                    time.sleep(_VANISHED_RETRY_S)
                    return fn(backend, *args, **kwargs)
            except SecureStorageUnavailable:
                raise
            except Exception as exc:  # every backend raises its own types (pywintypes.error, dbus, ...)
                kind, reason = _classify(exc)
                log.warning("keyring %s failed: %s (%s)", op, type(exc).__name__, kind)
                raise SecureStorageUnavailable(
                    reason, kind=kind, backend=_qualname(backend), operation=op, error=type(exc).__name__
                ) from exc

    # --- the API ---------------------------------------------------------------------------------
    def get(self, name: str) -> str | None:
        """The secret stored as ``name``, or None if there is none."""
        return self._call("get", lambda b, n: b.get_password(self.service, n), name)

    def set(self, name: str, value: str) -> None:
        size = len(value.encode("utf-8"))
        if size > MAX_SECRET_BYTES:
            # A programming error, not a user-facing one: big data goes in an encrypted file.
            raise ValueError(f"refusing to put {size} bytes in the keyring (limit {MAX_SECRET_BYTES})")
        self._call("set", lambda b, n, v: b.set_password(self.service, n, v), name, value)

    def delete(self, name: str) -> None:
        """Forget ``name``. Deleting something that isn't there is fine."""

        def _delete(backend: KeyringBackend, n: str) -> None:
            from keyring.errors import PasswordDeleteError

            try:
                backend.delete_password(self.service, n)
            except PasswordDeleteError:
                # "No such password!": already gone is what we wanted. Locked stores raise KeyringLocked.
                if backend.get_password(self.service, n) is not None:
                    raise

        self._call("delete", _delete, name)

    def self_test(self) -> StorageStatus:
        """Round-trip a key-sized random value, so a broken store is found at start-up, not at sign-in."""
        probe = secrets.token_urlsafe(48)  # 64 characters, like the real wrapping key
        # A service name of its own per run, never the data key's: Windows Credential Manager keeps one
        # credential per service name and moves the existing one aside when another name is written
        # under it, so a probe beside the data key (or two processes probing together) could race into
        # a false "keyring failed" or disturb the key.
        service = f"{self.service}-{_SELF_TEST_ENTRY}-{os.getpid()}-{secrets.token_hex(4)}"
        entry = _SELF_TEST_ENTRY
        try:
            prober = SecretStore(service, backend=self._call("load", lambda backend: backend),
                                 env=dict(self._env), platform=self._platform)
            prober.set(entry, probe)
            ok = prober.get(entry) == probe
            prober.delete(entry)
        except SecureStorageUnavailable as exc:
            return StorageStatus(False, exc.details.get("backend", self.backend_name), str(exc))
        if not ok:
            return StorageStatus(False, self.backend_name, MSG_FAILED)
        return StorageStatus(True, self.backend_name, "")
