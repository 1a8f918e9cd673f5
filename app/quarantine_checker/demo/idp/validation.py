"""What a client's request must satisfy before the identity provider acts on it."""

from __future__ import annotations

from urllib.parse import urlsplit

from quarantine_checker.demo.directory import Directory
from quarantine_checker.demo.idp.errors import IdpError
from quarantine_checker.demo.idp.tokens import resource_for


def is_loopback_redirect(uri: str) -> bool:
    """RFC 8252 loopback redirect: plain http to localhost/127.0.0.1, any port, no userinfo/fragment."""
    try:
        parts = urlsplit(uri)
        _ = parts.port  # raises ValueError on a non-numeric port
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in ("localhost", "127.0.0.1")
        and "@" not in parts.netloc
        and not parts.fragment
    )


def check_client(directory: Directory, client_id: str | None) -> None:
    """invalid_client unless ``client_id`` is the demo app's registration."""
    if client_id != directory.client_id:
        raise IdpError(
            "invalid_client" if client_id else "invalid_request",
            f"AADSTS700016: Application with identifier '{(client_id or '')[:80]}' was not found "
            f"in the directory '{directory.domain}'. This can happen if the application has "
            "not been installed by the administrator of the tenant or consented to by any user in "
            "the tenant. You may have sent your authentication request to the wrong tenant."
            if client_id
            else "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
        )


def validate_authorize(directory: Directory, params: dict[str, str]) -> None:
    """Raise the IdpError Entra would give a malformed authorize request; None if acceptable."""
    check_client(directory, params.get("client_id"))
    redirect_uri = params.get("redirect_uri", "")
    if not is_loopback_redirect(redirect_uri):
        raise IdpError(
            "invalid_request",
            "AADSTS50011: The redirect URI specified in the request does "
            "not match the redirect URIs configured for the application. Only loopback "
            "http://localhost redirect URIs are registered for this public client.",
        )
    if params.get("response_type") != "code":
        raise IdpError(
            "unsupported_response_type",
            "AADSTS700054: response_type must be 'code' for this application.",
        )
    if params.get("response_mode", "query") not in ("query", "form_post"):
        raise IdpError("invalid_request", "AADSTS900144: response_mode must be query or form_post.")
    if not params.get("code_challenge"):
        raise IdpError(
            "invalid_request",
            "AADSTS9002325: Proof Key for Code Exchange is required for this public client.",
        )
    if params.get("code_challenge_method") != "S256":
        raise IdpError(
            "invalid_request",
            "AADSTS5000751: The code_challenge_method is not supported. Supported values: S256.",
        )
    if not params.get("scope", "").strip():
        raise IdpError(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'scope'.",
        )
    resource_for(params["scope"], directory.service_app)
