"""The release lifecycle (spec §4.4) and its "already ..." errors, with the clock moved by hand."""

from __future__ import annotations

import pytest
from demo_helpers import ADMIN, ALICE, BOB, RELEASE_DELAY


def _request(user, ident):
    return user.invoke(
        "Release-QuarantineMessage", {"Identities": [ident], "Identity": ident, "ActionType": "Request"}
    )


def test_direct_release_prepares_then_releases_after_the_delay(tenant, exo):
    ident = tenant.add_message(ALICE, QuarantineTypes="Spam")
    alice = exo(ALICE)
    assert alice.rows("Release-QuarantineMessage", {"Identity": ident, "ReportFalsePositive": True}) == []
    assert alice.status(ident) == "PREPARINGTORELEASE"
    tenant.clock.advance(RELEASE_DELAY + 1)
    row = alice.rows("Get-QuarantineMessage", {"Identity": ident})[0]
    assert (row["ReleaseStatus"], row["Released"], row["ReleasedCount"], row["Reported"]) == (
        "RELEASED",
        True,
        1,
        True,
    )
    assert row["ReleasedUser"] == [ALICE]
    assert (
        "already" in (msg := alice.error("Release-QuarantineMessage", {"Identity": ident}))
        and "released" in msg
    )


def test_release_while_preparing_is_already_released(tenant, exo):
    ident = tenant.add_message(ALICE)
    alice = exo(ALICE)
    alice.rows("Release-QuarantineMessage", {"Identity": ident})
    msg = alice.error("Release-QuarantineMessage", {"Identity": ident})
    assert "already been released" in msg


def test_request_then_it_approves(tenant, exo):
    ident = tenant.add_message(ALICE, TagName="LimitedAccessWithNotificationPolicy")
    alice = exo(ALICE)
    assert _request(alice, ident).status_code == 200
    assert alice.status(ident) == "REQUESTED"
    msg = alice.error(
        "Release-QuarantineMessage", {"Identities": [ident], "Identity": "000", "ActionType": "Request"}
    )
    assert "release request" in msg.lower() and "already" in msg
    tenant.approve(ident)
    assert alice.status(ident) == "APPROVED"
    tenant.clock.advance(RELEASE_DELAY * 0.6)
    assert alice.status(ident) == "PREPARINGTORELEASE"
    tenant.clock.advance(RELEASE_DELAY)
    assert alice.status(ident) == "RELEASED"
    assert tenant.message(ident)["ApprovalUPN"] == ADMIN


def test_request_then_it_denies(tenant, exo):
    ident = tenant.add_message(ALICE, TagName="LimitedAccessWithNotificationPolicy")
    alice = exo(ALICE)
    _request(alice, ident)
    tenant.deny(ident)
    assert alice.status(ident) == "DENIED"
    msg = alice.error(
        "Release-QuarantineMessage", {"Identities": [ident], "Identity": ident, "ActionType": "Request"}
    )
    assert "already" in msg and "denied" in msg
    with pytest.raises(Exception, match="already"):
        tenant.deny(ident)


def test_admin_approves_and_denies_through_the_cmdlet(tenant, exo):
    a = tenant.add_message(ALICE, TagName="LimitedAccessWithNotificationPolicy")
    b = tenant.add_message(ALICE, TagName="LimitedAccessWithNotificationPolicy")
    alice, admin = exo(ALICE), exo(ADMIN)
    _request(alice, a)
    _request(alice, b)
    admin.rows("Release-QuarantineMessage", {"Identities": [a], "Identity": "000", "ActionType": "Release"})
    admin.rows("Release-QuarantineMessage", {"Identities": [b], "Identity": "000", "ActionType": "Deny"})
    assert alice.status(a) == "APPROVED"
    assert alice.status(b) == "DENIED"
    assert "already" in admin.error(
        "Release-QuarantineMessage", {"Identities": [b], "Identity": "000", "ActionType": "Deny"}
    )


def test_end_user_cannot_deny_or_release_to_others(tenant, exo):
    ident = tenant.add_message(ALICE)
    alice = exo(ALICE)
    assert "not authorized" in alice.error(
        "Release-QuarantineMessage", {"Identities": [ident], "Identity": "000", "ActionType": "Deny"}
    )
    assert "not authorized" in alice.error(
        "Release-QuarantineMessage", {"Identity": ident, "ReleaseToAll": True}
    )
    assert "not authorized" in alice.error("Release-QuarantineMessage", {"Identity": ident, "User": [BOB]})
    assert alice.status(ident) == "NOTRELEASED"


