"""What the service-road tests share (a module of its own: every test folder has a conftest): the running
organisation, i.e. a started demo tenant and its service over HTTPS, stoppable and restartable on the
same address (the app's configured service_url)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.wiring import demo_config
from quarantine_service import demo as service_demo
from quarantine_service.server import BackgroundServer

ALICE = "alice@northwind.example"
BOB = "bob@northwind.example"
SWEEP = 0.5  # the service's sweep interval in these tests (seconds)


class Org:
    """The running organisation: the tenant, its service (stoppable and restartable on the same port)."""

    def __init__(self, tenant: DemoTenant, folder: Path) -> None:
        self.tenant = tenant
        self.folder = folder
        self.server: BackgroundServer | None = None
        self.port = 0
        self.start()
        self.config = replace(demo_config(tenant.describe()), service_url=self.url,
                              service_scope=tenant.service_app_config()["api_scope"])

    def start(self) -> None:
        tls = self.tenant.tls
        assert tls is not None
        self.server = service_demo.start(self.tenant.service_app_config(), self.folder, sweep=True,
                                         tls_certificate=tls.cert_file, tls_key=tls.key_file,
                                         sweep_interval=SWEEP, port=self.port)
        self.port = self.server.port
        self.url = self.server.url
        self.reviewer = service_demo.DemoReviewer(self.url, self.tenant)

    def open_requests(self) -> list[dict]:
        """The reviewer API's open requests, as the IT console sees them."""
        reviewers = self.tenant.service_app_config()["reviewers"]
        token = self.tenant.user_api_token(reviewers[0])
        response = self.reviewer.session.get(f"{self.url}/v1/review/requests",
                                             headers={"Authorization": f"Bearer {token}"}, timeout=30)
        response.raise_for_status()
        return list(response.json()["items"])

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
