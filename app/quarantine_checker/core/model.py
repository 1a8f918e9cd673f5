"""The quarantined message as the app sees it, and the strict parser that builds it.

The wire object (spec §3.1) comes from an unsupported, brittle transport, so the parser trusts
nothing: only ``Identity`` is required (without it we cannot act on the message); every other
field falls back to a safe default when it is missing or of the wrong type. Strings are kept
exactly as sent -- hostile text (HTML, RTL overrides, huge strings) is data, and escaping is the
display layer's job, not ours.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from quarantine_checker.core.errors import MalformedResponseError


def _norm(value: str) -> str:
    """Fold case, keep only ASCII letters and digits: 'High Confidence Phish' -> 'highconfidencephish'."""
    return "".join(ch for ch in value.casefold() if ch.isascii() and ch.isalnum())


class _WireEnum(enum.Enum):
    """An enum read from the wire: case-insensitive, unknown values become UNKNOWN, never an error."""

    @classmethod
    def _aliases(cls) -> dict[str, str]:
        return {}

    @classmethod
    def from_wire(cls, value: object) -> Any:
        if not isinstance(value, str) or len(value) > 64:  # no real value is long; skip folding megabytes
            return cls["UNKNOWN"]
        key = _norm(value)
        lookup = _LOOKUPS.get(cls)
        if lookup is None:
            lookup = {_norm(m.value): m for m in cls}
            for alias, name in cls._aliases().items():
                lookup[_norm(alias)] = cls[name]
            _LOOKUPS[cls] = lookup
        return lookup.get(key, cls["UNKNOWN"])

    @property
    def wire(self) -> str:
        return str(self.value)


_LOOKUPS: dict[type, dict[str, Any]] = {}


class QuarantineType(_WireEnum):
    """Why the message was held (``QuarantineTypes``, spec §3.3)."""

    BULK = "Bulk"
    DATA_LOSS_PREVENTION = "DataLossPrevention"
    FILE_TYPE_BLOCK = "FileTypeBlock"
    HIGH_CONF_PHISH = "HighConfPhish"
    MALWARE = "Malware"
    PHISH = "Phish"
    SPAM = "Spam"
    SPO_MALWARE = "SPOMalware"
    TRANSPORT_RULE = "TransportRule"
    ADMIN_TRIGGERED = "AdminTriggered"
    PPI = "PPI"
    UNKNOWN = "Unknown"

    @classmethod
    def _aliases(cls) -> dict[str, str]:
        # Display forms seen in ``Type`` and the portal, used when QuarantineTypes is absent.
        return {
            "High Confidence Phish": "HIGH_CONF_PHISH",
            "High confidence phishing": "HIGH_CONF_PHISH",
            "Phishing": "PHISH",
            "High Confidence Spam": "SPAM",
            "Transport rule": "TRANSPORT_RULE",
            "Data loss prevention": "DATA_LOSS_PREVENTION",
            "Admin action - File type block": "FILE_TYPE_BLOCK",
            "File type block": "FILE_TYPE_BLOCK",
        }


class ReleaseStatus(_WireEnum):
    """``ReleaseStatus``; upper case on the wire, compared case-insensitively."""

    NOTRELEASED = "NOTRELEASED"
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    PREPARINGTORELEASE = "PREPARINGTORELEASE"
    RELEASED = "RELEASED"
    ERROR = "ERROR"
    UNKNOWN = "UNKNOWN"


class Direction(_WireEnum):
    INBOUND = "Inbound"
    OUTBOUND = "Outbound"
    UNKNOWN = "Unknown"


class EntityType(_WireEnum):
    EMAIL = "Email"
    SHAREPOINT_ONLINE = "SharePointOnline"
    TEAMS = "Teams"
    DATA_LOSS_PREVENTION = "DataLossPrevention"
    UNKNOWN = "Unknown"


@dataclass(frozen=True, repr=False)
class QuarantinedMessage:
    """One row of ``Get-QuarantineMessage``. Field names are the wire names in snake_case.

    ``*_raw`` fields keep the wire string of each enum so an UNKNOWN value can still be shown to IT.
    """

    identity: str
    received_time: datetime | None = None
    organization: str = ""
    message_id: str = ""
    sender_address: str = ""
    recipient_address: tuple[str, ...] = ()
    subject: str = ""
    size: int = 0
    type_display: str = ""
    quarantine_type: QuarantineType = QuarantineType.UNKNOWN
    quarantine_type_raw: str = ""
    policy_type: str = ""
    policy_name: str = ""
    tag_name: str = ""
    permission_to_block_sender: bool = False
    permission_to_delete: bool = False
    permission_to_preview: bool = False
    permission_to_release: bool = False
    permission_to_request_release: bool = False
    permission_to_view_header: bool = False
    permission_to_download: bool = False
    permission_to_allow_sender: bool = False
    released: bool = False
    release_status: ReleaseStatus = ReleaseStatus.UNKNOWN
    release_status_raw: str = ""
    system_released: bool = False
    recipient_count: int = 0
    expires: datetime | None = None
    recipient_tag: tuple[str, ...] = ()
    deleted_for_recipients: tuple[str, ...] = ()
    quarantined_user: tuple[str, ...] = ()
    released_user: tuple[str, ...] = ()
    released_by: tuple[str, ...] = ()
    released_count: int = 0
    reported: bool = False
    direction: Direction = Direction.UNKNOWN
    direction_raw: str = ""
    # Read-only view of a JSON object; excluded from hashing because mappings are unhashable.
    custom_data: Mapping[str, Any] | None = field(default=None, hash=False)
    entity_type: EntityType = EntityType.UNKNOWN
    entity_type_raw: str = ""
    source_id: str = ""
    teams_conversation_type: str = ""
    approval_upn: str = ""
    approval_id: str = ""
    move_to_quarantine_admin_action_taken_by: str = ""
    move_to_quarantine_approval_id: str = ""
    override_reason: str = ""
    override_reason_int_value: int = 0

    def __repr__(self) -> str:
        # Subjects, senders and recipients are mail content: keep them out of logs and tracebacks.
        return (
            f"QuarantinedMessage(identity={self.identity!r}, type={self.quarantine_type.name}, "
            f"status={self.release_status.name})"
        )

    @property
    def network_message_id(self) -> str:
        """GUID1 of ``GUID1\\GUID2``: the join key with Defender and audit data (spec §3.1)."""
        return self.identity.split("\\", 1)[0]

    def is_expired(self, now: datetime) -> bool:
        """True once ``expires`` has passed. A message without an expiry date never expires here."""
        if self.expires is None:
            return False
        return self.expires <= _aware(now)


# --- parsing ---------------------------------------------------------------------------------------

_FRACTION = re.compile(r"(\.\d{1,6})\d*")
_MS_DATE = re.compile(r"^/Date\((-?\d{1,15})(?:[+-]\d{4})?\)/$")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_timestamp(value: object) -> datetime | None:
    """ISO 8601 (any fraction length, 'Z', offsets; naive means UTC) or ``/Date(ms)/`` -> aware UTC."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    try:
        ms_match = _MS_DATE.match(text)
        if ms_match:
            return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(ms_match.group(1)))
        # Python wants at most six fraction digits in older releases; the service sends seven.
        text = _FRACTION.sub(lambda m: m.group(1), text, count=1)
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
        return _aware(parsed).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):  # some serialisers send "True"/"False"
        return value.strip().casefold() == "true"
    return False


