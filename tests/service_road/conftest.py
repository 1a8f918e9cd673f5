"""The service road end to end, in-process: the demo tenant in the "denied" world (employees may not run
the quarantine cmdlets), the organisation service beside it over real HTTPS with a short sweep, and the
desktop's own AuthSession signed in as Alice through real MSAL for the service's API scope."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msal
import pytest
from road_org import ALICE, Org

from quarantine_checker.auth.demo_browser import demo_browser
from quarantine_checker.auth.session import AuthSession
from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.orgservice.client import ServiceClient
from quarantine_checker.orgservice.mailbox import ServiceMailbox
from quarantine_checker.wiring import http_session


@pytest.fixture
def tenant() -> Iterator[DemoTenant]:
    with DemoTenant(release_delay=0.2, end_user_cmdlets="denied") as t:
        yield t


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
