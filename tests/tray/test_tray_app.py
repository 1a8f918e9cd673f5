"""The app on a (fake) desktop: tray icon, notifications for demo-tenant events, back-off, clock jumps.

Each test starts the shipped app in a child process under Xvfb with intervals in seconds, drives the
demo tenant the way Exchange and IT would, and checks what the desktop received (fake bus JSONL) and
what the service was asked (the emulator's request log).
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta

ALICE = "alice@northwind.example"


def _held(tenant, subject="Invoice 4471", sender="billing@partner.example", **fields):
    fields.setdefault("QuarantineTypes", "Phish")
    fields.setdefault("TagName", "DefaultFullAccessPolicy")
    fields.setdefault("ReceivedTime", datetime.now(UTC) - timedelta(seconds=5))
    return tenant.add_message(ALICE, Subject=subject, SenderAddress=sender, **fields)


def _list_calls(tenant):
    return [r for r in tenant.requests_log
            if r.cmdlet == "Get-QuarantineMessage" and "Identity" not in r.parameters]


def _settled(app, tenant):
    """Signed in, tray shown, first (silent) full check done."""
    app.wait_for("tray", lambda e: e["available"], timeout=20)
    app.wait_for("signed_in", timeout=30)
    app.wait_for("checked", lambda e: e["ok"], timeout=30)


def test_tray_registers_and_a_new_held_message_is_one_notification_that_opens_it(start_app, fake_bus, tenant):
    before_items = len(fake_bus.events("tray_item"))
    before = len(fake_bus.events("notify"))
    app = start_app(interval=2)
    _settled(app, tenant)
    assert len(fake_bus.events("tray_item")) == before_items + 1, "the tray icon registered exactly once"

    added = time.time()
    ident = _held(tenant)
    [note] = fake_bus.wait_for("notify", lambda e: "Invoice 4471" in e["summary"], timeout=2 + 5)
    assert note["t"] - added <= 2 + 5, "within one interval (+5 s)"
    assert note["summary"] == "Held: 'Invoice 4471' from billing@partner.example — possible phishing"
    assert "default" in note["actions"]
    time.sleep(4)  # two more checks: the same message is not news again
    assert len(fake_bus.events("notify")) == before + 1

    fake_bus.click(note["id"])
    opened = app.wait_for("opened", lambda e: e["identity"] == ident, timeout=10)
    assert opened["identity"] == ident
    shown = app.wait_for("refreshed", lambda e: ident in e["selected"], timeout=15)
    assert shown["selected"] == [ident], "the window opens on that message"


def test_approving_a_request_produces_the_approved_notification(start_app, fake_bus, tenant):
    ident = _held(tenant, subject="Contract draft", QuarantineTypes="HighConfPhish",
                  ReleaseStatus="REQUESTED", ReceivedTime=datetime.now(UTC) - timedelta(days=3))
    app = start_app(interval=2, pending_every=4)
    _settled(app, tenant)
    tenant.approve(ident)
    [note] = fake_bus.wait_for("notify", lambda e: e["summary"] == "IT released 'Contract draft'", timeout=10)
    assert "on its way to your inbox" in note["body"]
    time.sleep(3)
    assert len([e for e in fake_bus.events("notify") if "Contract draft" in e["summary"]]) == 1


def test_unchanged_quarantine_costs_one_small_request_per_check(start_app, fake_bus, tenant):
    for i in range(20):
        _held(tenant, subject=f"old {i}", ReceivedTime=datetime.now(UTC) - timedelta(days=2, minutes=i))
    app = start_app(interval=1)
    _settled(app, tenant)
    time.sleep(1.5)
    tenant.clear_log()
    cleared = time.time()
    for _ in range(3):
        app.wait_for("checked", lambda e: e["ok"] and e["t"] > cleared, timeout=10)
    calls = _list_calls(tenant)
    # (the window, open on its first row, may still be fetching that row's preview and headers)
    window_details = {"Preview-QuarantineMessage", "Get-QuarantineMessageHeader"}
    others = [r for r in tenant.requests_log if r.cmdlet not in window_details]
    assert 3 <= len(calls) <= 4 and others == calls, "one request per check"
    assert all(c.response_bytes < 1500 for c in calls), [c.response_bytes for c in calls]


def test_a_closed_road_stops_the_checks_instead_of_retrying(start_app, fake_bus, tenant):
    app = start_app(interval=1)
    _settled(app, tenant)
    tenant.set_end_user_cmdlets("denied")  # IT takes the quarantine cmdlets away from employees
    tenant.clear_log()
    grants_before = len(tenant.idp.grant_types_seen())
    time.sleep(5)  # five intervals
    calls = _list_calls(tenant)
    assert [c.status for c in calls] == [401], "one refused check, then no more"
    new_grants = tenant.idp.grant_types_seen()[grants_before:]
    assert "authorization_code" not in new_grants and new_grants.count("refresh_token") <= 1


def test_a_429_storm_backs_off(start_app, fake_bus, tenant):
    app = start_app(interval=1)
    _settled(app, tenant)
    tenant.clear_log()
    tenant.inject_fault("throttle", count=1000, cmdlet="Get-QuarantineMessage", retry_after=3)
    started = time.monotonic()
    time.sleep(8)
    throttled = [r for r in tenant.requests_log if r.status == 429]
    # Without back-off, 1-second checks would have sent ~8; each 429 says "wait 3 s" and we double.
    assert 1 <= len(throttled) <= 3, len(throttled)
    gaps = [b.time - a.time for a, b in itertools.pairwise(throttled)]
    assert all(g >= 2.9 for g in gaps), gaps
    tenant.clear_faults()
    app.wait_for("checked", lambda e: e["ok"], timeout=20)
    assert time.monotonic() - started < 20


def test_a_clock_jump_triggers_an_immediate_check(start_app, fake_bus, tenant):
    app = start_app(interval=30, heartbeat=0.5)
    _settled(app, tenant)
    time.sleep(1)
    jumped = time.time()
    app.send(cmd="jump", seconds=3600)
    check = app.wait_for("check", timeout=5)
    assert check["t"] - jumped < 3, "checked at once, not after the 30 s interval"


def test_pause_from_the_tray_menu_silences_notifications(start_app, fake_bus, tenant):
    app = start_app(interval=1)
    _settled(app, tenant)
    app.send(cmd="menu", text="Pause notifications for 1 hour")
    assert app.wait_for("menu", timeout=5)["clicked"]
    _held(tenant, subject="Paused one")
    time.sleep(4)
    assert not [e for e in fake_bus.events("notify") if "Paused one" in e["summary"]]
    app.send(cmd="state")
    state = app.wait_for("state", timeout=5)
    assert "paused until" in state["tooltip"] and state["count"] == 1, "still counted, just not announced"
    assert any(m.startswith("Resume notifications") for m in state["menu"])


def test_settings_dialog_switches_start_at_login_and_interval(start_app, fake_bus, tenant, tmp_path):
    app = start_app(interval=1)
    _settled(app, tenant)
    app.send(cmd="settings", start_at_login=True, minutes=7, off="held")
    on = app.wait_for("settings", timeout=10)
    assert on["ok"] and on["autostart_file"] and on["interval"] == 7 * 60
    # Nothing is muted yet, so "Unmute all" is disabled — and, like every disabled button, says why.
    assert on["disabled_without_reason"] == []
    entry = (tmp_path / "xdg-config" / "autostart" / "quarantine-checker.desktop").read_text()
    assert "--minimized" in entry
    config = (tmp_path / "config" / "config.toml").read_text()
    assert "check_interval_minutes = 7" in config
    app.send(cmd="settings", start_at_login=False, minutes=7)
    off = app.wait_for("settings", timeout=10)
    assert off["ok"] and not off["autostart_file"]
    assert not (tmp_path / "xdg-config" / "autostart" / "quarantine-checker.desktop").exists()
