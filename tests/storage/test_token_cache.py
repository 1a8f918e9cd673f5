"""The encrypted MSAL token cache on the real Secret Service: restarts, damage, sign-out, two processes."""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import msal
import pytest
from storage_helpers import child_env, run_python

from quarantine_checker.storage.encrypted_cache import KEY_ENTRY, MAGIC
from quarantine_checker.storage.keyring_facade import SecretStore
from quarantine_checker.storage.token_cache import (
    CacheStatus,
    cache_file,
    open_blob_store,
    open_token_cache,
    wipe_token_cache,
)

pytestmark = pytest.mark.keyring

RT = msal.TokenCache.CredentialType.REFRESH_TOKEN
AT = msal.TokenCache.CredentialType.ACCESS_TOKEN
TENANT = "5f2b3c4d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def sign_in(cache: msal.TokenCache, refresh_token: str, client_id: str = "client-a") -> None:
    """Put a realistic token response into the cache, the way MSAL does after a sign-in."""
    uid = "00000000-0000-0000-aaaa-000000000001"
    id_token = ".".join(
        [
            _b64({"alg": "none", "typ": "JWT"}),
            _b64({"aud": client_id, "iss": f"https://login.example/{TENANT}/v2.0", "tid": TENANT,
                  "oid": uid, "preferred_username": "alice@northwind.example", "name": "Alice"}),
            "",
        ]
    )
    cache.add(
        {
            "client_id": client_id,
            "scope": ["https://outlook.office365.com/Exchange.Manage"],
            "token_endpoint": f"https://login.example/{TENANT}/oauth2/v2.0/token",
            "environment": "login.example",
            "response": {
                "token_type": "Bearer",
                "access_token": "eyJ0eXAiOiJKV1QifQ." + secrets.token_urlsafe(300) + ".sig",
                "refresh_token": refresh_token,
                "id_token": id_token,
                "client_info": _b64({"uid": uid, "utid": TENANT}),
                "expires_in": 3600,
            },
        }
    )


def refresh_tokens(cache: msal.TokenCache) -> set[str]:
    return {item["secret"] for item in cache.search(RT)}


def test_the_sign_in_survives_a_restart_and_the_file_holds_no_token(tmp_path: Path,
                                                                     secret_store: SecretStore) -> None:
    planted = "0.ARoA-PLANTED-REFRESH-" + secrets.token_urlsafe(64)
    cache, status = open_token_cache(tmp_path, secret_store)
    assert status == CacheStatus(True, "")
    sign_in(cache, planted)

    # "Restart": new store object, new cache object, same directory.
    again, status2 = open_token_cache(tmp_path, SecretStore(service=secret_store.service))
    assert status2.persistent
    assert refresh_tokens(again) == {planted}
    assert again.search(AT), "the access token should come back too"

    raw = cache_file(tmp_path).read_bytes()
    assert raw.startswith(MAGIC)
    for needle in (planted.encode(), b"PLANTED", b"refresh_token", b'"secret"', b"alice@northwind", b"eyJ"):
        assert needle not in raw
    assert stat.S_IMODE(cache_file(tmp_path).stat().st_mode) == 0o600
    # Nothing else in the data dir holds it either (no temp files left behind).
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert planted.encode() not in path.read_bytes(), path


def test_without_the_key_the_file_is_useless_and_the_user_is_signed_out(tmp_path: Path,
                                                                       secret_store: SecretStore) -> None:
    cache, _ = open_token_cache(tmp_path, secret_store)
    sign_in(cache, "rt-before-key-loss")
    secret_store.delete(KEY_ENTRY)

    fresh, status = open_token_cache(tmp_path, SecretStore(service=secret_store.service))
    assert status.persistent
    assert refresh_tokens(fresh) == set()
    # The next sign-in replaces the unreadable file, and a later start reads it back.
    sign_in(fresh, "rt-after-key-loss")
    later, _ = open_token_cache(tmp_path, SecretStore(service=secret_store.service))
    assert refresh_tokens(later) == {"rt-after-key-loss"}


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b[:-1] + bytes([b[-1] ^ 1]),  # one bit flipped in the tag
        lambda b: b"",  # empty
        lambda b: os.urandom(4096),  # garbage
        lambda b: b'{"RefreshToken": {}}',  # someone's plaintext cache
    ],
    ids=["truncated", "bitflip", "empty", "garbage", "plaintext-json"],
)
def test_a_damaged_file_reads_as_signed_out_and_is_replaced(tmp_path: Path, secret_store: SecretStore,
                                                             damage) -> None:
    cache, _ = open_token_cache(tmp_path, secret_store)
    sign_in(cache, "rt-original")
    path = cache_file(tmp_path)
    path.write_bytes(damage(path.read_bytes()))

    reopened, status = open_token_cache(tmp_path, SecretStore(service=secret_store.service))
    assert status.persistent
    assert refresh_tokens(reopened) == set()
    sign_in(reopened, "rt-new")
    assert refresh_tokens(open_token_cache(tmp_path, secret_store)[0]) == {"rt-new"}


