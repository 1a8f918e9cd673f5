"""Every fault kind the demo tenant can inject is reachable, counted and filterable by cmdlet."""

from __future__ import annotations

import json
import time

import pytest
import requests
from demo_helpers import ALICE, Exo

from quarantine_checker.demo.tenant import DemoTenant


def _list(user):
    return user.invoke("Get-QuarantineMessage", {"MyItems": True})


@pytest.mark.parametrize(("retry_after", "header"), [(3, "3"), (None, None)])
def test_throttle(tenant, exo, retry_after, header):
    tenant.inject_fault("throttle", retry_after=retry_after)
    r = _list(exo(ALICE))
    assert r.status_code == 429
    assert r.headers.get("Retry-After") == header
    assert _list(exo(ALICE)).status_code == 200  # count=1: the next call is normal


def test_unavailable(tenant, exo):
    tenant.inject_fault("unavailable", retry_after=2)
    r = _list(exo(ALICE))
    assert (r.status_code, r.headers.get("Retry-After")) == (503, "2")


def test_redirect_to_port_446_with_affinity_cookie(tenant, exo):
    alice = exo(ALICE)
    tenant.inject_fault("redirect")
    r = _list(alice)
    assert r.status_code == 302
    port = tenant.exchange_url.rsplit(":", 1)[1]
    path = f"/adminapi/beta/{tenant.tenant_id}/InvokeCommand"
    assert r.headers["Location"] == f"https://localhost:446{path}"
    cookie = r.cookies.get("X-BackEndCookie")
    assert cookie
    # What a client must do: map :446 back to the real port, re-add Authorization, keep the cookie.
    body = {"CmdletInput": {"CmdletName": "Get-QuarantineMessage", "Parameters": {"MyItems": True}}}
    again = alice.session.post(
        f"https://localhost:{port}{path}",
        json=body,
        headers=alice.headers(),
        cookies={"X-BackEndCookie": cookie},
        timeout=10,
    )
    assert again.status_code == 200
    first, second = tenant.requests_log[-2:]
    assert (first.status, first.host, first.cookie_seen) == (302, f"127.0.0.1:{port}", False)
    assert (second.status, second.host, second.cookie_seen) == (200, f"localhost:{port}", True)


def test_forbidden_nul(tenant, exo):
    tenant.inject_fault("forbidden_nul")
    r = _list(exo(ALICE))
    assert r.status_code == 403
    assert r.content == b"\x00" * 4096


def test_slow(tenant, exo):
    tenant.inject_fault("slow", delay=0.3)
    started = time.monotonic()
    r = _list(exo(ALICE))
    assert r.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_malformed_json(tenant, exo):
    tenant.inject_fault("malformed_json")
    r = _list(exo(ALICE))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        json.loads(r.text)


def test_unauthorized_even_with_a_good_token(tenant, exo):
    tenant.inject_fault("unauthorized")
    r = _list(exo(ALICE))
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("kind", ["value_null", "value_missing"])
def test_value_null_or_missing(tenant, exo, kind):
    tenant.add_message(ALICE)
    tenant.inject_fault(kind)
    doc = _list(exo(ALICE)).json()
    assert doc["@adminapi.warnings"] == []
    if kind == "value_null":
        assert doc["value"] is None
    else:
        assert "value" not in doc


def test_command_not_found(tenant, exo):
    tenant.inject_fault("command_not_found")
    r = _list(exo(ALICE))
    assert r.status_code == 400
    inner = r.json()["error"]["innererror"]["internalexception"]
    assert inner["type"].endswith("CommandNotFoundException")
    assert "Get-QuarantineMessage" in inner["message"]


def test_error_shapes(tenant, exo):
    alice = exo(ALICE)
    bad = {"MyItems": True, "PageSize": 5000}
    shape1 = alice.invoke("Get-QuarantineMessage", bad).json()["error"]
    assert shape1["message"] == "Invalid Operation"
    assert shape1["details"][0]["message"].startswith("|System.Management.Automation.")
    assert "maximum allowed range" in shape1["innererror"]["internalexception"]["message"]

    tenant.inject_fault("error_shape", shape=2)
    shape2 = alice.invoke("Get-QuarantineMessage", bad).json()["error"]
    assert "innererror" not in shape2
    _, type_name, message = shape2["details"][0]["message"].split("|", 2)
    assert type_name.endswith("Exception") and "maximum allowed range" in message

    tenant.inject_fault("error_shape", shape=3)
    shape3 = alice.invoke("Get-QuarantineMessage", bad).json()["error"]
    detail = json.loads(shape3["details"][0]["message"])
    assert set(detail) == {"Message", "TypeName", "InnerError"}
    assert "maximum allowed range" in detail["Message"]

    # Used up: back to shape 1.
    assert "innererror" in alice.invoke("Get-QuarantineMessage", bad).json()["error"]


def test_error_shape_waits_for_an_error(tenant, exo):
    alice = exo(ALICE)
    tenant.inject_fault("error_shape", shape=2)
    assert _list(alice).status_code == 200  # successes don't use it up
    r = alice.invoke("Get-QuarantineMessage", {"Page": 0})
    assert "innererror" not in r.json()["error"]


def test_html_502(tenant, exo):
    tenant.inject_fault("html_502")
    r = _list(exo(ALICE))
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html")


def test_drop_connection(tenant, exo):
    tenant.inject_fault("drop_connection")
    with pytest.raises(requests.ConnectionError):
        _list(exo(ALICE))
    assert _list(exo(ALICE)).status_code == 200
    assert tenant.requests_log[-2].status == 0


def test_count_and_cmdlet_filter(tenant, exo):
    ident = tenant.add_message(ALICE)
    alice = exo(ALICE)
    tenant.inject_fault("throttle", count=2, cmdlet="Release-QuarantineMessage", retry_after=1)
    assert _list(alice).status_code == 200
    assert alice.invoke("Release-QuarantineMessage", {"Identity": ident}).status_code == 429
    assert alice.invoke("Release-QuarantineMessage", {"Identity": ident}).status_code == 429
    assert alice.invoke("Release-QuarantineMessage", {"Identity": ident}).status_code == 200


def test_faults_apply_in_order_and_can_be_cleared(tenant, exo):
    alice = exo(ALICE)
    tenant.inject_fault("unavailable")
    tenant.inject_fault("throttle")
    assert _list(alice).status_code == 503
    assert _list(alice).status_code == 429
    tenant.inject_fault("throttle", count=5)
    tenant.clear_faults()
    assert _list(alice).status_code == 200


def test_module_file_fault(tenant, exo):
    alice = exo(ALICE)
    tenant.inject_fault("forbidden_nul", cmdlet="EXOModuleFile")
    assert _list(alice).status_code == 200
    url = f"{tenant.exchange_url}/adminapi/v1.0/{tenant.tenant_id}/EXOModuleFile?Version=3.7.1"
    r = alice.session.get(url, headers=alice.headers(CommandName="*"), timeout=10)
    assert r.status_code == 403


def test_unknown_fault_kind_is_refused(tenant):
    with pytest.raises(ValueError, match="unknown fault kind"):
        tenant.inject_fault("gremlins")


def test_server_side_rate_limit():
    # one request per 5 s
    with DemoTenant(seed=False, rate_limit_per_second=0.2, end_user_cmdlets="allowed") as tenant:
        alice = Exo(tenant, ALICE)
        assert _list(alice).status_code == 200
        limited = _list(alice)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 5
        assert tenant.requests_log[-1].status == 429
