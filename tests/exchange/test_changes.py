"""list_changes: the background checker's one small question per check, against the demo tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quarantine_checker.core.errors import ConfigurationError
from quarantine_checker.exchange.client import CLOCK_SLACK, WINDOW

ALICE = "alice@northwind.example"
BOB = "bob@northwind.example"


def _msg(received: datetime, subject: str = "Weekly report", **fields):
    return {"Subject": subject, "SenderAddress": "news@contoso.example", "QuarantineTypes": "Spam",
            "TagName": "DefaultFullAccessPolicy", "ReceivedTime": received, **fields}


def _iso(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_only_messages_since_the_last_check_minus_overlap_come_back(fresh_tenant, make_client, list_calls):
    now = datetime.now(UTC)
    old = fresh_tenant.add_message(ALICE, **_msg(now - timedelta(days=3), "old one"))
    in_overlap = fresh_tenant.add_message(ALICE, **_msg(now - timedelta(minutes=14), "late arrival"))
    new = fresh_tenant.add_message(ALICE, **_msg(now - timedelta(seconds=30), "new one"))
    fresh_tenant.add_message(BOB, **_msg(now - timedelta(seconds=30), "bob's"))
    client, _ = make_client(fresh_tenant, ALICE)

    result = client.list_changes(now - timedelta(minutes=5), overlap=timedelta(minutes=10), now=now)

    ids = {m.identity for m in result.messages}
    assert ids == {in_overlap, new}
    assert old not in ids
    calls = list_calls(fresh_tenant)
    assert len(calls) == 1, "an ordinary check costs exactly one request"
    p = calls[0].parameters
    assert p["MyItems"] is True
    assert _iso(p["StartReceivedDate"]) == (now - timedelta(minutes=15)).replace(microsecond=0)
    assert _iso(p["EndReceivedDate"]) == (now + CLOCK_SLACK).replace(microsecond=0)
    assert set(p) == {"MyItems", "StartReceivedDate", "EndReceivedDate", "PageSize", "Page"}


def test_unchanged_quarantine_answers_small(fresh_tenant, make_client, list_calls):
    now = datetime.now(UTC)
    for i in range(30):
        fresh_tenant.add_message(ALICE, **_msg(now - timedelta(days=1, minutes=i), f"old {i}"))
    client, _ = make_client(fresh_tenant, ALICE)

    full = client.list_messages(now=now)
    fresh_tenant.clear_log()
    changes = client.list_changes(now, overlap=timedelta(minutes=10), now=now)

    assert len(full.messages) == 30 and changes.messages == []
    [call] = fresh_tenant.requests_log
    assert call.response_bytes < 1000, "an empty answer is a few hundred bytes, not the whole quarantine"


def test_a_window_older_than_the_service_keeps_is_clamped_and_negative_overlap_refused(
        fresh_tenant, make_client, list_calls):
    now = datetime.now(UTC)
    client, _ = make_client(fresh_tenant, ALICE)
    client.list_changes(now - timedelta(days=90), now=now)
    p = list_calls(fresh_tenant)[0].parameters
    assert _iso(p["StartReceivedDate"]) == (now - WINDOW).replace(microsecond=0)
    with pytest.raises(ConfigurationError):
        client.list_changes(now, overlap=timedelta(minutes=-1), now=now)
