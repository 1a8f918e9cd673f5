"""Two copies of one message that disagree: keep the reading that allows the least.

A listing can carry the same Identity twice (rows shift between pages, or a backend answers from two
replicas). When the copies agree, one is a plain duplicate. When they disagree on what may be done --
status, permissions, reason, expiry -- neither can be trusted to be the current one, so the app acts on
the most restrictive combination and says the message's state is uncertain.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from quarantine_checker.core.decision import ADMIN_ONLY_TYPES
from quarantine_checker.core.model import QuarantinedMessage, ReleaseStatus

# Lower is more restrictive: a released message offers nothing, a not-released one the most.
_STATUS_RANK: dict[ReleaseStatus, int] = {
    ReleaseStatus.RELEASED: 0,
    ReleaseStatus.APPROVED: 0,
    ReleaseStatus.PREPARINGTORELEASE: 1,
    ReleaseStatus.DENIED: 2,
    ReleaseStatus.REQUESTED: 3,
    ReleaseStatus.ERROR: 4,
    ReleaseStatus.UNKNOWN: 5,
    ReleaseStatus.NOTRELEASED: 6,
}

_PERMISSIONS = (
    "permission_to_block_sender", "permission_to_delete", "permission_to_preview", "permission_to_release",
    "permission_to_request_release", "permission_to_view_header", "permission_to_download",
    "permission_to_allow_sender",
)


def reading(message: QuarantinedMessage) -> tuple[object, ...]:
    """The fields that decide what may be done with a message."""
    return (
        message.release_status, message.released, message.quarantine_type, message.expires,
        *(getattr(message, name) for name in _PERMISSIONS),
    )


def disagree(a: QuarantinedMessage, b: QuarantinedMessage) -> bool:
    return reading(a) != reading(b)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return min(a, b)


def most_restrictive(a: QuarantinedMessage, b: QuarantinedMessage) -> QuarantinedMessage:
    """One message that allows only what both copies allow. Content fields come from ``a``."""
    status_from = a if _STATUS_RANK[a.release_status] <= _STATUS_RANK[b.release_status] else b
    admin_only_b = b.quarantine_type in ADMIN_ONLY_TYPES and a.quarantine_type not in ADMIN_ONLY_TYPES
    type_from = b if admin_only_b else a
    return replace(
        a,
        release_status=status_from.release_status,
        release_status_raw=status_from.release_status_raw,
        released=a.released or b.released,
        quarantine_type=type_from.quarantine_type,
        quarantine_type_raw=type_from.quarantine_type_raw,
        expires=_earliest(a.expires, b.expires),
        **{name: getattr(a, name) and getattr(b, name) for name in _PERMISSIONS},
    )
