"""The token endpoint's grants (authorization code + PKCE, rotating refresh token, device code)
and the device authorization endpoint that starts a device-code sign-in."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from quarantine_checker.demo.idp.client_assertion import client_credentials
from quarantine_checker.demo.idp.errors import IdpError
from quarantine_checker.demo.idp.state import DeviceCode
from quarantine_checker.demo.idp.tokens import DEVICE_CODE_GRANT, resource_for, s256
from quarantine_checker.demo.idp.validation import check_client

if TYPE_CHECKING:
    from quarantine_checker.demo.idp.provider import IdentityProvider


def _authorization_code(idp: IdentityProvider, form: dict[str, str]) -> dict[str, Any]:
    code = form.get("code", "")
    with idp._lock:
        entry = idp._codes.pop(code, None)
    if entry is None or entry.expires_at < time.time():
        raise IdpError(
            "invalid_grant",
            "AADSTS70000: The provided value for the 'code' parameter is "
            "not valid. The code has expired or has already been redeemed.",
        )
    if entry.client_id != form.get("client_id"):
        raise IdpError("invalid_grant", "AADSTS70000: The code was issued to a different client.")
    if entry.redirect_uri != form.get("redirect_uri"):
        raise IdpError(
            "invalid_grant",
            "AADSTS50148: The redirect_uri does not match the one used in the authorization request.",
        )
    verifier = form.get("code_verifier", "")
    if not verifier or not secrets.compare_digest(s256(verifier), entry.code_challenge):
        raise IdpError(
            "invalid_grant",
            "AADSTS501481: The Code_Verifier does not match the "
            "code_challenge supplied in the authorization request.",
        )
    return idp._token_response(
        entry.upn,
        entry.client_id,
        entry.scope,
        nonce=entry.nonce,
        want_client_info=form.get("client_info") == "1",
    )


def _refresh_token(idp: IdentityProvider, form: dict[str, str]) -> dict[str, Any]:
    grant = idp.directory.redeem_refresh_token(form.get("refresh_token", ""), form["client_id"])
    if grant is None:
        raise IdpError(
            "invalid_grant",
            "AADSTS70000: The provided value for the 'refresh_token' is "
            "not valid. It may have expired, been used already, or been revoked.",
        )
    try:
        user = idp._sign_in_user(grant.upn)
    except ValueError:
        raise IdpError("invalid_grant", "AADSTS50057: The user account is disabled.") from None
    scope = form.get("scope") or grant.scope
    return idp._token_response(
        user.upn,
        grant.client_id,
        scope,
        nonce=None,
        want_client_info=form.get("client_info") == "1",
        always_refresh=True,
    )


def _device_code(idp: IdentityProvider, form: dict[str, str]) -> dict[str, Any]:
    device_code = form.get("device_code", "")
    with idp._lock:
        entry = idp._device_codes.get(device_code)
        if entry is None or entry.expires_at < time.time() or entry.client_id != form["client_id"]:
            idp._device_codes.pop(device_code, None)
            raise IdpError("expired_token", "AADSTS70019: Verification code expired.")
        if entry.declined:
            del idp._device_codes[device_code]
            raise IdpError("authorization_declined", "AADSTS70000: The user declined to sign in.")
        if entry.upn is None:
            raise IdpError(
                "authorization_pending",
                "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            )
        del idp._device_codes[device_code]
    return idp._token_response(
        entry.upn,
        entry.client_id,
        entry.scope,
        nonce=None,
        want_client_info=form.get("client_info") == "1",
    )


def issue_device_code(idp: IdentityProvider, form: dict[str, str]) -> dict[str, Any]:
    """The device authorization endpoint: a new device code and the user code to type."""
    check_client(idp.directory, form.get("client_id"))
    scope = form.get("scope", "").strip()
    if not scope:
        raise IdpError(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'scope'.",
        )
    resource_for(scope, idp.directory.service_app)
    now = time.time()
    with idp._lock:
        idp._device_codes = {k: v for k, v in idp._device_codes.items() if v.expires_at > now}
        live = {e.user_code for e in idp._device_codes.values()}
        user_code = secrets.token_hex(3).upper()
        while user_code in live:
            user_code = secrets.token_hex(3).upper()
        device_code = secrets.token_urlsafe(32)
        idp._device_codes[device_code] = DeviceCode(
            device_code, user_code, form["client_id"], scope, now + idp.device_code_lifetime
        )
    uri = idp.device_verification_uri
    return {
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": uri,
        "expires_in": idp.device_code_lifetime,
        "interval": 1,
        "message": f"To sign in, use a web browser to open the page {uri} and enter the code "
        f"{user_code} to authenticate.",
    }


def _confidential(idp: IdentityProvider, form: dict[str, str]) -> dict[str, Any]:
    """The service's registration is a confidential client that only uses client credentials."""
    grant_type = form.get("grant_type", "")
    if grant_type != "client_credentials":
        raise IdpError(
            "unauthorized_client",
            f"AADSTS700054: The grant type '{grant_type[:80]}' is not enabled for application "
            f"'{idp.directory.service_app.client_id}'.",
        )
    return client_credentials(idp, form)


def redeem(idp: IdentityProvider, form: dict[str, str]) -> dict[str, Any]:
    """The token endpoint: a scripted failure if one is queued, else the grant's token response."""
    is_service = form.get("client_id") == idp.directory.service_app.client_id
    if not is_service:
        check_client(idp.directory, form.get("client_id"))
    failure = idp._take_failure(idp._token_failures)
    if failure is not None:
        raise IdpError(
            failure.error,
            failure.description,
            failure.status,
            suberror=failure.suberror,
            claims=failure.claims,
        )
    if is_service:
        return _confidential(idp, form)
    grant_type = form.get("grant_type", "")
    if grant_type == "client_credentials" or form.get("client_assertion") or form.get("client_secret"):
        raise IdpError(
            "invalid_client",
            "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be "
            "presented.",
            401,
        )
    handlers: dict[str, Callable[[IdentityProvider, dict[str, str]], dict[str, Any]]] = {
        "authorization_code": _authorization_code,
        "refresh_token": _refresh_token,
        DEVICE_CODE_GRANT: _device_code,
    }
    handler = handlers.get(grant_type)
    if handler is None:
        raise IdpError(
            "unsupported_grant_type",
            f"AADSTS70003: The app requested an unsupported grant type '{grant_type[:80]}'.",
        )
    return handler(idp, form)
