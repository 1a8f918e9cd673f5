"""The control API mirrors the Python handle over HTTPS, behind a random key."""

from __future__ import annotations

import datetime as dt

from demo_helpers import ALICE, Exo


def test_control_api_round_trip(tenant):
    s = tenant.session()
    base = tenant.control_url
    received = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat()
    r = s.post(
        f"{base}/messages",
        json={
            "recipient": ALICE,
            "Subject": "via control",
            "ReceivedTime": received,
            "TagName": "LimitedAccessWithNotificationPolicy",
        },
        timeout=10,
    )
    assert r.status_code == 200
    ident = r.json()["identity"]
    assert tenant.message(ident)["Subject"] == "via control"

    alice = Exo(tenant, ALICE)
    alice.rows("Release-QuarantineMessage", {"Identity": ident, "ActionType": "Request"})
    assert s.post(f"{base}/approve", json={"identity": ident}, timeout=10).json() == {"ok": True}
    assert alice.status(ident) == "APPROVED"
    again = s.post(f"{base}/deny", json={"identity": ident}, timeout=10)
    assert again.status_code == 409 and "already" in again.json()["error"]
    assert s.post(f"{base}/approve", json={"identity": "nope"}, timeout=10).status_code == 404

    assert s.post(f"{base}/faults", json={"kind": "throttle", "count": 1, "retry_after": 4}, timeout=10).ok
    assert s.get(f"{base}/state", timeout=10).json()["faults"] == [
        {"kind": "throttle", "count": 1, "cmdlet": None, "retry_after": 4}
    ]
    assert alice.invoke("Get-QuarantineMessage", {"MyItems": True}).headers["Retry-After"] == "4"
    s.post(f"{base}/faults", json={"kind": "throttle", "count": 3}, timeout=10)
    s.post(f"{base}/faults/clear", json={}, timeout=10)
    assert alice.invoke("Get-QuarantineMessage", {"MyItems": True}).status_code == 200

    log = s.get(f"{base}/log", timeout=10).json()
    assert [e["status"] for e in log[-2:]] == [429, 200]
    assert all(e["headers"].get("authorization", "Bearer <redacted>") == "Bearer <redacted>" for e in log)

    assert s.post(f"{base}/bulk", json={"upn": ALICE, "count": 50}, timeout=10).ok
    state = s.get(f"{base}/state", timeout=10).json()
    assert state["mailboxes"][ALICE]["total"] == 51

    token = tenant.token_for(ALICE)
    assert s.post(f"{base}/revoke", json={"upn": ALICE}, timeout=10).ok
    alice.token = token
    assert alice.invoke("Get-QuarantineMessage", {"MyItems": True}).status_code == 401

    assert s.post(f"{base}/clock/advance", json={"seconds": 3600}, timeout=10).ok
    assert tenant.clock.now() - dt.datetime.now(dt.UTC) > dt.timedelta(minutes=59)


def test_wrong_key_or_bad_input_is_refused(tenant):
    s = tenant.session()
    wrong = tenant.control_url.rsplit("/", 1)[0] + "/not-the-key"
    assert s.get(f"{wrong}/state", timeout=10).status_code == 404
    assert s.post(f"{tenant.control_url}/faults", json={"kind": "gremlins"}, timeout=10).status_code == 400
    assert s.post(f"{tenant.control_url}/messages", json={}, timeout=10).status_code == 400
    assert s.post(f"{tenant.control_url}/approve", data=b"[1]", timeout=10).status_code == 400
    assert s.get(f"{tenant.control_url}/nothing", timeout=10).status_code == 404
