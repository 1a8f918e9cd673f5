"""The quarantined message as the app sees it, and the strict parser that builds it.

The wire object (spec §3.1) comes from an unsupported, brittle transport, so the parser trusts
nothing: only ``Identity`` is required (without it we cannot act on the message); every other
field falls back to a safe default when it is missing or of the wrong type. Strings are kept
exactly as sent -- hostile text (HTML, RTL overrides, huge strings) is data, and escaping is the
display layer's job, not ours.
"""

from __future__ import annotations

import enum
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Self

from quarantine_checker.core.errors import MalformedResponseError
from quarantine_checker.core.pacing import EVERY, pace


def _norm(value: str) -> str:
    """Fold case, keep only ASCII letters and digits: 'High Confidence Phish' -> 'highconfidencephish'."""
    return "".join(ch for ch in value.casefold() if ch.isascii() and ch.isalnum())


class _WireEnum(enum.Enum):
    """An enum read from the wire: case-insensitive, unknown values become UNKNOWN, never an error."""

    @classmethod
    def _aliases(cls) -> dict[str, str]:
        return {}

    @classmethod
    def from_wire(cls, value: object) -> Self:
        if not isinstance(value, str) or len(value) > 64:  # no real value is long; skip folding megabytes
            return cls["UNKNOWN"]
        # A listing repeats a handful of spellings thousands of times; remember each one's answer.
        memo = _MEMOS.get(cls)
        if memo is None:
            memo = _MEMOS[cls] = {}
        exact_str = type(value) is str  # a str subclass could hash/compare oddly: never memoise it
        if exact_str:
            found: Self | None = memo.get(value)  # the memo holds members of this class only
            if found is not None:
                return found
        lookup = _LOOKUPS.get(cls)
        if lookup is None:
            lookup = {_norm(m.value): m for m in cls}
            for alias, name in cls._aliases().items():
                lookup[_norm(alias)] = cls[name]
            _LOOKUPS[cls] = lookup
        member: Self = lookup.get(_norm(value), cls["UNKNOWN"])
        if exact_str and len(memo) < _MEMO_LIMIT:  # bounded: hostile replies can't grow it without limit
            memo[value] = member
        return member

    @property
    def wire(self) -> str:
        return str(self.value)


_LOOKUPS: dict[type, dict[str, Any]] = {}
_MEMOS: dict[type, dict[str, Any]] = {}
_MEMO_LIMIT = 512


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


# Per-class memos of from_wire, fetched once so parse_message can consult them without a call.
_TYPE_MEMO = _MEMOS.setdefault(QuarantineType, {})
_STATUS_MEMO = _MEMOS.setdefault(ReleaseStatus, {})
_DIRECTION_MEMO = _MEMOS.setdefault(Direction, {})
_ENTITY_MEMO = _MEMOS.setdefault(EntityType, {})


@dataclass(frozen=True, repr=False, slots=True)
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
#
# A listing is parsed in bulk (10k records must cost well under 0.2 s of CPU), so the hot path avoids
# per-record work that only matters for unusual replies: keys are read directly and the case-folded
# map is built only when a field is missing; the instance is filled without the frozen dataclass's
# per-field object.__setattr__ calls. The results are exactly those of the straightforward reading.

