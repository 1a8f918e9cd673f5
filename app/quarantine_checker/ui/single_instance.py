"""One running app per user and data directory: a second launch hands over and exits.

The first instance listens on a QLocalServer (a Unix socket in the runtime dir, or a named pipe on
Windows). A second launch connects, sends ``show``, waits for ``ok`` and exits, and the first one
brings its window forward. The name includes the user and the data directory, so a test or demo run
with its own ``QC_DATA_DIR`` never talks to the user's real app.
"""

from __future__ import annotations

import getpass
import hashlib
import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from quarantine_checker import APP_ID, paths

log = logging.getLogger(__name__)

CONNECT_MS = 500
MAX_REQUEST = 64


def server_name(data_dir: str | None = None) -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no user name (some containers): the data dir alone still separates runs
        user = "user"
    where = data_dir if data_dir is not None else str(paths.data_dir())
    digest = hashlib.sha256(f"{user}\n{where}".encode()).hexdigest()[:16]
    return f"{APP_ID}-{digest}"


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
    """The first instance's listener. ``show_requested`` fires when another launch hands over."""

    show_requested = Signal()

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        # A socket left behind by a crashed instance: nobody answers on it, so it is safe to remove.
        if not hand_over(self.name, timeout_ms=300):
            QLocalServer.removeServer(self.name)
            return self.server.listen(self.name)
        return False

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
