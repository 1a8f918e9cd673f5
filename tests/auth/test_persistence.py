"""The token cache survives a restart (real Secret Service keyring + encrypted file), and sign-out
removes the account, the cache file and the keyring key. Run under tests/run-suite.sh."""

from __future__ import annotations

import pytest

from quarantine_checker.storage.encrypted_cache import KEY_ENTRY
from quarantine_checker.storage.keyring_facade import SecretStore
from quarantine_checker.storage.token_cache import cache_file
from quarantine_checker.wiring import build_services

pytestmark = pytest.mark.keyring

ALICE = "alice@northwind.example"


@pytest.fixture
def store() -> SecretStore:
    s = SecretStore()
    status = s.self_test()
    if not status.available:
        pytest.skip(f"no Secret Service keyring here ({status.reason}); run tests/run-suite.sh")
    return s


def test_sign_in_survives_a_restart_and_sign_out_removes_everything(config, store, tmp_path, idp):
    first = build_services(config, data_dir=tmp_path, store=store)
    assert first.cache_status.persistent
    first.auth.sign_in_interactive(timeout=20)
    token = first.auth.token_provider().access_token()
    on_disk = cache_file(tmp_path / "demo").read_bytes()
    assert token.encode() not in on_disk and b"refresh_token" not in on_disk  # encrypted at rest

    idp.clear_log()
    second = build_services(config, data_dir=tmp_path, store=store)  # a new run of the app
    identity = second.auth.restore()
    assert identity is not None and identity.upn == ALICE
    assert "authorization_code" not in idp.grant_types_seen()

    second.auth.sign_out()
    assert not cache_file(tmp_path / "demo").exists()
    assert store.get(KEY_ENTRY) is None  # the keyring key that encrypted it is gone too
    assert build_services(config, data_dir=tmp_path, store=store).auth.restore() is None


def test_demo_config_never_shares_the_real_data_dir(config, store, tmp_path):
    from dataclasses import replace

    services = build_services(replace(config, demo=True), data_dir=tmp_path, store=store)
    services.auth.sign_in_interactive(timeout=20)
    assert cache_file(tmp_path / "demo").exists()
    assert not cache_file(tmp_path).exists()
