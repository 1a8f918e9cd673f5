"""A self-imposed request rate: Microsoft publishes no limits for InvokeCommand (spec §5.7), and
graph2otel settled on about one request per second. Being polite here is cheaper than being
throttled."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """Blocks in :meth:`acquire` until a request may go out. ``rate=None`` (or 0) switches it off."""

    def __init__(
        self,
        rate_per_second: float | None = 1.0,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate_per_second if rate_per_second and rate_per_second > 0 else None
        self.burst = max(1, burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self.burst)
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping if needed. Returns how long we waited (seconds)."""
        if self.rate is None:
            return 0.0
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            wait = (1 - self._tokens) / self.rate
            # Reserve the token now so concurrent callers queue behind us instead of racing.
            self._tokens -= 1
        self._sleep(wait)
        return wait
