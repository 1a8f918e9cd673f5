"""What "waiting for you" means, defined once: the window's title and status line, the tray's badge and
tooltip all count with ``is_waiting_for_you``, so they never disagree (they did: the window counted every
row, released ones too, while the tray counted what was still held).

Waiting for you = still held, and the next move is yours: not released or being released, not asked of IT
(IT has the next move), not declined by IT (IT answered), not deleted or past its expiry date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from quarantine_checker.core.model import QuarantinedMessage, ReleaseStatus

# Someone (the person, IT or Microsoft) has finished with the message: it is no longer held for anyone.
_DONE = frozenset({ReleaseStatus.APPROVED, ReleaseStatus.PREPARINGTORELEASE, ReleaseStatus.RELEASED,
                   ReleaseStatus.DENIED})


def is_held(message: QuarantinedMessage, now: datetime) -> bool:
    """Still in quarantine and not settled: waiting for the person, or for IT's answer to a request."""
    if message.released or message.release_status in _DONE:
        return False
    return not message.is_expired(now)


def is_waiting_for_you(message: QuarantinedMessage, now: datetime) -> bool:
    """Held, and the person has the next move (a request already sent waits for IT, not for them)."""
    return is_held(message, now) and your_move(message)


def your_move(message: QuarantinedMessage) -> bool:
    """Of a held message: the next move is the person's, not IT's. ``is_waiting_for_you`` = held and this
    (the row builder has ``is_held`` already and asks only this)."""
    return message.release_status is not ReleaseStatus.REQUESTED


def count_waiting(messages: Iterable[QuarantinedMessage], now: datetime) -> int:
    return sum(1 for m in messages if is_waiting_for_you(m, now))
