"""Every fault the demo tenant can inject ends in a successful retry or a typed error."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta

import pytest

from quarantine_checker.core.errors import (
    AuthenticationError,
    MalformedResponseError,
    MessageNotFoundError,
    NetworkError,
    NotAllowedError,
    QuarantineCheckerError,
    ServiceError,
    ThrottledError,
)
from quarantine_checker.exchange.client import can_use_quarantine

ALICE = "alice@northwind.example"

GET = "Get-QuarantineMessage"
RELEASE = "Release-QuarantineMessage"
OK = None


def _own(tenant, **fields):
    return tenant.add_message(ALICE, Subject="Invoice", SenderAddress="billing@contoso.example",
                              QuarantineTypes="Spam", TagName="DefaultFullAccessPolicy",
                              ReceivedTime=datetime.now(UTC) - timedelta(hours=1), **fields)


# (fault kind, fault params, expected outcome of a list call: OK or the typed error)
LIST_CASES = [
    ("throttle", {"retry_after": 0.0}, OK),
    ("throttle", {"retry_after": None}, OK),
    ("unavailable", {"retry_after": 1.0}, OK),
    ("unavailable", {"retry_after": None}, OK),
    ("redirect", {}, OK),
    ("forbidden_nul", {}, NotAllowedError),
    ("slow", {"delay": 1.5}, OK),                   # read timeout 0.5 s, then a retry of the read
    ("malformed_json", {}, MalformedResponseError),
    ("unauthorized", {}, OK),                       # one fresh token fixes it
    ("value_null", {}, OK),
    ("value_missing", {}, OK),
    ("command_not_found", {}, OK),                  # retried once
    ("html_502", {}, OK),                           # a read is retried
    ("drop_connection", {}, OK),                    # a read is retried
]


@pytest.mark.parametrize(("kind", "params", "expected"), LIST_CASES, ids=[c[0] + str(i) for i, c in
                                                                           enumerate(LIST_CASES)])
def test_list_call_survives_or_names_the_fault(tenant, make_client, kind, params, expected):
    _own(tenant)
    client, _ = make_client(tenant, ALICE, read_timeout=0.5)
    tenant.inject_fault(kind, count=1, cmdlet=GET, **params)
    if expected is OK:
        result = client.list_messages()
        if kind in ("value_null", "value_missing"):
            assert result.messages == []   # "nothing" (spec §5.4), not a crash
        else:
            assert result.messages, f"{kind}: the retry should have returned the list"
    else:
        with pytest.raises(expected) as info:
            client.list_messages()
        details = info.value.details
        assert details["cmdlet"] == GET and details["status"] in (200, 403)
        assert details["client_request_id"]
        assert not any("Bearer" in str(v) or "eyJ" in str(v) for v in details.values()), "no token in details"


# A Release is not repeated blindly: a fault after which the server may have acted surfaces.
RELEASE_CASES = [
    ("throttle", {"retry_after": 0.0}, OK),                # 429 came before processing: safe to retry
    ("unavailable", {"retry_after": 0.0}, OK),
    ("unauthorized", {}, OK),
    ("redirect", {}, OK),
    ("command_not_found", {}, OK),
    ("forbidden_nul", {}, NotAllowedError),
    ("html_502", {}, ServiceError),
    ("drop_connection", {}, NetworkError),
    ("slow", {"delay": 1.5}, NetworkError),
    ("malformed_json", {}, MalformedResponseError),
]


@pytest.mark.parametrize(("kind", "params", "expected"), RELEASE_CASES,
                         ids=[c[0] for c in RELEASE_CASES])
def test_release_retries_only_when_the_server_cannot_have_acted(tenant, make_client, kind, params, expected):
    identity = _own(tenant)
    client, _ = make_client(tenant, ALICE, read_timeout=0.5)
    tenant.inject_fault(kind, count=1, cmdlet=RELEASE, **params)
    if expected is OK:
        client.release(identity)
        assert tenant.message(identity)["ReleaseStatus"] in ("PREPARINGTORELEASE", "RELEASED")
    else:
        with pytest.raises(expected):
            client.release(identity)
    if expected in (NetworkError, ServiceError, MalformedResponseError, NotAllowedError):
        assert client.transport.requests_sent == 1, "a Release that may have been processed is not sent again"
    if kind == "slow":
        # The server did act after the client gave up: exactly why a blind retry would be wrong.
        deadline = time.monotonic() + 5
        while tenant.message(identity)["ReleaseStatus"] == "NOTRELEASED" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert tenant.message(identity)["ReleaseStatus"] in ("PREPARINGTORELEASE", "RELEASED")


@pytest.mark.parametrize("shape", [1, 2, 3])
def test_each_error_envelope_shape_gives_the_same_typed_error(tenant, make_client, shape):
    client, _ = make_client(tenant, ALICE)
    tenant.inject_fault("error_shape", count=1, shape=shape)
    unknown = "11111111-2222-3333-4444-555555555555\\66666666-7777-8888-9999-000000000000"
    with pytest.raises(MessageNotFoundError) as info:
        client.release(unknown)
    assert info.value.server_message
    assert "Invalid Operation" not in info.value.server_message


def test_a_429_storm_ends_in_throttled_after_n_attempts_honouring_retry_after(
        tenant, make_client, sleep, list_calls):
    from quarantine_checker.exchange.retry import RetryPolicy

    client, _ = make_client(tenant, ALICE, retry=RetryPolicy(max_attempts=4))
    tenant.inject_fault("throttle", count=50, cmdlet=GET, retry_after=2.5)
    with pytest.raises(ThrottledError) as info:
        client.list_messages()
    assert len(list_calls(tenant)) == 4
    assert sleep.waits == [2.5, 2.5, 2.5]
    assert info.value.retry_after == 2.5
    assert info.value.details["status"] == 429


def test_without_retry_after_the_back_off_grows(tenant, make_client, sleep):
    from quarantine_checker.exchange.retry import RetryPolicy

    client, _ = make_client(tenant, ALICE, retry=RetryPolicy(max_attempts=4, base_delay=1.0, rng=lambda: 1.0))
    tenant.inject_fault("unavailable", count=50, cmdlet=GET, retry_after=None)
    with pytest.raises(ThrottledError):
        client.list_messages()
    assert sleep.waits == [1.0, 2.0, 4.0]


def test_a_retry_after_beyond_the_cap_is_reported_not_slept(tenant, make_client, sleep):
    from quarantine_checker.exchange.retry import RetryPolicy

    client, _ = make_client(tenant, ALICE, retry=RetryPolicy(retry_after_cap=60))
    tenant.inject_fault("throttle", count=5, cmdlet=GET, retry_after=3600)
    with pytest.raises(ThrottledError) as info:
        client.list_messages()
    assert info.value.retry_after == 3600 and sleep.waits == []


def test_401_asks_for_a_fresh_token_once(tenant, make_client):
    client, tokens = make_client(tenant, ALICE)
    tenant.inject_fault("unauthorized", count=1, cmdlet=GET)
    client.list_messages()
    assert tokens.calls[:2] == [False, True]


def test_a_second_401_means_sign_in_again(tenant, make_client, list_calls):
    client, tokens = make_client(tenant, ALICE)
    tenant.inject_fault("unauthorized", count=5, cmdlet=GET)
    with pytest.raises(AuthenticationError):
        client.list_messages()
    assert tokens.calls == [False, True]
    assert len(list_calls(tenant)) == 2


def test_revoked_session_is_an_authentication_error(make_client):
    from quarantine_checker.demo.tenant import DemoTenant

    with DemoTenant(seed=True, end_user_cmdlets="allowed") as t:
        client, _ = make_client(t, ALICE)

        class Stale:
            """A provider whose refresh returns a token that was revoked too."""

            def __init__(self) -> None:
                self.token = t.token_for(ALICE)

            def access_token(self, *, force_refresh: bool = False) -> str:
                return self.token

        client.transport._tokens = Stale()
        t.revoke_sessions(ALICE)
        with pytest.raises(AuthenticationError):
            client.list_messages()


def test_redirect_to_446_is_followed_with_the_token_and_the_host_is_pinned(tenant, make_client):
    client, _ = make_client(tenant, ALICE)
    port = tenant.exchange_url.rsplit(":", 1)[1]
    tenant.inject_fault("redirect", count=1, cmdlet=GET)

    client.list_messages()
    client.capabilities()          # a later call of this client: goes straight to the pinned host

    log = tenant.requests_log
    assert log[0].status in (301, 302, 307, 308)
    assert log[1].host == f"localhost:{port}", "followed, with :446 mapped back to the original port"
    assert log[1].headers["authorization"].startswith("Bearer"), "Authorization re-added"
    assert log[1].cookie_seen, "the affinity cookie from the redirect was sent"
    assert log[1].status == 200
    later = log[-1]
    assert later.path.endswith("EXOModuleFile") or "EXOModuleFile" in later.path
    assert later.host == f"localhost:{port}" and later.cookie_seen
    assert client.transport.origin == f"https://localhost:{port}"


def test_capabilities_list_the_quarantine_cmdlets(tenant, make_client):
    client, _ = make_client(tenant, ALICE)
    caps = client.capabilities()
    assert "Get-QuarantineMessage" in caps and "Release-QuarantineMessage" in caps
    assert can_use_quarantine(caps)
    assert not can_use_quarantine({"Get-Mailbox"})
    rec = tenant.requests_log[-1]
    assert rec.method == "GET" and rec.headers.get("commandname") == "*"
    assert "Version=3.7.1" in rec.path or rec.parameters.get("Version") == "3.7.1"


def test_nothing_unexpected_escapes_as_a_non_typed_error(tenant, make_client):
    """Any fault kind, on any call: the caller only ever sees our typed errors."""
    identity = _own(tenant)
    client, _ = make_client(tenant, ALICE, read_timeout=0.5)
    for kind, params, _ in LIST_CASES:
        tenant.inject_fault(kind, count=1, **params)
        for call in (client.list_messages, lambda: client.headers(identity)):
            with contextlib.suppress(QuarantineCheckerError):
                call()
        tenant.clear_faults()
