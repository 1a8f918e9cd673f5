"""The one vocabulary: the words for why a message was held, where it stands and what can be done with it.

The window (rows, filter chips, details pane, buttons), the tray, notifications and the command line all
take these words from here, so a status reads the same everywhere ("Only IT can release it" in the list,
the details pane and ``quarantine-checker show``). Every string a person reads is in a module-level table,
so the UI can run it through Qt's translate() (context ``TRANSLATION_CONTEXT``) without this module
importing Qt. Wire spellings ("HighConfPhish", "NOTRELEASED") never appear in a value here.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from quarantine_checker.core.model import QuarantineType

TRANSLATION_CONTEXT = "vocabulary"


class Action(enum.StrEnum):
    """What a person can do with a held message (the values are the CLI's and JSON's names)."""

    RELEASE = "release"
    REQUEST_RELEASE = "request_release"
    DELETE = "delete"
    PREVIEW = "preview"
    VIEW_HEADERS = "view_headers"
    REPORT_NOT_JUNK = "report_not_junk"


class DisplayStatus(enum.Enum):
    """Where the message stands, one value per row of the decision table (plus expiry)."""

    RELEASED = "released"
    RELEASING = "releasing"
    WAITING_FOR_IT = "waiting_for_it"
    DECLINED = "declined"
    FAILED = "failed"
    CAN_RELEASE = "can_release"
    CAN_REQUEST = "can_request"
    IT_ONLY = "it_only"
    EXPIRED = "expired"


# --- why it was held ------------------------------------------------------------------------------------
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


# The reason inside a sentence, next to the sender ("… from billing@partner.example — possible phishing"):
# notifications and the tray. The same judgement as the title, shorter.
REASON_PHRASES: dict[QuarantineType, str] = {
    QuarantineType.PHISH: "possible phishing",
    QuarantineType.HIGH_CONF_PHISH: "high-confidence phishing",
    QuarantineType.MALWARE: "contains malware",
    QuarantineType.SPO_MALWARE: "contains malware",
    QuarantineType.FILE_TYPE_BLOCK: "blocked file type",
    QuarantineType.SPAM: "spam",
    QuarantineType.BULK: "bulk mail",
    QuarantineType.TRANSPORT_RULE: "held by a rule your organisation set",
    QuarantineType.DATA_LOSS_PREVENTION: "sensitive information",
    QuarantineType.ADMIN_TRIGGERED: "held by your IT team",
}
GENERIC_PHRASE = "held by your organisation's mail filter"

# --- where it stands ------------------------------------------------------------------------------------
# One status, one sentence, everywhere: the list's Status column, the details pane, the CLI and its JSON.
STATUS_WORDS: dict[DisplayStatus, str] = {
    DisplayStatus.RELEASED: "Released",
    DisplayStatus.RELEASING: "Releasing…",
    DisplayStatus.WAITING_FOR_IT: "Waiting for IT",
    DisplayStatus.DECLINED: "IT declined to release it",
    DisplayStatus.FAILED: "Release failed — try again",
    DisplayStatus.CAN_RELEASE: "You can release it",
    DisplayStatus.CAN_REQUEST: "You can ask IT to release it",
    DisplayStatus.IT_ONLY: "Only IT can release it",
    DisplayStatus.EXPIRED: "Deleted from quarantine",
}

# The list's status filter groups the statuses by who has the next move.
STATUS_GROUP_OF: dict[DisplayStatus, str] = {
    DisplayStatus.CAN_RELEASE: "needs_review",
    DisplayStatus.CAN_REQUEST: "needs_review",
    DisplayStatus.IT_ONLY: "needs_review",
    DisplayStatus.FAILED: "needs_review",
    DisplayStatus.EXPIRED: "needs_review",
    DisplayStatus.WAITING_FOR_IT: "requested",
    DisplayStatus.RELEASING: "released",
    DisplayStatus.RELEASED: "released",
    DisplayStatus.DECLINED: "declined",
}
STATUS_GROUP_WORDS: dict[str, str] = {
    "needs_review": "Waiting for you",
    "requested": "Waiting for IT",
    "released": "Released",
    "declined": "IT declined",
}

# --- what can be done -----------------------------------------------------------------------------------
ACTION_WORDS: dict[Action, str] = {
    Action.RELEASE: "Release",
    Action.REQUEST_RELEASE: "Request release",
    Action.DELETE: "Delete",
    Action.PREVIEW: "Preview",
    Action.VIEW_HEADERS: "View headers",
    # It delivers to the Inbox like Release, so its name says it releases.
    Action.REPORT_NOT_JUNK: "Release and report as not junk",
}

# What was done, once it worked (the CLI's line per message; the window says more, with the new status).
ACTION_DONE: dict[Action, str] = {
    Action.RELEASE: "Released: it will arrive in your inbox shortly",
    Action.REPORT_NOT_JUNK: "Released and reported as not junk: it will arrive in your inbox shortly",
    Action.REQUEST_RELEASE: "Release requested: your request was sent to IT",
    Action.DELETE: "Deleted from quarantine",
}

# Before mail is delivered whose sender was not confirmed (core/decision.needs_sender_warning).
SENDER_WARNING_TITLE = "Check the sender first"
SENDER_WARNING_FAILED = "This message may not be from who it claims to be. Release it anyway?"
SENDER_WARNING_UNCONFIRMED = "We couldn't confirm who sent this message. Release it anyway?"
SENDER_WARNING_ADVICE = (
    "Only release it if you were expecting it and trust the sender. If unsure, ask IT instead."
)

# The sender checks (core/sender_checks.SenderReport.check_lines), in the window and the CLI alike.
SENDER_CHECKS_TITLE = "Is the sender who they say they are?"
SENDER_WARNING_MARK = "⚠ "
CHECK_MARKS: dict[str, str] = {"pass": "✓", "fail": "✗", "softfail": "✗", "none": "?", "unknown": "?"}
SENDER_REPLIES_TO = "Replies would go to: {0}"
SENDER_NO_INFO = "No sender information was found in the headers."

# What happens if the person takes the primary action, said before they take it.
WHAT_HAPPENS: dict[Action | None, str] = {
    Action.RELEASE: (
        "If you release it, it goes to your Inbox and you can open it like any other mail. Only do that "
        "if you were expecting it and trust the sender."
    ),
    Action.REQUEST_RELEASE: (
        "If you ask for it, IT checks the message first and then releases it to your Inbox or declines; "
        "you'll be told their answer."
    ),
    None: "Nothing more can be done with it from here. Contact IT if you need it.",
}

# --- links in a message ---------------------------------------------------------------------------------
# Links are never clickable; each is named by where it really goes, and says it is turned off.
LINK_TURNED_OFF = "{place} (link turned off)"
LINK_PLACES: dict[str, str] = {
    "mailto": "email to {address}",
    "script": "a script, not a web page",
    "other": "not a web address",
}

# --- who decided to hold it -----------------------------------------------------------------------------
# The policy's own name ("Standard Preset Security Policy1784144691483") is for IT, in the copied details.
HELD_BY_CUSTOM = "A rule your organisation set"
HELD_BY_FILTER = "Microsoft 365's mail filter, with your organisation's settings"
HELD_BY_UNKNOWN = "Your organisation's mail filter"


# --- which organisation -----------------------------------------------------------------------------------
ORGANISATION = "Organisation: {0}"
ORGANISATION_BY_ID = "Organisation: the one your IT team set up"
_GUID = re.compile(r"(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def organisation_line(tenant: str) -> str:
    """The sign-in page's organisation line: its domain when that is what was set, never the raw tenant
    GUID (which tells a person nothing; IT finds it in the settings and diagnostics)."""
    tenant = tenant.strip()
    if not tenant:
        return ""
    return ORGANISATION_BY_ID if _GUID.match(tenant) else ORGANISATION.format(tenant)


def status_words(status: DisplayStatus) -> str:
    return STATUS_WORDS[status]


def action_words(action: Action) -> str:
    return ACTION_WORDS[action]
