"""Fixtures for the content tests: the seed story built at one fixed moment."""

from __future__ import annotations

import pytest
from content_samples import DOMAIN, NOW

from quarantine_checker.demo.seed import seed_messages


@pytest.fixture(scope="session")
def seed() -> list[dict]:
    return seed_messages(DOMAIN, NOW)


@pytest.fixture(scope="session")
def by_id(seed: list[dict]) -> dict[str, dict]:
    return {r["Identity"]: r for r in seed}
