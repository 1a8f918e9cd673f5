"""Why a message was held and where it stands, in words a non-technical person understands.

Every string a user reads lives in the module-level tables below, so the UI can run them through
Qt's translate() (context ``TRANSLATION_CONTEXT``) without this module importing Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

from quarantine_checker.core.model import QuarantineType, ReleaseStatus

TRANSLATION_CONTEXT = "reasons"


@dataclass(frozen=True)
class Reason:
    title: str        # one line for the list, e.g. "Held as spam"
    explanation: str  # one or two sentences for the detail pane
    chip: str         # a short filter-chip label, e.g. "Spam"


_GENERIC = Reason(
    "Held by your organisation's mail filter",
    "Your organisation's mail filter held this message. Your IT team can tell you why.",
    "Other",
)

REASONS: dict[QuarantineType, Reason] = {
    QuarantineType.PHISH: Reason(
        "Held as possible phishing",
        "Microsoft's filter thought this message might be trying to trick you, for example into typing "
        "your password on a fake page. If you know the sender and were expecting it, it may be a mistake.",
        "Phishing",
    ),
    QuarantineType.HIGH_CONF_PHISH: Reason(
        "Held as high-confidence phishing",
        "Microsoft's filter is almost certain this message is a scam trying to steal passwords or money. "
        "Only your IT team can release it, after checking that it is safe.",
        "High-confidence phishing",
    ),
    QuarantineType.MALWARE: Reason(
        "Held because it contains malware",
        "Something in this message, usually an attachment, looks like harmful software. "
        "Only your IT team can release it, after checking that it is safe.",
        "Malware",
    ),
    QuarantineType.SPO_MALWARE: Reason(
        "Held because it contains malware",
        "A file shared with you looks like harmful software. "
        "Only your IT team can release it, after checking that it is safe.",
        "Malware",
    ),
    QuarantineType.FILE_TYPE_BLOCK: Reason(
        "Held because a file type is blocked",
        "The message has an attachment of a kind your organisation doesn't accept by email, "
        "such as a program. Only your IT team can release it.",
        "Blocked file type",
    ),
    QuarantineType.SPAM: Reason(
        "Held as spam",
        "Microsoft's filter thought this was unwanted junk mail. "
        "If it's something you want, you can usually release it.",
        "Spam",
    ),
    QuarantineType.BULK: Reason(
        "Held as bulk mail",
        "This looks like a mass mailing, such as a newsletter or an advert. "
        "If you want it, you can usually release it.",
        "Bulk mail",
    ),
    QuarantineType.TRANSPORT_RULE: Reason(
        "Held by a rule set by your organisation",
        "Your IT team set up a rule that holds messages like this one. Only they can release it.",
        "Organisation rule",
    ),
    QuarantineType.DATA_LOSS_PREVENTION: Reason(
        "Held by your organisation's data-loss prevention",
        "This message seems to contain sensitive information, such as card or ID numbers, that your "
        "organisation protects. Your IT team decides whether it can go through.",
        "Sensitive information",
    ),
    QuarantineType.ADMIN_TRIGGERED: Reason(
        "Held by your IT team",
        "Someone in your IT team moved this message to quarantine. Ask them if you need it.",
        "Held by IT",
    ),
    # PPI is undocumented (seen only in an API error body): say nothing we can't stand behind.
    QuarantineType.PPI: _GENERIC,
    QuarantineType.UNKNOWN: _GENERIC,
}

STATUS_LABELS: dict[ReleaseStatus, str] = {
    ReleaseStatus.NOTRELEASED: "Needs review",
    ReleaseStatus.REQUESTED: "Release requested",
    ReleaseStatus.APPROVED: "Released",
    ReleaseStatus.RELEASED: "Released",
    ReleaseStatus.DENIED: "Declined by IT",
    ReleaseStatus.PREPARINGTORELEASE: "Releasing…",
    ReleaseStatus.ERROR: "Release failed",
    # An unrecognised status is treated like "not released" by the decision table, so say the same.
    ReleaseStatus.UNKNOWN: "Needs review",
}


def reason_for(quarantine_type: QuarantineType) -> Reason:
    return REASONS.get(quarantine_type, _GENERIC)


def reason_title(quarantine_type: QuarantineType) -> str:
    return reason_for(quarantine_type).title


def reason_explanation(quarantine_type: QuarantineType) -> str:
    return reason_for(quarantine_type).explanation


def reason_chip(quarantine_type: QuarantineType) -> str:
    return reason_for(quarantine_type).chip


def status_label(status: ReleaseStatus) -> str:
    return STATUS_LABELS.get(status, STATUS_LABELS[ReleaseStatus.UNKNOWN])
