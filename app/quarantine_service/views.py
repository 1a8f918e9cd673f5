"""One held message as one employee sees it: their rights (permissions.py), their own state (their
release, their request), and the status the desktop's own decision table gives (core/decision.py).

Everything here is a code or data, never a sentence: the app words it in the user's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from quarantine_checker.core.decision import Action as DecisionAction
from quarantine_checker.core.decision import decide
from quarantine_checker.core.model import QuarantinedMessage, QuarantineType, ReleaseStatus
from quarantine_service.permissions import PolicyInfo, Rights, rights_for
from quarantine_service.store.models import Action, Message


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def reason_code(message: Message) -> str:
    kind = QuarantineType.from_wire(message.quarantine_type)
    return kind.name.lower()


def own_address(message_recipients: list[str], addresses: tuple[str, ...]) -> str | None:
    """The caller's address among the message's recipients (the one a release is sent to)."""
    mine = [a for a in addresses if a in message_recipients]
    return mine[0] if mine else None


def released_for(message: Message, address: str) -> bool:
    """Whether this recipient's copy was released: a release to Bob is not a release to Alice."""
    status = ReleaseStatus.from_wire(message.release_status)
    if message.system_released:
        return True
    if address in message.released_users:
        # Named as a target, but the release may still be on its way, or have failed.
        return status not in (ReleaseStatus.PREPARINGTORELEASE, ReleaseStatus.ERROR)
    if not (message.released or status in (ReleaseStatus.RELEASED, ReleaseStatus.APPROVED)):
        return False
    if message.recipient_count > 0:  # released to everyone when every recipient got it
        return message.released_count >= message.recipient_count
    return not message.released_users


def personal_status(message: Message, address: str, actions: Mapping[str, Action]) -> ReleaseStatus:
    """Where the message stands *for this employee*."""
    status = ReleaseStatus.from_wire(message.release_status)
    if released_for(message, address):
        return ReleaseStatus.RELEASED
    release, request = actions.get("release"), actions.get("request")
    if release is not None and release.state == "failed":
        return ReleaseStatus.ERROR  # "Release failed — try again": the release button is back
    if release is not None or address in message.released_users:
        return ReleaseStatus.PREPARINGTORELEASE
    if request is not None:
        if request.state == "pending":
            return ReleaseStatus.REQUESTED
        if request.state == "approved":
            return ReleaseStatus.PREPARINGTORELEASE
        if request.state == "declined":
            return ReleaseStatus.DENIED
    if status is ReleaseStatus.DENIED:
        return status  # "You can deny release for all recipients only" (§4.4)
    return ReleaseStatus.NOTRELEASED


def history_outcome(message: Message, address: str, actions: Mapping[str, Action],
                    now: datetime) -> tuple[str, datetime | None]:
    """What became of one held message for this employee, a code the app words: held, released_by_me,
    released_by_it, released_by_microsoft, declined, expired, deleted."""
    release, request, delete = actions.get("release"), actions.get("request"), actions.get("delete")
    if release is not None and release.state in ("pending", "done"):
        return "released_by_me", release.created_at
    if request is not None and request.state == "approved":
        return "released_by_it", request.answered_at
    if message.system_released:
        return "released_by_microsoft", message.last_seen
    if released_for(message, address):
        return "released_by_it", message.last_seen
    if request is not None and request.state == "declined":
        return "declined", request.answered_at
    if (delete is not None and delete.state in ("pending", "done")) or address in message.deleted_for:
        return "deleted", delete.created_at if delete is not None else message.gone_at
    if message.expires is not None and message.expires <= now:
        return "expired", message.expires
    if message.gone_at is not None:
        return "deleted", message.gone_at
    return "held", None


def is_hidden(message: Message, address: str, actions: Mapping[str, Action], rights: Rights) -> bool:
    delete = actions.get("delete")
    return (not rights.visible or address in message.deleted_for
            or (delete is not None and delete.state in ("pending", "done")))


def message_view(message: Message, recipients: list[str], addresses: tuple[str, ...],
                 actions: Mapping[str, Action], policies: Mapping[str, PolicyInfo],
                 now: datetime) -> dict[str, Any] | None:
    """The API's item for one message, or None if this employee must not see it."""
    address = own_address(recipients, addresses)
    if address is None:
        return None
    kind = QuarantineType.from_wire(message.quarantine_type)
    rights = rights_for(kind, message.tag_name, policies)
    if is_hidden(message, address, actions, rights):
        return None
    status = personal_status(message, address, actions)
    as_core = QuarantinedMessage(
        identity=message.identity, received_time=message.received_time, expires=message.expires,
        quarantine_type=kind, release_status=status, released=status is ReleaseStatus.RELEASED,
        permission_to_release=rights.release, permission_to_request_release=rights.request_release,
        permission_to_preview=rights.preview, permission_to_delete=rights.delete,
    )
    decision = decide(as_core, now)
    available = set(decision.available) - {DecisionAction.REPORT_NOT_JUNK}
    if message.gone_at is not None:
        available = set()
    request = actions.get("request")
    return {
        "id": message.identity,
        "received": _iso(message.received_time),
        "expires": _iso(message.expires),
        "sender": message.sender_address,
        "subject": message.subject,
        "size": message.size,
        "reason": kind.name.lower(),
        "recipient": address,
        "status": "gone" if message.gone_at is not None else decision.status.value,
        "actions": sorted(a.value for a in available),
        "may_report_not_junk": DecisionAction.REPORT_NOT_JUNK in decision.available,
        "rights": rights.as_dict(),
        "request": None if request is None else {
            "state": request.state, "note": request.note, "created": _iso(request.created_at),
            "answered": _iso(request.answered_at)},
    }
