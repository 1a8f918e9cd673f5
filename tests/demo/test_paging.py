"""Summary-set paging, limits, the received-date window and filters (spec §2.1, §2.7)."""

from __future__ import annotations

import datetime as dt

import pytest
from demo_helpers import ADMIN, ALICE, BOB


def test_pages_partition_the_result_and_end_with_a_short_page(tenant, exo):
    tenant.bulk_load(ALICE, 2500, days=10)
    tenant.bulk_load(BOB, 300, days=10)
    alice = exo(ALICE)
    seen: list[str] = []
    times: list[str] = []
    sizes = []
    for page in range(1, 10):
        rows = alice.mine(
            Page=page,
            PageSize=1000,
            StartReceivedDate=(tenant.clock.now() - dt.timedelta(days=30)).isoformat(),
        )
        sizes.append(len(rows))
        seen += [r["Identity"] for r in rows]
        times += [r["ReceivedTime"] for r in rows]
        if len(rows) < 1000:
            break
    assert sizes == [1000, 1000, 500]
    assert len(set(seen)) == 2500
    assert times == sorted(times, reverse=True)  # newest first across page boundaries
    full = tenant.messages_for(ALICE)
    assert {m["Identity"] for m in full} == set(seen)


def test_default_page_size_is_100_and_window_is_16_days(tenant, exo):
    now = tenant.clock.now()
    for i in range(130):
        tenant.add_message(ALICE, ReceivedTime=now - dt.timedelta(hours=i))  # 130 h < 16 d
    old = tenant.add_message(ALICE, ReceivedTime=now - dt.timedelta(days=20))
    alice = exo(ALICE)
    assert len(alice.mine()) == 100
    assert len(alice.mine(Page=2)) == 30
    assert old not in alice.ids(MyItems=True, PageSize=1000)
    start = (now - dt.timedelta(days=25)).isoformat()
    assert old in alice.ids(MyItems=True, PageSize=1000, StartReceivedDate=start)


def test_start_date_older_than_30_days_is_clamped(tenant, exo):
    now = tenant.clock.now()
    inside = tenant.add_message(
        ALICE, ReceivedTime=now - dt.timedelta(days=29), Expires=now + dt.timedelta(days=5)
    )
    outside = tenant.add_message(
        ALICE, ReceivedTime=now - dt.timedelta(days=31), Expires=now + dt.timedelta(days=5)
    )
    ids = exo(ALICE).ids(
        MyItems=True,
        StartReceivedDate=(now - dt.timedelta(days=90)).isoformat(),
        EndReceivedDate=now.isoformat(),
    )
    assert inside in ids and outside not in ids


def test_end_date_limits_the_window(tenant, exo):
    now = tenant.clock.now()
    recent = tenant.add_message(ALICE, ReceivedTime=now - dt.timedelta(hours=1))
    older = tenant.add_message(ALICE, ReceivedTime=now - dt.timedelta(days=3))
    ids = exo(ALICE).ids(
        MyItems=True, EndReceivedDate=(now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    assert ids == [older] and recent not in ids


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"Page": 0}, "minimum allowed range of 1"),
        ({"Page": 1001}, "maximum allowed range of 1000"),
        ({"PageSize": 1001}, "maximum allowed range of 1000"),
        ({"PageSize": -1}, "minimum allowed range"),
        ({"PageSize": "lots"}, "Cannot convert value"),
        ({"StartReceivedDate": "yesterday"}, "System.DateTime"),
        ({"ReleaseStatus": ["Approve"]}, "Cannot bind parameter 'ReleaseStatus'"),
        ({"Bogus": 1}, "A parameter cannot be found that matches parameter name 'Bogus'"),
    ],
)
def test_bad_parameters_are_cmdlet_errors(tenant, exo, params, fragment):
    assert fragment in exo(ALICE).error("Get-QuarantineMessage", {"MyItems": True, **params})


def test_page_size_zero_answers_200_with_no_rows(tenant, exo):
    tenant.add_message(ALICE)
    assert exo(ALICE).mine(PageSize=0) == []


def test_identity_cannot_be_mixed_with_summary_parameters(tenant, exo):
    ident = tenant.add_message(ALICE)
    assert "Parameter set cannot be resolved" in exo(ALICE).error(
        "Get-QuarantineMessage", {"Identity": ident, "MyItems": True}
    )


def test_filters(tenant, exo):
    now = tenant.clock.now()
    spam = tenant.add_message(ALICE, QuarantineTypes="Spam", SenderAddress="a@x.example", MessageId="<m1@x>")
    bulk = tenant.add_message(
        ALICE,
        QuarantineTypes="Bulk",
        SenderAddress="b@y.example",
        Direction="Outbound",
        Expires=now + dt.timedelta(days=2),
    )
    phish = tenant.add_message(ALICE, QuarantineTypes="Phish", TagName="LimitedAccessWithNotificationPolicy")
    alice = exo(ALICE)
    alice.rows("Release-QuarantineMessage", {"Identity": spam, "ReportFalsePositive": True})
    assert alice.ids(MyItems=True, QuarantineTypes=["Bulk", "Phish"]) == [phish, bulk]
    assert alice.ids(MyItems=True, Type="Spam") == [spam]
    assert alice.ids(MyItems=True, SenderAddress=["B@Y.example"]) == [bulk]
    assert alice.ids(MyItems=True, ReleaseStatus=["PREPARINGTORELEASE"]) == [spam]
    assert set(alice.ids(MyItems=True, ReleaseStatus=["NotReleased"])) == {bulk, phish}
    assert alice.ids(MyItems=True, Reported=True) == [spam]
    assert alice.ids(MyItems=True, Direction="Outbound") == [bulk]
    assert alice.ids(MyItems=True, MessageId="<m1@x>") == [spam]
    assert alice.ids(MyItems=True, EndExpiresDate=(now + dt.timedelta(days=3)).isoformat()) == [bulk]
    assert bulk not in alice.ids(MyItems=True, StartExpiresDate=(now + dt.timedelta(days=3)).isoformat())


def test_recipient_address_filter_cannot_reach_other_peoples_mail(tenant, exo):
    tenant.add_message(BOB)
    mine = tenant.add_message(ALICE)
    assert exo(ALICE).ids(RecipientAddress=[BOB]) == []
    assert exo(ALICE).ids(RecipientAddress=[ALICE]) == [mine]
    assert len(exo(ADMIN).ids(RecipientAddress=[BOB])) == 1


def test_bulk_load_pages_a_large_quarantine(tenant, exo):
    tenant.bulk_load(ALICE, 20_000)
    alice = exo(ALICE)
    start = (tenant.clock.now() - dt.timedelta(days=30)).isoformat()
    last = alice.mine(Page=20, PageSize=1000, StartReceivedDate=start)
    assert len(last) == 1000
    assert alice.mine(Page=21, PageSize=1000, StartReceivedDate=start) == []
    times = [r["ReceivedTime"] for r in last]
    assert times == sorted(times, reverse=True)