def _count(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, float) and value.is_integer():
        return max(int(value), 0)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) < 20:
        return int(value.strip())
    return 0


def _signed(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return 0


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def _strip_annotations(value: Any, depth: int = 0) -> Any:
    """Copy a JSON value without ``@`` annotation keys; depth-capped against hostile nesting."""
    if depth > 32:
        return None
    if isinstance(value, Mapping):
        return {
            k: _strip_annotations(v, depth + 1)
            for k, v in value.items()
            if isinstance(k, str) and "@" not in k
        }
    if isinstance(value, list | tuple):
        return [_strip_annotations(v, depth + 1) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return None


def _custom(value: object) -> Mapping[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    return MappingProxyType(_strip_annotations(value))


class _Reader:
    def __init__(self, record: Mapping[Any, Any]) -> None:
        self._exact: dict[str, Any] = {}
        self._folded: dict[str, Any] = {}
        for key, value in record.items():
            if not isinstance(key, str) or "@" in key:
                continue
            self._exact[key] = value
            self._folded.setdefault(key.casefold(), value)

    def __call__(self, name: str) -> Any:
        if name in self._exact:
            return self._exact[name]
        return self._folded.get(name.casefold())


def parse_message(record: Mapping[str, object]) -> QuarantinedMessage:
    """Build a message from one wire record. Raises MalformedResponseError only; never anything else."""
    if not isinstance(record, Mapping):
        raise MalformedResponseError("A quarantine record is not an object", field="record")
    get = _Reader(record)
    identity = get("Identity")
    if not isinstance(identity, str):
        raise MalformedResponseError(
            "A quarantine record has no usable Identity",
            field="Identity",
            problem="missing" if identity is None else "not a string",
        )
    if not identity.strip():
        raise MalformedResponseError(
            "A quarantine record has an empty Identity", field="Identity", problem="empty"
        )

    qt_raw = _text(get("QuarantineTypes"))
    quarantine_type = QuarantineType.from_wire(qt_raw)
    if quarantine_type is QuarantineType.UNKNOWN and not qt_raw:
        # Older or trimmed replies only carry the display form in ``Type``.
        quarantine_type = QuarantineType.from_wire(get("Type"))
    status_raw = _text(get("ReleaseStatus"))
    direction_raw = _text(get("Direction"))
    entity_raw = _text(get("EntityType"))

    return QuarantinedMessage(
        identity=identity,
        received_time=parse_timestamp(get("ReceivedTime")),
        organization=_text(get("Organization")),
        message_id=_text(get("MessageId")),
        sender_address=_text(get("SenderAddress")),
        recipient_address=_strings(get("RecipientAddress")),
        subject=_text(get("Subject")),
        size=_count(get("Size")),
        type_display=_text(get("Type")),
        quarantine_type=quarantine_type,
        quarantine_type_raw=qt_raw,
        policy_type=_text(get("PolicyType")),
        policy_name=_text(get("PolicyName")),
        tag_name=_text(get("TagName")),
        permission_to_block_sender=_flag(get("PermissionToBlockSender")),
        permission_to_delete=_flag(get("PermissionToDelete")),
        permission_to_preview=_flag(get("PermissionToPreview")),
        permission_to_release=_flag(get("PermissionToRelease")),
        permission_to_request_release=_flag(get("PermissionToRequestRelease")),
        permission_to_view_header=_flag(get("PermissionToViewHeader")),
        permission_to_download=_flag(get("PermissionToDownload")),
        permission_to_allow_sender=_flag(get("PermissionToAllowSender")),
        released=_flag(get("Released")),
        release_status=ReleaseStatus.from_wire(status_raw),
        release_status_raw=status_raw,
        system_released=_flag(get("SystemReleased")),
        recipient_count=_count(get("RecipientCount")),
        expires=parse_timestamp(get("Expires")),
        recipient_tag=_strings(get("RecipientTag")),
        deleted_for_recipients=_strings(get("DeletedForRecipients")),
        quarantined_user=_strings(get("QuarantinedUser")),
        released_user=_strings(get("ReleasedUser")),
        released_by=_strings(get("ReleasedBy")),
        released_count=_count(get("ReleasedCount")),
        reported=_flag(get("Reported")),
        direction=Direction.from_wire(direction_raw),
        direction_raw=direction_raw,
        custom_data=_custom(get("CustomData")),
        entity_type=EntityType.from_wire(entity_raw),
        entity_type_raw=entity_raw,
        source_id=_text(get("SourceId")),
        teams_conversation_type=_text(get("TeamsConversationType")),
        approval_upn=_text(get("ApprovalUPN")),
        approval_id=_text(get("ApprovalId")),
        move_to_quarantine_admin_action_taken_by=_text(get("MoveToQuarantineAdminActionTakenBy")),
        move_to_quarantine_approval_id=_text(get("MoveToQuarantineApprovalId")),
        override_reason=_text(get("OverrideReason")),
        override_reason_int_value=_signed(get("OverrideReasonIntValue")),
    )


def parse_messages(values: object) -> tuple[list[QuarantinedMessage], int]:
    """Parse a reply's ``value`` list: (good records in order, number rejected).

    A single object is read as a one-item list (PowerShell unwraps one-element arrays). Anything that is
    not a list of objects at all raises MalformedResponseError.
    """
    if values is None:
        return [], 0
    if isinstance(values, Mapping):
        values = [values]
    if isinstance(values, str | bytes | bytearray) or not isinstance(values, Iterable):
        raise MalformedResponseError("The quarantine list is not a list", field="value", problem="not a list")
    good: list[QuarantinedMessage] = []
    rejected = 0
    for item in values:
        try:
            good.append(parse_message(item))
        except MalformedResponseError:
            rejected += 1
    return good, rejected