@pytest.mark.parametrize("qtype", ["Malware", "HighConfPhish", "FileTypeBlock"])
def test_dangerous_types_can_only_be_requested_by_end_users(tenant, exo, qtype):
    ident = tenant.add_message(ALICE, QuarantineTypes=qtype, TagName="DefaultFullAccessPolicy")
    alice = exo(ALICE)
    row = alice.rows("Get-QuarantineMessage", {"Identity": ident})[0]
    assert (row["PermissionToRelease"], row["PermissionToRequestRelease"]) == (False, True)
    assert "not authorized" in alice.error("Release-QuarantineMessage", {"Identity": ident})
    assert _request(alice, ident).status_code == 200
    assert alice.status(ident) == "REQUESTED"


def test_forced_permissions_show_release_but_the_service_still_refuses(tenant, exo):
    # The other reading of spec §9.4: output claims PermissionToRelease on malware.
    ident = tenant.add_message(
        ALICE,
        QuarantineTypes="Malware",
        TagName="DefaultFullAccessPolicy",
        _force_permissions={"PermissionToRelease": True, "PermissionToRequestRelease": False},
    )
    alice = exo(ALICE)
    assert alice.rows("Get-QuarantineMessage", {"Identity": ident})[0]["PermissionToRelease"] is True
    assert "not authorized" in alice.error("Release-QuarantineMessage", {"Identity": ident})
    assert _request(alice, ident).status_code == 200


def test_limited_policy_user_cannot_release_directly(tenant, exo):
    ident = tenant.add_message(ALICE, TagName="LimitedAccessWithNotificationPolicy")
    assert "not authorized" in exo(ALICE).error("Release-QuarantineMessage", {"Identity": ident})


def test_no_access_policy_allows_headers_only(tenant, exo):
    ident = tenant.add_message(ALICE, TagName="NoAccessWithNotificationPolicy", Header="X-Test: 1\r\n")
    alice = exo(ALICE)
    assert "not authorized" in alice.error("Release-QuarantineMessage", {"Identity": ident})
    assert "not authorized" in alice.error("Preview-QuarantineMessage", {"Identity": ident})
    assert "not authorized" in alice.error("Delete-QuarantineMessage", {"Identity": ident})
    assert alice.rows("Get-QuarantineMessageHeader", {"Identity": ident}) == [
        {"Identity": ident, "Header": "X-Test: 1\r\n"}
    ]


def test_request_by_identity_and_action_type_alone_is_accepted(tenant, exo):
    ident = tenant.add_message(ALICE, TagName="LimitedAccessWithNotificationPolicy")
    alice = exo(ALICE)
    alice.rows("Release-QuarantineMessage", {"Identity": ident, "ActionType": "Request"})
    assert alice.status(ident) == "REQUESTED"


def test_approve_outside_a_request_is_refused(tenant):
    ident = tenant.add_message(ALICE)
    with pytest.raises(Exception, match="no release request"):
        tenant.approve(ident)


def test_invalid_identity_and_unknown_identity_errors(tenant, exo):
    alice = exo(ALICE)
    assert "Please input a valid message identity" in alice.error(
        "Release-QuarantineMessage", {"Identity": "nope"}
    )
    unknown = "00000000-0000-4000-8000-000000000000\\00000000-0000-4000-8000-000000000001"
    assert "Cannot find an object with identity" in alice.error(
        "Release-QuarantineMessage", {"Identity": unknown}
    )


def test_allow_sender_is_accepted_with_release(tenant, exo):
    ident = tenant.add_message(ALICE, SenderAddress="friend@partner.example")
    exo(ALICE).rows("Release-QuarantineMessage", {"Identity": ident, "AllowSender": True})
    assert "friend@partner.example" in tenant.store.allowed_senders[ALICE]


def test_concurrent_releases_release_exactly_once(tenant, exo):
    from concurrent.futures import ThreadPoolExecutor

    ident = tenant.add_message(ALICE)
    users = [exo(ALICE) for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(
            pool.map(lambda u: u.invoke("Release-QuarantineMessage", {"Identity": ident}).status_code, users)
        )
    assert sorted(codes) == [200, 400, 400, 400, 400, 400]
