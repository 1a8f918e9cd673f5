"""Qt signals at the UI edge of a ``MailboxSession`` (which knows nothing of Qt).

The session tells its observers on whatever thread made the change, usually a worker. ``SessionBridge``
re-emits each ``Change`` as a Qt signal, which Qt queues to the thread this object lives in (the UI
thread), so the window and the tray react on the UI thread. One bridge per observer; ``attach`` follows
the account (a new session at sign-in, none at sign-out).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from quarantine_checker.core.mailbox import Change
from quarantine_checker.core.mailbox_session import MailboxSession


class SessionBridge(QObject):
    changed = Signal(object)  # core.mailbox.Change, delivered on this object's thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session: MailboxSession | None = None
        self._unsubscribe: Callable[[], None] | None = None

    def attach(self, session: MailboxSession | None) -> None:
        if session is self.session:
            return
        self.detach()
        self.session = session
        if session is not None:
            self._unsubscribe = session.subscribe(self._forward)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = None
        self.session = None

    def _forward(self, change: Change) -> None:
        # Any thread: emit() from a worker is delivered to the receivers' thread through the event loop.
        self.changed.emit(change)
