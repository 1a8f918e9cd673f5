"""The direct road fails well: "your account may not call this" is its own error, never an expired token.

Against the demo tenant in both worlds (org-service.md §1.1): in "denied" a user without an admin role
gets HTTP 401 with a JSON "User is not allowed to call …" body. No token refresh, no retry, and the
capability probe (EXOModuleFile) says the road is closed before any list call is made.
"""

from __future__ import annotations

import json

import pytest
import requests

from quarantine_checker.cli.exit_codes import ExitCode, exit_code_for
from quarantine_checker.core.errors import AuthenticationError, NoDirectAccessError
from quarantine_checker.core.messages import user_message
from quarantine_checker.exchange.direct_road import require_direct_road
from quarantine_checker.exchange.transport import _refused_call

ALICE = "alice@northwind.example"
ADMIN = "it-admin@northwind.example"
GET = "Get-QuarantineMessage"


@pytest.fixture
def denied(fresh_tenant):
    fresh_tenant.set_end_user_cmdlets("denied")
    return fresh_tenant


def test_a_refused_call_is_no_direct_access_without_refresh_or_retry(denied, make_client, list_calls):
    denied.add_message(ALICE, TagName="DefaultFullAccessPolicy")
    client, tokens = make_client(denied, ALICE)
    with pytest.raises(NoDirectAccessError) as caught:
        client.list_messages()
    assert tokens.calls == [False], "no fresh token was asked for"
    assert len(list_calls(denied)) == 1, "and the call was not repeated"
    err = caught.value
    assert not isinstance(err, AuthenticationError)
    assert err.details["status"] == 401
    assert err.details["server_message"] == "User is not allowed to call Get-QuarantineMessage"
    msg = user_message(err, action="refresh")
    assert msg.title != user_message(AuthenticationError()).title
    assert "Signing in again won't change that" in msg.text and msg.retryable is False
    assert exit_code_for(err) == ExitCode.SETUP


def test_a_refused_release_is_not_retried_either(denied, make_client):
    ident = denied.add_message(ALICE, TagName="DefaultFullAccessPolicy")
    client, tokens = make_client(denied, ALICE)
    with pytest.raises(NoDirectAccessError):
        client.release(ident)
    assert tokens.calls == [False]
    assert denied.message(ident)["ReleaseStatus"] == "NOTRELEASED"


def test_probe_says_closed_for_an_employee_and_open_for_the_admin(denied, make_client, list_calls):
    alice, _ = make_client(denied, ALICE)
    with pytest.raises(NoDirectAccessError) as caught:
        require_direct_road(alice)
    assert caught.value.details["reason"] == "cmdlets_not_exported"
    admin, _ = make_client(denied, ADMIN)
    require_direct_road(admin)  # the demo administrator keeps the cmdlets
    assert list_calls(denied) == [], "the probe asks EXOModuleFile only"


def test_probe_says_open_in_the_allowed_world(fresh_tenant, make_client):
    client, _ = make_client(fresh_tenant, ALICE)
    require_direct_road(client)


def test_probe_counts_powershell_switched_off_as_a_closed_road(fresh_tenant, make_client):
    fresh_tenant.set_exo_module_enabled(ALICE, False)
    client, _ = make_client(fresh_tenant, ALICE)
    with pytest.raises(NoDirectAccessError) as caught:
        require_direct_road(client)
    assert caught.value.details["reason"] == "module_file_refused"
    assert caught.value.details["status"] == 403


def test_an_expired_token_still_gets_one_refresh(fresh_tenant, make_client):
    fresh_tenant.inject_fault("unauthorized", count=1, cmdlet=GET)
    client, tokens = make_client(fresh_tenant, ALICE)
    client.list_messages()
    assert tokens.calls == [False, True]


def _response(status: int, body: dict, www_authenticate: str | None) -> requests.Response:
    # A hand-built reply: the demo tenant never sends a refusal *with* invalid_token, real Exchange might.
    resp = requests.Response()
    resp.status_code = status
    if www_authenticate:
        resp.headers["WWW-Authenticate"] = www_authenticate
    resp._content = json.dumps(body).encode()
    return resp


REFUSAL = {"error": {"code": "Unauthorized", "message": "User is not allowed to call Get-QuarantineMessage"}}
EXPIRED = {"error": {"code": "InvalidAuthenticationToken", "message": "The access token has expired."}}
INVALID = 'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", error="invalid_token"'


@pytest.mark.parametrize(
    ("body", "header", "token_suspect", "refused"),
    [
        (REFUSAL, None, True, True),  # the words decide: no refresh at all
        (REFUSAL, INVALID, True, False),  # the header blames the token: one refresh first…
        (REFUSAL, INVALID, False, True),  # …and the same words with a fresh token are the call's
        (EXPIRED, None, True, False),
        (EXPIRED, None, False, False),
    ],
)
def test_which_401_refuses_the_call(body, header, token_suspect, refused):
    resp = _response(401, body, header)
    assert (_refused_call(resp, resp.content, token_suspect=token_suspect) is not None) is refused
