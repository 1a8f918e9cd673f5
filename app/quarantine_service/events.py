"""Event kinds, and the hub that wakes the streams when new event rows are committed.

Events are stored rows with increasing ids (the stream's resume point). The hub only says "look again":
any thread (the sweep, a request handler) calls ``notify``; each waiting stream, on the server's event
loop, wakes and reads its own rows from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

HELD = "held"  # a new message is held for you
CHANGED = "changed"  # its status changed
RELEASED = "released"  # your release went through
RELEASE_FAILED = "release_failed"  # Exchange could not release it: the app offers to try again
REQUEST_APPROVED = "request_approved"
REQUEST_DECLINED = "request_declined"
SYSTEM_RELEASED = "system_released"  # Microsoft released it (a service issue)
GONE = "gone"  # deleted, expired or purged from quarantine


class EventHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()
        self.generation = 0

    def notify(self) -> None:
        with self._lock:
            self.generation += 1
            waiters, self._waiters = self._waiters, set()
        for loop, future in waiters:
            # RuntimeError: that loop has closed, so nobody is waiting there any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future)

    async def wait(self, timeout: float, seen: int) -> None:
        """Wait until something happened after generation ``seen`` (read before the caller's own query,
        so a commit between that query and this wait is never slept through), or ``timeout``."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        entry = (loop, future)
        with self._lock:
            if self.generation != seen:
                return
            self._waiters.add(entry)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.discard(entry)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
