"""What the organisation service needs from the demo tenant, in one place (the service's view).

``DemoTenant.service_app_config()`` (and the ``service_app`` key of ``describe()``, the JSON line
``quarantine-checker demo-server`` prints) hands the service everything to configure itself:

=====================  ==========================================================================
key                    meaning
=====================  ==========================================================================
tenant_id, tenant_domain   the tenant (``tid`` of every token; the domain is for the anchor)
authority              MSAL authority for ``ConfidentialClientApplication`` (and the desktop app)
issuer, jwks_uri       what to validate employee/IT tokens against (v2 issuer; published keys)
openid_configuration   the discovery document URL (has issuer and jwks_uri too)
client_id              the service's app registration (confidential client)
audience               ``aud`` of tokens for the service's API (= client_id; v2 tokens)
app_id_uri, api_scope  ``api://<client_id>``, ``api://<client_id>/Quarantine.Self`` (what apps ask for)
self_scope             ``Quarantine.Self`` (the ``scp`` claim the service requires of employees)
reviewer_role          ``Quarantine.Reviewer`` (the ``roles`` claim IT staff carry)
reviewers              UPNs holding the reviewer role
certificate_path       PEM certificate registered on the app (msal ``public_certificate``)
private_key_path       its PEM private key, mode 0600 (msal ``private_key``)
thumbprint             SHA-1 thumbprint, upper hex (msal ``thumbprint``; Entra portal shows it)
thumbprint_sha256      SHA-256 thumbprint, upper hex
exchange_url           base URL of the Exchange emulator; InvokeCommand is
                       ``{exchange_url}/adminapi/beta/{tenant_id}/InvokeCommand``
exchange_scope         ``https://outlook.office365.com/.default`` (client credentials scope). The
                       resource is Exchange Online's identifier, not ``exchange_url``: in the demo
                       the two differ, and a scope built from ``exchange_url`` is refused by the
                       IdP (AADSTS500011, unknown resource), as a real tenant would.
anchor_mailbox         the app-only ``X-AnchorMailbox`` value
ca_bundle              the demo CA: trust it (only) in the service's own HTTP sessions
=====================  ==========================================================================

Usage from Python (tests)::

    with DemoTenant() as tenant:
        cfg = tenant.service_app_config()
        app = msal.ConfidentialClientApplication(
            cfg["client_id"], authority=cfg["authority"],
            client_credential={"private_key": Path(cfg["private_key_path"]).read_text(),
                               "public_certificate": Path(cfg["certificate_path"]).read_text()},
            http_client=session_trusting(cfg["ca_bundle"]), instance_discovery=False)
        token = app.acquire_token_for_client([cfg["exchange_scope"]])["access_token"]

Other handle calls: ``rotate_signing_keys(grace_seconds)``, ``announce_next_signing_key()``,
``assign_reviewer(upn, assigned)``, ``set_service_directory_role(role | None)``,
``set_service_exchange_consent(granted)``, ``app_token()`` (an app-only Exchange token without
MSAL), ``user_api_token(upn)`` (an employee's token for the service API without MSAL),
``add_late_hold(recipient, hours_late=..., **fields)``.

Faults (``inject_fault`` / ``POST faults``) take an optional ``caller``: ``"app"`` aims one at
app-only callers only (the service's sweep), a UPN at one person's desktop app.

The control API offers the same (``control_routes`` below):

- ``GET  service-app``                  -> the config above
- ``POST keys/announce``                publish the next key before it signs -> ``{"kid", "kids"}``
- ``POST keys/rotate``                  ``{"grace_seconds": 3600}`` -> ``{"kid", "kids"}`` (the
                                        announced key, if any, becomes the signing key)
- ``POST reviewers``                    ``{"upn", "assigned": true}``
- ``POST service-app/directory-role``   ``{"role": "Security Administrator" | null}``
- ``POST service-app/exchange-consent`` ``{"granted": true}``
- ``POST late-hold``                    ``{"recipient", "hours_late": 6, ...fields}`` -> ``{"identity"}``
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quarantine_checker.demo.directory import EXCHANGE_AUDIENCE
from quarantine_checker.demo.service_app import (
    APP_ANCHOR_MAILBOX,
    REVIEWER_ROLE,
    SELF_SCOPE,
    ClientCertificate,
    make_client_certificate,
)
from quarantine_checker.demo.signing_keys import process_rsa_key

if TYPE_CHECKING:
    from quarantine_checker.demo.tenant import DemoTenant


def register_service_certificate(tenant: DemoTenant, out_dir: Path) -> ClientCertificate:
    """Make the service's certificate credential in ``out_dir`` and register it on the app."""
    cert = make_client_certificate(out_dir, process_rsa_key("service-certificate"))
    app = tenant.directory.service_app
    with app.lock:
        app.certificates = [cert]
    return cert


