"""Fixtures for the storage tests: a real Secret Service keyring, and child processes.

Keyring tests need the gnome-keyring that tests/run-suite.sh starts on a private D-Bus. Without it they
skip on a developer machine but FAIL under CI=true, so a broken CI keyring can't hide as "all skipped".
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator

import pytest

from quarantine_checker.storage.keyring_facade import SecretStore


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs a real Secret Service keyring: {reason}")
    pytest.skip(reason)


@pytest.fixture
def secret_store() -> Iterator[SecretStore]:
    """A SecretStore on the real Secret Service, under a service name no one else uses."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        _missing("no D-Bus session bus (run tests/run-suite.sh)")
    store = SecretStore(service=f"quarantine-checker-test-{secrets.token_hex(4)}")
    status = store.self_test()
    if not status.available or status.backend != "keyring.backends.SecretService.Keyring":
        _missing(f"Secret Service keyring not usable: {status}")
    yield store
    for entry in ("data-key", "probe"):
        store.delete(entry)


@pytest.fixture
def keyring_daemon() -> str:
    """Path of gnome-keyring-daemon and dbus-run-session, for tests that start their own."""
    daemon, runner = shutil.which("gnome-keyring-daemon"), shutil.which("dbus-run-session")
    if not daemon or not runner:
        _missing("gnome-keyring-daemon / dbus-run-session not installed")
    return daemon
