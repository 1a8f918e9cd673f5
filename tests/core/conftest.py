"""Fixtures for the domain core: the live wire record from the spec and a builder for variations."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from quarantine_checker.core.model import QuarantinedMessage, parse_message

DATA = Path(__file__).parent / "data"
_LIVE = json.loads((DATA / "live_record.json").read_text(encoding="utf-8"))

# A week before the live record's expiry (2026-08-21T08:58Z), well after it arrived.
NOW = datetime(2026, 8, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def live_record() -> dict[str, Any]:
    return copy.deepcopy(_LIVE)


@pytest.fixture
def now() -> datetime:
    return NOW


def build_message(**overrides: Any) -> QuarantinedMessage:
    """The live record with wire-named overrides applied, parsed the way the app parses it."""
    record = copy.deepcopy(_LIVE)
    record.update(overrides)
    return parse_message(record)


@pytest.fixture
def make_message() -> Callable[..., QuarantinedMessage]:
    return build_message
