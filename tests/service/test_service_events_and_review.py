"""Requests, the reviewer API and the event stream (issue item 3, 4; "done when"): the demo reviewer
approves through the reviewer API and the event reaches Alice's stream within 2 s; streams resume from
the last event id, send heartbeats, close at the token's expiry and are capped per employee."""

from __future__ import annotations

import queue
import time

from service_api import ADMIN, ALICE, BOB, RunningService, open_stream, path_id


def _held(svc: RunningService, **fields: object) -> str:
    identity = svc.tenant.add_message(ALICE, **fields)
    svc.sweep()
    return identity


def test_reviewer_approval_reaches_alices_stream_within_two_seconds(svc: RunningService) -> None:
    identity = _held(svc, QuarantineTypes="Phish", TagName="LimitedAccessWithNotificationPolicy")
    alice = svc.token(ALICE)
    item = svc.api.ok("GET", f"/v1/messages/{path_id(identity)}", alice)
    assert item["actions"] == ["delete", "preview", "request_release", "view_headers"]

    stream = open_stream(svc.api, alice)
    assert not hasattr(stream, "status_code"), stream
    stream.wait_for("ready")
    requested = svc.api.ok("POST", f"/v1/messages/{path_id(identity)}/request-release", alice,
                           json_body={"note": "It's the invoice I was expecting"})
    assert requested["status"] == "waiting_for_it"
    assert requested["request"]["note"] == "It's the invoice I was expecting"

    reviewer = svc.token(ADMIN)
    queue_ = svc.api.ok("GET", "/v1/review/requests", reviewer)["items"]
    assert [(r["message_id"], r["requester_address"], r["note"]) for r in queue_] == [
        (identity, ALICE, "It's the invoice I was expecting")]
    started = time.monotonic()
    svc.api.ok("POST", f"/v1/review/requests/{queue_[0]['request_id']}/approve", reviewer)
    event = stream.wait_for("request_approved", timeout=2.0)
    assert time.monotonic() - started < 2.0
    assert event.json()["message_id"] == identity
    stream.close()

    assert svc.api.ok("GET", "/v1/review/requests", reviewer)["items"] == []
    again = svc.api.post(f"/v1/review/requests/{queue_[0]['request_id']}/approve", reviewer)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_answered"
    released = [r.parameters for r in svc.tenant.requests_log if r.cmdlet == "Release-QuarantineMessage"
                and "User" in r.parameters and "ActionType" not in r.parameters]
    assert released == [{"Identity": identity, "User": [ALICE]}]


def test_a_declined_request_is_an_event_and_a_status(svc: RunningService) -> None:
    identity = _held(svc, QuarantineTypes="Malware", TagName="DefaultFullAccessPolicy")
    alice = svc.token(ALICE)
    svc.api.ok("POST", f"/v1/messages/{path_id(identity)}/request-release", alice)
    twice = svc.api.post(f"/v1/messages/{path_id(identity)}/request-release", alice)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_requested"
    stream = open_stream(svc.api, alice)
    stream.wait_for("ready")
    request_id = svc.api.ok("GET", "/v1/review/requests", svc.token(ADMIN))["items"][0]["request_id"]
    svc.api.ok("POST", f"/v1/review/requests/{request_id}/decline", svc.token(ADMIN))
    assert stream.wait_for("request_declined", timeout=2.0).json()["message_id"] == identity
    stream.close()
    assert svc.api.ok("GET", f"/v1/messages/{path_id(identity)}", alice)["status"] == "declined"


def test_malware_cannot_be_released_even_under_a_full_access_policy(svc: RunningService) -> None:
    identity = _held(svc, QuarantineTypes="Malware", TagName="DefaultFullAccessPolicy")
    svc.tenant.clear_log()
    resp = svc.api.post(f"/v1/messages/{path_id(identity)}/release", svc.token(ALICE))
    assert resp.status_code == 403
    assert resp.json()["error"] == {"code": "not_permitted", "params": {
        "action": "release", "status": "can_request", "basis": "hard_rule"}}
    assert [r for r in svc.tenant.requests_log if r.cmdlet == "Release-QuarantineMessage"] == []


def test_stream_resumes_from_the_last_event_id(svc: RunningService) -> None:
    alice = svc.token(ALICE)
    stream = open_stream(svc.api, alice)
    stream.wait_for("ready")
    first = svc.tenant.add_message(ALICE, Subject="one")
    svc.sweep()
    held = stream.wait_for("held")
    assert held.json()["message_id"] == first
    stream.close()

    second = svc.tenant.add_message(ALICE, Subject="two")
    third = svc.tenant.add_message(BOB, Subject="not Alice's")
    svc.sweep()
    resumed = open_stream(svc.api, alice, last_event_id=held.id)
    resumed.wait_for("ready")
    missed = resumed.wait_for("held")
    assert missed.json()["message_id"] == second and int(missed.id) > int(held.id)
    try:
        extra = resumed.next(timeout=0.5)
    except queue.Empty:
        extra = None
    assert extra is None or extra.json().get("message_id") != third
    resumed.close()


def test_stream_sends_heartbeats(start_service) -> None:
    svc = start_service(heartbeat_seconds=0.2)
    stream = open_stream(svc.api, svc.token(ALICE))
    stream.wait_for("ready")
    beat = stream.next(timeout=3.0, skip_comments=False)
    assert beat is not None and beat.comment
    stream.close()


def test_stream_closes_at_the_tokens_expiry(svc: RunningService) -> None:
    stream = open_stream(svc.api, svc.token(ALICE, lifetime=2))
    stream.wait_for("ready")
    assert stream.wait_for("token_expired", timeout=5.0).event == "token_expired"
    assert stream.next(timeout=3.0) is None  # and the server ends the stream


def test_streams_are_capped_per_employee(start_service) -> None:
    svc = start_service(max_streams_per_employee=2)
    alice = svc.token(ALICE)
    streams = [open_stream(svc.api, alice) for _ in range(2)]
    for s in streams:
        s.wait_for("ready")
    third = open_stream(svc.api, alice)
    assert third.status_code == 429 and third.json()["error"]["code"] == "too_many_streams"
    bobs = open_stream(svc.api, svc.token(BOB))  # the cap is per employee
    bobs.wait_for("ready")
    streams[0].close()
    deadline = time.monotonic() + 5
    while svc.service.streams.count(svc.api.ok("GET", "/v1/me", alice)["object_id"]) >= 2:
        assert time.monotonic() < deadline, "a closed stream did not give its place back"
        time.sleep(0.05)
    again = open_stream(svc.api, alice)
    again.wait_for("ready")
    for s in (streams[1], bobs, again):
        s.close()