_FRACTION = re.compile(r"(\.\d{1,6})\d*")
_MS_DATE = re.compile(r"^/Date\((-?\d{1,15})(?:[+-]\d{4})?\)/$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
        if text[0] == "/":
            ms_match = _MS_DATE.match(text)
            if ms_match:
                return _EPOCH + timedelta(milliseconds=int(ms_match.group(1)))
        # Python wants at most six fraction digits in older releases; the service sends seven.
        # Only the first fraction is trimmed, and only when it is too long.
        fraction = _FRACTION.search(text)
        if fraction is not None:
            start, end = fraction.span()
            if end - start > 7:  # the dot and six digits are kept
                text = text[: start + 7] + text[end:]
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _flag(value: object) -> bool:
    if value is True or value is False:
        return value
    if isinstance(value, str):  # some serialisers send "True"/"False"
        return value.strip().casefold() == "true"
    return False


def _count(value: object) -> int:
    if type(value) is int:  # the usual case; bool is excluded by the exact type check
        return value if value >= 0 else 0
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
        if not value:
            return ()
        return tuple([item for item in value if isinstance(item, str)])
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


# Every wire field the parser reads, in the order parse_message unpacks them.
_WIRE_FIELDS: tuple[str, ...] = (
    "Identity", "ReceivedTime", "Organization", "MessageId", "SenderAddress", "RecipientAddress",
    "Subject", "Size", "Type", "QuarantineTypes", "PolicyType", "PolicyName", "TagName",
    "PermissionToBlockSender", "PermissionToDelete", "PermissionToPreview", "PermissionToRelease",
    "PermissionToRequestRelease", "PermissionToViewHeader", "PermissionToDownload", "PermissionToAllowSender",
    "Released", "ReleaseStatus", "SystemReleased", "RecipientCount", "Expires", "RecipientTag",
    "DeletedForRecipients", "QuarantinedUser", "ReleasedUser", "ReleasedBy", "ReleasedCount", "Reported",
    "Direction", "CustomData", "EntityType", "SourceId", "TeamsConversationType", "ApprovalUPN",
    "ApprovalId", "MoveToQuarantineAdminActionTakenBy", "MoveToQuarantineApprovalId", "OverrideReason",
    "OverrideReasonIntValue",
)
# Several fields, so the getter always returns a tuple (one field would return the bare value).
_take_all: Callable[[Mapping[Any, Any]], tuple[Any, ...]] = operator.itemgetter(*_WIRE_FIELDS)
_MISSING = object()


def _folded(record: Mapping[Any, Any]) -> dict[str, Any]:
    """Case-folded view of the non-annotation keys; the first spelling in the record wins."""
    folded: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(key, str) and "@" not in key:
            folded.setdefault(key.casefold(), value)
    return folded


class _Reader:
    """Exact key first, then case-insensitive; ``@`` annotation keys and non-string keys never match."""

    def __init__(self, record: Mapping[Any, Any]) -> None:
        self._exact: dict[str, Any] = {}
        for key, value in record.items():
            if isinstance(key, str) and "@" not in key:
                self._exact[key] = value
        self._folded = _folded(record)

    def __call__(self, name: str) -> Any:
        if name in self._exact:
            return self._exact[name]
        return self._folded.get(name.casefold())


def _wire_values(record: Mapping[Any, Any]) -> tuple[Any, ...]:
    """The value of each of _WIRE_FIELDS (None when absent), read as _Reader reads them."""
    if type(record) is dict:  # what the JSON decoder hands us: keys are plain strings
        try:
            return _take_all(record)  # every field spelled exactly: the usual, fast case
        except KeyError:
            pass
        # Field names contain no "@", so a direct hit is never an annotation key.
        folded: dict[str, Any] | None = None
        values: list[Any] = []
        for name in _WIRE_FIELDS:
            value = record.get(name, _MISSING)
            if value is _MISSING:
                if folded is None:
                    folded = _folded(record)
                value = folded.get(name.casefold())
            values.append(value)
        return tuple(values)
    get = _Reader(record)  # any other Mapping: go through items() only, trusting nothing else
    return tuple([get(name) for name in _WIRE_FIELDS])


_new = object.__new__
# The slots' own setters, in field order: calling them directly skips the frozen __setattr__ and the
# per-instance dict a plain dataclass would carry (100k messages are ~120 MB smaller).
_SLOT_SETTERS = tuple(getattr(QuarantinedMessage, f.name).__set__ for f in fields(QuarantinedMessage))


def parse_message(record: Mapping[str, object]) -> QuarantinedMessage:
    """Build a message from one wire record. Raises MalformedResponseError only; never anything else."""
    if not isinstance(record, Mapping):
        raise MalformedResponseError("A quarantine record is not an object", field="record")
    (
        identity, received_time, organization, message_id, sender_address, recipient_address,
        subject, size, type_display, quarantine_types, policy_type, policy_name, tag_name,
        block, delete, preview, release,
        ask, header, download, allow,
        released, release_status, sys_released, recipient_count, expires, recipient_tag,
        deleted_for_recipients, quarantined_user, released_user, released_by, released_count, reported,
        direction, custom_data, entity_type, source_id, teams_conversation_type, approval_upn,
        approval_id, moved_by, move_approval_id, override_reason,
        override_reason_int_value,
    ) = _wire_values(record)
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

    qt_raw = _text(quarantine_types)
    quarantine_type = _TYPE_MEMO.get(qt_raw) or QuarantineType.from_wire(qt_raw)
    if quarantine_type is QuarantineType.UNKNOWN and not qt_raw:
        # Older or trimmed replies only carry the display form in ``Type``.
        quarantine_type = QuarantineType.from_wire(type_display)
    status_raw = _text(release_status)
    direction_raw = _text(direction)
    entity_raw = _text(entity_type)

    # Same fields, same order as the dataclass; tests/core proves it (_check_layout). The common
    # cases of _text, _flag and _strings are inlined: a listing runs this block tens of thousands of times.
    message = _new(QuarantinedMessage)
    for setter, value in zip(_SLOT_SETTERS, (
        identity,
        parse_timestamp(received_time),
        organization if isinstance(organization, str) else "",
        message_id if isinstance(message_id, str) else "",
        sender_address if isinstance(sender_address, str) else "",
        _strings(recipient_address),
        subject if isinstance(subject, str) else "",
        _count(size),
        type_display if isinstance(type_display, str) else "",
        quarantine_type,
        qt_raw,
        policy_type if isinstance(policy_type, str) else "",
        policy_name if isinstance(policy_name, str) else "",
        tag_name if isinstance(tag_name, str) else "",
        block is True or (block is not False and _flag(block)),
        delete is True or (delete is not False and _flag(delete)),
        preview is True or (preview is not False and _flag(preview)),
        release is True or (release is not False and _flag(release)),
        ask is True or (ask is not False and _flag(ask)),
        header is True or (header is not False and _flag(header)),
        download is True or (download is not False and _flag(download)),
        allow is True or (allow is not False and _flag(allow)),
        released is True or (released is not False and _flag(released)),
        _STATUS_MEMO.get(status_raw) or ReleaseStatus.from_wire(status_raw),
        status_raw,
        sys_released is True or (sys_released is not False and _flag(sys_released)),
        _count(recipient_count),
        parse_timestamp(expires),
        () if recipient_tag == [] else _strings(recipient_tag),
        () if deleted_for_recipients == [] else _strings(deleted_for_recipients),
        () if quarantined_user == [] else _strings(quarantined_user),
        () if released_user == [] else _strings(released_user),
        () if released_by == [] else _strings(released_by),
        _count(released_count),
        reported is True or (reported is not False and _flag(reported)),
        _DIRECTION_MEMO.get(direction_raw) or Direction.from_wire(direction_raw),
        direction_raw,
        None if custom_data is None else _custom(custom_data),
        _ENTITY_MEMO.get(entity_raw) or EntityType.from_wire(entity_raw),
        entity_raw,
        source_id if isinstance(source_id, str) else "",
        (
            teams_conversation_type if isinstance(teams_conversation_type, str) else ""
        ),
        approval_upn if isinstance(approval_upn, str) else "",
        approval_id if isinstance(approval_id, str) else "",
        moved_by if isinstance(moved_by, str) else "",
        move_approval_id if isinstance(move_approval_id, str) else "",
        override_reason if isinstance(override_reason, str) else "",
        _signed(override_reason_int_value),
    ), strict=True):
        setter(message, value)
    return message


def _check_layout() -> None:
    """Raise if the dataclass and the fast construction have drifted apart (run by tests/core, not at
    import: it is a check on the code, and every start of the app would pay for it).

    parse_message fills the slots positionally, so each wire field is probed on its own: the fields
    it changes must be the ones named after it (a swapped pair of values would show up here).
    """
    base = {"Identity": "a\\b"}
    built = parse_message(base)
    names = [f.name for f in fields(QuarantinedMessage)]
    expected = QuarantinedMessage(identity="a\\b")
    if any(getattr(built, n) != getattr(expected, n) for n in names):
        raise RuntimeError("parse_message no longer fills every QuarantinedMessage field")

    def norm(name: str) -> str:
        return name.replace("_", "").casefold()

    for wire in _WIRE_FIELDS[1:]:
        for probe in (True, 7, "2026-01-02T03:04:05Z", [wire], {"k": wire}, wire):
            probed = parse_message({**base, wire: probe})
            changed = [n for n in names if getattr(probed, n) != getattr(built, n)]
            if changed:
                break
        else:
            raise RuntimeError(f"parse_message ignores {wire}")
        want = norm(wire)
        for name in changed:
            got = norm(name).removesuffix("raw")
            if got not in (want, want.removesuffix("s")) and not (want == "type" and got == "typedisplay"):
                raise RuntimeError(f"parse_message puts {wire} into {name}")



def parse_messages(values: object) -> tuple[list[QuarantinedMessage], int]:
    """Parse a reply's ``value`` list: (good records in order, number rejected).

    ``None`` (value missing or null) is an empty list (spec §5.4). Anything that is not a list at all --
    a single object included: the service always sends an array -- raises MalformedResponseError, so an
    unreadable reply can never pass for "nothing held" or for one message.
    """
    if values is None:
        return [], 0
    if not isinstance(values, list | tuple):
        raise MalformedResponseError("The quarantine list is not a list", field="value", problem="not a list")
    good: list[QuarantinedMessage] = []
    append = good.append
    rejected = 0
    for n, item in enumerate(values):
        if n % EVERY == 0:
            pace()  # the window paints meanwhile (core/pacing.py); nothing when not on a paced worker
        try:
            append(parse_message(item))
        except MalformedResponseError:
            rejected += 1
    return good, rejected
