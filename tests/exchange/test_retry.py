"""Retry-After in both forms, and back-off that stays within its cap."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from quarantine_checker.exchange.ratelimit import TokenBucket
from quarantine_checker.exchange.retry import RetryPolicy, parse_retry_after

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "expected"), [
    ("3", 3.0), ("0", 0.0), ("1.5", 1.5), (" 7 ", 7.0), ("-4", 0.0),
    ("Fri, 27 Nov 2026 12:00:30 GMT", 30.0),
    ("Fri, 27 Nov 2026 11:59:00 GMT", 0.0),                 # a date in the past: go now
    (None, None), ("", None), ("soon", None), ("nan", None), ("inf", None), ("9" * 100, None),
])
def test_retry_after(value, expected):
    assert parse_retry_after(value, now=NOW) == expected


def test_backoff_grows_and_is_capped():
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0, rng=lambda: 1.0)
    assert [policy.backoff(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    low = RetryPolicy(base_delay=1.0, max_delay=8.0, rng=lambda: 0.0)
    assert low.backoff(3) == 2.0  # jitter keeps at least half the ceiling


def test_token_bucket_spaces_requests():
    t = [0.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        t[0] += s

    bucket = TokenBucket(2.0, clock=lambda: t[0], sleep=sleep)
    for _ in range(5):
        bucket.acquire()
    assert waits == [0.5, 0.5, 0.5, 0.5]
    assert TokenBucket(None).acquire() == 0.0
