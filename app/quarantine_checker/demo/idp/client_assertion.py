"""Certificate client assertions (RFC 7523 ``private_key_jwt``) and the client credentials grant.

What msal 1.x sends (``msal/application.py`` ``_build_client``, ``oauth2cli/assertion.py``):

- ``client_credential={"private_key", "thumbprint"}`` -> RS256, header ``x5t`` (SHA-1 thumbprint);
- ``{"private_key", "public_certificate"}`` -> PS256, headers ``x5t#S256`` and ``x5c``;
- claims ``aud`` = the token endpoint from discovery, ``iss`` = ``sub`` = client id, ``exp`` =
  now + 600, ``iat``, ``jti``; form fields ``client_assertion_type`` = jwt-bearer and
  ``client_assertion``; the same assertion is reused for up to 9 minutes, so reuse is allowed.

Each check that fails answers like Entra: ``invalid_client``, HTTP 401, AADSTS700027 (no such
certificate / bad signature), 700023 (audience), 700024 (time range), 700021 (iss/sub).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from quarantine_checker.demo.directory import EXCHANGE_AUDIENCE
from quarantine_checker.demo.idp.errors import IdpError
from quarantine_checker.demo.idp.tokens import GRAPH_AUDIENCE, resource_for
from quarantine_checker.demo.service_app import ServiceApp

if TYPE_CHECKING:
    from quarantine_checker.demo.idp.provider import IdentityProvider

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("RS256", "PS256")
CLOCK_SKEW = 300  # seconds Entra tolerates around nbf/exp
DOCS = (
    "Review the documentation at "
    "https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials ."
)


def _refuse(description: str) -> IdpError:
    return IdpError("invalid_client", description, 401)


def _stamp(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%m/%d/%Y %H:%M:%S")


def token_endpoints(idp: IdentityProvider) -> set[str]:
    """Audiences Entra accepts on a client assertion: this tenant's token endpoints (v2 and v1)."""
    names = (idp.directory.tenant_id, idp.directory.domain)
    return {f"{idp.base_url}/{name}/oauth2/{path}" for name in names for path in ("v2.0/token", "token")}


def authenticate_client(idp: IdentityProvider, app: ServiceApp, form: dict[str, str]) -> None:
    """Raise the IdpError Entra gives unless ``form`` proves possession of a registered certificate."""
    if form.get("client_secret"):
        raise _refuse(
            "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request "
            "is the client secret value, not the client secret ID, for a secret added to app "
            f"'{app.client_id}'."
        )
    assertion = form.get("client_assertion", "")
    if not assertion or form.get("client_assertion_type") != JWT_BEARER:
        raise IdpError(
            "invalid_client",
            "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' "
            "or 'client_secret'.",
            401,
        )
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise _refuse("AADSTS50027: JWT token is invalid or malformed.") from None
    x5t, x5t_s256 = header.get("x5t"), header.get("x5t#S256")
    cert = app.certificate_for(
        x5t=x5t if isinstance(x5t, str) else None, x5t_s256=x5t_s256 if isinstance(x5t_s256, str) else None
    )
    shown = str(x5t_s256 or x5t or "")[:60]
    if cert is None:
        raise _refuse(
            "AADSTS700027: The certificate with identifier used to sign the client assertion is not "
            f"registered on application. [Reason - The key was not found., Thumbprint of key used by "
            f"client: '{shown}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph "
            f"to see configured keys for app Id '{app.client_id}'.]"
        )
    if header.get("alg") not in ALGORITHMS:
        raise _refuse("AADSTS5002730: Invalid JWT token. Unsupported key for the signing algorithm.")
    key = cert.certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):  # RS256 and PS256 verify with an RSA key only
        raise _refuse("AADSTS5002730: Invalid JWT token. Unsupported key for the signing algorithm.")
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            key,
            algorithms=list(ALGORITHMS),
            options={"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        raise _refuse(
            "AADSTS700027: Client assertion failed signature validation. [Reason - Key was found, but "
            f"use of the key to verify the signature failed., Thumbprint of key used by client: '{shown}']"
        ) from None
    if claims.get("aud") not in token_endpoints(idp):
        raise _refuse(f"AADSTS700023: Client assertion audience claim does not match Realm issuer. {DOCS}")
    now = time.time()
    exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat", now))
    if (
        not isinstance(exp, int | float)
        or not isinstance(nbf, int | float)
        or not (nbf - CLOCK_SKEW <= now < exp + CLOCK_SKEW)
    ):
        valid_to = _stamp(exp) if isinstance(exp, int | float) else "unknown"
        raise _refuse(
            f"AADSTS700024: Client assertion is not within its valid time range. Current time: "
            f"{_stamp(now)}, expiry time of assertion {valid_to}. {DOCS}"
        )
    if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
        raise _refuse(
            "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter."
        )


def client_credentials(idp: IdentityProvider, form: dict[str, str]) -> dict[str, Any]:
    """The client credentials grant for the service's registration: an app-only access token."""
    app = idp.directory.service_app
    authenticate_client(idp, app, form)
    scope = form.get("scope", "").strip()
    items = scope.split()
    if len(items) != 1 or not items[0].endswith("/.default"):
        raise IdpError(
            "invalid_scope",
            f"AADSTS1002012: The provided value for scope {scope[:120]} is not valid. Client credential "
            "flows must have a scope value with /.default suffixed to the resource identifier "
            "(application ID URI).",
        )
    audience, _, _ = resource_for(scope, app)
    if audience not in (EXCHANGE_AUDIENCE, GRAPH_AUDIENCE, app.app_id_uri):
        # E.g. a scope built from the emulator's URL instead of Exchange Online's resource id.
        raise IdpError(
            "invalid_resource",
            f"AADSTS500011: The resource principal named {audience[:120]} was not found in the tenant "
            f"named {idp.directory.domain}. This can happen if the application has not been installed by "
            "the administrator of the tenant or consented to by any user in the tenant. You might have "
            "sent your authentication request to the wrong tenant.",
        )
    roles = app.app_roles_on_exchange() if audience == EXCHANGE_AUDIENCE else []
    lifetime = idp._lifetime()
    return {
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": idp.directory.issue_app_token(audience, roles, lifetime),
    }
