"""One running app per user and data directory: a second launch hands over and exits.

The guard is a lock file in the user's data folder (``QLockFile``: an exclusive lock Windows honours,
freed by the OS when the process dies). Whoever holds it is the app; a launch that can't take it asks
the holder, over a QLocalServer, to bring its window forward, and exits. The listener is only the
messenger, never the guard: on Windows two processes can listen on the same named pipe, so "could I
listen?" says nothing there.

Where the listener lives: on Linux a Unix socket in the per-user runtime directory ($XDG_RUNTIME_DIR,
0700), on macOS in the per-user $TMPDIR, else in the private data folder; never in shared /tmp, where
another local user could take the name first. On Windows it is a named pipe restricted to the user.
A launch only hands over when the lock is held, so a pipe someone else planted under our name can't
make the app exit at start.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from quarantine_checker import APP_ID, paths

log = logging.getLogger(__name__)

CONNECT_MS = 500
MAX_REQUEST = 64
LOCK_FILE_NAME = "instance.lock"
HAND_OVER_WAIT_S = 5.0  # the lock holder may still be starting and not yet listening


def _digest(data_dir: str | None) -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no user name (some containers): the data dir alone still separates runs
        user = "user"
    where = data_dir if data_dir is not None else str(paths.data_dir())
    return hashlib.sha256(f"{user}\n{where}".encode()).hexdigest()[:16]


def _private_dir(path: Path) -> Path | None:
    """``path`` created 0700 and checked to be ours and private; None if it is not (then look elsewhere)."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.lstat()
        # Called off Windows only (Windows uses a named pipe), where os.getuid exists; the ignore is for
        # mypy --platform win32.
        if not path.is_dir() or path.is_symlink() or st.st_uid != os.getuid():  # type: ignore[attr-defined, unused-ignore]
            return None
        if st.st_mode & 0o077:
            path.chmod(0o700)
    except OSError:
        return None
    return path


def socket_dir(platform: str | None = None, env: Mapping[str, str] | None = None) -> Path | None:
    """The private folder for the hand-over socket; None on Windows (named pipes have no folder)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return None
    env = os.environ if env is None else env
    candidates = [env.get("XDG_RUNTIME_DIR", "")]
    if platform == "darwin":
        candidates.append(env.get("TMPDIR", ""))  # per user on macOS (/var/folders/...), unlike /tmp
    for base in filter(None, candidates):
        if Path(base).is_dir():
            found = _private_dir(Path(base) / APP_ID)
            if found is not None:
                return found
    return _private_dir(paths.data_dir(env) / "run")


def server_name(data_dir: str | None = None, platform: str | None = None,
                env: Mapping[str, str] | None = None) -> str:
    digest = _digest(data_dir)
    folder = socket_dir(platform, env)
    if folder is None:
        return f"{APP_ID}-{digest}"  # a Windows pipe name, \\.\pipe\quarantine-checker-...
    return str(folder / f"{digest}.sock")


def hand_over(name: str | None = None, timeout_ms: int = 2000) -> bool:
    """True if another instance is running and took the request to show its window."""
    sock = QLocalSocket()
    sock.connectToServer(name or server_name())
    if not sock.waitForConnected(CONNECT_MS):
        return False
    sock.write(b"show\n")
    sock.waitForBytesWritten(timeout_ms)
    answered = sock.waitForReadyRead(timeout_ms) and bytes(sock.readAll().data()).startswith(b"ok")
    sock.disconnectFromServer()
    return answered


class SingleInstance(QObject):
    """The lock and the first instance's listener. ``show_requested`` fires when another launch hands over."""

    show_requested = Signal()

    def __init__(self, name: str | None = None, parent: QObject | None = None, *,
                 lock_path: Path | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        lock_path = lock_path or paths.data_dir() / LOCK_FILE_NAME
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = QLockFile(str(lock_path))
        # Never stale by age (the app runs for days); a lock whose process is gone is still taken over.
        self.lock.setStaleLockTime(0)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def claim(self) -> bool:
        """True: this is the one instance, now listening. False: another one holds the lock; it has been
        asked to show its window (or did not answer in time), and this launch should exit."""
        if not self.lock.tryLock(0):
            deadline = time.monotonic() + HAND_OVER_WAIT_S
            while not hand_over(self.name, timeout_ms=1000):
                if time.monotonic() >= deadline:
                    log.warning("another instance holds the lock but did not answer; exiting")
                    break
                time.sleep(0.1)
            return False
        # We hold the lock, so whatever sits at our name was left by a crashed run: remove it.
        QLocalServer.removeServer(self.name)
        if not self.server.listen(self.name):
            log.warning("can't listen for other launches (%s); they will not bring this window forward",
                        self.server.errorString())
        return True

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            conn.readyRead.connect(lambda c=conn: self._read(c))
            conn.disconnected.connect(conn.deleteLater)

    def _read(self, conn: QLocalSocket) -> None:
        data = bytes(conn.read(MAX_REQUEST).data())
        if data.startswith(b"show"):
            conn.write(b"ok\n")
            conn.flush()
            log.info("another launch asked to show the window")
            self.show_requested.emit()
        conn.disconnectFromServer()

    def close(self) -> None:
        self.server.close()
        if self.lock.isLocked():
            self.lock.unlock()
