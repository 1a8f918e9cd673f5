"""The organisation service's events as desktop notices: once each, and a summary after being away.

The service pushes one event per change to the employee's own mail (orgservice/events.py reads them);
this turns a batch of them into ``core.watch.Notice`` s with the same words as the direct road's watcher.
Once each: an event is told only if the ``ToldRecord`` (shared with the watcher) has not told the same
thing about the same message, so a replayed stream after a resume, or the tray's own check, never tells
it twice. After sleep or a network loss the missed events arrive together: more than
``SUMMARY_ABOVE`` of them, or any older than ``STALE_AFTER``, become one summary instead of a burst.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from quarantine_checker.core.model import QuarantinedMessage, QuarantineType
from quarantine_checker.core.watch import (
    ORDER,
    EventKind,
    Notice,
    ToldRecord,
    WatchEvent,
    WatchPrefs,
    clean_text,
    notices,
)

SUMMARY_ABOVE = 3
STALE_AFTER = timedelta(hours=1)

# Service event kinds (quarantine_service/events.py) that reach a person; the rest only refresh the list.
KINDS: dict[str, EventKind] = {
    "held": EventKind.HELD,
    "request_approved": EventKind.APPROVED,
    "request_declined": EventKind.DECLINED,
    "system_released": EventKind.SYSTEM_RELEASED,
    "expiring": EventKind.EXPIRING,
}
_SUMMARY_WORDS: dict[EventKind, str] = {
    EventKind.HELD: "{n} newly held",
    EventKind.APPROVED: "{n} released by IT",
    EventKind.DECLINED: "{n} declined by IT",
    EventKind.SYSTEM_RELEASED: "{n} released by Microsoft",
    EventKind.EXPIRING: "{n} about to be deleted",
}


@dataclass(frozen=True)
class ServiceEvent:
    """One event from the service's stream (or made up by the fallback poll, then ``id`` is "")."""

    id: str
    kind: str
    identity: str
    at: datetime | None = None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def service_notices(events: Iterable[ServiceEvent], lookup: Callable[[str], QuarantinedMessage | None],
                    record: ToldRecord, now: datetime, prefs: WatchPrefs | None = None) -> list[Notice]:
    """The notices for a batch of events (marks what was told in ``record``)."""
    prefs = prefs or WatchPrefs()
    fresh: list[WatchEvent] = []
    stale = False
    for event in events:
        kind = KINDS.get(event.kind)
        if kind is None or not event.identity or record.has(event.identity, kind.value):
            continue
        record.mark(event.identity, kind.value, now)
        message = lookup(event.identity)
        watch = WatchEvent(kind, event.identity,
                           message.sender_address if message else "",
                           message.subject if message else "",
                           message.quarantine_type if message else QuarantineType.UNKNOWN,
                           message.expires if message else None)
        if not prefs.allows(watch, now):
            continue
        fresh.append(watch)
        stale = stale or (event.at is not None and now - _aware(event.at) > STALE_AFTER)
    if not fresh:
        return []
    if len(fresh) > SUMMARY_ABOVE or stale:
        return [summary(fresh)]
    return notices(fresh, prefs, now)


def summary(events: list[WatchEvent]) -> Notice:
    counts = {k: sum(1 for e in events if e.kind is k) for k in ORDER}
    parts = [_SUMMARY_WORDS[k].format(n=n) for k, n in counts.items() if n]
    title = f"While you were away: {len(events)} updates to your held mail"
    kind = EventKind.HELD if counts[EventKind.HELD] else events[0].kind
    return Notice(kind, clean_text(title, 200), ", ".join(parts) + ". Click to see them.", "",
                  tuple(e.identity for e in events))
