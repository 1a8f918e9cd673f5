"""core/watch.py: which listings become which notifications, and what is kept on disk."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from quarantine_checker.core.model import QuarantinedMessage, QuarantineType, ReleaseStatus
from quarantine_checker.core.watch import (
    EventKind,
    Notice,
    ToldRecord,
    Watcher,
    WatchPrefs,
    clean_text,
    notices,
    sender_key,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def msg(n: int, *, subject: str = "Invoice 4471", sender: str = "billing@partner.example",
        status: ReleaseStatus = ReleaseStatus.NOTRELEASED, kind: QuarantineType = QuarantineType.PHISH,
        received: datetime | None = None, expires: datetime | None = None, **kw) -> QuarantinedMessage:
    ident = f"{n:08x}-0000-0000-0000-000000000000\\{n:08x}-1111-1111-1111-111111111111"
    return QuarantinedMessage(identity=ident, subject=subject, sender_address=sender, release_status=status,
                              quarantine_type=kind, received_time=received or NOW - timedelta(hours=1),
                              expires=expires or NOW + timedelta(days=20), **kw)


def started(*messages: QuarantinedMessage) -> Watcher:
    w = Watcher()
    assert w.apply_full(list(messages), NOW) == []  # the first listing is taken in silently
    return w


def test_first_listing_is_silent_then_a_new_message_is_one_held_notice_naming_it():
    w = started(msg(1))
    new = msg(2, received=NOW + timedelta(minutes=4))
    events = w.apply_changes([new], NOW, NOW + timedelta(minutes=5))
    assert [(e.kind, e.identity) for e in events] == [(EventKind.HELD, new.identity)]
    [n] = notices(events, WatchPrefs(), NOW)
    assert n.title == "Held: 'Invoice 4471' from billing@partner.example — possible phishing"
    assert n.identity == new.identity
    # the same message in the next (overlapping) window is not news again
    assert w.apply_changes([new], NOW, NOW + timedelta(minutes=10)) == []


def test_several_new_messages_become_one_summary_that_opens_the_list():
    w = started()
    batch = [msg(i, subject=f"Order {i}") for i in range(2, 7)]
    [n] = notices(w.apply_changes(batch, NOW, NOW), WatchPrefs(), NOW)
    assert n.title == "5 new messages held for you"
    assert "'Order 2' from billing@partner.example" in n.body and "and 2 more" in n.body
    assert n.identity == "" and len(n.identities) == 5


def test_request_approved_declined_and_system_released():
    a, b, c = (msg(i, status=ReleaseStatus.REQUESTED) for i in (1, 2, 3))
    d = msg(4)
    w = started(a, b, c, d)
    events = w.apply_full([replace(a, release_status=ReleaseStatus.PREPARINGTORELEASE),
                           replace(b, release_status=ReleaseStatus.DENIED), c,
                           replace(d, system_released=True, release_status=ReleaseStatus.RELEASED)], NOW)
    kinds = {(e.kind, e.identity) for e in events}
    assert kinds == {(EventKind.APPROVED, a.identity), (EventKind.DECLINED, b.identity),
                     (EventKind.SYSTEM_RELEASED, d.identity)}
    # RELEASED after PREPARINGTORELEASE is the same approval: no second notice
    assert w.apply_full([replace(a, release_status=ReleaseStatus.RELEASED)], NOW) == []


def test_my_own_release_is_not_reported_as_approved_by_it():
    a = msg(1)
    w = started(a)
    assert w.apply_full([replace(a, release_status=ReleaseStatus.RELEASED)], NOW) == []


def test_expiring_within_two_days_is_told_once():
    soon = msg(1, expires=NOW + timedelta(days=1, hours=20))
    later = msg(2, expires=NOW + timedelta(days=5))
    gone = msg(3, expires=NOW + timedelta(hours=3), status=ReleaseStatus.RELEASED)
    w = started(later, gone)
    w.apply_changes([soon], NOW - timedelta(hours=1), NOW)
    events = w.expiring(NOW)
    assert [e.identity for e in events] == [soon.identity]
    [n] = notices(events, WatchPrefs(), NOW)
    assert "will be deleted soon" in n.title
    assert w.expiring(NOW + timedelta(hours=1)) == []


def test_switches_muted_senders_and_pause():
    w = started()
    events = w.apply_changes([msg(2, sender="News@Bulk.example"), msg(3)], NOW, NOW)
    muted = WatchPrefs(muted_sender_keys=frozenset({sender_key("news@bulk.example", "s")}), salt="s")
    [n] = notices(events, muted, NOW)
    assert "News@Bulk" not in n.title + n.body
    assert notices(events, WatchPrefs(categories=frozenset({EventKind.APPROVED})), NOW) == []
    assert notices(events, WatchPrefs(paused_until=NOW + timedelta(hours=1)), NOW) == []
    assert len(notices(events, WatchPrefs(paused_until=NOW - timedelta(seconds=1)), NOW)) == 1


def test_hostile_subjects_are_one_short_plain_line():
    evil = "\u202eexe.txt\u202c <b>x</b>\r\nBcc: a@b" + "A" * 1_000_000
    text = clean_text(evil)
    assert "\u202e" not in text and "\n" not in text and len(text) <= 80
    w = started()
    [n] = notices(w.apply_changes([msg(2, subject=evil)], NOW, NOW), WatchPrefs(), NOW)
    assert isinstance(n, Notice) and len(n.title) <= 200 and "\u202e" not in n.title + n.body


def test_the_record_holds_identities_and_timestamps_only_and_survives_a_restart():
    secret_subject, secret_sender = "Payroll March: salaries", "ceo@secret.example"
    a = msg(1, subject=secret_subject, sender=secret_sender)
    w = started(a)
    w.apply_changes([msg(2, subject=secret_subject, sender=secret_sender)], NOW, NOW)
    data = w.record.to_bytes()
    assert b"Payroll" not in data and b"secret.example" not in data
    raw = json.loads(data)
    assert set(raw) == {"version", "baseline", "entries", "lags"}
    assert all(isinstance(v, float) for marks in raw["entries"].values() for v in marks.values())

    again = Watcher(ToldRecord.from_bytes(data))
    assert again.apply_full([a, msg(2)], NOW) == [], "nothing already told is told again after a restart"


def test_a_damaged_record_reads_as_empty():
    for junk in (b"", b"\x00" * 50, b"[1,2]", b'{"version": 1, "entries": {"x": "y"}, "lags": "z"}',
                 json.dumps({"version": 1, "entries": {"a" * 500: {"seen": 1.0}}}).encode()):
        rec = ToldRecord.from_bytes(junk)
        assert rec.entries == {} and rec.baseline is False


def test_waiting_count_and_pending():
    a, b = msg(1, status=ReleaseStatus.REQUESTED, received=NOW - timedelta(days=3)), msg(2)
    c = msg(3, status=ReleaseStatus.RELEASED)
    w = started(a, b, c)
    # A requested message waits for IT, not for the person (core/waiting.py: the window counts the same).
    assert {m.identity for m in w.waiting(NOW)} == {b.identity}
    assert w.oldest_pending() == NOW - timedelta(days=3)
