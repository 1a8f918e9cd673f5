"""The one list of what this app may ever ask Exchange Online.

Every InvokeCommand body passes through :func:`check_command` before a byte leaves the machine.
It is an allow-list, not a deny-list: a cmdlet or parameter that is not named here is refused,
so a later change cannot quietly start sending ``RecipientAddress``, ``ReleaseToAll``, ``User``,
``EntityType``, ``IncludeMessagesFromBlockedSenderAddress``, ``PageSize: 0`` or calling
``Export-QuarantineMessage`` (spec §8.3, §8.4). A refusal is a bug in the caller or hostile data
(for example an Identity from a malformed record), never something to retry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from quarantine_checker.core.errors import QuarantineCheckerError

GET = "Get-QuarantineMessage"
RELEASE = "Release-QuarantineMessage"
PREVIEW = "Preview-QuarantineMessage"
HEADER = "Get-QuarantineMessageHeader"
DELETE = "Delete-QuarantineMessage"

ALLOWED_CMDLETS: frozenset[str] = frozenset({GET, RELEASE, PREVIEW, HEADER, DELETE})

# Identity is "GUID1\GUID2". Checking the shape matters: a null or non-existent Identity makes
# Get-QuarantineMessage(Header) return *all* objects (spec §2.1, §2.4), and "000" is the
# placeholder the Identities parameter set ignores.
_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_IDENTITY_RE = re.compile(rf"{_GUID}\\{_GUID}")
ISO_UTC_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z")


class UnsafeRequestError(QuarantineCheckerError):
    """The client was about to send something outside the allow-list. Nothing was sent."""


def is_valid_identity(value: object) -> bool:
    return isinstance(value, str) and _IDENTITY_RE.fullmatch(value) is not None


def refuse(cmdlet: str, reason: str) -> UnsafeRequestError:
    # ``reason`` names parameters only, never their values (they could be anything).
    return UnsafeRequestError(f"Refused to send {cmdlet or 'an unnamed command'}: {reason}", cmdlet=cmdlet)


def require_identity(cmdlet: str, params: Mapping[str, Any]) -> None:
    if not is_valid_identity(params.get("Identity")):
        raise refuse(cmdlet, "Identity must be one message id of the form GUID\\GUID")


def check_keys(cmdlet: str, params: Mapping[str, Any], allowed: set[str], required: set[str]) -> None:
    extra = set(params) - allowed
    if extra:
        raise refuse(cmdlet, f"parameter(s) not allowed: {', '.join(sorted(map(str, extra)))}")
    missing = required - set(params)
    if missing:
        raise refuse(cmdlet, f"missing parameter(s): {', '.join(sorted(missing))}")


def _check_get(params: Mapping[str, Any]) -> None:
    if "Identity" in params:  # Details set: re-read one message
        check_keys(GET, params, {"Identity"}, {"Identity"})
        require_identity(GET, params)
        return
    # Summary set: always the caller's own items, always an explicit 30-day window.
    check_keys(GET, params, {"MyItems", "StartReceivedDate", "EndReceivedDate", "PageSize", "Page"},
                {"MyItems", "StartReceivedDate", "EndReceivedDate", "PageSize", "Page"})
    if params["MyItems"] is not True:
        raise refuse(GET, "MyItems must be true")
    for key in ("PageSize", "Page"):
        value = params[key]
        if type(value) is not int or not 1 <= value <= 1000:
            raise refuse(GET, f"{key} must be an integer from 1 to 1000")
    for key in ("StartReceivedDate", "EndReceivedDate"):
        if not isinstance(params[key], str) or not ISO_UTC_RE.fullmatch(params[key]):
            raise refuse(GET, f"{key} must be an ISO 8601 UTC timestamp")


def _check_release(params: Mapping[str, Any]) -> None:
    if "ActionType" in params:
        # Request release (spec §8.5): the Identities set with our one id, ActionType Request only.
        # Deny and Release(approve) are what IT does; we never send them.
        keys = {"Identities", "Identity", "ActionType"}
        check_keys(RELEASE, params, keys, keys)
        if params["ActionType"] != "Request":
            raise refuse(RELEASE, "ActionType must be Request")
        require_identity(RELEASE, params)
        ids = params["Identities"]
        if not isinstance(ids, list) or ids != [params["Identity"]]:
            raise refuse(RELEASE, "Identities must hold exactly the one Identity")
        return
    # Release to myself: the IdentityOnly set, no ReleaseToAll, no User.
    check_keys(RELEASE, params, {"Identity", "ReportFalsePositive"}, {"Identity"})
    require_identity(RELEASE, params)
    if "ReportFalsePositive" in params and params["ReportFalsePositive"] is not True:
        raise refuse(RELEASE, "ReportFalsePositive is a switch: send true or leave it out")


def _check_identity_only(cmdlet: str, params: Mapping[str, Any]) -> None:
    check_keys(cmdlet, params, {"Identity"}, {"Identity"})
    require_identity(cmdlet, params)


def check_command(cmdlet: str, params: Mapping[str, Any]) -> None:
    """Raise :class:`UnsafeRequestError` unless ``cmdlet`` with ``params`` is on the allow-list."""
    if not isinstance(cmdlet, str) or cmdlet not in ALLOWED_CMDLETS:
        raise refuse(cmdlet if isinstance(cmdlet, str) else "", "cmdlet is not on the allow-list")
    if not isinstance(params, Mapping):
        raise refuse(cmdlet, "parameters must be an object")
    if cmdlet == GET:
        _check_get(params)
    elif cmdlet == RELEASE:
        _check_release(params)
    else:
        _check_identity_only(cmdlet, params)
