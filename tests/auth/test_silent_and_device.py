"""Silent sign-in, token refresh, revocation, device code and sign-out against the demo IdP."""

from __future__ import annotations

import threading
import time

import msal
import pytest

from quarantine_checker.core.errors import AuthenticationError, NetworkError, SignInCancelled, SignInError

ALICE = "alice@northwind.example"


def _restart(cache: msal.SerializableTokenCache) -> msal.SerializableTokenCache:
    """What a new process reads back: the serialized cache in a new cache object."""
    fresh = msal.SerializableTokenCache()
    fresh.deserialize(cache.serialize())
    return fresh


def test_restore_signs_in_silently_after_a_restart(make_session, idp):
    cache = msal.SerializableTokenCache()
    make_session(cache=cache).sign_in_interactive(timeout=20)
    idp.clear_log()

    again = make_session(cache=_restart(cache), open_browser=lambda url: pytest.fail("browser opened"))
    identity = again.restore()
    assert identity is not None and identity.upn == ALICE
    assert again.identity == identity
    assert "authorization_code" not in idp.grant_types_seen()


def test_restore_with_nobody_remembered_is_none(make_session):
    assert make_session().restore() is None


def test_expired_access_token_is_refreshed_silently(make_session, idp, directory):
    idp.access_token_lifetime = 120  # MSAL treats < 5 minutes left as expired
    auth = make_session()
    auth.sign_in_interactive(timeout=20)
    tokens = auth.token_provider()
    idp.clear_log()
    first = tokens.access_token()
    second = tokens.access_token()
    assert first != second
    assert idp.grant_types_seen() == ["refresh_token", "refresh_token"]
    assert directory.validate_access_token(second).upn == ALICE


def test_force_refresh_returns_a_new_token(make_session, idp):
    auth = make_session()
    auth.sign_in_interactive(timeout=20)
    tokens = auth.token_provider()
    cached = tokens.access_token()
    assert tokens.access_token() == cached  # served from the cache, no network
    fresh = tokens.access_token(force_refresh=True)
    assert fresh != cached


def test_revoked_refresh_token_means_interactive_again(make_session, idp, directory):
    idp.access_token_lifetime = 120
    cache = msal.SerializableTokenCache()
    auth = make_session(cache=cache)
    auth.sign_in_interactive(timeout=20)
    directory.revoke_sessions(ALICE)  # what an admin's "revoke sessions" (or a password reset) does

    with pytest.raises(AuthenticationError) as info:
        auth.token_provider().access_token()
    assert info.value.details["code"] == "invalid_grant" or info.value.details["code"].startswith("AADSTS")

    later = make_session(cache=_restart(cache))
    assert later.restore() is None
    assert later.remembered_username == ALICE  # offered as the login hint
    assert later.sign_in_interactive(timeout=20).upn == ALICE


def test_silent_refresh_blocked_by_mfa_keeps_the_code_and_correlation_id(make_session, idp):
    idp.access_token_lifetime = 120
    auth = make_session()
    auth.sign_in_interactive(timeout=20)
    idp.fail_next("invalid_grant", "AADSTS50076: you must use multi-factor authentication.",
                  suberror="basic_action")
    with pytest.raises(AuthenticationError) as info:
        auth.token_provider().access_token()
    assert info.value.details["code"] == "AADSTS50076"
    assert info.value.details["correlation_id"]


def test_device_code_sign_in(make_session, idp):
    prompts: list[tuple[str, str, str]] = []

    def on_prompt(uri: str, code: str, message: str) -> None:
        prompts.append((uri, code, message))
        threading.Timer(0.5, idp.approve_device_code, args=(code, ALICE)).start()

    identity = make_session().sign_in_device_code(on_prompt)
    assert identity.upn == ALICE
    assert prompts and prompts[0][0].startswith("https://127.0.0.1:") and prompts[0][1] in prompts[0][2]
    assert "urn:ietf:params:oauth:grant-type:device_code" in idp.grant_types_seen()


def test_device_code_can_be_cancelled(make_session):
    cancel = threading.Event()
    started = time.monotonic()
    with pytest.raises(SignInCancelled) as info:
        make_session().sign_in_device_code(lambda *a: threading.Timer(0.3, cancel.set).start(), cancel=cancel)
    assert info.value.code == "cancelled"
    assert time.monotonic() - started < 5


def test_device_code_expiry_is_a_timeout(make_session, idp):
    idp.device_code_lifetime = 1
    with pytest.raises(SignInCancelled) as info:
        make_session().sign_in_device_code(lambda *a: None)
    assert info.value.code == "timeout"


def test_sign_out_forgets_the_account_and_runs_the_storage_wipe(make_session):
    wiped: list[bool] = []
    cache = msal.SerializableTokenCache()
    auth = make_session(cache=cache, on_sign_out=lambda: wiped.append(True))
    auth.sign_in_interactive(timeout=20)
    tokens = auth.token_provider()

    auth.sign_out()
    assert wiped == [True]
    assert auth.identity is None
    assert auth.app.get_accounts() == []
    assert '"secret"' not in cache.serialize()  # no token of any kind left in the cache
    with pytest.raises(AuthenticationError):
        tokens.access_token()
    with pytest.raises(AuthenticationError):
        auth.token_provider()
    assert make_session(cache=_restart(cache)).restore() is None


def test_unreachable_sign_in_service_is_a_network_error(make_session, config):
    import socket
    from dataclasses import replace

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = replace(config, authority=f"https://127.0.0.1:{port}/{config.tenant_id}")
    with pytest.raises(NetworkError):
        make_session(config=dead).start()


def test_idp_error_on_device_code_start_is_a_sign_in_error(make_session, config):
    from dataclasses import replace

    wrong_client = replace(config, client_id="99999999-9999-4999-8999-999999999999")
    with pytest.raises(SignInError) as info:
        make_session(config=wrong_client).sign_in_device_code(lambda *a: None)
    assert info.value.code == "AADSTS700016"
