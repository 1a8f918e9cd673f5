"""The list's order at a glance: the likely mistakes (a confirmed sender, mail like what the person released
before) before ordinary held mail, then what waits for IT, then the obvious junk, then what is settled.
And urgency: a held message deleted within two days, an answer from IT.

Pure data (no Qt): the row builder calls these for every row of a listing, so they stay cheap.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from quarantine_checker.core.model import QuarantinedMessage, QuarantineType, ReleaseStatus
from quarantine_checker.core.pacing import EVERY, pace
from quarantine_checker.core.waiting import is_held, your_move

TRANSLATION_CONTEXT = "glance"
URGENT_WITHIN = timedelta(days=2)  # the same two days as the tray's "will be deleted" reminder


class Group(enum.IntEnum):
    """Lower first. The words are the list's tooltips and the group filter's names."""

    LIKELY_WANTED = 0   # waiting for you, and the sender checked out or you released their mail before
    WAITING = 1         # waiting for you
    WITH_IT = 2         # you asked IT; their answer is pending
    JUNK = 3            # bulk mail, malware, a look-alike sender
    SETTLED = 4         # released, releasing, declined, deleted


GROUP_WORDS: dict[Group, str] = {
    Group.LIKELY_WANTED: "Likely wanted: the sender checked out, or mail from them was released before",
    Group.WAITING: "Waiting for you",
    Group.WITH_IT: "Waiting for IT",
    Group.JUNK: "Most likely junk",
    Group.SETTLED: "Already dealt with",
}

# Not high-confidence phishing: whole incidents of wanted mail were held as that (user-needs §6).
_JUNK_TYPES = frozenset({QuarantineType.BULK, QuarantineType.MALWARE, QuarantineType.SPO_MALWARE})
_RELEASED = frozenset({ReleaseStatus.RELEASED, ReleaseStatus.APPROVED, ReleaseStatus.PREPARINGTORELEASE})

# Urgency, in the row's status cell (only where it matters: never "deleted in 30 days" on every row).
URGENT_TODAY = "deleted today"
URGENT_TOMORROW = "deleted tomorrow"
URGENT_DAYS = "deleted in 2 days"
IT_ANSWERED = "IT answered"


def _domain(address: str) -> str:
    return address.rpartition("@")[2].casefold()


def released_before(messages: Iterable[QuarantinedMessage]) -> frozenset[str]:
    """Sender addresses and domains of mail that was released: by the person, by IT for them, or by
    Microsoft itself (SystemReleased: it said it held that mail by mistake, as in an incident)."""
    out: set[str] = set()
    for n, m in enumerate(messages):
        if n % EVERY == 0:
            pace()
        if (m.released or m.release_status in _RELEASED) and m.sender_address:
            out.add(m.sender_address.casefold())
            out.add("@" + _domain(m.sender_address))
    return frozenset(out)


class Glance(NamedTuple):
    group: Group
    waiting: bool  # core.waiting.is_waiting_for_you
    urgent: str    # a few words, or ""


def glance(message: QuarantinedMessage, now: datetime, *, known_senders: frozenset[str] = frozenset(),
           confirmed: bool = False, look_alike: bool = False) -> Glance:
    """The row's place in the suggested order, whether it waits for the person, and its urgency, from one
    reading of the message (the row builder runs this for every row of a 100k listing).

    ``known_senders``: ``released_before``; ``confirmed``: the sender checks confirmed the sender;
    ``look_alike``: the address imitates another (core.sender_checks.sender_warnings)."""
    held = is_held(message, now)
    waiting = held and your_move(message)
    return Glance(_group(message, held, waiting, known_senders, confirmed, look_alike), waiting,
                  _urgency(message, now, held))


def group_of(message: QuarantinedMessage, now: datetime, *, known_senders: frozenset[str] = frozenset(),
             confirmed: bool = False, look_alike: bool = False) -> Group:
    return glance(message, now, known_senders=known_senders, confirmed=confirmed, look_alike=look_alike).group


def _group(message: QuarantinedMessage, held: bool, waiting: bool, known_senders: frozenset[str],
           confirmed: bool, look_alike: bool) -> Group:
    if not held:
        return Group.SETTLED
    if not waiting:
        return Group.WITH_IT
    if look_alike or (message.quarantine_type in _JUNK_TYPES and not confirmed):
        return Group.JUNK
    address = message.sender_address.casefold()
    if confirmed or (address and (address in known_senders or "@" + _domain(address) in known_senders)):
        return Group.LIKELY_WANTED
    return Group.WAITING


def urgency(message: QuarantinedMessage, now: datetime) -> str:
    """A few words when it matters now, else "": deleted within two days while still held; IT declined."""
    return _urgency(message, now, is_held(message, now))


def _urgency(message: QuarantinedMessage, now: datetime, held: bool) -> str:
    if message.release_status is ReleaseStatus.DENIED:
        return IT_ANSWERED
    if message.expires is None or not held:
        return ""
    left = message.expires - now
    if left > URGENT_WITHIN:
        return ""
    local = message.expires.astimezone(now.tzinfo) if now.tzinfo else message.expires
    days = (local.date() - now.date()).days
    return URGENT_TODAY if days <= 0 else URGENT_TOMORROW if days == 1 else URGENT_DAYS
