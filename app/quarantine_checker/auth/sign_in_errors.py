"""Turn an MSAL error dict into a typed ``SignInError`` / ``AuthenticationError``.

MSAL reports failures as return values (``error``, ``error_description``, ``error_codes``,
``correlation_id``, sometimes ``suberror``/``classification``), not exceptions. This module only
extracts *codes*; the sentences a person reads live in ``core/messages.py``, which looks the code up.

``SignInError.code`` is, most specific first:
- the Entra code as ``"AADSTS<digits>"`` when the service sent one (50076, 50079, 53000, 53003, 65001, ...);
- otherwise the OAuth ``error`` (``interaction_required``, ``invalid_grant``, ``access_denied``, ...);
- or one of the app's own codes below, for failures that never reach the identity provider.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from quarantine_checker.core.errors import AuthenticationError, SignInCancelled, SignInError

# The app's own codes (no identity provider involved). core/messages.py has a sentence for each.
CANCELLED = "cancelled"              # the user pressed Cancel
TIMEOUT = "timeout"                  # nobody finished the browser step in time
BROWSER_UNAVAILABLE = "browser_unavailable"
WRONG_TENANT = "wrong_tenant"        # signed in with an account from another organisation
GUEST_ACCOUNT = "guest_account"      # a B2B guest (#EXT#) has no mailbox here
NO_USERNAME = "no_username"          # the ID token names nobody we can use
NOT_SIGNED_IN = "not_signed_in"      # a token was asked for with no one signed in
BAD_RESPONSE = "bad_auth_response"   # the redirect did not belong to this sign-in (state mismatch)
DEVICE_CODE_UNAVAILABLE = "device_code_unavailable"

_AADSTS = re.compile(r"AADSTS(\d{4,6})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _aadsts_code(result: Mapping[str, Any]) -> str | None:
    codes = result.get("error_codes")
    if isinstance(codes, list):
        for value in codes:
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return f"AADSTS{value}"
    description = result.get("error_description")
    if isinstance(description, str):
        match = _AADSTS.search(description[:2000])
        if match:
            return f"AADSTS{match.group(1)}"
    return None


def _short_text(value: Any, limit: int = 300) -> str | None:
    """First line of the service's own text, without control/bidi characters, for "details for IT"."""
    if not isinstance(value, str) or not value.strip():
        return None
    first = value.strip().splitlines()[0]
    return _CONTROL.sub("", first)[:limit]


def _text(value: Any, limit: int = 100) -> str | None:
    return _CONTROL.sub("", value)[:limit] if isinstance(value, str) and value else None


def error_facts(result: Mapping[str, Any]) -> dict[str, Any]:
    """The non-secret facts of an MSAL error dict (code, correlation id, ...) as keyword arguments."""
    error = _text(result.get("error"))
    return {
        "code": _aadsts_code(result) or error or "unknown_error",
        "correlation_id": _text(result.get("correlation_id")),
        "error": error,
        "suberror": _text(result.get("suberror")),
        "classification": _text(result.get("classification")),
        "trace_id": _text(result.get("trace_id")),
        "service_message": _short_text(result.get("error_description")),
    }


def sign_in_error_from_result(result: Mapping[str, Any] | None) -> SignInError:
    """A ``SignInError`` for a failed sign-in (``access_denied`` from the page = the user said no)."""
    if not isinstance(result, Mapping):
        return SignInError("Signing in did not complete.", code="unknown_error")
    facts = error_facts(result)
    # The person pressed Cancel / declined on the sign-in page (Entra: error_subcode=cancel, AADSTS65004).
    if facts["error"] == "access_denied" and (
        result.get("error_subcode") == "cancel" or facts["code"] in ("access_denied", "AADSTS65004")
    ):
        return SignInCancelled("Sign-in was cancelled on the sign-in page.", **facts)
    return SignInError(f"Signing in failed ({facts['code']}).", **facts)


def authentication_error_from_result(result: Mapping[str, Any] | None) -> AuthenticationError:
    """A silent token request failed: the user has to sign in again (MFA, revoked session, ...)."""
    if not isinstance(result, Mapping):
        return AuthenticationError("You need to sign in again.", code="no_token")
    facts = error_facts(result)
    return AuthenticationError(f"You need to sign in again ({facts['code']}).", **facts)
