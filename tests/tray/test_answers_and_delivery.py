"""IT's answer to a request made in the app, one listing at a time, and notifications that get through.

The shipped app runs in a child process under Xvfb (tray_app.py); the demo tenant's control API plays
IT and a misbehaving service; the fake desktop bus records what reached the desktop, and can take the
notification daemon away or make it refuse.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from tray_helpers import app_env

ALICE = "alice@northwind.example"


def _settled(app):
    app.wait_for("tray", lambda e: e["available"], timeout=20)
    app.wait_for("signed_in", timeout=30)
    app.wait_for("checked", lambda e: e["ok"], timeout=30)


def _older_held(tenant, subject):
    # Three days old: far behind the window of a "what changed since the last check" listing.
    return tenant.add_message(ALICE, Subject=subject, SenderAddress="legal@partner.example",
                              QuarantineTypes="HighConfPhish", TagName="DefaultFullAccessPolicy",
                              ReceivedTime=datetime.now(UTC) - timedelta(days=3))


def _request_in_window(app, tenant, ident):
    app.wait_for("refreshed", timeout=30)
    app.send(cmd="request", identity=ident)
    assert app.wait_for("request", timeout=10)["clicked"]
    deadline = time.monotonic() + 15
    while tenant.message(ident)["ReleaseStatus"] != "REQUESTED":
        assert time.monotonic() < deadline, "the request never reached the service"
        time.sleep(0.1)


def _it_answers(tenant, op, ident):
    resp = tenant.session().post(f"{tenant.control_url}/{op}", json={"identity": ident}, timeout=10)
    assert resp.ok, resp.text


def _list_calls(tenant):
    return [r for r in tenant.requests_log
            if r.cmdlet == "Get-QuarantineMessage" and "Identity" not in r.parameters]


def test_approval_of_a_request_made_in_the_window_is_noticed_by_scheduled_checks(start_app, fake_bus, tenant):
    ident = _older_held(tenant, "Contract draft")
    app = start_app(interval=2)
    _settled(app)
    _request_in_window(app, tenant, ident)
    _it_answers(tenant, "approve", ident)
    [note] = fake_bus.wait_for("notify", lambda e: e["summary"] == "IT released 'Contract draft'", timeout=12)
    assert "on its way to your inbox" in note["body"]

    # The window refreshes on news; its details then say what is true now, and only that.
    app.wait_for("refreshed", timeout=15)
    deadline = time.monotonic() + 15
    while True:
        app.send(cmd="details")
        details = app.wait_for("details", timeout=5)
        if "Released" in details["status"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert "Released" in details["status"], details
    assert "Release requested" not in details["note"], details


def test_the_tray_check_now_sees_it_declined_a_request_made_in_the_window(start_app, fake_bus, tenant):
    ident = _older_held(tenant, "Supplier terms")
    app = start_app(interval=600)  # no scheduled check in this test: only the tray's "Check now"
    _settled(app)
    _request_in_window(app, tenant, ident)
    _it_answers(tenant, "deny", ident)
    app.send(cmd="menu", text="Check now")
    assert app.wait_for("menu", timeout=5)["clicked"]
    declined = "IT declined to release 'Supplier terms'"
    fake_bus.wait_for("notify", lambda e: e["summary"] == declined, timeout=10)


def test_one_listing_at_a_time_at_sign_in_and_retry_after_is_honoured(start_app, fake_bus, tenant):
    tenant.inject_fault("throttle", count=1, cmdlet="Get-QuarantineMessage", retry_after=2)
    app = start_app(interval=600)
    app.wait_for("signed_in", timeout=30)
    app.wait_for("checked", timeout=30)
    app.wait_for("refreshed", timeout=30)
    time.sleep(1)
    calls = _list_calls(tenant)
    gaps = [b.time - a.time for a, b in itertools.pairwise(calls)]
    assert all(g >= 1.9 for g in gaps), f"a listing went out within the 2 s Retry-After: {gaps}"
    # One refused, then one after the wait, whose answer the window shows.
    assert [c.status for c in calls] == [429, 200]


def test_a_slow_service_gets_one_listing_not_two_in_parallel(start_app, fake_bus, tenant):
    tenant.inject_fault("slow", count=1, cmdlet="Get-QuarantineMessage", delay=2)
    app = start_app(interval=600)
    _settled(app)
    app.wait_for("refreshed", timeout=30)
    calls = _list_calls(tenant)
    assert len(calls) == 1, "the window and the checker shared the sign-in listing"


def test_no_expiry_reminder_at_sign_in(start_app, fake_bus, tenant):
    for subject in ("Old invoice", "Old statement"):
        tenant.add_message(ALICE, Subject=subject, SenderAddress="billing@partner.example",
                           QuarantineTypes="Spam", TagName="DefaultFullAccessPolicy",
                           ReceivedTime=datetime.now(UTC) - timedelta(days=29),
                           Expires=datetime.now(UTC) + timedelta(days=1))
    started = time.time()
    app = start_app(interval=1)
    _settled(app)
    time.sleep(3)  # a few more checks
    mine = [e for e in fake_bus.events("notify") if e["t"] >= started]
    assert not [e for e in mine if "deleted" in e["summary"]], mine


def test_the_still_running_notice_is_not_tagged_as_new_mail(start_app, fake_bus, tenant):
    app = start_app(interval=600)
    _settled(app)
    app.send(cmd="close_window")
    assert not app.wait_for("closed", timeout=5)["window_visible"]
    [note] = fake_bus.wait_for("notify", lambda e: "is still running" in e["summary"], timeout=10)
    assert note["category"] != "email.arrived", note


def test_a_refused_notification_falls_back_to_a_tray_message(start_app, fake_bus, tenant):
    app = start_app(interval=1)
    _settled(app)
    fake_bus.send(cmd="refuse_notify", count=1)
    tenant.add_message(ALICE, Subject="Refused once", SenderAddress="a@partner.example",
                       QuarantineTypes="Phish", TagName="DefaultFullAccessPolicy",
                       ReceivedTime=datetime.now(UTC) - timedelta(seconds=5))
    fake_bus.wait_for("notify_refused", lambda e: "Refused once" in e["summary"], timeout=10)
    # Qt's tray message (on this desktop it goes out through the StatusNotifier path) takes over.
    fake_bus.wait_for("notify", lambda e: "Refused once" in e["summary"], timeout=10)


def test_a_notification_is_sent_when_a_notification_service_appears(start_app, fake_bus, tenant):
    app = start_app(interval=1)
    _settled(app)
    fake_bus.notification_service(False)
    try:
        tenant.add_message(ALICE, Subject="Nobody listening", SenderAddress="a@partner.example",
                           QuarantineTypes="Phish", TagName="DefaultFullAccessPolicy",
                           ReceivedTime=datetime.now(UTC) - timedelta(seconds=5))
        time.sleep(4)  # checked (and failed to notify) meanwhile
    finally:
        fake_bus.notification_service(True)
    fake_bus.wait_for("notify", lambda e: "Nobody listening" in e["summary"], timeout=10)


def _self_test(tmp_path):
    code = ("import json; from quarantine_checker import self_test; "
            "print(json.dumps(self_test.collect(demo=True)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env=app_env(tmp_path))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_self_test_checks_that_notifications_can_be_shown(fake_bus, tmp_path):
    present = _self_test(tmp_path)
    assert present["notifications"]["usable"], present["notifications"]
    fake_bus.notification_service(False)
    try:
        absent = _self_test(tmp_path)
    finally:
        fake_bus.notification_service(True)
    assert not absent["notifications"]["usable"], absent["notifications"]
    assert "notifications" in absent["failed"] and not absent["ok"]
