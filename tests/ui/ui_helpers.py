"""Helpers shared by the UI tests (imported by name; tests/ui is on sys.path under pytest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msal

from quarantine_checker.auth.demo_browser import demo_browser
from quarantine_checker.auth.session import AuthSession
from quarantine_checker.config import AppConfig
from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.exchange.client import ExoClient

ALICE = "alice@northwind.example"


@dataclass
class UiServices:
    """The shape of wiring.Services that the window uses, assembled from the real parts."""

    config: AppConfig
    auth: AuthSession
    demo: DemoTenant | None = None
    storage_status: Any = None
    cache_status: Any = None
    tenant: DemoTenant | None = None

    def exchange_client(self) -> ExoClient:
        assert self.tenant is not None and self.auth.identity is not None
        return ExoClient(self.tenant.exchange_url, self.tenant.tenant_id, self.auth.identity,
                         self.auth.token_provider(), session=self.tenant.session(),
                         ca_bundle=self.tenant.ca_file, rate_limit_per_second=None)


def make_services(tenant: DemoTenant, *, demo: bool = True) -> UiServices:
    try:  # prefer the real composition root once it exists
        from quarantine_checker import wiring  # noqa: F401
    except ImportError:
        pass
    config = AppConfig(tenant_id=tenant.tenant_id, client_id=tenant.client_id, authority=tenant.authority,
                       exchange_url=tenant.exchange_url, ca_bundle=tenant.ca_file, demo=demo)
    auth = AuthSession(config, msal.TokenCache(), http_session=tenant.session(),
                       open_browser=demo_browser(tenant.session(), user=ALICE))
    return UiServices(config=config, auth=auth, tenant=tenant)


@dataclass
class Confirmations:
    answer: bool = True
    asked: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, parent: Any, title: str, text: str, *, informative: str = "", yes: str,
                 no: str = "", warning: bool = False) -> bool:
        self.asked.append({"title": title, "text": text, "informative": informative, "yes": yes,
                           "warning": warning})
        return self.answer


def signed_in(qtbot: Any, w: Any, timeout: int = 20_000) -> None:
    """Start the window and wait until the first refresh has been shown."""
    with qtbot.waitSignal(w.refreshed, timeout=timeout):
        w.start()
