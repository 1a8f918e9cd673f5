"""Fixtures for the demo tenant tests: a fresh tenant per test (seed off) and per-user callers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from demo_helpers import RELEASE_DELAY, Exo

from quarantine_checker.demo.tenant import DemoTenant


@pytest.fixture
def tenant() -> Iterator[DemoTenant]:
    with DemoTenant(seed=False, release_delay=RELEASE_DELAY, end_user_cmdlets="allowed") as t:
        yield t


@pytest.fixture
def exo(tenant: DemoTenant) -> Callable[[str], Exo]:
    return lambda upn: Exo(tenant, upn)
