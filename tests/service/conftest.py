"""Fixtures: a fresh demo tenant and the service beside it, in-process, over real HTTPS.

The service runs on a uvicorn thread with the demo tenant's server certificate (127.0.0.1, signed by
the demo CA), talks to the demo IdP and Exchange emulator over HTTPS like any deployment, and its
sweep does not run on a timer here: tests sweep with ``svc.sweep()`` so nothing waits on a clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from service_api import RunningService

from quarantine_checker.demo.tenant import DemoTenant
from quarantine_service import demo as service_demo
from quarantine_service.server import BackgroundServer


@pytest.fixture
def tenant() -> Iterator[DemoTenant]:
    with DemoTenant(seed=False, release_delay=0) as t:
        yield t


@pytest.fixture
def start_service(tenant: DemoTenant, tmp_path: Path) -> Iterator[Callable[..., RunningService]]:
    started: list[BackgroundServer] = []
    clients: list[RunningService] = []

    def start(**settings: Any) -> RunningService:
        tls = tenant.tls
        assert tls is not None
        server = service_demo.start(
            tenant.service_app_config(), tmp_path / f"service{len(started)}", sweep=False,
            tls_certificate=tls.cert_file, tls_key=tls.key_file, **settings)
        started.append(server)
        clients.append(RunningService(tenant, server))
        return clients[-1]

    yield start
    for running in clients:
        running.api.session.close()  # first: an idle TLS keep-alive would hold the server's shutdown
    for server in started:
        server.stop()


@pytest.fixture
def svc(start_service: Callable[..., RunningService]) -> RunningService:
    return start_service()
