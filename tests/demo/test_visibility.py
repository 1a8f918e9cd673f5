"""Who sees which quarantined message: MyItems isolation, admins, shared mailboxes, policies."""

from __future__ import annotations

import datetime as dt

from demo_helpers import ADMIN, ALICE, BOB, SHARED


def _populate(tenant):
    ids = {
        "alice": tenant.add_message(ALICE, Subject="alice spam", QuarantineTypes="Spam"),
        "alice_alias": tenant.add_message("a.moreau@northwind.example", Subject="to alias"),
        "bob": tenant.add_message(BOB, Subject="bob spam"),
        "admin": tenant.add_message(ADMIN, Subject="admin spam"),
        "shared": tenant.add_message(SHARED, Subject="invoice", TagName="DefaultFullAccessPolicy"),
        "alice_adminonly": tenant.add_message(ALICE, Subject="malware", QuarantineTypes="Malware"),
        "alice_rule": tenant.add_message(
            ALICE, QuarantineTypes="TransportRule", TagName="DefaultFullAccessPolicy"
        ),
        "alice_noaccess": tenant.add_message(ALICE, TagName="NoAccessWithNotificationPolicy"),
        "both": tenant.add_message([ALICE, BOB], Subject="to both"),
    }
    return ids


def test_my_items_shows_each_employee_only_their_own_visible_mail(tenant, exo):
    ids = _populate(tenant)
    alice = set(exo(ALICE).ids(MyItems=True))
    assert alice == {ids["alice"], ids["alice_alias"], ids["alice_noaccess"], ids["both"]}
    bob = set(exo(BOB).ids(MyItems=True))
    assert bob == {ids["bob"], ids["both"]}


def test_alias_recipient_resolves_to_primary_address(tenant, exo):
    ident = tenant.add_message("A.Moreau@northwind.example")
    row = exo(ALICE).rows("Get-QuarantineMessage", {"Identity": ident})[0]
    assert row["RecipientAddress"] == [ALICE]


def test_without_my_items_employee_also_sees_full_access_shared_mailbox(tenant, exo):
    ids = _populate(tenant)
    assert ids["shared"] in exo(ALICE).ids()
    assert ids["shared"] not in exo(ALICE).ids(MyItems=True)
    assert ids["shared"] not in exo(BOB).ids()


def test_admin_without_my_items_sees_whole_tenant_but_with_my_items_only_own(tenant, exo):
    ids = _populate(tenant)
    admin = exo(ADMIN)
    assert set(admin.ids()) == set(ids.values())
    assert admin.ids(MyItems=True) == [ids["admin"]]


def test_end_users_never_see_admin_only_policies_or_rule_quarantines(tenant, exo):
    ids = _populate(tenant)
    alice = exo(ALICE)
    for hidden in ("alice_adminonly", "alice_rule"):
        assert ids[hidden] not in alice.ids()
        assert "Cannot find an object with identity" in alice.error(
            "Get-QuarantineMessage", {"Identity": ids[hidden]}
        )


def test_another_users_message_is_not_found_by_identity(tenant, exo):
    ids = _populate(tenant)
    assert "Cannot find an object with identity" in exo(BOB).error(
        "Get-QuarantineMessage", {"Identity": ids["alice"]}
    )
    assert "Cannot find an object with identity" in exo(BOB).error(
        "Release-QuarantineMessage", {"Identity": ids["alice"]}
    )


def test_identity_lookup_returns_recipient_details(tenant, exo):
    ids = _populate(tenant)
    row = exo(ALICE).rows("Get-QuarantineMessage", {"Identity": ids["both"]})[0]
    assert row["RecipientAddress"] == [ALICE, BOB]
    assert row["QuarantinedUser"] == [ALICE, BOB]
    assert row["ReleasedUser"] == []
    listed = next(r for r in exo(ALICE).mine() if r["Identity"] == ids["both"])
    assert listed["QuarantinedUser"] == []


def test_null_identity_returns_everything_the_caller_can_see(tenant, exo, caplog):
    ids = _populate(tenant)
    assert set(exo(ADMIN).ids(Identity=None)) == set(ids.values())
    assert "THE WHOLE TENANT" in caplog.text
    alice_all = set(exo(ALICE).ids(Identity=None))
    assert ids["bob"] not in alice_all and ids["alice_adminonly"] not in alice_all
    assert ids["shared"] in alice_all


def test_expired_messages_are_not_listed_and_not_found(tenant, exo):
    now = tenant.clock.now()
    old = tenant.add_message(
        ALICE, ReceivedTime=now - dt.timedelta(days=3), Expires=now + dt.timedelta(hours=1)
    )
    alice = exo(ALICE)
    assert alice.ids(MyItems=True) == [old]
    tenant.clock.advance(2 * 3600)
    assert alice.ids(MyItems=True) == []
    assert "Cannot find an object with identity" in alice.error("Get-QuarantineMessage", {"Identity": old})
    assert "has expired" in alice.error("Release-QuarantineMessage", {"Identity": old})


def test_results_are_newest_first(tenant, exo):
    now = tenant.clock.now()
    for hours in (5, 1, 30, 2):
        tenant.add_message(ALICE, Subject=f"{hours}h", ReceivedTime=now - dt.timedelta(hours=hours))
    assert [r["Subject"] for r in exo(ALICE).mine()] == ["1h", "2h", "5h", "30h"]


def test_delete_removes_only_the_callers_copy(tenant, exo):
    ident = tenant.add_message([ALICE, BOB])
    assert exo(ALICE).rows("Delete-QuarantineMessage", {"Identity": ident}) == []
    assert ident not in exo(ALICE).ids(MyItems=True)
    assert ident in exo(BOB).ids(MyItems=True)
    assert tenant.message(ident)["DeletedForRecipients"] == [ALICE]


def test_shared_mailbox_message_released_by_delegate_is_released_for_the_mailbox(tenant, exo):
    ident = tenant.add_message(SHARED, TagName="DefaultFullAccessPolicy")
    exo(ALICE).rows("Release-QuarantineMessage", {"Identity": ident})
    assert tenant.message(ident)["ReleasedUser"] == [SHARED]
