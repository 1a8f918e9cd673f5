"""From successive quarantine listings to the few things worth interrupting someone for.

``Watcher`` keeps the messages it knows about (in memory only) and a ``ToldRecord`` (kept between
runs) of what the user has already been told. Comparing a new listing with both gives ``WatchEvent``s:
a new message held, a release request approved or declined, a message Microsoft released itself
(SystemReleased), a held message about to be deleted. ``notices`` turns a batch of events into at most
one notification per kind, summarising several into one, after the user's per-category switches,
muted senders and pause are applied.

The record on disk holds message identities, event names and timestamps only: no subject, sender or
anything else from the mail (the brief's rule for disk). Muted senders are kept as salted hashes.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from quarantine_checker.core.expiry import expiry_text
from quarantine_checker.core.model import QuarantinedMessage, QuarantineType, ReleaseStatus
from quarantine_checker.core.reasons import reason_phrase  # the one vocabulary's words, as the window
from quarantine_checker.core.waiting import is_held, is_waiting_for_you

EXPIRY_WARNING = timedelta(days=2)
RECORD_KEEP = timedelta(days=35)     # the service forgets after 30 days; so can we
MAX_RECORD_ENTRIES = 50_000          # a hostile or broken reply can't grow the file without bound
MAX_IDENTITY_LENGTH = 200
MAX_LAGS = 50
SUMMARY_LINES = 3
TEXT_LIMIT = 80
RECORD_VERSION = 1

RELEASED_STATES = frozenset(
    {ReleaseStatus.APPROVED, ReleaseStatus.PREPARINGTORELEASE, ReleaseStatus.RELEASED}
)


class EventKind(StrEnum):
    HELD = "held"
    APPROVED = "approved"
    DECLINED = "declined"
    SYSTEM_RELEASED = "system_released"
    EXPIRING = "expiring"


ALL_KINDS = frozenset(EventKind)

# Characters that would let a subject rearrange or hide the text around it.
_INVISIBLE = {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x2060, 0xFEFF,
              *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def clean_text(value: object, limit: int = TEXT_LIMIT) -> str:
    """One line of plain text: no control or direction-changing characters, whitespace collapsed, cut."""
    if not isinstance(value, str):
        return ""
    value = value[: limit * 8]  # bound the work for megabyte subjects before looking at characters
    out: list[str] = []
    for ch in value:
        code = ord(ch)
        if code in _INVISIBLE:
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp") or cat == "Cs":
            out.append(" ")
        elif cat in ("Cf", "Co", "Cn"):
            continue
        else:
            out.append(ch)
    text = " ".join("".join(out).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def sender_key(address: str, salt: str) -> str:
    """What a muted sender is stored as: a salted hash of the lower-cased address."""
    return hashlib.sha256(f"{salt}\n{address.strip().lower()}".encode()).hexdigest()[:32]


def is_waiting(message: QuarantinedMessage, now: datetime) -> bool:
    """Waiting for the person (the tray's count): core/waiting.py's one definition."""
    return is_waiting_for_you(message, now)


# --- the record kept between runs ------------------------------------------------------------------
@dataclass
class ToldRecord:
    """identity -> {event name or "seen"/"requested": unix seconds}. Nothing else."""

    entries: dict[str, dict[str, float]] = field(default_factory=dict)
    baseline: bool = False          # the first listing after sign-in was taken without notifying
    lags: list[float] = field(default_factory=list)  # seconds from ReceivedTime to first sight

    def mark(self, identity: str, what: str, now: datetime) -> None:
        if len(identity) > MAX_IDENTITY_LENGTH:
            return
        if identity not in self.entries and len(self.entries) >= MAX_RECORD_ENTRIES:
            return
        self.entries.setdefault(identity, {}).setdefault(what, now.timestamp())

    def has(self, identity: str, what: str) -> bool:
        return what in self.entries.get(identity, {})

    def prune(self, now: datetime) -> None:
        cutoff = (now - RECORD_KEEP).timestamp()
        self.entries = {i: e for i, e in self.entries.items() if max(e.values(), default=0) >= cutoff}

    def to_bytes(self) -> bytes:
        return json.dumps({"version": RECORD_VERSION, "baseline": self.baseline, "entries": self.entries,
                           "lags": self.lags[-MAX_LAGS:]}, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes | None) -> ToldRecord:
        """A damaged or foreign file reads as empty: the worst case is one repeated notification."""
        if not data:
            return cls()
        try:
            raw = json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return cls()
        if not isinstance(raw, dict) or raw.get("version") != RECORD_VERSION:
            return cls()
        entries: dict[str, dict[str, float]] = {}
        src = raw.get("entries")
        if isinstance(src, dict):
            for identity, marks in list(src.items())[:MAX_RECORD_ENTRIES]:
                if not isinstance(identity, str) or len(identity) > MAX_IDENTITY_LENGTH:
                    continue
                if not isinstance(marks, dict):
                    continue
                clean = {k: float(v) for k, v in marks.items()
                         if isinstance(k, str) and len(k) <= 32 and isinstance(v, int | float)
                         and not isinstance(v, bool) and v == v}
                if clean:
                    entries[identity] = clean
        raw_lags = raw.get("lags")
        src_lags = raw_lags if isinstance(raw_lags, list) else []
        lags = [float(x) for x in src_lags
                if isinstance(x, int | float) and not isinstance(x, bool) and 0 <= x < 10 * 86400][-MAX_LAGS:]
        return cls(entries=entries, baseline=raw.get("baseline") is True, lags=lags)


# --- events and notices ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WatchEvent:
    kind: EventKind
    identity: str
    sender: str
    subject: str
    quarantine_type: QuarantineType
    expires: datetime | None = None


@dataclass(frozen=True)
class WatchPrefs:
    categories: frozenset[EventKind] = ALL_KINDS
    muted_sender_keys: frozenset[str] = frozenset()
    salt: str = ""
    paused_until: datetime | None = None

    def allows(self, event: WatchEvent, now: datetime) -> bool:
        if self.paused_until is not None and now < self.paused_until:
            return False
        if event.kind not in self.categories:
            return False
        return not (self.muted_sender_keys and sender_key(event.sender, self.salt) in self.muted_sender_keys)


@dataclass(frozen=True)
class Notice:
    """One desktop notification. ``identity`` is what a click opens ("" = the list). ``kind`` is None for
    a notice about the app itself (not about mail), so it is not tagged as new mail."""

    kind: EventKind | None
    title: str
    body: str
    identity: str
    identities: tuple[str, ...]


def _quoted(subject: str) -> str:
    s = clean_text(subject, 60)
    return f"'{s}'" if s else "(no subject)"


def _sender(address: str) -> str:
    return clean_text(address, 60) or "an unknown sender"


def _line(event: WatchEvent) -> str:
    return f"{_quoted(event.subject)} from {_sender(event.sender)}"


def _many(events: list[WatchEvent], describe: Any = _line) -> str:
    lines = [describe(e) for e in events[:SUMMARY_LINES]]
    if len(events) > SUMMARY_LINES:
        lines.append(f"and {len(events) - SUMMARY_LINES} more")
    return "\n".join(lines)


def notice_for(kind: EventKind, events: list[WatchEvent], now: datetime) -> Notice:
    """The words for one or several events of one kind (several become one summary)."""
    ids = tuple(e.identity for e in events)
    one = events[0]
    target = one.identity if len(events) == 1 else ""
    n = len(events)
    if kind is EventKind.HELD:
        if n == 1:
            title = (f"Held: {_quoted(one.subject)} from {_sender(one.sender)} — "
                     f"{reason_phrase(one.quarantine_type)}")
            body = "Click to see why it was held and what you can do."
        else:
            title = f"{n} new messages held for you"
            body = _many(events, lambda e: f"{_line(e)} — {reason_phrase(e.quarantine_type)}")
    elif kind is EventKind.APPROVED:
        if n == 1:
            title = f"IT released {_quoted(one.subject)}"
            body = f"The message from {_sender(one.sender)} is on its way to your inbox."
        else:
            title = f"IT released {n} messages you asked for"
            body = _many(events)
    elif kind is EventKind.DECLINED:
        if n == 1:
            title = f"IT declined to release {_quoted(one.subject)}"
            body = f"The message from {_sender(one.sender)} stays in quarantine. Contact IT if you need it."
        else:
            title = f"IT declined to release {n} messages"
            body = _many(events)
    elif kind is EventKind.SYSTEM_RELEASED:
        if n == 1:
            title = f"Microsoft released {_quoted(one.subject)}"
            body = (f"The message from {_sender(one.sender)} was held by mistake on Microsoft's side "
                    "and is now in your inbox.")
        else:
            title = f"Microsoft released {n} messages held by mistake"
            body = _many(events)
    else:
        if n == 1:
            title = f"{_quoted(one.subject)} will be deleted soon"
            when = expiry_text(one.expires, now) if one.expires else ""
            body = (f"From {_sender(one.sender)}. {when}. Release it or ask IT before then."
                    if when else f"From {_sender(one.sender)}. Release it or ask IT before then.")
        else:
            title = f"{n} held messages will be deleted within 2 days"
            body = _many(events)
    return Notice(kind, clean_text(title, 200), body, target, ids)


ORDER = (EventKind.HELD, EventKind.APPROVED, EventKind.DECLINED, EventKind.SYSTEM_RELEASED,
         EventKind.EXPIRING)


def notices(events: Iterable[WatchEvent], prefs: WatchPrefs, now: datetime) -> list[Notice]:
    """At most one notice per kind, in a fixed order, after switches, muting and pause."""
    by_kind: dict[EventKind, list[WatchEvent]] = {}
    for event in events:
        if prefs.allows(event, now):
            by_kind.setdefault(event.kind, []).append(event)
    return [notice_for(k, by_kind[k], now) for k in ORDER if k in by_kind]


# --- the watcher ---------------------------------------------------------------------------------------
def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Watcher:
    """Turns listings into events. Not thread-safe: the checker calls it from the UI thread only."""

    def __init__(self, record: ToldRecord | None = None) -> None:
        self.record = record or ToldRecord()
        self.known: dict[str, QuarantinedMessage] = {}
        self.have_full = False

    # --- feeding listings ---------------------------------------------------------------------------
    def apply_full(self, messages: Iterable[QuarantinedMessage], now: datetime) -> list[WatchEvent]:
        """A complete listing: what's not in it is gone (released long ago, deleted or expired)."""
        fresh = {m.identity: m for m in messages}
        self.known = fresh
        self.have_full = True
        events = self._compare(fresh.values(), now)
        self._take_stock(now)
        self.record.prune(now)
        return events

    def apply_changes(self, messages: Iterable[QuarantinedMessage], window_start: datetime,
                      now: datetime) -> list[WatchEvent]:
        """A listing of ReceivedTime >= ``window_start`` only: merge it, and drop what vanished from it."""
        window_start = _aware(window_start)
        fresh = {m.identity: m for m in messages}
        for identity, old in list(self.known.items()):
            received = old.received_time
            if identity not in fresh and received is not None and _aware(received) >= window_start:
                del self.known[identity]  # deleted (by the user elsewhere, or by IT)
        self.known.update(fresh)
        events = self._compare(fresh.values(), now)
        self._take_stock(now)
        return events

    def _take_stock(self, now: datetime) -> None:
        """After the first listing ever: what is about to be deleted was in it too, and the window shows
        it; reminding at sign-in would break "the first listing is taken in silently"."""
        if not self.record.baseline:
            self.expiring(now)  # marks them as told
        self.record.baseline = True

    def _compare(self, messages: Iterable[QuarantinedMessage], now: datetime) -> list[WatchEvent]:
        rec = self.record
        quiet = not rec.baseline  # first listing ever: take stock silently, the window shows it all
        events: list[WatchEvent] = []
        for m in messages:
            ident = m.identity
            if not isinstance(ident, str) or not ident or len(ident) > MAX_IDENTITY_LENGTH:
                continue
            new = not rec.has(ident, "seen")
            if new:
                rec.mark(ident, "seen", now)
                if not quiet and m.received_time is not None:
                    lag = (now - _aware(m.received_time)).total_seconds()
                    if 0 <= lag < 10 * 86400:
                        rec.lags = [*rec.lags, lag][-MAX_LAGS:]
            status = m.release_status
            if status is ReleaseStatus.REQUESTED:
                rec.mark(ident, "requested", now)
            if quiet:
                for kind, happened in self._already(m):
                    if happened:
                        rec.mark(ident, kind, now)
                continue
            if new and is_waiting(m, now) and not m.system_released:
                events.append(self._event(EventKind.HELD, m, now))
            approved_by_it = rec.has(ident, "requested") or bool(m.approval_upn or m.approval_id)
            if (status in RELEASED_STATES or m.released) and approved_by_it and not m.system_released:
                events.append(self._event(EventKind.APPROVED, m, now))
            if status is ReleaseStatus.DENIED:
                events.append(self._event(EventKind.DECLINED, m, now))
            if m.system_released:
                events.append(self._event(EventKind.SYSTEM_RELEASED, m, now))
        out: list[WatchEvent] = []
        for e in events:
            if e is not None and not rec.has(e.identity, e.kind.value):
                rec.mark(e.identity, e.kind.value, now)
                out.append(e)
        return out

    @staticmethod
    def _already(m: QuarantinedMessage) -> list[tuple[str, bool]]:
        released = m.release_status in RELEASED_STATES or m.released
        return [(EventKind.HELD.value, True), (EventKind.APPROVED.value, released),
                (EventKind.DECLINED.value, m.release_status is ReleaseStatus.DENIED),
                (EventKind.SYSTEM_RELEASED.value, m.system_released)]

    @staticmethod
    def _event(kind: EventKind, m: QuarantinedMessage, now: datetime) -> WatchEvent:
        return WatchEvent(kind, m.identity, m.sender_address, m.subject, m.quarantine_type, m.expires)

    def expiring(self, now: datetime, within: timedelta = EXPIRY_WARNING) -> list[WatchEvent]:
        """Held messages deleted within ``within`` that the user hasn't been reminded about (marks them)."""
        out: list[WatchEvent] = []
        for m in self.known.values():
            # A request IT hasn't answered yet is still worth a reminder before it is deleted.
            if m.expires is None or not is_held(m, now):
                continue
            told = self.record.has(m.identity, EventKind.EXPIRING.value)
            if _aware(m.expires) - now <= within and not told:
                self.record.mark(m.identity, EventKind.EXPIRING.value, now)
                out.append(self._event(EventKind.EXPIRING, m, now))
        return out

    # --- what the tray shows ----------------------------------------------------------------------------
    def waiting(self, now: datetime) -> list[QuarantinedMessage]:
        minimum = datetime.min.replace(tzinfo=UTC)
        held = [m for m in self.known.values() if is_waiting(m, now)]
        held.sort(key=lambda m: _aware(m.received_time) if m.received_time else minimum, reverse=True)
        return held

    def note_request_sent(self, message: QuarantinedMessage, now: datetime) -> None:
        """This app just asked IT to release ``message``: watch for the answer from now on.

        Marked in the record (so the answer counts as IT's, even after a restart) and in ``known`` (so
        ``oldest_pending`` reaches back to it), whether or not a listing has shown the request yet: the
        changes window of later checks would otherwise never include an older message again.
        """
        ident = message.identity
        if not isinstance(ident, str) or not ident or len(ident) > MAX_IDENTITY_LENGTH:
            return
        self.record.mark(ident, "requested", now)
        self.known[ident] = message

    def _open_request(self, m: QuarantinedMessage) -> bool:
        if m.release_status is ReleaseStatus.REQUESTED:
            return True
        # Sent by us but a listing taken before the service recorded it still says NOTRELEASED.
        answered = (m.released or m.release_status in RELEASED_STATES
                    or m.release_status is ReleaseStatus.DENIED)
        return (not answered and self.record.has(m.identity, "requested")
                and not self.record.has(m.identity, EventKind.APPROVED.value)
                and not self.record.has(m.identity, EventKind.DECLINED.value))

    def oldest_pending(self) -> datetime | None:
        """ReceivedTime of the oldest message whose release request is still open."""
        times = [_aware(m.received_time) for m in self.known.values()
                 if m.received_time is not None and self._open_request(m)]
        return min(times, default=None)

    def lags(self) -> list[timedelta]:
        return [timedelta(seconds=s) for s in self.record.lags]

    # --- what the app itself learnt (an action's re-read, a delete), not a listing -----------------------
    def apply_updates(self, messages: Iterable[QuarantinedMessage], now: datetime) -> list[WatchEvent]:
        """New versions of some messages: merged, and compared like a listing's (nothing else is dropped)."""
        fresh = {m.identity: m for m in messages}
        self.known.update(fresh)
        return self._compare(fresh.values(), now) if self.record.baseline else []

    def forget_messages(self, identities: Iterable[str]) -> None:
        """Deleted by the person: no longer waiting, nothing to remind about."""
        for identity in identities:
            self.known.pop(identity, None)
