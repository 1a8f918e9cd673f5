"""The issue's "done when", end to end: ``quarantine-checker demo-server`` (a subprocess) prints
``service_url``; with Alice's token, got through real msal (device code, approved on the demo IdP's
device page), the service lists exactly Alice's mail and releases/requests as the policy allows; the
demo's "IT approves" control goes through the reviewer API and the event reaches Alice's stream within
2 s; without a token /v1/me answers 401."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import msal
import pytest
import requests
from service_api import ALICE, BOB, SHARED, Api, open_stream, path_id


@pytest.fixture(scope="module")
def demo() -> Iterator[dict[str, Any]]:
    proc = subprocess.Popen([sys.executable, "-m", "quarantine_checker", "demo-server", "--no-seed",
                             "--release-delay", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _session(info: dict[str, Any]) -> requests.Session:
    s = requests.Session()
    s.verify, s.trust_env = info["ca_file"], False
    return s


def _token(info: dict[str, Any], upn: str) -> str:
    """A token for the service's API, the way the desktop app will get one: msal, the user signing in."""
    app = msal.PublicClientApplication(info["client_id"], authority=info["authority"],
                                       http_client=_session(info), instance_discovery=False)
    flow = app.initiate_device_flow(scopes=[info["service_app"]["api_scope"]])
    page = _session(info).get(flow["verification_uri"], params={"user_code": flow["user_code"], "upn": upn},
                              timeout=10)
    assert page.status_code == 200, page.text
    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result
    return str(result["access_token"])


def _control(info: dict[str, Any], op: str, body: dict[str, Any] | None = None) -> Any:
    resp = _session(info).post(f"{info['control_url']}/{op}", json=body or {}, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_demo_server_runs_the_service_end_to_end(demo: dict[str, Any]) -> None:
    assert demo["service_url"].startswith("https://127.0.0.1:")
    api = Api(demo["service_url"], demo["ca_file"])
    assert api.get("/v1/me").status_code == 401
    assert api.get("/v1/openapi.json").json()["info"]["title"]

    spam = _control(demo, "messages", {"recipient": ALICE, "Subject": "Spam for Alice"})["identity"]
    phish = _control(demo, "messages", {"recipient": ALICE, "QuarantineTypes": "Phish",
                                        "TagName": "LimitedAccessWithNotificationPolicy"})["identity"]
    _control(demo, "messages", {"recipient": BOB})
    _control(demo, "messages", {"recipient": SHARED})
    alice, admin = _token(demo, ALICE), _token(demo, "it-admin@northwind.example")
    assert api.ok("POST", "/v1/review/sweep", admin, json_body={})["ok"]  # rather than wait 5 s

    listing = api.ok("GET", "/v1/messages", alice)["items"]
    assert {i["id"] for i in listing} == {spam, phish}
    by_id = {i["id"]: i for i in listing}
    assert "release" in by_id[spam]["actions"] and "request_release" not in by_id[spam]["actions"]
    assert "request_release" in by_id[phish]["actions"] and "release" not in by_id[phish]["actions"]
    assert api.ok("POST", f"/v1/messages/{path_id(spam)}/release", alice)["status"] == "releasing"
    assert api.post(f"/v1/messages/{path_id(phish)}/release", alice).status_code == 403

    stream = open_stream(api, alice)
    stream.wait_for("ready")
    api.ok("POST", f"/v1/messages/{path_id(phish)}/request-release", alice, json_body={"note": "mine"})
    started = time.monotonic()
    _control(demo, "approve", {"identity": phish})  # the demo's "IT approves": the reviewer API
    event = stream.wait_for("request_approved", timeout=2.0)
    assert event.json()["message_id"] == phish and time.monotonic() - started < 2.0
    stream.close()
    assert api.ok("GET", "/v1/review/requests", admin)["items"] == []
    log = _session(demo).get(f"{demo['control_url']}/log", timeout=10).json()
    approvals = [r["parameters"] for r in log if r["cmdlet"] == "Release-QuarantineMessage"
                 and r["parameters"].get("Identity") == phish and "ActionType" not in r["parameters"]]
    assert approvals == [{"Identity": phish, "User": [ALICE]}]  # released to Alice only, by the service
