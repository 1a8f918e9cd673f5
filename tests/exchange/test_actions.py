"""Release, request release, preview, headers and delete against the demo tenant."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from quarantine_checker.core.errors import (
    AlreadyDeniedError,
    AlreadyReleasedError,
    AlreadyRequestedError,
    CommandError,
    ForbiddenActionError,
    MessageNotFoundError,
)
from quarantine_checker.core.model import ReleaseStatus

ALICE = "alice@northwind.example"
BOB = "bob@northwind.example"

RELEASE = "Release-QuarantineMessage"


def _add(tenant, recipient=ALICE, **fields):
    base = {"Subject": "Quarterly figures", "SenderAddress": "cfo@fabrikam.example",
            "QuarantineTypes": "Spam", "TagName": "DefaultFullAccessPolicy",
            "ReceivedTime": datetime.now(UTC) - timedelta(hours=3)}
    return tenant.add_message(recipient, **{**base, **fields})


def _wait_for(client, identity, status, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        message = client.get_message(identity)
        if message.release_status is status or time.monotonic() > deadline:
            return message
        time.sleep(0.1)


def test_release_then_the_message_reads_as_released(tenant, make_client):
    identity = _add(tenant)
    client, _ = make_client(tenant)
    client.release(identity)
    assert [r.parameters for r in tenant.requests_log if r.cmdlet == RELEASE] == [{"Identity": identity}]
    assert _wait_for(client, identity, ReleaseStatus.RELEASED).release_status is ReleaseStatus.RELEASED
    with pytest.raises(AlreadyReleasedError):
        client.release(identity)


def test_release_can_report_a_false_positive(tenant, make_client):
    identity = _add(tenant)
    client, _ = make_client(tenant)
    client.release(identity, report_false_positive=True)
    sent = [r.parameters for r in tenant.requests_log if r.cmdlet == RELEASE]
    assert sent == [{"Identity": identity, "ReportFalsePositive": True}]


def test_request_release_then_waiting_then_denied(tenant, make_client):
    identity = _add(tenant, TagName="LimitedAccessWithNotificationPolicy")
    client, _ = make_client(tenant)
    message = client.get_message(identity)
    assert message.permission_to_request_release and not message.permission_to_release

    client.request_release(identity)

    assert [r.parameters for r in tenant.requests_log if r.cmdlet == RELEASE] == [
        {"Identities": [identity], "Identity": identity, "ActionType": "Request"}]
    assert client.get_message(identity).release_status is ReleaseStatus.REQUESTED
    with pytest.raises(AlreadyRequestedError):
        client.request_release(identity)
    tenant.deny(identity)
    assert client.get_message(identity).release_status is ReleaseStatus.DENIED
    with pytest.raises((AlreadyDeniedError, ForbiddenActionError)):
        client.request_release(identity)


def test_request_release_approved_by_it_ends_released(tenant, make_client):
    identity = _add(tenant, QuarantineTypes="HighConfPhish")      # users may only request for these
    client, _ = make_client(tenant)
    client.request_release(identity)
    tenant.approve(identity)
    assert _wait_for(client, identity, ReleaseStatus.RELEASED).release_status is ReleaseStatus.RELEASED


def test_release_that_the_policy_forbids_is_a_forbidden_action(tenant, make_client):
    identity = _add(tenant, TagName="NoAccessWithNotificationPolicy")
    client, _ = make_client(tenant)
    with pytest.raises(ForbiddenActionError) as info:
        client.release(identity)
    assert info.value.details["status"] in (400, 403)


def test_someone_elses_message_cannot_be_read_or_released(tenant, make_client):
    bobs = _add(tenant, BOB)
    client, _ = make_client(tenant, ALICE)
    with pytest.raises(MessageNotFoundError):
        client.get_message(bobs)
    with pytest.raises(CommandError):
        client.release(bobs)
    assert tenant.message(bobs)["ReleaseStatus"] == "NOTRELEASED"


def test_preview_carries_the_body_as_plain_data(tenant, make_client):
    hostile = "<script>alert(1)</script><img src=http://tracker.example/x.gif>\u202egnp.exe"
    identity = _add(tenant, Body=hostile, IsHtml=True, Cc=["bob@northwind.example"],
                    Attachments=[{"name": "figures.xlsx", "content_type": "application/vnd.ms-excel",
                                  "size": 2048}])
    client, _ = make_client(tenant)
    preview = client.preview(identity)
    assert preview.body == hostile and preview.is_html
    assert preview.subject == "Quarterly figures"
    assert preview.sender == "cfo@fabrikam.example"
    assert ALICE in [r.lower() for r in preview.recipients]
    assert [c.lower() for c in preview.cc] == ["bob@northwind.example"]
    assert [a.name for a in preview.attachments] == ["figures.xlsx"]


def test_headers_come_back_exactly_as_stored(tenant, make_client):
    header = ("Received: from mail.fabrikam.example\r\n"
              "\tby mx.northwind.example; Tue, 1 Dec 2026 10:00:00 +0000\r\n"
              "Subject: =?utf-8?q?Quarterly_figures?=\r\nFrom: cfo@fabrikam.example\r\n")
    identity = _add(tenant, Header=header)
    client, _ = make_client(tenant)
    assert client.headers(identity) == header


def test_delete_removes_it_from_my_list(tenant, make_client):
    identity = _add(tenant)
    client, _ = make_client(tenant)
    assert identity in {m.identity for m in client.list_messages().messages}
    client.delete(identity)
    assert identity not in {m.identity for m in client.list_messages().messages}
    with pytest.raises(MessageNotFoundError):
        client.get_message(identity)


def test_seeded_mail_can_be_listed_and_previewed(tenant, make_client):
    client, _ = make_client(tenant)
    messages = client.list_messages().messages
    assert messages, "the seed gives alice some quarantined mail"
    previewable = [m for m in messages if m.permission_to_preview]
    assert previewable
    assert isinstance(client.preview(previewable[0].identity).body, str)
    assert isinstance(client.headers(messages[0].identity), str)
