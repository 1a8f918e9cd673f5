"""SecretStore against the real Secret Service, and against every way a keyring can be unusable."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from storage_helpers import child_env, run_python

from quarantine_checker.core.errors import SecureStorageUnavailable
from quarantine_checker.storage.keyring_facade import (
    MAX_SECRET_BYTES,
    MSG_LOCKED,
    MSG_MISSING,
    SecretStore,
)

# Child script: try the facade and the token cache, print what a caller would see, as JSON.
PROBE = """
import json, os, sys
from pathlib import Path
from quarantine_checker.core.errors import SecureStorageUnavailable
from quarantine_checker.storage.keyring_facade import SecretStore
from quarantine_checker.storage.token_cache import open_token_cache
out = {}
store = SecretStore(service="quarantine-checker-probe")
status = store.self_test()
out["status"] = [status.available, status.backend, status.reason]
try:
    store.get("anything")
    out["get"] = "ok"
except SecureStorageUnavailable as exc:
    out["get"] = [str(exc), exc.details.get("kind")]
data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(os.environ["QC_DATA_DIR"])
cache, cstatus = open_token_cache(data, store)
cache.add({"client_id": "c", "scope": ["s"], "token_endpoint": "https://login.example/t/oauth2/v2.0/token",
           "environment": "login.example",
           "response": {"access_token": "AT", "refresh_token": "RT-SECRET-PROBE", "expires_in": 3600}})
