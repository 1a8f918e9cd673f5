"""The emulator accepts only live Exchange-audience tokens issued by the demo directory."""

from __future__ import annotations

import pytest
from demo_helpers import ALICE


def _call(tenant, token):
    s = tenant.session()
    url = f"{tenant.exchange_url}/adminapi/beta/{tenant.tenant_id}/InvokeCommand"
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return s.post(
        url,
        json={"CmdletInput": {"CmdletName": "Get-QuarantineMessage", "Parameters": {"MyItems": True}}},
        headers=headers,
        timeout=10,
    )


def _assert_401(r):
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert len(r.content) < 300


def test_good_token_is_accepted(tenant):
    assert _call(tenant, tenant.token_for(ALICE)).status_code == 200


@pytest.mark.parametrize("token", [None, "", "not-a-jwt"])
def test_missing_or_garbage_token(tenant, token):
    _assert_401(_call(tenant, token))


def test_token_for_another_audience_is_refused(tenant):
    _assert_401(_call(tenant, tenant.token_for(ALICE, audience="https://graph.microsoft.com")))


def test_expired_token_is_refused(tenant):
    _assert_401(_call(tenant, tenant.token_for(ALICE, lifetime=-60)))


def test_revoked_sessions_invalidate_earlier_tokens(tenant):
    old = tenant.token_for(ALICE)
    tenant.revoke_sessions(ALICE)
    _assert_401(_call(tenant, old))
    assert _call(tenant, tenant.token_for(ALICE)).status_code == 200


def test_token_from_another_tenant_instance_is_refused(tenant):
    from quarantine_checker.demo.tenant import DemoTenant

    with DemoTenant(seed=False, end_user_cmdlets="allowed") as other:
        _assert_401(_call(tenant, other.token_for(ALICE)))


def test_rejected_calls_are_logged_without_caller_or_token(tenant):
    token = tenant.token_for(ALICE, lifetime=-60)
    _call(tenant, token)
    rec = tenant.requests_log[-1]
    assert (rec.status, rec.caller) == (401, None)
    assert token not in repr(rec)
