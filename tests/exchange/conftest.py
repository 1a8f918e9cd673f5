"""Fixtures for the Exchange client tests: a real DemoTenant over HTTPS on 127.0.0.1.

The only thing injected into the client is what the issue asks for: a TokenProvider (here,
tokens minted by the demo tenant's own directory) and a ``sleep`` that records instead of
waiting. ``requests`` is never mocked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from quarantine_checker.core.account import UserIdentity
from quarantine_checker.exchange.client import ExoClient

ALICE = "alice@northwind.example"
BOB = "bob@northwind.example"
ADMIN = "it-admin@northwind.example"
SHARED = "accounts@northwind.example"


class TenantTokens:
    """The injected TokenProvider: asks the demo tenant for a real signed token each time."""

    def __init__(self, tenant: Any, upn: str) -> None:
        self.tenant = tenant
        self.upn = upn
        self.calls: list[bool] = []  # force_refresh flag of every call, in order

    def access_token(self, *, force_refresh: bool = False) -> str:
        self.calls.append(force_refresh)
        return self.tenant.token_for(self.upn)


class RecordingSleep:
    """Stands in for time.sleep so retries do not really wait; remembers every wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def identity_for(tenant: Any, upn: str) -> UserIdentity:
    user = tenant.directory.user(upn)
    return UserIdentity(upn=user.upn, tenant_id=tenant.tenant_id, display_name=user.display_name,
                        addresses=frozenset({user.primary_smtp, *(a.lower() for a in user.aliases)}))


def _start(**kwargs: Any) -> Any:
    from quarantine_checker.demo.tenant import DemoTenant

    tenant = DemoTenant(**kwargs)
    tenant.start()
    return tenant


@pytest.fixture(scope="module")
def tenant() -> Iterator[Any]:
    """One seeded tenant per test module (starting one costs a CA and two servers)."""
    t = _start(seed=True, release_delay=0.2, end_user_cmdlets="allowed")
    try:
        yield t
    finally:
        t.stop()


@pytest.fixture
def fresh_tenant() -> Iterator[Any]:
    """An empty tenant for tests that count every record."""
    t = _start(seed=False, release_delay=0.2, end_user_cmdlets="allowed")
    try:
        yield t
    finally:
        t.stop()


@pytest.fixture(autouse=True)
def _clean_tenant(request: pytest.FixtureRequest) -> Iterator[None]:
    if "tenant" in request.fixturenames:
        t = request.getfixturevalue("tenant")
        t.clear_faults()
        t.clear_log()
    yield


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def make_client(sleep: RecordingSleep) -> Callable[..., tuple[ExoClient, TenantTokens]]:
    def make(t: Any, upn: str = ALICE, *, as_identity: str | None = None,
             **kwargs: Any) -> tuple[ExoClient, TenantTokens]:
        tokens = TenantTokens(t, upn)
        kwargs.setdefault("rate_limit_per_second", None)  # tests would crawl at the default 1/s
        kwargs.setdefault("sleep", sleep)
        client = ExoClient(t.exchange_url, t.tenant_id, identity_for(t, as_identity or upn), tokens,
                           ca_bundle=t.ca_file, **kwargs)
        return client, tokens

    return make


def _list_calls(t: Any) -> list[Any]:
    return [r for r in t.requests_log
            if r.cmdlet == "Get-QuarantineMessage" and "Identity" not in r.parameters]


@pytest.fixture(name="list_calls")
def list_calls_fixture() -> Callable[[Any], list[Any]]:
    """The list calls (Summary set) in ``tenant.requests_log``."""
    return _list_calls


@pytest.fixture(name="identity_for")
def identity_for_fixture() -> Callable[[Any, str], UserIdentity]:
    return identity_for
