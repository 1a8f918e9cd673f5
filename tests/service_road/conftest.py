"""The service road end to end, in-process: the demo tenant in the "denied" world (employees may not run
the quarantine cmdlets), the organisation service beside it over real HTTPS with a short sweep, and the
desktop's own AuthSession signed in as Alice through real MSAL for the service's API scope."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import msal
import pytest
from road_org import ALICE, SWEEP

from quarantine_checker.auth.demo_browser import demo_browser
from quarantine_checker.auth.session import AuthSession
from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.orgservice.client import ServiceClient
from quarantine_checker.orgservice.mailbox import ServiceMailbox
from quarantine_checker.wiring import demo_config, http_session
from quarantine_service import demo as service_demo
from quarantine_service.server import BackgroundServer


@pytest.fixture
def tenant() -> Iterator[DemoTenant]:
    with DemoTenant(release_delay=0.2, end_user_cmdlets="denied") as t:
        yield t


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

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture
def org(tenant: DemoTenant, tmp_path: Path) -> Iterator[Org]:
    running = Org(tenant, tmp_path / "service")
    yield running
    running.stop()


@pytest.fixture
def signed_in(org: Org) -> Callable[..., tuple[AuthSession, ServiceMailbox]]:
    """Alice (or ``user``) signed in with the desktop's AuthSession through the demo browser."""
    made: list[Any] = []

    def sign_in(user: str = ALICE) -> tuple[AuthSession, ServiceMailbox]:
        http = http_session(org.config)
        auth = AuthSession(org.config, msal.SerializableTokenCache(), http_session=http,
                           open_browser=demo_browser(http, user=user))
        auth.start()
        identity = auth.sign_in_interactive(timeout=60, login_hint=user)
        mailbox = ServiceMailbox(ServiceClient(org.url, auth.token_provider(), http_session(org.config)),
                                 identity)
        made.append(mailbox)
        return auth, mailbox

    yield sign_in
    for mailbox in made:
        mailbox.client.session.close()
