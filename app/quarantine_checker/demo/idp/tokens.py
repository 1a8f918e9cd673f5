"""What the token endpoint hands out: access/refresh tokens from the Directory, signed id tokens,
client_info, and the scope -> resource mapping Entra applies.

Access and refresh tokens come from the shared ``Directory`` so the Exchange emulator accepts
exactly what is issued here; every token, id tokens included, is signed with the directory's
published signing keys (``Directory.signing_keys``), which the JWKS endpoint serves.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from typing import Any

from quarantine_checker.demo.directory import EXCHANGE_AUDIENCE, DemoUser, Directory
from quarantine_checker.demo.idp.accounts import guest_email, is_guest
from quarantine_checker.demo.idp.errors import IdpError
from quarantine_checker.demo.service_app import SELF_SCOPE, ServiceApp

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
GRAPH_AUDIENCE = "https://graph.microsoft.com"
OIDC_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def s256(verifier: str) -> str:
    """The PKCE S256 challenge for ``verifier``."""
    return b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest())


def resource_for(scope: str, service: ServiceApp | None = None) -> tuple[str, str, list[str]]:
    """(audience, scp claim, granted scope strings) for a request's scope parameter.

    With ``service`` given, scopes for the organisation service's API are checked against what it
    exposes (only ``Quarantine.Self`` and ``.default``) and its resource is named by App ID URI.
    """
    resources: dict[str, list[str]] = {}
    for item in scope.split():
        if item in OIDC_SCOPES:
            continue
        if "/" in item:
            resource, _, permission = item.rpartition("/")
        else:
            resource, permission = GRAPH_AUDIENCE, item
        resource = resource.rstrip("/")
        if service is not None and service.names_this_api(resource):
            resource = service.app_id_uri
            if permission not in (SELF_SCOPE, ".default"):
                raise IdpError(
                    "invalid_scope",
                    f"AADSTS65005: The application asked for scope '{item[:120]}' that doesn't exist "
                    f"on the resource '{service.client_id}'.",
                )
        resources.setdefault(resource, []).append(permission)
    if len(resources) > 1:
        raise IdpError(
            "invalid_scope",
            "AADSTS28000: Provided value for the input parameter scope "
            "is not valid because it contains more than one resource.",
        )
    if not resources:
        return GRAPH_AUDIENCE, "User.Read", [f"{GRAPH_AUDIENCE}/User.Read"]
    audience, permissions = next(iter(resources.items()))
    granted: list[str] = []
    scp: list[str] = []
    for permission in permissions:
        if permission == ".default":
            # Entra expands .default into the app's configured permissions and echoes .default,
            # which MSAL needs to find the cached token again for the same request.
            if audience == EXCHANGE_AUDIENCE:
                expanded = "Exchange.Manage"
            elif service is not None and audience == service.app_id_uri:
                expanded = SELF_SCOPE
            else:
                expanded = "user_impersonation"
            scp.append(expanded)
            granted += [f"{audience}/{expanded}", f"{audience}/.default"]
        else:
            scp.append(permission)
            granted.append(f"{audience}/{permission}")
    return audience, " ".join(dict.fromkeys(scp)), list(dict.fromkeys(granted))


def id_token(
    directory: Directory, user: DemoUser, client_id: str, nonce: str | None, now: float, *, issuer: str
) -> str:
    tenant_id = directory.tenant_id
    sub = b64url(hashlib.sha256(f"{user.object_id}:{client_id}".encode()).digest())
    claims: dict[str, Any] = {
        "ver": "2.0",
        "iss": issuer,
        "sub": sub,
        "aud": client_id,
        "iat": int(now),
        "nbf": int(now),
        "exp": int(now) + 3600,
        "tid": tenant_id,
        "oid": user.object_id,
        "name": user.display_name,
        "preferred_username": user.upn,
        "upn": user.upn,
        "email": user.primary_smtp,
    }
    if is_guest(user):
        home = guest_email(user) or user.upn
        claims["preferred_username"] = home
        claims["email"] = home
        home_domain = home.rpartition("@")[2]
        claims["idp"] = f"https://sts.windows.net/{uuid.uuid5(uuid.NAMESPACE_DNS, home_domain)}/"
    if nonce:
        claims["nonce"] = nonce
    return directory.signing_keys.sign(claims)


def client_info(user: DemoUser, tenant_id: str) -> str:
    """MSAL's account key: base64url JSON of the user's object id and home tenant."""
    info = {"uid": user.object_id, "utid": tenant_id}
    return b64url(json.dumps(info, separators=(",", ":")).encode())


def token_response(
    directory: Directory,
    issuer: str,
    upn: str,
    client_id: str,
    scope: str,
    *,
    lifetime: int,
    nonce: str | None,
    want_client_info: bool,
    always_refresh: bool = False,
) -> dict[str, Any]:
    """The token endpoint's success body for ``upn`` and the requested ``scope``."""
    user = directory.user(upn)
    audience, scp, granted = resource_for(scope, directory.service_app)
    requested = set(scope.split())
    now = time.time()
    if audience == directory.service_app.app_id_uri:
        access_token = directory.issue_service_api_token(
            user.upn, issuer=issuer, scope=scp, lifetime=lifetime, client_id=client_id
        )
    else:
        access_token = directory.issue_access_token(
            user.upn, audience=audience, lifetime=lifetime, scope=scp, client_id=client_id
        )
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": " ".join(granted),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    }
    if "offline_access" in requested or always_refresh:
        body["refresh_token"] = directory.issue_refresh_token(user.upn, client_id, scope)
    if "openid" in requested:
        body["id_token"] = id_token(directory, user, client_id, nonce, now, issuer=issuer)
    if want_client_info:
        body["client_info"] = client_info(user, directory.tenant_id)
    return body
