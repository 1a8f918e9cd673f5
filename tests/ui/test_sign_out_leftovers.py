"""The window's sign-out never claims a clean sign-out that wasn't one.

Real demo tenant, real MSAL, real Secret Service keyring (the suite's gnome-keyring, under a service
name of this test's own). After signing in, the keyring is made unreachable for real by pointing the
session bus address at a socket that doesn't exist; sign-out then still deletes the saved sign-in and
says, with details for IT, that the key in the password store is left.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from ui_helpers import UiServices, signed_in

from quarantine_checker import wiring
from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.storage.keyring_facade import SecretStore
from quarantine_checker.storage.token_cache import DEMO_KEY_ENTRY


def _keyring() -> SecretStore:
    store = SecretStore(service=f"quarantine-checker-ui-test-{secrets.token_hex(4)}")
    status = store.self_test()
    if not status.available:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs a real Secret Service keyring: {status}")
        pytest.skip(f"Secret Service keyring not usable: {status}")
    return store


def test_sign_out_with_the_keyring_unreachable_says_what_is_left(
        qtbot: Any, tenant: DemoTenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quarantine_checker.ui.app import ensure_application
    from quarantine_checker.ui.main_window import MainWindow

    store = _keyring()
    built = wiring.build_services(wiring.demo_config(tenant.describe()), data_dir=tmp_path, store=store)
    assert built.cache_status.persistent
    ensure_application()
    w = MainWindow(UiServices(**{f.name: getattr(built, f.name) for f in fields(wiring.Services)}))
    qtbot.addWidget(w)
    w.show()
    try:
        signed_in(qtbot, w)
        saved = tmp_path / wiring.DEMO_DATA_SUBDIR / "token_cache.bin"
        assert saved.exists()

        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-such-bus")
        w.main.sign_out_button.click()
        qtbot.waitUntil(lambda: w.sign_in.error_shown() != "", timeout=20_000)

        assert w.sign_in.error_shown() == "Signed out, but not everything could be removed"
        assert not saved.exists()
    finally:
        w.tasks.cancel_all()
        w.tasks.wait_for_done(10_000)
        monkeypatch.undo()
        store.delete(DEMO_KEY_ENTRY)
