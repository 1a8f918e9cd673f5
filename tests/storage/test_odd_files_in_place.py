"""Something other than our own file where the token cache or its lock should be: never a hang or crash.

A FIFO or /dev/zero would block (or fill memory) on read, a folder raised IsADirectoryError into MSAL,
a link made the lock land on (and truncate) another file. Each case runs in a child process with a
deadline and a memory cap, so a regression fails the test instead of hanging the suite. Real keyring.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from storage_helpers import run_python
from test_token_cache import refresh_tokens

from quarantine_checker.storage.keyring_facade import SecretStore
from quarantine_checker.storage.token_cache import cache_file, open_token_cache

pytestmark = pytest.mark.keyring
HERE = str(Path(__file__).parent)

_OPEN_AND_SIGN_IN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # /dev/zero must not eat the machine
sys.path.insert(0, {here!r})
from pathlib import Path
from test_token_cache import sign_in, refresh_tokens
from quarantine_checker.storage.keyring_facade import SecretStore
from quarantine_checker.storage.token_cache import open_token_cache
cache, status = open_token_cache(Path({data!r}), SecretStore(service={service!r}))
print("before", sorted(refresh_tokens(cache)))
sign_in(cache, "rt-new")
print("after", sorted(refresh_tokens(cache)))
"""


def _open_and_sign_in(data: Path, store: SecretStore) -> str:
    code = _OPEN_AND_SIGN_IN.format(here=HERE, data=str(data), service=store.service)
    return run_python(code, dict(os.environ), timeout=30)


@pytest.mark.parametrize("odd", ["fifo", "dev-zero-link", "folder"])
def test_an_odd_thing_at_the_cache_path_reads_as_signed_out_and_sign_in_still_works(
        tmp_path: Path, secret_store: SecretStore, odd: str) -> None:
    open_token_cache(tmp_path, secret_store)  # the key exists, as after an earlier run
    path = cache_file(tmp_path)
    if odd == "fifo":
        os.mkfifo(path)
    elif odd == "dev-zero-link":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    out = _open_and_sign_in(tmp_path, secret_store)
    assert "before []" in out and "after ['rt-new']" in out
    if odd != "folder":  # the first save replaced the odd thing with our own file
        assert path.is_file() and not path.is_symlink()


def test_a_linked_lock_file_neither_blocks_sign_in_nor_touches_the_file_it_points_at(
        tmp_path: Path, secret_store: SecretStore) -> None:
    data = tmp_path / "data"
    open_token_cache(data, secret_store)
    victim = tmp_path / "notes.txt"
    victim.write_text("someone's own notes\n")
    lock = cache_file(data).with_name(cache_file(data).name + ".lockfile")
    lock.symlink_to(victim)
    out = _open_and_sign_in(data, secret_store)
    assert "after ['rt-new']" in out
    assert victim.read_text() == "someone's own notes\n"
    # And it lasts: a new start finds the sign-in.
    cache, _ = open_token_cache(data, SecretStore(service=secret_store.service))
    assert refresh_tokens(cache) == {"rt-new"}


def test_a_dangling_lock_link_does_not_break_sign_in(tmp_path: Path, secret_store: SecretStore) -> None:
    open_token_cache(tmp_path, secret_store)
    lock = cache_file(tmp_path).with_name(cache_file(tmp_path).name + ".lockfile")
    lock.symlink_to(tmp_path / "gone" / "nowhere")
    assert "after ['rt-new']" in _open_and_sign_in(tmp_path, secret_store)


