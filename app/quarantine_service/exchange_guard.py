"""The one list of what the service may ever ask Exchange, app-only (org-service.md §3).

Like the desktop's guard (quarantine_checker/exchange/guard.py) it is an allow-list, but acting-for
aware: a call made for an employee passes ``acting_for`` (that employee's own addresses), and
``User``/``RecipientAddress`` may name only those. Never ``ReleaseToAll``, never
``Export-QuarantineMessage``, never a null or malformed ``Identity``; a delete always names the
employee's address, so it removes the message for them only.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from quarantine_checker.exchange.guard import (
    DELETE,
    GET,
    HEADER,
    PREVIEW,
    RELEASE,
    UnsafeRequestError,
    is_valid_identity,
)

GET_POLICY = "Get-QuarantinePolicy"
GET_RECIPIENT = "Get-Recipient"
ALLOWED = frozenset({GET, RELEASE, PREVIEW, HEADER, DELETE, GET_POLICY, GET_RECIPIENT})

_ISO_UTC_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z")
_GUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _refuse(cmdlet: str, reason: str) -> UnsafeRequestError:
    return UnsafeRequestError(f"Refused to send {cmdlet or 'an unnamed command'}: {reason}", cmdlet=cmdlet)


def _keys(cmdlet: str, params: Mapping[str, Any], allowed: set[str], required: set[str]) -> None:
    extra = set(params) - allowed
    if extra:
        raise _refuse(cmdlet, f"parameter(s) not allowed: {', '.join(sorted(map(str, extra)))}")
    missing = required - set(params)
    if missing:
        raise _refuse(cmdlet, f"missing parameter(s): {', '.join(sorted(missing))}")


def _identity(cmdlet: str, params: Mapping[str, Any]) -> None:
    if not is_valid_identity(params.get("Identity")):
        raise _refuse(cmdlet, "Identity must be one message id of the form GUID\\GUID")


def _own_addresses(cmdlet: str, key: str, value: Any, acting_for: Collection[str] | None) -> None:
    if not acting_for:
        raise _refuse(cmdlet, f"{key} is only sent when acting for one employee")
    own = {a.lower() for a in acting_for}
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v.lower() in own for v in values):
        raise _refuse(cmdlet, f"{key} may name only the employee's own addresses")


def check(cmdlet: str, params: Mapping[str, Any], acting_for: Collection[str] | None = None) -> None:
    """Raise UnsafeRequestError unless the call is on the list (and, when acting for someone, theirs)."""
    if not isinstance(cmdlet, str) or cmdlet not in ALLOWED:
        raise _refuse(cmdlet if isinstance(cmdlet, str) else "", "cmdlet is not on the allow-list")
    if not isinstance(params, Mapping):
        raise _refuse(cmdlet, "parameters must be an object")
    if "ReleaseToAll" in params:
        raise _refuse(cmdlet, "ReleaseToAll is never sent")
    if cmdlet == GET:
        if "Identity" in params:
            _keys(cmdlet, params, {"Identity"}, {"Identity"})
            _identity(cmdlet, params)
            return
        # The tenant sweep: an explicit window, pages of at most 1000, nobody's address.
        keys = {"StartReceivedDate", "EndReceivedDate", "PageSize", "Page"}
        _keys(cmdlet, params, keys, keys)
        for key in ("PageSize", "Page"):
            if type(params[key]) is not int or not 1 <= params[key] <= 1000:
                raise _refuse(cmdlet, f"{key} must be an integer from 1 to 1000")
        for key in ("StartReceivedDate", "EndReceivedDate"):
            if not isinstance(params[key], str) or not _ISO_UTC_RE.fullmatch(params[key]):
                raise _refuse(cmdlet, f"{key} must be an ISO 8601 UTC timestamp")
        return
    if cmdlet == RELEASE:
        action = params.get("ActionType")
        if action is None:
            # Release to the employee only (the OrgReleaseToUser set with the employee's address).
            _keys(cmdlet, params, {"Identity", "User", "ReportFalsePositive"}, {"Identity", "User"})
            _identity(cmdlet, params)
            _own_addresses(cmdlet, "User", params["User"], acting_for)
            if "ReportFalsePositive" in params and params["ReportFalsePositive"] is not True:
                raise _refuse(cmdlet, "ReportFalsePositive is a switch: send true or leave it out")
            return
        if action not in ("Request", "Deny"):
            raise _refuse(cmdlet, "ActionType must be Request or Deny")
        _keys(cmdlet, params, {"Identities", "Identity", "ActionType", "User"},
              {"Identities", "Identity", "ActionType"})
        _identity(cmdlet, params)
        if params["Identities"] != [params["Identity"]]:
            raise _refuse(cmdlet, "Identities must hold exactly the one Identity")
        if "User" in params or action == "Request":
            _own_addresses(cmdlet, "User", params.get("User"), acting_for)
        if action == "Deny" and not acting_for:
            raise _refuse(cmdlet, "a Deny answers one employee's request")
        return
    if cmdlet == DELETE:
        # Always for the employee only: without RecipientAddress a delete would remove it for everyone.
        _keys(cmdlet, params, {"Identity", "RecipientAddress"}, {"Identity", "RecipientAddress"})
        _identity(cmdlet, params)
        _own_addresses(cmdlet, "RecipientAddress", params["RecipientAddress"], acting_for)
        return
    if cmdlet in (PREVIEW, HEADER):
        _keys(cmdlet, params, {"Identity", "RecipientAddress"}, {"Identity"})
        _identity(cmdlet, params)
        if "RecipientAddress" in params:
            _own_addresses(cmdlet, "RecipientAddress", params["RecipientAddress"], acting_for)
        return
    if cmdlet == GET_POLICY:
        _keys(cmdlet, params, set(), set())
        return
    # Get-Recipient: one person, by the object id from their validated token.
    _keys(cmdlet, params, {"Identity"}, {"Identity"})
    if not isinstance(params["Identity"], str) or not _GUID_RE.fullmatch(params["Identity"]):
        raise _refuse(cmdlet, "Identity must be an object id (GUID)")


def check_shape(cmdlet: str, params: Mapping[str, Any]) -> None:
    """The transport's last check before sending: everything above except whose addresses they are
    (the caller already checked that with ``check(..., acting_for)``; the transport cannot know)."""
    named: list[str] = []
    if isinstance(params, Mapping):
        for key in ("User", "RecipientAddress"):
            value = params.get(key)
            named += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
    # A Deny names nobody (it answers one employee's request, which only the caller knows): the
    # placeholder stands for "checked by the caller"; it is no address, so it can never be a User.
    check(cmdlet, params, acting_for=named or ["<checked by the caller>"])
