"""Why a message was held, in words a non-technical person understands.

The words themselves live in core/vocabulary.py (the one vocabulary); this module picks the right ones
for a message. ``held_by`` names who held it in plain words; the policy's own name, its quarantine tag
and the wire's type spelling are technical detail for IT, so they only go into ``details_for_it`` (what
"Copy details for IT" puts on the clipboard), never on screen.
"""

from __future__ import annotations

import re

from quarantine_checker import __version__
from quarantine_checker.core.model import QuarantinedMessage, QuarantineType
from quarantine_checker.core.vocabulary import (
    GENERIC_PHRASE,
    HELD_BY_CUSTOM,
    HELD_BY_FILTER,
    HELD_BY_UNKNOWN,
    REASON_PHRASES,
    REASONS,
    TRANSLATION_CONTEXT,
    Reason,
)

__all__ = ["REASONS", "TRANSLATION_CONTEXT", "Reason", "details_for_it", "held_by", "reason_chip",
           "reason_explanation", "reason_for", "reason_phrase", "reason_title"]

_GENERIC = REASONS[QuarantineType.UNKNOWN]

# PolicyType on the wire -> who held it, in words. Anything else is the generic filter.
_HELD_BY: dict[str, str] = {
    "exchangetransportrule": HELD_BY_CUSTOM,
    "dataleakpreventionrule": HELD_BY_CUSTOM,
    "hostedcontentfilterpolicy": HELD_BY_FILTER,
    "antiphishpolicy": HELD_BY_FILTER,
    "antimalwarepolicy": HELD_BY_FILTER,
    "safeattachmentpolicy": HELD_BY_FILTER,
}


def reason_for(quarantine_type: QuarantineType) -> Reason:
    return REASONS.get(quarantine_type, _GENERIC)


def reason_title(quarantine_type: QuarantineType) -> str:
    return reason_for(quarantine_type).title


def reason_explanation(quarantine_type: QuarantineType) -> str:
    return reason_for(quarantine_type).explanation


def reason_phrase(quarantine_type: QuarantineType) -> str:
    """The reason inside a sentence: "possible phishing" (notifications, the tray)."""
    return REASON_PHRASES.get(quarantine_type, GENERIC_PHRASE)


def reason_chip(quarantine_type: QuarantineType) -> str:
    return reason_for(quarantine_type).chip


def held_by(message: QuarantinedMessage) -> str:
    """Who held the message, in words: never the policy's id-like name ("…Policy1784144691483")."""
    if message.quarantine_type in (QuarantineType.TRANSPORT_RULE, QuarantineType.DATA_LOSS_PREVENTION):
        return HELD_BY_CUSTOM
    return _HELD_BY.get((message.policy_type or "").strip().lower(), HELD_BY_UNKNOWN)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _fact(value: str) -> str:
    # Wire text: one line each, bounded, so a hostile value cannot fake extra lines in a ticket.
    return _CONTROL.sub(" ", value)[:300].strip()


def details_for_it(message: QuarantinedMessage) -> str:
    """The technical facts of one held message, for a helpdesk ticket (the clipboard, not the screen).

    Only what Microsoft 365 already shows an admin about the message's hold: no body, no headers.
    """
    lines = [
        f"Quarantine Checker {__version__}",
        f"Message ID: {_fact(message.identity)}",
        f"Quarantine type: {_fact(message.type_display or message.quarantine_type.value)}",
        f"Release status: {message.release_status.value}",
        f"Policy type: {_fact(message.policy_type)}",
        f"Policy name: {_fact(message.policy_name)}",
        f"Quarantine policy (tag): {_fact(message.tag_name)}",
    ]
    return "\n".join(line for line in lines if not line.endswith(": "))
