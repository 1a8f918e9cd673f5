"""Replies the client must not take at face value: served by the demo tenant over real HTTPS.

* a body that is not the service's envelope, or a ``value`` that is not an array, is unreadable --
  never "nothing is held" and never "one message" (spec §5.4);
* text that is not valid Unicode (a lone surrogate) is made safe once, where the reply is decoded;
* one Identity twice with different status or permissions keeps the most restrictive reading;
* a permission refusal is typed as such, not as a generic "try again";
* a service that answers too slowly is named, within one overall time budget.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quarantine_checker.core.decision import Action, decide
from quarantine_checker.core.errors import (
    ForbiddenActionError,
    MalformedResponseError,
    NetworkError,
    SlowServiceError,
)
from quarantine_checker.core.messages import user_message
from quarantine_checker.exchange.retry import RetryPolicy

ALICE = "alice@northwind.example"
GET = "Get-QuarantineMessage"
RELEASE = "Release-QuarantineMessage"
IDENT = "0b0b0b0b-1111-2222-3333-444444444444\\55555555-6666-7777-8888-999999999999"


NOW = datetime.now(UTC)


def _record(**fields):
    now = NOW
    return {
        "Identity": IDENT, "RecipientAddress": [ALICE], "SenderAddress": "billing@contoso.example",
        "Subject": "Invoice", "QuarantineTypes": "Spam", "EntityType": "Email",
        "ReleaseStatus": "NOTRELEASED", "ReceivedTime": (now - timedelta(hours=1)).isoformat(),
        "Expires": (now + timedelta(days=20)).isoformat(),
        "PermissionToRelease": True, "PermissionToDelete": True, "PermissionToPreview": True, **fields,
    }


# --- item 5: an unreadable reply is never "nothing held" ----------------------------------------------
@pytest.mark.parametrize("body", [
    {"value": None},                                   # no @odata.context: not recognisably the service's
    {},                                                # an empty object
    {"value": []},                                     # an empty list, but still no envelope
    {"@odata.context": "x", "value": _record()},       # one object where the array belongs
    {"@odata.context": "x", "value": "nothing"},
    {"@odata.context": "x", "value": 0},
], ids=["value-null-bare", "empty-object", "empty-list-bare", "single-object", "string", "number"])
def test_unreadable_list_reply_is_a_failed_check_not_an_all_clear(tenant, make_client, body):
    client, _ = make_client(tenant, ALICE)
    tenant.inject_fault("reply", cmdlet=GET, body=body)
    with pytest.raises(MalformedResponseError):
        client.list_messages()


@pytest.mark.parametrize("value", [None, []])
def test_the_services_own_envelope_with_nothing_in_it_is_nothing_held(tenant, make_client, value):
    client, _ = make_client(tenant, ALICE)
    tenant.inject_fault("reply", cmdlet=GET, value=value)
    assert client.list_messages().messages == []


def test_a_single_object_for_get_message_is_unreadable_too(tenant, make_client):
    client, _ = make_client(tenant, ALICE)
    tenant.inject_fault("reply", cmdlet=GET, body={"@odata.context": "x", "value": _record()})
    with pytest.raises(MalformedResponseError):
        client.get_message(IDENT)


# --- item 7: invalid Unicode from the service -----------------------------------------------------------
def test_a_lone_surrogate_in_a_subject_arrives_as_a_replacement_character(fresh_tenant, make_client):
    fresh_tenant.add_message(ALICE, Subject="Invoice \ud800 March", SenderAddress="a@contoso.example",
                             QuarantineTypes="Spam", ReceivedTime=datetime.now(UTC) - timedelta(hours=1))
    fresh_tenant.add_message(ALICE, Subject="Second", SenderAddress="b@contoso.example",
                             QuarantineTypes="Spam", ReceivedTime=datetime.now(UTC) - timedelta(hours=2))
    client, _ = make_client(fresh_tenant, ALICE)
    subjects = [m.subject for m in client.list_messages().messages]
    assert subjects == ["Invoice \ufffd March", "Second"]
    for subject in subjects:
        subject.encode("utf-8")  # every later edge (terminal, log, Qt, D-Bus) can write it


# --- item 12: one Identity, two readings ----------------------------------------------------------------
def test_disagreeing_copies_keep_the_most_restrictive_reading_and_are_flagged(tenant, make_client):
    client, _ = make_client(tenant, ALICE)
    open_copy = _record()
    stricter = _record(ReleaseStatus="REQUESTED", PermissionToRelease=False, PermissionToDelete=False)
    tenant.inject_fault("reply", cmdlet=GET, value=[open_copy, stricter])
    result = client.list_messages()
    (message,) = result.messages
    assert result.conflicting == {IDENT}
    decision = decide(message, datetime.now(UTC))
    assert not decision.is_available(Action.RELEASE)
    assert not decision.is_available(Action.DELETE)
    assert decision.status.value == "waiting_for_it"

    # The order does not matter: the open copy second does not loosen anything.
    tenant.inject_fault("reply", cmdlet=GET, value=[stricter, open_copy])
    result = client.list_messages()
    assert result.conflicting == {IDENT}
    assert not decide(result.messages[0], datetime.now(UTC)).is_available(Action.RELEASE)


def test_identical_copies_are_plain_duplicates(tenant, make_client):
    client, _ = make_client(tenant, ALICE)
    tenant.inject_fault("reply", cmdlet=GET, value=[_record(), _record()])
    result = client.list_messages()
    assert len(result.messages) == 1 and result.conflicting == frozenset()
    assert result.dropped_duplicates == 1


def test_get_message_merges_disagreeing_copies_instead_of_taking_the_first(tenant, make_client):
    client, _ = make_client(tenant, ALICE)
    tenant.inject_fault("reply", cmdlet=GET,
                        value=[_record(), _record(ReleaseStatus="RELEASED", Released=True)])
    message = client.get_message(IDENT)
    assert decide(message, datetime.now(UTC)).status.value == "released"


# --- item 9: a permission refusal is plain and final ---------------------------------------------------
@pytest.mark.parametrize(("message", "type_name"), [
    ("The operation couldn't be performed because you don't have the required permission.",
     "Microsoft.Exchange.Management.FfoQuarantine.QuarantineOperationException"),
    ("Operation on message failed.", "System.UnauthorizedAccessException"),
])
def test_a_permission_refusal_is_typed_and_not_retryable(tenant, make_client, message, type_name):
    ident = tenant.add_message(ALICE, Subject="x", SenderAddress="a@contoso.example", QuarantineTypes="Spam",
                               TagName="DefaultFullAccessPolicy",
                               ReceivedTime=datetime.now(UTC) - timedelta(hours=1))
    client, _ = make_client(tenant, ALICE)
    tenant.inject_fault("cmdlet_error", cmdlet=RELEASE, message=message, type_name=type_name)
    with pytest.raises(ForbiddenActionError) as info:
        client.release(ident)
    words = user_message(info.value, action="release", retries_itself=False)
    assert words.retryable is False
    assert "try again" not in words.text.lower()


# --- item 10: too slow is said as such, within one budget ----------------------------------------------
def test_a_slow_service_is_named_within_one_time_budget(tenant, make_client, list_calls):
    client, _ = make_client(tenant, ALICE, read_timeout=0.5, total_timeout=0.8,
                            retry=RetryPolicy(network_retries=5))
    tenant.inject_fault("slow", count=10, cmdlet=GET, delay=2.0)
    with pytest.raises(SlowServiceError) as info:
        client.list_messages()
    assert isinstance(info.value, NetworkError)  # same exit code / retry class as other network trouble
    # Six tries of 0.5 s were allowed by the retry count; the 0.8 s budget stops after at most two.
    assert client.transport.requests_sent <= 2
    words = user_message(info.value, action="refresh")
    assert "answering too slowly" in words.text
    assert "internet" not in words.text


def test_a_wait_the_service_asked_for_does_not_count_as_slowness(tenant, make_client):
    """Throttling waits are the service's choice; they must not use up the budget for a slow answer."""
    import time

    tenant.add_message(ALICE, Subject="x", SenderAddress="a@contoso.example", QuarantineTypes="Spam",
                       TagName="DefaultFullAccessPolicy", ReceivedTime=datetime.now(UTC) - timedelta(hours=1))
    client, _ = make_client(tenant, ALICE, read_timeout=0.5, total_timeout=0.6, sleep=time.sleep)
    tenant.inject_fault("throttle", cmdlet=GET, retry_after=0.7)   # a real 0.7 s wait, past the budget
    tenant.inject_fault("slow", cmdlet=GET, delay=0.3)             # then an answer well within read_timeout
    assert client.list_messages().messages
