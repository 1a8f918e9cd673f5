"""The sweep (issue item 3, 5): watermark and overlap, answers given in the portal seen within one
sweep, late holds found by the reconciliation, a failed page survived and resumed from the watermark,
and Exchange faults turned into typed API errors after bounded retries."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from service_api import ALICE, RunningService, open_stream, path_id

from quarantine_checker.exchange.retry import RetryPolicy
from quarantine_service.store.models import Message

GET = "Get-QuarantineMessage"


def _list_calls(svc: RunningService) -> list[dict]:
    log = svc.tenant.requests_log
    return [r.parameters for r in log if r.cmdlet == GET and "Identity" not in r.parameters]


def _ids(svc: RunningService) -> set[str]:
    return {i["id"] for i in svc.api.ok("GET", "/v1/messages", svc.token(ALICE))["items"]}


def test_one_tenant_wide_listing_per_sweep_from_the_watermark(svc: RunningService) -> None:
    first = svc.tenant.add_message(ALICE)
    svc.sweep()
    svc.tenant.clear_log()
    second = svc.tenant.add_message(ALICE)
    svc.sweep()
    calls = _list_calls(svc)
    assert len(calls) == 1  # one page of new mail: one call, however many employees there are
    assert "MyItems" not in calls[0] and "RecipientAddress" not in calls[0]
    sent = next(r for r in svc.tenant.requests_log if r.cmdlet == GET)
    headers = {k.lower(): v for k, v in sent.headers.items()}
    assert sent.caller.startswith("app:")  # app-only, with the app-only routing hint
    assert headers["x-anchormailbox"] == svc.tenant.service_app_config()["anchor_mailbox"]
    received = svc.tenant.message(first)["ReceivedTime"]
    assert calls[0]["StartReceivedDate"] < received[:19]  # watermark minus the overlap
    assert _ids(svc) == {first, second}


def test_an_approval_given_in_the_portal_is_seen_within_one_sweep(svc: RunningService) -> None:
    identity = svc.tenant.add_message(ALICE, QuarantineTypes="Phish",
                                      TagName="LimitedAccessWithNotificationPolicy")
    svc.sweep()
    alice = svc.token(ALICE)
    svc.api.ok("POST", f"/v1/messages/{path_id(identity)}/request-release", alice)
    stream = open_stream(svc.api, alice)
    stream.wait_for("ready")
    svc.tenant.approve(identity)  # IT answers in the Defender portal, not through the service
    svc.sweep()
    assert stream.wait_for("request_approved", timeout=2.0).json()["message_id"] == identity
    stream.close()
    status = svc.api.ok("GET", f"/v1/messages/{path_id(identity)}", alice)["status"]
    assert status in ("released", "releasing")


def test_a_received_time_in_the_future_does_not_push_the_watermark_past_now(svc: RunningService) -> None:
    ahead = (datetime.now(UTC) + timedelta(minutes=50)).isoformat()  # inside the window's 1 h slack
    svc.tenant.add_message(ALICE, ReceivedTime=ahead)  # a sender's or a server's clock running ahead
    svc.sweep()
    normal = svc.tenant.add_message(ALICE)
    svc.sweep()  # not a reconciliation: the watermark alone decides what this sweep reads
    assert normal in _ids(svc)


def test_a_late_hold_is_found_by_the_reconciliation(svc: RunningService) -> None:
    svc.tenant.add_message(ALICE)
    svc.sweep()  # sets the watermark
    late = svc.tenant.add_late_hold(ALICE, hours_late=3)  # received 3 h ago, quarantined just now
    svc.sweep()
    assert late not in _ids(svc)  # 3 h is far outside the watermark's overlap
    stream = open_stream(svc.api, svc.token(ALICE))
    stream.wait_for("ready")
    result = svc.sweep(reconcile=True)
    assert result.new == 1
    assert stream.wait_for("held").json()["message_id"] == late
    stream.close()
    assert late in _ids(svc)


def test_the_reconciliation_is_due_by_its_own_interval(start_service) -> None:
    svc = start_service(reconcile_interval_seconds=0.1)
    svc.sweep()
    late = svc.tenant.add_late_hold(ALICE, hours_late=5)
    time.sleep(0.15)  # the interval under test, a tenth of a second
    result = svc.service.sweeper.run_once()
    assert result.reconciled and late in _ids(svc)


def test_expired_and_deleted_messages_leave_the_list_but_stay_on_record(svc: RunningService) -> None:
    identity = svc.tenant.add_message(ALICE)
    svc.sweep()
    stream = open_stream(svc.api, svc.token(ALICE))
    stream.wait_for("ready")
    svc.tenant.clock.advance(31 * 86400)  # past Expires: Exchange no longer lists it
    svc.sweep(reconcile=True)
    assert stream.wait_for("gone").json()["message_id"] == identity
    stream.close()
    assert identity not in _ids(svc)
    with svc.service.db.session() as s:
        row = s.get(Message, identity)
        assert row is not None and row.gone_at is not None  # IT's record keeps it


def test_a_failed_page_leaves_the_watermark_and_the_next_sweep_resumes(svc: RunningService) -> None:
    svc.tenant.add_message(ALICE)
    svc.sweep()
    svc.tenant.clear_log()
    svc.sweep()
    start = _list_calls(svc)[0]["StartReceivedDate"]
    newer = svc.tenant.add_message(ALICE)
    svc.tenant.inject_fault("malformed_json", cmdlet=GET)
    failed = svc.service.sweeper.run_once()
    assert not failed.ok and failed.error == "MalformedResponseError"
    svc.tenant.clear_log()
    svc.sweep()
    assert _list_calls(svc)[0]["StartReceivedDate"] == start  # resumed from the same watermark
    assert newer in _ids(svc)


def test_throttling_is_retried_within_bounds_then_a_typed_error(svc: RunningService) -> None:
    identity = svc.tenant.add_message(ALICE)
    svc.sweep()
    alice = svc.token(ALICE)
    svc.tenant.inject_fault("throttle", count=50, cmdlet="Release-QuarantineMessage", retry_after=0)
    resp = svc.api.post(f"/v1/messages/{path_id(identity)}/release", alice)
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "exchange_busy" and "Retry-After" in resp.headers
    tries = [r for r in svc.tenant.requests_log if r.cmdlet == "Release-QuarantineMessage"]
    assert 1 < len(tries) <= 4
    svc.tenant.clear_faults()
    # Nothing was released, so the claim was given back: the employee can simply try again.
    assert svc.api.ok("POST", f"/v1/messages/{path_id(identity)}/release", alice)["status"] == "releasing"


def test_an_unreachable_exchange_is_a_typed_error_not_a_crash(svc: RunningService) -> None:
    # The back-off between retries is the transport's, tested in tests/exchange; here only its outcome.
    svc.service.exchange.transport.retry = RetryPolicy(base_delay=0.01, max_delay=0.05)
    identity = svc.tenant.add_message(ALICE, Body="Hello Alice")
    svc.sweep()
    alice = svc.token(ALICE)
    svc.api.ok("GET", "/v1/me", alice)
    svc.tenant.inject_fault("html_502", count=10, cmdlet="Preview-QuarantineMessage")
    resp = svc.api.get(f"/v1/messages/{path_id(identity)}/details", alice)
    assert resp.status_code == 200  # the message itself comes from the store, the headers still work
    body = resp.json()
    assert body["message"]["id"] == identity and "Subject:" in body["headers"]
    assert body["preview"] is None and body["unavailable"] == {"preview": "exchange_failed"}
    svc.tenant.clear_faults()
    preview = svc.api.ok("GET", f"/v1/messages/{path_id(identity)}/details", alice)["preview"]
    assert preview["body"] == "Hello Alice"

    svc.tenant.inject_fault("html_502", count=10)  # now Exchange fails for everything
    svc.service.directory.cache_seconds = 0  # who Alice is must be asked again
    resp = svc.api.get("/v1/messages", alice)
    assert resp.status_code == 502 and resp.json()["error"]["code"] == "exchange_failed"


def test_the_reconciliation_sees_microsoft_release_and_an_admin_delete(svc: RunningService) -> None:
    """Changes made in Exchange by others (Microsoft's own release after a service issue, an admin's
    delete in the portal) reach the employee at the next reconciliation. The demo store is changed
    directly, as those parties would change Exchange."""
    released = svc.tenant.add_message(ALICE)
    deleted = svc.tenant.add_message(ALICE)
    svc.sweep()
    stream = open_stream(svc.api, svc.token(ALICE))
    stream.wait_for("ready")
    store = svc.tenant.store
    store.update(store.get(released), SystemReleased=True, Released=True, ReleaseStatus="RELEASED")
    store.delete_for(store.get(deleted), None)
    svc.sweep(reconcile=True)
    events: dict[str, str] = {}
    while len(events) < 2:
        event = stream.next(timeout=5.0)
        assert event is not None
        if event.event != "ready":
            events[event.json()["message_id"]] = event.event
    assert events == {released: "system_released", deleted: "gone"}
    stream.close()
    items = {i["id"]: i["status"] for i in svc.api.ok("GET", "/v1/messages", svc.token(ALICE))["items"]}
    assert items == {released: "released"}


def test_the_sweep_pages_with_page_and_pagesize(svc: RunningService) -> None:
    svc.service.sweeper.page_size = 2  # 5 messages: pages of 2, 2 and 1
    ids = {svc.tenant.add_message(ALICE, Subject=f"n{n}") for n in range(5)}
    svc.tenant.clear_log()
    result = svc.sweep()
    assert result.pages == 3 and result.new == 5
    assert [(c["Page"], c["PageSize"]) for c in _list_calls(svc)] == [(1, 2), (2, 2), (3, 2)]
    assert _ids(svc) == ids


def test_a_release_exchange_reports_failed_can_be_tried_again(svc: RunningService) -> None:
    """The demo has no control for a failed release, so the test makes Exchange's record say ERROR
    itself, as Exchange would after a failed delivery."""
    store = svc.tenant.store
    store.release_delay = 60  # the release stays "preparing" until the test says otherwise
    identity = svc.tenant.add_message(ALICE)
    svc.sweep()
    alice = svc.token(ALICE)
    svc.api.ok("POST", f"/v1/messages/{path_id(identity)}/release", alice)
    svc.sweep()
    assert svc.api.ok("GET", f"/v1/messages/{path_id(identity)}", alice)["status"] == "releasing"
    stream = open_stream(svc.api, alice)
    stream.wait_for("ready")
    rec = store.get(identity)
    with store.lock:
        store._pending.discard(rec)  # the emulator's release timer: this release is not going to finish
        rec.release_started = None
    store.update(rec, ReleaseStatus="ERROR")
    svc.sweep()
    assert stream.wait_for("release_failed").json()["message_id"] == identity
    stream.close()
    item = svc.api.ok("GET", f"/v1/messages/{path_id(identity)}", alice)
    assert item["status"] == "failed" and "release" in item["actions"]
    svc.tenant.clear_log()
    store.release_delay = 0
    assert svc.api.ok("POST", f"/v1/messages/{path_id(identity)}/release", alice)["status"] == "releasing"
    assert [r.cmdlet for r in svc.tenant.requests_log if r.cmdlet == "Release-QuarantineMessage"] == [
        "Release-QuarantineMessage"]


def test_a_decline_given_in_the_portal_is_seen_within_one_sweep(svc: RunningService) -> None:
    identity = svc.tenant.add_message(ALICE, QuarantineTypes="HighConfPhish",
                                      TagName="DefaultFullAccessPolicy")
    svc.sweep()
    alice = svc.token(ALICE)
    svc.api.ok("POST", f"/v1/messages/{path_id(identity)}/request-release", alice)
    stream = open_stream(svc.api, alice)
    stream.wait_for("ready")
    svc.tenant.deny(identity)  # IT says no in the Defender portal
    svc.sweep()
    assert stream.wait_for("request_declined", timeout=2.0).json()["message_id"] == identity
    stream.close()
    assert svc.api.ok("GET", f"/v1/messages/{path_id(identity)}", alice)["status"] == "declined"
    assert svc.api.ok("GET", "/v1/review/requests", svc.token("it-admin@northwind.example"))["items"] == []
