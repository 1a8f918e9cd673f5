"""The listing and its changes cursor: the cheap "what changed since" poll for apps that cannot hold an
event stream (org-service.md §2.5)."""

from __future__ import annotations

from service_api import ALICE, BOB, RunningService, path_id


def test_changes_since_the_cursor_are_only_what_changed(svc: RunningService) -> None:
    alice = svc.token(ALICE)
    first = svc.tenant.add_message(ALICE)
    gone = svc.tenant.add_message(ALICE)
    svc.sweep()
    listing = svc.api.ok("GET", "/v1/messages", alice)
    assert {i["id"] for i in listing["items"]} == {first, gone}
    cursor = listing["cursor"]
    assert svc.api.ok("GET", f"/v1/messages?cursor={cursor}", alice)["items"] == []

    second = svc.tenant.add_message(ALICE)
    svc.tenant.add_message(BOB)
    svc.sweep()
    svc.api.ok("POST", f"/v1/messages/{path_id(first)}/release", alice)
    assert svc.api.delete(f"/v1/messages/{path_id(gone)}", alice).status_code == 204
    changes = svc.api.ok("GET", f"/v1/messages?cursor={cursor}", alice)
    assert {i["id"]: i["status"] for i in changes["items"]} == {second: "can_release", first: "releasing"}
    assert changes["removed"] == [gone]
    assert int(changes["cursor"]) > int(cursor)
    assert svc.api.ok("GET", f"/v1/messages?cursor={changes['cursor']}", alice)["items"] == []


def test_a_malformed_cursor_is_a_coded_error(svc: RunningService) -> None:
    resp = svc.api.get("/v1/messages?cursor=yesterday", svc.token(ALICE))
    assert resp.status_code == 400
    assert resp.json() == {"error": {"code": "invalid_request", "params": {"fields": ["cursor"]}}}
