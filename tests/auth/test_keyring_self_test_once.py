"""A start-up tests the keyring once: each self-test is a write, a read and a delete over D-Bus, and on a
locked keyring each one can wake an unlock prompt. Real Secret Service keyring (tests/run-suite.sh)."""

from __future__ import annotations

import pytest

from quarantine_checker.storage.keyring_facade import SecretStore
from quarantine_checker.wiring import build_services

pytestmark = pytest.mark.keyring


class CountingStore(SecretStore):
    """The real store, counting the self-tests it runs against the real keyring (nothing replaced)."""

    def __init__(self) -> None:
        super().__init__()
        self.probes_written = 0

    def self_test(self):  # type: ignore[no-untyped-def]
        status = super().self_test()
        self.probes_written += 1
        return status


def test_one_start_runs_the_keyring_self_test_once(config, tmp_path):
    store = CountingStore()
    services = build_services(config, data_dir=tmp_path, store=store)
    if not services.storage_status.available:
        pytest.skip(f"no Secret Service keyring here ({services.storage_status.reason}); "
                    "run tests/run-suite.sh")
    assert services.cache_status.persistent  # the one test still decides that the cache is kept on disk
    assert store.probes_written == 1
