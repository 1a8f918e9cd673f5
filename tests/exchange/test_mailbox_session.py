"""One ``MailboxSession`` per account, on the direct road, against the demo tenant over real HTTPS.

What a person relies on without seeing it: a second screen asking while a listing runs does not send a
second one; a server's "wait N seconds" holds for every caller; an action is re-read so its real new state
shows everywhere; whoever watches the session hears about every change, from whichever caller made it.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from quarantine_checker.core.decision import Action
from quarantine_checker.core.errors import ThrottledError
from quarantine_checker.core.mailbox import Change, ChangeKind
from quarantine_checker.core.mailbox_session import ActionInProgressError, MailboxSession
from quarantine_checker.core.model import ReleaseStatus
from quarantine_checker.exchange.direct_mailbox import DirectMailbox

ALICE = "alice@northwind.example"
FULL = {"TagName": "DefaultFullAccessPolicy", "QuarantineTypes": "Spam"}
HEADER = ("Authentication-Results: spf=fail smtp.mailfrom=evil.example; dkim=none; dmarc=fail "
          "header.from=northwind-example.com\r\nFrom: CEO <ceo@northwind-example.com>\r\n")


class Seen:
    """An observer: every change it was told, in order."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def __call__(self, change: Change) -> None:
        self.changes.append(change)

    def kinds(self) -> list[ChangeKind]:
        return [c.kind for c in self.changes]


@pytest.fixture
def session(fresh_tenant: Any, make_client: Any) -> MailboxSession:
    client, _ = make_client(fresh_tenant, ALICE)
    return MailboxSession(DirectMailbox(client), sleep=lambda s: None, poll_seconds=0)


def test_a_second_caller_during_a_listing_shares_it_instead_of_sending_another(fresh_tenant, session,
                                                                               list_calls):
    fresh_tenant.add_message(ALICE, Subject="held", **FULL)
    fresh_tenant.inject_fault("slow", count=1, cmdlet="Get-QuarantineMessage", delay=1.0)
    results: list[Any] = []
    first = threading.Thread(target=lambda: results.append(session.refresh()))
    first.start()
    for _ in range(200):  # the first listing is on its way before the second caller asks
        if session.listing_in_flight():
            break
        threading.Event().wait(0.01)
    assert session.listing_in_flight()
    second = session.check(datetime.now(UTC) - timedelta(minutes=5), overlap=timedelta(minutes=10))
    first.join(10)
    assert len(list_calls(fresh_tenant)) == 1, "one request answered both"
    assert results and results[0] is second
    assert [m.subject for m in session.messages()] == ["held"]