def service_app_config(tenant: DemoTenant) -> dict[str, Any]:
    """The table in this module's docstring, for a started tenant."""
    directory = tenant.directory
    app = directory.service_app
    idp = tenant.idp
    if idp is None or not app.certificates:
        raise RuntimeError("the demo tenant is not started")
    cert = app.certificates[0]
    registration = app.registration()
    return {
        "tenant_id": directory.tenant_id,
        "tenant_domain": directory.domain,
        "authority": idp.authority,
        "issuer": idp.issuer,
        "jwks_uri": f"{idp.authority}/discovery/v2.0/keys",
        "openid_configuration": f"{idp.authority}/v2.0/.well-known/openid-configuration",
        "client_id": app.client_id,
        "audience": app.client_id,
        "app_id_uri": app.app_id_uri,
        "api_scope": app.api_scope,
        "self_scope": SELF_SCOPE,
        "reviewer_role": REVIEWER_ROLE,
        "reviewers": registration["reviewers"],
        "certificate_path": str(cert.cert_file),
        "private_key_path": str(cert.key_file),
        "thumbprint": cert.sha1_thumbprint,
        "thumbprint_sha256": cert.sha256_thumbprint,
        "exchange_url": tenant.exchange_url,
        "exchange_scope": f"{EXCHANGE_AUDIENCE}/.default",
        "anchor_mailbox": APP_ANCHOR_MAILBOX.format(domain=directory.domain),
        "ca_bundle": str(tenant.ca_file),
    }


def _bool(body: dict[str, Any], key: str, default: bool = True) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"'{key}' (true or false) is required")
    return value


def _number(body: dict[str, Any], key: str, default: float) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"'{key}' (a number) is required")
    return float(value)


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"'{key}' (string) is required")
    return value


def _late_hold(tenant: DemoTenant, body: dict[str, Any]) -> dict[str, str]:
    fields = dict(body)
    recipient = fields.pop("recipient", None)
    if not isinstance(recipient, str | list) or not recipient:
        raise ValueError("'recipient' (string or list) is required")
    hours = _number(fields, "hours_late", 6.0)
    fields.pop("hours_late", None)
    return {"identity": tenant.add_late_hold(recipient, hours_late=hours, **fields)}


def _directory_role(tenant: DemoTenant, body: dict[str, Any]) -> dict[str, Any]:
    role = body.get("role")
    if role is not None and (not isinstance(role, str) or not role):
        raise ValueError("'role' (string or null) is required")
    tenant.set_service_directory_role(role)
    return tenant.service_app.registration()


def control_routes(tenant: DemoTenant, body: dict[str, Any]) -> dict[tuple[str, str], Callable[[], Any]]:
    """The control API operations for the service side (merged into control.py's table)."""

    def rotate() -> dict[str, Any]:
        kid = tenant.rotate_signing_keys(_number(body, "grace_seconds", 3600.0))
        return {"kid": kid, "kids": tenant.directory.signing_keys.kids()}

    def announce() -> dict[str, Any]:
        kid = tenant.directory.signing_keys.announce_next()
        return {"kid": kid, "kids": tenant.directory.signing_keys.kids()}

    def reviewers() -> dict[str, Any]:
        tenant.assign_reviewer(_text(body, "upn"), _bool(body, "assigned"))
        return tenant.service_app.registration()

    def consent() -> dict[str, Any]:
        tenant.set_service_exchange_consent(_bool(body, "granted"))
        return tenant.service_app.registration()

    return {
        ("GET", "service-app"): lambda: service_app_config(tenant),
        ("POST", "keys/rotate"): rotate,
        ("POST", "keys/announce"): announce,
        ("POST", "reviewers"): reviewers,
        ("POST", "service-app/directory-role"): lambda: _directory_role(tenant, body),
        ("POST", "service-app/exchange-consent"): consent,
        ("POST", "late-hold"): lambda: _late_hold(tenant, body),
    }
