"""Why a message was held, in words a non-technical person understands.

The words themselves live in core/vocabulary.py (the one vocabulary); this module picks the right ones
for a message. ``held_by`` names who held it in plain words; the policy's own name, its quarantine tag
and the wire's type spelling are technical detail for IT: the window folds them away in its IT section.
"""

from __future__ import annotations

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

__all__ = ["REASONS", "TRANSLATION_CONTEXT", "Reason", "held_by", "reason_chip",
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
