"""Identity and ownership, the service's most important tests (issue item 4): Alice never sees or acts on
Bob's, the shared mailbox's or the administrator's mail, whatever ids, headers or bodies she sends, and
the administrator through the service sees only his own mail too. What reaches Exchange is checked in
the emulator's own request log: the only User/RecipientAddress ever sent is the caller's own address."""

from __future__ import annotations

import threading

import pytest
from service_api import ADMIN, ALICE, ALICE_ALIAS, BOB, SHARED, RunningService, path_id

ACTING = {"Release-QuarantineMessage", "Delete-QuarantineMessage", "Preview-QuarantineMessage",
          "Get-QuarantineMessageHeader"}


@pytest.fixture
def mail(svc: RunningService) -> dict[str, str]:
    t = svc.tenant
    ids = {
        "alice": t.add_message(ALICE, Subject="for Alice"),
        "alice_alias": t.add_message(ALICE_ALIAS, Subject="to Alice's alias"),
        "bob": t.add_message(BOB, Subject="for Bob"),
        "shared": t.add_message(SHARED, Subject="for the shared mailbox"),
        "admin": t.add_message(ADMIN, Subject="for the admin"),
        "both": t.add_message([ALICE, BOB], Subject="for Alice and Bob"),
    }
    svc.sweep()
    return ids


def _ids(svc: RunningService, upn: str) -> set[str]:
    return {item["id"] for item in svc.api.ok("GET", "/v1/messages", svc.token(upn))["items"]}


def _acting_calls(svc: RunningService) -> list[tuple[str, dict]]:
    return [(r.cmdlet, r.parameters) for r in svc.tenant.requests_log if r.cmdlet in ACTING]


def test_each_person_lists_exactly_their_own_mail(svc: RunningService, mail: dict[str, str]) -> None:
    assert _ids(svc, ALICE) == {mail["alice"], mail["alice_alias"], mail["both"]}
    assert _ids(svc, BOB) == {mail["bob"], mail["both"]}
    # The administrator sees the whole tenant in Exchange, but through the service only his own mail.
    assert _ids(svc, ADMIN) == {mail["admin"]}


def test_addresses_come_from_the_directory_not_from_claims(svc: RunningService) -> None:
    me = svc.api.ok("GET", "/v1/me", svc.token(ALICE))
    assert me["primary_address"] == ALICE
    assert set(me["addresses"]) == {ALICE, ALICE_ALIAS}
    assert SHARED not in me["addresses"]  # Full Access to a shared mailbox is not "own" mail


@pytest.mark.parametrize("whose", ["bob", "shared", "admin"])
def test_alice_cannot_read_or_act_on_anyone_elses_message(svc: RunningService, mail: dict[str, str],
                                                          whose: str) -> None:
    token = svc.token(ALICE)
    target = path_id(mail[whose])
    svc.tenant.clear_log()
    tricks = {"User": [ALICE], "RecipientAddress": [ALICE], "recipient": ALICE, "Identity": mail[whose],
              "object_id": "anything", "note": "please"}
    headers = {"X-AnchorMailbox": f"UPN:{ALICE}", "X-User": ALICE, "X-MS-Client-Principal-Name": ALICE}
    calls = [
        ("GET", f"/v1/messages/{target}"),
        ("GET", f"/v1/messages/{target}/details"),
        ("POST", f"/v1/messages/{target}/release"),
        ("POST", f"/v1/messages/{target}/request-release"),
        ("DELETE", f"/v1/messages/{target}"),
    ]
    for method, path in calls:
        resp = svc.api.call(method, path, token, json_body=tricks, headers=headers)
        assert resp.status_code in (400, 404), (method, path, resp.status_code)
        resp = svc.api.call(method, path, token)
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "message_not_found"
    assert _acting_calls(svc) == []  # nothing about that message ever reached Exchange
    assert svc.tenant.message(mail[whose])["ReleaseStatus"] == "NOTRELEASED"


def test_release_of_a_shared_message_goes_to_alice_only(svc: RunningService, mail: dict[str, str]) -> None:
    svc.tenant.clear_log()
    item = svc.api.ok("POST", f"/v1/messages/{path_id(mail['both'])}/release", svc.token(ALICE))
    assert item["status"] == "releasing"
    releases = [p for c, p in _acting_calls(svc) if c == "Release-QuarantineMessage"]
    assert releases == [{"Identity": mail["both"], "User": [ALICE]}]
    svc.sweep()  # the sweep re-reads the open release
    after = svc.api.ok("GET", f"/v1/messages/{path_id(mail['both'])}", svc.token(ALICE))
    assert after["status"] == "released"
    # Bob's copy is untouched: a release to Alice is not a release to Bob.
    bob_view = svc.api.ok("GET", f"/v1/messages/{path_id(mail['both'])}", svc.token(BOB))
    assert bob_view["status"] == "can_release"


def test_release_to_an_alias_names_the_address_exchange_holds(svc: RunningService,
                                                              mail: dict[str, str]) -> None:
    svc.tenant.clear_log()
    svc.api.ok("POST", f"/v1/messages/{path_id(mail['alice_alias'])}/release", svc.token(ALICE))
    releases = [p for c, p in _acting_calls(svc) if c == "Release-QuarantineMessage"]
    assert releases == [{"Identity": mail["alice_alias"], "User": [ALICE]}]  # RecipientAddress is primary


def test_a_double_clicked_release_sends_one_release(svc: RunningService, mail: dict[str, str]) -> None:
    token = svc.token(ALICE)
    svc.tenant.clear_log()
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def click() -> None:
        barrier.wait()
        statuses.append(svc.api.post(f"/v1/messages/{path_id(mail['alice'])}/release", token).status_code)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses) == [200, 409, 409, 409]
    assert [c for c, _p in _acting_calls(svc)] == ["Release-QuarantineMessage"]


def test_delete_removes_the_message_for_alice_only(svc: RunningService, mail: dict[str, str]) -> None:
    svc.tenant.clear_log()
    resp = svc.api.delete(f"/v1/messages/{path_id(mail['both'])}", svc.token(ALICE))
    assert resp.status_code == 204
    assert _acting_calls(svc) == [("Delete-QuarantineMessage",
                                   {"Identity": mail["both"], "RecipientAddress": [ALICE]})]
    assert mail["both"] not in _ids(svc, ALICE)
    assert mail["both"] in _ids(svc, BOB)
