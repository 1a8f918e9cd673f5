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
    ISO_UTC_RE,
    PREVIEW,
    RELEASE,
    check_keys,
    refuse,
    require_identity,
)

GET_POLICY = "Get-QuarantinePolicy"
GET_RECIPIENT = "Get-Recipient"
ALLOWED = frozenset({GET, RELEASE, PREVIEW, HEADER, DELETE, GET_POLICY, GET_RECIPIENT})

_GUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _own_addresses(cmdlet: str, key: str, value: Any, acting_for: Collection[str] | None) -> None:
    if not acting_for:
        raise refuse(cmdlet, f"{key} is only sent when acting for one employee")
    own = {a.lower() for a in acting_for}
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v.lower() in own for v in values):
        raise refuse(cmdlet, f"{key} may name only the employee's own addresses")


def check(cmdlet: str, params: Mapping[str, Any], acting_for: Collection[str] | None = None) -> None:
    """Raise UnsafeRequestError unless the call is on the list (and, when acting for someone, theirs)."""
    if not isinstance(cmdlet, str) or cmdlet not in ALLOWED:
        raise refuse(cmdlet if isinstance(cmdlet, str) else "", "cmdlet is not on the allow-list")
    if not isinstance(params, Mapping):
        raise refuse(cmdlet, "parameters must be an object")
    if "ReleaseToAll" in params:
        raise refuse(cmdlet, "ReleaseToAll is never sent")
    if cmdlet == GET:
        if "Identity" in params:
            check_keys(cmdlet, params, {"Identity"}, {"Identity"})
            require_identity(cmdlet, params)
            return
        # The tenant sweep: an explicit window, pages of at most 1000, nobody's address.
        keys = {"StartReceivedDate", "EndReceivedDate", "PageSize", "Page"}
        check_keys(cmdlet, params, keys, keys)
        for key in ("PageSize", "Page"):
            if type(params[key]) is not int or not 1 <= params[key] <= 1000:
                raise refuse(cmdlet, f"{key} must be an integer from 1 to 1000")
        for key in ("StartReceivedDate", "EndReceivedDate"):
            if not isinstance(params[key], str) or not ISO_UTC_RE.fullmatch(params[key]):
                raise refuse(cmdlet, f"{key} must be an ISO 8601 UTC timestamp")
        return
    if cmdlet == RELEASE:
        action = params.get("ActionType")
        if action is None:
            # Release to the employee only (the OrgReleaseToUser set with the employee's address).
            check_keys(cmdlet, params, {"Identity", "User", "ReportFalsePositive"}, {"Identity", "User"})
            require_identity(cmdlet, params)
            _own_addresses(cmdlet, "User", params["User"], acting_for)
            if "ReportFalsePositive" in params and params["ReportFalsePositive"] is not True:
                raise refuse(cmdlet, "ReportFalsePositive is a switch: send true or leave it out")
            return
        if action not in ("Request", "Deny"):
            raise refuse(cmdlet, "ActionType must be Request or Deny")
        check_keys(cmdlet, params, {"Identities", "Identity", "ActionType", "User"},
              {"Identities", "Identity", "ActionType"})
        require_identity(cmdlet, params)
        if params["Identities"] != [params["Identity"]]:
            raise refuse(cmdlet, "Identities must hold exactly the one Identity")
        if "User" in params or action == "Request":
            _own_addresses(cmdlet, "User", params.get("User"), acting_for)
        if action == "Deny" and not acting_for:
            raise refuse(cmdlet, "a Deny answers one employee's request")
        return
    if cmdlet == DELETE:
        # Always for the employee only: without RecipientAddress a delete would remove it for everyone.
        check_keys(cmdlet, params, {"Identity", "RecipientAddress"}, {"Identity", "RecipientAddress"})
        require_identity(cmdlet, params)
        _own_addresses(cmdlet, "RecipientAddress", params["RecipientAddress"], acting_for)
        return
    if cmdlet in (PREVIEW, HEADER):
        check_keys(cmdlet, params, {"Identity", "RecipientAddress"}, {"Identity"})
        require_identity(cmdlet, params)
        if "RecipientAddress" in params:
            _own_addresses(cmdlet, "RecipientAddress", params["RecipientAddress"], acting_for)
        return
    if cmdlet == GET_POLICY:
        check_keys(cmdlet, params, set(), set())
        return
    # Get-Recipient: one person, by the object id from their validated token.
    check_keys(cmdlet, params, {"Identity"}, {"Identity"})
    if not isinstance(params["Identity"], str) or not _GUID_RE.fullmatch(params["Identity"]):
        raise refuse(cmdlet, "Identity must be an object id (GUID)")


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
