"""core/schedule.py: interval, jitter, back-off, Retry-After, clock gaps and which query to send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quarantine_checker.core.schedule import (
    MAX_BACKOFF_SECONDS,
    ClockWatch,
    QueryKind,
    clamp_interval_minutes,
    next_delay,
    overlap_for,
    plan_query,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_interval_is_clamped_to_1_to_60_minutes():
    assert [clamp_interval_minutes(v) for v in (0, 1, 5, 60, 61, "7", "x", None, True)] == [
        1, 1, 5, 60, 60, 7, 5, 5, 5]


def test_jitter_stays_within_ten_percent():
    assert next_delay(300, rng=lambda: 0.0) == 270
    assert next_delay(300, rng=lambda: 1.0) == 330


def test_backoff_doubles_and_is_capped_and_honours_retry_after():
    delays = [next_delay(60, failures=f, rng=lambda: 0.5) for f in range(1, 10)]
    assert delays[:3] == [120, 240, 480]
    assert max(delays) == MAX_BACKOFF_SECONDS
    assert next_delay(60, failures=1, retry_after=900, rng=lambda: 0.5) == 900
    assert next_delay(60, failures=1, retry_after=float("nan"), rng=lambda: 0.5) == 120
    assert next_delay(60, failures=8, network=True, rng=lambda: 0.5) == 300


def test_clock_gap_detection():
    w = ClockWatch(wall=1000.0, mono=50.0, expected_step=30)
    assert w.tick(1030.0, 80.0) is None                      # normal heartbeat
    assert w.tick(1030.0 + 3600, 110.0) == 3570              # suspended an hour (wall moved, mono didn't)
    assert w.tick(4660.0 + 30 - 7200, 140.0) is not None     # clock set back two hours
    assert w.tick(w.wall + 930, 140.0 + 930) is not None     # heartbeat itself 15 min late


def test_plan_first_full_then_changes_then_full_again():
    assert plan_query(NOW, last_until=None, last_full=None, oldest_pending=None,
                      overlap=timedelta(minutes=10)).kind is QueryKind.FULL
    p = plan_query(NOW, last_until=NOW - timedelta(minutes=5), last_full=NOW - timedelta(minutes=5),
                   oldest_pending=None, overlap=timedelta(minutes=10))
    assert p.kind is QueryKind.CHANGES and p.since == NOW - timedelta(minutes=5)
    assert plan_query(NOW, last_until=NOW, last_full=NOW - timedelta(hours=2), oldest_pending=None,
                      overlap=timedelta(minutes=10)).kind is QueryKind.FULL
    assert plan_query(NOW, last_until=NOW + timedelta(hours=1), last_full=NOW, oldest_pending=None,
                      overlap=timedelta(minutes=10)).kind is QueryKind.FULL


def test_a_pending_request_widens_the_one_window_back_to_it():
    pending = NOW - timedelta(days=2)
    p = plan_query(NOW, last_until=NOW - timedelta(minutes=5), last_full=NOW - timedelta(minutes=5),
                   oldest_pending=pending, overlap=timedelta(minutes=10))
    assert p.kind is QueryKind.CHANGES and p.covers_pending
    assert p.since - p.overlap < pending
    # ...but not on every 5-second check: at most every PENDING_EVERY
    q = plan_query(NOW, last_until=NOW - timedelta(seconds=5), last_full=NOW - timedelta(minutes=5),
                   oldest_pending=pending, overlap=timedelta(minutes=10),
                   last_pending=NOW - timedelta(minutes=1))
    assert not q.covers_pending and q.since == NOW - timedelta(seconds=5)


def test_overlap_follows_the_measured_lag():
    assert overlap_for([]) == timedelta(minutes=10)
    assert overlap_for([timedelta(minutes=30), timedelta(minutes=2)]) == timedelta(hours=1)
    assert overlap_for([timedelta(days=5)]) == timedelta(hours=24)
