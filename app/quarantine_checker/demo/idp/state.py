"""What the identity provider remembers between requests: codes, device codes, parked
authorize requests and scripted failures. The provider holds them under one lock."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class AuthCode:
    """An authorization code waiting to be redeemed once, with the PKCE challenge it was bound to."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    scope: str
    nonce: str | None
    upn: str
    expires_at: float


@dataclass
class DeviceCode:
    """A device-code sign-in: pending until a user approves or declines it on the device page."""

    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires_at: float
    upn: str | None = None
    declined: bool = False


@dataclass
class PendingAuthorize:
    """An authorize request waiting for a human to pick an account on the picker page."""

    params: dict[str, str]
    expires_at: float


@dataclass
class Failure:
    """A scripted error the next ``remaining`` token or authorize requests get (test hook)."""

    error: str
    description: str
    remaining: int
    suberror: str | None = None
    claims: str | None = None
    status: int = 400
    error_subcode: str | None = None
