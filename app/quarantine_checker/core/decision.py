"""Which buttons a message row offers, and why the others are missing (spec §8.5).

The quarantine policy decides what a user may do; the app must explain every missing action rather
than hide it silently (user-needs §6). ``decide`` is a pure function of the message and the clock,
so the whole table is tested row by row without a UI or a service.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from quarantine_checker.core.expiry import format_date
from quarantine_checker.core.model import QuarantinedMessage, QuarantineType, ReleaseStatus
from quarantine_checker.core.vocabulary import STATUS_WORDS, DisplayStatus
from quarantine_checker.core.vocabulary import (
    Action as Action,  # re-exported: the decision is about an Action
)

if TYPE_CHECKING:
    from quarantine_checker.core.sender_checks import SenderReport

TRANSLATION_CONTEXT = "decision"


# The actions that put the message into the person's Inbox. Reporting as not junk is a release with a
# report attached, so it is named as a release and gets the same sender warning as Release.
DELIVERS_TO_INBOX: frozenset[Action] = frozenset({Action.RELEASE, Action.REPORT_NOT_JUNK})


def delivers_to_inbox(action: Action) -> bool:
    return action in DELIVERS_TO_INBOX


class SenderDoubt(enum.Enum):
    """How sure we are of who sent a message, for the "check the sender first" warning."""

    CONFIRMED = "confirmed"  # the sender's domain, or both its server and signature, vouched for it
    UNCONFIRMED = "unconfirmed"  # nothing failed, but nothing confirmed the sender either (unknown/none)
    FAILED = "failed"  # a check failed or the sender looks disguised


def sender_doubt(report: SenderReport | None) -> SenderDoubt:
    """The one rule for warning before mail is delivered: anything short of a confirmed sender warns.

    ``None`` (the headers were never read) counts as unconfirmed: not knowing is not "all clear".
    """
    if report is None:
        return SenderDoubt.UNCONFIRMED
    if report.checks_failed:
        return SenderDoubt.FAILED
    if report.dmarc.result == "pass":
        return SenderDoubt.CONFIRMED
    # No DMARC verdict: the delivering server and the signature must both check out on their own.
    if report.spf.result == "pass" and report.dkim.result == "pass":
        return SenderDoubt.CONFIRMED
    return SenderDoubt.UNCONFIRMED


def needs_sender_warning(action: Action, report: SenderReport | None) -> bool:
    return delivers_to_inbox(action) and sender_doubt(report) is not SenderDoubt.CONFIRMED


# Users can never release these themselves, whatever the policy says; they may only ask (spec §4.3).
# FileTypeBlock is treated like Malware per the spec's inference.
ADMIN_ONLY_TYPES: frozenset[QuarantineType] = frozenset(
    {QuarantineType.MALWARE, QuarantineType.HIGH_CONF_PHISH, QuarantineType.FILE_TYPE_BLOCK,
     QuarantineType.SPO_MALWARE}
)

# ReportFalsePositive is "available only for quarantined spam messages" ([RQM]); Bulk is left out.
NOT_JUNK_TYPES: frozenset[QuarantineType] = frozenset({QuarantineType.SPAM})

# The words for each status are the one vocabulary's (window, tray, CLI say the same).
STATUS_TEXTS: dict[DisplayStatus, str] = STATUS_WORDS

# How the admin-only reasons name each kind of message inside a sentence.
KIND_PHRASES: dict[QuarantineType, str] = {
    QuarantineType.HIGH_CONF_PHISH: "messages held as high-confidence phishing",
    QuarantineType.MALWARE: "messages that contain malware",
    QuarantineType.SPO_MALWARE: "files that contain malware",
    QuarantineType.FILE_TYPE_BLOCK: "messages with a blocked type of file",
    QuarantineType.TRANSPORT_RULE: "messages held by a rule your organisation set",
    QuarantineType.DATA_LOSS_PREVENTION: "messages held for containing sensitive information",
    QuarantineType.ADMIN_TRIGGERED: "messages your IT team put in quarantine",
}

REASONS: dict[str, str] = {
    "expired": "This message was deleted from quarantine on {date}, so nothing more can be done with it.",
    "released": "This message has already been released. Look for it in your inbox.",
    "releasing": "This message is being released right now. It should reach your inbox in a minute or two.",
    "requested": "You already asked IT to release this message; they haven't answered yet.",
    "declined": (
        "Your IT team decided not to release this message. "
        "Contact them if you think that was a mistake."
    ),
    "admin_only_can_ask": "Only your IT team can release {kind} — you can ask them to.",
    "admin_only_cannot_ask": "Only your IT team can release {kind}. Contact them if you need it.",
    "policy_request_only": (
        "Your organisation lets you ask IT to release this message, but not release it yourself."
    ),
    "policy_none": (
        "Your organisation doesn't let you release this message or ask for it to be released. "
        "Contact your IT team if you need it."
    ),
    "can_release_yourself": "You can release this message yourself, so there's no need to ask IT.",
    "no_preview": "Your organisation doesn't allow previewing this message.",
    "no_delete": "Your organisation doesn't let you delete this message from quarantine.",
    "not_junk_spam_only": "Only messages held as spam can be reported as not junk.",
    "not_junk_needs_release": "You can report a message as not junk only when you release it yourself.",
}


@dataclass(frozen=True)
class ActionDecision:
    primary: Action | None
    status: DisplayStatus
    status_text: str
    available: frozenset[Action]
    # One plain sentence for every action not in ``available``.
    unavailable: dict[Action, str] = field(hash=False)
    # True while the service is still working (PREPARINGTORELEASE): re-read the message soon.
    needs_refresh: bool = False

    def is_available(self, action: Action) -> bool:
        return action in self.available

    def reason(self, action: Action) -> str | None:
        """Why ``action`` is missing, or None if it is available."""
        return self.unavailable.get(action)


def release_action(message: QuarantinedMessage) -> Action | None:
    """The release button the permissions allow, ignoring status: rows 6-8 of the §8.5 table."""
    if message.permission_to_release and message.quarantine_type not in ADMIN_ONLY_TYPES:
        return Action.RELEASE
    if message.permission_to_request_release or (
        message.permission_to_release and message.quarantine_type in ADMIN_ONLY_TYPES
    ):
        return Action.REQUEST_RELEASE
    return None


def _kind(message: QuarantinedMessage) -> str | None:
    return KIND_PHRASES.get(message.quarantine_type)


def _release_reasons(message: QuarantinedMessage, allowed: Action | None) -> dict[Action, str]:
    """Why Release / Request release are missing when the permissions decide it."""
    kind = _kind(message)
    if allowed is Action.RELEASE:
        return {Action.REQUEST_RELEASE: REASONS["can_release_yourself"]}
    if allowed is Action.REQUEST_RELEASE:
        if message.quarantine_type in ADMIN_ONLY_TYPES and kind:
            why = REASONS["admin_only_can_ask"].format(kind=kind)
        else:
            why = REASONS["policy_request_only"]
        return {Action.RELEASE: why}
    why = REASONS["admin_only_cannot_ask"].format(kind=kind) if kind else REASONS["policy_none"]
    return {Action.RELEASE: why, Action.REQUEST_RELEASE: why}


def _secondary(
    message: QuarantinedMessage, *, allow_delete: bool, delete_reason: str
) -> dict[Action, str | None]:
    """Preview / headers / delete: None means available, a string is the reason it is not."""
    if not allow_delete:
        delete_why: str | None = delete_reason
    else:
        delete_why = None if message.permission_to_delete else REASONS["no_delete"]
    return {
        Action.PREVIEW: None if message.permission_to_preview else REASONS["no_preview"],
        # Headers are always offered while the message is visible, whatever PermissionToViewHeader says.
        Action.VIEW_HEADERS: None,
        Action.DELETE: delete_why,
    }


def _build(
    status: DisplayStatus,
    primary: Action | None,
    reasons: dict[Action, str | None],
    *,
    needs_refresh: bool = False,
) -> ActionDecision:
    available = frozenset(a for a, why in reasons.items() if why is None)
    unavailable = {a: why for a, why in reasons.items() if why is not None}
    return ActionDecision(
        primary=primary,
        status=status,
        status_text=STATUS_TEXTS[status],
        available=available,
        unavailable=unavailable,
        needs_refresh=needs_refresh,
    )


def _not_junk(message: QuarantinedMessage, release_available: bool) -> str | None:
    if message.quarantine_type not in NOT_JUNK_TYPES:
        return REASONS["not_junk_spam_only"]
    if not release_available:
        return REASONS["not_junk_needs_release"]
    return None


def _blocked_state(
    message: QuarantinedMessage,
    status: DisplayStatus,
    why: str,
    *,
    deletable: bool,
    needs_refresh: bool = False,
) -> ActionDecision:
    """A status row where the release buttons are settled by the status, not the permissions."""
    reasons: dict[Action, str | None] = {Action.RELEASE: why, Action.REQUEST_RELEASE: why}
    reasons.update(_secondary(message, allow_delete=deletable, delete_reason=why))
    reasons[Action.REPORT_NOT_JUNK] = _not_junk(message, release_available=False)
    return _build(status, None, reasons, needs_refresh=needs_refresh)


def status_of(message: QuarantinedMessage, now: datetime) -> DisplayStatus:
    """``decide(message, now).status`` without working out every reason: the list's Status column runs
    this for every row of a big listing. The same first-match order as ``decide``."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    status = message.release_status
    if message.released or status in (ReleaseStatus.RELEASED, ReleaseStatus.APPROVED):
        return DisplayStatus.RELEASED
    if message.is_expired(now):
        return DisplayStatus.EXPIRED
    simple = _SIMPLE_STATUS.get(status)
    if simple is not None:
        return simple
    allowed = release_action(message)
    if status is ReleaseStatus.ERROR:
        return DisplayStatus.FAILED
    if allowed is Action.RELEASE:
        return DisplayStatus.CAN_RELEASE
    if allowed is Action.REQUEST_RELEASE:
        return DisplayStatus.CAN_REQUEST
    return DisplayStatus.IT_ONLY


