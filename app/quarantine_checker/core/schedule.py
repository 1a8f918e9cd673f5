"""When the background checker asks again, and what it asks for. Pure functions, no Qt, no clock.

Everything takes the time it needs as an argument so tests can pin the numbers:
* the delay until the next check (interval with jitter; doubling back-off after failures, never
  shorter than a server's Retry-After);
* clock-gap detection: after a suspend the wall clock has moved on while the monotonic clock has not
  (Linux, macOS), or a heartbeat arrives far later than it was due (Windows counts sleep as time), so
  either difference means "the computer was asleep or its clock was changed: check now";
* which query a check sends: a full 30-day listing now and then, otherwise only what may have
  changed since the last check, with an overlap that grows with the delay we have actually observed
  between a message's ReceivedTime and the moment it first showed up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MIN_INTERVAL_MINUTES, MAX_INTERVAL_MINUTES = 1, 60
DEFAULT_INTERVAL_MINUTES = 5
JITTER_FRACTION = 0.1           # ±10 %: thousands of desktops started by one login script don't stampede
MAX_BACKOFF_SECONDS = 3600.0    # after many failures, still try once an hour
NETWORK_BACKOFF_CAP = 300.0     # offline: retry at least every 5 min (the network-back signal is a bonus)
CLOCK_GAP_SECONDS = 60.0        # smaller differences are timer slack, not a suspend
FULL_EVERY = timedelta(hours=1)  # full listing: catches deletions, expiry and SystemReleased on old mail
PENDING_EVERY = timedelta(minutes=5)  # how often a check reaches back to open release requests
MIN_OVERLAP = timedelta(minutes=10)
MAX_OVERLAP = timedelta(hours=24)


def clamp_interval_minutes(value: object) -> int:
    """The user's interval (1-60 minutes); anything unreadable becomes the default."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return DEFAULT_INTERVAL_MINUTES
    try:
        minutes = int(float(value))
    except (ValueError, OverflowError):
        return DEFAULT_INTERVAL_MINUTES
    return max(MIN_INTERVAL_MINUTES, min(MAX_INTERVAL_MINUTES, minutes))


def jittered(seconds: float, rng: Callable[[], float], fraction: float = JITTER_FRACTION) -> float:
    """``seconds`` moved by up to ±``fraction`` (``rng`` gives 0..1)."""
    return max(0.0, seconds * (1.0 + fraction * (2.0 * rng() - 1.0)))


def next_delay(
    interval: float,
    *,
    failures: int = 0,
    retry_after: float | None = None,
    network: bool = False,
    rng: Callable[[], float],
) -> float:
    """Seconds until the next check.

    No failures: the interval with jitter. After ``failures`` consecutive failures: the interval
    doubled per failure (capped), with jitter, and never less than the server's ``retry_after``. A
    network failure caps lower, because being offline says nothing about the service's load.
    """
    if failures <= 0:
        delay = jittered(interval, rng)
    else:
        cap = NETWORK_BACKOFF_CAP if network else MAX_BACKOFF_SECONDS
        cap = max(cap, interval)
        delay = jittered(min(cap, interval * (2 ** min(failures, 30))), rng)
    if retry_after is not None and retry_after == retry_after and retry_after > 0:  # not NaN
        delay = max(delay, min(float(retry_after), MAX_BACKOFF_SECONDS))
    return delay


@dataclass
class ClockWatch:
    """Notices suspend/resume and clock changes from successive (wall, monotonic) readings."""

    wall: float
    mono: float
    expected_step: float  # how often tick() is called

    def tick(self, wall: float, mono: float, threshold: float = CLOCK_GAP_SECONDS) -> float | None:
        """Feed the current readings; returns the gap in seconds if one happened, else None."""
        wall_step, mono_step = wall - self.wall, mono - self.mono
        self.wall, self.mono = wall, mono
        drift = wall_step - mono_step           # suspend on Linux/macOS, or someone set the clock
        late = mono_step - self.expected_step   # the heartbeat itself was held up (sleep counted as time)
        if abs(drift) >= threshold:
            return drift
        if late >= threshold:
            return late
        return None


class QueryKind(StrEnum):
    FULL = "full"
    CHANGES = "changes"


@dataclass(frozen=True)
class QueryPlan:
    kind: QueryKind
    since: datetime | None = None   # CHANGES: ask for ReceivedTime >= since - overlap
    overlap: timedelta = MIN_OVERLAP
    covers_pending: bool = False    # this listing reaches back to every open release request


def overlap_for(observed_lags: Iterable[timedelta], minimum: timedelta = MIN_OVERLAP,
                maximum: timedelta = MAX_OVERLAP) -> timedelta:
    """Twice the longest lag seen between ReceivedTime and first sight, within [minimum, maximum].

    A message can appear in quarantine some time after its ReceivedTime (scanning, detonation). If the
    overlap were shorter than that lag, a message could land behind the window and never be noticed
    until the next full listing.
    """
    longest = max((lag for lag in observed_lags if lag > timedelta(0)), default=timedelta(0))
    return max(minimum, min(maximum, longest * 2))


def plan_query(
    now: datetime,
    *,
    last_until: datetime | None,
    last_full: datetime | None,
    oldest_pending: datetime | None,
    overlap: timedelta,
    full_every: timedelta = FULL_EVERY,
    force_full: bool = False,
    last_pending: datetime | None = None,
    pending_every: timedelta = PENDING_EVERY,
) -> QueryPlan:
    """What the next check asks for: always exactly one listing (one request unless it spans pages).

    ``last_until``: when the last successful check ran. ``oldest_pending``: the ReceivedTime of the
    oldest message with a release request still open; widening the window back to it lets the same
    single request see IT's answer, instead of a second request per pending message. That wider window
    costs more bytes, so it is used at most every ``pending_every`` (``last_pending``: when it last was);
    with the default 5-minute interval that is every check.
    """
    if force_full or last_until is None or last_full is None or now - last_full >= full_every:
        return QueryPlan(QueryKind.FULL, covers_pending=True)
    if last_until > now:  # the clock went backwards: don't trust the window
        return QueryPlan(QueryKind.FULL, covers_pending=True)
    since = last_until
    pending_due = last_pending is None or now - last_pending >= pending_every or last_pending > now
    covers = oldest_pending is None or pending_due
    if pending_due and oldest_pending is not None and oldest_pending - timedelta(seconds=1) < since - overlap:
        since = oldest_pending - timedelta(seconds=1) + overlap
    return QueryPlan(QueryKind.CHANGES, since=since, overlap=overlap, covers_pending=covers)
