"""Listing: only my own mail, the right headers and parameters, paging and its cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quarantine_checker.core.model import EntityType

ALICE = "alice@northwind.example"
BOB = "bob@northwind.example"
ADMIN = "it-admin@northwind.example"
SHARED = "accounts@northwind.example"

RECENT = datetime.now(UTC) - timedelta(hours=2)


def _full_access(**fields):
    return {"Subject": "Weekly report", "SenderAddress": "news@contoso.example", "QuarantineTypes": "Spam",
            "TagName": "DefaultFullAccessPolicy", "ReceivedTime": RECENT, **fields}


def test_alice_sees_exactly_her_own_mail(tenant, make_client, identity_for):
    mine = tenant.add_message(ALICE, **_full_access())
    to_alias = tenant.add_message(f"a.moreau@{tenant.directory.domain}", **_full_access())
    to_bob = tenant.add_message(BOB, **_full_access())
    to_shared = tenant.add_message(SHARED, **_full_access())   # alice has Full Access, but MyItems
    client, _ = make_client(tenant, ALICE)

    result = client.list_messages()

    ids = {m.identity for m in result.messages}
    assert mine in ids and to_alias in ids
    assert to_bob not in ids and to_shared not in ids
    alice = identity_for(tenant, ALICE)
    assert all(any(alice.owns(a) for a in m.recipient_address) for m in result.messages)
    stored_for_alice = {r["Identity"] for r in tenant.messages_for(ALICE)}
    assert ids <= stored_for_alice
    assert result.dropped_not_mine == 0 and not result.truncated
    assert all(m.entity_type is EntityType.EMAIL for m in result.messages)
    times = [m.received_time for m in result.messages]
    assert times == sorted(times, reverse=True), "newest first"


def test_the_admin_gets_only_the_admins_own_mail(tenant, make_client, identity_for):
    own = tenant.add_message(ADMIN, **_full_access())
    alices = tenant.add_message(ALICE, **_full_access())
    client, _ = make_client(tenant, ADMIN)

    ids = {m.identity for m in client.list_messages().messages}

    assert own in ids and alices not in ids
    admin = identity_for(tenant, ADMIN)
    assert ids <= {r["Identity"] for r in tenant.messages_for(ADMIN)}
    assert all(any(admin.owns(a) for a in tenant.message(i)["RecipientAddress"]) for i in ids)


def test_every_list_call_is_scoped_to_my_items_with_the_documented_headers(tenant, make_client, list_calls):
    client, _ = make_client(tenant, ALICE)
    now = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    client.list_messages(now=datetime.now(UTC))
    client.list_messages(now=now)
    calls = list_calls(tenant)
    assert len(calls) >= 2
    for rec in calls:
        p = rec.parameters
        assert p["MyItems"] is True
        assert 1 <= p["PageSize"] <= 1000 and p["Page"] >= 1
        assert not {"EntityType", "IncludeMessagesFromBlockedSenderAddress", "RecipientAddress",
                    "ReleaseToAll", "User"} & set(p)
        h = rec.headers
        assert h["x-anchormailbox"] == f"UPN:{ALICE}"
        assert h["prefer"] == "odata.maxpagesize=1000"
        assert h["x-responseformat"] == "json"
        assert h["accept"] == "application/json"
        assert h["content-type"].startswith("application/json")
        assert h["x-clientapplication"].startswith("QuarantineChecker/")
        assert h["authorization"].startswith("Bearer")
        assert h.get("user-agent", "").startswith("QuarantineChecker/")
    last = calls[-1].parameters
    assert last["EndReceivedDate"] == "2026-11-27T09:30:00Z"
    assert last["StartReceivedDate"] == "2026-10-28T09:30:00Z"   # 30 days, not the default 16
    request_ids = [r.headers["client-request-id"] for r in tenant.requests_log]
    assert len(set(request_ids)) == len(request_ids), "a fresh client-request-id per request"


def test_pages_until_a_short_page(fresh_tenant, make_client, list_calls):
    fresh_tenant.bulk_load(ALICE, 2500)
    client, _ = make_client(fresh_tenant, ALICE, page_size=1000)

    result = client.list_messages()

    assert len(result.messages) == 2500
    assert len({m.identity for m in result.messages}) == 2500
    assert result.pages == 3 and not result.truncated
    assert [r.parameters["Page"] for r in list_calls(fresh_tenant)] == [1, 2, 3]
    assert {r.parameters["PageSize"] for r in list_calls(fresh_tenant)} == {1000}


def test_an_exactly_full_last_page_needs_one_empty_page_to_know_it_is_the_end(fresh_tenant, make_client):
    fresh_tenant.bulk_load(ALICE, 200)
    client, _ = make_client(fresh_tenant, ALICE, page_size=100)
    result = client.list_messages()
    assert len(result.messages) == 200 and result.pages == 3 and not result.truncated


def test_the_page_cap_stops_paging_and_says_the_list_is_truncated(fresh_tenant, make_client, list_calls):
    fresh_tenant.bulk_load(ALICE, 1000)
    client, _ = make_client(fresh_tenant, ALICE, page_size=100, max_pages=3)

    result = client.list_messages()

    assert result.truncated
    assert result.pages == 3 and len(list_calls(fresh_tenant)) == 3
    assert len(result.messages) == 300


def test_mail_the_service_returns_for_someone_else_is_dropped_and_counted(
    fresh_tenant, make_client, list_calls
):
    """If the service ever hands back rows not addressed to the signed-in identity (here: the token
    is alice's but the client believes it is bob), the client-side filter drops every one.
    (An unseeded tenant: the seed holds a message addressed to both, which bob may rightly see.)"""
    fresh_tenant.add_message(ALICE, **_full_access())
    fresh_tenant.add_message(ALICE, **_full_access())
    client, _ = make_client(fresh_tenant, ALICE, as_identity=BOB)

    result = client.list_messages()

    assert result.messages == []
    assert result.dropped_not_mine == 2
    assert list_calls(fresh_tenant)[-1].headers["x-anchormailbox"] == f"UPN:{BOB}"


def test_expired_and_non_email_records_are_left_out(tenant, make_client):
    teams = tenant.add_message(ALICE, **_full_access(EntityType="Teams"))
    gone = tenant.add_message(ALICE, **_full_access(ReceivedTime=datetime.now(UTC) - timedelta(days=20),
                                                    Expires=datetime.now(UTC) - timedelta(minutes=5)))
    client, _ = make_client(tenant, ALICE)
    result = client.list_messages()
    ids = {m.identity for m in result.messages}
    assert teams not in ids and gone not in ids
