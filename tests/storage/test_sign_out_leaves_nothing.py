"""Sign-out removes what this computer holds for the person, whatever state the keyring is in.

All on a real Secret Service keyring: a private gnome-keyring-daemon on its own D-Bus session for the
locked case (its login collection is locked over D-Bus, exactly as the desktop's "Lock" does), a dead
bus address for the unreachable case, and the suite's unlocked keyring for the rest.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from storage_helpers import child_env, run_python
from test_token_cache import refresh_tokens, sign_in

from quarantine_checker import paths, wiring
from quarantine_checker.config import AppConfig
from quarantine_checker.storage.keyring_facade import SecretStore
from quarantine_checker.storage.token_cache import cache_file, open_token_cache
from quarantine_checker.ui.settings_store import DesktopSettings, RecordStore, SettingsStore

pytestmark = pytest.mark.keyring
HERE = str(Path(__file__).parent)

# Child: sign in with the keyring unlocked, lock the keyring (or not), then sign out with the real CLI.
_SIGN_IN_THEN_LOCK_THEN_SIGN_OUT = """
import io, json, sys
sys.path.insert(0, {here!r})
from contextlib import redirect_stdout
from pathlib import Path
import secretstorage
from test_token_cache import sign_in
from quarantine_checker.cli.main import main
from quarantine_checker.storage.keyring_facade import SecretStore
from quarantine_checker.storage.token_cache import open_token_cache
data = Path({data!r})
cache, status = open_token_cache(data, SecretStore())
sign_in(cache, "rt-before-lock")
connection = secretstorage.dbus_init()
secretstorage.get_default_collection(connection).lock()
out = io.StringIO()
with redirect_stdout(out):
    code = main(["sign-out"])
print(json.dumps({{"persistent": status.persistent, "code": code, "said": out.getvalue(),
                  "file_left": (data / "token_cache.bin").exists()}}))
"""

_STILL_SIGNED_IN = """
import sys
sys.path.insert(0, {here!r})
from pathlib import Path
from test_token_cache import refresh_tokens
from quarantine_checker.storage.keyring_facade import SecretStore
from quarantine_checker.storage.token_cache import open_token_cache
cache, status = open_token_cache(Path({data!r}), SecretStore())
print(status.persistent, sorted(refresh_tokens(cache)))
"""


def test_sign_out_with_a_locked_keyring_removes_the_saved_sign_in_and_says_what_is_left(
        tmp_path: Path, keyring_daemon: str) -> None:
    data = tmp_path / "data-dir"
    start = f'printf pw | {keyring_daemon} --unlock --components=secrets >/dev/null 2>&1; exec "$@"'
    unlocked = ["dbus-run-session", "--", "sh", "-c", start, "sh"]
    env = child_env(tmp_path / "home", PYTHON_KEYRING_BACKEND=None, QC_DATA_DIR=str(data),
                    QC_CONFIG_DIR=str(tmp_path / "config"))
    out = json.loads(run_python(_SIGN_IN_THEN_LOCK_THEN_SIGN_OUT.format(here=HERE, data=str(data)), env,
                                wrap=unlocked).splitlines()[-1])
    assert out["persistent"] is True and out["code"] == 0
    assert out["file_left"] is False
    # Truthful: not "no longer holds your sign-in" while the key is still in the (locked) keyring.
    assert "no longer holds your sign-in" not in out["said"]
    assert "encryption key in your password store (it is locked" in out["said"]

    # The keyring unlocked again (a new session, unlocked with the password): still signed out.
    again = run_python(_STILL_SIGNED_IN.format(here=HERE, data=str(data)), env, wrap=unlocked)
    assert again.strip() == "True []"


def test_sign_out_with_the_keyring_unreachable_still_removes_the_saved_sign_in(
        tmp_path: Path, secret_store: SecretStore) -> None:
    data = tmp_path / "data-dir"
    cache, _ = open_token_cache(data, secret_store)
    sign_in(cache, "rt-before-sign-out")
    # The same keyring service, but the sign-out runs where the bus is dead (no keyring reachable).
    code = f"""
        import json
        from pathlib import Path
        from quarantine_checker import wiring
        from quarantine_checker.config import AppConfig
        from quarantine_checker.storage.keyring_facade import SecretStore
        services = wiring.build_services(AppConfig(), data_dir=Path({str(data)!r}),
                                         store=SecretStore(service={secret_store.service!r}))
        print(json.dumps(list(services.auth.sign_out().left_behind)))
    """
    dead_bus = child_env(tmp_path / "home", DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path}/no-bus",
                         QC_DATA_DIR=str(tmp_path / "other"), QC_CONFIG_DIR=str(tmp_path / "config"))
    left = json.loads(run_python(code, dead_bus).splitlines()[-1])
    assert not cache_file(data).exists()
    assert left == ["the encryption key in your password store (it didn't respond; with the saved sign-in "
                    "file gone, the key no longer unlocks anything)"]
    # Back with the keyring: nothing to restore.
    cache_again, status = open_token_cache(data, SecretStore(service=secret_store.service))
    assert status.persistent and refresh_tokens(cache_again) == set()


def test_signing_out_of_the_demo_keeps_the_real_sign_in(tmp_path: Path, secret_store: SecretStore) -> None:
    real = wiring.build_services(AppConfig(), data_dir=tmp_path, store=secret_store)
    demo = wiring.build_services(AppConfig(demo=True), data_dir=tmp_path, store=secret_store)
    assert real.cache_status.persistent and demo.cache_status.persistent
    sign_in(real.auth.token_cache, "rt-real")
    sign_in(demo.auth.token_cache, "rt-demo")

    assert demo.auth.sign_out().complete

    # A fresh start of the real app (new process: nothing held in memory) still finds the real sign-in.
    cache, status = open_token_cache(tmp_path, SecretStore(service=secret_store.service))
    assert status.persistent and refresh_tokens(cache) == {"rt-real"}


def test_notification_records_and_preferences_are_private_and_go_at_sign_out(
        tmp_path: Path, secret_store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QC_CONFIG_DIR", str(tmp_path / "config"))
    services = wiring.build_services(AppConfig(), store=secret_store)
    sign_in(services.auth.token_cache, "rt-real")
    told = RecordStore("tenant/alice@northwind.example", paths.told_record_dir(demo=False))
    from quarantine_checker.core.watch import ToldRecord

    told.save(ToldRecord())
    prefs = SettingsStore()
    settings = DesktopSettings()
    settings.mute_sender("boss@northwind.example")
    prefs.save(settings)
    for path in (told.path, prefs.path):
        assert path is not None
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700, path.parent

    assert services.auth.sign_out().complete
    assert told.path is not None and not told.path.exists()
    assert not prefs.path.exists()
    assert not cache_file(tmp_path / "data").exists()


def test_each_demo_run_takes_its_tls_key_away_with_it() -> None:
    from quarantine_checker.demo.tenant import DemoTenant

    tenant = DemoTenant(seed=False).start()
    key_dir = Path(tenant.describe()["ca_file"]).parent
    assert any(key_dir.iterdir())
    tenant.stop()
    assert not key_dir.exists()