def test_wipe_removes_file_lock_and_key_and_other_instances_see_the_sign_out(
    tmp_path: Path, secret_store: SecretStore
) -> None:
    cache, _ = open_token_cache(tmp_path, secret_store)
    sign_in(cache, "rt-to-wipe")
    other, _ = open_token_cache(tmp_path, SecretStore(service=secret_store.service))
    assert refresh_tokens(other) == {"rt-to-wipe"}

    wipe_token_cache(tmp_path, secret_store)
    assert not cache_file(tmp_path).exists()
    assert not cache_file(tmp_path).with_name(cache_file(tmp_path).name + ".lockfile").exists()
    assert secret_store.get(KEY_ENTRY) is None
    assert refresh_tokens(other) == set(), "a second instance must not stay signed in"
    wipe_token_cache(tmp_path, secret_store)  # twice is fine


def test_a_lock_left_by_a_crashed_process_does_not_block_sign_in(tmp_path: Path,
                                                                 secret_store: SecretStore) -> None:
    cache, _ = open_token_cache(tmp_path, secret_store)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    lock = cache_file(tmp_path).with_name(cache_file(tmp_path).name + ".lockfile")
    lock.write_text(f"{dead.stdout.strip()} crashed-app")
    sign_in(cache, "rt-after-crash")
    assert refresh_tokens(open_token_cache(tmp_path, secret_store)[0]) == {"rt-after-crash"}


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path, secret_store: SecretStore) -> None:
    # App and CLI refreshing tokens at the same moment: each writer adds its own refresh tokens; with
    # the lock and reload-before-write, the file ends up with all of them.
    writer = f"""
        import sys, json
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_token_cache import sign_in
        from quarantine_checker.storage.keyring_facade import SecretStore
        from quarantine_checker.storage.token_cache import open_token_cache
        name = sys.argv[1]
        store = SecretStore(service={secret_store.service!r})
        cache, status = open_token_cache(Path({str(tmp_path)!r}), store)
        assert status.persistent, status
        for i in range(15):
            sign_in(cache, f"rt-{{name}}-{{i}}", client_id=f"{{name}}-{{i}}")
        print("done")
    """
    open_token_cache(tmp_path, secret_store)  # create the key first, as the app would at start-up
    env = child_env(tmp_path / "home", XDG_DATA_HOME=os.environ.get("XDG_DATA_HOME"))
    procs = [
        subprocess.Popen([sys.executable, "-c", _dedent(writer), name], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("app", "cli")
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-3000:]
    final, _ = open_token_cache(tmp_path, secret_store)
    expected = {f"rt-{name}-{i}" for name in ("app", "cli") for i in range(15)}
    assert refresh_tokens(final) == expected


def test_a_change_by_another_process_is_seen_even_with_a_stale_timestamp(tmp_path: Path,
                                                                        secret_store: SecretStore) -> None:
    # File timestamps are coarser than the clock: another process's write can carry an mtime older than
    # our last sync. Changes must be noticed by the file's identity, not by comparing times.
    app, _ = open_token_cache(tmp_path, secret_store)
    sign_in(app, "rt-app", client_id="app")
    cli, _ = open_token_cache(tmp_path, SecretStore(service=secret_store.service))
    sign_in(cli, "rt-cli", client_id="cli")
    os.utime(cache_file(tmp_path), (1_000_000_000, 1_000_000_000))  # 2001: "older" than any sync
    assert refresh_tokens(app) == {"rt-app", "rt-cli"}


def test_the_blob_store_is_encrypted_and_shares_the_key(tmp_path: Path, secret_store: SecretStore) -> None:
    blobs = open_blob_store(tmp_path, secret_store, "notified")
    assert blobs.read() is None
    blobs.write(b"message-identity-PLANTED-1")
    assert b"PLANTED" not in blobs.path.read_bytes()
    assert stat.S_IMODE(blobs.path.stat().st_mode) == 0o600
    grown = blobs.update(lambda old: (old or b"") + b"\nmessage-identity-2")
    assert open_blob_store(tmp_path, SecretStore(service=secret_store.service), "notified").read() == grown

    # A blob can't be passed off as the token cache (different purpose in the associated data).
    cache_file(tmp_path).write_bytes(blobs.path.read_bytes())
    assert refresh_tokens(open_token_cache(tmp_path, secret_store)[0]) == set()

    # Signing out deletes the shared key, so the record becomes unreadable (reads as nothing).
    wipe_token_cache(tmp_path, secret_store)
    assert open_blob_store(tmp_path, SecretStore(service=secret_store.service), "notified").read() is None


def test_with_no_keyring_msal_works_in_memory_and_nothing_is_written(tmp_path: Path) -> None:
    # The whole flow in a process with no keyring at all: MSAL still works for this run, nothing on disk.
    data = tmp_path / "data"
    out = run_python(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from pathlib import Path
        from test_token_cache import sign_in, refresh_tokens
        from quarantine_checker.storage.keyring_facade import SecretStore
        from quarantine_checker.storage.token_cache import open_token_cache
        cache, status = open_token_cache(Path({str(data)!r}), SecretStore())
        sign_in(cache, "rt-memory")
        print(status.persistent, sorted(refresh_tokens(cache)))
        """,
        child_env(tmp_path / "home", DBUS_SESSION_BUS_ADDRESS=None, PYTHON_KEYRING_BACKEND=None),
    )
    assert out.strip() == "False ['rt-memory']"
    assert not data.exists()


def _dedent(code: str) -> str:
    import textwrap

    return textwrap.dedent(code)
