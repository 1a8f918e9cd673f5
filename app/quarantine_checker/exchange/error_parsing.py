"""Reading the service's error envelopes and naming what went wrong.

InvokeCommand answers nearly every failure with 400 or 403 and the outer message "Invalid
Operation" (spec §5.6), so the status code says little: the real text is inside the envelope, in
one of three shapes. We read them in the order the spec gives and map the text to a typed error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from quarantine_checker.core.errors import (
    AlreadyDeniedError,
    AlreadyReleasedError,
    AlreadyRequestedError,
    CommandError,
    ForbiddenActionError,
    MessageExpiredError,
    MessageNotFoundError,
)
from quarantine_checker.core.text_safety import scrub

# Long enough for any real service message, short enough that "Copy details" stays readable
# even when a hostile server sends a megabyte.
MAX_TEXT = 500


@dataclass(frozen=True)
class ServerError:
    """What the envelope said. ``text`` is the most specific message found."""

    text: str
    type_name: str = ""
    code: str = ""


def _get(obj: Any, key: str) -> Any:
    """Case-insensitive dict lookup: sources disagree on internalexception vs internalException."""
    if not isinstance(obj, dict):
        return None
    if key in obj:
        return obj[key]
    lowered = key.lower()
    for k, v in obj.items():
        if isinstance(k, str) and k.lower() == lowered:
            return v
    return None


def _clean(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    return scrub(text.replace("\x00", "").strip()[:MAX_TEXT])


def _from_details_message(raw: str) -> tuple[str, str]:
    """Shapes 2 and 3: ``|Type|message`` or a JSON string ``{"Message","TypeName",...}``."""
    stripped = raw.strip()
    if stripped.startswith("{"):
        try:
            inner = json.loads(stripped)
        except ValueError:
            inner = None
        if isinstance(inner, dict):
            return _clean(_get(inner, "Message")), _clean(_get(inner, "TypeName"))
    if stripped.startswith("|"):
        parts = stripped.split("|", 2)
        if len(parts) == 3:
            return _clean(parts[2]), _clean(parts[1])
    return _clean(stripped), ""


def parse_error_envelope(payload: Any) -> ServerError | None:
    """Return the most specific error text in ``payload`` (already JSON-decoded), or None."""
    error = _get(payload, "error")
    if not isinstance(error, dict):
        return None
    code = _clean(_get(error, "code"))
    type_name = ""
    # 1. innererror.internalexception.message (the real text, when present)
    internal = _get(_get(error, "innererror"), "internalexception")
    text = _clean(_get(internal, "message"))
    if text:
        type_name = _clean(_get(internal, "type"))
    # 2./3. details[0].message, either "|Type|text" or a JSON string
    details = _get(error, "details")
    if isinstance(details, list) and details and isinstance(details[0], dict):
        raw = _get(details[0], "message")
        if isinstance(raw, str) and raw.strip():
            d_text, d_type = _from_details_message(raw)
            if not text:
                text = d_text
            type_name = type_name or d_type
    # 4. the outer message, which is nearly always the useless "Invalid Operation"
    if not text:
        text = _clean(_get(error, "message"))
    if not text and not code:
        return None
    return ServerError(text=text, type_name=type_name, code=code)


def parse_error_body(body: bytes) -> ServerError | None:
    """Decode ``body`` as JSON and parse it; None if it is not a JSON error envelope."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return parse_error_envelope(payload)


_THROTTLE_RE = re.compile(r"throttl|temporar|busy", re.IGNORECASE)


def is_throttle_text(err: ServerError | None) -> bool:
    return err is not None and bool(_THROTTLE_RE.search(err.text) or _THROTTLE_RE.search(err.type_name))


def is_command_not_found(err: ServerError | None) -> bool:
    if err is None:
        return False
    blob = f"{err.type_name} {err.text}"
    return "CommandNotFoundException" in blob or "is not recognized as the name of a cmdlet" in blob


# Ordered: the first match wins. "Denied"/"requested" go before "released" because a message
# like "the release request was already denied" mentions release too.
_PATTERNS: list[tuple[re.Pattern[str], type[CommandError]]] = [
    (re.compile(r"already\b.*\bdenied|denied\b.*\balready", re.I | re.S), AlreadyDeniedError),
    (re.compile(r"already\b.*\brequested|release request\b.*\balready|already\b.*\brelease request",
                re.I | re.S), AlreadyRequestedError),
    (re.compile(r"already\b.*\breleased|released\b.*\balready", re.I | re.S), AlreadyReleasedError),
    (re.compile(r"has expired|\bexpired\b", re.I), MessageExpiredError),
    (re.compile(r"cannot find an object|couldn't find|could not find|not a valid message identity"
                r"|input a valid message identity|not in quarantine|not found", re.I), MessageNotFoundError),
    (re.compile(r"not authori[sz]ed|access\b.{0,40}\bdenied|access is denied|not permitted|not allowed"
                r"|\bpermissions?\b|insufficient (?:access )?rights|write scope|unauthori[sz]ed",
                re.I | re.S), ForbiddenActionError),
]
# .NET exception types that always mean "you may not": whatever the message text says.
_REFUSAL_TYPES = re.compile(r"UnauthorizedAccess|AccessDenied|PermissionDenied|Forbidden", re.I)


def classify(err: ServerError) -> type[CommandError] | None:
    """The typed error for a cmdlet's message, or None when we do not recognise it."""
    for pattern, cls in _PATTERNS:
        if pattern.search(err.text):
            return cls
    if _REFUSAL_TYPES.search(err.type_name):
        return ForbiddenActionError
    return None
