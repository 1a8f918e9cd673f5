"""How the emulator writes things on the wire: timestamps, records, the OData envelope and errors (§3, §5)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from quarantine_checker.demo.policies import PERMISSION_KEYS

# The order of a live record (spec §3.2); any extra public keys follow.
RECORD_ORDER: tuple[str, ...] = (
    "Identity",
    "ReceivedTime",
    "Organization",
    "MessageId",
    "SenderAddress",
    "RecipientAddress",
    "Subject",
    "Size",
    "Type",
    "PolicyType",
    "PolicyName",
    "TagName",
    *PERMISSION_KEYS,
    "Released",
    "ReleaseStatus",
    "SystemReleased",
    "RecipientCount",
    "QuarantineTypes",
    "Expires",
    "RecipientTag",
    "DeletedForRecipients",
    "QuarantinedUser",
    "ReleasedUser",
    "Reported",
    "Direction",
    "CustomData",
    "EntityType",
    "SourceId",
    "TeamsConversationType",
    "ApprovalUPN",
    "ApprovalId",
    "MoveToQuarantineAdminActionTakenBy",
    "MoveToQuarantineApprovalId",
    "OverrideReasonIntValue",
    "OverrideReason",
    "ReleasedCount",
    "ReleasedBy",
)


COLLECTION = "Collection(Exchange.GenericHashTable)"


def wire_time(value: dt.datetime) -> str:
    """.NET round-trip form with seven fraction digits and an explicit offset, as live."""
    value = value.astimezone(dt.UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond:06d}0+00:00"


def parse_time(value: Any) -> dt.datetime:
    """ISO 8601 (with or without offset; naive means UTC). Raises ValueError/TypeError otherwise."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value.strip())
    else:
        raise TypeError(f"not a date: {type(value).__name__}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def annotate(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Public fields with the sidecar annotations the live service adds; private ``_`` keys dropped."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key.startswith("_"):
            continue
        if isinstance(value, dt.datetime):
            out[f"{key}@data.type"] = "System.DateTime"
            out[key] = wire_time(value)
        elif isinstance(value, list | tuple):
            out[f"{key}@odata.type"] = "#Collection(String)"
            out[key] = list(value)
        else:
            out[key] = value
    return out


def order_record(fields: Mapping[str, Any]) -> dict[str, Any]:
    ordered = {k: fields[k] for k in RECORD_ORDER if k in fields}
    for key, value in fields.items():
        if key not in ordered:
            ordered[key] = value
    return ordered


def strip_annotations(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if "@" not in k}


def envelope(
    base_url: str,
    tenant_id: str,
    rows: list[dict[str, Any]] | None,
    *,
    warnings: list[str] | None = None,
    next_link: str | None = None,
    include_value: bool = True,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.context": f"{base_url}/adminapi/beta/{tenant_id}/$metadata#{COLLECTION}",
        "@adminapi.warnings": list(warnings or []),
    }
    if include_value:
        body["value"] = rows
    if next_link:
        body["@odata.nextLink"] = next_link
    return body


def error_envelope(
    message: str, type_name: str, *, shape: int = 1, code: str = "BadRequest"
) -> dict[str, Any]:
    """The three error shapes real clients have met (spec §5.6); the outer message is always the same."""
    if shape == 3:
        detail = json.dumps({"Message": message, "TypeName": type_name, "InnerError": None})
        return {
            "error": {
                "code": code,
                "message": "Invalid Operation",
                "details": [{"code": "Client", "message": detail}],
            }
        }
    error: dict[str, Any] = {
        "code": code,
        "message": "Invalid Operation",
        "details": [{"code": "Client", "message": f"|{type_name}|{message}"}],
    }
    if shape != 2:
        error["innererror"] = {"internalexception": {"message": message, "type": type_name}}
    return {"error": error}
