"""One quarantine listing in flight per account, shared by everything in the app that lists.

At sign-in the window's refresh and the tray's checker used to send the same full listing within
milliseconds; with a slow service two hung side by side, and under a 429 the second one went out
regardless. The account's ``MailboxSession`` (core/mailbox_session.py), which both list through, puts
every listing through one door, ``ListingGate.run``:

* while a listing runs, a second caller waits for it; if it wanted the same thing (``key``: a full
  listing) it takes that answer instead of sending its own, otherwise it sends its own afterwards;
* a refusal with a Retry-After closes the door for everyone until that time has passed. A caller that
  does its own back-off between attempts (the tray's checker) gets a ``ThrottledError`` saying how long
  is left, without a request; a ``patient`` one (the window, whose client would have waited and retried
  anyway) waits until then, up to ``MAX_PATIENCE`` seconds, and asks once more.

Thread-safe (callers are worker threads); no Qt, no HTTP.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from quarantine_checker.core.errors import ThrottledError

T = TypeVar("T")
MAX_PATIENCE = 120.0   # as the transport's retry_after_cap: longer waits are reported, not slept through


@dataclass
class _Flight:
    key: str
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


@dataclass
class _Account:
    flight: _Flight | None = None
    not_before: float = 0.0   # monotonic time before which no listing may be sent (Retry-After)


class ListingGate:
    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._mutex = threading.Lock()
        self._accounts: dict[str, _Account] = {}

    def run(self, account: str, key: str, fetch: Callable[[], T], *, patient: bool = False,
            accepts: tuple[str, ...] = ()) -> T:
        """``fetch()`` unless an identical listing is already running (then its answer). ``accepts``: other
        keys whose answer answers this question too (a full listing answers "what changed")."""
        waited = 0.0
        while True:
            with self._mutex:
                state = self._accounts.setdefault(account, _Account())
                left = state.not_before - self._clock()
                flight = state.flight
                mine = flight is None and left <= 0
                if mine:
                    flight = state.flight = _Flight(key)
            if flight is None:  # the door is closed for ``left`` seconds
                if not patient or waited + left > MAX_PATIENCE:
                    raise ThrottledError("The service asked us to wait before listing again",
                                         retry_after=left, waiting="shared")
                self._sleep(left)
                waited += left
                continue
            if mine:
                return self._fly(state, flight, fetch)
            flight.done.wait()
            if flight.key == key or flight.key in accepts:
                if flight.error is None:
                    return flight.result  # type: ignore[no-any-return]
                if not (patient and isinstance(flight.error, ThrottledError)):
                    raise flight.error
            # A different question was in flight: ask ours now (the Retry-After check applies again).

    def _fly(self, state: _Account, flight: _Flight, fetch: Callable[[], T]) -> T:
        try:
            result = flight.result = fetch()
            return result
        except BaseException as exc:
            flight.error = exc
            wait = getattr(exc, "retry_after", None)
            if (isinstance(exc, ThrottledError) and isinstance(wait, int | float)
                    and wait == wait and wait > 0):  # wait == wait: not NaN
                with self._mutex:
                    state.not_before = max(state.not_before, self._clock() + min(float(wait), 3600.0))
            raise
        finally:
            with self._mutex:
                state.flight = None
            flight.done.set()
