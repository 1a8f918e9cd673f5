"""The service road as a Mailbox (issue 13 item 2): listing, details in one call, the actions, history,
and the service's refusals in plain words — against the real service over HTTPS, signed in with MSAL."""

from __future__ import annotations

import time

import pytest
from road_org import ALICE, BOB

from quarantine_checker.core import errors as e
from quarantine_checker.core.decision import DisplayStatus, decide
from quarantine_checker.core.messages import user_message
from quarantine_checker.core.model import ReleaseStatus
from quarantine_checker.demo.seed import INVOICE_SUBJECT


def _wait(condition, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def _first_listing(mailbox):
    mailbox.require_open()
    return _wait(lambda: mailbox.list_messages().messages)  # the service's first sweep


def test_alice_lists_only_her_own_mail_through_the_service_in_the_denied_world(tenant, signed_in) -> None:
    _auth, mailbox = signed_in(ALICE)
    messages = _first_listing(mailbox)
    assert ALICE in mailbox.account.addresses
    assert {m.recipient_address for m in messages} == {(ALICE,)}
    mine = {m["Identity"] for m in tenant.messages_for(ALICE)}
    bobs_only = {m["Identity"] for m in tenant.messages_for(BOB)} - mine
    listed = {m.identity for m in messages}
    assert listed - mine == set()
    assert bobs_only & listed == set()
    # The desktop's own decision table works on the service's items: the invoice (high-confidence
    # phishing) can only be requested, never self-released.
    invoice = next(m for m in messages if m.subject == INVOICE_SUBJECT)
    assert decide(invoice, invoice.received_time).status is DisplayStatus.CAN_REQUEST
    # Bob's message id asked for directly: "not found", whatever it is.
    if bobs_only:
        with pytest.raises(e.MessageNotFoundError):
            mailbox.get_message(next(iter(bobs_only)))


def test_details_are_one_call_and_a_request_carries_a_note_to_it(tenant, org, signed_in) -> None:
    _auth, mailbox = signed_in(ALICE)
    messages = _first_listing(mailbox)
    invoice = next(m for m in messages if m.subject == INVOICE_SUBJECT)
    before = mailbox.client.requests_sent
    headers = mailbox.headers(invoice.identity)
    preview = mailbox.preview(invoice.identity)
    assert "From" in headers or "Received" in headers
    assert preview.subject == INVOICE_SUBJECT and preview.body
    assert mailbox.client.requests_sent - before == 1  # headers and preview: one call to the service
    assert mailbox.carries_notes
    mailbox.request_release(invoice.identity, note="I'm expecting this invoice")
    assert mailbox.get_message(invoice.identity).release_status is ReleaseStatus.REQUESTED
    with pytest.raises(e.AlreadyRequestedError):
        mailbox.request_release(invoice.identity)
    [request] = [r for r in org.open_requests() if r["message_id"] == invoice.identity]
    assert request["note"] == "I'm expecting this invoice"
    # IT approves through the reviewer API: the service releases it, and history says who did.
    assert org.reviewer.answer(invoice.identity, approve=True)
    released = _wait(lambda: mailbox.get_message(invoice.identity).released)
    assert released
    entry = next(h for h in mailbox.history() if h.identity == invoice.identity)
    assert entry.outcome == "released_by_it" and entry.subject == INVOICE_SUBJECT


def test_history_keeps_what_became_of_each_message_after_exchange_deleted_it(tenant, signed_in) -> None:
    _auth, mailbox = signed_in(ALICE)
    messages = _first_listing(mailbox)
    deletable = next(m for m in messages if m.permission_to_delete and not m.released)
    mailbox.delete(deletable.identity)
    _wait(lambda: deletable.identity not in {m.identity for m in mailbox.list_messages().messages})
    history = {h.identity: h for h in mailbox.history()}
    assert history[deletable.identity].outcome == "deleted"
    assert all(h.outcome in {"held", "released_by_me", "released_by_it", "released_by_microsoft",
                             "declined", "expired", "deleted"} for h in history.values())


def test_a_stopped_service_is_said_plainly_and_the_mailbox_recovers_by_itself(org, signed_in) -> None:
    auth, mailbox = signed_in(ALICE)
    _first_listing(mailbox)
    org.stop()
    with pytest.raises(e.OrgServiceUnreachableError) as err:
        mailbox.list_messages()
    words = user_message(err.value)
    assert words.title == "Can't reach your organisation's quarantine service" and words.retryable
    assert "Traceback" not in words.details_for_it
    org.start()  # same port: the configured service_url is back
    assert _wait(lambda: mailbox.list_messages().messages)
    assert auth.identity is not None  # never signed out


def test_the_trays_check_asks_only_what_changed_since_the_cursor(tenant, signed_in) -> None:
    from datetime import UTC, datetime, timedelta

    _auth, mailbox = signed_in(ALICE)
    _first_listing(mailbox)
    listing = mailbox.list_messages()
    window = (datetime.now(UTC) - timedelta(days=31), timedelta(0))
    # Idle: the service says nothing changed, and the answer is the same messages (from the mirror).
    before = mailbox.client.requests_sent
    idle = mailbox.list_changes(window[0], overlap=window[1])
    assert {m.identity for m in idle.messages} == {m.identity for m in listing.messages}
    assert mailbox.client.requests_sent - before == 1  # one small "what changed since" question
    # A new hold arrives through the cursor, nothing else is fetched again.
    new = tenant.add_message(ALICE, Subject="Late delivery note", SenderAddress="ups@carrier.example")
    found = _wait(lambda: {m.identity for m in mailbox.list_changes(window[0], overlap=window[1]).messages}
                  - {m.identity for m in listing.messages})
    assert found == {new}
