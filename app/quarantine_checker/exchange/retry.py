"""When and how long to wait before asking again.

Pure functions and a small policy object, so the transport's loop stays readable and tests can
pin the numbers. All waits go through an injected ``sleep`` in the transport.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None.

    Garbage yields None (fall back to our own back-off), never an exception.
    """
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 64:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
            return None
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass
class RetryPolicy:
    """Limits for one call.

    ``max_attempts`` counts requests for throttling (429/503/"busy"): with 4, three waits happen
    and the fourth refusal becomes ThrottledError. ``network_retries`` is how many extra tries an
    idempotent read gets after a connection failure or timeout. A server asking us to wait longer
    than ``retry_after_cap`` seconds is not argued with: we stop and report its number instead of
    blocking a worker thread for an hour.
    """

    max_attempts: int = 4
    network_retries: int = 2
    base_delay: float = 1.0
    max_delay: float = 30.0
    retry_after_cap: float = 120.0
    rng: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self, attempt: int) -> float:
        """Capped exponential back-off with 'equal jitter' for the ``attempt``-th retry (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2.0 ** max(0, attempt - 1)))
        return ceiling / 2 + (ceiling / 2) * self.rng()