out["cache"] = [type(cache).__name__, cstatus.persistent, cstatus.message]
out["files"] = sorted(str(p.relative_to(data)) for p in data.rglob("*")) if data.exists() else []
print(json.dumps(out))
"""


def _probe(tmp_path: Path, wrap: list[str] | None = None, **env: str | None) -> dict:
    data = tmp_path / "data-dir"
    env.setdefault("PYTHON_KEYRING_BACKEND", None)  # the developer's own choice must not leak in
    out = run_python(PROBE, child_env(tmp_path / "home", QC_DATA_DIR=str(data), **env), wrap=wrap)
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.keyring
def test_round_trip_through_the_real_secret_service(secret_store: SecretStore) -> None:
    value = secrets.token_urlsafe(48)
    assert secret_store.get("probe") is None
    secret_store.set("probe", value)
    assert secret_store.get("probe") == value
    # A second object (as after a restart) sees the same secret.
    assert SecretStore(service=secret_store.service).get("probe") == value
    secret_store.delete("probe")
    assert secret_store.get("probe") is None
    secret_store.delete("probe")  # deleting what isn't there is not an error


@pytest.mark.keyring
def test_self_test_reports_the_pinned_backend(secret_store: SecretStore) -> None:
    status = secret_store.self_test()
    assert status.available and status.reason == ""
    assert status.backend == "keyring.backends.SecretService.Keyring"
    # The probe doesn't linger: nothing of ours is left under the service name.
    import secretstorage

    with secretstorage.dbus_init() as conn:
        items = secretstorage.get_default_collection(conn).search_items({"service": secret_store.service})
        assert list(items) == []


def test_values_bigger_than_one_kilobyte_are_refused_before_reaching_the_keyring() -> None:
    # Windows Credential Manager fails at 2560 bytes with a useless error; we stop well before that.
    store = SecretStore(service="never-used", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    with pytest.raises(ValueError, match="keyring"):
        store.set("big", "x" * (MAX_SECRET_BYTES + 1))
    with pytest.raises(ValueError):
        store.set("big", "é" * (MAX_SECRET_BYTES // 2 + 1))  # the limit is bytes, not characters


def test_no_session_bus_means_memory_only_and_no_file_anywhere(tmp_path: Path) -> None:
    out = _probe(tmp_path, DBUS_SESSION_BUS_ADDRESS=None)
    assert out["status"] == [False, "keyring.backends.SecretService.Keyring", MSG_MISSING]
    assert out["get"] == [MSG_MISSING, "missing"]
    assert out["cache"] == [
        "SerializableTokenCache",
        False,
        "Your computer has no working password store, so you'll need to sign in again next time "
        "Quarantine Checker starts.",
    ]
    assert out["files"] == []
    assert not (tmp_path / "data-dir").exists()


def test_the_fail_backend_is_refused_with_a_plain_reason(tmp_path: Path) -> None:
    out = _probe(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    assert out["status"][0] is False
    assert "no password store" in out["status"][2]
    assert out["get"][1] == "refused"
    assert out["cache"][:2] == ["SerializableTokenCache", False]
    assert out["files"] == []


def test_the_null_backend_is_refused(tmp_path: Path) -> None:
    out = _probe(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    assert out["status"][0] is False and out["get"][1] == "refused"
    assert out["cache"][:2] == ["SerializableTokenCache", False]


def test_a_plaintext_keyring_is_refused_and_never_written(tmp_path: Path) -> None:
    # keyrings.alt isn't installed here, so a stand-in with the same dotted name plays its part:
    # a real keyring backend that writes passwords to a plain text file.
    pkg = tmp_path / "site" / "keyrings" / "alt"
    pkg.mkdir(parents=True)
    store_file = tmp_path / "plaintext-passwords.txt"
    (pkg / "file.py").write_text(
        "from keyring.backend import KeyringBackend\n"
        "class PlaintextKeyring(KeyringBackend):\n"
        "    priority = 0.5\n"
        f"    path = {str(store_file)!r}\n"
        "    def set_password(self, s, u, p):\n"
        "        open(self.path, 'a').write(f'{s} {u} {p}\\n')\n"
        "    def get_password(self, s, u):\n"
        "        return None\n"
        "    def delete_password(self, s, u):\n"
        "        pass\n"
    )
    out = _probe(
        tmp_path,
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
        PYTHONPATH=str(tmp_path / "site"),
    )
    assert out["status"][0] is False
    assert "plain text" in out["status"][2]
    assert out["get"][1] == "refused"
    assert out["cache"][:2] == ["SerializableTokenCache", False]
    assert not store_file.exists()


def test_an_unknown_backend_name_is_missing_storage_not_a_crash() -> None:
    store = SecretStore(env={"PYTHON_KEYRING_BACKEND": "no.such.module.Keyring"})
    with pytest.raises(SecureStorageUnavailable) as err:
        store.get("x")
    assert err.value.details["kind"] == "missing"
    assert not store.self_test().available


def test_a_backend_that_prompts_on_a_missing_terminal_maps_to_missing() -> None:
    # keyrings.alt's EncryptedKeyring asks for a master password on stdin and raises EOFError without a
    # terminal. It isn't installed here, so this stand-in raises exactly that.
    from keyring.backend import KeyringBackend

    class PromptingKeyring(KeyringBackend):
        priority = 0.6  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            raise EOFError

        def set_password(self, service: str, username: str, password: str) -> None:
            raise EOFError

        def delete_password(self, service: str, username: str) -> None:
            raise EOFError

    store = SecretStore(backend=PromptingKeyring())
    with pytest.raises(SecureStorageUnavailable) as err:
        store.set("k", "v")
    assert str(err.value) == MSG_MISSING and err.value.details["error"] == "EOFError"


@pytest.mark.keyring
def test_a_fresh_keyring_that_cannot_prompt_is_reported_locked(tmp_path: Path, keyring_daemon: str) -> None:
    # gnome-keyring started but never unlocked, with no display for its prompt: "Prompt dismissed".
    wrap = ["dbus-run-session", "--", "sh", "-c",
            f'{keyring_daemon} --start --components=secrets >/dev/null 2>&1; exec "$@"', "sh"]
    out = _probe(tmp_path, wrap=wrap)
    assert out["status"][0] is False and out["status"][2] == MSG_LOCKED
    assert out["get"] == [MSG_LOCKED, "locked"]
    assert out["cache"] == [
        "SerializableTokenCache",
        False,
        "Your computer's password store is locked, so you'll need to sign in again next time "
        "Quarantine Checker starts.",
    ]
    assert out["files"] == []


@pytest.mark.keyring
def test_an_existing_locked_login_keyring_is_reported_locked(tmp_path: Path, keyring_daemon: str) -> None:
    # First session creates and unlocks the login keyring; the second starts it without the password.
    start = f'printf pw | {keyring_daemon} --unlock --components=secrets >/dev/null 2>&1; exec "$@"'
    unlocked = ["dbus-run-session", "--", "sh", "-c", start, "sh"]
    first = _probe(tmp_path, wrap=unlocked)
    assert first["cache"][:2] == ["_RecoveringTokenCache", True]
    assert (tmp_path / "home" / "data" / "keyrings" / "login.keyring").exists()

    locked = ["dbus-run-session", "--", "sh", "-c",
              f'{keyring_daemon} --start --components=secrets >/dev/null 2>&1; exec "$@"', "sh"]
    out = _probe(tmp_path, wrap=locked)
    assert out["status"][2] == MSG_LOCKED
    assert out["get"] == [MSG_LOCKED, "locked"]
    assert out["cache"][1] is False


class _VanishingOnce:
    """The real Secret Service backend, except that the first read answers as secretstorage does when the
    item found by the search was replaced or deleted by another process a moment before it was read.
    That race (app and CLI starting together) happens for real about once in twenty concurrent starts
    here; it is forced here so that the test is about the facade's answer, not about the timing."""

    def __init__(self, real: object, times: int) -> None:
        self._real, self._times = real, times

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)

    def get_password(self, service: str, username: str) -> str | None:
        if self._times:
            self._times -= 1
            from secretstorage.exceptions import ItemNotFoundException

            raise ItemNotFoundException("Item does not exist!")
        return self._real.get_password(service, username)


@pytest.mark.keyring
def test_an_item_gone_for_a_moment_is_read_again_not_a_broken_keyring(secret_store: SecretStore) -> None:
    value = secrets.token_urlsafe(48)
    secret_store.set("raced", value)
    real = secret_store._call("load", lambda backend: backend)
    raced = SecretStore(secret_store.service, backend=_VanishingOnce(real, times=1))  # type: ignore[arg-type]
    assert raced.get("raced") == value
    # Gone twice in a row is not a race: the keyring is reported as unusable, never read as "no secret".
    gone = SecretStore(secret_store.service, backend=_VanishingOnce(real, times=2))  # type: ignore[arg-type]
    with pytest.raises(SecureStorageUnavailable):
        gone.get("raced")
