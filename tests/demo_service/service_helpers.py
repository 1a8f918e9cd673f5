"""Helpers for the organisation-service side of the demo tenant: real MSAL, real HTTPS, real JWKS.

Tokens are checked the way a relying party (the organisation service) checks them: signature
against the keys the IdP publishes at ``jwks_uri`` (PyJWKClient over HTTPS), issuer, audience.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import jwt
import msal
import requests

from quarantine_checker.demo.tenant import DemoTenant

ALICE = "alice@northwind.example"
BOB = "bob@northwind.example"
ADMIN = "it-admin@northwind.example"
RELEASE_DELAY = 10.0


def trusting_session(ca_file: str | Path) -> requests.Session:
    session = requests.Session()
    session.verify = str(ca_file)
    session.trust_env = False  # the machine may export REQUESTS_CA_BUNDLE
    return session


def confidential_app(
    tenant: DemoTenant, credential: dict[str, Any] | str | None = None, *, authority: str | None = None
) -> msal.ConfidentialClientApplication:
    """The service's MSAL client, configured only from ``service_app_config()``."""
    cfg = tenant.service_app_config()
    if credential is None:
        credential = {
            "private_key": Path(cfg["private_key_path"]).read_text(),
            "public_certificate": Path(cfg["certificate_path"]).read_text(),
        }
    return msal.ConfidentialClientApplication(
        cfg["client_id"],
        authority=authority or cfg["authority"],
        client_credential=credential,
        http_client=trusting_session(cfg["ca_bundle"]),
        instance_discovery=False,
    )


def public_app(tenant: DemoTenant) -> msal.PublicClientApplication:
    return msal.PublicClientApplication(
        tenant.client_id,
        authority=tenant.authority,
        http_client=trusting_session(tenant.ca_file),
        instance_discovery=False,
    )


def device_code_token(tenant: DemoTenant, upn: str, scopes: list[str]) -> dict[str, Any]:
    """A user token through MSAL's device-code flow, the user approving on the IdP's device page."""
    app = public_app(tenant)
    flow = app.initiate_device_flow(scopes=scopes)
    assert "user_code" in flow, flow
    assert tenant.idp is not None
    tenant.idp.approve_device_code(flow["user_code"], upn)
    return app.acquire_token_by_device_flow(flow)


def verified_claims(tenant: DemoTenant, token: str, *, audience: str, issuer: str) -> dict[str, Any]:
    """Claims of ``token`` if a key from the published JWKS signed it for ``audience``/``issuer``."""
    cfg = tenant.service_app_config()
    context = ssl.create_default_context(cafile=cfg["ca_bundle"])
    client = jwt.PyJWKClient(cfg["jwks_uri"], cache_jwk_set=False, ssl_context=context)
    key = client.get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, issuer=issuer)


class AppExo:
    """Calls InvokeCommand app-only, as the organisation service does."""

    def __init__(self, tenant: DemoTenant, token: str) -> None:
        cfg = tenant.service_app_config()
        self.url = f"{cfg['exchange_url']}/adminapi/beta/{cfg['tenant_id']}/InvokeCommand"
        self.module_url = f"{cfg['exchange_url']}/adminapi/v1.0/{cfg['tenant_id']}/EXOModuleFile"
        self.anchor = cfg["anchor_mailbox"]
        self.session = trusting_session(cfg["ca_bundle"])
        self.token = token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-AnchorMailbox": self.anchor}

    def invoke(self, cmdlet: str, params: dict[str, Any] | None = None, **kwargs: Any) -> requests.Response:
        body = {"CmdletInput": {"CmdletName": cmdlet, "Parameters": params or {}}}
        return self.session.post(
            self.url, json=body, headers=self.headers(), timeout=10, allow_redirects=False, **kwargs
        )

    def rows(self, cmdlet: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        r = self.invoke(cmdlet, params)
        assert r.status_code == 200, (r.status_code, r.text[:500])
        return r.json()["value"]

    def error(self, cmdlet: str, params: dict[str, Any] | None = None) -> str:
        r = self.invoke(cmdlet, params)
        assert r.status_code == 400, (r.status_code, r.text[:500])
        return r.json()["error"]["innererror"]["internalexception"]["message"]

    def exported_cmdlets(self) -> list[str]:
        r = self.session.get(
            self.module_url, headers={**self.headers(), "CommandName": "*"}, timeout=10, allow_redirects=False
        )
        assert r.status_code == 200, (r.status_code, r.text[:300])
        text = r.json()["value"][0]["exportedCmdlets"]
        return [c for c in text.split(",") if c]
