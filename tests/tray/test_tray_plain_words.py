"""The words test, tray part: mail held under the demo seed's policies (its policy ids and tags, every
kind of hold) reaches the desktop as notifications, a tooltip and a menu in plain words. The checks
themselves run in conftest.py on everything the tray tests capture; this test makes sure the seed's
jargon is on the wire while they look."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plain_words import jargon_in

ALICE = "alice@northwind.example"
STRICT = "Standard Preset Security Policy1784144691483"
KINDS = ("Phish", "HighConfPhish", "Malware", "FileTypeBlock", "TransportRule", "Spam", "Bulk",
         "DataLossPrevention", "AdminTriggered")


def test_held_mail_under_the_seeds_policies_is_announced_plainly(start_app, fake_bus, tenant):
    app = start_app(interval=2)
    app.wait_for("tray", lambda e: e["available"], timeout=20)
    app.wait_for("signed_in", timeout=30)
    app.wait_for("checked", lambda e: e["ok"], timeout=30)
    before = len(fake_bus.events("notify"))
    for n, kind in enumerate(KINDS):
        tenant.add_message(ALICE, Subject=f"Held {n}", SenderAddress=f"s{n}@partner.example",
                           QuarantineTypes=kind, TagName="LimitedAccessWithNotificationPolicy",
                           PolicyName=STRICT, ReceivedTime=datetime.now(UTC) - timedelta(seconds=5))
    [note] = fake_bus.wait_for("notify", lambda e: "new messages held" in e["summary"], timeout=15)
    assert "Held 0" in note["body"] or "Held 8" in note["body"]
    # The record the emulator holds does carry the jargon the words must leave out.
    assert jargon_in(STRICT) and len(fake_bus.events("notify")) > before
    app.send(cmd="state")
    state = app.wait_for("state", timeout=5)  # tooltip and menu checked by conftest
    assert state["count"] >= 1 and state["tooltip"]