_SIMPLE_STATUS: dict[ReleaseStatus, DisplayStatus] = {
    ReleaseStatus.PREPARINGTORELEASE: DisplayStatus.RELEASING,
    ReleaseStatus.REQUESTED: DisplayStatus.WAITING_FOR_IT,
    ReleaseStatus.DENIED: DisplayStatus.DECLINED,
}


def decide(message: QuarantinedMessage, now: datetime) -> ActionDecision:
    """Apply spec §8.5: the first matching row wins. ``now`` should be timezone-aware (naive means UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    status = message.release_status

    if message.released or status in (ReleaseStatus.RELEASED, ReleaseStatus.APPROVED):
        return _blocked_state(message, DisplayStatus.RELEASED, REASONS["released"], deletable=False)

    if message.is_expired(now):
        expires = message.expires or now  # is_expired() is only true with a date; this keeps mypy quiet
        why = REASONS["expired"].format(date=format_date(expires, now))
        return _build(DisplayStatus.EXPIRED, None, dict.fromkeys(Action, why))

    if status is ReleaseStatus.PREPARINGTORELEASE:
        return _blocked_state(
            message, DisplayStatus.RELEASING, REASONS["releasing"], deletable=False, needs_refresh=True
        )
    if status is ReleaseStatus.REQUESTED:
        return _blocked_state(message, DisplayStatus.WAITING_FOR_IT, REASONS["requested"], deletable=True)
    if status is ReleaseStatus.DENIED:
        return _blocked_state(message, DisplayStatus.DECLINED, REASONS["declined"], deletable=True)

    allowed = release_action(message)
    reasons: dict[Action, str | None] = dict(_release_reasons(message, allowed))
    if allowed is not None:
        reasons[allowed] = None
    reasons.update(_secondary(message, allow_delete=True, delete_reason=""))
    reasons[Action.REPORT_NOT_JUNK] = _not_junk(message, release_available=allowed is Action.RELEASE)

    if status is ReleaseStatus.ERROR:
        return _build(DisplayStatus.FAILED, allowed, reasons)
    if allowed is Action.RELEASE:
        return _build(DisplayStatus.CAN_RELEASE, allowed, reasons)
    if allowed is Action.REQUEST_RELEASE:
        return _build(DisplayStatus.CAN_REQUEST, allowed, reasons)
    return _build(DisplayStatus.IT_ONLY, None, reasons)