class Clock:
    """The session's clock and sleep: sleeping moves the clock on, nothing really waits."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def test_retry_after_holds_for_every_caller_and_nothing_is_sent_meanwhile(fresh_tenant, make_client,
                                                                          list_calls):
    clock = Clock()
    client, _ = make_client(fresh_tenant, ALICE)
    session = MailboxSession(DirectMailbox(client), clock=clock, sleep=clock.sleep)
    fresh_tenant.inject_fault("throttle", count=1, cmdlet="Get-QuarantineMessage", retry_after=30)
    with pytest.raises(ThrottledError):
        session.refresh(patient=False)  # the tray's checker: one attempt, then it paces itself
    assert len(list_calls(fresh_tenant)) == 1
    clock.now += timedelta(seconds=10)
    with pytest.raises(ThrottledError) as caught:
        session.check(clock.now, overlap=timedelta(minutes=10))
    assert caught.value.retry_after == pytest.approx(20)
    assert len(list_calls(fresh_tenant)) == 1, "nothing was sent while the server said wait"
    # The window's Check now waits its turn (as its client would have) and then asks once.
    assert session.refresh().messages == []
    assert clock.slept == [pytest.approx(20)]
    assert len(list_calls(fresh_tenant)) == 2


def test_a_wait_longer_than_patience_is_reported_not_slept(fresh_tenant, make_client, list_calls):
    clock = Clock()
    client, _ = make_client(fresh_tenant, ALICE)
    session = MailboxSession(DirectMailbox(client), clock=clock, sleep=clock.sleep)
    # Beyond the transport's cap too: it reports the wait at once instead of sleeping on it.
    fresh_tenant.inject_fault("throttle", count=1, cmdlet="Get-QuarantineMessage", retry_after=500)
    with pytest.raises(ThrottledError):
        session.refresh()
    clock.now += timedelta(seconds=5)
    with pytest.raises(ThrottledError) as caught:
        session.refresh()
    assert caught.value.retry_after == pytest.approx(495)
    assert clock.slept == []
    assert len(list_calls(fresh_tenant)) == 1


def test_a_release_is_re_read_until_microsoft_finished_and_every_observer_hears_it(fresh_tenant, session):
    ident = fresh_tenant.add_message(ALICE, Subject="invoice", **FULL)
    session.refresh()
    window, tray = Seen(), Seen()
    session.subscribe(window)
    session.subscribe(tray)
    message = session.release(ident)  # what the command line calls
    assert message.release_status is ReleaseStatus.RELEASED, "polled past PREPARINGTORELEASE"
    assert session.message(ident) is message, "the one listing holds the new state"
    for seen in (window, tray):
        assert seen.kinds() == [ChangeKind.SENT, ChangeKind.UPDATED]
        assert seen.changes[0].action is Action.RELEASE
        assert seen.changes[1].messages == (message,)


def test_a_request_is_announced_so_the_watch_knows_the_person_asked(fresh_tenant, session):
    ident = fresh_tenant.add_message(ALICE, Subject="contract", TagName="LimitedAccessWithNotificationPolicy",
                                     QuarantineTypes="Phish")
    session.refresh()
    seen = Seen()
    session.subscribe(seen)
    message = session.request_release(ident, note="I was expecting this")
    assert message.release_status is ReleaseStatus.REQUESTED
    assert seen.changes[0].kind is ChangeKind.SENT and seen.changes[0].action is Action.REQUEST_RELEASE
    assert fresh_tenant.message(ident)["ReleaseStatus"] == "REQUESTED"


def test_delete_takes_it_out_of_the_listing(fresh_tenant, session):
    keep = fresh_tenant.add_message(ALICE, Subject="keep", **FULL)
    gone = fresh_tenant.add_message(ALICE, Subject="gone", **FULL)
    session.refresh()
    seen = Seen()
    session.subscribe(seen)
    session.delete(gone)
    assert [m.identity for m in session.messages()] == [keep]
    assert seen.changes[-1].kind is ChangeKind.REMOVED and seen.changes[-1].identities == (gone,)


def test_an_action_already_on_its_way_is_not_sent_twice(fresh_tenant, session):
    ident = fresh_tenant.add_message(ALICE, Subject="slow", **FULL)
    session.refresh()
    fresh_tenant.inject_fault("slow", count=1, cmdlet="Release-QuarantineMessage", delay=1.0)
    first = threading.Thread(target=lambda: session.release(ident))
    first.start()
    for _ in range(200):
        if session.is_busy(ident):
            break
        threading.Event().wait(0.01)
    with pytest.raises(ActionInProgressError):
        session.release(ident)
    first.join(10)
    releases = [r for r in fresh_tenant.requests_log if r.cmdlet == "Release-QuarantineMessage"]
    assert len(releases) == 1


def test_details_are_read_once_and_the_sender_checks_see_a_look_alike(fresh_tenant, session):
    ident = fresh_tenant.add_message(ALICE, Subject="urgent", SenderAddress="ceo@northwind-example.com",
                                     Header=HEADER, Body="Pay now", **FULL)
    session.refresh()
    first = session.sender_check(ident)
    again = session.sender_check(ident)
    assert again is first
    assert first.report.checks_failed
    assert session.preview(ident).body == "Pay now"
    assert session.preview(ident) is session.cached_preview(ident)
    headers = [r for r in fresh_tenant.requests_log if r.cmdlet == "Get-QuarantineMessageHeader"]
    previews = [r for r in fresh_tenant.requests_log if r.cmdlet == "Preview-QuarantineMessage"]
    assert len(headers) == 1 and len(previews) == 1


def test_a_changes_check_merges_and_drops_what_vanished_from_its_window(fresh_tenant, session):
    old = fresh_tenant.add_message(ALICE, Subject="old", ReceivedTime=datetime.now(UTC) - timedelta(days=3),
                                   **FULL)
    recent = fresh_tenant.add_message(ALICE, Subject="recent", **FULL)
    session.refresh()
    session.mailbox.delete(recent)  # deleted elsewhere (another device): the session was not told
    new = fresh_tenant.add_message(ALICE, Subject="new", **FULL)
    seen = Seen()
    session.subscribe(seen)
    session.check(datetime.now(UTC) - timedelta(hours=1), overlap=timedelta(minutes=10))
    assert [m.identity for m in session.messages()] == [new, old], "old mail outside the window is kept"
    assert seen.kinds() == [ChangeKind.UPDATED, ChangeKind.REMOVED]
    assert seen.changes[1].identities == (recent,)


def test_decide_runs_once_per_version_of_a_message(fresh_tenant, session, monkeypatch):
    ident = fresh_tenant.add_message(ALICE, Subject="once", **FULL)
    session.refresh()
    import quarantine_checker.core.mailbox_session as module

    calls: list[str] = []
    real = module.decide
    monkeypatch.setattr(module, "decide", lambda m, now: calls.append(m.identity) or real(m, now))
    now = datetime.now(UTC)
    message = session.message(ident)
    assert message is not None
    for _ in range(5):
        session.decision(message, now)
    assert calls == [ident]
    session.release(ident)
    released = session.message(ident)
    assert released is not None
    assert session.decision(released, now).status.value == "released"
    assert calls == [ident, ident], "a new version is decided again"
