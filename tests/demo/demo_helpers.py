"""Helpers for the demo tenant tests: user constants and a tiny raw InvokeCommand caller.

The caller is deliberately not the app's client (tests/exchange covers that): it speaks the wire
protocol by hand so these tests pin down what the emulator puts on the wire.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from quarantine_checker.demo.tenant import DemoTenant

ALICE = "alice@northwind.example"
BOB = "bob@northwind.example"
ADMIN = "it-admin@northwind.example"
SHARED = "accounts@northwind.example"
RELEASE_DELAY = 10.0


class Exo:
    """Calls InvokeCommand as one signed-in user, over real HTTPS."""

    def __init__(self, tenant: DemoTenant, upn: str) -> None:
        self.tenant = tenant
        self.upn = upn
        self.session = tenant.session()
        self.token = tenant.token_for(upn)

    @property
    def url(self) -> str:
        return f"{self.tenant.exchange_url}/adminapi/beta/{self.tenant.tenant_id}/InvokeCommand"

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-AnchorMailbox": f"UPN:{self.upn}", **extra}

    def invoke(self, cmdlet: str, params: dict[str, Any] | None = None, **headers: str) -> requests.Response:
        body = {"CmdletInput": {"CmdletName": cmdlet, "Parameters": params or {}}}
        return self.session.post(
            self.url, json=body, headers=self.headers(**headers), timeout=10, allow_redirects=False
        )

    def rows(self, cmdlet: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        r = self.invoke(cmdlet, params)
        assert r.status_code == 200, r.text[:500]
        return r.json()["value"]

    def mine(self, **params: Any) -> list[dict[str, Any]]:
        return self.rows("Get-QuarantineMessage", {"MyItems": True, **params})

    def ids(self, **params: Any) -> list[str]:
        return [row["Identity"] for row in self.rows("Get-QuarantineMessage", params)]

    def error(self, cmdlet: str, params: dict[str, Any] | None = None) -> str:
        """The inner error message of a failing cmdlet (shape 1)."""
        r = self.invoke(cmdlet, params)
        assert r.status_code == 400, (r.status_code, r.text[:500])
        return r.json()["error"]["innererror"]["internalexception"]["message"]

    def status(self, identity: str) -> str:
        return self.rows("Get-QuarantineMessage", {"Identity": identity})[0]["ReleaseStatus"]


def dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True)
