"""Fixtures for the organisation-service side of the demo tenant: a fresh tenant per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from service_helpers import RELEASE_DELAY, AppExo, confidential_app

from quarantine_checker.demo.tenant import DemoTenant


@pytest.fixture
def tenant() -> Iterator[DemoTenant]:
    with DemoTenant(seed=False, release_delay=RELEASE_DELAY, end_user_cmdlets="allowed") as t:
        yield t


@pytest.fixture
def app_token(tenant: DemoTenant) -> str:
    """An app-only Exchange token obtained the way the service gets it: msal, certificate assertion."""
    scope = tenant.service_app_config()["exchange_scope"]
    result = confidential_app(tenant).acquire_token_for_client([scope])
    assert "access_token" in result, result
    return result["access_token"]


@pytest.fixture
def app_exo(tenant: DemoTenant, app_token: str) -> AppExo:
    return AppExo(tenant, app_token)
